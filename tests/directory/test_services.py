"""Directory writes: validation that changes nothing, audit inside the transaction."""

from __future__ import annotations

import datetime

import pytest

from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.directory import services
from onestop.directory.errors import DirectoryError
from onestop.directory.models import OpeningException
from tests.directory import factories
from tests.directory.conftest import World, snapshot

T = datetime.time


def test_creating_a_service_is_audited(council: Organisation, administrator: User) -> None:
    factories.lgsl()
    service = services.create_service(council, by=administrator, name="Bins", lgsl_code=524)
    record = AuditRecord.objects.for_organisation(council).get(object_type="directory.service")
    assert (record.action, record.actor_id, record.object_id) == (
        AuditAction.CREATED,
        administrator.pk,
        str(service.pk),
    )
    assert record.changes["lgsl"] == service.lgsl_id


def test_an_unknown_lgsl_code_is_refused_and_nothing_changes(world: World) -> None:
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.update_service(world.service, by=None, name="Tax", description="", lgsl_code=1)
    assert (refused.value.code, refused.value.field) == (
        DirectoryError.UNKNOWN_LGSL_CODE,
        "lgsl_code",
    )
    assert "unknown codes are refused" in refused.value.message
    assert snapshot() == before


def test_service_names_are_unique_within_an_organisation_only(
    world: World, partner: Organisation
) -> None:
    with pytest.raises(ServiceError) as refused:
        factories.service(world.service.organisation, "council tax")
    assert refused.value.code == DirectoryError.DUPLICATE_NAME
    assert factories.service(partner, "Council Tax").name == "Council Tax"


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (T(13), T(9), DirectoryError.CLOSES_BEFORE_OPENS),
        (T(9), T(9), DirectoryError.CLOSES_BEFORE_OPENS),
        (T(12, 59), T(14), DirectoryError.OVERLAPPING_SESSION),
        (T(8), T(17), DirectoryError.OVERLAPPING_SESSION),
        (T(9), T(10), DirectoryError.OVERLAPPING_SESSION),
    ],
)
def test_bad_sessions_are_refused_and_nothing_changes(
    world: World, opens: T, closes: T, code: DirectoryError
) -> None:
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.add_opening_session(world.point, by=None, weekday=0, opens=opens, closes=closes)
    assert refused.value.code == code
    assert snapshot() == before


def test_a_session_may_start_when_another_ends(world: World) -> None:
    session = factories.session(world.point, 0, T(13), T(16, 30))
    assert str(session) == "Monday 13:00-16:30"


def test_setting_an_exception_again_replaces_its_sessions(world: World) -> None:
    exception = services.set_opening_exception(
        world.point, by=None, date=datetime.date(2026, 12, 24), reason="Closed", sessions=()
    )
    assert exception.pk == world.exception.pk
    assert (exception.reason, list(exception.sessions.all())) == ("Closed", [])
    assert OpeningException.objects.for_organisation(world.point.organisation_id).count() == 1


def test_an_out_of_hours_window_must_not_be_empty(world: World) -> None:
    data = services.OutOfHoursInput(
        title="Nothing",
        contact="x",
        phone="",
        details="",
        starts_weekday=1,
        starts_at=T(9),
        ends_weekday=1,
        ends_at=T(9),
    )
    with pytest.raises(ServiceError) as refused:
        services.save_out_of_hours(world.point, by=None, data=data)
    assert refused.value.field == "ends_at"


def test_staff_cannot_join_a_team_of_another_organisation(
    world: World, partner_advisor: User
) -> None:
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.add_team_member(world.team, by=None, user=partner_advisor)
    assert refused.value.code == DirectoryError.WRONG_ORGANISATION
    assert snapshot() == before


def test_joining_a_team_twice_is_refused(world: World, advisor: User) -> None:
    with pytest.raises(ServiceError) as refused:
        services.add_team_member(world.team, by=None, user=advisor)
    assert refused.value.code == DirectoryError.ALREADY_MEMBER


def test_unknown_roles_are_refused(world: World, advisor: User) -> None:
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.set_staff_roles(advisor, by=None, role_codes=["advisor", "overlord"])
    assert (refused.value.code, refused.value.message) == (
        DirectoryError.UNKNOWN_ROLE,
        "There is no role overlord in your organisation",
    )
    assert snapshot() == before


def test_an_access_point_cannot_be_shared_with_its_owner(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.share_access_point(world.point, by=None, organisation=world.point.organisation)
    assert refused.value.code == DirectoryError.WRONG_ORGANISATION


def test_sharing_twice_records_once(world: World, partner: Organisation) -> None:
    before = snapshot()
    again = services.share_access_point(world.shared_point, by=None, organisation=partner)
    assert again.pk == world.share.pk
    assert snapshot() == before

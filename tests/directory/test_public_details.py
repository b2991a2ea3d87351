"""The public contact details and facilities administrators give services and access points
(shown on the residents' start page): saved from the forms, refused when malformed, audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import AuditRecord, User
from onestop.directory.models import AccessPoint, AccessPointKind, Service
from tests.directory.conftest import World, snapshot

ClientFor = Callable[[User], Client]


def test_an_access_point_keeps_its_email_and_facilities(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/directory/access-points/{world.point.pk}/edit/",
        {
            "kind": AccessPointKind.AREA_OFFICE,
            "name": world.point.name,
            "address": "1 High Street",
            "phone": "01632 960001",
            "email": "office@example.org",
            "has_hearing_loop": "on",
            "interview_rooms": "3",
        },
    )

    point = AccessPoint.objects.for_user(administrator).get(pk=world.point.pk)
    assert response.status_code == 302
    assert (
        point.email,
        point.has_hearing_loop,
        point.has_step_free_access,
        point.interview_rooms,
    ) == ("office@example.org", True, False, 3)
    record = (
        AuditRecord.objects.for_user(administrator)
        .filter(object_id=str(point.pk))
        .order_by("-sequence")
        .first()
    )
    assert record is not None
    assert record.changes["interview_rooms"] == [0, 3]
    assert record.changes["has_hearing_loop"] == [False, True]


def test_an_access_point_without_interview_rooms_given_has_none(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client_for(administrator).post(
        "/directory/access-points/new/",
        {"kind": AccessPointKind.AREA_OFFICE, "name": "Wendover Office", "interview_rooms": ""},
    )

    point = AccessPoint.objects.for_user(administrator).get(name="Wendover Office")
    assert (point.email, point.has_hearing_loop, point.interview_rooms) == ("", False, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interview_rooms", "three"),
        ("interview_rooms", "-1"),
        ("interview_rooms", "100"),
        ("interview_rooms", "9" * 5000),
        ("interview_rooms", "<script>1</script>"),
        ("email", "not an address"),
        ("email", "a@" + "b" * 300 + ".example"),
    ],
)
def test_malformed_facilities_are_refused_and_change_nothing(
    world: World,
    administrator: User,
    client_for: ClientFor,
    field: str,
    value: str,
) -> None:
    before = snapshot()
    data = {"kind": AccessPointKind.AREA_OFFICE, "name": world.point.name, field: value}

    response = client_for(administrator).post(
        f"/directory/access-points/{world.point.pk}/edit/", data
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert f'href="#id_{field}"' in html  # the summary links to the input
    assert "<script>1</script>" not in html
    assert snapshot() == before


def test_a_service_keeps_its_public_phone_and_email(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/directory/services/{world.service.pk}/edit/",
        {
            "name": world.service.name,
            "description": "Bins",
            "phone": "01632 960016",
            "email": "waste@example.org",
        },
    )

    service = Service.objects.for_user(administrator).get(pk=world.service.pk)
    assert response.status_code == 302
    assert (service.phone, service.email) == ("01632 960016", "waste@example.org")

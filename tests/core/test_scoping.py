from __future__ import annotations

import pytest

from onestop.core import audit
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.core.scoping import UnscopedQueryError


@pytest.fixture
def two_trails(council: Organisation, partner: Organisation, advisor: User) -> None:
    audit.record(organisation=council, by=advisor, action=AuditAction.VIEWED, object_type="x")
    audit.record(organisation=partner, by=None, action=AuditAction.VIEWED, object_type="y")


@pytest.mark.usefixtures("two_trails")
@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda: list(AuditRecord.objects.all()), id="iterate"),
        pytest.param(lambda: AuditRecord.objects.count(), id="count"),
        pytest.param(lambda: AuditRecord.objects.exists(), id="exists"),
        pytest.param(lambda: AuditRecord.objects.filter(object_type="x").first(), id="first"),
        pytest.param(lambda: AuditRecord.objects.get(object_type="x"), id="get"),
        pytest.param(lambda: AuditRecord.objects.values_list("pk").count(), id="values"),
        pytest.param(lambda: list(AuditRecord.objects.iterator()), id="iterator"),
    ],
)
def test_an_unscoped_query_on_organisation_data_raises(run: object) -> None:
    with pytest.raises(UnscopedQueryError):
        run()  # type: ignore[operator]


@pytest.mark.usefixtures("two_trails")
def test_an_or_across_organisations_is_not_a_scope(council: Organisation) -> None:
    from django.db.models import Q

    query = AuditRecord.objects.filter(Q(organisation=council) | Q(object_type="y"))
    with pytest.raises(UnscopedQueryError):
        list(query)


@pytest.mark.usefixtures("two_trails")
def test_for_user_returns_only_the_users_organisation(advisor: User, council: Organisation) -> None:
    rows = list(AuditRecord.objects.for_user(advisor).values_list("organisation_id", "object_type"))
    assert [row for row in rows if row[1] != "core.user"] == [(council.pk, "x")]


@pytest.mark.usefixtures("two_trails")
def test_for_user_without_an_organisation_returns_nothing(db: None) -> None:
    nobody = User(username="nobody")
    assert list(AuditRecord.objects.for_user(nobody)) == []


@pytest.mark.usefixtures("two_trails")
def test_unscoped_needs_a_reason_and_returns_every_organisation() -> None:
    with pytest.raises(ValueError, match="say why"):
        AuditRecord.objects.unscoped(" ")
    organisations = set(AuditRecord.objects.unscoped("test").values_list("object_type", flat=True))
    assert {"x", "y"} <= organisations

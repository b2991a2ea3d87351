"""The audit trail names records as people do ("Member of staff: Sam Patel", "Case
HOU-000123", "Two-factor device"), never by Django model label, and is filtered by a choice of
record kinds rather than a typed model label."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core import audit
from onestop.core.audit_labels import RECORD_KINDS, record_kind_choices
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from tests import factories
from tests.cases import factories as case_factories

Clients = Callable[[User], Client]

pytestmark = pytest.mark.django_db

# Django's own and third-party bookkeeping no audit record is about.
UNAUDITED_APPS = {"admin", "auth", "contenttypes", "sessions", "axes", "django_tasks_database"}
UNAUDITED = {"core.auditchainhead", "core.referencecounter", "cases.caseevent",
             "cases.escalationdue", "feedback.feedbackevent"}  # fmt: skip


def test_every_model_has_a_human_label() -> None:
    missing = sorted(
        model._meta.label_lower
        for model in apps.get_models()
        if model._meta.app_label not in UNAUDITED_APPS
        and model._meta.label_lower not in UNAUDITED
        and model._meta.label_lower not in RECORD_KINDS
    )
    assert missing == []


def test_the_trail_shows_what_a_person_calls_each_record(
    client_for: Clients, auditor: User, council: Organisation, partner: Organisation
) -> None:
    sam = factories.staff(council, "advisor", username="sam", first_name="Sam", last_name="Patel")
    device = TOTPDevice.objects.get(user=sam)
    case_factories.standards(council)
    waste = case_factories.service(council, "Waste")
    case_factories.case_type(
        council,
        "missed-bin",
        kind=case_factories.KINDS.SERVICE_REQUEST,
        service=waste,
        team=case_factories.team(waste, "Crews"),
        attributes=case_factories.BIN_QUESTIONS,
    )
    case = case_factories.raise_case(council)
    for obj in (sam, device, case):
        audit.record(organisation=council, by=None, action=AuditAction.VIEWED, obj=obj)
    audit.record(
        organisation=council,
        by=None,
        action=AuditAction.VIEWED,
        object_type="core.user",
        object_id="999999",
    )
    page = client_for(auditor).get("/audit/").content.decode()
    page = page[page.index('data-testid="audit-records"') :]
    assert "Member of staff: Sam Patel" in page
    assert "Two-factor device" in page
    assert f"Case {case.reference}" in page
    assert "Member of staff (no longer held)" in page
    for label in ("core.user", "otp_totp.totpdevice", "cases.case"):
        assert label not in page


def test_a_record_of_another_organisation_is_never_named(
    client_for: Clients, auditor: User, council: Organisation, partner: Organisation
) -> None:
    outsider = factories.staff(partner, "advisor", username="out", first_name="Olive")
    audit.record(
        organisation=council,
        by=None,
        action=AuditAction.VIEWED,
        object_type="core.user",
        object_id=str(outsider.pk),
    )
    page = client_for(auditor).get("/audit/").content.decode()
    assert "Olive" not in page
    assert "Member of staff (no longer held)" in page


def test_the_filter_is_a_choice_of_record_kinds(
    client_for: Clients, auditor: User, council: Organisation
) -> None:
    choices = dict(record_kind_choices())
    assert choices["core.user"] == "Member of staff"
    assert list(choices.values()) == sorted(choices.values())
    assert len(set(choices.values())) == len(choices)
    for kind in ("core.user", "cases.case"):
        audit.record(organisation=council, by=None, action=AuditAction.VIEWED, object_type=kind)
    client = client_for(auditor)
    page = client.get("/audit/")
    assert 'class="govuk-select" id="id_object_type"' in page.content.decode()
    assert '<option value="core.user">Member of staff</option>' in page.content.decode()
    found = client.get("/audit/", {"object_type": "core.user"})
    records = list(found.context["page"].object_list)
    assert {record.object_type for record in records} == {"core.user"}


def test_both_kinds_of_opening_hours_on_a_date_are_found_by_their_one_choice(
    client_for: Clients, auditor: User, council: Organisation
) -> None:
    for kind in ("directory.openingexception", "directory.exceptionsession"):
        audit.record(organisation=council, by=None, action=AuditAction.CHANGED, object_type=kind)
    found = client_for(auditor).get("/audit/", {"object_type": "directory.openingexception"})
    assert found.context["page"].paginator.count == 2


@pytest.mark.parametrize(
    "typed", ["core.User", "x" * 500, "core.user' OR 1=1 --", "cases.case\x00", "summer"]
)
def test_a_typed_kind_is_refused_with_a_message(
    client_for: Clients, auditor: User, council: Organisation, typed: str
) -> None:
    client = client_for(auditor)
    before = AuditRecord.objects.for_organisation(council).count()
    response = client.get("/audit/", {"object_type": typed})
    assert "Select a kind of record from the list" in response.content.decode()
    assert response.context["page"] is None
    assert AuditRecord.objects.for_organisation(council).count() == before

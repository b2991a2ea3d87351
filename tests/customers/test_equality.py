"""Equality monitoring is special-category data: the read-only auditor cannot write it, a blank
answer never erases one, and erasing is its own confirmed, audited action."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, User
from onestop.customers import services
from onestop.customers.models import EQUALITY_FIELDS, EqualityMonitoring
from tests.customers.conftest import People, snapshot

ClientFor = Callable[[User], Client]

pytestmark = pytest.mark.django_db

ANSWERS = {"sex": "female", "religion": "prefer-not-to-say", "ethnicity": "white"}
BLANK_FORM = dict.fromkeys(EQUALITY_FIELDS, "")


def _answers_of(people: People) -> dict[str, str]:
    record = EqualityMonitoring.objects.for_organisation(people.jane.organisation_id).get(
        customer=people.jane
    )
    return {name: getattr(record, name) for name in EQUALITY_FIELDS if getattr(record, name)}


def _audit_count() -> int:
    return AuditRecord.objects.unscoped("test: count").count()


@pytest.fixture
def answered(people: People, manager: User) -> People:
    services.save_equality_monitoring(people.jane, by=manager, answers=ANSWERS)
    return people


def test_the_auditor_sees_the_answers_but_cannot_save_them(
    client_for: ClientFor, answered: People, auditor: User
) -> None:
    client = client_for(auditor)
    seen = client.get(f"/customers/{answered.jane.pk}/equality/")
    before, audited = snapshot(), _audit_count()
    posted = client.post(f"/customers/{answered.jane.pk}/equality/", {**BLANK_FORM, "sex": "male"})
    erased = client.post(
        f"/customers/{answered.jane.pk}/equality/erase/", {"questions": ["sex"], "confirm": "on"}
    )
    assert seen.status_code == 200
    assert b"Prefer not to say" in seen.content
    assert b'name="sex"' not in seen.content
    assert (posted.status_code, erased.status_code) == (403, 403)
    assert _answers_of(answered) == ANSWERS
    assert (snapshot(), _audit_count()) == (before, audited)


def test_a_partner_gets_404_and_nothing_changes(
    client_for: ClientFor, answered: People, partner_advisor: User
) -> None:
    client = client_for(partner_advisor)
    posted = client.post(f"/customers/{answered.jane.pk}/equality/", {**BLANK_FORM, "sex": "male"})
    erased = client.post(
        f"/customers/{answered.jane.pk}/equality/erase/", {"questions": ["sex"], "confirm": "on"}
    )
    assert (posted.status_code, erased.status_code) == (404, 404)
    assert _answers_of(answered) == ANSWERS


def test_blank_answers_on_a_post_keep_the_answers_held(
    client_for: ClientFor, answered: People, manager: User
) -> None:
    response = client_for(manager).post(
        f"/customers/{answered.jane.pk}/equality/", {**BLANK_FORM, "disability": "no"}
    )
    assert response.status_code == 302
    assert _answers_of(answered) == {**ANSWERS, "disability": "no"}


def test_blank_answers_through_the_service_never_erase(answered: People, manager: User) -> None:
    services.save_equality_monitoring(answered.jane, by=manager, answers=BLANK_FORM)
    last = AuditRecord.objects.for_organisation(answered.jane.organisation_id).latest("sequence")
    assert _answers_of(answered) == ANSWERS
    assert last.changes == {"questions_changed": []}


def test_erasing_needs_confirmation_and_changes_nothing_without_it(
    client_for: ClientFor, answered: People, manager: User
) -> None:
    client = client_for(manager)
    audited = _audit_count()
    refused = client.post(f"/customers/{answered.jane.pk}/equality/erase/", {"questions": ["sex"]})
    assert refused.status_code == 400
    assert b"Confirm that the answers should be erased" in refused.content
    assert _answers_of(answered) == ANSWERS
    assert _audit_count() == audited


def test_a_confirmed_erasure_removes_only_the_chosen_answers_and_is_audited_as_one(
    client_for: ClientFor, answered: People, manager: User
) -> None:
    response = client_for(manager).post(
        f"/customers/{answered.jane.pk}/equality/erase/",
        {"questions": ["sex", "religion", "age_band"], "confirm": "on"},
    )
    last = AuditRecord.objects.for_organisation(answered.jane.organisation_id).latest("sequence")
    assert response.status_code == 302
    assert _answers_of(answered) == {"ethnicity": "white"}
    assert (last.action, last.summary, last.actor_id) == (
        AuditAction.DELETED,
        "Equality monitoring answers erased",
        manager.pk,
    )
    assert last.changes == {"questions_erased": ["religion", "sex"]}


def test_erasing_nothing_or_an_unknown_question_is_refused(answered: People, manager: User) -> None:
    audited = _audit_count()
    with pytest.raises(ServiceError) as unknown:
        services.erase_equality_monitoring(answered.jane, by=manager, questions=["shoe_size"])
    with pytest.raises(ServiceError) as unanswered:
        services.erase_equality_monitoring(answered.jane, by=manager, questions=["disability"])
    assert (unknown.value.code, unanswered.value.code) == ("invalid_choice", "nothing_to_erase")
    assert _answers_of(answered) == ANSWERS
    assert _audit_count() == audited

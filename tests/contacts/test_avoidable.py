"""Avoidable contact (issue 17): the advisor's answer to "could this contact have been avoided?"
recorded on the contact through the service, the desk's form (GOV.UK radios, optional) and the
API; a contact chasing progress is recorded as chasing progress unless the advisor chose
otherwise; a bad answer is refused and nothing is saved."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.contacts import services
from onestop.contacts.errors import ContactError
from onestop.contacts.models import AVOIDABLE_KINDS, Avoidable, Contact
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from tests.customers.conftest import People

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db
API = "/api/v1/contacts"


def _log(council: Organisation, advisor: User, **values: Any) -> Contact:
    return services.log_contact(
        council,
        by=advisor,
        customer=None,
        values=services.ContactInput(notes="Enquiry", **values),
    )


def test_the_five_kinds_and_not_avoidable() -> None:
    assert Avoidable.values == [
        "progress-chasing",
        "repeat",
        "failure-to-act",
        "unclear",
        "wrong-channel",
        "not-avoidable",
    ]
    assert AVOIDABLE_KINDS == (
        "progress-chasing",
        "repeat",
        "failure-to-act",
        "unclear",
        "wrong-channel",
    )


def test_the_advisors_answer_is_recorded_and_audited(council: Organisation, advisor: User) -> None:
    contact = _log(council, advisor, avoidable="unclear")
    contact.refresh_from_db()
    assert contact.avoidable == "unclear"
    assert contact.get_avoidable_display() == "Our letter, bill, form or web page was not clear"
    entry = AuditRecord.objects.for_organisation(council).get(object_type="contacts.contact")
    assert entry.changes["avoidable"] == "unclear"


def test_not_answered_is_not_assessed(council: Organisation, advisor: User) -> None:
    assert _log(council, advisor).avoidable == ""


def test_a_contact_chasing_progress_is_recorded_as_chasing_progress_unless_chosen_otherwise(
    council: Organisation, advisor: User
) -> None:
    first = _log(council, advisor)
    assert _log(council, advisor, repeat_of=first).avoidable == "progress-chasing"
    assert _log(council, advisor, about_reference="SR-26-4K7Q9").avoidable == "progress-chasing"
    assert _log(council, advisor, repeat_of=first, avoidable="failure-to-act").avoidable == (
        "failure-to-act"
    )
    assert _log(council, advisor, repeat_of=first, avoidable="not-avoidable").avoidable == (
        "not-avoidable"
    )


def test_what_a_customer_sent_about_a_case_is_not_assessed(council: Organisation) -> None:
    """An e-mail reply or information added online names the case (``about_reference``) but
    nobody judged it: it may add to the case rather than chase it."""
    sent = services.log_contact(
        council,
        by=None,
        customer=None,
        values=services.ContactInput(
            channel="web-form", about_reference="SR-26-4K7Q9", notes="More information"
        ),
    )
    assert (sent.is_repeat, sent.avoidable) == (True, "")


def test_a_bad_answer_is_refused_and_nothing_is_saved(council: Organisation, advisor: User) -> None:
    with pytest.raises(ServiceError) as refused:
        _log(council, advisor, avoidable="because")
    assert (refused.value.code, refused.value.field) == (ContactError.INVALID_CHOICE, "avoidable")
    assert Contact.objects.for_organisation(council).count() == 0


def test_finishing_a_contact_keeps_or_changes_the_answer(
    council: Organisation, advisor: User
) -> None:
    contact = _log(council, advisor, avoidable="repeat")
    kept = services.update_contact(
        contact, by=advisor, version=1, ended_at=None, outcome="resolved", notes="A"
    )
    assert kept.avoidable == "repeat"
    changed = services.update_contact(
        kept, by=advisor, version=2, ended_at=None, outcome="resolved", notes="A", avoidable=""
    )
    assert changed.avoidable == ""
    entry = (
        AuditRecord.objects.for_organisation(council)
        .filter(object_type="contacts.contact", summary="Contact updated")
        .order_by("pk")
        .last()
    )
    assert entry is not None
    assert entry.changes["avoidable"] == ["repeat", ""]
    with pytest.raises(ServiceError):
        services.update_contact(
            changed, by=advisor, version=3, ended_at=None, outcome="resolved", notes="A",
            avoidable="maybe",
        )  # fmt: skip
    changed.refresh_from_db()
    assert (changed.avoidable, changed.version) == ("", 3)


# --- the desk's form -----------------------------------------------------------------------------
def test_the_form_asks_with_optional_gov_uk_radios(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    body = client_for(advisor).get(f"/desk/customers/{people.jane.pk}/contacts/new/")
    page = body.content.decode()
    assert "Could this contact have been avoided? (optional)" in page
    assert page.count('name="avoidable" type="radio"') == 6
    assert 'name="avoidable" type="radio" value="progress-chasing" checked' not in page
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in page
    assert 'id="id_avoidable-hint"' in page


def test_the_form_records_the_answer(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    form = {"notes": "Bill", "outcome": "resolved", "channel": "telephone", "direction": "in"}
    client = client_for(advisor)
    client.post(f"/desk/customers/{people.jane.pk}/contacts/new/", form)
    client.post(
        f"/desk/customers/{people.jane.pk}/contacts/new/", {**form, "avoidable": "wrong-channel"}
    )
    found = Contact.objects.for_organisation(council).order_by("pk")
    assert [contact.avoidable for contact in found] == ["", "wrong-channel"]


def test_the_form_refuses_an_answer_not_offered(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    response = client_for(advisor).post(
        f"/desk/customers/{people.jane.pk}/contacts/new/",
        {
            "notes": "Bill",
            "outcome": "resolved",
            "channel": "telephone",
            "direction": "in",
            "avoidable": "made-up",
        },
    )
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert Contact.objects.for_organisation(council).count() == 0


# --- the API -------------------------------------------------------------------------------------
def _call(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_the_api_sets_reads_and_changes_the_answer(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    client = client_for(advisor)
    created = _call(
        client,
        "post",
        f"{API}/",
        {"customer_id": people.jane.pk, "notes": "Bins", "avoidable": "failure-to-act"},
    )
    assert created.status_code == 201
    assert created.json()["avoidable"] == "failure-to-act"
    contact_id = created.json()["id"]
    kept = _call(client, "put", f"{API}/{contact_id}", {"version": 1, "notes": "Bins"})
    assert kept.json()["avoidable"] == "failure-to-act"
    changed = _call(
        client,
        "put",
        f"{API}/{contact_id}",
        {"version": 2, "notes": "Bins", "avoidable": "not-avoidable"},
    )
    assert changed.json()["avoidable"] == "not-avoidable"
    assert Contact.objects.for_organisation(council).get().avoidable == "not-avoidable"


def test_the_api_refuses_a_bad_answer_and_saves_nothing(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    response = _call(
        client_for(advisor),
        "post",
        f"{API}/",
        {"customer_id": people.jane.pk, "notes": "Bins", "avoidable": "sometimes"},
    )
    assert response.status_code == 400
    assert (response.json()["title"], response.json()["field"]) == ("invalid_choice", "avoidable")
    assert Contact.objects.for_organisation(council).count() == 0


# --- the demo ------------------------------------------------------------------------------------
def test_the_demo_records_some_avoidable_contact(
    council: Organisation, people: People, advisor: User
) -> None:
    from onestop.contacts import demo

    demo.load_demo(council)
    found = Counter(Contact.objects.for_organisation(council).values_list("avoidable", flat=True))
    assert dict(found) == {"": 2, "progress-chasing": 1, "not-avoidable": 3, "unclear": 1}

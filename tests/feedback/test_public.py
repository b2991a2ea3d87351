"""The public form (/feedback/<organisation>/), without signing in: a complaint lands in the same
record as the desk's, with a web-form contact; hostile and oversized input is refused with
nothing saved and what was typed kept; the honeypot and the per-address limit hold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from onestop.contacts.models import Contact
from onestop.core.models import AuditRecord
from onestop.customers.models import Customer
from onestop.feedback.models import Feedback, Kind
from tests.feedback.conftest import World

FORM = {
    "kind": "complaint",
    "about": "service",
    "what_happened": "The bin lorry blocked my drive for an hour.",
    "given_name": "Robin",
    "family_name": "Walker",
    "email": "robin@example.org",
}


@pytest.fixture(autouse=True)
def fresh_limit() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _url(world: World) -> str:
    return f"/feedback/{world.organisation.slug}/"


def test_a_resident_sends_a_complaint_and_sees_their_reference(world: World) -> None:
    client = Client()
    page = client.get(_url(world))
    assert page.status_code == 200
    assert "Waste and Recycling" in page.content.decode()
    response = client.post(_url(world), {**FORM, "service": str(world.waste.pk)}, follow=True)
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    assert response.redirect_chain == [
        (f"/feedback/{world.organisation.slug}/sent/{feedback.reference}/", 302)
    ]
    body = response.content.decode()
    assert feedback.reference in body
    assert "we will acknowledge your complaint by" in body
    assert (feedback.kind, feedback.channel, feedback.recorded_by) == (
        Kind.COMPLAINT,
        "web-form",
        None,
    )
    assert feedback.service == world.waste
    customer = Customer.objects.for_organisation(world.organisation).get(pk=feedback.customer_id)
    assert (customer.given_name, customer.family_name) == ("Robin", "Walker")
    contact = Contact.objects.for_organisation(world.organisation).get(pk=feedback.contact_id)
    assert contact.channel == "web-form"
    audit = AuditRecord.objects.get(
        organisation=world.organisation, object_type="feedback.feedback", action="created"
    )
    assert audit.actor is None
    assert audit.ip_address == "127.0.0.1"
    # Another browser cannot open the confirmation page.
    assert (
        Client().get(f"/feedback/{world.organisation.slug}/sent/{feedback.reference}/").status_code
        == 404
    )


def test_an_anonymous_compliment_needs_no_details(world: World) -> None:
    response = Client().post(
        _url(world), {"kind": "compliment", "about": "staff", "staff_named": "Sam on the bins",
                      "what_happened": "Sam was very kind."}
    )  # fmt: skip
    assert response.status_code == 302
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    assert (feedback.customer_id, feedback.about_staff, feedback.staff_named) == (
        None,
        True,
        "Sam on the bins",
    )


def test_an_unknown_organisation_is_not_found(world: World) -> None:
    assert Client().get("/feedback/no-such-council/").status_code == 404
    assert Client().post("/feedback/no-such-council/", FORM).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what_happened": ""}, "Enter what happened"),
        ({"what_happened": "x" * 10_001}, "must be 10000 characters or fewer"),
        ({"what_happened": "Look\u202ehere"}, "What happened"),
        ({"wanted": "\x00\x01"}, "What would you like us to do"),
        ({"kind": "'; DROP TABLE feedback_feedback; --"}, "Select what you want to tell us"),
        ({"given_name": ""}, "Enter your first name"),
        ({"family_name": "y" * 101}, "100 characters or fewer"),
        ({"email": "not an email"}, "mail"),
        ({"service": "-1"}, "Select which service"),
    ],
)
def test_hostile_and_oversized_input_is_refused_keeping_what_was_typed(
    world: World, changes: dict[str, str], message: str
) -> None:
    response = Client().post(_url(world), {**FORM, **changes})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert "robin@example.org" in body or "email" in changes
    assert not Feedback.objects.for_organisation(world.organisation).exists()
    assert (
        not Customer.objects.for_organisation(world.organisation)
        .filter(given_name="Robin")
        .exists()
    )


def test_html_is_kept_as_text_and_never_rendered(world: World, client_for: object) -> None:
    text = "<img src=x onerror=alert(1)> it happened"
    assert Client().post(_url(world), {**FORM, "what_happened": text}).status_code == 302
    assert Feedback.objects.for_organisation(world.organisation).get().what_happened == text


def test_a_body_that_is_not_utf8_is_refused_as_empty(world: World) -> None:
    response = Client().generic(
        "POST",
        _url(world),
        b"kind=complaint&what_happened=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not Feedback.objects.for_organisation(world.organisation).exists()


def test_the_honeypot_is_answered_like_a_form_sent_and_saves_nothing(world: World) -> None:
    response = Client().post(_url(world), {**FORM, "leave_blank": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == f"/feedback/{world.organisation.slug}/sent/"
    assert not Feedback.objects.for_organisation(world.organisation).exists()


@override_settings(ONESTOP_FEEDBACK_PER_HOUR=2)
def test_an_address_may_send_only_so_many_and_mistakes_do_not_count(world: World) -> None:
    client = Client()
    for _ in range(3):
        assert client.post(_url(world), {**FORM, "what_happened": ""}).status_code == 400
    assert client.post(_url(world), FORM).status_code == 302
    assert client.post(_url(world), FORM).status_code == 302
    refused = client.post(_url(world), FORM)
    assert refused.status_code == 429
    assert "You have sent too many forms" in refused.content.decode()
    assert Feedback.objects.for_organisation(world.organisation).count() == 2


def test_equality_answers_are_optional_and_kept_apart_with_the_customer(world: World) -> None:
    from onestop.customers.models import AgeBand, EqualityMonitoring

    client = Client()
    client.post(_url(world), FORM)
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    done = f"/feedback/{world.organisation.slug}/sent/{feedback.reference}/"
    equality = f"{done}equality/"
    assert f'href="{equality}"' in client.get(done).content.decode()
    assert Client().get(equality).status_code == 404  # another browser
    refused = client.post(equality, {"age_band": "<script>"})
    assert refused.status_code == 400
    assert "Select an answer from the list" in refused.content.decode()
    assert not EqualityMonitoring.objects.for_organisation(world.organisation).exists()
    answer = AgeBand.values[2]
    response = client.post(equality, {"age_band": answer, "sex": ""})
    assert response.status_code == 302
    assert response["Location"] == done
    kept = EqualityMonitoring.objects.for_organisation(world.organisation).get()
    assert (kept.customer_id, kept.age_band, kept.sex) == (feedback.customer_id, answer, "")


def test_anonymous_feedback_is_not_asked_equality_questions(world: World) -> None:
    client = Client()
    client.post(_url(world), {"kind": "comment", "about": "service", "what_happened": "Fine"})
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    done = f"/feedback/{world.organisation.slug}/sent/{feedback.reference}/"
    assert "equality-link" not in client.get(done).content.decode()
    assert client.get(f"{done}equality/").status_code == 404

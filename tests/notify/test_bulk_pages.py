"""The pages of messages to many customers (``/outbox/bulk/``): permission matrices with their
effects, the preview's exact counts, progress, and hostile or oversized form input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onestop.cases.models import Case
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.customers.models import Customer
from onestop.notify.models import BulkMessage, BulkStatus, Message, MessageStatus
from onestop.notify.services import bulk, sending
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.cases.conftest import World, world  # noqa: F401
from tests.customers import factories as customer_factories
from tests.directory import factories as directory_factories
from tests.matrix import covers

LIST = "/outbox/bulk/"
NEW = "/outbox/bulk/new/"


@pytest.fixture
def manager(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.MANAGER, username="manager")


@pytest.fixture
def officer(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="officer")


def _client(user: User) -> Client:
    client = Client()
    core_factories.sign_in_verified(client, user)
    return client


def _crowd(council: Organisation) -> list[Customer]:
    """Two who agreed to e-mail, one who did not, one with only a letter address, in NN1."""
    people = [
        ("Ann", "ann@example.org", True, "NN1 5AB"),
        ("Ben", "ben@example.org", True, "NN1 6AB"),
        ("Cat", "cat@example.org", False, "NN1 5AD"),
        ("Dan", "", False, "NN1 7AB"),
    ]
    return [
        customer_factories.customer(
            council, name, "Resident", email=email, email_consent=consent, postcode=postcode
        )
        for name, email, consent, postcode in people
    ]


FORM = {
    "title": "Snow closure",
    "group_kind": "postcode",
    "postcode": "nn1",
    "words": "template",
    "message": "The office is closed today because of snow.",
    "channels": ["email", "sms"],
}


def _draft(council: Organisation, by: User) -> BulkMessage:
    return bulk.create_bulk(
        council.pk,
        by=by,
        title="Snow closure",
        group={"kind": "postcode", "postcode": "NN1"},
        use_template=True,
        subject="",
        message="Closed today",
        channels=["email", "sms"],
    )


@covers("notify:bulk-list", "notify:bulk-new")
def test_team_leaders_and_managers_write_messages_to_many_customers(
    council: Organisation,
    manager: User,
    team_leader: User,
    officer: User,
    advisor: User,
    auditor: User,
    partner_administrator: User,
) -> None:
    _crowd(council)
    assert Client().get(LIST).status_code == 302
    assert Client().post(NEW, FORM).status_code == 302
    for who in (officer, advisor, auditor):
        assert _client(who).get(LIST).status_code == 403
        assert _client(who).get(NEW).status_code == 403
        assert _client(who).post(NEW, FORM).status_code == 403
    assert not BulkMessage.objects.for_organisation(council).exists()
    # The partner's administrator may not either; and writes nothing of the council's.
    assert _client(partner_administrator).post(NEW, FORM).status_code == 403
    assert _client(team_leader).get(NEW).status_code == 200
    response = _client(manager).post(NEW, FORM)
    created = BulkMessage.objects.for_organisation(council).get()
    assert response.status_code == 302
    assert response["Location"] == f"/outbox/bulk/{created.pk}/"
    assert (created.status, created.group, created.channels, created.created_by) == (
        BulkStatus.DRAFT,
        {"kind": "postcode", "postcode": "NN1"},
        ["email", "sms"],
        manager,
    )
    assert not Message.objects.for_organisation(council).filter(bulk_message=created).exists()
    page = _client(team_leader).get(LIST)
    assert page.status_code == 200
    assert "Snow closure" in page.content.decode()
    assert "Customers whose current address is in NN1" in page.content.decode()
    assert "Snow closure" not in _client(partner_administrator).get(LIST).content.decode()
    assert AuditRecord.objects.filter(
        organisation=council, object_type="notify.bulkmessage", action="listed"
    ).exists()


@covers("notify:bulk")
def test_the_page_previews_exact_counts_and_is_the_organisations_own(
    council: Organisation,
    manager: User,
    officer: User,
    partner_administrator: User,
) -> None:
    _crowd(council)
    draft = _draft(council, manager)
    url = f"/outbox/bulk/{draft.pk}/"
    assert Client().get(url).status_code == 302
    assert _client(partner_administrator).get(url).status_code == 404
    assert _client(officer).get(url).status_code == 403
    page = _client(manager).get(url)
    assert page.status_code == 200
    preview = page.context["preview"]
    assert (preview.customers, preview.reached) == (4, 2)
    assert page.context["preview_channels"] == [("Email", 2), ("Text message", 0)]
    assert page.context["preview_skipped"] == [
        ("Did not agree to updates by the channels chosen", 1),
        ("No address for the channels chosen", 1),
    ]
    html = page.content.decode()
    assert "Send to 2 customers" in html
    assert 'data-testid="nobody"' not in html
    assert "Dear Sam Resident," in html
    assert "Closed today" in html
    assert AuditRecord.objects.filter(
        organisation=council,
        object_type="notify.bulkmessage",
        object_id=str(draft.pk),
        action="viewed",
    ).exists()


@covers("notify:bulk-send")
def test_sending_marks_it_and_the_worker_does_the_rest(
    council: Organisation,
    manager: User,
    officer: User,
    partner_administrator: User,
) -> None:
    crowd = _crowd(council)
    draft = _draft(council, manager)
    url = f"/outbox/bulk/{draft.pk}/send/"
    assert Client().post(url).status_code == 302
    assert _client(partner_administrator).post(url).status_code == 404
    assert _client(officer).post(url).status_code == 403
    assert _client(manager).get(url).status_code == 405
    draft.refresh_from_db()
    assert draft.status == BulkStatus.DRAFT
    response = _client(manager).post(url)
    assert response["Location"] == f"/outbox/bulk/{draft.pk}/"
    draft.refresh_from_db()
    assert (draft.status, draft.sent_by) == (BulkStatus.SENDING, manager)
    assert not Message.objects.for_organisation(council).filter(bulk_message=draft).exists()
    sending.process_due()
    draft.refresh_from_db()
    assert (draft.status, draft.recipients, draft.messages_created) == (BulkStatus.SENT, 4, 2)
    assert (draft.skipped_no_consent, draft.skipped_no_address) == (1, 1)
    page = _client(manager).get(f"/outbox/bulk/{draft.pk}/")
    assert page.context["status_counts"] == [("Sent", 2)]
    assert page.context["channel_counts"] == [("Email", 2)]
    sent_to = set(
        Message.objects.for_organisation(council)
        .filter(bulk_message=draft)
        .values_list("customer_id", flat=True)
    )
    assert sent_to == {crowd[0].pk, crowd[1].pk}
    again = _client(manager).post(url, follow=True).content.decode()
    assert "already been sent or cancelled" in again


@covers("notify:bulk-cancel")
def test_cancel_stops_the_unsent(
    council: Organisation,
    manager: User,
    officer: User,
    partner_administrator: User,
) -> None:
    _crowd(council)
    draft = bulk.send(_draft(council, manager), by=manager)
    bulk.expand_due()
    url = f"/outbox/bulk/{draft.pk}/cancel/"
    assert Client().post(url).status_code == 302
    assert _client(partner_administrator).post(url).status_code == 404
    assert _client(officer).post(url).status_code == 403
    assert _client(manager).get(url).status_code == 405
    statuses = Message.objects.for_organisation(council).filter(bulk_message=draft)
    assert set(statuses.values_list("status", flat=True)) == {MessageStatus.PENDING}
    response = _client(manager).post(url, follow=True)
    assert "Cancelled: 2 messages not yet sent will not be sent" in response.content.decode()
    assert set(statuses.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
    draft.refresh_from_db()
    assert (draft.status, draft.cancelled_by) == (BulkStatus.CANCELLED, manager)


# --- hostile and oversized input ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"title": ""}, "Enter a name"),
        ({"title": "x" * 101}, "Name must be 100 characters or fewer"),
        ({"title": "Snow\u200bclosure"}, "special characters"),
        ({"message": ""}, "Enter the message"),
        ({"message": "x" * 10_001}, "Message must be 10000 characters or fewer"),
        ({"message": "x" * 919}, "918 characters or fewer"),
        ({"message": "Closed\u202e today"}, "special characters"),
        ({"group_kind": ""}, "Select who the message is for"),
        ({"group_kind": "everyone"}, "Select who the message is for"),
        ({"postcode": "<script>alert(1)</script>"}, "Postcode must be 10 characters or fewer"),
        ({"postcode": "'; DROP --"}, "Enter a postcode area, district or sector"),
        ({"channels": []}, "Select at least one way to send it"),
        ({"channels": ["email", "pigeon"]}, "Select e-mail, text message or letter"),
        ({"group_kind": "case-type", "case_type": "999999"}, "Select the type of case from"),
        ({"group_kind": "visit"}, "Select the place"),
        ({"words": "own", "subject": ""}, "Enter the subject"),
        ({"words": "own", "subject": "x" * 201}, "Subject must be 200 characters or fewer"),
        ({"words": "own", "subject": "Hi ((reference))"}, "((reference)) is not a placeholder"),
    ],
)
def test_bad_input_is_refused_with_the_words_kept(
    council: Organisation, manager: User, changes: dict[str, Any], words: str
) -> None:
    form = {**FORM, **changes}
    response = _client(manager).post(NEW, form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert words in html
    assert not BulkMessage.objects.for_organisation(council).exists()
    if changes.get("message", "").startswith("x" * 100):
        assert "x" * 100 in html  # what was typed is kept


def test_a_group_nobody_can_be_sent_to_offers_no_send_button(
    council: Organisation, manager: User
) -> None:
    customer_factories.customer(council, "Dan", "Resident", postcode="NN1 7AB")  # no e-mail
    draft = _draft(council, manager)
    html = _client(manager).get(f"/outbox/bulk/{draft.pk}/").content.decode()
    assert "1 customer is in this group now." in html
    assert 'data-testid="nobody"' in html
    assert "Send to" not in html


def test_a_visit_group_names_the_place_and_the_day(council: Organisation, manager: User) -> None:
    office = directory_factories.access_point(council, "Wellingborough office")
    form = {
        **FORM,
        "group_kind": "visit",
        "access_point": str(office.pk),
        "visit_date_day": "1",
        "visit_date_month": "6",
        "visit_date_year": "2026",
    }
    response = _client(manager).post(NEW, form)
    assert response.status_code == 302, response.content.decode()
    created = BulkMessage.objects.for_organisation(council).get()
    assert created.group == {"kind": "visit", "access_point_id": office.pk, "date": "2026-06-01"}
    assert created.group_label == "Customers who came to Wellingborough office on 1 June 2026"
    missing = _client(manager).post(NEW, {**form, "visit_date_day": ""})
    assert missing.status_code == 400
    assert "must include a day" in missing.content.decode()


# --- customers with open cases in a ward ----------------------------------------------------------
def _ward_cases(built: World) -> list[Customer]:
    """Ann and Ben have open cases in St James (typed in two cases), Cat a closed one there."""
    council = built.organisation
    crowd = _crowd(council)
    for customer, ward in ((crowd[0], "St James"), (crowd[1], "st james"), (crowd[2], "St James")):
        case_factories.raise_case(council, customer=customer, ward=ward)
    Case.objects.for_organisation(council).filter(customer=crowd[2]).update(status="closed")
    case_factories.raise_case(council, customer=crowd[3], ward="Abington")
    return crowd


def test_the_page_offers_the_wards_of_open_cases(
    world: World,  # noqa: F811
    manager: User,
) -> None:
    crowd = _ward_cases(world)
    council = world.organisation
    html = _client(manager).get(NEW).content.decode()
    assert 'value="ward"' in html
    assert "Customers with open cases in a ward" in html
    assert "Ward (customers with open cases in a ward)" in html
    assert '<select name="ward"' in html
    # Each group's select is a GOV.UK select like every other (added after the form's styling).
    for name in ("ward", "case_type", "access_point"):
        assert f'<select name="{name}" class="govuk-select" id="id_{name}"' in html, name
    wards = html[html.index('<select name="ward"') :]
    wards = wards[: wards.index("</select>")]
    assert wards.count("<option") == 3
    assert '<option value="" selected>Select a ward</option>' in wards
    assert wards.index('value="Abington"') < wards.index('value="St James"')
    # The radios: the registered groups first, then postcode and visit.
    order = [html.index(f'value="{kind}"') for kind in ("case-type", "ward", "postcode", "visit")]
    assert order == sorted(order)
    response = _client(manager).post(NEW, {**FORM, "group_kind": "ward", "ward": "St James"})
    assert response.status_code == 302, response.content.decode()
    created = BulkMessage.objects.for_organisation(council).get()
    assert (created.group, created.group_label) == (
        {"kind": "ward", "value": "St James"},
        "Customers with open cases in St James",
    )
    assert "Customers with open cases in St James" in _client(manager).get(LIST).content.decode()
    page = _client(manager).get(f"/outbox/bulk/{created.pk}/")
    preview = page.context["preview"]
    assert (preview.customers, preview.reached) == (2, 2)  # Ann and Ben, by e-mail
    bulk.send(created, by=manager)
    bulk.expand_due()
    sent_to = set(
        Message.objects.for_organisation(council)
        .filter(bulk_message=created)
        .values_list("customer_id", flat=True)
    )
    assert sent_to == {crowd[0].pk, crowd[1].pk}


@pytest.mark.parametrize(
    ("ward", "words"),
    [
        ("", "Select the ward"),
        ("Nowhere", "Select the ward from the list"),
        ("st james", "Select the ward from the list"),  # the list's own spelling only
        ("<script>alert(1)</script>", "Select the ward from the list"),
        ("St James'; DROP TABLE cases_case; --", "Select the ward from the list"),
        ("St\u200bJames", "Select the ward from the list"),
        ("St\x00James", "Select the ward from the list"),
        ("St James" * 1000, "Select the ward from the list"),
    ],
)
def test_a_ward_not_offered_is_refused_with_the_words_kept(
    world: World,  # noqa: F811
    manager: User,
    ward: str,
    words: str,
) -> None:
    _ward_cases(world)
    form = {**FORM, "group_kind": "ward", "ward": ward, "title": "Ward letter"}
    response = _client(manager).post(NEW, form)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert words in html
    assert 'href="#id_ward"' in html
    assert 'value="Ward letter"' in html
    assert "<script>alert(1)</script>" not in html
    assert not BulkMessage.objects.for_organisation(world.organisation).exists()

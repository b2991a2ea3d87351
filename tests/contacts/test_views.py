"""The desk pages: permission matrix, search as you type, logging a contact in one form."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.contacts.models import Callback, Contact
from onestop.core.models import Organisation, User
from onestop.directory.models import AccessPoint
from tests.customers.conftest import People
from tests.matrix import covers

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db

PAGES: list[tuple[str, Callable[[People], str]]] = [
    ("desk", lambda p: "/desk/"),
    ("search", lambda p: "/desk/search/?q=smith"),
    ("customer", lambda p: f"/desk/customers/{p.jane.pk}/"),
    ("log", lambda p: f"/desk/customers/{p.jane.pk}/contacts/new/"),
    ("anonymous", lambda p: "/desk/contacts/new/"),
    ("callbacks", lambda p: "/desk/callbacks/"),
    ("queue", lambda p: "/desk/queue/"),
]


@pytest.mark.parametrize(("name", "url_of"), PAGES, ids=[page[0] for page in PAGES])
@covers(
    "contacts:desk",
    "contacts:search",
    "contacts:customer",
    "contacts:log",
    "contacts:log-anonymous",
    "contacts:callbacks",
    "contacts:queue",
)
def test_desk_pages_permission_matrix(
    client_for: ClientFor,
    people: People,
    advisor: User,
    auditor: User,
    partner_advisor: User,
    name: str,
    url_of: Callable[[People], str],
) -> None:
    url = url_of(people)
    anonymous = Client().get(url)
    assert (anonymous.status_code, anonymous["Location"].startswith("/sign-in/")) == (302, True)
    assert client_for(auditor).get(url).status_code == 403  # may read customers, not log contacts
    assert client_for(advisor).get(url).status_code == 200
    other = client_for(partner_advisor).get(url)
    assert other.status_code == (404 if name in ("customer", "log") else 200)


def test_the_search_box_has_focus_and_the_desk_script_is_a_file(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    page = client_for(advisor).get("/desk/").content.decode()
    assert 'id="desk-search"' in page
    assert "autofocus" in page
    assert 'src="/static/contacts/desk.js"' in page
    assert "onclick" not in page
    assert "hx-on" not in page


def test_results_appear_for_a_mistyped_name_and_never_another_organisations(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    fragment = client_for(advisor).get("/desk/search/", {"q": "jnae smiht"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "1 customer found" in body
    assert f"/desk/customers/{people.jane.pk}/" in body
    assert f"/desk/customers/{people.outsider.pk}/" not in body


def test_the_panel_shows_warnings_preferences_and_recent_contacts(
    client_for: ClientFor, people: People, advisor: User
) -> None:
    ahmed = client_for(advisor).get(f"/desk/customers/{people.ahmed.pk}/").content.decode()
    john = client_for(advisor).get(f"/desk/customers/{people.john.pk}/").content.decode()
    assert "Welsh" in ahmed
    assert "Large print" in ahmed
    assert "Potentially violent person" in john
    assert "See in pairs" in john
    assert f"/cases/new/?customer={people.john.pk}" in john


def test_a_contact_is_logged_in_one_form(
    client_for: ClientFor, council: Organisation, people: People, advisor: User, office: AccessPoint
) -> None:
    client = client_for(advisor)
    response = client.post(
        f"/desk/customers/{people.jane.pk}/contacts/new/",
        {
            "notes": "Bin day explained",
            "outcome": "resolved",
            "channel": "face-to-face",
            "direction": "in",
            "access_point": office.pk,
        },
    )
    contact = Contact.objects.for_organisation(council).get()
    assert response["Location"] == f"/desk/customers/{people.jane.pk}/"
    assert (contact.customer, contact.outcome, contact.access_point, contact.staff) == (
        people.jane,
        "resolved",
        office,
        advisor,
    )
    assert contact.answered_at is not None
    assert contact.ended_at is not None


def test_a_request_raised_goes_on_to_the_raise_page_with_customer_and_contact(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    response = client_for(advisor).post(
        f"/desk/customers/{people.jane.pk}/contacts/new/",
        {"outcome": "request-raised", "channel": "telephone", "direction": "in", "notes": "Bin"},
    )
    contact = Contact.objects.for_organisation(council).get()
    assert response["Location"] == f"/cases/new/?customer={people.jane.pk}&contact={contact.pk}"


def test_an_empty_contact_is_refused_naming_the_reason_and_nothing_is_saved(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    response = client_for(advisor).post(
        f"/desk/customers/{people.jane.pk}/contacts/new/",
        {"outcome": "resolved", "channel": "telephone", "direction": "in", "notes": "  "},
    )
    assert response.status_code == 400
    assert (
        "Choose the reason for the contact, or say what it was about in the notes"
        in response.content.decode()
    )
    assert Contact.objects.for_organisation(council).count() == 0


def test_leaving_the_raise_page_leaves_no_request_raised_contact_without_a_case(
    client_for: ClientFor, council: Organisation, people: People, advisor: User
) -> None:
    client_for(advisor).post(
        f"/desk/customers/{people.jane.pk}/contacts/new/",
        {"outcome": "request-raised", "channel": "telephone", "direction": "in", "notes": "Bin"},
    )
    contact = Contact.objects.for_organisation(council).get()
    assert contact.outcome == "request-not-completed"
    assert contact.get_outcome_display() == "Request not completed"


def test_an_anonymous_request_raised_goes_on_to_the_raise_page_with_its_contact(
    client_for: ClientFor, council: Organisation, advisor: User
) -> None:
    response = client_for(advisor).post(
        "/desk/contacts/new/",
        {"outcome": "request-raised", "channel": "telephone", "direction": "in", "notes": "Bin"},
    )
    contact = Contact.objects.for_organisation(council).get()
    assert (contact.customer, contact.outcome) == (None, "request-not-completed")
    assert response["Location"] == f"/cases/new/?contact={contact.pk}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "callback-promised", "callback_phone": ""}, b"Enter the number to call back"),
        ({"outcome": "callback-promised", "callback_phone": "12"}, b"Enter a real phone number"),
        ({"outcome": "made-up"}, b"Select outcome from the list"),
        ({"received_at": "not a time"}, b"The start time is not a real time"),
        ({"received_at": "2099-01-01T00:00:00+00:00"}, b"Times must not be in the future"),
    ],
)
def test_a_bad_contact_is_refused_with_a_gov_uk_error_and_nothing_saved(
    client_for: ClientFor,
    council: Organisation,
    people: People,
    advisor: User,
    data: dict[str, str],
    message: bytes,
) -> None:
    form = {"outcome": "resolved", "channel": "telephone", "direction": "in", **data}
    response = client_for(advisor).post(f"/desk/customers/{people.jane.pk}/contacts/new/", form)
    assert response.status_code == 400
    assert message in response.content
    assert Contact.objects.for_organisation(council).count() == 0
    assert Callback.objects.for_organisation(council).count() == 0


def test_the_queue_issues_tickets_and_records_seen(
    client_for: ClientFor, council: Organisation, advisor: User, office: AccessPoint
) -> None:
    client = client_for(advisor)
    issued = client.post(f"/desk/queue/?access_point={office.pk}", {"customer_reference": ""})
    assert issued.status_code == 302
    page = client.get(issued["Location"])
    ticket = next(iter(page.context["rows"])).ticket
    assert client.post(f"/desk/queue/tickets/{ticket.pk}/seen/").status_code == 302
    assert client.post(f"/desk/queue/tickets/{ticket.pk}/dance/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.seen_at is not None


@covers("contacts:callback-done", "contacts:ticket-action")
def test_another_organisations_ticket_and_call_back_answer_404(
    client_for: ClientFor,
    council: Organisation,
    people: People,
    advisor: User,
    partner_advisor: User,
    office: AccessPoint,
) -> None:
    client = client_for(advisor)
    client.post(f"/desk/queue/?access_point={office.pk}", {"customer_reference": ""})
    client.post(
        f"/desk/customers/{people.jane.pk}/contacts/new/",
        {
            "outcome": "callback-promised",
            "callback_phone": "07700 900123",
            "channel": "telephone",
            "direction": "in",
            "notes": "Council tax",
        },
    )
    callback = Callback.objects.for_organisation(council).get()
    other = client_for(partner_advisor)
    assert other.post(f"/desk/callbacks/{callback.pk}/done/").status_code == 404
    assert other.post("/desk/queue/tickets/1/seen/").status_code == 404
    callback.refresh_from_db()
    assert callback.completed_at is None

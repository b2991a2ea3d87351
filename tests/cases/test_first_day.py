"""First-day defects on the case page (issue 13): the status select shows the current status
and offers only the allowed moves; a councillor sees only what is meant for them on their
enquiry, whatever the case page shows staff; an update to the customer names to whom and by
which channel it went, and is refused when there is nobody to send it to."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from onestop.cases import queries, services
from onestop.cases.models import Case, NoteKind, Status
from onestop.contacts.models import Contact
from onestop.core.errors import ServiceError
from onestop.core.models import RoleCode, User
from onestop.notify.models import Message
from tests import factories as core_factories
from tests.cases import factories
from tests.cases.conftest import World
from tests.cases.test_views import IDS, PAGES
from tests.customers import factories as customer_factories

ClientFor = Callable[[User], Client]


def _status_options(page: str) -> list[tuple[str, bool]]:
    start = page.index('name="status-status"')
    select = page[start : page.index("</select>", start)]
    options = select.split("<option")[1:]
    return [
        (option.split('value="')[1].split('"')[0], " selected" in option.split(">")[0])
        for option in options
    ]


# --- 1. the status select -----------------------------------------------------------------------
def test_the_status_select_preselects_the_current_status_and_offers_only_allowed_moves(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation)
    services.change_status(case, by=None, status=Status.WAITING_FOR_CUSTOMER)
    # The select is on the action's own page (the case page's button menu leads there).
    page = client_for(world.officer).get(f"/cases/{case.reference}/status/").content.decode()
    assert _status_options(page) == [
        ("in-progress", False),
        ("waiting-for-customer", True),
        ("waiting-for-third-party", False),
    ]
    assert "Waiting for customer (current status)" in page


def test_submitting_the_status_unchanged_is_refused_and_changes_nothing(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation)
    services.change_status(case, by=None, status=Status.IN_PROGRESS)
    response = client_for(world.officer).post(
        f"/cases/{case.reference}/status/",
        {"status-status": "in-progress", "status-version": str(case.version)},
    )
    assert response.status_code == 400
    assert "Choose a status different from the current one" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.IN_PROGRESS, 2)


def test_a_move_the_lifecycle_does_not_allow_is_not_offered_nor_accepted(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation)
    services.change_status(case, by=None, status=Status.WAITING_FOR_CUSTOMER)
    response = client_for(world.officer).post(
        f"/cases/{case.reference}/status/",
        {"status-status": "new", "status-version": str(case.version)},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.WAITING_FOR_CUSTOMER


# --- 2. what a councillor sees -----------------------------------------------------------------
@pytest.fixture
def enquiry(world: World, councillor: User) -> Case:
    return factories.raise_case(
        world.organisation,
        "councillor-enquiry",
        by=councillor,
        title="Street light out",
        constituent_name="Pat Jones",
        postcode="HP20 1UB",
    )


def test_a_councillor_sees_updates_to_them_but_no_internal_note_or_staff_working(
    world: World, enquiry: Case, councillor: User, client_for: ClientFor
) -> None:
    services.add_note(enquiry, by=world.officer, kind=NoteKind.INTERNAL, text="SECRET working")
    services.assign_case(enquiry, by=world.leader, assignee=None, reason="Wrong queue reason")
    services.add_note(
        enquiry, by=world.officer, kind=NoteKind.UPDATE_TO_CUSTOMER, text="Fixed on Friday"
    )
    body = client_for(councillor).get(f"/cases/{enquiry.reference}/").content.decode()
    assert "SECRET working" not in body
    assert "Internal note added" not in body
    assert "Wrong queue reason" not in body
    assert "Fixed on Friday" in body
    assert [entry.text for entry in queries.timeline_of(enquiry, viewer=councillor)] == [
        "Case raised and sent to Member enquiries",
        f"Update sent to {councillor.display_name} by e-mail",
    ]


@pytest.mark.parametrize("role", ["officer", "leader", "manager", "advisor", "auditor"])
def test_staff_who_may_view_cases_see_the_whole_timeline(
    world: World,
    enquiry: Case,
    advisor: User,
    auditor: User,
    client_for: ClientFor,
    role: str,
) -> None:
    people = {"officer": world.officer, "leader": world.leader, "manager": world.head}
    people.update({"advisor": advisor, "auditor": auditor})
    services.add_note(enquiry, by=world.officer, kind=NoteKind.INTERNAL, text="Staff working")
    body = client_for(people[role]).get(f"/cases/{enquiry.reference}/").content.decode()
    assert "Internal note added" in body
    assert "Staff working" in body


@pytest.mark.parametrize("role", [RoleCode.ADMINISTRATOR, RoleCode.PARTNER_ADVISOR])
def test_roles_that_may_not_view_cases_see_no_timeline_at_all(
    world: World, enquiry: Case, partner: object, client_for: ClientFor, role: str
) -> None:
    organisation = partner if role == RoleCode.PARTNER_ADVISOR else world.organisation
    person = core_factories.staff(organisation, role, username=f"someone.{role}")  # type: ignore[arg-type]
    services.add_note(enquiry, by=world.officer, kind=NoteKind.INTERNAL, text="Staff working")
    response = client_for(person).get(f"/cases/{enquiry.reference}/")
    assert response.status_code == (403 if role == RoleCode.ADMINISTRATOR else 404)
    assert "Staff working" not in response.content.decode()


@pytest.mark.parametrize(("method", "path", "data", "who"), PAGES, ids=IDS)
def test_a_councillor_gets_404_for_cases_not_theirs_and_403_for_staff_pages(
    world: World,
    councillor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    data: dict[str, str],
    who: str,
) -> None:
    case = factories.raise_case(world.organisation, by=world.officer)
    response = getattr(client_for(councillor), method)(path.replace("{ref}", case.reference), data)
    expected = 404 if "{ref}" in path else 200 if who == "councillor" or "new" in path else 403
    assert response.status_code == expected
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.NEW, 1)


@pytest.mark.parametrize(("method", "path", "data", "who"), PAGES, ids=IDS)
def test_a_councillor_may_only_look_at_their_own_enquiry(
    enquiry: Case,
    councillor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    data: dict[str, str],
    who: str,
) -> None:
    response = getattr(client_for(councillor), method)(
        path.replace("{ref}", enquiry.reference), data
    )
    allowed = method == "get" and path != "/queues/" and path != "/queues/export.csv"
    assert response.status_code == (200 if allowed else 403)
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.version) == (Status.NEW, 1)


# --- 3. updates to the customer ----------------------------------------------------------------
def test_an_update_on_a_case_with_no_customer_is_refused_and_nothing_is_recorded(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation)
    page = client_for(world.officer).get(f"/cases/{case.reference}/notes/").content.decode()
    assert "Nobody can be sent an update on this case" in page
    assert 'value="update-to-customer"' not in page
    response = client_for(world.officer).post(
        f"/cases/{case.reference}/notes/", {"note-kind": "update-to-customer", "note-text": "Hi"}
    )
    assert response.status_code == 400
    assert "This case has no customer, so there is nobody to send an update to" in (
        response.content.decode()
    )
    assert case.notes.count() == 0
    assert Message.objects.for_organisation(world.organisation).filter(event="update").count() == 0
    assert [entry.text for entry in queries.timeline_of(case)] == [
        "Case raised and sent to Collection crews"
    ]


def test_a_customer_without_an_address_of_any_kind_cannot_be_sent_an_update(
    world: World,
) -> None:
    customer = customer_factories.customer(world.organisation, "Sam", "Resident")
    case = factories.raise_case(world.organisation, customer=customer)
    with pytest.raises(ServiceError) as refused:
        services.add_note(case, by=world.officer, kind=NoteKind.UPDATE_TO_CUSTOMER, text="Hi")
    assert refused.value.code == "no_recipient"
    assert "Sam Resident has no e-mail address" in refused.value.message
    assert case.notes.count() == 0


def test_an_update_says_to_whom_and_by_which_channel_it_went(
    world: World, client_for: ClientFor
) -> None:
    customer = customer_factories.customer(
        world.organisation, "Sam", "Resident", email="sam@example.org", postcode="HP20 1UB"
    )
    case = factories.raise_case(world.organisation, customer=customer)
    page = client_for(world.officer).get(f"/cases/{case.reference}/notes/").content.decode()
    assert "Update to Sam Resident by e-mail: sam@example.org" in page
    response = client_for(world.officer).post(
        f"/cases/{case.reference}/notes/",
        {"note-kind": "update-to-customer", "note-text": "Crew booked"},
    )
    assert response.status_code == 302
    message = Message.objects.for_organisation(world.organisation).get(event="update")
    assert (message.recipient_kind, message.recipient_label, message.channel, message.address) == (
        "customer",
        "Sam Resident",
        "email",
        "sam@example.org",
    )
    assert queries.timeline_of(case)[-1].text == "Update sent to Sam Resident by e-mail"


def test_an_update_goes_by_letter_to_a_customer_who_prefers_letters(world: World) -> None:
    customer = customer_factories.customer(
        world.organisation, "Sam", "Resident", email="sam@example.org", postcode="HP20 1UB"
    )
    customer.preferred_channel = "letter"
    customer.save(update_fields=["preferred_channel"])
    case = factories.raise_case(world.organisation, customer=customer)
    recipient = queries.update_recipient(case)
    assert recipient is not None
    assert (recipient.channel, recipient.address) == (
        "letter",
        "1 High Street, Aylesbury, HP20 1UB",
    )


def test_a_councillor_without_an_email_is_told_on_their_enquiries_page(
    world: World, council: object
) -> None:
    member = core_factories.staff(world.organisation, RoleCode.COUNCILLOR, username="cllr.x")
    member.email = ""
    member.save(update_fields=["email"])
    case = factories.raise_case(
        world.organisation,
        "councillor-enquiry",
        by=member,
        title="Bins",
        constituent_name="Pat Jones",
        postcode="HP20 1UB",
    )
    services.add_note(case, by=world.officer, kind=NoteKind.UPDATE_TO_CUSTOMER, text="Done")
    message = Message.objects.for_organisation(world.organisation).get(event="update")
    assert (message.recipient_kind, message.recipient_user) == ("councillor", member)


# --- 4. a request raised is saved with its case ------------------------------------------------
def test_raising_the_case_completes_the_desks_contact_in_the_same_transaction(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    customer = customer_factories.customer(world.organisation, "Sam", "Resident")
    client = client_for(advisor)
    logged = client.post(
        f"/desk/customers/{customer.pk}/contacts/new/",
        {"outcome": "request-raised", "channel": "telephone", "direction": "in", "notes": "Bin"},
    )
    contact = Contact.objects.for_organisation(world.organisation).get()
    assert contact.outcome == "request-not-completed"
    refused = client.post(logged["Location"] + "&type=missed-bin", {"title": "Missed bin"})
    assert refused.status_code == 400
    contact.refresh_from_db()
    assert contact.outcome == "request-not-completed"
    raised = client.post(
        logged["Location"] + "&type=missed-bin", {"title": "Missed bin", "attribute_bin": "blue"}
    )
    assert raised.status_code == 302
    contact.refresh_from_db()
    case = Case.objects.for_organisation(world.organisation).get()
    assert (contact.outcome, case.contact, case.customer) == ("request-raised", contact, customer)


# --- 5. a customer shown to staff carries their warning -----------------------------------------
def test_the_case_page_shows_the_customers_warning_and_links_their_name(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    customer = customer_factories.customer(world.organisation, "Sam", "Resident")
    customer_factories.marker(customer)
    case = factories.raise_case(world.organisation, customer=customer)
    body = client_for(advisor).get(f"/cases/{case.reference}/").content.decode()
    assert body.count('data-testid="marker-banner"') == 1
    assert "See in pairs; do not visit alone" in body
    assert f'href="/customers/{customer.pk}/">Sam Resident</a>' in body


def test_the_api_refuses_an_update_with_nobody_to_send_it_to(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation)
    response = client_for(world.officer).post(
        f"/api/v1/cases/{case.reference}/notes",
        data=json.dumps({"kind": "update-to-customer", "text": "Hello"}),
        content_type="application/json",
    )
    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert response.json()["title"] == "no_recipient"
    assert case.notes.count() == 0

"""The customer page's full history: contacts, cases and messages to the customer, newest first,
paginated in SQL, scoped to the user's organisation and to what their role may see."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseKind, NoteKind
from onestop.cases.models import Outcome as CaseOutcome
from onestop.contacts import services as contact_services
from onestop.contacts.models import Contact
from onestop.core import services as core_services
from onestop.core import sources
from onestop.core.models import AuditAction, AuditRecord, Organisation, Role, RoleCode, User
from onestop.core.scoping import UnscopedQueryError
from onestop.customers import history
from onestop.customers.models import Customer
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.customers.conftest import People

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, tzinfo=UTC)


def _contact(customer: Customer, by: User, when: datetime.datetime, notes: str) -> Contact:
    with time_machine.travel(when, tick=False):
        return contact_services.log_contact(
            customer.organisation,
            by=by,
            customer=customer,
            values=contact_services.ContactInput(outcome="resolved", notes=notes, received_at=when),
        )


def _case(customer: Customer, when: datetime.datetime, title: str) -> Case:
    with time_machine.travel(when, tick=False):
        return case_services.raise_case(
            customer.organisation,
            by=None,
            case_type_code="missed-bin",
            title=title,
            customer=customer,
            received_at=when,
        )


@dataclass(frozen=True)
class Story:
    jane: Customer
    first_call: Contact
    open_case: Case
    second_call: Contact
    closed_case: Case


@pytest.fixture
def story(people: People, council: Organisation, advisor: User) -> Story:
    """Jane's fortnight: a call, a case (acknowledged), another call, an update, a closed case;
    John has a case of his own and the partner's Jane Smith a call of hers."""
    case_factories.standards(council)
    waste = case_factories.service(council, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    case_factories.case_type(
        council, "missed-bin", kind=CaseKind.SERVICE_REQUEST, service=waste, team=crews
    )
    jane = people.jane
    first_call = _contact(jane, advisor, at(2, 9), "Bin not emptied")
    open_case = _case(jane, at(3, 10), "Missed blue bin")  # and its acknowledgement
    second_call = _contact(jane, advisor, at(4, 11), "Chasing the bin")
    with time_machine.travel(at(5, 12), tick=False):
        case_services.add_note(
            open_case, by=None, kind=NoteKind.UPDATE_TO_CUSTOMER, text="Crew booked for Friday"
        )
        case_services.add_note(open_case, by=None, kind=NoteKind.INTERNAL, text="Internal only")
    closed_case = _case(jane, at(6, 13), "Damaged green bin")
    with time_machine.travel(at(7, 14), tick=False):
        case_services.close_case(
            closed_case, by=None, outcome=CaseOutcome.RESOLVED, resolution="Replaced"
        )
    _case(people.john, at(8, 15), "John's bin")
    partner_advisor = core_factories.staff(
        people.outsider.organisation, RoleCode.PARTNER_ADVISOR, username="partner.caller"
    )
    _contact(people.outsider, partner_advisor, at(9, 16), "Partner's own call")
    return Story(jane, first_call, open_case, second_call, closed_case)


def _lines(page: Any) -> list[tuple[str, str, datetime.datetime]]:
    return [(entry.kind, entry.title, entry.at) for entry in page.object_list]


JANE_NEWEST_FIRST = [
    ("case", "Damaged green bin", at(6, 13)),
    ("message", "Acknowledgement", at(6, 13)),
    ("message", "Update to the customer", at(5, 12)),
    ("contact", "Telephone, from the customer", at(4, 11)),
    ("case", "Missed blue bin", at(3, 10)),
    ("message", "Acknowledgement", at(3, 10)),
    ("contact", "Telephone, from the customer", at(2, 9)),
]


# --- what is in it, and in what order -------------------------------------------------------------
def test_every_contact_case_and_message_to_the_customer_newest_first(
    story: Story, advisor: User
) -> None:
    page = history.history_of(advisor, story.jane)
    assert _lines(page) == JANE_NEWEST_FIRST
    assert page.paginator.count == 7


def test_a_closed_case_shows_its_outcome_and_an_open_one_its_deadline(
    story: Story, advisor: User
) -> None:
    entries = {
        entry.reference: entry
        for entry in history.history_of(advisor, story.jane)
        if entry.kind == "case"
    }
    closed = entries[story.closed_case.reference]
    still_open = entries[story.open_case.reference]
    assert (closed.status_label, closed.due_at) == ("Closed: Resolved", None)
    assert still_open.status_label == "New"
    assert still_open.due_at == Case.objects.for_user(advisor).get(pk=story.open_case.pk).due_at
    assert still_open.url == f"/cases/{story.open_case.reference}/"


def test_messages_are_the_ones_to_the_customer_and_internal_notes_are_not_shown(
    story: Story, advisor: User
) -> None:
    details = [entry.detail for entry in history.history_of(advisor, story.jane)]
    assert any("Crew booked for Friday" in detail for detail in details)
    assert not any("Internal only" in detail for detail in details)


@pytest.mark.parametrize(
    ("page_size", "number", "expected"),
    [
        (3, 1, JANE_NEWEST_FIRST[:3]),
        (3, 2, JANE_NEWEST_FIRST[3:6]),
        (3, 3, JANE_NEWEST_FIRST[6:]),
        (3, 4, JANE_NEWEST_FIRST[6:]),  # past the end: the last page
        (7, 1, JANE_NEWEST_FIRST),
        (7, 2, JANE_NEWEST_FIRST),  # exactly one full page: page 2 is page 1
        (6, 2, JANE_NEWEST_FIRST[6:]),
    ],
)
def test_pages_split_the_history_at_their_boundaries(
    story: Story, advisor: User, page_size: int, number: int, expected: list[Any]
) -> None:
    page = history.history_of(advisor, story.jane, number, page_size=page_size)
    assert _lines(page) == expected


def test_a_customer_with_no_history_has_an_empty_first_page(
    people: People, advisor: User, client_for: ClientFor
) -> None:
    page = history.history_of(advisor, people.ahmed)
    assert (page.number, page.paginator.count, list(page.object_list)) == (1, 0, [])
    response = client_for(advisor).get(f"/customers/{people.ahmed.pk}/")
    assert "No contacts, cases or messages yet." in response.content.decode()
    assert "govuk-pagination" not in response.content.decode()


# --- who sees what --------------------------------------------------------------------------------
def test_another_organisations_user_gets_nothing_even_holding_the_customer(
    story: Story, partner_advisor: User
) -> None:
    page = history.history_of(partner_advisor, story.jane)
    assert (page.paginator.count, list(page.object_list)) == (0, [])


def test_the_partner_sees_only_its_own_customers_history(
    story: Story, people: People, partner_advisor: User
) -> None:
    page = history.history_of(partner_advisor, people.outsider)
    assert [entry.detail for entry in page] == ["Partner's own call"]


def _with_actions(council: Organisation, username: str, actions: set[str]) -> User:
    role = Role.objects.get(organisation=council, code=RoleCode.BACK_OFFICE_OFFICER)
    administrator = core_factories.staff(council, RoleCode.ADMINISTRATOR, username="roles.admin")
    core_services.set_role_actions(role, by=administrator, actions=sorted(actions))
    return core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username=username)


def test_a_role_without_contact_view_sees_cases_and_messages_only(
    story: Story, council: Organisation
) -> None:
    user = _with_actions(council, "no.contacts", {"customer.view", "case.view"})
    kinds = [kind for kind, _title, _at in _lines(history.history_of(user, story.jane))]
    assert kinds == ["case", "message", "message", "case", "message"]


def test_a_role_without_case_view_sees_contacts_only(story: Story, council: Organisation) -> None:
    user = _with_actions(council, "no.cases", {"customer.view", "contact.view"})
    lines = _lines(history.history_of(user, story.jane))
    assert [kind for kind, _title, _at in lines] == ["contact", "contact"]


def test_a_role_seeing_none_of_it_gets_an_empty_history(
    story: Story, council: Organisation
) -> None:
    user = _with_actions(council, "nothing.much", {"customer.view"})
    assert history.history_of(user, story.jane).paginator.count == 0


def test_a_source_that_forgets_the_organisation_is_refused(story: Story, advisor: User) -> None:
    unpinned = sources.HistorySource(
        "contact",
        lambda user, customer: sources.history_rows(
            Contact.objects.get_queryset().filter(customer=customer), "contact", "received_at"
        ),
        lambda user, ids: {},
    )
    with pytest.raises(UnscopedQueryError):
        history.history_of(advisor, story.jane, sources=[unpinned])


# --- the page -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [("advisor", 200), ("auditor", 200), ("administrator", 403), ("partner_advisor", 404)],
)
def test_customer_page_permission_matrix(
    story: Story, client_for: ClientFor, request: pytest.FixtureRequest, who: str, status: int
) -> None:
    user: User = request.getfixturevalue(who)
    response = client_for(user).get(f"/customers/{story.jane.pk}/")
    assert response.status_code == status
    body = response.content.decode()
    assert ("Missed blue bin" in body) is (status == 200)
    assert ("Crew booked for Friday" in body) is (status == 200)


def test_an_anonymous_visitor_is_sent_to_sign_in(story: Story) -> None:
    response = Client().get(f"/customers/{story.jane.pk}/")
    assert (response.status_code, response["Location"].startswith("/sign-in/")) == (302, True)


def test_the_page_shows_the_history_in_a_captioned_table_and_is_audited(
    story: Story, client_for: ClientFor, advisor: User
) -> None:
    before = AuditRecord.objects.for_user(advisor).filter(action=AuditAction.VIEWED).count()
    body = client_for(advisor).get(f"/customers/{story.jane.pk}/").content.decode()
    assert "7 contacts, cases and messages, newest first" in body
    assert body.index("Damaged green bin") < body.index("Crew booked") < body.index("Chasing")
    assert f'href="/cases/{story.closed_case.reference}/"' in body
    viewed = AuditRecord.objects.for_user(advisor).filter(
        action=AuditAction.VIEWED, object_type="customers.customer", object_id=str(story.jane.pk)
    )
    assert viewed.count() == 1
    assert AuditRecord.objects.for_user(advisor).filter(action=AuditAction.VIEWED).count() > before


def _many_contacts(customer: Customer, by: User, count: int) -> None:
    for number in range(count):
        _contact(customer, by, at(10, 0) + datetime.timedelta(minutes=number), f"call {number}")


def test_page_two_and_the_pagination_links(
    story: Story, client_for: ClientFor, advisor: User
) -> None:
    _many_contacts(story.jane, advisor, 20)  # 27 in all: 25 on page 1, 2 on page 2
    client = client_for(advisor)
    first = client.get(f"/customers/{story.jane.pk}/")
    second = client.get(f"/customers/{story.jane.pk}/?page=2")
    assert [len(first.context["history"]), len(second.context["history"])] == [25, 2]
    assert _lines(second.context["history"]) == JANE_NEWEST_FIRST[5:]
    body = first.content.decode()
    assert 'aria-current="page">1</a>' in body
    assert 'href="?page=2#history" rel="next"' in body
    assert 'rel="prev"' not in body
    assert 'href="?page=1#history" rel="prev"' in second.content.decode()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("abc", 1),
        ("-1", 1),
        ("0", 1),
        ("1.5", 1),
        ("²", 1),
        ("٣", 1),
        ("", 1),
        ("%00", 1),
        ("2", 2),
        ("3", 2),
        ("99999999999999999999", 2),
        ("9" * 5000, 2),
    ],
)
def test_hostile_and_out_of_range_page_numbers(
    story: Story, client_for: ClientFor, advisor: User, given: str, expected: int
) -> None:
    _many_contacts(story.jane, advisor, 20)
    response = client_for(advisor).get(f"/customers/{story.jane.pk}/", {"page": given})
    assert response.status_code == 200
    assert response.context["history"].number == expected


def test_hostile_text_in_the_history_is_escaped(
    story: Story, client_for: ClientFor, advisor: User
) -> None:
    _contact(story.jane, advisor, at(20, 9), "<script>alert(1)</script>")
    body = client_for(advisor).get(f"/customers/{story.jane.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_long_notes_are_shortened_on_the_page(
    story: Story, client_for: ClientFor, advisor: User
) -> None:
    _contact(story.jane, advisor, at(20, 9), "word " * 100)
    entry = history.history_of(advisor, story.jane).object_list[0]
    assert (len(entry.detail), entry.detail[-1]) == (200, "…")


def test_the_history_costs_the_same_number_of_queries_however_long_it_is(
    story: Story, client_for: ClientFor, advisor: User
) -> None:
    client = client_for(advisor)
    url = f"/customers/{story.jane.pk}/?page=99"  # the last page: contacts, cases and messages
    _many_contacts(story.jane, advisor, 25)
    client.get(url)  # the session's first renewal (at most once a minute) is not the history's
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    _many_contacts(story.jane, advisor, 40)
    with CaptureQueriesContext(connection) as long:
        client.get(url)
    assert len(long.captured_queries) == len(short.captured_queries)
    assert (short.captured_queries != [], len(long.captured_queries) < 40) == (True, True)
    unions = [query["sql"] for query in long.captured_queries if "UNION ALL" in query["sql"]]
    assert len(unions) == 2  # the count and the page, LIMIT in SQL
    assert any("LIMIT 22 OFFSET 50" in sql for sql in unions)  # 72 entries, page 3

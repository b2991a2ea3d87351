"""Logging contacts, promised call-backs due by the clock, repeat contacts, the visitor queue."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onestop.contacts import queries, services
from onestop.contacts.errors import ContactError
from onestop.contacts.models import Callback, Contact
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.customers.errors import CustomerError
from onestop.directory.models import AccessPoint
from tests.customers.conftest import People

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
FRIDAY_MORNING = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=LONDON)


def _count(organisation: Organisation) -> tuple[int, int]:
    return (
        Contact.objects.for_organisation(organisation).count(),
        Callback.objects.for_organisation(organisation).count(),
    )


def test_a_contact_resolved_at_first_contact_is_logged_and_audited(
    council: Organisation, people: People, advisor: User
) -> None:
    contact = services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(outcome="resolved", notes="Explained bin day"),
    )
    entry = (
        AuditRecord.objects.for_organisation(council).filter(object_type="contacts.contact").get()
    )
    assert (contact.staff, contact.outcome, contact.is_repeat) == (advisor, "resolved", False)
    assert (entry.action, entry.changes["customer"]) == (AuditAction.CREATED, people.jane.pk)


@time_machine.travel(FRIDAY_MORNING, tick=False)
def test_a_promised_call_back_is_due_by_the_call_back_standard_on_the_advisors_list(
    council: Organisation, people: People, advisor: User, standards: None
) -> None:
    contact = services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(
            outcome="callback-promised", callback_phone="07700 900123", notes="Bin query"
        ),
    )
    [callback] = list(queries.callbacks_for(advisor))
    assert callback.contact == contact
    assert callback.standard is not None
    assert callback.standard.code == "call-back"
    assert callback.phone == "+447700900123"
    assert callback.due_at.astimezone(LONDON) == datetime.datetime(
        2026, 11, 30, 23, 59, 59, tzinfo=LONDON
    )


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"channel": "pigeon"}, ContactError.INVALID_CHOICE, "channel"),
        ({"outcome": "shrugged"}, ContactError.INVALID_CHOICE, "outcome"),
        ({"outcome": "callback-promised"}, ContactError.CALLBACK_NEEDS_PHONE, "callback_phone"),
        (
            {"outcome": "callback-promised", "callback_phone": "999"},
            CustomerError.INVALID_PHONE,
            "callback_phone",
        ),
        ({"notes": "x" * 5001}, ContactError.TOO_LONG, "notes"),
        (
            {"received_at": datetime.datetime(2030, 1, 1, tzinfo=LONDON)},
            ContactError.IN_THE_FUTURE,
            "received_at",
        ),
        (
            {
                "received_at": datetime.datetime(2026, 11, 27, 10, 0, tzinfo=LONDON),
                "answered_at": datetime.datetime(2026, 11, 27, 9, 0, tzinfo=LONDON),
            },
            ContactError.TIMES_OUT_OF_ORDER,
            "answered_at",
        ),
        (
            {
                "received_at": datetime.datetime(2026, 11, 27, 10, 0, tzinfo=LONDON),
                "ended_at": datetime.datetime(2026, 11, 27, 9, 59, tzinfo=LONDON),
            },
            ContactError.TIMES_OUT_OF_ORDER,
            "ended_at",
        ),
    ],
)
@time_machine.travel(FRIDAY_MORNING + datetime.timedelta(hours=1), tick=False)
def test_bad_contacts_are_refused_and_nothing_is_saved(
    council: Organisation,
    people: People,
    advisor: User,
    values: dict[str, object],
    code: str,
    field: str,
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.log_contact(
            council,
            by=advisor,
            customer=people.jane,
            values=services.ContactInput(**values),  # type: ignore[arg-type]
        )
    assert (refused.value.code, refused.value.field) == (code, field)
    assert _count(council) == (0, 0)


def test_another_organisations_customer_is_refused(
    council: Organisation, people: People, advisor: User
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.log_contact(
            council, by=advisor, customer=people.outsider, values=services.ContactInput()
        )
    assert refused.value.code == ContactError.WRONG_ORGANISATION
    assert _count(council) == (0, 0)


def test_a_contact_chasing_an_earlier_one_counts_as_a_repeat(
    council: Organisation, people: People, advisor: User
) -> None:
    first = services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(outcome="request-raised", notes="Missed bin"),
    )
    chasing = services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(outcome="resolved", repeat_of=first, notes="Chasing"),
    )
    about = services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(about_reference="sr-26-4k7q9", notes="Chasing"),
    )
    panel = queries.desk_panel(advisor, people.jane)
    assert (chasing.is_repeat, about.about_reference, panel.repeat_count, panel.contact_count) == (
        True,
        "SR-26-4K7Q9",
        2,
        3,
    )
    assert queries.repeatable_contacts(advisor, people.jane) == [about, first]


def test_a_stale_contact_update_is_refused(
    council: Organisation, people: People, advisor: User
) -> None:
    contact = services.log_contact(
        council, by=advisor, customer=None, values=services.ContactInput(notes="Enquiry")
    )
    services.update_contact(
        contact, by=advisor, version=1, ended_at=None, outcome="signposted", notes="A"
    )
    with pytest.raises(ServiceError) as refused:
        services.update_contact(
            contact, by=advisor, version=1, ended_at=None, outcome="resolved", notes="B"
        )
    contact.refresh_from_db()
    assert (refused.value.code, contact.outcome, contact.notes) == (
        ContactError.STALE_VERSION,
        "signposted",
        "A",
    )


def test_visitors_seen_within_fifteen_minutes_are_measured_from_real_times(
    council: Organisation, advisor: User, office: AccessPoint, standards: None
) -> None:
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        quick = services.issue_ticket(council, by=advisor, access_point=office)
        slow = services.issue_ticket(council, by=advisor, access_point=office)
        left = services.issue_ticket(council, by=advisor, access_point=office)
    with time_machine.travel(FRIDAY_MORNING + datetime.timedelta(minutes=10), tick=False):
        services.see_visitor(quick, by=advisor)
    with time_machine.travel(FRIDAY_MORNING + datetime.timedelta(minutes=16), tick=False):
        services.see_visitor(slow, by=advisor)
        services.visitor_left(left, by=advisor)
        measure = queries.visitors_seen_in_time(advisor, office, FRIDAY_MORNING.date())
        waiting = list(queries.queue_at(advisor, office))
    assert [quick.ticket, slow.ticket, left.ticket] == ["A001", "A002", "A003"]
    assert quick.due_at == FRIDAY_MORNING + datetime.timedelta(minutes=15)
    assert quick.standard is not None
    assert quick.standard.code == "see-visitors"
    assert (measure.seen, measure.seen_in_time, measure.percent, waiting) == (2, 1, 50, [])
    with pytest.raises(ServiceError):
        services.see_visitor(quick, by=advisor)


def test_a_call_back_is_made_once(council: Organisation, people: People, advisor: User) -> None:
    services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=services.ContactInput(
            outcome="callback-promised", callback_phone="01296 585858", notes="Tax"
        ),
    )
    callback = Callback.objects.for_organisation(council).get()
    services.complete_callback(callback, by=advisor)
    assert list(queries.callbacks_for(advisor)) == []
    with pytest.raises(ServiceError):
        services.complete_callback(callback, by=advisor)


def test_reasons_are_configured_per_service(council: Organisation, advisor: User) -> None:
    from tests.directory import factories as directory_factories

    waste = directory_factories.service(council, "Waste")
    tax = directory_factories.service(council, "Council Tax")
    services.add_reason(council, by=None, label="Missed bin", service=waste)
    services.add_reason(council, by=None, label="Payment", service=tax)
    services.add_reason(council, by=None, label="General enquiry")
    services.add_reason(council, by=None, label="General enquiry")
    assert [reason.label for reason in queries.reasons_for(advisor, waste)] == [
        "General enquiry",
        "Missed bin",
    ]

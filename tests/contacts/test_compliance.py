"""Call-backs and visitors in the compliance figures (``standards.measures``): exact figures for
March and April 2026 from records made through the contacts' own services, with the edges (a
call-back made 30 seconds after midnight, one made at 00:30 BST, a visitor arriving before
midnight and due after it, a visitor who left before and one after the deadline, open and not yet
due, the partner's own call-back, the team and channel filters) and the records behind a figure.

British Summer Time starts on Sunday 29 March 2026; Good Friday is 3 April.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onestop.contacts import services
from onestop.contacts.models import Callback, VisitorTicket
from onestop.core.models import Organisation, User
from onestop.core.reporting import month_of
from onestop.directory.models import AccessPoint, Service, Team
from onestop.performance.queries import compliance
from onestop.standards import measures
from tests.cases import factories as case_factories

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=LONDON)
MARCH = month_of(datetime.date(2026, 3, 1))
APRIL = month_of(datetime.date(2026, 4, 1))


def at(
    day: int, month: int = 3, hour: int = 10, minute: int = 0, second: int = 0
) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=LONDON)


def _callback(
    organisation: Organisation, by: User, when: datetime.datetime, service: Service | None
) -> Callback:
    with time_machine.travel(when, tick=False):
        contact = services.log_contact(
            organisation,
            by=by,
            customer=None,
            values=services.ContactInput(
                service=service,
                outcome="callback-promised",
                callback_phone="07700 900123",
                notes="Bin query",
            ),
        )
    found: Callback = Callback.objects.for_organisation(organisation).get(contact=contact)
    return found


def _made(callback: Callback, by: User, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        services.complete_callback(callback, by=by)


def _visitor(
    organisation: Organisation, office: AccessPoint, when: datetime.datetime
) -> VisitorTicket:
    with time_machine.travel(when, tick=False):
        return services.issue_ticket(organisation, by=None, access_point=office)


def _seen(ticket: VisitorTicket, by: User, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        services.see_visitor(ticket, by=by)


def _left(ticket: VisitorTicket, by: User, when: datetime.datetime) -> None:
    with time_machine.travel(when, tick=False):
        services.visitor_left(ticket, by=by)


@pytest.fixture
def waste(council: Organisation) -> Service:
    return case_factories.service(council, "Waste and Recycling")


@pytest.fixture
def story(
    council: Organisation,
    partner: Organisation,
    standards: None,
    office: AccessPoint,
    advisor: User,
    partner_advisor: User,
    waste: Service,
) -> dict[str, Callback | VisitorTicket]:
    made: dict[str, Callback | VisitorTicket] = {}
    # Call-backs: 1 working day, due at the end of the next working day.
    made["met"] = cb1 = _callback(council, advisor, at(2), waste)
    _made(cb1, advisor, at(3, hour=12))
    made["late"] = cb2 = _callback(council, advisor, at(2, hour=11), waste)
    _made(cb2, advisor, at(4, hour=9))
    made["never"] = _callback(council, advisor, at(2, hour=12), None)
    made["after midnight"] = cb6 = _callback(council, advisor, at(30), waste)
    _made(cb6, advisor, at(1, 4, hour=0, second=30))
    made["april"] = cb4 = _callback(council, advisor, at(31), waste)
    _made(cb4, advisor, at(1, 4, hour=0, minute=30))
    made["not yet due"] = _callback(council, advisor, at(9, 4), waste)
    made["partner's"] = _callback(partner, partner_advisor, at(2), None)
    # Visitors: 15 minutes.
    made["seen"] = v1 = _visitor(council, office, at(2))
    _seen(v1, advisor, at(2, minute=10))
    made["seen late"] = v2 = _visitor(council, office, at(2, minute=1))
    _seen(v2, advisor, at(2, minute=20))
    made["left early"] = v3 = _visitor(council, office, at(2, minute=2))
    _left(v3, advisor, at(2, minute=5))
    made["left late"] = v4 = _visitor(council, office, at(2, minute=3))
    _left(v4, advisor, at(2, minute=30))
    made["before midnight"] = v5 = _visitor(council, office, at(31, hour=23, minute=50))
    _seen(v5, advisor, at(1, 4, hour=0, minute=10))
    made["still waiting"] = _visitor(council, office, at(28, hour=23, minute=55))
    made["just arrived"] = _visitor(council, office, at(10, 4, hour=11, minute=55))
    return made


def _figures(
    organisation: Organisation, period: object, filters: compliance.Filters | None = None
) -> dict[tuple[str, str], tuple[object, ...]]:
    rows = compliance.compliance(organisation, period, now=NOW, filters=filters)  # type: ignore[arg-type]
    return {
        (row.code, row.service_name or "all"): (
            row.counts.measured,
            row.counts.met,
            row.counts.missed,
            row.counts.overdue,
            row.counts.not_yet_due,
            row.counts.compliance,
        )
        for row in rows
        if row.code in ("call-back", "see-visitors")
    }


def test_the_deadlines_are_the_clocks(story: dict[str, Callback | VisitorTicket]) -> None:
    assert story["met"].due_at == at(3, hour=23, minute=59, second=59)
    assert story["after midnight"].due_at == at(31, hour=23, minute=59, second=59)
    assert story["before midnight"].due_at == at(1, 4, hour=0, minute=5)
    assert story["still waiting"].due_at == at(29, hour=0, minute=10)


def test_march_counts_each_call_back_and_visitor_where_its_result_was_decided(
    council: Organisation, story: dict[str, Callback | VisitorTicket]
) -> None:
    figures = _figures(council, MARCH)
    # Made by the deadline; made late (the day after, and 30 seconds after midnight); never made.
    assert figures[("call-back", "Waste and Recycling")] == (3, 1, 2, 0, 0, Decimal("0.3333"))
    # The call-back promised on a contact with no service counts only for the whole council.
    assert figures[("call-back", "all")] == (4, 1, 2, 1, 0, Decimal("0.2500"))
    # Seen in time; seen late; left after the deadline; still waiting since Saturday night.  The
    # visitor who left after 3 minutes is not measured; the one arriving at 23:50 on 31 March is
    # due at 00:05 on 1 April, and counts in April.
    assert figures[("see-visitors", "all")] == (4, 1, 2, 1, 0, Decimal("0.2500"))
    assert ("see-visitors", "Waste and Recycling") not in figures


def test_april_has_the_call_back_made_at_half_past_midnight_and_the_visitor_due_after_it(
    council: Organisation, story: dict[str, Callback | VisitorTicket]
) -> None:
    figures = _figures(council, APRIL)
    assert figures[("call-back", "all")] == (2, 1, 0, 0, 1, Decimal("1.0000"))
    assert figures[("see-visitors", "all")] == (2, 0, 1, 0, 1, Decimal("0.0000"))


def test_the_partner_sees_only_its_own_call_back(
    partner: Organisation, story: dict[str, Callback | VisitorTicket]
) -> None:
    # No call-back standard of its own: the clock's default (1 working day), under its code.
    assert _figures(partner, MARCH) == {("call-back", "all"): (1, 0, 0, 1, 0, Decimal("0.0000"))}


def test_the_filters_narrow_both_sources(
    council: Organisation,
    story: dict[str, Callback | VisitorTicket],
    office: AccessPoint,
    waste: Service,
) -> None:
    crews: Team = case_factories.team(waste, "Collection crews")
    assert _figures(council, MARCH, compliance.Filters(team=crews)) == {
        ("call-back", "all"): (0, 0, 0, 0, 0, None),
        ("see-visitors", "all"): (0, 0, 0, 0, 0, None),
    }
    face_to_face = _figures(council, MARCH, compliance.Filters(channel="face-to-face"))
    assert face_to_face[("see-visitors", "all")] == (4, 1, 2, 1, 0, Decimal("0.2500"))
    assert face_to_face[("call-back", "all")][:5] == (0, 0, 0, 0, 0)
    by_office = _figures(council, MARCH, compliance.Filters(access_point=office))
    assert by_office[("see-visitors", "all")][:5] == (4, 1, 2, 1, 0)
    by_service = _figures(council, MARCH, compliance.Filters(service=waste))
    assert by_service[("call-back", "all")][:5] == (3, 1, 2, 0, 0)
    assert by_service[("see-visitors", "all")][:5] == (0, 0, 0, 0, 0)


def test_the_records_behind_a_figure(
    council: Organisation, story: dict[str, Callback | VisitorTicket], waste: Service
) -> None:
    missed = compliance.records_behind(
        council, MARCH, now=NOW, pick=measures.Pick("missed", "call-back")
    )
    assert missed.counted == 2
    assert [(row.reference, row.state) for row in missed.records] == [
        (f"Call-back {story['after midnight'].pk}", "Done late"),
        (f"Call-back {story['late'].pk}", "Done late"),
    ]
    visitors = compliance.records_behind(
        council, MARCH, now=NOW, pick=measures.Pick("missed", "see-visitors")
    )
    assert [(row.reference, row.state) for row in visitors.records] == [
        ("Ticket A004 at Aylesbury One-Stop Shop", "Ended after its deadline without being done"),
        ("Ticket A002 at Aylesbury One-Stop Shop", "Done late"),
    ]
    waste_only = compliance.records_behind(
        council,
        MARCH,
        now=NOW,
        pick=measures.Pick("measured", "call-back", waste.pk),
    )
    assert waste_only.counted == 3
    overdue = compliance.records_behind(
        council, MARCH, now=NOW, pick=measures.Pick("overdue", limit=1)
    )
    assert overdue.counted == 2
    assert len(overdue.records) == 1

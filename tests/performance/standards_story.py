"""A March and April 2026 of missed-bin cases with every edge the compliance figures must get
right, made through the cases' own services at the times they happened.

Each missed-bin case starts two clocks: ``answer-letters`` (10 working days) and
``acknowledge-email`` (1 working day), each due at 23:59:59 London time on its last day.
British Summer Time starts on 29 March 2026; Good Friday is 3 April, Easter Monday 6 April.

====  =====================================================================================
case  story
====  =====================================================================================
A     raised Mon 2 Mar 10:00, closed Tue 3 Mar 12:00 (both met in March); officer
B     raised 2 Mar, closed Fri 20 Mar (both missed in March); officer
C     raised 2 Mar, still open (both overdue, deadlines in March); other officer
D     raised Wed 25 Mar, still open (acknowledgement overdue in March; answer due 10 Apr)
E     raised Tue 31 Mar 10:00, closed at 00:30 BST on 1 Apr (both met in April, not March)
F     raised 2 Mar, waiting for the customer from Tue 3 Mar 09:00 (paused: not yet due)
G     raised 2 Mar, closed 10 Mar, reopened 1 Apr 10:00 (measured by the new run, in April)
H     raised 2 Mar; the council closes on 10 Mar (added 4 Mar, the sweep moves the answer to
      17 Mar); closed 17 Mar 12:00 (answer met, acknowledgement missed)
P     at the partner organisation, raised 2 Mar, still open (never in the council's figures)
====  =====================================================================================
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import time_machine

from onestop.cases import services
from onestop.cases.models import Case
from onestop.core.models import Organisation, RoleCode
from onestop.standards import services as standards_services
from tests import factories as core_factories
from tests.cases import factories
from tests.cases.conftest import World

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=LONDON)


def at(day: int, month: int = 3, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@dataclass
class Story:
    cases: dict[str, Case]


def _raise(world: World, when: datetime.datetime) -> Case:
    with time_machine.travel(when, tick=False):
        return factories.raise_case(world.organisation, by=world.leader)


def _close(case: Case, when: datetime.datetime) -> Case:
    with time_machine.travel(when, tick=False):
        case.refresh_from_db()
        return services.close_case(case, by=None, outcome="resolved", resolution="Done")


def _assign(world: World, case: Case, officer_id: int) -> None:
    officer = world.officer if officer_id == world.officer.pk else world.other_officer
    with time_machine.travel(case.received_at + datetime.timedelta(minutes=5), tick=False):
        case.refresh_from_db()
        services.assign_case(case, by=world.leader, assignee=officer)


def tell(world: World, partner: Organisation | None = None) -> Story:
    made: dict[str, Case] = {}
    made["A"] = _raise(world, at(2))
    _assign(world, made["A"], world.officer.pk)
    made["B"] = _raise(world, at(2, hour=11))
    _assign(world, made["B"], world.officer.pk)
    made["C"] = _raise(world, at(2, hour=12))
    _assign(world, made["C"], world.other_officer.pk)
    made["F"] = _raise(world, at(2, hour=13))
    made["G"] = _raise(world, at(2, hour=14))
    made["H"] = _raise(world, at(2, hour=15))
    _close(made["A"], at(3, hour=12))
    with time_machine.travel(at(3, hour=9), tick=False):
        made["F"].refresh_from_db()
        services.change_status(made["F"], by=world.leader, status="in-progress")
        services.change_status(made["F"], by=world.leader, status="waiting-for-customer")
    with time_machine.travel(at(4, hour=9), tick=False):
        standards_services.add_closure_day(
            world.organisation, by=None, day=datetime.date(2026, 3, 10), reason="Flood"
        )
        services.escalate_due_cases()
    _close(made["G"], at(10))
    _close(made["H"], at(17, hour=12))
    _close(made["B"], at(20))
    made["D"] = _raise(world, at(25))
    made["E"] = _raise(world, at(31))
    _close(made["E"], at(1, 4, hour=0, minute=30))
    with time_machine.travel(at(1, 4), tick=False):
        made["G"].refresh_from_db()
        services.reopen_case(made["G"], by=world.leader, reason="Bin still not emptied")
    if partner is not None:
        factories.standards(partner)
        waste = factories.service(partner, "Grounds")
        crew = factories.team(waste, "Grounds crew")
        factories.case_type(
            partner, "missed-bin", kind=factories.KINDS.SERVICE_REQUEST, service=waste,
            team=crew, standards=("answer-letters", "acknowledge-email"),
        )  # fmt: skip
        core_factories.staff(partner, RoleCode.TEAM_LEADER, username="partner.leader")
        with time_machine.travel(at(2), tick=False):
            made["P"] = factories.raise_case(partner, attributes={})
    return Story(made)

"""The demo councils' case types, routing and a few dozen cases in every state.

Call after the directory, standards and customers demos (``onestop demo``).  Idempotent: types
are saved by code, missing services and teams are added, and cases are only created when the
organisation has none yet.

Every team gets work due later, work at risk (past its type's warning, 75% of the time used)
and overdue work, worked out against the real clock when the demo is loaded (a case "at risk"
on a Monday morning was received on a different day from one at risk on a Thursday).  Each
case is raised at the time it was received and moved on at the times that follow, as steps
played by ``core.replay``, so its timeline, clocks, messages and audit records tell the same
story.  Everything here is for demonstration only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from onestop.cases import deadlines, services
from onestop.cases.models import (
    Case,
    CaseKind,
    CaseType,
    EscalationAction,
    NoteKind,
    Outcome,
    Status,
)
from onestop.core import replay
from onestop.core.models import Organisation, User
from onestop.customers.models import Customer
from onestop.directory import services as directory_services
from onestop.directory.models import Service, Team, TeamMembership
from onestop.directory.services import sign_in_name
from onestop.standards import clock
from onestop.standards.models import Standard

ESCALATION = (
    (75, EscalationAction.NOTIFY_ASSIGNEE),
    (100, EscalationAction.NOTIFY_TEAM_LEADER),
    (150, EscalationAction.NOTIFY_HEAD_OF_SERVICE),
)
BIN = [
    {
        "code": "bin",
        "label": "Which bin",
        "kind": "choice",
        "required": True,
        "choices": ["Blue (recycling)", "Green (garden)", "Black (general)"],
    },
    # A missed collection has happened: today or in the past.
    {
        "code": "collection-day",
        "label": "Collection day",
        "kind": "date",
        "required": False,
        "dates": "past",
    },
]
FLY_TIPPING = [
    {"code": "where", "label": "Where is it", "kind": "location", "required": True},
    {
        "code": "what",
        "label": "What has been dumped",
        "kind": "multiple-choice",
        "required": True,
        "choices": ["Household rubbish", "Furniture", "Building waste", "Tyres", "Asbestos"],
    },
    {"code": "bags", "label": "Roughly how many bags", "kind": "number", "required": False},
]
POTHOLE = [
    {"code": "where", "label": "Where is it", "kind": "location", "required": True},
    {"code": "depth", "label": "Depth in centimetres", "kind": "number", "required": False},
]
NOISE = [
    {
        "code": "source",
        "label": "Source of the noise",
        "kind": "choice",
        "required": True,
        "choices": ["Music", "Dog barking", "Alarm", "Construction", "Other"],
    },
    {"code": "when", "label": "When does it happen", "kind": "text", "required": False},
]
REPAIR = [
    {"code": "where", "label": "Which room", "kind": "text", "required": True},
    {
        "code": "what",
        "label": "What needs repairing",
        "kind": "choice",
        "required": True,
        "choices": ["Heating or hot water", "Leak", "Electrics", "Doors or windows", "Other"],
    },
]
# code, name, kind, service, team, standards (the first is the queue's deadline), questions
TypeRow = tuple[str, str, str, str, str, tuple[str, ...], list[dict[str, Any]]]
TYPES: tuple[TypeRow, ...] = (
    ("missed-bin", "Missed bin collection", CaseKind.SERVICE_REQUEST, "Waste and Recycling",
     "Collection crews", ("collect-missed-bin",), BIN),
    ("fly-tipping", "Fly-tipping", CaseKind.SERVICE_REQUEST, "Waste and Recycling",
     "Street cleansing", ("remove-fly-tipping",), FLY_TIPPING),
    ("pothole", "Pothole", CaseKind.SERVICE_REQUEST, "Highways", "Highways inspectors",
     ("inspect-pothole",), POTHOLE),
    ("dangerous-pothole", "Dangerous pothole", CaseKind.SERVICE_REQUEST, "Highways",
     "Highways inspectors", ("make-pothole-safe",), POTHOLE),
    ("noise", "Noise nuisance", CaseKind.SERVICE_REQUEST, "Environmental Health",
     "Environmental Health", ("respond-noise",), NOISE),
    ("general-enquiry", "General enquiry", CaseKind.GENERAL_ENQUIRY, "Customer Services",
     "Advisors", ("answer-enquiries",), []),
    ("council-tax-change", "Council Tax change (moving home or a discount)",
     CaseKind.SERVICE_REQUEST, "Council Tax", "Council Tax team", ("answer-enquiries",), []),
    ("business-rates-enquiry", "Business rates enquiry", CaseKind.GENERAL_ENQUIRY,
     "Business Rates", "Business Rates team", ("answer-enquiries",), []),
    ("benefit-change", "Housing Benefit claim or change of circumstances",
     CaseKind.SERVICE_REQUEST, "Housing Benefits", "Benefits team", ("decide-benefit-claims",),
     []),
    ("housing-register", "Housing register application", CaseKind.SERVICE_REQUEST,
     "Housing Needs", "Housing Needs", ("answer-enquiries",), []),
    ("planning-enquiry", "Planning enquiry", CaseKind.GENERAL_ENQUIRY, "Planning",
     "Duty planners", ("answer-enquiries",), []),
    ("councillor-enquiry", "Councillor enquiry", CaseKind.COUNCILLOR_ENQUIRY, "Member Services",
     "Member enquiries", ("answer-councillor-enquiry",), []),
    ("foi", "Freedom of information request", CaseKind.FREEDOM_OF_INFORMATION,
     "Information Governance", "Information team", ("answer-foi-eir",), []),
    ("eir", "Environmental information request", CaseKind.ENVIRONMENTAL_INFORMATION,
     "Information Governance", "Information team", ("answer-foi-eir",), []),
    ("subject-access", "Subject access request", CaseKind.SUBJECT_ACCESS,
     "Information Governance", "Information team", ("answer-subject-access",), []),
)  # fmt: skip
# The partner housing association's case types.
HOUSING_TYPES: tuple[TypeRow, ...] = (
    ("tenancy-enquiry", "Tenancy enquiry", CaseKind.GENERAL_ENQUIRY, "Tenancy Services",
     "Tenancy team", ("answer-enquiries",), []),
    ("repair", "Repair", CaseKind.SERVICE_REQUEST, "Repairs", "Repairs team",
     ("routine-repair",), REPAIR),
    ("emergency-repair", "Emergency repair", CaseKind.SERVICE_REQUEST, "Repairs",
     "Repairs team", ("emergency-repair",), REPAIR),
)  # fmt: skip
# The housing association offers Welsh: its case types' names as its Welsh-reading residents
# read them (the online forms, the acknowledgements and updates).  Our Welsh: a council relying
# on it should have a translator review it, as for every shipped Welsh text.
HOUSING_WELSH_NAMES = {
    "tenancy-enquiry": "Ymholiad am denantiaeth",
    "repair": "Atgyweirio",
    "emergency-repair": "Atgyweiriad brys",
}
EXTRA_TEAMS = (("Waste and Recycling", "North crews"),)
ROUTING = {"missed-bin": (("HP18", "", "North crews"), ("", "Buckingham North", "North crews"))}
# Who works each team's cases (the first member of a team takes its new work).
MEMBERS = (
    ("back.office", "Waste and Recycling", "Collection crews"),
    ("team.leader", "Waste and Recycling", "Collection crews"),
    ("manager", "Waste and Recycling", "Collection crews"),
    ("back.office", "Business Rates", "Business Rates team"),
    ("back.office", "Housing Benefits", "Benefits team"),
    ("team.leader", "Waste and Recycling", "North crews"),
    ("team.leader", "Waste and Recycling", "Street cleansing"),
    ("team.leader", "Highways", "Highways inspectors"),
    ("team.leader", "Environmental Health", "Environmental Health"),
    ("manager", "Housing Needs", "Housing Needs"),
    ("manager", "Planning", "Duty planners"),
    ("manager", "Member Services", "Member enquiries"),
    ("complaints", "Information Governance", "Information team"),
    ("team.leader", "Information Governance", "Information team"),
)

# Where an open case stands when the demo is loaded (``_received``).
ON_TRACK, AT_RISK, OVERDUE = "on-track", "at-risk", "overdue"
WARNING_PERCENT = ESCALATION[0][0]


@dataclass(frozen=True)
class DemoCase:
    """One demo case: its type, title, answers, postcode, customer (an index into the
    organisation's customers, or none), the state it reaches and where it stands: ``ON_TRACK``,
    ``AT_RISK`` or ``OVERDUE`` for open work, or received that many days ago."""

    type: str
    title: str
    state: str
    standing: str | int
    answers: dict[str, Any] = field(default_factory=dict)
    postcode: str = ""
    customer: int | None = None


C = DemoCase
CASES: tuple[DemoCase, ...] = (
    # Collection crews (Aylesbury rounds) and North crews (HP18, by routing).
    C("missed-bin", "Blue bin missed, 4 Church Street", "new", ON_TRACK,
      {"bin": "Blue (recycling)"}, "HP20 1UB", 0),
    C("missed-bin", "Whole street missed, Park Road", "in-progress", AT_RISK,
      {"bin": "Blue (recycling)"}, "HP21 8LP", 2),
    C("missed-bin", "Black bin missed twice", "assigned", OVERDUE,
      {"bin": "Black (general)"}, "HP19 7QQ", 4),
    C("missed-bin", "Bin left in the road", "closed", 20, {"bin": "Black (general)"},
      "HP20 1AA", 6),
    C("missed-bin", "Garden bin not emptied, Mill Lane", "new", ON_TRACK,
      {"bin": "Green (garden)"}, "HP18 9AB", 8),
    C("missed-bin", "Recycling missed on Thame Road", "assigned", AT_RISK,
      {"bin": "Blue (recycling)"}, "HP18 9BB", 10),
    C("missed-bin", "Black bin missed, Long Crendon", "new", OVERDUE,
      {"bin": "Black (general)"}, "HP18 9DN", 12),
    # Street cleansing.
    C("fly-tipping", "Mattress in the lay-by", "new", ON_TRACK,
      {"where": "A413 lay-by", "what": ["Furniture"]}, "HP22 5AA"),
    C("fly-tipping", "Tyres behind the garages", "waiting-for-third-party", AT_RISK,
      {"where": "Garages, Oak Way", "what": ["Tyres"]}, "HP21 7RT", 14),
    C("fly-tipping", "Rubble on the footpath", "in-progress", OVERDUE,
      {"where": "Footpath 12", "what": ["Building waste"]}, "HP17 8AA"),
    C("fly-tipping", "Bags dumped by the bottle bank", "closed", 16,
      {"where": "Bottle bank, Exchange Street", "what": ["Household rubbish"]}, "HP20 1UR", 16),
    # Highways inspectors.
    C("dangerous-pothole", "Deep pothole outside the school", "assigned", ON_TRACK,
      {"where": "Bell Lane", "depth": "12"}, "HP20 2AB", 18),
    C("pothole", "Potholes along Wendover Road", "in-progress", AT_RISK,
      {"where": "Wendover Road"}, "HP21 9LB", 1),
    C("pothole", "Pothole by the bus stop, Tring Road", "new", OVERDUE,
      {"where": "Tring Road bus stop", "depth": "6"}, "HP21 7NP", 3),
    C("dangerous-pothole", "Pothole at the roundabout", "resolved", 9,
      {"where": "Bicester Road roundabout", "depth": "15"}, "HP19 9BX", 5),
    # Environmental Health.
    C("noise", "Loud music every night", "waiting-for-customer", ON_TRACK,
      {"source": "Music", "when": "After 11pm"}, "HP19 8NN", 7),
    C("noise", "Alarm going off at the warehouse", "in-progress", AT_RISK,
      {"source": "Alarm"}, "HP19 8QQ", 9),
    C("noise", "Building work starting at 6am", "assigned", OVERDUE,
      {"source": "Construction", "when": "Weekdays from 6am"}, "HP20 2SA", 11),
    C("noise", "Dog barking all day", "resolved", 14, {"source": "Dog barking"}, "HP20 1QQ", 13),
    # Advisors.
    C("general-enquiry", "When is the next council meeting?", "new", ON_TRACK, customer=15),
    C("general-enquiry", "How do I become a foster carer?", "in-progress", AT_RISK, customer=17),
    C("general-enquiry", "Who owns the land behind Oak Way?", "new", OVERDUE, customer=19),
    C("general-enquiry", "How do I book a bulky waste collection?", "closed", 5, customer=21),
    # Council Tax team (the back-office officer's own queue).
    C("council-tax-change", "Moving out of 12 Walton Street", "new", ON_TRACK, customer=20),
    C("council-tax-change", "Single person discount", "assigned", ON_TRACK, customer=22),
    C("council-tax-change", "Bill sent to the previous tenant", "in-progress", AT_RISK,
      customer=24),
    C("council-tax-change", "Student exemption not applied", "new", OVERDUE, customer=26),
    C("council-tax-change", "Direct debit date change", "closed", 12, customer=28),
    # Business Rates team.
    C("business-rates-enquiry", "Small business rate relief", "new", ON_TRACK, customer=30),
    C("business-rates-enquiry", "Rateable value of the new unit", "assigned", AT_RISK,
      customer=31),
    C("business-rates-enquiry", "Refund after the shop closed", "in-progress", OVERDUE,
      customer=32),
    # Benefits team.
    C("benefit-change", "New claim after losing a job", "new", ON_TRACK, customer=23),
    C("benefit-change", "Partner moved in", "in-progress", AT_RISK, customer=25),
    C("benefit-change", "Change in working hours", "waiting-for-customer", OVERDUE,
      customer=27),
    # Housing Needs.
    C("housing-register", "Joining the housing register", "new", ON_TRACK, customer=29),
    C("housing-register", "Overcrowding: family of five in two rooms", "in-progress", AT_RISK,
      customer=3),
    C("housing-register", "Medical priority for a ground-floor home", "assigned", OVERDUE,
      customer=5),
    # Duty planners.
    C("planning-enquiry", "Do I need permission for a garden room?", "new", ON_TRACK,
      customer=7),
    C("planning-enquiry", "Extension next door over the boundary", "in-progress", AT_RISK,
      customer=9),
    C("planning-enquiry", "Tree preservation order on Oak Way", "new", OVERDUE, customer=11),
    # Member enquiries (raised by the councillor).
    C("councillor-enquiry", "Street light out on Elm Close", "new", ON_TRACK, {}, "HP20 1EE"),
    C("councillor-enquiry", "Parking on the verge, Bedgrove", "assigned", AT_RISK, {},
      "HP21 7BD"),
    C("councillor-enquiry", "Overgrown hedge blocking pavement", "in-progress", OVERDUE, {},
      "HP21 7HH"),
    # Information team.
    C("foi", "Spending on agency staff 2025", "in-progress", ON_TRACK),
    C("foi", "Contracts with waste companies", "new", AT_RISK),
    C("eir", "Air quality readings on the ring road", "new", OVERDUE),
    C("subject-access", "All records you hold about me", "new", ON_TRACK, customer=1),
    C("foi", "Number of fly-tipping reports by ward", "published", 25),
)  # fmt: skip
HOUSING_CASES: tuple[DemoCase, ...] = (
    C("tenancy-enquiry", "Rent statement for the last year", "new", ON_TRACK, customer=0),
    C("tenancy-enquiry", "Adding a partner to the tenancy", "in-progress", AT_RISK, customer=1),
    C("tenancy-enquiry", "Noise from the flat above", "assigned", OVERDUE, customer=2),
    C("repair", "Kitchen tap dripping", "new", ON_TRACK,
      {"where": "Kitchen", "what": "Leak"}, customer=3),
    C("repair", "Back door will not lock", "assigned", AT_RISK,
      {"where": "Hall", "what": "Doors or windows"}, customer=4),
    C("repair", "Window frame rotten", "in-progress", OVERDUE,
      {"where": "Bedroom", "what": "Doors or windows"}, customer=5),
    C("emergency-repair", "No heating or hot water", "resolved", 6,
      {"where": "Whole flat", "what": "Heating or hot water"}, customer=6),
)  # fmt: skip


def _service(organisation: Organisation, name: str) -> Service:
    found = Service.objects.for_organisation(organisation).filter(name=name).first()
    if found is None:
        found = directory_services.create_service(
            organisation, by=None, name=name, description="", lgsl_code=None
        )
    return found


def _team(organisation: Organisation, service_name: str, name: str) -> Team:
    service = _service(organisation, service_name)
    found = Team.objects.for_organisation(organisation).filter(service=service, name=name).first()
    if found is None:
        found = directory_services.create_team(service, by=None, name=name)
    return found


def load_types(
    organisation: Organisation,
    types: tuple[TypeRow, ...] = TYPES,
    members: tuple[tuple[str, str, str], ...] = MEMBERS,
    welsh_names: dict[str, str] | None = None,
) -> None:
    """The case types (with their teams, routing and escalation) and who works each team, with
    ``welsh_names`` (by code) for a type that has no Welsh name yet (an administrator's stays)."""
    welsh_now = dict(CaseType.objects.for_organisation(organisation).values_list("code", "name_cy"))
    for service_name, team_name in EXTRA_TEAMS if types is TYPES else ():
        _team(organisation, service_name, team_name)
    for code, name, kind, service_name, team_name, standards, questions in types:
        team = _team(organisation, service_name, team_name)
        routing = tuple(
            (prefix, ward, _team(organisation, service_name, routed))
            for prefix, ward, routed in ROUTING.get(code, ())
        )
        services.save_case_type(
            organisation,
            by=None,
            data=services.CaseTypeInput(
                code=code,
                name=name,
                kind=kind,
                service=team.service,
                default_team=team,
                standard_codes=standards,
                attributes=questions,
                escalation=ESCALATION,
                routing=routing,
                name_cy=welsh_now.get(code) or (welsh_names or {}).get(code, ""),
            ),
        )
    for username, service_name, team_name in members:
        user = User.objects.filter(
            username=sign_in_name(username, organisation), organisation=organisation
        ).first()
        team = _team(organisation, service_name, team_name)
        if (
            user is not None
            and not TeamMembership.objects.for_organisation(organisation)
            .filter(team=team, user=user)
            .exists()
        ):
            directory_services.add_team_member(team, by=None, user=user)


def load_demo(organisation: Organisation) -> None:
    """Load the demo case types, routing, team members and cases for ``organisation``."""
    load_types(organisation)
    replay.play_now(case_steps(organisation, CASES, now=timezone.now()))


def case_steps(
    organisation: Organisation,
    cases: tuple[DemoCase, ...],
    *,
    now: datetime.datetime,
    raised_by: str = "advisor",
) -> list[replay.Step]:
    """Each case's history as steps to play at the times they happened (``core.replay``):
    none when the organisation has cases already."""
    if Case.objects.for_organisation(organisation).exists():
        return []
    people = _users(organisation)
    customers = list(Customer.objects.for_organisation(organisation).order_by("pk"))
    timing = _Timing(organisation, now)
    steps: list[replay.Step] = []
    seen: dict[tuple[str, str | int], int] = {}
    for case in cases:
        key = (timing.primary.get(case.type, ""), case.standing)
        variant = seen[key] = seen.get(key, -1) + 1
        received = timing.received(case, variant)
        customer = (
            customers[case.customer]
            if case.customer is not None and case.customer < len(customers)
            else None
        )
        steps += _history(organisation, case, received, now, customer, people, raised_by)
    return steps


def _users(organisation: Organisation) -> dict[str, User]:
    """The organisation's demo staff by their name within it (``advisor``, ``councillor``...)."""
    suffix = f"@{organisation.slug}"
    return {
        user.username.removesuffix(suffix): user
        for user in User.objects.filter(organisation=organisation, is_active=True)
    }


class _Timing:
    """When each demo case was received, so that it stands where the demo wants it now."""

    def __init__(self, organisation: Organisation, now: datetime.datetime) -> None:
        self.organisation = organisation
        self.now = now
        self.standards = {
            standard.code: standard
            for standard in Standard.objects.for_organisation(organisation).filter(
                service__isnull=True
            )
        }
        self.primary = {
            case_type.code: case_type.standard_codes[0]
            for case_type in CaseType.objects.for_organisation(organisation)
            if case_type.standard_codes
        }
        self._classified: dict[str, list[tuple[datetime.datetime, str]]] = {}

    def received(self, case: DemoCase, variant: int) -> datetime.datetime:
        if isinstance(case.standing, int):
            return replay.office_moment(
                self.now, days_ago=case.standing, minutes=60 + (47 * variant) % 360
            )
        candidates = self._candidates(self.primary[case.type])
        matching = [at for at, standing in candidates if standing == case.standing]
        # Overdue work is a day or more late, not a minute.
        pick = 2 + 2 * variant if case.standing == OVERDUE else variant
        return matching[min(pick, len(matching) - 1)]

    def _candidates(self, code: str) -> list[tuple[datetime.datetime, str]]:
        """Moments a case may have been received (the latest first), each with where a case
        of standard ``code`` received then stands now."""
        if code in self._classified:
            return self._classified[code]
        standard = self.standards[code]
        calendar = deadlines.calendar_named(standard.calendar, self.organisation)
        moments = {
            replay.office_moment(self.now, days_ago=days, minutes=minutes)
            for days in range(63)
            for minutes in (30, 150, 270, 390)
        }
        if standard.unit in {clock.Unit.SECONDS, clock.Unit.MINUTES, clock.Unit.HOURS}:
            # Emergencies are reported at any hour.
            moments |= {self.now - datetime.timedelta(minutes=30 * step) for step in range(144)}
        found: list[tuple[datetime.datetime, str]] = []
        for moment in sorted(
            (m for m in moments if m < self.now - datetime.timedelta(minutes=10)), reverse=True
        ):
            assert standard.amount is not None  # noqa: S101  # the demo's types are timed
            due = clock.deadline(moment, standard.amount, standard.unit, calendar)
            span = deadlines.Span(
                moment, due, standard.amount, standard.unit, standard.calendar, []
            )
            warning = deadlines.threshold(span, WARNING_PERCENT, calendar)
            standing = OVERDUE if due < self.now else AT_RISK if warning <= self.now else ON_TRACK
            found.append((moment, standing))
        self._classified[code] = found
        return found


NOTES: dict[str, str] = {
    Status.IN_PROGRESS: "Checked the details and booked the work.",
    Status.WAITING_FOR_CUSTOMER: "Asked the customer for the details we need.",
    Status.WAITING_FOR_THIRD_PARTY: "Passed to the contractor; waiting for their visit.",
}


def _history(
    organisation: Organisation,
    case: DemoCase,
    received: datetime.datetime,
    now: datetime.datetime,
    customer: Customer | None,
    people: dict[str, User],
    raised_by: str,
) -> list[replay.Step]:
    """The steps of one case: raised when received, then taken, worked and finished."""
    raised: list[Case] = []
    member_enquiry = case.type == "councillor-enquiry"
    councillor = people.get("councillor") if member_enquiry else None

    def raise_it() -> None:
        raised.append(
            services.raise_case(
                organisation,
                by=councillor or people.get(raised_by),
                case_type_code=case.type,
                title=case.title,
                attributes=case.answers,
                postcode=case.postcode,
                customer=customer,
                constituent_name="A. Resident" if member_enquiry else "",
                councillor=councillor,
                received_at=timezone.now(),
            )
        )

    steps: list[replay.Step] = [(received, raise_it)]
    if case.state == Status.NEW:
        return steps
    elapsed = now - received

    def later(limit: datetime.timedelta, share: float) -> datetime.datetime:
        return received + min(limit, elapsed * share)

    def act(do: Callable[[Case, User | None], object]) -> Callable[[], None]:
        def run() -> None:
            current = raised[0]
            current.refresh_from_db()
            member = (
                TeamMembership.objects.for_organisation(organisation)
                .filter(team_id=current.team_id)
                .order_by("pk")
                .first()
            )
            do(current, member.user if member else None)

        return run

    steps.append((later(datetime.timedelta(minutes=25), 0.1), act(_take)))
    if case.state == Status.ASSIGNED:
        return steps
    steps.append((later(datetime.timedelta(hours=3), 0.3), act(_start_work)))
    if case.state in NOTES and case.state != Status.IN_PROGRESS:
        steps.append(
            (later(datetime.timedelta(days=1), 0.5), act(lambda c, by: _wait(c, by, case.state)))
        )
    if case.state in {Status.RESOLVED, Status.CLOSED, "published"}:
        steps.append(
            (
                later(datetime.timedelta(days=2), 0.8),
                act(lambda c, by: _finish(c, by, case.state)),
            )
        )
    return steps


def _take(case: Case, member: User | None) -> None:
    if member is not None:
        services.claim_case(case, by=member)


def _start_work(case: Case, member: User | None) -> None:
    if case.status != Status.IN_PROGRESS:
        services.change_status(case, by=member, status=Status.IN_PROGRESS)
    services.add_note(case, by=member, kind=NoteKind.INTERNAL, text=NOTES[Status.IN_PROGRESS])


def _wait(case: Case, member: User | None, state: str) -> None:
    services.add_note(case, by=member, kind=NoteKind.INTERNAL, text=NOTES[state])
    services.change_status(case, by=member, status=state)


def _finish(case: Case, member: User | None, state: str) -> None:
    if state == "published":
        services.close_case(
            case, by=member, outcome=Outcome.RELEASED_IN_FULL, resolution="Figures sent."
        )
        services.publish_response(
            case, by=member, summary="Fly-tipping reports by ward for the last three years."
        )
        return
    finish = services.close_case if state == Status.CLOSED else services.resolve_case
    finish(case, by=member, outcome=Outcome.RESOLVED, resolution="Sorted on the next round.")

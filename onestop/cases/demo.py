"""The demo council's case types, routing and a few dozen cases in various states.

Call after the directory and standards demos (``onestop demo``).  Idempotent: types are saved
by code, missing services and teams are added, and cases are only created when the council has
none yet.  Everything here is for demonstration only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onestop.cases import services
from onestop.cases.models import Case, CaseKind, EscalationAction, NoteKind, Outcome, Status
from onestop.core.models import Organisation, User
from onestop.directory import services as directory_services
from onestop.directory.models import Service, Team, TeamMembership
from onestop.directory.services import sign_in_name
from onestop.standards import services as standards_services
from onestop.standards.models import Channel, Standard

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
    {"code": "collection-day", "label": "Collection day", "kind": "date", "required": False},
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
# code, name, kind, service, team, standards, questions, routing (postcode prefix, ward, team)
TYPES: tuple[tuple[str, str, str, str, str, tuple[str, ...], list[dict[str, Any]]], ...] = (
    ("missed-bin", "Missed bin collection", CaseKind.SERVICE_REQUEST, "Waste and Recycling",
     "Collection crews", ("answer-letters",), BIN),
    ("fly-tipping", "Fly-tipping", CaseKind.SERVICE_REQUEST, "Waste and Recycling",
     "Street cleansing", ("answer-letters",), FLY_TIPPING),
    ("pothole", "Pothole", CaseKind.SERVICE_REQUEST, "Highways", "Highways inspectors",
     ("answer-letters",), POTHOLE),
    ("noise", "Noise nuisance", CaseKind.SERVICE_REQUEST, "Environmental Health",
     "Environmental Health", ("answer-letters",), NOISE),
    ("general-enquiry", "General enquiry", CaseKind.GENERAL_ENQUIRY, "Customer Services",
     "Advisors", ("answer-letters",), []),
    ("councillor-enquiry", "Councillor enquiry", CaseKind.COUNCILLOR_ENQUIRY, "Member Services",
     "Member enquiries", ("answer-councillor-enquiry",), []),
    ("foi", "Freedom of information request", CaseKind.FREEDOM_OF_INFORMATION,
     "Information Governance", "Information team", ("answer-foi-eir",), []),
    ("eir", "Environmental information request", CaseKind.ENVIRONMENTAL_INFORMATION,
     "Information Governance", "Information team", ("answer-foi-eir",), []),
    ("subject-access", "Subject access request", CaseKind.SUBJECT_ACCESS,
     "Information Governance", "Information team", ("answer-subject-access",), []),
)  # fmt: skip
EXTRA_TEAMS = (("Waste and Recycling", "North crews"),)
ROUTING = {"missed-bin": (("HP18", "", "North crews"), ("", "Buckingham North", "North crews"))}
MEMBERS = (
    ("team.leader", "Waste and Recycling", "Collection crews"),
    ("back.office", "Waste and Recycling", "Collection crews"),
    ("manager", "Waste and Recycling", "Collection crews"),
    ("complaints", "Information Governance", "Information team"),
    ("team.leader", "Information Governance", "Information team"),
)

# type, title, answers, postcode, days ago, final state
CASES: tuple[tuple[str, str, dict[str, Any], str, int, str], ...] = (
    ("missed-bin", "Blue bin missed, 4 Church Street", {"bin": "Blue (recycling)"}, "HP20 1UB",
     1, "new"),
    ("missed-bin", "Garden bin not emptied, Mill Lane", {"bin": "Green (garden)"}, "HP18 9AB",
     3, "assigned"),
    ("missed-bin", "Black bin missed twice", {"bin": "Black (general)"}, "HP19 7QQ", 12, "new"),
    ("missed-bin", "Whole street missed, Park Road", {"bin": "Blue (recycling)"}, "HP21 8LP",
     9, "in-progress"),
    ("missed-bin", "Bin left in the road", {"bin": "Black (general)"}, "MK18 1AA", 20, "closed"),
    ("fly-tipping", "Mattress in the lay-by", {"where": "A413 lay-by", "what": ["Furniture"]},
     "HP22 5AA", 2, "new"),
    ("fly-tipping", "Tyres behind the garages", {"where": "Garages, Oak Way", "what": ["Tyres"]},
     "HP21 7RT", 8, "waiting-for-third-party"),
    ("fly-tipping", "Rubble on the footpath", {"where": "Footpath 12", "what": ["Building waste"]},
     "HP17 8AA", 15, "new"),
    ("pothole", "Deep pothole outside the school", {"where": "Bell Lane", "depth": "12"},
     "HP20 2AB", 4, "assigned"),
    ("pothole", "Potholes along Wendover Road", {"where": "Wendover Road"}, "HP21 9LB", 11,
     "in-progress"),
    ("noise", "Loud music every night", {"source": "Music", "when": "After 11pm"}, "HP19 8NN",
     6, "waiting-for-customer"),
    ("noise", "Dog barking all day", {"source": "Dog barking"}, "HP20 1QQ", 14, "resolved"),
    ("general-enquiry", "When is the next council meeting?", {}, "", 1, "new"),
    ("general-enquiry", "How do I book a bulky waste collection?", {}, "", 5, "closed"),
    ("councillor-enquiry", "Street light out on Elm Close", {}, "HP20 1EE", 3, "new"),
    ("councillor-enquiry", "Overgrown hedge blocking pavement", {}, "HP21 7HH", 13, "in-progress"),
    ("foi", "Spending on agency staff 2025", {}, "", 7, "in-progress"),
    ("foi", "Number of fly-tipping reports by ward", {}, "", 25, "published"),
    ("foi", "Contracts with waste companies", {}, "", 18, "new"),
    ("eir", "Air quality readings on the ring road", {}, "", 10, "new"),
    ("subject-access", "All records you hold about me", {}, "", 9, "new"),
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


def _standards(organisation: Organisation) -> None:
    if (
        not Standard.objects.for_organisation(organisation)
        .filter(code="answer-councillor-enquiry")
        .exists()
    ):
        standards_services.save_standard(
            organisation,
            by=None,
            code="answer-councillor-enquiry",
            title="Answer councillor enquiries within 10 working days",
            applies_to=Channel.LETTER,
            start_event="enquiry-received",
            stop_event="full-reply-sent",
            amount=10,
            unit="working_days",
            target_percent=Decimal(100),
            source="Demo: Members' enquiries protocol",
        )


def load_demo(organisation: Organisation) -> None:
    """Load the demo case types, routing, team members and cases for ``organisation``."""
    _standards(organisation)
    for service_name, team_name in EXTRA_TEAMS:
        _team(organisation, service_name, team_name)
    for code, name, kind, service_name, team_name, standards, questions in TYPES:
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
            ),
        )
    for username, service_name, team_name in MEMBERS:
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
    if not Case.objects.for_organisation(organisation).exists():
        _load_cases(organisation)


def _load_cases(organisation: Organisation) -> None:
    now = timezone.now()
    officer = User.objects.filter(
        username=sign_in_name("back.office", organisation), organisation=organisation
    ).first()
    councillor = User.objects.filter(
        username=sign_in_name("councillor", organisation), organisation=organisation
    ).first()
    for code, title, answers, postcode, days_ago, state in CASES:
        case = services.raise_case(
            organisation,
            by=councillor if code == "councillor-enquiry" else None,
            case_type_code=code,
            title=title,
            attributes=answers,
            postcode=postcode,
            constituent_name="A. Resident" if code == "councillor-enquiry" else "",
            councillor=councillor if code == "councillor-enquiry" else None,
            received_at=now - datetime.timedelta(days=days_ago),
        )
        _move(case, state, officer)


def _move(case: Case, state: str, officer: User | None) -> None:
    if state == "new":
        return
    member = officer if case.team.memberships.filter(user=officer).exists() else None
    if member is not None:
        services.assign_case(case, by=None, assignee=member, reason="Demo")
    if state in {Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER, Status.WAITING_FOR_THIRD_PARTY}:
        services.change_status(case, by=member, status=Status.IN_PROGRESS)
        services.add_note(case, by=member, kind=NoteKind.INTERNAL, text="Looked into this.")
        if state != Status.IN_PROGRESS:
            services.change_status(case, by=member, status=state)
    elif state in {Status.RESOLVED, Status.CLOSED}:
        finish = services.close_case if state == Status.CLOSED else services.resolve_case
        finish(case, by=member, outcome=Outcome.RESOLVED, resolution="Sorted on the next round.")
    elif state == "published":
        services.close_case(
            case, by=member, outcome=Outcome.RELEASED_IN_FULL, resolution="Figures sent."
        )
        services.publish_response(
            case, by=member, summary="Fly-tipping reports by ward for the last three years."
        )

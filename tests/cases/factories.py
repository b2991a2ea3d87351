"""Cases factories: each goes through the apps' own services (no raw creates), except the
contract customer, whose service is being built with the customers capability."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from onestop.cases import services
from onestop.cases.models import Case, CaseKind, CaseType, EscalationAction
from onestop.core.models import Organisation, User
from onestop.customers.models import Customer
from onestop.directory import services as directory_services
from onestop.directory.models import Service, Team
from onestop.standards import services as standards_services
from onestop.standards.models import CalendarChoice, Channel

STANDARDS = (
    ("answer-letters", Channel.LETTER, 10, "working_days", CalendarChoice.ORGANISATION),
    ("answer-councillor-enquiry", Channel.LETTER, 10, "working_days", CalendarChoice.ORGANISATION),
    ("answer-foi-eir", Channel.FREEDOM_OF_INFORMATION, 20, "working_days",
     CalendarChoice.UNITED_KINGDOM),
    ("answer-subject-access", Channel.SUBJECT_ACCESS, 1, "calendar_months",
     CalendarChoice.ORGANISATION),
    ("acknowledge-email", Channel.EMAIL, 1, "working_days", CalendarChoice.ORGANISATION),
)  # fmt: skip

BIN_QUESTIONS: list[dict[str, Any]] = [
    {"code": "bin", "label": "Which bin", "kind": "choice", "required": True,
     "choices": ["blue", "green", "black"]},
    {"code": "bags", "label": "Extra bags", "kind": "number"},
    {"code": "collection-day", "label": "Collection day", "kind": "date"},
    {"code": "where", "label": "Where is the bin", "kind": "location"},
    {"code": "problems", "label": "Problems", "kind": "multiple-choice",
     "choices": ["not-emptied", "damaged"]},
]  # fmt: skip


def standards(organisation: Organisation) -> None:
    for code, channel, amount, unit, calendar in STANDARDS:
        standards_services.save_standard(
            organisation,
            by=None,
            code=code,
            title=code,
            applies_to=channel,
            start_event="received",
            stop_event="answered",
            amount=amount,
            unit=unit,
            target_percent=Decimal(100),
            calendar=calendar,
        )


def service(organisation: Organisation, name: str) -> Service:
    return directory_services.create_service(
        organisation, by=None, name=name, description="", lgsl_code=None
    )


def team(of: Service, name: str) -> Team:
    return directory_services.create_team(of, by=None, name=name)


def member(of: Team, user: User) -> None:
    directory_services.add_team_member(of, by=None, user=user)


def case_type(
    organisation: Organisation,
    code: str,
    *,
    kind: str,
    service: Service,
    team: Team,
    standards: tuple[str, ...] = ("answer-letters",),
    attributes: list[dict[str, Any]] | None = None,
    escalation: tuple[tuple[int, str], ...] = (),
    routing: tuple[tuple[str, str, Team], ...] = (),
    reopen_within_days: int = 28,
) -> CaseType:
    return services.save_case_type(
        organisation,
        by=None,
        data=services.CaseTypeInput(
            code=code,
            name=code.replace("-", " ").capitalize(),
            kind=kind,
            service=service,
            default_team=team,
            standard_codes=standards,
            attributes=attributes or [],
            escalation=escalation,
            routing=routing,
            reopen_within_days=reopen_within_days,
        ),
    )


ESCALATION = (
    (75, EscalationAction.NOTIFY_ASSIGNEE),
    (100, EscalationAction.NOTIFY_TEAM_LEADER),
    (150, EscalationAction.NOTIFY_HEAD_OF_SERVICE),
)


def customer(organisation: Organisation, name: str = "Sam Resident") -> Customer:
    found = Customer(organisation=organisation, display_name=name)
    found.save()
    return found


def raise_case(
    organisation: Organisation,
    code: str = "missed-bin",
    *,
    by: User | None = None,
    title: str = "Missed blue bin",
    attributes: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Case:
    if attributes is None and code == "missed-bin":
        attributes = {"bin": "blue"}
    return services.raise_case(
        organisation, by=by, case_type_code=code, title=title, attributes=attributes, **kwargs
    )


KINDS = CaseKind

"""Every write to cases: typed functions, one transaction each, timeline event and audit inside.

``by`` is the acting member of staff (``None``: the system, e.g. the escalation sweep or the demo
loader).  A rejected request raises ``ServiceError`` (``CaseError`` codes) and changes nothing.
Deadlines come only from ``standards.clock``; each is stored on a ``CaseClock`` row with the
standard and calendar version that produced it.  Messages the case means to send are written
to ``OutboxMessage`` inside the same transaction (the outbox) until the notifications capability
takes them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import events, queries
from onestop.cases.errors import CaseError, InvalidTransition
from onestop.cases.models import (
    ALLOWED_TRANSITIONS,
    FINISHED_STATUSES,
    INFORMATION_KINDS,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    RELEASED_OUTCOMES,
    AttributeKind,
    Case,
    CaseClock,
    CaseEscalation,
    CaseKind,
    CaseLink,
    CaseNote,
    CaseType,
    ContributionTask,
    EscalationAction,
    EscalationRule,
    LinkKind,
    NoteKind,
    OutboxMessage,
    Outcome,
    RoutingRule,
    Source,
    Status,
    TaskStatus,
)
from onestop.contacts.models import Contact
from onestop.core import audit, references
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers.models import Customer
from onestop.directory.models import Service, Team, TeamMembership
from onestop.standards import clock
from onestop.standards import queries as standards_queries
from onestop.standards.models import CalendarChoice, Standard

TITLE_LIMIT = 200
TEXT_LIMIT = 10_000
ATTRIBUTE_TEXT_LIMIT = 2_000
ATTRIBUTE_COUNT_LIMIT = 50
BULK_LIMIT = 500
# Statutory extensions: EIR reg. 7 (complex and voluminous: 40 working days in all), FOIA s.10(3)
# public interest (ICO: no more than a further 20 working days), UK GDPR art. 12(3) (two months).
EIR_EXTENDED_WORKING_DAYS = 40
FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS = 20
SUBJECT_ACCESS_EXTRA_MONTHS = 2


# --- helpers (no transactions of their own) -----------------------------------------------------
def _refuse(code: CaseError, message: str, field: str | None = None) -> None:
    raise ServiceError(code, message, field=field)


def _check_text(
    value: str, *, field: str, limit: int, required: bool = False, error_field: str | None = None
) -> str:
    """``value`` trimmed, or refused: ``field`` names it, ``error_field`` is the input."""
    label, field = field, error_field or field
    value = (value or "").strip()
    if required and not value:
        _refuse(CaseError.MISSING_ATTRIBUTE, _("Enter the %(field)s") % {"field": label}, field)
    if len(value) > limit:
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _("The %(field)s must be %(limit)s characters or fewer")
            % {"field": label, "limit": limit},
            field,
        )
    if "\x00" in value:
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _("The %(field)s has a null character") % {"field": label},
            field,
        )
    return value


def _record(
    case: Case, *, by: User | None, action: AuditAction, summary: str, **changes: Any
) -> None:
    audit.record(
        organisation=case.organisation_id,
        by=by,
        action=action,
        obj=case,
        summary=summary,
        changes={name: _plain(value) for name, value in changes.items()},
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _bump_version(case: Case, expected_version: int | None) -> None:
    """Claim the case for this change: refused when someone changed it since ``expected``."""
    expected = case.version if expected_version is None else expected_version
    changed = (
        Case.objects.for_organisation(case.organisation_id)
        .filter(pk=case.pk, version=expected)
        .update(version=F("version") + 1)
    )
    if changed != 1:
        _refuse(
            CaseError.STALE_UPDATE,
            _(
                "Someone else changed case %(reference)s while you were working on it: "
                "reload the case, check their change and try again"
            )
            % {"reference": case.reference},
            "version",
        )
    case.version = expected + 1


def _save(case: Case, *fields: str) -> None:
    case.save(update_fields=[*fields, "updated_at"])


def _same_organisation(obj: Any, case_or_org_id: int, message: str) -> None:
    if getattr(obj, "organisation_id", None) != case_or_org_id:
        _refuse(CaseError.WRONG_ORGANISATION, message)


def _outbox(
    case: Case,
    *,
    template: str,
    recipient_kind: str,
    recipient_label: str,
    body: str,
    recipient_user: User | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        organisation_id=case.organisation_id,
        case=case,
        template=template,
        recipient_kind=recipient_kind,
        recipient_user=recipient_user,
        recipient_label=recipient_label[:200],
        body=body,
        created_at=timezone.now(),
    )
    message.save(force_insert=True)
    return message


# --- calendars and clocks -----------------------------------------------------------------------
_calendar_cache: dict[tuple[str, int, int | None], clock.Calendar] = {}


def calendar_named(name: str, organisation: Organisation) -> clock.Calendar:
    """The calendar a clock runs on: the UK-wide one, or the organisation's current version."""
    if name == CalendarChoice.UNITED_KINGDOM:
        key: tuple[str, int, int | None] = (name, 0, None)
        if key not in _calendar_cache:
            _calendar_cache[key] = clock.nation_calendar(clock.Nation.UNITED_KINGDOM)
        return _calendar_cache[key]
    version = standards_queries.calendar_version_of(organisation)
    key = (name, organisation.pk, version)
    found = _calendar_cache.get(key)
    if found is None:
        if len(_calendar_cache) > 64:
            _calendar_cache.clear()
        found = _calendar_cache[key] = standards_queries.calendar_for_organisation(organisation)
    return found


def _standard(organisation_id: int, code: str, service_id: int) -> Standard:
    """The timed standard ``code`` for the service (its own, else the organisation's)."""
    chosen = standards_queries.standard_for(organisation_id, code, service_id)
    if chosen is None or not chosen.is_timed:
        raise ServiceError(
            CaseError.MISSING_STANDARD,
            _("The case type uses standard %(code)s, which is not set up with a time limit")
            % {"code": code},
        )
    return chosen


def _replay(row: CaseClock, amount: int, calendar: clock.Calendar) -> datetime.datetime:
    """The deadline ``row`` would have with ``amount``, through the same pauses (via the clock)."""
    state = clock.start_clock(row.started_at, amount, row.unit, calendar)
    for paused, resumed in row.pauses:
        state = clock.pause_clock(state, datetime.datetime.fromisoformat(paused))
        state = clock.resume_clock(state, datetime.datetime.fromisoformat(resumed), calendar)
    return state.deadline


def _threshold(row: CaseClock, percent: int, calendar: clock.Calendar) -> datetime.datetime:
    """When ``percent`` of the clock's time is used (100: the deadline itself)."""
    if percent == 100:
        return row.due_at
    if row.unit == clock.Unit.CALENDAR_MONTHS:
        # Months have no fraction: count in calendar days (a month taken as 30 days).
        scaled = CaseClock(
            started_at=row.started_at, unit=clock.Unit.CALENDAR_DAYS, pauses=row.pauses
        )
        return _replay(scaled, row.amount * 30 * percent // 100, calendar)
    return _replay(row, row.amount * percent // 100, calendar)


def _calendar_of(row: CaseClock, case: Case) -> clock.Calendar:
    return calendar_named(row.calendar_name, case.organisation)


def _start_clocks(case: Case, case_type: CaseType, at: datetime.datetime) -> None:
    first = True
    for code in case_type.standard_codes:
        standard = _standard(case.organisation_id, code, case_type.service_id)
        calendar = calendar_named(standard.calendar, case.organisation)
        assert standard.amount is not None  # noqa: S101  # _standard only returns timed ones
        due = clock.deadline(at, standard.amount, standard.unit, calendar)
        row = CaseClock(
            organisation_id=case.organisation_id,
            case=case,
            standard_code=standard.code,
            is_primary=first,
            amount=standard.amount,
            unit=standard.unit,
            calendar_name=standard.calendar,
            calendar_version=calendar.version,
            started_at=at,
            due_at=due,
        )
        row.save(force_insert=True)
        if first:
            case.due_at = due
            case.standard_code = standard.code
            case.calendar_version = calendar.version
        first = False


def _primary(case: Case) -> CaseClock | None:
    return (
        CaseClock.objects.for_organisation(case.organisation_id)
        .filter(case=case, is_primary=True)
        .first()
    )


def _running_clocks(case: Case) -> list[CaseClock]:
    return list(
        CaseClock.objects.for_organisation(case.organisation_id).filter(
            case=case, stopped_at__isnull=True
        )
    )


def _copy_primary(case: Case, row: CaseClock) -> None:
    case.due_at = row.due_at
    case.standard_code = row.standard_code
    case.calendar_version = row.calendar_version
    case.clock_paused_at = row.paused_at


def _pause_clocks(case: Case, at: datetime.datetime) -> None:
    for row in _running_clocks(case):
        if row.paused_at is None:
            row.paused_at = at
            row.save(update_fields=["paused_at"])
            if row.is_primary:
                _copy_primary(case, row)
    case.next_escalation_at = None


def _resume_clocks(case: Case, at: datetime.datetime) -> None:
    for row in _running_clocks(case):
        if row.paused_at is None:
            continue
        calendar = _calendar_of(row, case)
        state = clock.ClockState(
            row.started_at, row.amount, clock.Unit(row.unit), row.due_at, row.paused_at
        )
        state = clock.resume_clock(state, at, calendar)
        row.pauses = [*row.pauses, [row.paused_at.isoformat(), at.isoformat()]]
        row.due_at = state.deadline
        row.paused_at = None
        row.calendar_version = calendar.version
        row.save(update_fields=["pauses", "due_at", "paused_at", "calendar_version"])
        if row.is_primary:
            _copy_primary(case, row)
    _schedule_escalation(case)


def _stop_clocks(case: Case, at: datetime.datetime) -> None:
    for row in _running_clocks(case):
        row.stopped_at = at
        row.is_met = clock.is_met(at, row.due_at)
        row.save(update_fields=["stopped_at", "is_met"])
    case.clock_paused_at = None
    case.next_escalation_at = None


def _restart_clocks(case: Case, at: datetime.datetime) -> None:
    for row in CaseClock.objects.for_organisation(case.organisation_id).filter(case=case):
        calendar = _calendar_of(row, case)
        state = clock.ClockState(row.started_at, row.amount, clock.Unit(row.unit), row.due_at)
        state = clock.restart_clock(state, at, calendar)
        row.started_at = at
        row.due_at = state.deadline
        row.paused_at = None
        row.pauses = []
        row.stopped_at = None
        row.is_met = None
        row.restarted_count += 1
        row.calendar_version = calendar.version
        row.save(
            update_fields=[
                "started_at",
                "due_at",
                "paused_at",
                "pauses",
                "stopped_at",
                "is_met",
                "restarted_count",
                "calendar_version",
            ]
        )
        if row.is_primary:
            _copy_primary(case, row)
    _schedule_escalation(case)


def _rules(case: Case) -> list[EscalationRule]:
    return list(
        EscalationRule.objects.for_organisation(case.organisation_id)
        .filter(case_type_id=case.case_type_id)
        .order_by("percent", "action")
    )


def _schedule_escalation(case: Case, rules: Sequence[EscalationRule] | None = None) -> None:
    """Set ``next_escalation_at``: the earliest threshold of a rule not yet applied this run."""
    row = _primary(case)
    if row is None or row.stopped_at is not None or row.paused_at is not None:
        case.next_escalation_at = None
        return
    applied = set(
        CaseEscalation.objects.for_organisation(case.organisation_id)
        .filter(case=case, clock_run=row.restarted_count)
        .values_list("rule_id", flat=True)
    )
    pending = [
        rule for rule in (rules if rules is not None else _rules(case)) if rule.pk not in applied
    ]
    if not pending:
        case.next_escalation_at = None
        return
    calendar = _calendar_of(row, case)
    case.next_escalation_at = min(_threshold(row, rule.percent, calendar) for rule in pending)


# --- reading the case type's questions ----------------------------------------------------------
def clean_attributes(case_type: CaseType, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to the type's questions, checked and normalised; refused with the question."""
    if not isinstance(answers, dict):
        _refuse(CaseError.INVALID_ATTRIBUTE, _("Answers must be given as question and answer"))
    questions = {question["code"]: question for question in case_type.attributes}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        _refuse(
            CaseError.UNKNOWN_ATTRIBUTE,
            _("%(type)s does not ask “%(code)s”: remove it")
            % {"type": case_type.name, "code": str(unknown[0])[:60]},
            f"attribute_{str(unknown[0])[:60]}",
        )
    cleaned: dict[str, Any] = {}
    for code, question in questions.items():
        value = answers.get(code)
        empty = value is None or value == "" or value == []
        field = f"attribute_{code}"
        if empty:
            if question.get("required"):
                _refuse(
                    CaseError.MISSING_ATTRIBUTE,
                    _("Answer “%(label)s”") % {"label": question["label"]},
                    field,
                )
            continue
        cleaned[code] = _clean_answer(question, value, field)
    return cleaned


def _clean_answer(question: dict[str, Any], value: Any, field: str) -> Any:
    kind = question.get("kind", AttributeKind.TEXT)
    label = question["label"]
    choices = [str(choice) for choice in question.get("choices", [])]
    invalid = CaseError.INVALID_ATTRIBUTE
    if kind == AttributeKind.NUMBER:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            number = Decimal("NaN")
        if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            _refuse(invalid, _("“%(label)s” must be a number, like 3") % {"label": label}, field)
        return str(number)
    if kind == AttributeKind.DATE:
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            _refuse(
                invalid,
                _("“%(label)s” must be a real date, like 2026-03-27") % {"label": label},
                field,
            )
    if kind == AttributeKind.CHOICE:
        if str(value) not in choices:
            _refuse(
                invalid,
                _("Choose an answer to “%(label)s” from the list") % {"label": label},
                field,
            )
        return str(value)
    if kind == AttributeKind.MULTIPLE_CHOICE:
        values = value if isinstance(value, list) else [value]
        if not values or any(str(item) not in choices for item in values):
            _refuse(
                invalid, _("Choose answers to “%(label)s” from the list") % {"label": label}, field
            )
        return [str(item) for item in values]
    limit = 200 if kind == AttributeKind.LOCATION else ATTRIBUTE_TEXT_LIMIT
    return _check_text(str(value), field=str(label), limit=limit, error_field=field)


def check_attribute_definitions(attributes: Any) -> list[dict[str, Any]]:
    """Question definitions for a case type, checked (administrators edit these)."""
    if not isinstance(attributes, list) or len(attributes) > ATTRIBUTE_COUNT_LIMIT:
        _refuse(CaseError.INVALID_ATTRIBUTE, _("Give at most 50 questions as a list"), "attributes")
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    kinds = {kind.value for kind in AttributeKind}
    for item in attributes:
        code = str(item.get("code", "")) if isinstance(item, dict) else ""
        if not code or not code.replace("-", "").replace("_", "").isalnum() or code in seen:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Each question needs its own short code"),
                "attributes",
            )
        kind = item.get("kind", AttributeKind.TEXT)
        if kind not in kinds:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Unknown question kind %(kind)s") % {"kind": str(kind)[:30]},
                "attributes",
            )
        choices = [str(choice)[:100] for choice in item.get("choices", [])]
        if kind in {AttributeKind.CHOICE, AttributeKind.MULTIPLE_CHOICE} and not choices:
            _refuse(CaseError.INVALID_ATTRIBUTE, _("A choice question needs choices"), "attributes")
        seen.add(code)
        cleaned.append(
            {
                "code": code[:60],
                "label": str(item.get("label") or code)[:200],
                "kind": kind,
                "required": bool(item.get("required", False)),
                "choices": choices,
            }
        )
    return cleaned


# --- case types ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseTypeInput:
    code: str
    name: str
    kind: str
    service: Service
    default_team: Team
    standard_codes: Sequence[str] = ()
    attributes: Sequence[dict[str, Any]] = ()
    description: str = ""
    reopen_within_days: int = 28
    escalation: Sequence[tuple[int, str]] = ()  # (percent, EscalationAction)
    routing: Sequence[tuple[str, str, Team]] = ()  # (postcode prefix, ward, team)


def _case_type_snapshot(case_type: CaseType) -> dict[str, Any]:
    """What an administrator can change on a case type, as plain values (for the audit)."""
    return {
        "name": case_type.name,
        "kind": case_type.kind,
        "service": case_type.service_id,
        "default_team": case_type.default_team_id,
        "standard_codes": list(case_type.standard_codes),
        "attributes": case_type.attributes,
        "description": case_type.description,
        "reopen_within_days": case_type.reopen_within_days,
        "escalation": sorted(
            [rule.percent, rule.action] for rule in case_type.escalation_rules.all()
        ),
        "routing": sorted(
            [rule.postcode_prefix, rule.ward, rule.team_id]
            for rule in case_type.routing_rules.all()
        ),
    }


def save_case_type(organisation: Organisation, *, by: User | None, data: CaseTypeInput) -> CaseType:
    """Create or update the case type ``data.code`` with its escalation and routing rules."""
    for obj in (data.service, data.default_team, *(team for _p, _w, team in data.routing)):
        _same_organisation(
            obj, organisation.pk, _("Choose services and teams of your own organisation")
        )
    if data.kind not in CaseKind.values:
        _refuse(CaseError.UNKNOWN_TYPE, _("Choose a kind of case from the list"), "kind")
    attributes = check_attribute_definitions(list(data.attributes))
    for code in data.standard_codes:
        _standard(organisation.pk, code, data.service.pk)
    actions = set(EscalationAction.values)
    for percent, action in data.escalation:
        if action not in actions or not 1 <= percent <= 500:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Escalation needs a percentage from 1 to 500 and an action"),
                "escalation",
            )
    with transaction.atomic():
        case_type = CaseType.objects.for_organisation(organisation).filter(code=data.code).first()
        created = case_type is None
        if case_type is None:
            case_type = CaseType(organisation=organisation, code=data.code)
        before = {} if created else _case_type_snapshot(case_type)
        case_type.name = data.name
        case_type.kind = data.kind
        case_type.service = data.service
        case_type.default_team = data.default_team
        case_type.standard_codes = list(data.standard_codes)
        case_type.attributes = attributes
        case_type.description = data.description
        case_type.reopen_within_days = data.reopen_within_days
        case_type.save()
        # Keep rules that stay (their identity makes each escalation happen once per case);
        # remove the others (applied escalations keep their percent and action).
        wanted = set(data.escalation)
        for rule in case_type.escalation_rules.all():
            if (rule.percent, rule.action) in wanted:
                wanted.discard((rule.percent, rule.action))
            else:
                rule.delete()
        for percent, action in sorted(wanted):
            EscalationRule(
                organisation=organisation, case_type=case_type, percent=percent, action=action
            ).save(force_insert=True)
        routing = {
            (queries.postcode_key(prefix), ward.strip(), team.pk)
            for prefix, ward, team in data.routing
        }
        for routing_rule in case_type.routing_rules.all():
            key = (routing_rule.postcode_prefix, routing_rule.ward, routing_rule.team_id)
            if key in routing:
                routing.discard(key)
            else:
                routing_rule.delete()
        for prefix, ward, team_id in sorted(routing):
            RoutingRule(
                organisation=organisation,
                case_type=case_type,
                postcode_prefix=prefix,
                ward=ward,
                team_id=team_id,
            ).save(force_insert=True)
        after = _case_type_snapshot(case_type)
        changes = audit.changed_fields(before, after)
        if created or changes:
            audit.record(
                organisation=organisation,
                by=by,
                action=AuditAction.CREATED if created else AuditAction.CHANGED,
                obj=case_type,
                summary=f"Case type {data.code} saved",
                changes={} if created else changes,
            )
    return case_type


# --- raising ------------------------------------------------------------------------------------
def raise_case(
    organisation: Organisation,
    *,
    by: User | None,
    case_type_code: str,
    title: str,
    description: str = "",
    attributes: dict[str, Any] | None = None,
    customer: Customer | None = None,
    contact: Contact | None = None,
    postcode: str = "",
    ward: str = "",
    source: str = Source.DESK,
    councillor: User | None = None,
    constituent_name: str = "",
    received_at: datetime.datetime | None = None,
) -> Case:
    """Raise a case: reference, routing, deadlines from the clock, acknowledgement recorded."""
    case_type = (
        CaseType.objects.for_organisation(organisation)
        .filter(code=str(case_type_code)[:60])
        .first()
    )
    if case_type is None:
        raise ServiceError(
            CaseError.UNKNOWN_TYPE,
            _("There is no case type “%(code)s”: choose one from the list")
            % {"code": str(case_type_code)[:60]},
            field="case_type",
        )
    if not case_type.is_active:
        _refuse(
            CaseError.INACTIVE_TYPE,
            _("%(type)s is no longer in use: choose another") % {"type": case_type.name},
            "case_type",
        )
    title = _check_text(
        title, field=_("title"), error_field="title", limit=TITLE_LIMIT, required=True
    )
    description = _check_text(
        description, field=_("description"), error_field="description", limit=TEXT_LIMIT
    )
    constituent_name = _check_text(
        constituent_name, field=_("constituent's name"), error_field="constituent_name", limit=200
    )
    ward = _check_text(ward, field=_("ward"), error_field="ward", limit=100)
    cleaned = clean_attributes(case_type, attributes or {})
    for obj, label in (
        (customer, _("customer")),
        (contact, _("contact")),
        (councillor, _("councillor")),
    ):
        if obj is not None:
            _same_organisation(
                obj,
                organisation.pk,
                _("The %(what)s belongs to another organisation") % {"what": label},
            )
    if case_type.kind == CaseKind.COUNCILLOR_ENQUIRY:
        if councillor is None and by is not None and queries.is_councillor(by):
            councillor = by
        if not constituent_name and customer is None:
            _refuse(
                CaseError.MISSING_CONSTITUENT,
                _("Enter the name of the constituent the enquiry is for"),
                "constituent_name",
            )
    if contact is not None and customer is None:
        customer = contact.customer
    at = received_at or timezone.now()
    team = queries.route(case_type, postcode=postcode, ward=ward)
    with transaction.atomic():
        case = Case(
            organisation=organisation,
            reference=references.next_reference(
                organisation, case_type.reference_prefix, timezone.localdate(at).year
            ),
            case_type=case_type,
            kind=case_type.kind,
            title=title,
            description=description,
            attributes=cleaned,
            source=source,
            customer=customer,
            contact=contact,
            councillor=councillor,
            constituent_name=constituent_name,
            postcode=queries.postcode_key(postcode),
            ward=ward,
            service_id=case_type.service_id,
            team=team,
            raised_by=by,
            received_at=at,
        )
        case.save(force_insert=True)
        _start_clocks(case, case_type, at)
        _schedule_escalation(case)
        _save(case, "due_at", "standard_code", "calendar_version", "next_escalation_at")
        events.case_raised_event(case=case, by=by)
        _acknowledge(case)
        _record(
            case,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Case {case.reference} raised",
            case_type=case_type.code,
            team=team.pk,
            customer=case.customer_id,
        )
    return case


def _acknowledge(case: Case) -> None:
    due = timezone.localtime(case.due_at).strftime("%d %B %Y") if case.due_at else ""
    body = _(
        "We have received your request %(title)s. Your reference is %(reference)s. "
        "We will reply by %(due)s."
    ) % {"title": case.title, "reference": case.reference, "due": due}
    if case.customer_id is not None or case.constituent_name:
        _outbox(
            case,
            template="case-acknowledgement",
            recipient_kind="customer",
            recipient_label=str(case.customer) if case.customer else case.constituent_name,
            body=body,
        )
    if case.councillor is not None:
        _outbox(
            case,
            template="councillor-acknowledgement",
            recipient_kind="councillor",
            recipient_user=case.councillor,
            recipient_label=case.councillor.display_name,
            body=body,
        )


# --- the lifecycle ------------------------------------------------------------------------------
def _transition(case: Case, to: str, *, by: User | None) -> str:
    """Move ``case`` to ``to`` or raise ``InvalidTransition``; pauses or resumes the clock."""
    old = case.status
    if to not in ALLOWED_TRANSITIONS.get(old, frozenset()):
        raise InvalidTransition(
            _("A case that is %(old)s cannot be made %(new)s")
            % {"old": Status(old).label.lower(), "new": Status(to).label.lower()}
            if to in Status.values
            else _("“%(new)s” is not a status") % {"new": str(to)[:40]}
        )
    now = timezone.now()
    if to in PAUSED_STATUSES and old not in PAUSED_STATUSES:
        _pause_clocks(case, now)
        events.clock_paused_event(case=case, by=by)
    elif old in PAUSED_STATUSES and to not in PAUSED_STATUSES and to in OPEN_STATUSES:
        _resume_clocks(case, now)
        events.clock_resumed_event(case=case, by=by)
    case.status = to
    events.status_changed_event(case=case, by=by, old=old, new=to)
    return old


def change_status(
    case: Case, *, by: User | None, status: str, expected_version: int | None = None
) -> Case:
    """Move an open case between working statuses (resolving and closing have their own)."""
    if status in FINISHED_STATUSES:
        raise InvalidTransition(_("Use resolve or close to finish a case, with its outcome"))
    if case.status in FINISHED_STATUSES:
        raise InvalidTransition(
            _("Reopen the case first: it is %(status)s")
            % {"status": Status(case.status).label.lower()}
        )
    with transaction.atomic():
        _bump_version(case, expected_version)
        old = _transition(case, status, by=by)
        _save(
            case,
            "status",
            "version",
            "due_at",
            "standard_code",
            "calendar_version",
            "clock_paused_at",
            "next_escalation_at",
        )
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} {status}",
            status=[old, status],
        )
    return case


def assign_case(
    case: Case,
    *,
    by: User | None,
    assignee: User | None,
    team: Team | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Assign to a person (in the case's team, or ``team``) or to a team's queue, with a reason."""
    reason = _check_text(reason, field=_("reason"), error_field="reason", limit=500)
    target_team = team or case.team
    _same_organisation(
        target_team, case.organisation_id, _("Choose a team of your own organisation")
    )
    if assignee is not None:
        _same_organisation(
            assignee, case.organisation_id, _("Choose someone in your own organisation")
        )
        if (
            not TeamMembership.objects.for_organisation(case.organisation_id)
            .filter(team=target_team, user=assignee)
            .exists()
        ):
            _refuse(
                CaseError.NOT_A_TEAM_MEMBER,
                _("%(name)s is not in %(team)s: choose a member of the team")
                % {"name": assignee.display_name, "team": target_team.name},
                "assignee",
            )
    if case.status in FINISHED_STATUSES:
        _refuse(CaseError.ALREADY_CLOSED, _("Reopen the case before you assign it"), "assignee")
    with transaction.atomic():
        _bump_version(case, expected_version)
        before = {"assignee": case.assignee_id, "team": case.team_id}
        case.assignee = assignee
        case.team = target_team
        case.service_id = case.service_id if team is None else target_team.service_id
        fields = ["assignee", "team", "service", "version"]
        if assignee is not None and case.status == Status.NEW:
            _transition(case, Status.ASSIGNED, by=by)
            fields.append("status")
        elif assignee is None and case.status == Status.ASSIGNED:
            _transition(case, Status.NEW, by=by)
            fields.append("status")
        _save(case, *fields)
        events.case_assigned_event(
            case=case,
            by=by,
            assignee=assignee.display_name if assignee else "",
            team=target_team.name,
            reason=reason,
        )
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} assigned",
            assignee=[before["assignee"], case.assignee_id],
            team=[before["team"], case.team_id],
        )
    return case


def claim_case(case: Case, *, by: User) -> bool:
    """Take an unassigned case from the queue: ``UPDATE … WHERE assignee IS NULL``, one row."""
    with transaction.atomic():
        claimed = (
            Case.objects.for_organisation(case.organisation_id)
            .filter(pk=case.pk, assignee__isnull=True, status=Status.NEW)
            .update(
                assignee=by,
                status=Status.ASSIGNED,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
        )
        if claimed != 1:
            return False
        case.refresh_from_db()
        events.status_changed_event(case=case, by=by, old=Status.NEW, new=Status.ASSIGNED)
        events.case_assigned_event(
            case=case,
            by=by,
            assignee=by.display_name,
            team=case.team.name,
            reason=_("Taken from the queue"),
        )
        _record(case, by=by, action=AuditAction.CHANGED, summary=f"Case {case.reference} claimed")
    return True


def bulk_reassign(
    cases: Iterable[Case], *, by: User, team: Team, assignee: User | None, reason: str
) -> int:
    """Reassign many cases at once (team leaders); all or nothing."""
    chosen = list(cases)
    if len(chosen) > BULK_LIMIT:
        _refuse(
            CaseError.TOO_MANY,
            _("Reassign at most %(limit)s cases at a time") % {"limit": BULK_LIMIT},
            "references",
        )
    reason = _check_text(reason, field=_("reason"), error_field="reason", limit=500, required=True)
    with transaction.atomic():
        for case in chosen:
            assign_case(case, by=by, assignee=assignee, team=team, reason=reason)
    return len(chosen)


def add_note(case: Case, *, by: User | None, kind: str, text: str) -> CaseNote:
    """An internal note, or an update to the customer (recorded in the outbox to send)."""
    if kind not in NoteKind.values:
        _refuse(
            CaseError.INVALID_ATTRIBUTE,
            _("Choose whether the note is internal or an update to the customer"),
            "kind",
        )
    text = _check_text(text, field=_("note"), error_field="text", limit=TEXT_LIMIT, required=True)
    with transaction.atomic():
        note = CaseNote(
            organisation_id=case.organisation_id,
            case=case,
            kind=kind,
            text=text,
            written_by=by,
            written_at=timezone.now(),
        )
        note.save(force_insert=True)
        to_customer = kind == NoteKind.UPDATE_TO_CUSTOMER
        if to_customer:
            _outbox(
                case,
                template="case-update",
                recipient_kind="customer",
                recipient_label=str(case.customer)
                if case.customer
                else case.constituent_name or "",
                body=text,
            )
        events.note_added_event(case=case, by=by, to_customer=to_customer)
        audit.record(
            organisation=case.organisation_id,
            by=by,
            action=AuditAction.CREATED,
            obj=note,
            summary=f"{kind} on {case.reference}",
        )
    return note


def update_case(
    case: Case,
    *,
    by: User | None,
    expected_version: int | None,
    title: str | None = None,
    description: str | None = None,
    attributes: dict[str, Any] | None = None,
    ward: str | None = None,
) -> Case:
    """Change a case's details (not its status); refused if someone changed it meanwhile."""
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _check_text(
            title, field=_("title"), error_field="title", limit=TITLE_LIMIT, required=True
        )
    if description is not None:
        changes["description"] = _check_text(
            description, field=_("description"), error_field="description", limit=TEXT_LIMIT
        )
    if attributes is not None:
        changes["attributes"] = clean_attributes(case.case_type, attributes)
    if ward is not None:
        changes["ward"] = _check_text(ward, field=_("ward"), error_field="ward", limit=100)
    with transaction.atomic():
        _bump_version(case, expected_version)
        before = {name: getattr(case, name) for name in changes}
        for name, value in changes.items():
            setattr(case, name, value)
        _save(case, "version", *changes)
        events.case_updated_event(case=case, by=by, fields=sorted(changes))
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} changed",
            **{name: [before[name], value] for name, value in changes.items()},
        )
    return case


def _finish(
    case: Case,
    *,
    by: User | None,
    to: str,
    outcome: str,
    resolution: str,
    expected_version: int | None,
) -> Case:
    if outcome not in Outcome.values:
        _refuse(CaseError.OUTCOME_REQUIRED, _("Choose the outcome"), "outcome")
    resolution = _check_text(
        resolution, field=_("resolution"), error_field="resolution", limit=TEXT_LIMIT, required=True
    )
    if (
        case.kind == CaseKind.SUBJECT_ACCESS
        and case.identity_verified_at is None
        and outcome in RELEASED_OUTCOMES
    ):
        _refuse(
            CaseError.IDENTITY_NOT_VERIFIED,
            _("Verify the requester's identity before releasing their data"),
            "outcome",
        )
    with transaction.atomic():
        _bump_version(case, expected_version)
        now = timezone.now()
        old = _transition(case, to, by=by)
        if case.resolved_at is None or old in OPEN_STATUSES:
            case.resolved_at = now
            _stop_clocks(case, now)
        case.outcome = outcome
        case.resolution = resolution
        fields = [
            "status",
            "version",
            "outcome",
            "resolution",
            "resolved_at",
            "clock_paused_at",
            "next_escalation_at",
        ]
        if to == Status.CLOSED:
            case.closed_at = now
            fields.append("closed_at")
            events.case_closed_event(case=case, by=by)
        else:
            events.case_resolved_event(case=case, by=by)
        _save(case, *fields)
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} {to}",
            status=[old, to],
            outcome=outcome,
        )
    return case


def resolve_case(
    case: Case,
    *,
    by: User | None,
    outcome: str,
    resolution: str,
    expected_version: int | None = None,
) -> Case:
    """The answer is given: the clocks stop (met or missed) and the case waits to be closed."""
    return _finish(
        case,
        by=by,
        to=Status.RESOLVED,
        outcome=outcome,
        resolution=resolution,
        expected_version=expected_version,
    )


def close_case(
    case: Case,
    *,
    by: User | None,
    outcome: str,
    resolution: str,
    expected_version: int | None = None,
) -> Case:
    """Close the case with its outcome and resolution text (stops the clocks if still running)."""
    return _finish(
        case,
        by=by,
        to=Status.CLOSED,
        outcome=outcome,
        resolution=resolution,
        expected_version=expected_version,
    )


def reopen_case(
    case: Case, *, by: User | None, reason: str, expected_version: int | None = None
) -> Case:
    """Reopen a resolved or closed case within the type's period; its clocks start afresh."""
    reason = _check_text(reason, field=_("reason"), error_field="reason", limit=500, required=True)
    if case.status not in FINISHED_STATUSES or case.resolved_at is None:
        _refuse(
            CaseError.NOT_REOPENABLE, _("Only a resolved or closed case can be reopened"), "status"
        )
    finished = case.closed_at or case.resolved_at
    assert finished is not None  # noqa: S101  # resolved_at checked above
    limit = clock.deadline(
        finished,
        case.case_type.reopen_within_days,
        clock.Unit.CALENDAR_DAYS,
        calendar_named(CalendarChoice.ORGANISATION, case.organisation),
    )
    now = timezone.now()
    if now > limit:
        _refuse(
            CaseError.REOPEN_PERIOD_PASSED,
            _(
                "%(type)s cases can be reopened for %(days)s days after closing: "
                "raise a new case instead"
            )
            % {"type": case.case_type.name, "days": case.case_type.reopen_within_days},
            "reason",
        )
    with transaction.atomic():
        _bump_version(case, expected_version)
        _transition(case, Status.IN_PROGRESS, by=by)
        case.reopened_count += 1
        case.outcome = ""
        case.resolved_at = None
        case.closed_at = None
        _restart_clocks(case, now)
        _save(
            case,
            "status",
            "version",
            "reopened_count",
            "outcome",
            "resolved_at",
            "closed_at",
            "due_at",
            "standard_code",
            "calendar_version",
            "clock_paused_at",
            "next_escalation_at",
        )
        events.case_reopened_event(case=case, by=by, reason=reason)
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Case {case.reference} reopened",
            reason=reason,
        )
    return case


def link_cases(case: Case, *, by: User | None, other: Case, kind: str) -> CaseLink:
    if kind not in LinkKind.values:
        _refuse(CaseError.INVALID_ATTRIBUTE, _("Choose how the cases are linked"), "kind")
    _same_organisation(other, case.organisation_id, _("There is no such case"))
    if other.pk == case.pk:
        _refuse(CaseError.LINK_TO_ITSELF, _("A case cannot be linked to itself"), "other")
    with transaction.atomic():
        if case.links.filter(linked_case=other, kind=kind).exists():
            _refuse(CaseError.ALREADY_LINKED, _("These cases are already linked that way"), "other")
        link = CaseLink(
            organisation_id=case.organisation_id, case=case, linked_case=other, kind=kind
        )
        link.save(force_insert=True)
        events.case_linked_event(case=case, by=by, kind=kind, other=other.reference)
        audit.record(
            organisation=case.organisation_id,
            by=by,
            action=AuditAction.CREATED,
            obj=link,
            summary=f"{case.reference} {kind} {other.reference}",
        )
    return link


def add_contribution_task(
    case: Case, *, by: User | None, team: Team, description: str
) -> ContributionTask:
    """Ask a contributing service's team for its part; the case's (lead) service answers."""
    _same_organisation(team, case.organisation_id, _("Choose a team of your own organisation"))
    description = _check_text(
        description,
        field=_("description"),
        error_field="description",
        limit=TEXT_LIMIT,
        required=True,
    )
    with transaction.atomic():
        task = ContributionTask(
            organisation_id=case.organisation_id,
            case=case,
            service_id=team.service_id,
            team=team,
            description=description,
            created_at=timezone.now(),
        )
        task.save(force_insert=True)
        events.task_added_event(case=case, by=by, service=team.service.name)
        audit.record(
            organisation=case.organisation_id,
            by=by,
            action=AuditAction.CREATED,
            obj=task,
            summary=f"Task for {team.name} on {case.reference}",
        )
    return task


def complete_contribution_task(
    task: ContributionTask, *, by: User | None, response: str
) -> ContributionTask:
    response = _check_text(
        response, field=_("response"), error_field="response", limit=TEXT_LIMIT, required=True
    )
    if task.status == TaskStatus.DONE:
        _refuse(CaseError.ALREADY_CLOSED, _("This task is already done"), "response")
    with transaction.atomic():
        task.status = TaskStatus.DONE
        task.response = response
        task.completed_at = timezone.now()
        task.save(update_fields=["status", "response", "completed_at"])
        events.task_done_event(case=task.case, by=by, service=task.service.name)
        audit.record(
            organisation=task.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=task,
            summary=f"Task done on {task.case.reference}",
        )
    return task


def record_case_viewed(case: Case, *, by: User) -> None:
    with transaction.atomic():
        audit.viewed(case, by=by, summary=f"Case {case.reference} viewed")


def record_export(user: User, *, rows: int, what: str) -> None:
    with transaction.atomic():
        audit.record(
            organisation=user.organisation_id or 0,
            by=user,
            action=AuditAction.EXPORTED,
            object_type="cases.case",
            summary=f"{what}: {rows} cases exported",
        )


# --- statutory requests: FOI, EIR, subject access -----------------------------------------------
def _statutory(case: Case, kinds: frozenset[str] | None = None) -> None:
    if not case.is_statutory or (kinds is not None and case.kind not in kinds):
        _refuse(
            CaseError.NOT_STATUTORY,
            _("This applies only to information and subject access requests"),
        )
    if not case.is_open:
        _refuse(CaseError.ALREADY_CLOSED, _("The request is finished: reopen it first"))


def record_clarification(case: Case, *, by: User | None, note: str = "") -> Case:
    """The requester answered our request for clarification: the clock starts afresh (FOIA s.1(3),
    EIR reg. 9(4), UK GDPR art. 12(3))."""
    _statutory(case)
    with transaction.atomic():
        _bump_version(case, None)
        fields = ["version"]
        if case.status == Status.WAITING_FOR_CUSTOMER:
            case.status = Status.IN_PROGRESS
            events.status_changed_event(
                case=case, by=by, old=Status.WAITING_FOR_CUSTOMER, new=Status.IN_PROGRESS
            )
            fields.append("status")
        _restart_clocks(case, timezone.now())
        _save(
            case,
            *fields,
            "due_at",
            "standard_code",
            "calendar_version",
            "clock_paused_at",
            "next_escalation_at",
        )
        events.clock_restarted_event(
            case=case, by=by, reason=note[:200] or _("Clarification received")
        )
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Clock restarted on {case.reference}",
            due_at=case.due_at,
        )
    return case


def extend_deadline(case: Case, *, by: User | None, reason: str) -> Case:
    """EIR: 40 working days for complex and voluminous requests; FOI: up to 20 more working days
    to consider the public interest; subject access: two more months.  Once, with a reason."""
    _statutory(case)
    reason = _check_text(
        reason, field=_("reason"), error_field="reason", limit=TEXT_LIMIT, required=True
    )
    if case.extended_at is not None:
        _refuse(
            CaseError.ALREADY_EXTENDED, _("The deadline has already been extended once"), "reason"
        )
    with transaction.atomic():
        _bump_version(case, None)
        row = _primary(case)
        if row is None:
            _refuse(CaseError.MISSING_STANDARD, _("The request has no deadline to extend"))
        assert row is not None  # noqa: S101
        calendar = _calendar_of(row, case)
        if case.kind == CaseKind.ENVIRONMENTAL_INFORMATION:
            row.amount = max(row.amount, EIR_EXTENDED_WORKING_DAYS)
        elif case.kind == CaseKind.FREEDOM_OF_INFORMATION:
            row.amount += FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS
        else:
            row.amount += SUBJECT_ACCESS_EXTRA_MONTHS
        row.due_at = _replay(row, row.amount, calendar)
        if row.paused_at is not None:
            row.due_at = row.due_at  # a paused clock keeps its (now longer) deadline
        row.calendar_version = calendar.version
        row.save(update_fields=["amount", "due_at", "calendar_version"])
        _copy_primary(case, row)
        case.extension_reason = reason
        case.extended_at = timezone.now()
        _schedule_escalation(case)
        _save(
            case,
            "version",
            "due_at",
            "calendar_version",
            "extension_reason",
            "extended_at",
            "next_escalation_at",
        )
        events.deadline_extended_event(case=case, by=by, reason=reason)
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Deadline of {case.reference} extended",
            due_at=case.due_at,
            reason=reason,
        )
    return case


def verify_identity(case: Case, *, by: User | None) -> Case:
    _statutory(case, frozenset({CaseKind.SUBJECT_ACCESS}))
    with transaction.atomic():
        _bump_version(case, None)
        case.identity_verified_at = timezone.now()
        _save(case, "version", "identity_verified_at")
        events.identity_verified_event(case=case, by=by)
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Identity verified on {case.reference}",
        )
    return case


def record_exemptions(case: Case, *, by: User | None, exemptions: Sequence[str]) -> Case:
    """FOI exemptions (``s40(2)``) or EIR exceptions (``reg 12(5)(b)``) applied to the response."""
    _statutory(case, INFORMATION_KINDS)
    cleaned = sorted(
        {
            _check_text(item, field=_("exemption"), error_field="exemption", limit=60)
            for item in exemptions
        }
        - {""}
    )
    if len(cleaned) > 30:
        _refuse(CaseError.TOO_MANY, _("Record at most 30 exemptions"), "exemptions")
    with transaction.atomic():
        _bump_version(case, None)
        case.exemptions = cleaned
        _save(case, "version", "exemptions")
        events.exemptions_recorded_event(case=case, by=by, exemptions=cleaned)
        _record(
            case,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Exemptions on {case.reference}",
            exemptions=cleaned,
        )
    return case


def publish_response(case: Case, *, by: User | None, summary: str) -> Case:
    """Add a released FOI/EIR response to the public disclosure log (no personal data)."""
    if case.kind not in INFORMATION_KINDS:
        _refuse(CaseError.NOT_STATUTORY, _("Only FOI and EIR responses go in the disclosure log"))
    if case.outcome not in RELEASED_OUTCOMES or case.status not in FINISHED_STATUSES:
        _refuse(
            CaseError.NOT_RELEASED,
            _("Only a finished request with information released can be published"),
            "summary",
        )
    summary = _check_text(
        summary, field=_("summary"), error_field="summary", limit=TEXT_LIMIT, required=True
    )
    with transaction.atomic():
        _bump_version(case, None)
        case.disclosure_summary = summary
        case.published_at = timezone.now()
        _save(case, "version", "disclosure_summary", "published_at")
        events.response_published_event(case=case, by=by)
        _record(case, by=by, action=AuditAction.CHANGED, summary=f"{case.reference} published")
    return case


# --- escalation ---------------------------------------------------------------------------------
def escalate_due_cases(*, by: User | None = None, now: datetime.datetime | None = None) -> int:
    """The sweep: first recalculate deadlines the calendar has moved since they were computed,
    then apply every escalation whose threshold has passed, once each; returns how many
    escalations were applied.  Set-based, in chunks of cases, each chunk its own short
    transaction (``onestop/cases/escalation.py``)."""
    from onestop.cases import escalation  # imports this module's clock helpers

    escalation.recalculate_deadlines()
    return escalation.escalate(now=now or timezone.now())

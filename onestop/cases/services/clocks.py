"""Clocks: every deadline of a case comes from ``standards.clock`` (through ``cases.deadlines``)
and is stored on a ``CaseClock`` row; the escalation time is worked out from the primary clock."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.translation import gettext as _

from onestop.cases import deadlines
from onestop.cases.errors import CaseError
from onestop.cases.models import (
    Case,
    CaseClock,
    CaseEscalation,
    CaseType,
    EscalationDue,
    EscalationRule,
)
from onestop.core import batch
from onestop.core.errors import ServiceError
from onestop.standards import clock
from onestop.standards import queries as standards_queries
from onestop.standards.models import Standard


def _standard(organisation_id: int, code: str, service_id: int) -> Standard:
    """The timed standard ``code`` for the service (its own, else the organisation's)."""
    chosen = batch.remembered(
        ("cases.standard", organisation_id, code, service_id),
        lambda: standards_queries.standard_for(organisation_id, code, service_id),
    )
    if chosen is None or not chosen.is_timed:
        raise ServiceError(
            CaseError.MISSING_STANDARD,
            _("The case type uses standard %(code)s, which is not set up with a time limit")
            % {"code": code},
        )
    return chosen


def _calendar_of(row: CaseClock, case: Case) -> clock.Calendar:
    return deadlines.calendar_named(row.calendar_name, case.organisation)


def _start_clocks(case: Case, case_type: CaseType, at: datetime.datetime) -> list[CaseClock]:
    """The case's clocks, one per standard of its type (the first the primary one), unsaved,
    and the primary's deadline set on ``case``: worked out before the case is first saved, so
    it is inserted with its deadline (``_save_clocks`` writes them once it has an id)."""
    rows: list[CaseClock] = []
    for code in case_type.standard_codes:
        standard = _standard(case.organisation_id, code, case_type.service_id)
        calendar = deadlines.calendar_named(standard.calendar, case.organisation)
        assert standard.amount is not None  # noqa: S101  # _standard only returns timed ones
        due = clock.deadline(at, standard.amount, standard.unit, calendar)
        rows.append(
            CaseClock(
                organisation_id=case.organisation_id,
                standard_code=standard.code,
                is_primary=not rows,
                amount=standard.amount,
                unit=standard.unit,
                calendar_name=standard.calendar,
                calendar_version=calendar.version,
                started_at=at,
                due_at=due,
            )
        )
        if len(rows) == 1:
            case.due_at = due
            case.standard_code = standard.code
            case.calendar_version = calendar.version
    return rows


def _save_clocks(case: Case, rows: list[CaseClock]) -> None:
    """Write ``_start_clocks``'s clocks of ``case`` (now saved), then its first escalation time
    (a case just raised has no escalation applied yet, so nothing needs reading back)."""
    for row in rows:
        row.case = case
        batch.insert(row)
    _schedule_escalation(case, primary=rows[0] if rows else None, new=True)


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
    _store_next_escalation(case, None)


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
        row.team_id = case.team_id  # whose result it is, whatever team the case has later
        row.save(update_fields=["stopped_at", "is_met", "team"])
    case.clock_paused_at = None
    _store_next_escalation(case, None)


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
        row.team = None
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
                "team",
                "restarted_count",
                "calendar_version",
            ]
        )
        if row.is_primary:
            _copy_primary(case, row)
    _schedule_escalation(case)


def _rules(case: Case) -> list[EscalationRule]:
    """The case type's escalation rules (read once per ``core.batch``)."""
    return batch.remembered(
        ("cases.escalation_rules", case.organisation_id, case.case_type_id),
        lambda: list(
            EscalationRule.objects.for_organisation(case.organisation_id)
            .filter(case_type_id=case.case_type_id)
            .order_by("percent", "action")
        ),
    )


def _store_next_escalation(
    case: Case, value: datetime.datetime | None, *, new: bool = False
) -> None:
    """When the sweep next has something to do for ``case`` (``None``: nothing): its
    ``EscalationDue`` row, written or created in one statement.  ``new``: the case was raised
    in this transaction, so it has no row yet and the row is simply inserted (with the batch's
    others in the IMAP poller's batch: no upsert to compile for each batch)."""
    row = EscalationDue(organisation_id=case.organisation_id, case=case, next_at=value)
    if new:
        batch.insert(row)
        return
    batch.upsert(
        lambda: EscalationDue.objects.for_organisation(case.organisation_id),
        row,
        unique_fields=["case", "organisation"],
        update_fields=["next_at"],
    )


def _schedule_escalation(
    case: Case,
    rules: Sequence[EscalationRule] | None = None,
    *,
    primary: CaseClock | None = None,
    new: bool = False,
) -> None:
    """Store the case's next escalation time: the earliest threshold of a rule not yet applied
    this run.  ``new``: the case was raised in this transaction, ``primary`` its primary clock
    as just written (or None: it has none) and no rule applied yet, so neither is read."""
    row = primary if new else _primary(case)
    if row is None or row.stopped_at is not None or row.paused_at is not None:
        _store_next_escalation(case, None, new=new)
        return
    applied: set[int] = (
        set()
        if new
        else set(
            CaseEscalation.objects.for_organisation(case.organisation_id)
            .filter(case=case, clock_run=row.restarted_count)
            .values_list("rule_id", flat=True)
        )
    )
    pending = [
        rule for rule in (rules if rules is not None else _rules(case)) if rule.pk not in applied
    ]
    if not pending:
        _store_next_escalation(case, None, new=new)
        return
    calendar = _calendar_of(row, case)
    _store_next_escalation(
        case, min(deadlines.threshold(row, rule.percent, calendar) for rule in pending), new=new
    )

"""The escalation sweep and calendar-change recalculation, set-based.

``escalate_due_cases`` runs both (the ``onestop cases escalate`` command and the
``escalate_cases`` task).  Work is done organisation by organisation in chunks of cases, each
chunk in one short transaction: a handful of statements per chunk whatever its size, so the sweep
costs per chunk, not per case.

* ``recalculate_deadlines``: every open clock on an organisation's calendar whose
  ``calendar_version`` is older than the organisation's current one (a closure day was added or
  removed) is recalculated through ``clock.recalculate`` (the bulk form; clocks with pauses are
  replayed through the same clock).  Policy (docs/clock.md): a deadline is never brought
  forward; when it moves later the case's timeline shows it and, for the primary clock (the date
  promised in the acknowledgement), the customer is told through the outbox.  Every clock gets
  the new calendar version, so this happens once.
* ``escalate``: cases whose next time (``EscalationDue.next_at``) has passed; for each, the
  rules of its type not yet applied in the clock's current run whose threshold has passed are
  applied at once:
  ``CaseEscalation`` rows in bulk (``ignore_conflicts`` on the once-only constraint), timeline
  events and outbox notices in bulk, one audit record per chunk, and the next times advanced
  in bulk (one statement on PostgreSQL).  The next times are a narrow table of their own, so
  advancing them does not rewrite the wide case rows and every index of theirs.

The deadline arithmetic is ``cases.deadlines``; the bulk statements are ``core.bulk``.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import deadlines, events
from onestop.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseClock,
    CaseEscalation,
    CaseEvent,
    EscalationAction,
    EscalationDue,
    EscalationRule,
)
from onestop.cases.services._common import _tell_parties
from onestop.core import audit, bulk
from onestop.core.models import AuditAction, Organisation, RoleCode, User
from onestop.directory.models import Team, TeamMembership
from onestop.notify.models import Event
from onestop.notify.services import compose
from onestop.standards import clock
from onestop.standards.models import CalendarChoice

CHUNK = 5_000
_ESCALATION_COLUMNS = (
    "organisation_id",
    "case_id",
    "rule_id",
    "percent",
    "action",
    "applied_at",
    "clock_run",
)
_OPEN = sorted(OPEN_STATUSES)
_CLOCK_FIELDS = (
    "id",
    "case_id",
    "standard_code",
    "is_primary",
    "started_at",
    "due_at",
    "amount",
    "unit",
    "calendar_name",
    "calendar_version",
    "pauses",
    "paused_at",
    "stopped_at",
    "restarted_count",
)


@dataclass(slots=True)
class _Clock:
    """A ``CaseClock`` row as plain values (thousands per chunk: no model instances)."""

    id: int
    case_id: int
    standard_code: str
    is_primary: bool
    started_at: datetime.datetime
    due_at: datetime.datetime
    amount: int
    unit: str
    calendar_name: str
    calendar_version: int | None
    pauses: list[list[str]]
    paused_at: datetime.datetime | None
    stopped_at: datetime.datetime | None
    restarted_count: int


def _clocks(organisation: Organisation, filters: Q) -> list[_Clock]:
    return [
        _Clock(*values)
        for values in CaseClock.objects.for_organisation(organisation)
        .filter(filters)
        .values_list(*_CLOCK_FIELDS)
    ]


def _lock_cases(organisation: Organisation, ids: Sequence[int], *extra: Q) -> list[int]:
    """The still-open cases of ``ids``, locked for this transaction.

    Why a lock: two sweeps (cron and ``--enqueue`` overlapping) must not both apply a threshold
    or both tell a customer about one calendar change.  ``skip_locked`` lets the second sweep
    pass over cases the first holds; when the first commits they are no longer due.  (SQLite
    serialises writers, so it needs no row lock.)
    """
    return list(
        Case.objects.for_organisation(organisation)
        .filter(*extra, pk__in=list(ids), status__in=_OPEN)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)
    )


def _rules_by_type(organisation: Organisation) -> dict[int, list[EscalationRule]]:
    rules: dict[int, list[EscalationRule]] = defaultdict(list)
    for rule in EscalationRule.objects.for_organisation(organisation).order_by(
        "case_type_id", "percent", "action"
    ):
        rules[rule.case_type_id].append(rule)
    return rules


@dataclass(frozen=True, slots=True)
class _Plan:
    """For each case: the (rule, threshold) pairs due now and the next time after that."""

    due: dict[int, list[tuple[EscalationRule, datetime.datetime]]]
    next_at: dict[int, datetime.datetime | None]


def _plan(
    organisation: Organisation,
    case_types: dict[int, int],
    primaries: dict[int, _Clock],
    rules: dict[int, list[EscalationRule]],
    now: datetime.datetime | None,
    applied: set[tuple[int, int | None, int]],
) -> _Plan:
    """Which thresholds of ``case_types`` (case id -> type id) have passed by ``now`` (``None``:
    none are applied, only the next time is worked out) and when each case is next due;
    ``applied`` holds the (case, rule, clock run) already applied."""
    calendars = {
        name: deadlines.calendar_named(name, organisation)
        for name in {row.calendar_name for row in primaries.values()}
    }
    # Per type, once: its rules with their ids, and its distinct percentages.
    by_type = {
        type_id: ([(rule.id, rule.percent, rule) for rule in found], {r.percent for r in found})
        for type_id, found in rules.items()
    }
    running: list[tuple[int, _Clock, list[tuple[int, int, EscalationRule]]]] = []
    pending: dict[int, list[_Clock]] = defaultdict(list)
    for case_id, type_id in case_types.items():
        row = primaries.get(case_id)
        if row is None or row.stopped_at is not None or row.paused_at is not None:
            continue
        type_rules, percents = by_type.get(type_id, ([], set()))
        running.append((case_id, row, type_rules))
        for percent in percents:
            pending[percent].append(row)
    when: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
    for percent, rows in pending.items():
        for row, value in zip(rows, deadlines.thresholds(rows, percent, calendars), strict=True):
            when[row.case_id][percent] = value
    due: dict[int, list[tuple[EscalationRule, datetime.datetime]]] = {}
    next_at: dict[int, datetime.datetime | None] = dict.fromkeys(case_types)
    for case_id, row, type_rules in running:
        thresholds = when[case_id]
        run = row.restarted_count
        upcoming: datetime.datetime | None = None
        for rule_id, percent, rule in type_rules:
            if applied and (case_id, rule_id, run) in applied:
                continue
            threshold = thresholds[percent]
            if now is not None and threshold <= now:
                due.setdefault(case_id, []).append((rule, threshold))
            elif upcoming is None or threshold < upcoming:
                upcoming = threshold
        next_at[case_id] = upcoming
    return _Plan(due=due, next_at=next_at)


def _store_next_times(
    organisation: Organisation, next_at: dict[int, datetime.datetime | None]
) -> None:
    """The next escalation time of many cases (``EscalationDue`` rows, written or created) in
    one statement on PostgreSQL: working-day thresholds share a few end-of-day times, so the
    times go as those few values and each case's position among them (``core.bulk``)."""
    bulk.upsert_rows(
        EscalationDue,
        ("organisation_id", "case_id", "next_at"),
        [(organisation.pk, case_id, value) for case_id, value in next_at.items()],
        unique=("case_id", "organisation_id"),
        update=("next_at",),
    )


# --- recipients of escalation notices -----------------------------------------------------------
class _Recipients:
    """Who each escalation action notifies, looked up once per team or service per sweep."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.team_names: dict[int, str] = dict(
            Team.objects.for_organisation(organisation).values_list("pk", "name")
        )
        self.leaders: dict[int, list[tuple[int | None, str]]] | None = None
        self.heads: dict[int, list[tuple[int | None, str]]] | None = None
        self.names: dict[int, str] = {}

    def load_assignees(self, ids: Iterable[int]) -> None:
        missing = sorted(set(ids) - set(self.names))
        for user in User.objects.filter(pk__in=missing, organisation=self.organisation).only(
            "pk", "username", "first_name", "last_name"
        ):
            self.names[user.pk] = user.display_name

    def _people(self, role: str, group_by: str) -> dict[int, list[tuple[int | None, str]]]:
        """The organisation's team members with ``role``, by team or by the team's service
        (one statement, not one per team)."""
        memberships = (
            TeamMembership.objects.for_organisation(self.organisation)
            .filter(user__roles__code=role, user__roles__organisation_id=self.organisation.pk)
            .select_related("user", "team")
            .order_by("user_id")
        )
        people: dict[int, dict[int, str]] = defaultdict(dict)
        for membership in memberships:
            key = membership.team_id if group_by == "team" else membership.team.service_id
            people[key][membership.user_id] = membership.user.display_name
        return {key: list(found.items()) for key, found in people.items()}

    def for_action(
        self, action: str, *, assignee_id: int | None, team_id: int, service_id: int
    ) -> list[tuple[int | None, str]]:
        if action == EscalationAction.NOTIFY_ASSIGNEE:
            if assignee_id is not None and assignee_id in self.names:
                return [(assignee_id, self.names[assignee_id])]
            action = EscalationAction.NOTIFY_TEAM_LEADER
        team = self.team_names.get(team_id, "")
        if action == EscalationAction.NOTIFY_TEAM_LEADER:
            if self.leaders is None:
                self.leaders = self._people(RoleCode.TEAM_LEADER, "team")
            if team_id not in self.leaders:
                self.leaders[team_id] = [(None, _("Team leader of %(team)s") % {"team": team})]
            return self.leaders[team_id]
        if self.heads is None:
            self.heads = self._people(RoleCode.MANAGER, "service")
        if service_id not in self.heads:
            self.heads[service_id] = [(None, _("Head of service for %(team)s") % {"team": team})]
        return self.heads[service_id]


# --- the sweep ----------------------------------------------------------------------------------
def escalate_due_cases(*, by: User | None = None, now: datetime.datetime | None = None) -> int:
    """The sweep: first recalculate deadlines the calendar has moved since they were computed,
    then apply every escalation whose threshold has passed, once each; returns how many
    escalations were applied.  Set-based, in chunks of cases, each chunk its own short
    transaction.  ``by`` is always the system (``None``): the sweep acts for nobody."""
    recalculate_deadlines()
    return escalate(now=now or timezone.now())


def escalate(*, now: datetime.datetime, chunk: int = CHUNK) -> int:
    """Apply every escalation whose threshold has passed, once each; returns how many."""
    total = 0
    for organisation in Organisation.objects.filter(is_active=True).order_by("pk"):
        due_count = (
            EscalationDue.objects.for_organisation(organisation)
            .filter(next_at__lte=now, case__status__in=_OPEN)
            .count()
        )
        if not due_count:
            continue
        rules = _rules_by_type(organisation)
        recipients = _Recipients(organisation)
        # Each chunk moves its cases' next time past ``now`` (or clears it), so the next chunk
        # is again "the first due cases"; the bound only guards against a case left due.
        for _round in range(due_count // chunk + 2):
            with transaction.atomic():
                applied, more = _escalate_chunk(organisation, now, chunk, rules, recipients)
            total += applied
            if not more:
                break
    return total


_CASE_FIELDS = (
    "id",
    "case_type_id",
    "reference",
    "title",
    "assignee_id",
    "team_id",
    "service_id",
)


@dataclass(frozen=True, slots=True)
class _DueChunk:
    """The due cases of one chunk: every one read and locked (``locked``), and of those with a
    primary clock their ``_CASE_FIELDS`` values (``cases``) and that clock (``primaries``)."""

    locked: list[int]
    cases: dict[int, tuple[Any, ...]]
    primaries: dict[int, _Clock]


def _escalate_chunk(
    organisation: Organisation,
    now: datetime.datetime,
    chunk: int,
    rules: dict[int, list[EscalationRule]],
    recipients: _Recipients,
) -> tuple[int, bool]:
    """The first ``chunk`` due cases (by next time): returns the escalations applied and whether
    there may be more."""
    due = _read_due(organisation, now, chunk)
    if not due.locked:
        return 0, False
    plan = _plan(
        organisation,
        {case_id: values[1] for case_id, values in due.cases.items()},
        due.primaries,
        rules,
        now,
        _applied_before(organisation, due.locked),
    )
    recipients.load_assignees(
        values[4] for case_id, values in due.cases.items() if case_id in plan.due and values[4]
    )
    new = _insert_escalations(organisation, plan, due.primaries, now)
    summary, escalated = _write_notices(organisation, plan, due, new, recipients, now)
    if summary:
        audit.record(
            organisation=organisation,
            by=None,
            action=AuditAction.CHANGED,
            object_type=audit.object_type_of(Case),
            summary=f"Escalation sweep: {len(summary)} escalations on {len(escalated)} cases",
            changes={"escalations": summary},
        )
    # A due case without a primary clock has nothing to escalate: it gets no next time.
    missing = set(due.locked) - set(due.cases)
    _store_next_times(organisation, {**plan.next_at, **dict.fromkeys(missing)})
    return len(summary), len(due.locked) == chunk


def _read_due(organisation: Organisation, now: datetime.datetime, chunk: int) -> _DueChunk:
    """The first ``chunk`` due cases (by next time), read with their primary clocks in one
    statement, their ``EscalationDue`` rows locked (``FOR UPDATE OF`` that narrow row, ``SKIP
    LOCKED``): an overlapping sweep passes over cases this one holds, and once this one commits
    they are no longer due; a service rescheduling one of them waits for this chunk.  (SQLite
    serialises writers: no row lock.)

    The rows come through ``core.bulk.fetch_rows`` (psycopg's C loaders on PostgreSQL, the
    pauses as text, decoded only when a clock has any)."""
    found = bulk.fetch_rows(
        EscalationDue.objects.for_organisation(organisation)
        .filter(next_at__lte=now, case__status__in=_OPEN)
        .alias(
            primary_clock=FilteredRelation(
                "case__clocks", condition=Q(case__clocks__is_primary=True)
            )
        )
        .order_by("next_at")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list(
            *(f"case__{name}" for name in _CASE_FIELDS),
            *(f"primary_clock__{name}" for name in _CLOCK_FIELDS),
        )[:chunk]
    )
    width = len(_CASE_FIELDS)
    primaries = {
        values[0]: _Clock(*values[width:]) for values in found if values[width] is not None
    }
    for primary in primaries.values():
        primary.pauses = _pauses(primary.pauses)
    return _DueChunk(
        locked=[values[0] for values in found],
        cases={values[0]: values[:width] for values in found if values[0] in primaries},
        primaries=primaries,
    )


def _pauses(value: str | list[list[str]] | Any) -> list[list[str]]:
    """A clock's pauses, from their JSON text (PostgreSQL, see ``core.bulk.fetch_rows``) or as
    Django decoded them."""
    if not isinstance(value, str):
        return value
    return [] if value == "[]" else list(json.loads(value))


def _applied_before(
    organisation: Organisation, case_ids: Sequence[int]
) -> set[tuple[int, int | None, int]]:
    """The (case, rule, clock run) already applied to ``case_ids``.  PostgreSQL learns which
    escalations are new from the insert itself (``RETURNING``), so it reads none; elsewhere
    they are read first (SQLite serialises writers)."""
    if connection.vendor == "postgresql":
        return set()
    return set(
        CaseEscalation.objects.for_organisation(organisation)
        .filter(case_id__in=case_ids)
        .values_list("case_id", "rule_id", "clock_run")
    )


def _insert_escalations(
    organisation: Organisation,
    plan: _Plan,
    primaries: dict[int, _Clock],
    now: datetime.datetime,
) -> set[tuple[int, int]]:
    """A ``CaseEscalation`` row for each threshold due in ``plan``, skipping any the once-only
    constraint refuses (already applied); returns the (case, rule) of those inserted."""
    rows = [
        (organisation.pk, case_id, rule.id, rule.percent, rule.action, now,
         primaries[case_id].restarted_count)
        for case_id, due in plan.due.items()
        for rule, _threshold_at in due
    ]  # fmt: skip
    inserted = bulk.insert_rows(
        CaseEscalation,
        _ESCALATION_COLUMNS,
        rows,
        ignore_conflicts=True,
        returning=("case_id", "rule_id"),
    )
    return {(case_id, rule_id) for case_id, rule_id in inserted}


def _write_notices(
    organisation: Organisation,
    plan: _Plan,
    due: _DueChunk,
    new: set[tuple[int, int]],
    recipients: _Recipients,
    now: datetime.datetime,
) -> tuple[list[list[Any]], set[int]]:
    """For each escalation inserted (``new``): its timeline event and the outbox notice to each
    of the rule's recipients, in bulk; returns the audit summary rows and the cases escalated."""
    timeline: list[tuple[int, int, str]] = []
    notices: list[compose.StaffNotice] = []
    summary: list[list[Any]] = []
    escalated: set[int] = set()
    for case_id, thresholds in plan.due.items():
        _pk, _type, reference, title, assignee_id, team_id, service_id = due.cases[case_id]
        for rule, _threshold_at in thresholds:
            if (case_id, rule.id) not in new:
                continue
            escalated.add(case_id)
            timeline.append((case_id, rule.percent, rule.action))
            summary.append([reference, rule.percent, rule.action])
            context = {
                "reference": reference,
                "case_title": title,
                "percent": rule.percent,
                "deadline": due.primaries[case_id].due_at,
                "deadline_time": due.primaries[case_id].due_at,
            }
            notices.extend(
                compose.StaffNotice(case_id, user_id, label, context)
                for user_id, label in recipients.for_action(
                    rule.action, assignee_id=assignee_id, team_id=team_id, service_id=service_id
                )
            )
    bulk.insert_rows(
        CaseEvent,
        events.EVENT_COLUMNS,
        events.escalated_event_rows(organisation.pk, timeline, at=now),
    )
    compose.staff_notices(organisation.pk, Event.ESCALATION, notices, now=now)
    return summary, escalated


# --- calendar changes ---------------------------------------------------------------------------
def recalculate_deadlines(*, chunk: int = CHUNK) -> int:
    """Recalculate the open clocks computed under an older calendar version; returns how many
    deadlines moved later (see the module docstring for the policy)."""
    moved = 0
    for organisation in Organisation.objects.filter(is_active=True).order_by("pk"):
        calendar = deadlines.calendar_named(CalendarChoice.ORGANISATION, organisation)
        stale = _stale(calendar)
        case_ids = sorted(
            set(
                CaseClock.objects.for_organisation(organisation)
                .filter(stale)
                .values_list("case_id", flat=True)
            )
        )
        if not case_ids:
            continue
        rules = _rules_by_type(organisation)
        for start in range(0, len(case_ids), chunk):
            with transaction.atomic():
                moved += _recalculate_chunk(
                    organisation, case_ids[start : start + chunk], calendar, rules
                )
    return moved


def _stale(calendar: clock.Calendar) -> Q:
    return Q(calendar_name=CalendarChoice.ORGANISATION, stopped_at__isnull=True) & (
        Q(calendar_version__lt=calendar.version) | Q(calendar_version__isnull=True)
    )


def _recalculate_chunk(
    organisation: Organisation,
    ids: Sequence[int],
    calendar: clock.Calendar,
    rules: dict[int, list[EscalationRule]],
) -> int:
    version = calendar.version
    assert version is not None  # noqa: S101  # organisation calendars are always versioned
    locked = _lock_cases(organisation, ids)
    rows = _clocks(organisation, Q(case_id__in=locked) & _stale(calendar))
    if not rows:
        return 0
    fresh = _recalculated(rows, calendar)
    moved = [row for row in rows if fresh[row.id] > row.due_at]
    clocks = CaseClock.objects.for_organisation(organisation)
    clocks.filter(pk__in=[row.id for row in rows]).update(calendar_version=version)
    clocks.bulk_update(
        [CaseClock(pk=row.id, due_at=fresh[row.id]) for row in moved], ["due_at"], batch_size=500
    )
    cases = Case.objects.for_organisation(organisation)
    cases.filter(pk__in={row.case_id for row in rows if row.is_primary}).update(
        calendar_version=version, updated_at=timezone.now()
    )
    primary_moved = {row.case_id: row for row in moved if row.is_primary}
    now = timezone.now()
    told: set[int] = set()
    if primary_moved:
        changed = list(
            cases.filter(pk__in=list(primary_moved)).select_related(
                "customer", "councillor", "case_type__service"
            )
        )
        for case in changed:
            case.due_at = fresh[primary_moved[case.pk].id]
            case.updated_at = now
        cases.bulk_update(changed, ["due_at", "updated_at"], batch_size=500)
        told = _tell_customers(changed, now)
        primaries = {
            row.case_id: row
            for row in _clocks(organisation, Q(case_id__in=list(primary_moved), is_primary=True))
        }
        applied = set(
            CaseEscalation.objects.for_organisation(organisation)
            .filter(case_id__in=list(primary_moved))
            .values_list("case_id", "rule_id", "clock_run")
        )
        plan = _plan(
            organisation,
            {case.pk: case.case_type_id for case in changed},
            primaries,
            rules,
            None,
            applied,
        )
        _store_next_times(organisation, plan.next_at)
    events.deadline_moved_events(
        organisation.pk,
        [
            (row.case_id, row.standard_code, row.due_at, fresh[row.id], row.case_id in told)
            for row in moved
        ],
        at=now,
        calendar_version=version,
    )
    if moved:
        audit.record(
            organisation=organisation,
            by=None,
            action=AuditAction.CHANGED,
            object_type=audit.object_type_of(Case),
            summary=f"Calendar version {version}: {len(moved)} deadlines moved later",
            changes={
                "deadlines": [
                    [row.case_id, row.standard_code, str(row.due_at), str(fresh[row.id])]
                    for row in moved
                ]
            },
        )
    return len(moved)


def _recalculated(rows: Sequence[_Clock], calendar: clock.Calendar) -> dict[int, datetime.datetime]:
    """Each clock's deadline (by clock id) under ``calendar``: in bulk through the clock's
    ``recalculate`` (which never brings one forward), clocks with pauses replayed one by one."""
    plain = [row for row in rows if not row.pauses]
    fresh = dict(
        zip(
            (row.id for row in plain),
            clock.recalculate(
                [
                    clock.StoredDeadline(
                        row.started_at, row.amount, clock.Unit(row.unit), row.due_at
                    )
                    for row in plain
                ],
                calendar,
            ),
            strict=True,
        )
    )
    for row in rows:
        if row.pauses:
            fresh[row.id] = max(row.due_at, deadlines.replay(row, row.amount, calendar))
    return fresh


def _tell_customers(cases: Sequence[Case], now: datetime.datetime) -> set[int]:
    """The message telling each customer (and councillor) their reply date moved."""
    told: set[int] = set()
    for case in cases:
        if case.customer_id is not None or case.constituent_name or case.councillor is not None:
            _tell_parties(case, Event.DEADLINE_MOVED)
            told.add(case.pk)
    return told

"""The escalation sweep and calendar-change recalculation, set-based.

``services.escalate_due_cases`` runs both (the ``onestop cases escalate`` command and the
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
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, models, transaction
from django.db.models import FilteredRelation, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import events
from onestop.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseClock,
    CaseEscalation,
    CaseEvent,
    EscalationAction,
    EscalationDue,
    EscalationRule,
    OutboxMessage,
    OutboxStatus,
)
from onestop.cases.services import _replay, _threshold, calendar_named
from onestop.core import audit
from onestop.core.db import load_times_natively
from onestop.core.models import AuditAction, Organisation, RoleCode
from onestop.directory.models import Team, TeamMembership
from onestop.standards import clock
from onestop.standards.models import CalendarChoice

CHUNK = 5_000
_OUTBOX_COLUMNS = (
    "organisation_id",
    "case_id",
    "template",
    "recipient_kind",
    "recipient_user_id",
    "recipient_label",
    "body",
    "created_at",
    "status",
)
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


class _Span(Protocol):
    """What a threshold is worked out from: a clock's start, deadline, length and pauses."""

    @property
    def started_at(self) -> datetime.datetime: ...
    @property
    def due_at(self) -> datetime.datetime: ...
    @property
    def amount(self) -> int: ...
    @property
    def unit(self) -> str: ...
    @property
    def calendar_name(self) -> str: ...
    @property
    def pauses(self) -> list[list[str]]: ...


@dataclass(frozen=True, slots=True)
class Span:
    """A clock as plain values, for ``thresholds_at`` (e.g. the queue's at-risk badges)."""

    started_at: datetime.datetime
    due_at: datetime.datetime
    amount: int
    unit: str
    calendar_name: str
    pauses: list[list[str]]


def _as_row(span: _Span) -> CaseClock:
    return CaseClock(
        started_at=span.started_at,
        due_at=span.due_at,
        amount=span.amount,
        unit=span.unit,
        pauses=span.pauses,
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

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None


def _insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Append many rows without building model instances (the sweep writes tens of thousands).
    Values are plain: ids, text, aware datetimes, JSON as a ``dict``.

    On PostgreSQL one ``INSERT ... SELECT FROM unnest(...)``: a column whose value is the same
    in every row (the organisation, the time) is sent once; one with a few distinct values (an
    action, a label) as those values and each row's position among them; the rest as one array
    each, written as PostgreSQL array text in a single join (no per-value adaptation in
    Python).  Elsewhere one prepared ``INSERT`` run for every row.

    ``ignore_conflicts``: rows a unique constraint refuses are skipped."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    # Table and column names come from the model's own metadata, never from input.
    if connection.vendor == "postgresql":
        select = _unnest_insert(model, columns, rows)
        with _bound_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({names}) {select.sql}"
                + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
                select.params,
            )
        return
    insert = connection.ops.insert_statement(
        on_conflict=OnConflict.IGNORE if ignore_conflicts else None
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"{insert} {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
            [[_adapted(value) for value in row] for row in rows],
        )


@dataclass(frozen=True, slots=True)
class _Unnest:
    sql: str
    params: list[Any]


_FEW = 64  # at most this many distinct values: sent once each, rows refer to them


def _unnest_insert(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> _Unnest:
    """``SELECT ... FROM unnest(...)`` producing ``rows`` (see ``_insert_rows``)."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    select: list[str] = []
    select_params: list[Any] = []
    arrays: list[str] = []
    array_params: list[str] = []
    for position, column in enumerate(columns):
        db_type = fields[column].db_type(connection)
        if (
            db_type is None
            or not db_type.replace(" ", "").replace("(", "").replace(")", "").isalnum()
        ):
            raise ValueError(f"{column} has no plain database type")
        values = [row[position] for row in rows]
        if isinstance(fields[column], models.JSONField):
            values = _plain_values(values)
        first = values[0]
        if all(value == first for value in values):
            select.append(f"%s::{db_type}")
            select_params.append(first)
            continue
        distinct = list(dict.fromkeys(values))
        if len(distinct) <= _FEW and len(distinct) * 4 < len(values):
            index = {value: number for number, value in enumerate(distinct, start=1)}
            select.append(f"(%s::{db_type}[])[new.c{len(arrays)}]")
            select_params.append(_array_text(distinct))
            arrays.append("integer")
            array_params.append(_array_text([index[value] for value in values]))
            continue
        select.append(f"new.c{len(arrays)}")
        arrays.append(db_type)
        array_params.append(_array_text(values))
    if not arrays:  # every row the same: unnest something of the right length
        arrays.append("integer")
        array_params.append(_array_text([1] * len(rows)))
    unnest = ", ".join(f"%s::{db_type}[]" for db_type in arrays)
    aliases = ", ".join(f"c{number}" for number in range(len(arrays)))
    # Only database types of the model's fields (checked above) and placeholders.
    columns_sql = ", ".join(select)
    sql = f"SELECT {columns_sql} FROM unnest({unnest}) AS new ({aliases})"  # noqa: S608
    return _Unnest(sql=sql, params=[*select_params, *array_params])


def _plain_values(values: list[Any]) -> list[Any]:
    """``_plain_value`` of each value of a JSON column, written once per distinct value (the
    sweep's timeline events share a handful of payloads)."""
    written: dict[Any, str] = {}
    plain: list[Any] = []
    for value in values:
        if not isinstance(value, dict):
            plain.append(_plain_value(value))
            continue
        try:
            key = tuple(value.items())
            found = written.get(key)
        except TypeError:  # a value that cannot be a key (a list): written every time
            plain.append(_plain_value(value))
            continue
        if found is None:
            found = written[key] = _plain_value(value)
        plain.append(found)
    return plain


def _array_text(values: Sequence[Any]) -> str:
    """``values`` as the text of a PostgreSQL array: integers as they are, null as ``NULL``,
    everything else quoted (a backslash and a double quote escaped, so any text is taken
    literally).  One join in C for integers, not one adaptation per value in Python."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    if all(type(value) is str for value in values):
        # Text (the notices' bodies): joined by NUL, which PostgreSQL text cannot hold, then
        # escaped in one pass and the NULs made the separators.
        joined = "\x00".join(values)
        if joined.count("\x00") == len(values) - 1:
            escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
            return '{"' + escaped.replace("\x00", '","') + '"}'
    return "{" + ",".join(map(_array_element, values)) + "}"


def _array_element(value: Any) -> str:
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    text = str(_plain_value(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _insert_escalations(rows: Sequence[Sequence[Any]]) -> set[tuple[int, int]]:
    """Insert ``_ESCALATION_COLUMNS`` rows, skipping any the once-only constraint refuses;
    returns the (case, rule) of those inserted.  PostgreSQL: one ``INSERT ... SELECT FROM
    unnest(...) ON CONFLICT DO NOTHING RETURNING``; elsewhere every row is taken as new (the
    sweep read the applied ones first, and SQLite serialises writers)."""
    if not rows:
        return set()
    if connection.vendor != "postgresql":
        _insert_rows(CaseEscalation, _ESCALATION_COLUMNS, rows, ignore_conflicts=True)
        return {(row[1], row[2]) for row in rows}
    organisation_id, _case, _rule, _percent, _action, at, _run = rows[0]
    with _bound_cursor() as cursor:
        cursor.execute(
            _ESCALATIONS_SQL,
            [
                organisation_id,
                at,
                *(_array_text([row[index] for row in rows]) for index in (1, 2, 3, 4, 6)),
            ],
        )
        return {(case_id, rule_id) for case_id, rule_id in cursor.fetchall()}


def _bound_cursor() -> Any:
    """A PostgreSQL cursor on Django's connection (same transaction) that sends parameters
    bound rather than spelt into the SQL (Django's cursor would quote arrays of thousands of
    values into the statement)."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


# The organisation and the time are the same for every row: single values, not arrays.
_ESCALATIONS_SQL = """
INSERT INTO cases_caseescalation
    (organisation_id, case_id, rule_id, percent, action, applied_at, clock_run)
SELECT %s, new.case_id, new.rule_id, new.percent, new.action, %s, new.clock_run
FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::varchar[], %s::smallint[])
    AS new (case_id, rule_id, percent, action, clock_run)
ON CONFLICT DO NOTHING
RETURNING case_id, rule_id
"""


def _plain_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def _adapted(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return _plain_value(value)


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


def _thresholds(
    rows: Sequence[_Span], percent: int, calendars: dict[str, clock.Calendar]
) -> list[datetime.datetime]:
    """When ``percent`` of each clock's time is used, through the clock's bulk form."""
    found: list[datetime.datetime | None] = [None] * len(rows)
    groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for position, row in enumerate(rows):
        if percent == 100:
            found[position] = row.due_at
        elif row.pauses or row.unit == clock.Unit.CALENDAR_MONTHS:
            found[position] = _threshold(_as_row(row), percent, calendars[row.calendar_name])
        else:
            groups[(row.calendar_name, row.unit, row.amount * percent // 100)].append(position)
    for (name, unit, amount), positions in groups.items():
        starts = [rows[position].started_at for position in positions]
        for position, value in zip(
            positions, clock.deadlines(starts, amount, unit, calendars[name]), strict=True
        ):
            found[position] = value
    return [value for value in found if value is not None]


def thresholds_at(
    organisation: Organisation,
    wanted: Sequence[tuple[_Span, int]],
    *,
    calendars: dict[str, clock.Calendar] | None = None,
) -> list[datetime.datetime]:
    """When each (clock, percent) threshold is reached, in bulk: one pass through the clock's
    bulk form per percent, calendar, unit and length, not one calculation per clock.
    ``calendars``: the organisation's, by name, when the caller already has them."""
    known = calendars or {}
    calendars = {
        name: known[name] if name in known else calendar_named(name, organisation)
        for name in {span.calendar_name for span, _percent in wanted}
    }
    by_percent: dict[int, list[int]] = defaultdict(list)
    for position, (_span, percent) in enumerate(wanted):
        by_percent[percent].append(position)
    found: list[datetime.datetime] = [wanted[0][0].due_at] * len(wanted) if wanted else []
    for percent, positions in by_percent.items():
        spans = [wanted[position][0] for position in positions]
        for position, value in zip(positions, _thresholds(spans, percent, calendars), strict=True):
            found[position] = value
    return found


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
        name: calendar_named(name, organisation)
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
        for row, value in zip(rows, _thresholds(rows, percent, calendars), strict=True):
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


# Each case's time as a position in the array of the chunk's distinct times (working-day
# thresholds share a few end-of-day times): thousands of integers, a handful of times.  A case
# without a row gets one.
_NEXT_TIMES_SQL = """
INSERT INTO cases_escalationdue (organisation_id, case_id, next_at)
SELECT %s, new.case_id, (%s::timestamp with time zone[])[new.position]
FROM unnest(%s::bigint[], %s::integer[]) AS new (case_id, position)
ON CONFLICT (case_id, organisation_id) DO UPDATE SET next_at = EXCLUDED.next_at
"""


def _store_next_times(
    organisation: Organisation, next_at: dict[int, datetime.datetime | None]
) -> None:
    """The next escalation time of many cases (``EscalationDue`` rows, written or created): on
    PostgreSQL one statement from two arrays (ids and times); elsewhere bulk upserts."""
    if not next_at:
        return
    if connection.vendor == "postgresql":
        times = sorted({value for value in next_at.values() if value is not None})
        # Arrays count from 1; position 0 is outside the array, read as null (nothing left).
        index = {value: position for position, value in enumerate(times, start=1)}
        positions = [0 if value is None else index[value] for value in next_at.values()]
        with _bound_cursor() as cursor:
            cursor.execute(
                _NEXT_TIMES_SQL,
                [organisation.pk, times, _array_text(list(next_at)), _array_text(positions)],
            )
        return
    EscalationDue.objects.for_organisation(organisation).bulk_create(
        [
            EscalationDue(organisation_id=organisation.pk, case_id=case_id, next_at=value)
            for case_id, value in next_at.items()
        ],
        update_conflicts=True,
        unique_fields=["case", "organisation"],
        update_fields=["next_at"],
        batch_size=500,
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
        from onestop.core.models import User

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
def _due_rows(due: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``due`` (a scoped ``values_list`` query), as Django would return them.

    On PostgreSQL the statement Django compiles for the query is run on a cursor that loads
    times with psycopg's own loader (written in C) and the pauses as text, decoded only when a
    clock has any: Django's time loader and JSON converter, in Python, cost more than the
    statement for a chunk of thousands.  The SQL and its parameters are Django's, from the
    organisation-scoped query: nothing here is written by hand."""
    if connection.vendor != "postgresql":
        return list(due)
    from psycopg.types.string import TextLoader

    sql, params = due.query.get_compiler(connection=connection).as_sql()
    with _bound_cursor() as cursor:
        load_times_natively(cursor)
        cursor.adapters.register_loader("jsonb", TextLoader)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (*row[:_PAUSES], _pauses(row[_PAUSES]), *row[_PAUSES + 1 :])
        if row[_PAUSES] is not None
        else row
        for row in rows
    ]


def _pauses(text: str) -> list[list[str]]:
    return [] if text == "[]" else list(json.loads(text))


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


_PAUSES = len(_CASE_FIELDS) + _CLOCK_FIELDS.index("pauses")


def _escalate_chunk(
    organisation: Organisation,
    now: datetime.datetime,
    chunk: int,
    rules: dict[int, list[EscalationRule]],
    recipients: _Recipients,
) -> tuple[int, bool]:
    """The first ``chunk`` due cases (by next time): returns the escalations applied and whether
    there may be more.

    The due cases are read with their primary clocks in one statement, their ``EscalationDue``
    rows locked (``FOR UPDATE OF`` that narrow row, ``SKIP LOCKED``): an overlapping sweep
    passes over cases this one holds, and once this one commits they are no longer due; a
    service rescheduling one of them waits for this chunk.  (SQLite serialises writers: no
    row lock.)
    """
    found = _due_rows(
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
    if not found:
        return 0, False
    locked = [values[0] for values in found]
    width = len(_CASE_FIELDS)
    # A due case without a primary clock has nothing to escalate: it gets no next time.
    primaries = {
        values[0]: _Clock(*values[width:]) for values in found if values[width] is not None
    }
    cases = {values[0]: values[:width] for values in found if values[0] in primaries}
    # PostgreSQL learns which escalations are new from the insert itself (``RETURNING``);
    # elsewhere the applied ones are read first (SQLite serialises writers).
    applied: set[tuple[int, int | None, int]] = (
        set()
        if connection.vendor == "postgresql"
        else set(
            CaseEscalation.objects.for_organisation(organisation)
            .filter(case_id__in=locked)
            .values_list("case_id", "rule_id", "clock_run")
        )
    )
    missing = set(locked) - set(cases)
    more = len(locked) == chunk
    plan = _plan(
        organisation,
        {case_id: values[1] for case_id, values in cases.items()},
        primaries,
        rules,
        now,
        applied,
    )
    recipients.load_assignees(
        values[4] for case_id, values in cases.items() if case_id in plan.due and values[4]
    )
    escalations = [
        (organisation.pk, case_id, rule.id, rule.percent, rule.action, now,
         primaries[case_id].restarted_count)
        for case_id, due in plan.due.items()
        for rule, _threshold_at in due
    ]  # fmt: skip
    # The unique constraint is the once-only rule: an escalation already there is skipped.
    new = _insert_escalations(escalations)
    overdue_text = _("Case %(reference)s (%(title)s) is overdue: it was due %(due)s.")
    warning_text = _(
        "Case %(reference)s (%(title)s) has used %(percent)s%% of its time: due %(due)s."
    )
    timeline: list[tuple[int, int, str]] = []
    notices: list[tuple[Any, ...]] = []
    summary: list[list[Any]] = []
    escalated: set[int] = set()
    zone = timezone.get_current_timezone()
    due_texts: dict[datetime.datetime, str] = {}  # deadlines share end-of-day times
    for case_id, due in plan.due.items():
        _pk, _type, reference, title, assignee_id, team_id, service_id = cases[case_id]
        due_at = primaries[case_id].due_at
        due_text = due_texts.get(due_at)
        if due_text is None:
            due_text = due_texts[due_at] = due_at.astimezone(zone).strftime("%d %B %Y %H:%M")
        for rule, _threshold_at in due:
            if (case_id, rule.id) not in new:
                continue
            escalated.add(case_id)
            timeline.append((case_id, rule.percent, rule.action))
            summary.append([reference, rule.percent, rule.action])
            body = (overdue_text if rule.percent >= 100 else warning_text) % {
                "reference": reference,
                "title": title,
                "percent": rule.percent,
                "due": due_text,
            }
            for user_id, label in recipients.for_action(
                rule.action, assignee_id=assignee_id, team_id=team_id, service_id=service_id
            ):
                notices.append(
                    (
                        organisation.pk,
                        case_id,
                        "case-escalation",
                        rule.action,
                        user_id,
                        label[:200],
                        body,
                        now,
                        OutboxStatus.PENDING,
                    )
                )
    _insert_rows(
        CaseEvent,
        events.EVENT_COLUMNS,
        events.escalated_event_rows(organisation.pk, timeline, at=now),
    )
    _insert_rows(OutboxMessage, _OUTBOX_COLUMNS, notices)
    if summary:
        audit.record(
            organisation=organisation,
            by=None,
            action=AuditAction.CHANGED,
            object_type=audit.object_type_of(Case),
            summary=f"Escalation sweep: {len(summary)} escalations on {len(escalated)} cases",
            changes={"escalations": summary},
        )
    _store_next_times(organisation, {**plan.next_at, **dict.fromkeys(missing)})
    return len(summary), more


# --- calendar changes ---------------------------------------------------------------------------
def recalculate_deadlines(*, chunk: int = CHUNK) -> int:
    """Recalculate the open clocks computed under an older calendar version; returns how many
    deadlines moved later (see the module docstring for the policy)."""
    moved = 0
    for organisation in Organisation.objects.filter(is_active=True).order_by("pk"):
        calendar = calendar_named(CalendarChoice.ORGANISATION, organisation)
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
            fresh[row.id] = max(row.due_at, _replay(_as_row(row), row.amount, calendar))
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
                "customer", "councillor", "case_type"
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


def _tell_customers(cases: Sequence[Case], now: datetime.datetime) -> set[int]:
    """The outbox message telling each customer (and councillor) their reply date moved."""
    messages: list[OutboxMessage] = []
    told: set[int] = set()
    for case in cases:
        assert case.due_at is not None  # noqa: S101  # just set from the primary clock
        body = _(
            "The date by which we will reply to your request %(title)s (reference "
            "%(reference)s) has moved to %(due)s, because the council is closed on a day "
            "before it."
        ) % {
            "title": case.title_for_customer,
            "reference": case.reference,
            "due": timezone.localtime(case.due_at).strftime("%d %B %Y"),
        }
        recipients: list[tuple[str, Any, str]] = []
        if case.customer_id is not None or case.constituent_name:
            label = str(case.customer) if case.customer else case.constituent_name
            recipients.append(("customer", None, label))
        if case.councillor is not None:
            recipients.append(("councillor", case.councillor, case.councillor.display_name))
        for kind, user, label in recipients:
            told.add(case.pk)
            messages.append(
                OutboxMessage(
                    organisation_id=case.organisation_id,
                    case_id=case.pk,
                    template="case-deadline-moved",
                    recipient_kind=kind,
                    recipient_user=user,
                    recipient_label=label[:200],
                    body=body,
                    created_at=now,
                )
            )
    OutboxMessage.objects.bulk_create(messages, batch_size=2000)
    return told

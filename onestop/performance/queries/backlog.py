"""Backlogs and ageing: the cases open at an instant, by age band and against their deadline, per
team, and the same figures at each month end of a period (the trend).

"Open at instant T" is computed from each case's event history (``CaseEvent``), never from its
status now: a case is open at T when it was received before T and the last of its "resolved",
"closed" and "reopened" events before T is none or "reopened".  So a case closed after T was
open at T, and a case closed before T and reopened after T was not.

- **Age**: whole calendar days from the day the case was received to the period's last day
  (both in UK time): received on the last day is 0 days old.  Bands 0-5, 6-10, 11-20, 21+.
- **Deadline at T**: the primary clock's deadline as the history last set it before T (the
  case raised, reopened, its clock resumed, restarted or extended, or a calendar change moving
  its primary standard's deadline).  **overdue**: that deadline had passed at T; **not yet
  due**: it had not; **clock paused**: the clock was paused at T (waiting for the customer);
  **no deadline**: no standard set one.
- **Team at T**: the team the case was with at T, from its history: the ``team_id`` of the
  last ``raised`` or ``assigned`` event before T (each records the team it left the case with),
  so a case handed to another team after T still counts for the team it had then.  Where that
  event has no ``team_id`` (written before teams were recorded by id, and its team's name was
  not one team's when ``cases.0013`` filled them in), the case's team now.  The team rows, the
  team filter, the trend and the records behind each figure all use it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    CharField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as When_
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import Case, CaseEvent
from onestop.core import reporting
from onestop.directory.models import Service, Team
from onestop.feedback.queries.reports import NO_SERVICE
from onestop.performance.queries.volumes import Scope

LONDON = reporting.LONDON


class EventType:
    """The case events' codes read here (``cases.events.EventType``: stable codes; that module
    is the cases app's own, reached by other apps only through its models)."""

    RAISED = "raised"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    CLOCK_PAUSED = "clock-paused"
    CLOCK_RESUMED = "clock-resumed"
    CLOCK_RESTARTED = "clock-restarted"
    EXTENDED = "extended"
    DEADLINE_MOVED = "deadline-moved"


BANDS: dict[str, tuple[int, int | None]] = {
    "0-5": (0, 5),
    "6-10": (6, 10),
    "11-20": (11, 20),
    "21+": (21, None),
}


class Deadline:
    NOT_YET_DUE = "not-yet-due"
    OVERDUE = "overdue"
    PAUSED = "clock-paused"
    NONE = "no-deadline"


DEADLINES: dict[str, Promise] = {
    Deadline.NOT_YET_DUE: _("Not yet due"),
    Deadline.OVERDUE: _("Overdue"),
    Deadline.PAUSED: _("Clock paused"),
    Deadline.NONE: _("No deadline"),
}

FINISHING = (EventType.RESOLVED, EventType.CLOSED, EventType.REOPENED)
DEADLINE_SETTING = (
    EventType.RAISED,
    EventType.REOPENED,
    EventType.CLOCK_RESUMED,
    EventType.CLOCK_RESTARTED,
    EventType.EXTENDED,
    EventType.DEADLINE_MOVED,
)
TEAM_SETTING = (EventType.RAISED, EventType.ASSIGNED)
PAUSING = (
    EventType.CLOCK_PAUSED,
    EventType.CLOCK_RESUMED,
    EventType.CLOCK_RESTARTED,
    EventType.REOPENED,
)

DEFINITIONS: tuple[Promise, ...] = (
    _(
        "Open at the period's end: received before midnight after the period's last day (UK "
        "time) and not resolved or closed then, from the case's history (a case reopened "
        "later still counts as closed then; a case closed later counts as open)."
    ),
    _(
        "Age: calendar days from the day received to the period's last day; received on the "
        "last day is 0 days old."
    ),
    _(
        "Overdue: the deadline the case had then had passed; clock paused: waiting for the "
        "customer then; no deadline: no standard set one."
    ),
    _(
        "Team: the team the case was with then, from its history (the last time it was raised "
        "or assigned before the period's end); for a history that does not record the team, "
        "the team it is with now."
    ),
    _("Trend: the same figures at the end of each month in the period."),
)


def instant_after(day: datetime.date) -> datetime.datetime:
    """Midnight (UK time) after ``day``: the instant "at the end of ``day``"."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON
    )


def _events(
    case_organisation: int, at: datetime.datetime, codes: tuple[str, ...]
) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.for_organisation(case_organisation).filter(
        case=OuterRef("pk"), code__in=codes, at__lt=at
    )


def team_at(organisation: int, at: datetime.datetime) -> Coalesce:
    """The team a case was with at ``at`` (see the module's docstring), as an expression on the
    case: the ``team_id`` of its last ``raised`` or ``assigned`` event before ``at``, else (no
    id recorded) its team now."""
    recorded = (
        _events(organisation, at, TEAM_SETTING)
        .order_by("-at", "-id")
        .annotate(recorded_team=Cast(KeyTextTransform("team_id", "data"), BigIntegerField()))
        .values("recorded_team")[:1]
    )
    return Coalesce(
        Subquery(recorded, output_field=BigIntegerField()),
        F("team_id"),
        output_field=BigIntegerField(),
    )


def open_at(scope: Scope, day: datetime.date) -> QuerySet[Case]:
    """The cases open at the end of ``day``, each annotated with its team (``team_then``), age
    band, deadline text (ISO) and last pausing event as they were then."""
    at = instant_after(day)
    organisation = scope.organisation.pk
    cases = Case.objects.for_organisation(scope.organisation).filter(received_at__lt=at)
    if isinstance(scope.service, Service):
        cases = cases.filter(service=scope.service)
    elif scope.service == NO_SERVICE:
        nothing: QuerySet[Case] = cases.none()
        return nothing
    cases = cases.annotate(team_then=team_at(organisation, at))
    if scope.team is not None:
        cases = cases.filter(team_then=scope.team.pk)
    last_finish = _events(organisation, at, FINISHING).order_by("-at", "-id").values("code")[:1]
    deadline = (
        _events(organisation, at, DEADLINE_SETTING)
        .annotate(moved_standard=KeyTextTransform("standard", "data"))
        .filter(
            ~Q(code=EventType.DEADLINE_MOVED)
            | Q(moved_standard=OuterRef("standard_code"), code=EventType.DEADLINE_MOVED)
        )
        .annotate(
            due=When_(
                When(code=EventType.DEADLINE_MOVED, then=KeyTextTransform("new", "data")),
                default=KeyTextTransform("due_at", "data"),
                output_field=CharField(),
            )
        )
        .order_by("-at", "-id")
        .values("due")[:1]
    )
    pausing = _events(organisation, at, PAUSING).order_by("-at", "-id").values("code")[:1]
    bands = []
    for band, (_low, high) in BANDS.items():
        if high is None:
            break
        received_from = datetime.datetime.combine(
            day - datetime.timedelta(days=high), datetime.time(), tzinfo=LONDON
        )
        bands.append(When(received_at__gte=received_from, then=Value(band)))
    found: Any = (
        cases.annotate(finish_code=Subquery(last_finish))
        .filter(Q(finish_code__isnull=True) | Q(finish_code=EventType.REOPENED))
        .annotate(
            band=When_(*bands, default=Value("21+"), output_field=CharField()),
            deadline_text=Subquery(deadline, output_field=CharField()),
            pause_code=Subquery(pausing),
        )
    )
    return found  # type: ignore[no-any-return]


def deadline_state(deadline_text: str | None, pause_code: str | None, at: datetime.datetime) -> str:
    if pause_code == EventType.CLOCK_PAUSED:
        return Deadline.PAUSED
    if not deadline_text:
        return Deadline.NONE
    try:
        due = datetime.datetime.fromisoformat(deadline_text)
    except ValueError:
        return Deadline.NONE
    if due.tzinfo is None:
        due = due.replace(tzinfo=datetime.UTC)
    return Deadline.OVERDUE if due < at else Deadline.NOT_YET_DUE


@dataclass(frozen=True)
class OpenCase:
    id: int
    reference: str
    team_id: int  # the team it was with then
    received_at: datetime.datetime
    band: str
    deadline: str


def open_cases(scope: Scope, day: datetime.date) -> Iterator[OpenCase]:
    """Every case open at the end of ``day`` with its band and deadline state then, oldest
    first (one query; the deadline's state is read from the text the history kept)."""
    at = instant_after(day)
    found: Any = open_at(scope, day)
    rows = found.order_by("received_at", "id").values_list(
        "id", "reference", "team_then", "received_at", "band", "deadline_text", "pause_code"
    )
    for pk, reference, team_id, received_at, band, deadline_text, pause_code in rows.iterator(
        chunk_size=2000
    ):
        yield OpenCase(
            pk,
            reference,
            team_id,
            received_at,
            band,
            deadline_state(deadline_text, pause_code, at),
        )


@dataclass(frozen=True)
class BacklogRow:
    team: str  # the team's id or "all"
    label: str
    open: int
    bands: dict[str, int]
    deadlines: dict[str, int]


def backlog(scope: Scope, day: datetime.date) -> list[BacklogRow]:
    """One row per team with open cases at the end of ``day`` (the team each was with then, by
    name), then the row "all"."""
    per_team: dict[int, Counter[str]] = {}
    total: Counter[str] = Counter()
    for case in open_cases(scope, day):
        counts = per_team.setdefault(case.team_id, Counter())
        for key in ("open", f"band:{case.band}", f"deadline:{case.deadline}"):
            counts[key] += 1
            total[key] += 1
    names = {
        team.pk: str(team.name)
        for team in Team.objects.for_organisation(scope.organisation).filter(pk__in=per_team)
    }

    def make(key: str, label: str, counts: Counter[str]) -> BacklogRow:
        return BacklogRow(
            key,
            label,
            counts["open"],
            {band: counts[f"band:{band}"] for band in BANDS},
            {state: counts[f"deadline:{state}"] for state in DEADLINES},
        )

    rows = sorted(
        (make(str(pk), names.get(pk, str(pk)), counts) for pk, counts in per_team.items()),
        key=lambda row: (row.label.casefold(), row.team),
    )
    rows.append(make("all", str(_("All teams")), total))
    return rows


def month_ends(period: reporting.Period) -> list[datetime.date]:
    """The last day of each month in the period, and the period's last day if it is not one."""
    days: list[datetime.date] = []
    day = reporting.month_of(period.first).last
    while day <= period.last:
        days.append(day)
        day = reporting.month_of(day + datetime.timedelta(days=1)).last
    if not days or days[-1] != period.last:
        days.append(period.last)
    return days


def cases_behind(scope: Scope, day: datetime.date, team: str, figure: str) -> list[OpenCase]:
    """The open cases one backlog figure counts (``ValueError`` for a figure there is not)."""
    team_text = str(team)[:20]
    if team_text != "all" and not team_text.isdigit():
        raise ValueError(team_text)
    kind, _sep, value = str(figure)[:40].partition(":")
    if figure != "open" and not (
        (kind == "band" and value in BANDS) or (kind == "deadline" and value in DEADLINES)
    ):
        raise ValueError(figure)
    found = []
    for case in open_cases(scope, day):
        if team_text != "all" and str(case.team_id) != team_text:
            continue
        if kind == "band" and case.band != value:
            continue
        if kind == "deadline" and case.deadline != value:
            continue
        found.append(case)
    return found

"""Compliance sources: every kind of record a standard's deadline is set on, in one register.

A standard is measured on whatever record holds its deadline: a case's clock (``cases``), a
promised call-back and a visitor's ticket (``contacts``), a call (``telephony``), a complaint's
stage (``feedback``).  The compliance report (``performance``) sits above all of them; each of
those apps registers a :class:`ComplianceSource` here from its ``AppConfig.ready``, and the
report adds up what every registered source counts (``performance.queries.compliance``).

A source answers, for an organisation, a period and the page's :class:`Filters`:

- ``counts``: per standard code and service id (``None``: a record with no service, counted only
  in the organisation's row), the :class:`Counts` of met, missed, overdue and not yet due;
- ``records``: the records behind one figure (the drill-down), as :class:`RecordBehind`;
- ``definitions``: what it counts, in plain words, printed with the report's definitions;
- ``team_counts`` (a record that carries the team it belongs to, recorded when it was made):
  per standard code and team id (``None``: a record of no team), the same counts, for the
  per-team figures;
- ``officer_counts`` (a record that carries a member of staff): one person's counts.

Most sources are "a deadline and the moment it was kept" (:class:`Deadline`): those share one
rule, the cases' clocks' rule, so every figure means the same whatever record it counts:

- each record is counted once, in the period its result was decided: the moment it was done,
  for one done in time (**met**); its deadline, for every other (done late or given up:
  **missed**; not done with the deadline passed: **open, overdue**; not done with the deadline
  still to come: **open, not yet due**);
- so ``measured = met + missed + open``, ``open = overdue + not yet due`` and ``compliance =
  met / (met + missed + overdue)``.

Nothing here computes a date: every deadline is the one ``standards.clock`` gave and the record
stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Count, F, Model, Q, QuerySet

from onestop.core import reporting
from onestop.directory.models import AccessPoint, Service, Team

if TYPE_CHECKING:
    from onestop.core.models import Organisation
    from onestop.core.reporting import Period

FOUR_PLACES = Decimal("0.0001")
FIGURES = ("measured", "met", "missed", "open", "overdue", "not_yet_due")
ModelT = TypeVar("ModelT", bound=Model)


@dataclass(frozen=True)
class Filters:
    """What a page narrows the figures to (all empty: the whole organisation)."""

    service: Service | None = None
    team: Team | None = None
    channel: str = ""
    access_point: AccessPoint | None = None

    def narrow(
        self,
        rows: QuerySet[ModelT],
        *,
        service: str,
        access_point: str,
        team: str = "",
        channel: str = "",
        only_channel: str = "",
    ) -> QuerySet[ModelT]:
        """``rows`` narrowed by these filters, each through the path the record reaches it by
        (``service="contact__service"``...).  A record without a ``team`` path belongs to no
        team, so narrowing to a team leaves none; a record of one channel (``only_channel``: a
        call is a telephone call) is left out by any other channel, and otherwise ``channel``
        is the record's own channel's path."""
        if self.team is not None:
            if not team:
                return rows.none()
            rows = rows.filter(**{team: self.team})
        if self.channel:
            if only_channel:
                if self.channel != only_channel:
                    return rows.none()
            else:
                rows = rows.filter(**{channel: self.channel})
        if self.service is not None:
            rows = rows.filter(**{service: self.service})
        if self.access_point is not None:
            rows = rows.filter(**{access_point: self.access_point})
        return rows


@dataclass(frozen=True)
class Counts:
    met: int = 0
    missed: int = 0
    overdue: int = 0
    not_yet_due: int = 0

    @property
    def open(self) -> int:
        return self.overdue + self.not_yet_due

    @property
    def measured(self) -> int:
        return self.met + self.missed + self.open

    @property
    def decided(self) -> int:
        """Records whose result is known: met, missed, or overdue."""
        return self.met + self.missed + self.overdue

    @property
    def compliance(self) -> reporting.Share | None:
        """met / (met + missed + overdue) to 4 places (half up), ``None`` when nothing is known."""
        # A ``reporting.Share``: a page's percentage is rounded once, from the counts.
        return reporting.share(self.met, self.decided, FOUR_PLACES)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.met + other.met,
            self.missed + other.missed,
            self.overdue + other.overdue,
            self.not_yet_due + other.not_yet_due,
        )


Grouped = dict[tuple[str, int | None], Counts]


def merge(into: Grouped, more: Grouped) -> Grouped:
    """``into`` with ``more`` added, key by key (``into`` is changed and returned)."""
    for key, counts in more.items():
        into[key] = into.get(key, Counts()) + counts
    return into


@dataclass(frozen=True)
class Pick:
    """Which records one figure counts (the drill-down): the figure, and optionally one standard
    and one service; at most ``limit`` of them are listed."""

    figure: str
    code: str = ""
    service_id: int | None = None
    limit: int = 500
    team_id: int | None = None  # one team's records
    no_team: bool = False  # the records of no team (the per-team table's "No team" row)


@dataclass(frozen=True)
class RecordBehind:
    """One record behind a figure, whatever its kind, as the drill-down lists it."""

    kind: str  # "Call-back", "Visitor", "Call", "Complaint stage 1 answer", ...
    reference: str
    standard_code: str
    service_name: str
    due_at: datetime.datetime | None
    done_at: datetime.datetime | None
    state: str  # what became of it: "Done", "Left without being seen", "Still open", ...
    url: str = ""


@dataclass(frozen=True)
class Found:
    """The records behind a figure: how many there are, and the first ``Pick.limit``."""

    counted: int
    records: list[RecordBehind]


CountsOf = Callable[["Organisation", "Period", Filters, datetime.datetime], Grouped]
RecordsOf = Callable[["Organisation", "Period", Filters, datetime.datetime, Pick], Found]
# One member of staff's counts by standard code (their id; the organisation's whole records).
OfficerCountsOf = Callable[["Organisation", "Period", int, datetime.datetime], dict[str, Counts]]
# Per standard code and team id (None: no team), narrowed by the filters as ``counts`` is.
TeamCountsOf = Callable[["Organisation", "Period", Filters, datetime.datetime], Grouped]


@dataclass(frozen=True)
class ComplianceSource:
    """A kind of record measured against standards.  ``officer_counts``, for a record that
    carries the member of staff it belongs to (the advisor of a call-back, the agent who
    answered a call, the officer handling a complaint's stage), gives one person's counts for
    the per-officer figures, and ``officer_rule`` says in a sentence whose record it is.
    ``team_counts``, for a record that carries the team it belongs to (recorded when it was
    made, so a past period's figures stay put when people move teams: a call-back's team, a
    call's queue's team when it was imported, a complaint stage's handling team), gives the
    per-team figures, and ``team_rule`` says in a sentence which team's record it is."""

    kind: str
    counts: CountsOf
    records: RecordsOf
    definitions: Callable[[], Sequence[str]]
    officer_counts: OfficerCountsOf | None = None
    officer_rule: Callable[[], str] | None = None
    team_counts: TeamCountsOf | None = None
    team_rule: Callable[[], str] | None = None


_SOURCES: dict[str, ComplianceSource] = {}


def register_compliance_source(source: ComplianceSource) -> None:
    """Add a kind of record to the compliance figures (idempotent per kind)."""
    _SOURCES[source.kind] = source


def compliance_sources() -> tuple[ComplianceSource, ...]:
    """Every registered source, by kind."""
    return tuple(source for _kind, source in sorted(_SOURCES.items()))


# --- a deadline and the moment it was kept -------------------------------------------------------
@dataclass(frozen=True)
class Deadline:
    """Where a record keeps its deadline and its result, as field names (or annotations) of
    the queryset the source gives: ``due`` the deadline, ``done`` when the promise was kept
    (empty while it is not), ``ended`` when the record ended without it being kept (a visitor
    who left unseen, a complaint closed unanswered): **missed**, counted at the deadline, if it
    ended after the deadline, and not measured at all if it ended before (nobody can be seen in
    time who has gone); ``""`` when a record cannot end unkept."""

    due: str
    done: str
    ended: str = ""

    def _in(self, name: str, period: Period) -> Q:
        return Q(**{f"{name}__gte": period.starts, f"{name}__lt": period.ends})

    def met(self) -> Q:
        return Q(**{f"{self.done}__isnull": False, f"{self.done}__lte": F(self.due)})

    def late(self) -> Q:
        return Q(**{f"{self.done}__isnull": False, f"{self.done}__gt": F(self.due)})

    def given_up(self) -> Q:
        """Ended unkept after the deadline passed (ended unkept before it: not measured, as a
        withdrawn request is not)."""
        if not self.ended:
            return Q(pk__in=[])
        return Q(**{f"{self.done}__isnull": True, f"{self.ended}__gt": F(self.due)})

    def running(self) -> Q:
        running = Q(**{f"{self.done}__isnull": True})
        if self.ended:
            running &= Q(**{f"{self.ended}__isnull": True})
        return running

    def measured(self, period: Period) -> Q:
        """The records ``period`` measures: met in it, or any other with its deadline in it."""
        return (self.met() & self._in(self.done, period)) | (
            (self.late() | self.given_up() | self.running()) & self._in(self.due, period)
        )

    def figure(self, figure: str, now: datetime.datetime) -> Q:
        """Which of the measured records one figure counts."""
        if figure not in FIGURES:
            raise ValueError(figure)
        parts = {
            "measured": Q(),
            "met": self.met(),
            "missed": self.late() | self.given_up(),
            "open": self.running(),
            "overdue": self.running() & Q(**{f"{self.due}__lt": now}),
            "not_yet_due": self.running() & Q(**{f"{self.due}__gte": now}),
        }
        return parts[figure]

    def _grouped(
        self, rows: QuerySet[Any], columns: tuple[str, ...], now: datetime.datetime
    ) -> list[tuple[tuple[Any, ...], Counts]]:
        """``rows`` grouped by ``columns`` in one SQL aggregation: each group's values and
        counts."""
        found = (
            rows.order_by()
            .values(*columns)
            .annotate(
                met=Count("pk", filter=self.figure("met", now)),
                missed=Count("pk", filter=self.figure("missed", now)),
                overdue=Count("pk", filter=self.figure("overdue", now)),
                not_yet_due=Count("pk", filter=self.figure("not_yet_due", now)),
            )
        )
        return [
            (
                tuple(row[column] for column in columns),
                Counts(row["met"], row["missed"], row["overdue"], row["not_yet_due"]),
            )
            for row in found
        ]

    def counts(
        self, rows: QuerySet[Any], *, code: str, service: str, now: datetime.datetime
    ) -> Grouped:
        """The measured ``rows`` (already narrowed to the period) grouped by the ``code`` and
        ``service`` columns, in one SQL aggregation."""
        return {
            (str(values[0]), values[1]): counts
            for values, counts in self._grouped(rows, (code, service), now)
        }

    def counts_by_team(
        self, rows: QuerySet[Any], *, code: str, team: str, now: datetime.datetime
    ) -> Grouped:
        """The measured ``rows`` grouped by the ``code`` and ``team`` columns (the per-team
        figures; a record of no team under ``None``)."""
        return {
            (str(values[0]), values[1]): counts
            for values, counts in self._grouped(rows, (code, team), now)
        }

    def counts_by_code(
        self, rows: QuerySet[Any], *, code: str, now: datetime.datetime
    ) -> dict[str, Counts]:
        """The measured ``rows`` grouped by the ``code`` column only (one person's figures)."""
        return {str(values[0]): counts for values, counts in self._grouped(rows, (code,), now)}

    def state(self, record: Any) -> str:
        """What became of one record, for the drill-down."""
        from django.utils.translation import gettext as _

        done = getattr(record, self.done)
        if done is not None:
            return _("Done in time") if done <= getattr(record, self.due) else _("Done late")
        if self.ended and getattr(record, self.ended) is not None:
            return _("Ended after its deadline without being done")
        return _("Still open")


def picked(
    rows: QuerySet[ModelT],
    deadline: Deadline,
    pick: Pick,
    *,
    now: datetime.datetime,
    code: str,
    service: str,
    team: str = "",
) -> QuerySet[ModelT]:
    """The measured ``rows`` one figure counts, narrowed to the pick's standard (the ``code``
    column), service (the ``service`` column) and team (the ``team`` column; a record without
    one belongs to no team), latest deadline first."""
    rows = rows.filter(deadline.figure(pick.figure, now))
    if pick.code:
        rows = rows.filter(**{code: pick.code})
    if pick.service_id is not None:
        rows = rows.filter(**{service: pick.service_id})
    return picked_team(rows, pick, team).order_by(f"-{deadline.due}", "-pk")


def picked_team(rows: QuerySet[ModelT], pick: Pick, team: str) -> QuerySet[ModelT]:
    """``rows`` narrowed to the pick's team, or to those recorded with no team (``team``: the
    path of the record's team; empty for a kind of record that never belongs to a team, such as
    a visitor's ticket, which is in no per-team figure, so any team pick leaves none)."""
    if pick.team_id is None and not pick.no_team:
        return rows
    if not team:
        return rows.none()
    if pick.no_team:
        return rows.filter(**{f"{team}__isnull": True})
    return rows.filter(**{team: pick.team_id})

"""Compliance with every standard, per standard and service and corporately, for a period.

The records a standard's deadline is set on are the cases' clocks (``cases.CaseClock``): each
holds the standard's code, the deadline the clock gave (``due_at``, moved on by pauses and by
calendar changes while the clock runs), when the clock stopped and whether that was in time
(``is_met``, decided by ``standards.clock.is_met``).  Nothing here computes a date.

Which clocks a period measures: each clock is counted once, in the period its result was
decided, which is

- the moment it stopped, for a clock stopped in time (**met**);
- its deadline, for every other clock: stopped late (**missed**), still running with the
  deadline passed (**open, overdue**), or still running (or paused) with the deadline still to
  come (**open, not yet due**; a paused clock's deadline only moves later when it resumes, so a
  paused clock is never overdue).

So ``measured = met + missed + open`` and ``open = overdue + not yet due``; ``compliance =
met / (met + missed + overdue)`` (every clock whose result is known), empty when that is 0; the
target is the standard's target for the year the period starts in (``StandardTarget``), the
service's own standard's where it has one.  A reopened case starts its clocks again: the clock
is then measured by its new run (its first result is replaced).  Times are compared as instants
(UTC); a period runs from midnight to midnight in Europe/London, ``--to`` included.

Every figure is one SQL aggregation grouped by standard and service (or team, or officer), on the
clocks of one organisation; the records behind a figure are ``clocks_behind``.

The other records a standard is measured on (call-backs, visitors, calls, complaint stages) are
counted by the apps that own them, each a source registered in ``standards.measures`` by the same
rule; ``compliance`` adds what every source counts to the clocks' figures (``gathered``), and
``records_behind`` lists their records behind a figure.  A record with no service counts only in
the standard's corporate row.

Per team (``compliance_by(by="team")``): a case's clock belongs to the team the case had when its
result was decided: a stopped clock's, the team recorded on it when it stopped
(``CaseClock.team``, set by the clock services, filled for earlier clocks by ``cases.0013`` from
the case's history); a running clock's (open: overdue or not yet due), the case's team now, as
the team holding it is the one that can act.  So a case moved to another team after its clocks
stopped leaves their results where they were (``TEAM``: coalesce(clock's team, case's team)).
Every source whose records carry the team they belong to (``ComplianceSource.team_counts``:
call-backs, calls, complaint stages, each recorded with its team when it was made, so moving
people between teams later changes no past period) adds its counts per team, and its records
recorded with no team make the "No team" row.  Visitors belong to no team and are in no per-team
figure.  The per-officer rows of ``compliance_by(by="officer")`` are the cases' assignees'
clocks only (the person page's figures, which add every source's, are ``queries.people``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.cases.models import CaseClock, clock_decided_at
from onestop.core import batch
from onestop.core.models import Organisation
from onestop.core.reporting import Period
from onestop.directory.models import Service, Team
from onestop.standards import measures
from onestop.standards import queries as standards_queries
from onestop.standards.measures import FIGURES as FIGURES
from onestop.standards.measures import FOUR_PLACES as FOUR_PLACES
from onestop.standards.measures import Counts as Counts
from onestop.standards.measures import Filters as Filters
from onestop.standards.models import Standard

NO_TEAM = "none"  # how a link names the per-team table's "No team" row (``in_team=none``)


@dataclass(frozen=True)
class ComplianceRow:
    """One standard's figures for one service (``service_id`` ``None``: the corporate row), or
    for one team or officer (``group_id``)."""

    code: str
    title: str
    counts: Counts
    target: Decimal | None  # a share, 0.9000 for 90%
    service_id: int | None = None
    service_name: str = ""
    group_id: int | None = None
    group_name: str = ""
    no_team: bool = False  # the per-team table's row of the records recorded with no team

    @property
    def is_corporate(self) -> bool:
        return self.service_id is None and self.group_id is None and not self.no_team


@dataclass(frozen=True)
class StandardInfo:
    code: str
    title: str
    time_limit: str
    applies_to: str
    targets: dict[int | None, Decimal] = field(default_factory=dict)  # by service id (None: all)


def measured_q(period: Period) -> Q:
    """The clocks ``period`` measures (see the module's docstring): those decided in it, by
    ``cases.models.clock_decided_at`` (a met clock's stop, every other clock's deadline), the
    expression the index ``caseclock_org_decided`` is on."""
    decided = clock_decided_at()
    return Q(GreaterThanOrEqual(decided, period.starts)) & Q(LessThan(decided, period.ends))


def figure_q(figure: str, now: datetime.datetime) -> Q:
    """Which of the measured clocks one figure counts."""
    running = Q(stopped_at__isnull=True)
    parts = {
        "measured": Q(),
        "met": Q(is_met=True),
        "missed": Q(is_met=False),
        "open": running,
        "overdue": running & Q(paused_at__isnull=True, due_at__lt=now),
        "not_yet_due": running & (Q(paused_at__isnull=False) | Q(due_at__gte=now)),
    }
    return parts[figure]


# The team a clock's result belongs to (the module's docstring), as the annotation ``_clocks``
# puts on every clock: the team recorded when it stopped, else (running) the case's team now.
TEAM = "clock_team"
CLOCK_TEAM_RULE = gettext_lazy(
    "A case's clock counts for the team the case was with when the clock stopped; a clock "
    "still running, for the team the case is with now."
)


def _clocks(organisation: Organisation, period: Period, filters: Filters) -> QuerySet[CaseClock]:
    rows = (
        CaseClock.objects.for_organisation(organisation)
        .filter(measured_q(period))
        .annotate(**{TEAM: Coalesce("team_id", "case__team_id", output_field=BigIntegerField())})
    )
    if filters.team is not None:
        rows = rows.filter(**{TEAM: filters.team.pk})
    return replace(filters, team=None).narrow(
        rows,
        service="case__service",
        channel="case__contact__channel",
        access_point="case__contact__access_point",
    )


def clocks_behind(
    organisation: Organisation,
    period: Period,
    *,
    now: datetime.datetime,
    figure: str,
    code: str = "",
    service_id: int | None = None,
    team_id: int | None = None,
    officer_id: int | None = None,
    filters: Filters | None = None,
    no_team: bool = False,
) -> QuerySet[CaseClock]:
    """The clocks one figure counts (the drill-down), newest deadline first (``no_team``: none,
    as every case is with a team)."""
    if figure not in FIGURES:
        raise ValueError(figure)
    rows = _clocks(organisation, period, filters or Filters()).filter(figure_q(figure, now))
    if no_team:
        rows = rows.none()
    if code:
        rows = rows.filter(standard_code=code)
    if service_id is not None:
        rows = rows.filter(case__service_id=service_id)
    if team_id is not None:
        rows = rows.filter(**{TEAM: team_id})
    if officer_id is not None:
        rows = rows.filter(case__assignee_id=officer_id)
    return rows.select_related("case", "case__service").order_by("-due_at", "-id")


# Within ``one_reading()``: the counts by standard, service and team already read, by the
# statement of the clocks they count and the moment they were counted at; and the standards.
_READ: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("compliance_read", default=None)
_SHARED = ("case__service_id", TEAM)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within this block, the per-service and the per-team figures of the same clocks come
    from one statement (the clocks counted by standard, service and team, once), so a report
    that shows both reads the clocks once, and both tables count the same records; the
    standards and their targets are read once too, and so are the sources' own look-ups (the
    answer-time and complaint standards, through ``core.batch``).  Nothing is kept after the
    block."""
    token = _READ.set({})
    try:
        with batch.batch():
            yield
    finally:
        _READ.reset(token)


def _counted(
    rows: QuerySet[CaseClock], by: Sequence[str], now: datetime.datetime
) -> dict[tuple[Any, ...], Counts]:
    found = (
        rows.order_by()
        .values("standard_code", *by)
        .annotate(
            met=Count("id", filter=figure_q("met", now)),
            missed=Count("id", filter=figure_q("missed", now)),
            overdue=Count("id", filter=figure_q("overdue", now)),
            not_yet_due=Count("id", filter=figure_q("not_yet_due", now)),
        )
    )
    return {
        (row["standard_code"], *(row[name] for name in by)): Counts(
            row["met"], row["missed"], row["overdue"], row["not_yet_due"]
        )
        for row in found
    }


def _grouped(
    rows: QuerySet[CaseClock], by: str, now: datetime.datetime
) -> dict[tuple[str, int | None], Counts]:
    read = _READ.get()
    if read is None or by not in _SHARED:
        return {(key[0], key[1]): counts for key, counts in _counted(rows, [by], now).items()}
    sql, params = rows.query.sql_with_params()
    memo = (rows.db, sql, tuple(params), now)
    if memo not in read:
        read[memo] = _counted(rows, _SHARED, now)
    position = 1 + _SHARED.index(by)
    found: dict[tuple[str, int | None], Counts] = {}
    for key, counts in read[memo].items():
        group = (key[0], key[position])
        found[group] = found.get(group, Counts()) + counts
    return found


def standards_of(organisation: Organisation, year: int) -> dict[str, StandardInfo]:
    """The organisation's timed standards by code, with the target in force in ``year`` for the
    organisation (key ``None``) and for each service with its own standard."""
    read = _READ.get()
    memo = ("standards", organisation.pk, year)
    if read is not None and memo in read:
        known: dict[str, StandardInfo] = read[memo]
        return known
    found: dict[str, StandardInfo] = {}
    rows = (
        Standard.objects.for_organisation(organisation)
        .filter(amount__isnull=False)
        .prefetch_related("targets")
        .order_by("code", "service_id")
    )
    for standard in sorted(rows, key=lambda item: (item.code, item.service_id is not None)):
        info = found.get(standard.code)
        if info is None:
            info = StandardInfo(
                standard.code,
                standard.public_title,  # in Welsh on the public page read in Welsh
                standard.time_limit,
                standard.get_applies_to_display(),
            )
            found[standard.code] = info
        info.targets[standard.service_id] = standards_queries.target_for_year(standard, year)
    if read is not None:
        read[memo] = found
    return found


def _share(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else (percent / 100).quantize(FOUR_PLACES)


def compliance(
    organisation: Organisation,
    period: Period,
    *,
    now: datetime.datetime,
    filters: Filters | None = None,
) -> list[ComplianceRow]:
    """Per standard: a row per service with measured clocks, then the corporate row (every
    timed standard has one, even with nothing measured)."""
    chosen = filters or Filters()
    standards = standards_of(organisation, period.first.year)
    grouped = _grouped(_clocks(organisation, period, chosen), "case__service_id", now)
    grouped = measures.merge(dict(grouped), gathered(organisation, period, now=now, filters=chosen))
    services = dict(
        Service.objects.for_organisation(organisation)
        .filter(pk__in={service for _code, service in grouped})
        .values_list("pk", "name")
    )
    codes = sorted(set(standards) | {code for code, _service in grouped})
    rows: list[ComplianceRow] = []
    for code in codes:
        info = standards.get(code)
        corporate_target = info.targets.get(None) if info else None
        title = info.title if info else code
        total = Counts()
        per_service = sorted(
            ((service, counts) for (each, service), counts in grouped.items() if each == code),
            key=lambda item: services.get(item[0] or 0, ""),
        )
        for service, counts in per_service:
            total = total + counts
            if service is None:  # a record with no service: only in the corporate row
                continue
            target = info.targets.get(service, corporate_target) if info else None
            rows.append(
                ComplianceRow(
                    code,
                    title,
                    counts,
                    _share(target),
                    service_id=service,
                    service_name=services.get(service or 0, ""),
                )
            )
        rows.append(ComplianceRow(code, title, total, _share(corporate_target)))
    return rows


def gathered(
    organisation: Organisation,
    period: Period,
    *,
    now: datetime.datetime,
    filters: Filters | None = None,
) -> measures.Grouped:
    """What every registered compliance source (``standards.measures``: call-backs, visitors,
    calls, complaint stages) counts, per standard code and service."""
    found: measures.Grouped = {}
    for source in measures.compliance_sources():
        measures.merge(found, source.counts(organisation, period, filters or Filters(), now))
    return found


def records_behind(
    organisation: Organisation,
    period: Period,
    *,
    now: datetime.datetime,
    pick: measures.Pick,
    filters: Filters | None = None,
) -> measures.Found:
    """The records of every registered source behind one figure (the clocks: ``clocks_behind``),
    at most ``pick.limit`` in all."""
    counted = 0
    listed: list[measures.RecordBehind] = []
    for source in measures.compliance_sources():
        left = max(pick.limit - len(listed), 0)
        found = source.records(
            organisation, period, filters or Filters(), now, replace(pick, limit=left)
        )
        counted += found.counted
        listed.extend(found.records[:left])
    return measures.Found(counted, listed)


def gathered_by_team(
    organisation: Organisation,
    period: Period,
    *,
    now: datetime.datetime,
    filters: Filters | None = None,
) -> measures.Grouped:
    """What every registered source whose records carry a team counts, per standard code and
    team (``None``: recorded with no team)."""
    found: measures.Grouped = {}
    for source in measures.compliance_sources():
        if source.team_counts is not None:
            measures.merge(
                found, source.team_counts(organisation, period, filters or Filters(), now)
            )
    return found


def team_rules() -> list[str]:
    """Which team's figure each kind of record is, for the per-team table's definitions (the
    cases' clocks first)."""
    rules = [str(CLOCK_TEAM_RULE)]
    rules += [source.team_rule() for source in measures.compliance_sources() if source.team_rule]
    rules.append(
        str(
            _(
                "No team: the call-backs, calls and complaint stages recorded with no team. "
                "Visitors belong to no team and are in no per-team figure."
            )
        )
    )
    return rules


def source_definitions() -> list[str]:
    """What each registered source counts, for the report's definitions."""
    return [text for source in measures.compliance_sources() for text in source.definitions()]


def compliance_by(
    organisation: Organisation,
    period: Period,
    *,
    now: datetime.datetime,
    by: str,
    only: Iterable[int] | None = None,
    filters: Filters | None = None,
) -> list[ComplianceRow]:
    """Per standard and team (``by="team"``) or officer (``by="officer"``: the member of staff
    the case is assigned to), against the organisation-wide target.  ``only``: the teams or
    officers to include (``None``: every one).  Unassigned cases have no officer row.

    Per team, the cases' clocks and every source's records that carry a team
    (``gathered_by_team``); the records recorded with no team make a "No team" row per standard
    (``no_team``), after the teams' rows, left out when ``only`` names teams."""
    column = {"team": TEAM, "officer": "case__assignee_id"}[by]
    chosen = filters or Filters()
    rows = _clocks(organisation, period, chosen)
    if only is not None:
        only = set(only)
        rows = rows.filter(**{f"{column}__in": sorted(only)})
    grouped = _grouped(rows, column, now)
    if by == "team":
        others = gathered_by_team(organisation, period, now=now, filters=chosen)
        if only is not None:
            others = {key: counts for key, counts in others.items() if key[1] in only}
        grouped = measures.merge(dict(grouped), others)
    standards = standards_of(organisation, period.first.year)
    names = _names(organisation, by, {group for _code, group in grouped if group is not None})
    found: list[ComplianceRow] = []
    for (code, group), counts in grouped.items():
        if group is None and by != "team":
            continue
        info = standards.get(code)
        found.append(
            ComplianceRow(
                code,
                info.title if info else code,
                counts,
                _share(info.targets.get(None) if info else None),
                group_id=group,
                group_name=names.get(group, "") if group is not None else _no_team(),
                no_team=group is None,
            )
        )
    return sorted(found, key=lambda row: (row.no_team, row.group_name, row.group_id or 0, row.code))


def _no_team() -> str:
    return str(_("No team"))


def _names(organisation: Organisation, by: str, ids: Sequence[int] | set[int]) -> dict[int, str]:
    if by == "team":
        return dict(
            Team.objects.for_organisation(organisation).filter(pk__in=ids).values_list("pk", "name")
        )
    from onestop.core.models import User

    found: dict[int, str] = {}
    for person in User.objects.filter(organisation=organisation, pk__in=ids):
        found[person.pk] = person.get_full_name() or person.get_username()
    return found


def corporate(rows: Sequence[ComplianceRow]) -> dict[str, ComplianceRow]:
    """The corporate rows by standard code."""
    return {row.code: row for row in rows if row.is_corporate}


def by_code(rows: Sequence[ComplianceRow]) -> dict[str, list[ComplianceRow]]:
    found: dict[str, list[ComplianceRow]] = defaultdict(list)
    for row in rows:
        found[row.code].append(row)
    return found

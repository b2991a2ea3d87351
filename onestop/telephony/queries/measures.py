"""The telephone measures (issue 17), computed in SQL from the call records.

For a period (first and last day, both included, in Europe/London) and optionally one service,
each figure is a count or a sum over ``CallRecord`` rows of the organisation whose ``offered_at``
falls in the period; a call belongs to the day (and the hour) it was offered in Europe/London.

- **offered**: every call that reached a queue, whatever became of it;
- **answered**: calls an agent answered (``answered_at`` set): outcome *answered*, and
  *transferred* calls an agent answered before transferring them;
- **abandoned**: outcome *abandoned* (the caller hung up before an answer). Calls sent to
  *voicemail*, and *transferred* calls no agent answered, are offered but neither answered nor
  abandoned;
- **answered within target**: answered calls whose wait (offered to answered) is at most the
  answer-time standard's threshold (``answer_thresholds``);
- a call's **wait** is measured from the stored times, to the microsecond they keep
  (``answered_at - offered_at``; for a call not answered, ``ended_at - offered_at``), never from
  ``CallRecord.wait_seconds``, which is whole seconds rounded down: a 20.9 s wait is not within
  20 seconds;
- **service level**: answered within target / offered; **abandonment rate**: abandoned /
  offered (empty when nothing was offered), as decimals to 4 places;
- **average speed of answer**: the mean wait of the answered calls, in seconds to 1 place;
- **longest wait**: the longest wait of a call answered (offered to answered) or abandoned
  (offered to hanging up), in seconds to 1 place (a voicemail's or an unanswered transfer's
  time counts the message or the other line too, so it is left out).

Rounding is ROUND_HALF_UP, once, from the exact integer counts and the exact sums of the waits
(microseconds).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, ExtractHour, ExtractMinute, TruncDate
from django.db.models.lookups import LessThanOrEqual

from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.directory import queries as directory_queries
from onestop.directory.models import Service
from onestop.standards.clock import ELAPSED_UNITS, Unit
from onestop.standards.models import Channel, Standard
from onestop.telephony.models import CallOutcome, CallQueue, CallRecord

LONDON = reporting.LONDON
NO_SERVICE = directory_queries.NO_SERVICE
ALL = "all"
ANSWER_START = "call-offered"
ANSWER_STOP = "call-answered"
RATE_PLACES = Decimal("0.0001")
SECONDS_PLACES = Decimal("0.1")
MICROSECONDS = 1_000_000  # in a second


class Measure:
    """The calls behind a figure (the drill-down's ``measure``)."""

    OFFERED = "offered"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    WITHIN = "within"
    WAITED = "waited"  # answered or abandoned: the calls the longest wait is taken from


MEASURES = (Measure.OFFERED, Measure.ANSWERED, Measure.ABANDONED, Measure.WITHIN, Measure.WAITED)
ANSWERED_Q = Q(answered_at__isnull=False)
ABANDONED_Q = Q(outcome=CallOutcome.ABANDONED)
WAITED_Q = ANSWERED_Q | ABANDONED_Q
MICROSECOND = datetime.timedelta(microseconds=1)


def answer_wait() -> ExpressionWrapper[CombinedExpression]:
    """An answered call's wait, exactly: ``answered_at - offered_at`` (an interval on
    PostgreSQL, microseconds on SQLite), from the times as stored, fractions of a second kept."""
    return ExpressionWrapper(F("answered_at") - F("offered_at"), output_field=DurationField())


def held() -> ExpressionWrapper[CombinedExpression]:
    """How long a caller waited, exactly: to the answer, or for a call not answered to its end
    (``WAITED_Q`` keeps the answered and abandoned calls the longest wait is taken from)."""
    return ExpressionWrapper(
        Coalesce("answered_at", "ended_at") - F("offered_at"), output_field=DurationField()
    )


def microseconds(value: datetime.timedelta | None) -> int | None:
    """A duration the database summed or compared, as whole microseconds (exact)."""
    return None if value is None else value // MICROSECOND


# --- the scope -----------------------------------------------------------------------------------
# The service ``--service`` names: slug, LGSL number or ``"none"`` for queues mapped to no
# service (``directory.queries.service_named``).
service_for = directory_queries.service_named


@dataclass(frozen=True)
class Scope:
    organisation: Organisation
    period: reporting.Period
    service: Service | str | None = None


def queues_in(scope: Scope) -> list[CallQueue]:
    """The organisation's queues the scope covers (every one, with calls or not), by name."""
    queues = CallQueue.objects.for_organisation(scope.organisation).select_related("service")
    if isinstance(scope.service, Service):
        queues = queues.filter(service=scope.service)
    elif scope.service == NO_SERVICE:
        queues = queues.filter(service__isnull=True)
    return list(queues.order_by("name", "source", "id"))


def calls_in(scope: Scope) -> QuerySet[CallRecord]:
    """The organisation's calls offered in the period (and the service's queues)."""
    calls = CallRecord.objects.for_organisation(scope.organisation).filter(
        offered_at__gte=scope.period.starts, offered_at__lt=scope.period.ends
    )
    if isinstance(scope.service, Service):
        calls = calls.filter(queue__service=scope.service)
    elif scope.service == NO_SERVICE:
        calls = calls.filter(queue__service__isnull=True)
    return calls


# --- the answer-time standard --------------------------------------------------------------------
@dataclass(frozen=True)
class Threshold:
    seconds: int
    standard: str  # its title, for the definitions


def _seconds_of(standard: Standard) -> int | None:
    factor = ELAPSED_UNITS.get(Unit(standard.unit)) if standard.unit else None
    if standard.amount is None or factor is None:
        return None
    return int(standard.amount) * factor


def _answer_standards(organisation: Organisation | int) -> QuerySet[Standard]:
    return Standard.objects.for_organisation(organisation).filter(
        applies_to=Channel.TELEPHONE,
        start_event=ANSWER_START,
        stop_event=ANSWER_STOP,
        unit__in=[Unit.SECONDS.value, Unit.MINUTES.value],
        amount__isnull=False,
    )


def answer_standard(organisation: Organisation | int) -> Standard | None:
    """The organisation-wide answer-time standard the thresholds come from (see
    ``answer_thresholds``), or ``None``."""
    found: Standard | None = (
        _answer_standards(organisation).filter(service__isnull=True).order_by("code", "id").first()
    )
    return found


def answer_thresholds(
    organisation: Organisation | int, queues: Iterable[CallQueue]
) -> dict[int, Threshold | None]:
    """Each queue's answer-time threshold: the organisation's answer-time standard for the
    telephone channel (a standard applying to the telephone, from ``call-offered`` to
    ``call-answered``, timed in seconds or minutes; the organisation-wide one, and if there are
    several the first by code), or that standard's own version for the queue's service when the
    service has one.  ``None`` for a queue with neither."""
    standards = list(_answer_standards(organisation).order_by("code", "id"))
    corporate = next((item for item in standards if item.service_id is None), None)
    own: dict[int, Standard] = {}
    if corporate is not None:
        for item in standards:
            if item.code == corporate.code and item.service_id is not None:
                own[item.service_id] = item
    found: dict[int, Threshold | None] = {}
    for queue in queues:
        standard = own.get(queue.service_id) if queue.service_id is not None else None
        standard = standard or corporate
        seconds = _seconds_of(standard) if standard is not None else None
        found[queue.pk] = (
            None if standard is None or seconds is None else Threshold(seconds, standard.title)
        )
    return found


def within_q(thresholds: Mapping[int, Threshold | None]) -> Q | None:
    """Answered within its queue's threshold, as one condition (``None`` when a queue of the
    scope has no threshold: the figure cannot be given)."""
    if not thresholds or any(value is None for value in thresholds.values()):
        return None
    by_seconds: dict[int, list[int]] = {}
    for queue_id, threshold in thresholds.items():
        assert threshold is not None  # noqa: S101 - checked above
        by_seconds.setdefault(threshold.seconds, []).append(queue_id)
    condition = Q(pk__in=[])
    for seconds, queue_ids in sorted(by_seconds.items()):
        # The exact wait from the stored times: 20.9 s is not within 20 s (``wait_seconds``,
        # rounded down to 20, would say it is).
        limit = datetime.timedelta(seconds=seconds)
        condition |= Q(LessThanOrEqual(answer_wait(), limit), queue_id__in=sorted(queue_ids))
    return ANSWERED_Q & condition


# --- the figures ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Counts:
    """The exact integers behind one row's figures (the waits in microseconds)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within: int | None = 0
    answered_wait: int = 0  # microseconds, the sum of the answered calls' exact waits
    longest: int | None = None  # microseconds

    def __add__(self, other: Counts) -> Counts:
        longest = [value for value in (self.longest, other.longest) if value is not None]
        return Counts(
            offered=self.offered + other.offered,
            answered=self.answered + other.answered,
            abandoned=self.abandoned + other.abandoned,
            within=None
            if self.within is None or other.within is None
            else self.within + other.within,
            answered_wait=self.answered_wait + other.answered_wait,
            longest=max(longest) if longest else None,
        )

    @property
    def service_level(self) -> Decimal | None:
        return rate(self.within, self.offered)

    @property
    def abandonment_rate(self) -> Decimal | None:
        return rate(self.abandoned, self.offered)

    @property
    def average_speed_of_answer(self) -> Decimal | None:
        if not self.answered:
            return None
        exact = Fraction(self.answered_wait, self.answered * MICROSECONDS)
        return reporting.round_half_up(exact, SECONDS_PLACES)

    @property
    def longest_wait(self) -> Decimal | None:
        if self.longest is None:
            return None
        return reporting.round_half_up(Fraction(self.longest, MICROSECONDS), SECONDS_PLACES)


def rate(part: int | None, whole: int) -> reporting.Share | None:
    """``part / whole`` to 4 places, ROUND_HALF_UP; ``None`` when ``whole`` is 0 or ``part`` is
    unknown.  A ``reporting.Share``: a page's percentage is rounded from the exact counts."""
    return reporting.share(part, whole, RATE_PLACES)


def _aggregates(within: Q | None) -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "offered": Count("id"),
        "answered": Count("id", filter=ANSWERED_Q),
        "abandoned": Count("id", filter=ABANDONED_Q),
        "answered_wait": Sum(answer_wait(), filter=ANSWERED_Q),
        "longest": Max(held(), filter=WAITED_Q),
    }
    if within is not None:
        aggregates["within"] = Count("id", filter=within)
    return aggregates


def _counts(row: Mapping[str, Any], has_within: bool) -> Counts:
    return Counts(
        offered=int(row["offered"] or 0),
        answered=int(row["answered"] or 0),
        abandoned=int(row["abandoned"] or 0),
        within=int(row["within"] or 0) if has_within else None,
        answered_wait=microseconds(row["answered_wait"]) or 0,
        longest=microseconds(row["longest"]),
    )


def _half_hour() -> Case:
    return Case(When(minute__lt=30, then=Value(0)), default=Value(30), output_field=IntegerField())


@dataclass(frozen=True)
class TelephonyFigures:
    scope: Scope
    queues: list[tuple[CallQueue, Counts]]
    total: Counts
    by_day: list[tuple[datetime.date, Counts]]
    by_hour: list[tuple[int, Counts]]
    by_half_hour: list[tuple[tuple[int, int], Counts]]
    thresholds: dict[int, Threshold | None]


def figures(scope: Scope) -> TelephonyFigures:
    """Every figure of the ``telephony`` report: per queue (every queue of the scope, with calls
    or not) and all queues; per day of the period, per hour and per half hour of the day (all
    queues).  Five grouped queries, each one pass over the organisation's calls of the period
    (the ``(organisation, offered_at)`` index)."""
    queues = queues_in(scope)
    thresholds = answer_thresholds(scope.organisation, queues)
    within = within_q(thresholds)
    has_within = within is not None
    aggregates = _aggregates(within)
    calls = calls_in(scope)

    per_queue = {
        row["queue_id"]: _counts(row, has_within)
        for row in calls.values("queue_id").annotate(**aggregates).order_by()
    }
    empty = Counts(within=0 if has_within else None)
    queue_rows = [(queue, per_queue.get(queue.pk, empty)) for queue in queues]
    total = empty
    for counts in per_queue.values():
        total = total + counts

    days = {
        row["day"]: _counts(row, has_within)
        for row in calls.annotate(day=TruncDate("offered_at", tzinfo=LONDON))
        .values("day")
        .annotate(**aggregates)
        .order_by()
    }
    by_day = [
        (day, days.get(day, empty))
        for day in (
            scope.period.first + datetime.timedelta(days=offset)
            for offset in range(scope.period.days)
        )
    ]
    hours = {
        int(row["hour"]): _counts(row, has_within)
        for row in calls.annotate(hour=ExtractHour("offered_at", tzinfo=LONDON))
        .values("hour")
        .annotate(**aggregates)
        .order_by()
    }
    by_hour = [(hour, hours.get(hour, empty)) for hour in range(24)]
    halves = {
        (int(row["hour"]), int(row["half"])): _counts(row, has_within)
        for row in calls.annotate(
            hour=ExtractHour("offered_at", tzinfo=LONDON),
            minute=ExtractMinute("offered_at", tzinfo=LONDON),
        )
        .annotate(half=_half_hour())
        .values("hour", "half")
        .annotate(**aggregates)
        .order_by()
    }
    by_half_hour = [
        ((hour, half), halves.get((hour, half), empty)) for hour in range(24) for half in (0, 30)
    ]
    return TelephonyFigures(
        scope=scope,
        queues=queue_rows,
        total=total,
        by_day=by_day,
        by_hour=by_hour,
        by_half_hour=by_half_hour,
        thresholds=thresholds,
    )


# --- the calls behind a figure -------------------------------------------------------------------
@dataclass(frozen=True)
class Slice:
    """Which calls of the scope a drill-down lists: a queue (or all), a measure, and optionally
    one day of the period, one hour of the day or one half hour of the day."""

    queue: int | None = None
    measure: str = Measure.OFFERED
    day: datetime.date | None = None
    hour: int | None = None
    half: int | None = None  # 0 or 30, with ``hour``


def calls_behind(scope: Scope, part: Slice) -> QuerySet[CallRecord]:
    """The calls a figure counts, the longest wait first for ``waited``, else in offered order.
    ``LookupError`` for a queue outside the scope, a day outside the period or an unknown
    measure."""
    if part.measure not in MEASURES:
        raise LookupError(part.measure)
    queues = queues_in(scope)
    calls = calls_in(scope)
    if part.queue is not None:
        if part.queue not in {queue.pk for queue in queues}:
            raise LookupError(part.queue)
        calls = calls.filter(queue_id=part.queue)
        queues = [queue for queue in queues if queue.pk == part.queue]
    if part.day is not None:
        if not scope.period.first <= part.day <= scope.period.last:
            raise LookupError(part.day)
        one_day = reporting.Period(part.day, part.day)
        calls = calls.filter(offered_at__gte=one_day.starts, offered_at__lt=one_day.ends)
    if part.hour is not None:
        if not 0 <= part.hour <= 23 or part.half not in (None, 0, 30):
            raise LookupError(part.hour)
        calls = calls.annotate(hour=ExtractHour("offered_at", tzinfo=LONDON)).filter(hour=part.hour)
        if part.half is not None:
            calls = calls.annotate(minute=ExtractMinute("offered_at", tzinfo=LONDON)).filter(
                minute__gte=part.half, minute__lt=part.half + 30
            )
    if part.measure == Measure.ANSWERED:
        calls = calls.filter(ANSWERED_Q)
    elif part.measure == Measure.ABANDONED:
        calls = calls.filter(ABANDONED_Q)
    elif part.measure == Measure.WAITED:
        calls = calls.filter(WAITED_Q)
    elif part.measure == Measure.WITHIN:
        condition = within_q(answer_thresholds(scope.organisation, queues))
        calls = calls.filter(condition) if condition is not None else calls.none()
    calls = calls.select_related("queue")
    if part.measure == Measure.WAITED:
        return calls.alias(held=held()).order_by("-held", "offered_at", "id")
    return calls.order_by("offered_at", "id")

"""The ``telephony`` report in the register of every report (``onestop.core.reporting``):
``onestop report telephony --from DATE --to DATE --format csv|xlsx|pdf [--service CODE]``.

Its CSV (the first table) is one row per call queue and a last row whose queue is ``all``, with
the contract's columns first (``COLUMNS``); the further tables give the same figures for all
queues by day of the period, by hour and by half hour of the day.  The figures and their
definitions are ``queries.measures``'; each figure links to the calls behind it
(``/calls/list/``), for the pages."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core import reporting
from onestop.directory.models import Service
from onestop.telephony.queries import measures
from onestop.telephony.queries.measures import Counts, Measure

CODE = "telephony"
TITLE = gettext_lazy("Telephone calls: answered, abandoned and answered within the standard")
COLUMNS = (
    "queue",
    "offered",
    "answered",
    "abandoned",
    "answered_within_target",
    "service_level",
    "abandonment_rate",
    "average_speed_of_answer_seconds",
    "longest_wait_seconds",
)
# The measure whose calls each figure column lists (the queue column has none).
COLUMN_MEASURES = (
    None,
    Measure.OFFERED,
    Measure.ANSWERED,
    Measure.ABANDONED,
    Measure.WITHIN,
    Measure.WITHIN,
    Measure.ABANDONED,
    Measure.ANSWERED,
    Measure.WAITED,
)


def _figures(counts: Counts) -> list[reporting.Value]:
    return [
        counts.offered,
        counts.answered,
        counts.abandoned,
        counts.within,
        counts.service_level,
        counts.abandonment_rate,
        counts.average_speed_of_answer,
        counts.longest_wait,
    ]


def definitions(figures: measures.TelephonyFigures) -> list[str]:
    thresholds = {value for value in figures.thresholds.values() if value is not None}
    if not figures.thresholds:
        standard = _("No call queue is in this report.")
    elif None in figures.thresholds.values():
        standard = _(
            "The organisation has no answer-time standard for the telephone, so answered within "
            "target and the service level are not given."
        )
    else:
        standard = _("The threshold is the answer-time standard's: %(standards)s.") % {
            "standards": "; ".join(
                sorted(f"{item.standard} ({item.seconds} s)" for item in thresholds)
            )
        }
    return [
        _(
            "A call belongs to the day, hour and half hour it was offered to its queue, in UK "
            "time (Europe/London); the last day is included."
        ),
        _("Offered: every call that reached the queue, whatever became of it."),
        _(
            "Answered: calls an agent answered, including calls an agent answered and then "
            "transferred."
        ),
        _(
            "Abandoned: calls whose caller hung up before an answer. Calls sent to voicemail, "
            "and transferred calls no agent answered, are offered but neither answered nor "
            "abandoned."
        ),
        _(
            "Answered within target: answered calls that waited (offered to answered) no longer "
            "than the answer-time standard's threshold: the organisation's standard for the "
            "telephone from call offered to call answered, or its service's own version of it."
        ),
        standard,
        _(
            "Service level: answered within target divided by offered; abandonment rate: "
            "abandoned divided by offered; both as decimals to 4 places, empty when no call was "
            "offered."
        ),
        _(
            "Average speed of answer: the mean wait of the answered calls, in seconds to 1 "
            "place; longest wait: the longest wait of a call answered or abandoned."
        ),
        _("Rounded half up, from the exact counts and sums."),
    ]


def _service_code(service: Service | str | None) -> str:
    if isinstance(service, Service):
        return service.slug
    return service or ""


def calls_url(
    scope: measures.Scope,
    measure: str,
    *,
    queue: int | str = measures.ALL,
    day: datetime.date | None = None,
    hour: int | None = None,
    half: int | None = None,
) -> str:
    """The list of the calls behind a figure."""
    query: dict[str, str] = {
        "from": scope.period.first.isoformat(),
        "to": scope.period.last.isoformat(),
        "measure": measure,
        "queue": str(queue),
    }
    if scope.service:
        query["service"] = _service_code(scope.service)
    if day is not None:
        query["day"] = day.isoformat()
    if hour is not None:
        query["hour"] = str(hour)
    if half is not None:
        query["half"] = str(half)
    return f"{reverse('telephony:calls')}?{urlencode(query)}"


def _links(scope: measures.Scope, **where: object) -> list[str | None]:
    return [
        None if measure is None else calls_url(scope, measure, **where)  # type: ignore[arg-type]
        for measure in COLUMN_MEASURES
    ]


def _table(
    name: str,
    caption: str,
    first_column: str,
    rows: Sequence[tuple[reporting.Value, Counts, dict[str, object]]],
    scope: measures.Scope,
    notes: list[str],
    chart: reporting.Chart | None = None,
) -> reporting.Table:
    return reporting.Table(
        name=name,
        caption=caption,
        columns=[first_column, *COLUMNS[1:]],
        rows=[[label, *_figures(counts)] for label, counts, _where in rows],
        definitions=notes,
        links=[_links(scope, **where) for _label, _counts, where in rows],
        chart=chart,
    )


def tables(figures: measures.TelephonyFigures) -> list[reporting.Table]:
    scope = figures.scope
    notes = definitions(figures)
    queue_rows: list[tuple[reporting.Value, Counts, dict[str, object]]] = [
        (queue.name, counts, {"queue": queue.pk}) for queue, counts in figures.queues
    ]
    queue_rows.append((measures.ALL, figures.total, {}))
    return [
        _table(
            "queues",
            _("Calls by queue"),
            "queue",
            queue_rows,
            scope,
            notes,
            reporting.Chart("bar", 0, (1, 2, 3)),
        ),
        _table(
            "days",
            _("Calls by day (all queues)"),
            "day",
            [(day, counts, {"day": day}) for day, counts in figures.by_day],
            scope,
            notes,
            reporting.Chart("line", 0, (1,)),
        ),
        _table(
            "hours",
            _("Calls by hour of the day (all queues)"),
            "hour",
            [(f"{hour:02d}:00", counts, {"hour": hour}) for hour, counts in figures.by_hour],
            scope,
            notes,
            reporting.Chart("bar", 0, (1,)),
        ),
        _table(
            "half-hours",
            _("Calls by half hour of the day (all queues)"),
            "half_hour",
            [
                (f"{hour:02d}:{half:02d}", counts, {"hour": hour, "half": half})
                for (hour, half), counts in figures.by_half_hour
            ],
            scope,
            notes,
            reporting.Chart("bar", 0, (1, 2, 3)),
        ),
    ]


def scope_of(request: reporting.ReportRequest) -> measures.Scope:
    organisation = request.organisation
    try:
        service = measures.service_for(organisation, request.service)
    except LookupError:
        raise reporting.ReportError(
            f"{organisation.slug} has no service {str(request.service)[:60]!r}"
        ) from None
    return measures.Scope(organisation, request.period, service)


def build(request: reporting.ReportRequest) -> reporting.ReportOutput:
    scope = scope_of(request)
    figures = measures.figures(scope)
    service = scope.service
    return reporting.ReportOutput(
        code=CODE,
        title=str(TITLE),
        request=request,
        tables=tables(figures),
        service_name=service.name if isinstance(service, Service) else str(service or ""),
        native=figures,
    )


DEFINITION = reporting.ReportDefinition(
    code=CODE, title=TITLE, build=build, object_type="telephony.report"
)


def register() -> None:
    reporting.register_report(DEFINITION)

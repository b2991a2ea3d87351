"""The ``quarterly-return`` report: every service's quarterly return collated into one corporate
report (``onestop report quarterly-return --from 2026-04-01 --to 2026-06-30``).

The CSV (the first table) is one row per service of the organisation and quarter inside the
period: ``service, status, submitted_by, submitted_at``, then the pre-filled figures as the
return holds them (``queries.returns.headline_figures``: each pre-filled report's total row,
columns named ``<report>:<column>``), then ``quarter``.  A service without a return for the
quarter is a row ``not started`` with no figures.  Further tables: the commentary, and the
actions (one row per action)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.core import reporting
from onestop.directory import queries as directory_queries
from onestop.directory.models import Service
from onestop.performance.models import QuarterlyReturn
from onestop.performance.queries import returns as queries

CODE = "quarterly-return"
TITLE = gettext_lazy("Quarterly returns of every service, collated")
NOT_STARTED = "not started"
ONE_DAY = datetime.timedelta(days=1)


def _service(request: reporting.ReportRequest) -> Service | None:
    """The service ``--service`` names (a return is always a service's: ``none`` names none)."""
    text = str(request.service).strip()[:200]
    try:
        found = directory_queries.service_named(request.organisation, text)
    except LookupError:
        found = directory_queries.NO_SERVICE
    if found == directory_queries.NO_SERVICE:
        raise reporting.ReportError(f"{request.organisation.slug} has no service {text[:60]!r}")
    return found if isinstance(found, Service) else None


def _quarters(period: reporting.Period) -> list[reporting.Period]:
    """The whole quarters inside ``period``."""
    found = []
    quarter = reporting.quarter_of(period.first)
    if quarter.first < period.first:
        quarter = reporting.quarter_of(quarter.last + ONE_DAY)
    while quarter.last <= period.last:
        found.append(quarter)
        quarter = reporting.quarter_of(quarter.last + ONE_DAY)
    return found


def build(request: reporting.ReportRequest) -> reporting.ReportOutput:
    organisation = request.organisation
    service = _service(request)
    services = (
        [service]
        if service is not None
        else list(Service.objects.for_organisation(organisation).order_by("name", "pk"))
    )
    held: dict[tuple[int, str], QuarterlyReturn] = {
        (row.service_id, row.first.isoformat()): row
        for row in queries.returns_in(organisation, request.period, service)
    }
    quarters = _quarters(request.period)
    headlines = {key: queries.headline_figures(row.figures) for key, row in held.items()}
    figure_columns: list[str] = []
    for figures in headlines.values():
        for name in figures:
            if name not in figure_columns:
                figure_columns.append(name)
    rows: list[list[reporting.Value]] = []
    commentary: list[list[reporting.Value]] = []
    actions: list[list[reporting.Value]] = []
    for quarter in quarters:
        for each in services:
            key = (each.pk, quarter.first.isoformat())
            found = held.get(key)
            label = f"{quarter.first.isoformat()} to {quarter.last.isoformat()}"
            if found is None:
                rows.append(
                    [each.name, NOT_STARTED, None, None, *[None] * len(figure_columns), label]
                )
                continue
            figures = headlines[key]
            submitted_at = found.submitted_at if found.is_submitted else None
            rows.append(
                [
                    each.name,
                    found.status,
                    found.submitted_by.username
                    if found.is_submitted and found.submitted_by
                    else None,
                    submitted_at.astimezone(reporting.LONDON).strftime("%Y-%m-%d %H:%M")
                    if submitted_at
                    else None,
                    *[figures.get(name) for name in figure_columns],
                    label,
                ]
            )
            commentary.append([each.name, label, found.status, found.commentary])
            actions.extend(
                [each.name, label, number, line]
                for number, line in enumerate(found.action_lines, start=1)
            )
    definitions = [
        _(
            "One row per service and quarter. Status: draft (started, not submitted), "
            "submitted (locked), or not started."
        ),
        _(
            "The figures are those the return holds: refreshed from the reports each time a "
            "draft is saved, and kept as they were when it was submitted. Each column is a "
            "report's total row (report:column)."
        ),
        _("Submitted at: the time of submission in UK time."),
    ]
    return reporting.ReportOutput(
        code=CODE,
        title=str(TITLE),
        request=request,
        tables=[
            reporting.Table(
                name="returns",
                caption=_("Quarterly returns by service"),
                columns=[
                    "service",
                    "status",
                    "submitted_by",
                    "submitted_at",
                    *figure_columns,
                    "quarter",
                ],
                rows=rows,
                definitions=definitions,
            ),
            reporting.Table(
                name="commentary",
                caption=_("Commentary"),
                columns=["service", "quarter", "status", "commentary"],
                rows=commentary,
            ),
            reporting.Table(
                name="actions",
                caption=_("Actions"),
                columns=["service", "quarter", "number", "action"],
                rows=actions,
            ),
        ],
        service_name=service.name if service is not None else "",
    )


DEFINITION = reporting.ReportDefinition(
    code=CODE, title=TITLE, build=build, object_type="performance.report"
)


def register() -> None:
    reporting.register_report(DEFINITION)

"""The complaint reports in the register of every report (``onestop.core.reporting``), so that
``onestop report complaints-monthly|feedback-quarterly|complaints-annual ...`` writes them beside
every other capability's reports.

Their CSV (one figure a line, with its measure) and XLSX (laid out as on the page) are their own
(``report_files``); their PDF is the generic one, from the same tables."""

from __future__ import annotations

from onestop.core import reporting
from onestop.directory.models import Service
from onestop.feedback import report_files
from onestop.feedback.queries import reports

# The pages' bar chart of each table of counts (by the table's code): the columns drawn, each a
# count (the row label is column 0).  The table is always shown beside its chart.
CHARTS: dict[str, tuple[int, ...]] = {
    "volumes": (1, 2, 3, 4),  # received: complaints, comments, compliments, suggestions
    "causes": (1,),  # complaints by cause
    "timeliness": (1, 2, 3, 4),  # by stage: received, answered, in time, late
    "outcomes": (1, 2, 3),  # by stage: upheld, partly upheld, not upheld
    "return": (1, 2, 3),  # by service: complaints, comments, compliments
    "stages": (1, 2, 3),  # by stage: received, answered, in time
    "not-accepted": (1,),  # by route
}


def generic_tables(report: reports.Report) -> list[reporting.Table]:
    """The report's tables as plain rows: the row label first, then each cell's value; the
    tables of counts with their chart (``CHARTS``)."""
    return [
        reporting.Table(
            name=table.code,
            caption=table.caption,
            columns=["", *table.headers],
            rows=[[label, *[cell.value for cell in cells]] for label, cells in table.rows],
            definitions=table.definitions,
            chart=(reporting.Chart("bar", 0, CHARTS[table.code]) if table.code in CHARTS else None),
        )
        for table in report.tables
    ]


def _builder(code: str) -> reporting.ReportDefinition:
    def build(request: reporting.ReportRequest) -> reporting.ReportOutput:
        organisation = request.organisation
        try:
            service = reports.service_for(organisation, request.service)
        except LookupError:
            raise reporting.ReportError(
                f"{organisation.slug} has no service {str(request.service)[:60]!r}"
            ) from None
        built = reports.build(code, reports.ReportScope(organisation, request.period, service))
        service_name = ""
        if service is not None:
            service_name = service.name if isinstance(service, Service) else str(service)
        return reporting.ReportOutput(
            code=code,
            title=built.title,
            request=request,
            tables=generic_tables(built),
            service_name=service_name,
            native=built,
        )

    return reporting.ReportDefinition(
        code=code,
        title=reports.REPORTS[code],
        build=build,
        write=_write,
        object_type="feedback.report",
    )


def _write(output: reporting.ReportOutput, file_format: str) -> bytes:
    native = output.native
    assert isinstance(native, reports.Report)  # noqa: S101 - built by ``_builder`` above
    if file_format == "csv":
        return report_files.as_csv(native).encode("utf-8")
    if file_format == "xlsx":
        return report_files.as_xlsx(native)
    return reporting.as_pdf(output)


def register() -> None:
    for code in reports.REPORTS:
        reporting.register_report(_builder(code))

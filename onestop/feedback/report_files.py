"""The complaint reports as files: CSV (one figure a line, for pivoting and for checking) and
XLSX (a sheet per table, laid out as on the page, with its definitions beneath).

XLSX is written with openpyxl: the maintained, pure-Python library for the format (no
spreadsheet application needed), which reads the files back too.  Every text cell that a
spreadsheet could take for a formula (starting ``=``, ``+``, ``-`` or ``@``) is written with a
leading apostrophe in the CSV and as a string in the XLSX.
"""

from __future__ import annotations

import csv
import io

from onestop.core import reporting
from onestop.feedback.queries.reports import Report

CSV_HEADER = [
    "report",
    "organisation",
    "from",
    "to",
    "service",
    "table",
    "row",
    "column",
    "value",
    "measure",
]
FORMULA_STARTS = reporting.FORMULA_STARTS
SHEET_NAME_LIMIT = reporting.SHEET_NAME_LIMIT
_safe = reporting.safe_text


def _service_name(report: Report) -> str:
    service = report.scope.service
    if service is None:
        return ""
    return str(getattr(service, "name", service))


def as_csv(report: Report) -> str:
    """One line per figure: the report, its scope, the table, row and column, and the value."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    scope = report.scope
    for table in report.tables:
        for label, cells in table.rows:
            for header, cell in zip(table.headers, cells, strict=True):
                writer.writerow(
                    [
                        _safe(item)
                        for item in (
                            report.code,
                            scope.organisation.slug,
                            scope.period.first.isoformat(),
                            scope.period.last.isoformat(),
                            _service_name(report),
                            table.caption,
                            label,
                            header,
                            cell.value,
                            cell.measure,
                        )
                    ]
                )
    return output.getvalue()


def as_xlsx(report: Report) -> bytes:
    """A sheet for the report's title and scope, then one per table: its header row, a row per
    line (counts as numbers), and its definitions below."""
    from openpyxl import Workbook  # imported when a workbook is written, as core.reporting does
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.worksheets[0]
    cover.title = "Report"
    scope = report.scope
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append(["Organisation", scope.organisation.name])
    cover.append(["From", scope.period.first])
    cover.append(["To", scope.period.last])
    cover.append(["Service", _service_name(report) or "All services"])
    for row in range(3, 5):
        cover.cell(row=row, column=2).number_format = "d mmmm yyyy"
    for index, table in enumerate(report.tables, start=1):
        sheet = book.create_sheet(f"{index} {table.code}"[:SHEET_NAME_LIMIT])
        sheet.append([table.caption])
        sheet["A1"].font = Font(bold=True)
        sheet.append(["", *table.headers])
        for label, cells in table.rows:
            sheet.append(
                [
                    _text(label),
                    *[
                        cell.value if isinstance(cell.value, int) else _text(cell.value)
                        for cell in cells
                    ],
                ]
            )
        sheet.append([])
        for definition in table.definitions:
            sheet.append([_text(definition)])
        sheet.column_dimensions["A"].width = 48
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _text(value: object) -> str:
    """Text as text: openpyxl writes a string starting ``=`` as a formula, so such a string gets
    the apostrophe a spreadsheet shows as text."""
    return _safe(value)

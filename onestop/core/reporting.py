"""The reports every capability publishes, in one register: ``onestop report --list`` names them,
``onestop report NAME ...`` writes one, and the pages offer the same files.

A capability adds a report by registering a ``ReportDefinition`` from its ``AppConfig.ready()``
(``register_report``); the core knows nothing of what is inside.  A definition builds a
``ReportOutput`` (tables of plain values) for a ``ReportRequest`` (organisation, period, the
``--service`` code as given, who asked); the files are written from that output by the writers
here, so the CSV, the XLSX and the PDF hold the same figures:

- CSV: the report's first table, its column names as the header row (a report whose CSV columns
  are a contract, such as ``telephony``, puts that table first);
- XLSX: a cover sheet (title, organisation, period, service), then a sheet per table with its
  definitions beneath;
- PDF: every table with its definitions (WeasyPrint).

A report may write its own files instead (``write``), as the complaint reports do.

Every text cell a spreadsheet could take for a formula (starting ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a leading apostrophe (``safe_text``); numbers stay numbers.

Periods: the first and last day, both included, in Europe/London.  ``month_of``, ``quarter_of``
and ``year_of`` give the calendar or the council's financial year (April to March) periods that
hold a day; ``previous`` and ``same_period_last_year`` the comparison periods.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from onestop.core.models import Organisation, User

LONDON = ZoneInfo("Europe/London")
# The longest period one report covers (a little over a year, for a financial year's report).
MAX_PERIOD_DAYS = 400
FORMATS = ("csv", "xlsx", "pdf")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_LIMIT = 31
FINANCIAL_YEAR_STARTS = 4  # April


# --- periods -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """From the first day to the last, both included, in Europe/London."""

    first: datetime.date
    last: datetime.date

    @property
    def starts(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first, datetime.time(), tzinfo=LONDON)

    @property
    def ends(self) -> datetime.datetime:
        """The first instant after the period (midnight after its last day)."""
        return datetime.datetime.combine(
            self.last + datetime.timedelta(days=1), datetime.time(), tzinfo=LONDON
        )

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


class PeriodError(ValueError):
    """A period that cannot be reported on; the message says what to fix."""


def parse_date(value: str, label: str | Promise) -> datetime.date:
    text = str(value).strip()[:20]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            str(_("%(label)s must be a date like 2026-04-01") % {"label": label})
        ) from None


def make_period(first: datetime.date, last: datetime.date) -> Period:
    if last < first:
        raise PeriodError(str(_("The last day must be the same as or after the first day.")))
    if (last - first).days > MAX_PERIOD_DAYS:
        raise PeriodError(
            str(_("A report covers at most %(days)s days.") % {"days": MAX_PERIOD_DAYS})
        )
    return Period(first, last)


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def month_of(day: datetime.date) -> Period:
    """The calendar month that holds ``day``."""
    return Period(day.replace(day=1), _month_end(day.year, day.month))


def quarter_of(day: datetime.date) -> Period:
    """The quarter that holds ``day``: January-March, April-June, July-September or
    October-December (each is both a calendar and a financial quarter, numbered differently:
    ``quarter_number``)."""
    first_month = ((day.month - 1) // 3) * 3 + 1
    return Period(datetime.date(day.year, first_month, 1), _month_end(day.year, first_month + 2))


def quarter_number(day: datetime.date, *, financial: bool) -> int:
    """1 to 4: a calendar quarter counts from January, a financial one from April."""
    calendar = (day.month - 1) // 3 + 1
    return (calendar - 2) % 4 + 1 if financial else calendar


def year_of(day: datetime.date, *, financial: bool) -> Period:
    """The calendar year, or the council's financial year (1 April to 31 March), holding ``day``."""
    if not financial:
        return Period(datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
    start_year = day.year if day.month >= FINANCIAL_YEAR_STARTS else day.year - 1
    return Period(
        datetime.date(start_year, FINANCIAL_YEAR_STARTS, 1),
        datetime.date(start_year + 1, FINANCIAL_YEAR_STARTS, 1) - datetime.timedelta(days=1),
    )


def _shift_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, _month_end(year, month + 1).day))


def _whole_months(period: Period) -> int | None:
    """How many whole calendar months ``period`` is, or ``None`` if it is not whole months."""
    if period.first.day != 1 or period.last != _month_end(period.last.year, period.last.month):
        return None
    return (period.last.year - period.first.year) * 12 + period.last.month - period.first.month + 1


def previous(period: Period) -> Period:
    """The period just before: the same number of whole months when ``period`` is whole months
    (so February follows January's length, not 31 days), otherwise the same number of days."""
    months = _whole_months(period)
    if months is not None:
        first = _shift_months(period.first, -months)
        return Period(first, period.first - datetime.timedelta(days=1))
    return Period(
        period.first - datetime.timedelta(days=period.days),
        period.first - datetime.timedelta(days=1),
    )


def same_period_last_year(period: Period) -> Period:
    """The same days a year earlier (29 February becomes the 28th; a whole month stays whole)."""
    months = _whole_months(period)
    if months is not None:
        first = _shift_months(period.first, -12)
        return Period(first, _month_end(*divmod(first.year * 12 + first.month - 1 + months, 12)))
    return Period(_shift_months(period.first, -12), _shift_months(period.last, -12))


# --- shares: rounded once, from the exact counts -------------------------------------------------
SHARE_PLACES = decimal.Decimal("0.0001")
PERCENT_PLACES = decimal.Decimal("0.1")


def round_half_up(exact: Fraction, places: decimal.Decimal) -> decimal.Decimal:
    """``exact`` to ``places`` (``Decimal("0.1")``), ROUND_HALF_UP, in integers: no intermediate
    rounding (``Fraction(7, 13)`` to 4 places is 0.5385; ``Fraction(1, 32)`` is 0.0313)."""
    exponent = places.as_tuple().exponent
    assert isinstance(exponent, int)  # noqa: S101 - a finite decimal
    scaled = exact / (Fraction(10) ** exponent)
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    sign = -1 if scaled < 0 else 1
    return decimal.Decimal(sign * whole).scaleb(exponent)


class Share(decimal.Decimal):
    """A share as the files write it (a decimal rounded half up, usually to 4 places) that keeps
    the exact fraction it was rounded from, ``exact``, so that a page's percentage is rounded
    once, from the counts (``percent``), never again from the rounded decimal.  Arithmetic on it
    gives a plain ``Decimal``; ``scaled`` keeps the exact value (a share as per cent)."""

    exact: Fraction

    def __new__(cls, exact: Fraction, places: decimal.Decimal = SHARE_PLACES) -> Share:
        return cls.of(round_half_up(exact, places), exact)

    @classmethod
    def of(cls, shown: decimal.Decimal, exact: Fraction) -> Share:
        """``shown`` (already rounded, as the file writes it) remembering ``exact``."""
        made = decimal.Decimal.__new__(cls, shown)
        made.exact = exact
        return made

    def __reduce__(self) -> tuple[object, ...]:  # type: ignore[override]  # the exact kept
        return (_share, (decimal.Decimal(self), self.exact))

    def scaled(self, factor: int) -> Share:
        """``self * factor`` as the file writes it, with the exact value scaled too."""
        return Share.of(decimal.Decimal(self) * factor, self.exact * factor)


def _share(shown: decimal.Decimal, exact: Fraction) -> Share:
    return Share.of(shown, exact)


def share(part: int | None, whole: int, places: decimal.Decimal = SHARE_PLACES) -> Share | None:
    """``part / whole`` rounded half up to ``places`` (4 by default), keeping the exact fraction;
    ``None`` when ``whole`` is 0 or ``part`` unknown."""
    if part is None or not whole:
        return None
    return Share(Fraction(part, whole), places)


def exact_of(value: object) -> Fraction | None:
    """The exact value behind a figure: a ``Share``'s fraction, or the number itself; ``None``
    for anything that is not a number."""
    if isinstance(value, Share):
        return value.exact
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return None
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        return None
    if isinstance(value, float):
        return Fraction(decimal.Decimal(str(value)))  # as it prints, not its binary expansion
    return Fraction(value)


def percent_of(value: object, *, scale: int = 100) -> decimal.Decimal | None:
    """A share (or, ``scale=1``, a figure already in per cent) as a percentage to one place,
    rounded half up once from its exact value; ``None`` for what is not a number."""
    exact = exact_of(value)
    if exact is None:
        return None
    return round_half_up(exact * scale, PERCENT_PLACES)


# --- what a report is ----------------------------------------------------------------------------
Value = int | float | decimal.Decimal | str | datetime.date | None


@dataclass(frozen=True)
class ReportRequest:
    """One report asked for: the organisation, the period, the ``--service`` code exactly as
    given (empty for every service; the report resolves it and raises ``ReportError`` for one the
    organisation does not have) and who asked (``None`` for the command line and the worker)."""

    organisation: Organisation
    period: Period
    service: str = ""
    by: User | None = None
    # Further filters as given, ``(name, text)`` (``team``, ``channel``, ``access-point``), for a
    # report whose definition lists them in ``narrows`` (``onestop report --team ...``).
    narrow: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Chart:
    """How a page draws a table (the table is always shown beside it): a bar or line chart of
    the ``values`` columns (by index) against the ``labels`` column."""

    kind: str  # "bar" or "line"
    labels: int
    values: Sequence[int]


@dataclass(frozen=True)
class Table:
    """Rows of plain values under named columns; ``definitions`` say what each figure counts.

    For pages only (the files ignore them): ``links`` has the same shape as ``rows`` and gives,
    for a figure, the URL of the records behind it (``None`` where there is none), each page
    checking the viewer's organisation and role again; ``chart`` says how to draw the table."""

    name: str
    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Value]]
    definitions: Sequence[str] = field(default_factory=tuple)
    links: Sequence[Sequence[str | None]] = field(default_factory=tuple)
    chart: Chart | None = None


@dataclass(frozen=True)
class ReportOutput:
    code: str
    title: str
    request: ReportRequest
    tables: Sequence[Table]
    service_name: str = ""  # the service the report is narrowed to, for the files' headings
    # The capability's own form of the report, for its own writer (``ReportDefinition.write``).
    native: object = None


class ReportError(ValueError):
    """A report that cannot be written for this request (an unknown service, a format it has
    not got); the message is one plain line."""


Writer = Callable[["ReportOutput", str], bytes]


@dataclass(frozen=True)
class ReportDefinition:
    code: str
    title: str | Promise
    build: Callable[[ReportRequest], ReportOutput]
    formats: tuple[str, ...] = FORMATS
    # Writes the files itself (``output``, ``file_format``) instead of the generic writers.
    write: Writer | None = None
    # The audit record's object type for a run (the capability's own, e.g. ``feedback.report``).
    object_type: str = "report"
    # The filters beyond ``--service`` the report can be narrowed by (``ReportRequest.narrow``).
    narrows: tuple[str, ...] = ()


_REGISTER: dict[str, ReportDefinition] = {}


def register_report(definition: ReportDefinition) -> None:
    """Add a report (from an ``AppConfig.ready()``); registering a name twice is a mistake."""
    existing = _REGISTER.get(definition.code)
    if existing is not None and existing != definition:
        raise ValueError(f"a report called {definition.code!r} is registered already")
    _REGISTER[definition.code] = definition


def registered_reports() -> dict[str, ReportDefinition]:
    """Every registered report by name, in name order."""
    return dict(sorted(_REGISTER.items()))


def report_named(code: str) -> ReportDefinition:
    """The report ``code``; ``ReportError`` for a name nobody registered."""
    found = _REGISTER.get(str(code))
    if found is None:
        raise ReportError(
            str(_("there is no report %(name)r (onestop report --list names them)"))
            % {"name": str(code)[:60]}
        )
    return found


# --- the files -----------------------------------------------------------------------------------
def safe_text(value: object) -> str:
    """Text a spreadsheet will not run: a leading apostrophe before a formula's first character."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_text(value)


def as_csv(output: ReportOutput) -> bytes:
    """The first table: a header row of its columns, then its rows (UTF-8, CRLF lines)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    if output.tables:
        table = output.tables[0]
        writer.writerow([safe_text(column) for column in table.columns])
        for row in table.rows:
            writer.writerow([_csv_cell(value) for value in row])
    return stream.getvalue().encode("utf-8")


def _xlsx_cell(value: Value) -> object:
    if value is None or isinstance(value, int | float | decimal.Decimal | datetime.date):
        return value
    return safe_text(value)


def as_xlsx(output: ReportOutput) -> bytes:
    """A cover sheet, then one sheet per table with its definitions beneath (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cover = book.worksheets[0]
    cover.title = "Report"
    request = output.request
    cover.append([safe_text(output.title)])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([str(_("Organisation")), safe_text(request.organisation.name)])
    cover.append([str(_("From")), request.period.first])
    cover.append([str(_("To")), request.period.last])
    cover.append([str(_("Service")), safe_text(output.service_name or _("All services"))])
    for row in range(3, 5):
        cover.cell(row=row, column=2).number_format = "d mmmm yyyy"
    for index, table in enumerate(output.tables, start=1):
        sheet = book.create_sheet(f"{index} {table.name}"[:SHEET_NAME_LIMIT])
        sheet.append([safe_text(table.caption)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([safe_text(column) for column in table.columns])
        for row_values in table.rows:
            sheet.append([_xlsx_cell(value) for value in row_values])
        if table.definitions:
            sheet.append([])
            for definition in table.definitions:
                sheet.append([safe_text(definition)])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _pdf_cell(value: Value) -> tuple[str, bool]:
    """The text shown, and whether it is a number (set to the right)."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int | float | decimal.Decimal):
        return str(value), True
    if isinstance(value, datetime.date):
        return value.isoformat(), False
    return str(value), False


def as_pdf(output: ReportOutput) -> bytes:
    """Title and scope, then every table with its definitions, A4 landscape (WeasyPrint, as the
    letters are).  Our own autoescaped template and no ``base_url``: nothing in a report's text
    can fetch a file or a URL."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    tables = [
        {
            "caption": table.caption,
            "columns": table.columns,
            "rows": [[_pdf_cell(value) for value in row] for row in table.rows],
            "definitions": table.definitions,
        }
        for table in output.tables
    ]
    html = render_to_string("core/report_pdf.html", {"output": output, "tables": tables})
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf() without a target returns the bytes
    return bytes(pdf)


GENERIC_WRITERS: dict[str, Callable[[ReportOutput], bytes]] = {
    "csv": as_csv,
    "xlsx": as_xlsx,
    "pdf": as_pdf,
}


def write(definition: ReportDefinition, output: ReportOutput, file_format: str) -> bytes:
    """The report's file in ``file_format``; ``ReportError`` for a format it does not offer."""
    if file_format not in definition.formats:
        raise ReportError(
            str(_("%(report)s is written as %(formats)s, not %(format)s"))
            % {
                "report": definition.code,
                "formats": ", ".join(definition.formats),
                "format": str(file_format)[:10],
            }
        )
    if definition.write is not None:
        return definition.write(output, file_format)
    return GENERIC_WRITERS[file_format](output)

"""The register of reports (``core.reporting``) and ``onestop report``: periods, the three files,
formula-safe text, the command's list, its one-line refusals and its audit."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from onestop.core import reporting
from onestop.core.models import AuditAction, AuditRecord, Organisation

D = datetime.date
HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "<b>&amp;</b>"]


# --- periods -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "month", "quarter", "calendar_year", "financial_year"),
    [
        (
            D(2026, 2, 14),
            (D(2026, 2, 1), D(2026, 2, 28)),
            (D(2026, 1, 1), D(2026, 3, 31)),
            (D(2026, 1, 1), D(2026, 12, 31)),
            (D(2025, 4, 1), D(2026, 3, 31)),
        ),
        (
            D(2028, 2, 29),
            (D(2028, 2, 1), D(2028, 2, 29)),
            (D(2028, 1, 1), D(2028, 3, 31)),
            (D(2028, 1, 1), D(2028, 12, 31)),
            (D(2027, 4, 1), D(2028, 3, 31)),
        ),
        (
            D(2026, 4, 1),
            (D(2026, 4, 1), D(2026, 4, 30)),
            (D(2026, 4, 1), D(2026, 6, 30)),
            (D(2026, 1, 1), D(2026, 12, 31)),
            (D(2026, 4, 1), D(2027, 3, 31)),
        ),
        (
            D(2026, 12, 31),
            (D(2026, 12, 1), D(2026, 12, 31)),
            (D(2026, 10, 1), D(2026, 12, 31)),
            (D(2026, 1, 1), D(2026, 12, 31)),
            (D(2026, 4, 1), D(2027, 3, 31)),
        ),
    ],
)
def test_the_periods_that_hold_a_day(
    day: D,
    month: tuple[D, D],
    quarter: tuple[D, D],
    calendar_year: tuple[D, D],
    financial_year: tuple[D, D],
) -> None:
    assert reporting.month_of(day) == reporting.Period(*month)
    assert reporting.quarter_of(day) == reporting.Period(*quarter)
    assert reporting.year_of(day, financial=False) == reporting.Period(*calendar_year)
    assert reporting.year_of(day, financial=True) == reporting.Period(*financial_year)


@pytest.mark.parametrize(
    ("month", "calendar", "financial"),
    [(1, 1, 4), (3, 1, 4), (4, 2, 1), (6, 2, 1), (7, 3, 2), (10, 4, 3), (12, 4, 3)],
)
def test_quarters_are_numbered_from_january_or_from_april(
    month: int, calendar: int, financial: int
) -> None:
    assert reporting.quarter_number(D(2026, month, 1), financial=False) == calendar
    assert reporting.quarter_number(D(2026, month, 1), financial=True) == financial


@pytest.mark.parametrize(
    ("period", "before", "last_year"),
    [
        # A month: the whole month before (February after March, however long), a year back.
        (
            (D(2026, 3, 1), D(2026, 3, 31)),
            (D(2026, 2, 1), D(2026, 2, 28)),
            (D(2025, 3, 1), D(2025, 3, 31)),
        ),
        (
            (D(2028, 2, 1), D(2028, 2, 29)),
            (D(2028, 1, 1), D(2028, 1, 31)),
            (D(2027, 2, 1), D(2027, 2, 28)),
        ),
        # A quarter across a year's end, and a financial year.
        (
            (D(2026, 1, 1), D(2026, 3, 31)),
            (D(2025, 10, 1), D(2025, 12, 31)),
            (D(2025, 1, 1), D(2025, 3, 31)),
        ),
        (
            (D(2026, 4, 1), D(2027, 3, 31)),
            (D(2025, 4, 1), D(2026, 3, 31)),
            (D(2025, 4, 1), D(2026, 3, 31)),
        ),
        # Days that are not whole months: as many days before; the same days a year back.
        (
            (D(2026, 5, 10), D(2026, 5, 16)),
            (D(2026, 5, 3), D(2026, 5, 9)),
            (D(2025, 5, 10), D(2025, 5, 16)),
        ),
        (
            (D(2028, 2, 29), D(2028, 3, 2)),
            (D(2028, 2, 26), D(2028, 2, 28)),
            (D(2027, 2, 28), D(2027, 3, 2)),
        ),
    ],
)
def test_the_periods_to_compare_with(
    period: tuple[D, D], before: tuple[D, D], last_year: tuple[D, D]
) -> None:
    chosen = reporting.Period(*period)
    assert reporting.previous(chosen) == reporting.Period(*before)
    assert reporting.same_period_last_year(chosen) == reporting.Period(*last_year)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)))
def test_a_months_previous_month_ends_the_day_before_it(day: D) -> None:
    month = reporting.month_of(day)
    before = reporting.previous(month)
    assert before.last == month.first - datetime.timedelta(days=1)
    assert before == reporting.month_of(before.first)
    assert reporting.year_of(day, financial=True).days in (365, 366)
    quarter = reporting.quarter_of(day)
    assert quarter.first <= day <= quarter.last
    assert reporting.previous(quarter) == reporting.quarter_of(
        quarter.first - datetime.timedelta(days=1)
    )


def test_a_period_runs_from_midnight_to_midnight_in_london_across_the_clock_change() -> None:
    october = reporting.Period(D(2026, 10, 25), D(2026, 10, 25))  # the clocks go back
    assert october.starts.utcoffset() == datetime.timedelta(hours=1)
    assert october.ends.utcoffset() == datetime.timedelta(0)
    utc = datetime.UTC
    assert october.ends.astimezone(utc) - october.starts.astimezone(utc) == datetime.timedelta(
        hours=25
    )
    assert october.days == 1


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (D(2026, 5, 2), D(2026, 5, 1), "The last day must be the same as or after the first day."),
        (D(2026, 1, 1), D(2027, 3, 1), "A report covers at most 400 days."),
    ],
)
def test_a_period_that_cannot_be_reported_on(first: D, last: D, message: str) -> None:
    with pytest.raises(reporting.PeriodError, match=message):
        reporting.make_period(first, last)


@pytest.mark.parametrize("text", ["", "2026-02-30", "1 May", "x" * 5000, "2026-05-01\x00"])
def test_a_date_that_is_not_a_date(text: str) -> None:
    with pytest.raises(reporting.PeriodError, match="--from must be a date like 2026-04-01"):
        reporting.parse_date(text, "--from")


# --- the files -----------------------------------------------------------------------------------
def _output(organisation: Organisation) -> reporting.ReportOutput:
    request = reporting.ReportRequest(organisation, reporting.Period(D(2026, 5, 1), D(2026, 5, 31)))
    figures = reporting.Table(
        name="figures",
        caption="Figures",
        columns=["name", "count", "rate", "day", "empty"],
        rows=[
            *[
                [text, index, 0.25, D(2026, 5, index + 1), None]
                for index, text in enumerate(HOSTILE)
            ],
            ["Plain", 7, 1, D(2026, 5, 31), None],
        ],
        definitions=["=counts every record", "Plain words"],
    )
    second = reporting.Table(name="second", caption="Second", columns=["a"], rows=[["b"]])
    return reporting.ReportOutput(
        code="example", title="Example report", request=request, tables=[figures, second]
    )


def test_the_csv_is_the_first_table_with_formulas_made_inert(council: Organisation) -> None:
    rows = list(csv.reader(io.StringIO(reporting.as_csv(_output(council)).decode("utf-8"))))
    assert rows[0] == ["name", "count", "rate", "day", "empty"]
    assert [row[0] for row in rows[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "<b>&amp;</b>",
        "Plain",
    ]
    assert rows[-1] == ["Plain", "7", "1", "2026-05-31", ""]
    assert len(rows) == 1 + len(HOSTILE) + 1  # the second table is not in the CSV


def test_the_xlsx_has_a_cover_and_a_sheet_per_table(council: Organisation) -> None:
    book = load_workbook(io.BytesIO(reporting.as_xlsx(_output(council))))
    assert book.sheetnames == ["Report", "1 figures", "2 second"]
    cover = list(book["Report"].iter_rows(values_only=True))
    assert cover[0][0] == "Example report"
    assert cover[1] == ("Organisation", "Test District Council")
    assert cover[4] == ("Service", "All services")
    rows = list(book["1 figures"].iter_rows(values_only=True))
    assert rows[1] == ("name", "count", "rate", "day", "empty")
    assert rows[2][0] == '\'=HYPERLINK("http://x")'
    assert rows[2][1:3] == (0, 0.25)  # numbers stay numbers
    assert rows[-2] == ("'=counts every record", None, None, None, None)
    for row in book["1 figures"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_the_pdf_holds_every_table_and_escapes_text(council: Organisation) -> None:
    pdf = reporting.as_pdf(_output(council))
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Example report" in text
    assert "Test District Council" in text
    assert "<b>&amp;</b>" in text  # shown as typed, not as markup
    assert "Second" in text
    assert "=counts every record" in text


# --- the register --------------------------------------------------------------------------------
def _build(request: reporting.ReportRequest) -> reporting.ReportOutput:
    if request.service == "unknown":
        raise reporting.ReportError(f"{request.organisation.slug} has no service 'unknown'")
    return reporting.ReportOutput(
        code="test-example",
        title="Test example",
        request=request,
        tables=[
            reporting.Table(
                name="days",
                caption="Days",
                columns=["from", "to", "days"],
                rows=[[request.period.first, request.period.last, request.period.days]],
            )
        ],
    )


EXAMPLE = reporting.ReportDefinition(code="test-example", title="Test example", build=_build)
CSV_ONLY = reporting.ReportDefinition(
    code="test-csv-only", title="Only CSV", build=_build, formats=("csv",)
)


@pytest.fixture
def registered() -> Iterator[None]:
    reporting.register_report(EXAMPLE)
    reporting.register_report(CSV_ONLY)
    yield
    reporting._REGISTER.pop(EXAMPLE.code)
    reporting._REGISTER.pop(CSV_ONLY.code)


def test_a_name_is_registered_once(registered: None) -> None:
    reporting.register_report(EXAMPLE)  # the same definition again is harmless
    with pytest.raises(ValueError, match="a report called 'test-example' is registered already"):
        reporting.register_report(
            reporting.ReportDefinition(code="test-example", title="Another", build=_build)
        )


def _command(*arguments: str) -> str:
    stdout = io.StringIO()
    call_command("report", *arguments, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def test_the_list_names_every_report_with_its_formats(registered: None) -> None:
    lines = _command("--list").splitlines()
    names = [line.split("\t")[0] for line in lines]
    assert names == sorted(names)
    assert {"complaints-monthly", "feedback-quarterly", "complaints-annual"} <= set(names)
    # The five the issue names, each written as CSV, XLSX and PDF, with its title.
    for line in (
        "backlog\tcsv,xlsx,pdf\tBacklog and ageing of open cases",
        "quarterly-return\tcsv,xlsx,pdf\tQuarterly returns of every service, collated",
        "standards-compliance\tcsv,xlsx,pdf\tCompliance with the standards",
        "telephony\tcsv,xlsx,pdf\t"
        "Telephone calls: answered, abandoned and answered within the standard",
        "volumes\tcsv,xlsx,pdf\tContact volumes",
    ):
        assert line in lines
    assert "test-example\tcsv,xlsx,pdf\tTest example" in lines
    assert "test-csv-only\tcsv\tOnly CSV" in lines


PERIOD = ["--from", "2026-05-01", "--to", "2026-05-31"]


def test_the_command_writes_each_format_and_audits_the_run(
    registered: None, council: Organisation, tmp_path: Path
) -> None:
    out = _command("test-example", *PERIOD, "--format", "csv")
    assert out == "from,to,days\r\n2026-05-01,2026-05-31,31\r\n"
    _command("test-example", *PERIOD, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    sheet = load_workbook(tmp_path / "r.xlsx")["1 days"]
    assert list(sheet.iter_rows(values_only=True))[1:] == [
        ("from", "to", "days"),
        # openpyxl reads a date cell back as a naive datetime.
        (datetime.datetime(2026, 5, 1), datetime.datetime(2026, 5, 31), 31),  # noqa: DTZ001
    ]
    _command("test-example", *PERIOD, "--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    text = PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
    assert "2026-05-01 2026-05-31 31" in text
    runs = list(
        AuditRecord.objects.for_organisation(council).filter(
            object_type="report", object_id="test-example"
        )
    )
    assert [(run.action, run.changes["format"], run.actor_id) for run in runs] == [
        (AuditAction.EXPORTED, "csv", None),
        (AuditAction.EXPORTED, "xlsx", None),
        (AuditAction.EXPORTED, "pdf", None),
    ]
    assert runs[0].changes == {
        "from": "2026-05-01",
        "to": "2026-05-31",
        "service": "",
        "format": "csv",
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nothing-of-that-name", *PERIOD, "--format", "csv"], "there is no report"),
        (["test-csv-only", *PERIOD, "--format", "pdf"], "test-csv-only is written as csv, not pdf"),
        (
            ["test-example", *PERIOD, "--format", "csv", "--service", "unknown"],
            "test-council has no service 'unknown'",
        ),
        (["test-example", "--to", "2026-05-31", "--format", "csv"], "required: --from"),
        (["test-example", "--from", "2026-05-01", "--format", "csv"], "required: --to"),
        (["test-example", *PERIOD], "required: --format"),
        (["--from", "2026-05-01"], "name a report"),
        (
            ["test-example", "--from", "2026-06-01", "--to", "2026-05-31", "--format", "csv"],
            "--to must be the same as or after --from",
        ),
        (
            ["test-example", "--from", "x" * 5000, "--to", "2026-05-31", "--format", "csv"],
            "--from must be a date like 2026-04-01",
        ),
        (
            ["test-example", *PERIOD, "--format", "csv", "--organisation", "nowhere"],
            "there is no organisation 'nowhere'",
        ),
        (
            ["test-example", *PERIOD, "--format", "csv", "--organisation", "a\x00"],
            "has no control characters",
        ),
        (
            ["test-example", *PERIOD, "--format", "csv", "--output", "/no/such/folder/x.csv"],
            "there is no such folder",
        ),
    ],
)
def test_bad_arguments_are_one_line_with_status_2_and_change_nothing(
    registered: None, council: Organisation, arguments: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as refused:
        _command(*arguments)
    assert refused.value.returncode == 2
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not AuditRecord.objects.for_organisation(council).filter(object_type="report").exists()


def test_the_organisation_must_be_named_when_there_are_two(
    registered: None, council: Organisation, partner: Organisation
) -> None:
    with pytest.raises(CommandError, match="say which organisation with --organisation SLUG"):
        _command("test-example", *PERIOD, "--format", "csv")
    out = _command("test-example", *PERIOD, "--format", "csv", "--organisation", "test-housing")
    assert out.endswith("2026-05-01,2026-05-31,31\r\n")

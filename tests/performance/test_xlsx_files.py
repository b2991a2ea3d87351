"""The XLSX of each of the five reports the issue names (``volumes``, ``standards-compliance``,
``telephony``, ``backlog``, ``quarterly-return``) holds exactly the CSV's figures: its first
table's sheet, opened with openpyxl, has the CSV's header and, cell by cell, the CSV's values
(numbers equal as numbers, dates as ISO days, empty as empty), and nothing more before its
definitions."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
from pathlib import Path

import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.performance.services import returns as return_services
from tests.cases.conftest import World
from tests.performance import standards_story
from tests.performance.returns_world import ReturnWorld, returns_world
from tests.performance.standards_story import NOW
from tests.performance.test_backlog import Cases, cases, world
from tests.performance.test_volumes import April, april

__all__ = ["april", "cases", "returns_world", "world"]  # the fixtures used here


def _cell(value: object) -> str:
    """An XLSX cell as the CSV writes the same value."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


def _same(from_xlsx: object, from_csv: str) -> bool:
    if isinstance(from_xlsx, int | float) and not isinstance(from_xlsx, bool):
        return decimal.Decimal(str(from_xlsx)) == decimal.Decimal(from_csv)
    return _cell(from_xlsx) == from_csv


def _files(
    organisation: Organisation, code: str, period: reporting.Period, folder: Path
) -> tuple[list[list[str]], list[tuple[object, ...]]]:
    """The report's CSV rows (header first) and its first table's sheet's rows."""
    dates = ["--from", period.first.isoformat(), "--to", period.last.isoformat()]
    where = ["--organisation", organisation.slug]
    out = io.StringIO()
    call_command("report", code, *dates, "--format", "csv", *where, stdout=out)
    target = folder / f"{code}.xlsx"
    call_command(
        "report", code, *dates, "--format", "xlsx", *where, "--output", str(target),
        stdout=io.StringIO(),
    )  # fmt: skip
    book = load_workbook(target)
    assert book.sheetnames[0] == "Report"
    return (
        list(csv.reader(io.StringIO(out.getvalue()))),
        list(book.worksheets[1].iter_rows(values_only=True)),
    )


def _assert_the_same(csv_rows: list[list[str]], sheet: list[tuple[object, ...]]) -> None:
    header, *rows = csv_rows
    assert rows, "the report has figures to compare"
    # Row 1 is the table's caption; row 2 its columns; then its rows.
    assert [_cell(value) for value in sheet[1]] == header
    for number, (expected, found) in enumerate(zip(rows, sheet[2:], strict=False), start=1):
        assert len(found) == len(expected), number
        for column, (text, value) in enumerate(zip(expected, found, strict=True)):
            assert _same(value, text), (number, header[column], value, text)
    # Every CSV row is there, and after them the sheet ends or a blank row leads to the
    # definitions.
    assert len(sheet) >= len(rows) + 2
    after = sheet[len(rows) + 2 :]
    assert not after or all(value is None for value in after[0])


def test_volumes(april: April, tmp_path: Path) -> None:
    period = reporting.Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    csv_rows, sheet = _files(april.organisation, "volumes", period, tmp_path)
    assert len(csv_rows) == 28  # the header and the 27 rows of test_volumes
    _assert_the_same(csv_rows, sheet)


def test_backlog(cases: Cases, tmp_path: Path) -> None:
    period = reporting.Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
    csv_rows, sheet = _files(cases.world.organisation, "backlog", period, tmp_path)
    assert [row[0] for row in csv_rows] == ["team", "Collection crews", "Town crews", "all"]
    _assert_the_same(csv_rows, sheet)


def test_standards_compliance(world: World, tmp_path: Path) -> None:
    standards_story.tell(world)
    period = reporting.Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    with time_machine.travel(NOW, tick=False):
        csv_rows, sheet = _files(world.organisation, "standards-compliance", period, tmp_path)
    assert len(csv_rows) > 2
    _assert_the_same(csv_rows, sheet)


def test_telephony(returns_world: ReturnWorld, tmp_path: Path) -> None:
    csv_rows, sheet = _files(
        returns_world.organisation, "telephony", returns_world.quarter, tmp_path
    )
    assert csv_rows[1:] == [
        ["Customer Services", "3", "2", "1", "1", "0.3333", "0.3333", "20.0", "50.0"],
        ["all", "3", "2", "1", "1", "0.3333", "0.3333", "20.0", "50.0"],
    ]
    _assert_the_same(csv_rows, sheet)


def test_quarterly_return(returns_world: ReturnWorld, tmp_path: Path) -> None:
    item = return_services.start_return(
        returns_world.head, returns_world.service, returns_world.quarter.first
    )
    return_services.save_return(
        item, by=returns_world.head, commentary="Done", actions="Hire two advisors", submit=True
    )
    csv_rows, sheet = _files(
        returns_world.organisation, "quarterly-return", returns_world.quarter, tmp_path
    )
    assert [row[:2] for row in csv_rows[1:]] == [
        ["Customer Services", "submitted"],
        ["Waste and recycling", "not started"],
    ]
    _assert_the_same(csv_rows, sheet)

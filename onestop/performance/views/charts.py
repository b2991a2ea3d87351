"""Server-drawn SVG bar charts of a report table (``Table.chart``), the table always beside."""

from __future__ import annotations

import decimal
from dataclasses import dataclass

from onestop.core import reporting

WIDTH = 640
BAR_AREA = 420
LABEL_WIDTH = 200
ROW_HEIGHT = 22
COLOURS = ("#1d70b8", "#505a5f", "#00703c", "#d4351c")


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    colour: str
    value: str


@dataclass(frozen=True)
class Row:
    label: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Drawn:
    height: int
    width: int
    rows: list[Row]
    series: list[tuple[str, str]]  # column name, colour
    label_width: int


def _number(value: reporting.Value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | decimal.Decimal):
        return float(value)
    return None


def draw(table: reporting.Table) -> Drawn | None:
    chart = table.chart
    if chart is None or not table.rows:
        return None
    values = [
        [_number(row[index]) if index < len(row) else None for index in chart.values]
        for row in table.rows
    ]
    largest = max([value or 0.0 for each in values for value in each] + [1.0])
    per_row = ROW_HEIGHT * len(chart.values) + 8
    rows: list[Row] = []
    for position, (row, numbers) in enumerate(zip(table.rows, values, strict=True)):
        top = position * per_row
        bars = [
            Bar(
                x=LABEL_WIDTH,
                y=top + offset * ROW_HEIGHT,
                width=round((number or 0.0) / largest * BAR_AREA),
                height=ROW_HEIGHT - 4,
                colour=COLOURS[offset % len(COLOURS)],
                value="" if number is None else f"{number:g}",
            )
            for offset, number in enumerate(numbers)
        ]
        rows.append(Row(str(row[chart.labels] or ""), top + ROW_HEIGHT - 8, bars))
    series = [
        (str(table.columns[index]), COLOURS[offset % len(COLOURS)])
        for offset, index in enumerate(chart.values)
    ]
    return Drawn(per_row * len(table.rows), WIDTH, rows, series, LABEL_WIDTH)

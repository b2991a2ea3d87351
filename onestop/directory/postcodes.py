"""Reading postcode districts' centres (``onestop directory import-postcode-districts``).

Two layouts are read, told apart by the header row:

- **A districts file** (``outward_code,latitude,longitude``): one row per district, its centre
  in WGS84 degrees.  At most 5 MB.
- **The ONS Postcode Directory** (ONSPD, the CSV the Office for National Statistics publishes
  under the Open Government Licence, about 2.7 million rows): one row per postcode with the
  columns ``pcds`` (or ``pcd``), ``lat``, ``long`` and ``doterm``.  Each district's centre is
  the mean of its live postcodes' positions, to six decimal places (half to even).  Postcodes
  with no position (ONSPD writes ``99.999999``), terminated ones (``doterm`` given) and those
  outside the United Kingdom (the Channel Islands, the Isle of Man) are skipped and counted.
  Read as a stream: memory holds one sum per district whatever the file's size.

Anything doubtful refuses the whole file (``PostcodeFileError``, one line naming the line
number): a malformed outward code or number, a district given twice, a district file's centre
outside the United Kingdom, a line longer than 8,192 characters, text that is not UTF-8.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import IO

from onestop.core import geo

MAX_DISTRICTS_FILE_BYTES = 5 * 1024 * 1024
MAX_LINE = 8192
MAX_DISTRICTS = 10_000  # the United Kingdom has about 3,100
OUTWARD_CODE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")
DISTRICTS_HEADER = ("outward_code", "latitude", "longitude")
NO_POSITION = Decimal("99.999999")
MICRO = Decimal(1_000_000)


class PostcodeFileError(ValueError):
    """The file is refused; the message says why in one line."""


@dataclass(frozen=True)
class District:
    outward_code: str
    latitude: Decimal
    longitude: Decimal
    postcodes: int  # how many postcodes the centre is the mean of (0: given by the file)


@dataclass
class Reading:
    """What a file held: the districts, and (for the ONSPD) the postcodes read and skipped."""

    districts: list[District]
    layout: str
    postcodes: int = 0
    skipped: int = 0


def _lines(handle: IO[bytes]) -> Iterator[str]:
    for number, raw in enumerate(handle, start=1):
        if len(raw) > MAX_LINE:
            raise PostcodeFileError(f"line {number} is longer than {MAX_LINE} characters")
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise PostcodeFileError(f"line {number} is not UTF-8 text") from error
        if "\x00" in line:
            raise PostcodeFileError(f"line {number} is not text")
        yield line


def _rows(handle: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_lines(handle), strict=True)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise PostcodeFileError(f"line {reader.line_num} is not valid CSV: {error}") from error


def outward_code(text: str) -> str | None:
    """The outward code of a whole postcode (``HP19 8FF``, ``hp198ff``: upper case, no
    spaces), or ``None`` when it is not one.  The inward code is always a digit and two
    letters."""
    compact = "".join(text.split()).upper()
    if not 5 <= len(compact) <= 7 or not re.fullmatch(r"[0-9][A-Z]{2}", compact[-3:]):
        return None
    outward = compact[:-3]
    return outward if OUTWARD_CODE.fullmatch(outward) else None


def _degrees(text: str, what: str, line: int) -> Decimal:
    value = geo.degrees(text)
    if value is None:
        raise PostcodeFileError(f"line {line}: the {what} {text[:20]!r} is not a number")
    return value


def read(handle: IO[bytes]) -> Reading:
    """The districts in the file open as ``handle`` (binary), or ``PostcodeFileError``."""
    rows = _rows(handle)
    header: list[str] | None = None
    for _line, row in rows:
        if any(cell.strip() for cell in row):
            header = [cell.strip().lower() for cell in row]
            break
    if header is None:
        raise PostcodeFileError("the file is empty")
    if tuple(header[:3]) == DISTRICTS_HEADER:
        return Reading(_districts(rows), "districts")
    columns = {name: index for index, name in enumerate(header)}
    postcode = columns.get("pcds", columns.get("pcd"))
    if postcode is None or "lat" not in columns or "long" not in columns:
        raise PostcodeFileError(
            "the first row must be the header outward_code,latitude,longitude, or the ONS "
            "Postcode Directory's (with pcds, lat and long)"
        )
    return _onspd(rows, postcode, columns["lat"], columns["long"], columns.get("doterm"))


def _districts(rows: Iterable[tuple[int, list[str]]]) -> list[District]:
    found: dict[str, District] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            raise PostcodeFileError(
                f"line {line}: expected an outward code, a latitude and a longitude"
            )
        code = row[0].strip().upper()
        if not OUTWARD_CODE.fullmatch(code):
            raise PostcodeFileError(
                f"line {line}: {row[0][:20]!r} is not an outward code, like HP19"
            )
        if code in found:
            raise PostcodeFileError(f"line {line}: the district {code} is given twice")
        latitude = _degrees(row[1], "latitude", line)
        longitude = _degrees(row[2], "longitude", line)
        if not geo.UNITED_KINGDOM.contains(latitude, longitude):
            raise PostcodeFileError(
                f"line {line}: the centre of {code} is outside the United Kingdom"
            )
        found[code] = District(code, latitude, longitude, 0)
        if len(found) > MAX_DISTRICTS:
            raise PostcodeFileError(f"the file has more than {MAX_DISTRICTS} districts")
    if not found:
        raise PostcodeFileError("the file has no districts")
    return list(found.values())


def _onspd(
    rows: Iterable[tuple[int, list[str]]],
    postcode: int,
    latitude_at: int,
    longitude_at: int,
    terminated_at: int | None,
) -> Reading:
    # Sums in millionths of a degree (integers, exact), and counts, per district.
    sums: dict[str, list[int]] = {}
    reading = Reading([], "onspd")
    width = max(postcode, latitude_at, longitude_at, terminated_at or 0) + 1
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            raise PostcodeFileError(
                f"line {line}: expected {width} columns or more, found {len(row)}"
            )
        reading.postcodes += 1
        text = row[postcode]
        code = outward_code(text) if len(text) <= 10 else None
        if code is None:
            raise PostcodeFileError(f"line {line}: {text[:20]!r} is not a postcode")
        latitude = _degrees(row[latitude_at], "latitude", line)
        longitude = _degrees(row[longitude_at], "longitude", line)
        terminated = terminated_at is not None and row[terminated_at].strip() != ""
        if (
            terminated
            or latitude == NO_POSITION
            or not geo.UNITED_KINGDOM.contains(latitude, longitude)
        ):
            reading.skipped += 1
            continue
        entry = sums.get(code)
        if entry is None:
            if len(sums) >= MAX_DISTRICTS:
                raise PostcodeFileError(f"the file has more than {MAX_DISTRICTS} districts")
            entry = sums[code] = [0, 0, 0]
        entry[0] += int(latitude * MICRO)
        entry[1] += int(longitude * MICRO)
        entry[2] += 1
    if not sums:
        raise PostcodeFileError("the file has no postcodes with a position in the United Kingdom")
    reading.districts = [
        District(code, _mean(total_latitude, count), _mean(total_longitude, count), count)
        for code, (total_latitude, total_longitude, count) in sorted(sums.items())
    ]
    return reading


def _mean(total: int, count: int) -> Decimal:
    return (Decimal(total) / MICRO / count).quantize(geo.PLACES, rounding=ROUND_HALF_EVEN)

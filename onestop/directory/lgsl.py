"""Parsing the Local Government Service List CSV (``onestop directory import-lgsl``).

The published list has the columns ``Identifier,Label``; ``code,name`` is accepted too.  Lines
starting with ``#`` before the header are comments.  Anything doubtful refuses the whole file.
"""

from __future__ import annotations

import csv
import io

MAX_BYTES = 5 * 1024 * 1024
MAX_NAME_LENGTH = 300
HEADERS = (("identifier", "label"), ("code", "name"))


class LgslFileError(ValueError):
    """The file is refused; the message says why in one line."""


def parse_lgsl_csv(content: bytes) -> list[tuple[int, str]]:
    if len(content) > MAX_BYTES:
        raise LgslFileError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LgslFileError("the file is not UTF-8 text") from error
    if "\x00" in text:
        raise LgslFileError("the file is not a text CSV file")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), strict=True))
    except csv.Error as error:
        raise LgslFileError(f"the file is not valid CSV: {error}") from error
    if not rows:
        raise LgslFileError("the file is empty")
    header = tuple(cell.strip().lower() for cell in rows[0])
    if header[:2] not in HEADERS:
        raise LgslFileError("the first row must be the header Identifier,Label (or code,name)")
    entries: list[tuple[int, str]] = []
    seen: set[int] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise LgslFileError(f"row {number}: expected an identifier and a label")
        raw_code, name = row[0].strip(), row[1].strip()
        if not raw_code.isascii() or not raw_code.isdigit() or len(raw_code) > 9:
            raise LgslFileError(f"row {number}: the identifier {raw_code[:20]!r} is not a number")
        code = int(raw_code)
        if code in seen:
            raise LgslFileError(f"row {number}: the identifier {code} appears more than once")
        if not name:
            raise LgslFileError(f"row {number}: the label is empty")
        if len(name) > MAX_NAME_LENGTH:
            raise LgslFileError(f"row {number}: the label is longer than {MAX_NAME_LENGTH}")
        seen.add(code)
        entries.append((code, name))
    if not entries:
        raise LgslFileError("the file has no entries")
    return entries

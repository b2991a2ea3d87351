"""Reading call records: the generic ``onestop-calls-v1`` CSV and mappings of other systems'
exports, described as data (a TOML file each), into one shape, row by row.

A mapping names, for each field of a call, where the export holds it (a CSV column, or a dotted
path into a JSON line such as ``Queue.Name``; several in order, the first not empty wins), how
its times are written (ISO 8601, or a ``strptime`` pattern) and in which zone a time without an
offset is, and how its outcome is found.  The built-in mappings are in ``formats/``; an operator
adds one for another system by dropping a TOML file into ``ONESTOP_CALL_FORMATS_DIR`` (see
``docs/calls.md``), no code.

Everything here streams: a file is read one line at a time, so memory stays flat whatever its
size.  A row that cannot be read (a JSON line that is not JSON, a CSV row with the wrong number
of cells) is a ``Refused`` row with its line number; a file that cannot be read at all (not
text, not UTF-8, the wrong header) raises ``ImportUnreadable`` before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import io
import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings

from onestop.core import text
from onestop.core.errors import ServiceError
from onestop.customers import services as customer_services
from onestop.telephony.errors import ImportUnreadable
from onestop.telephony.models import CallOutcome

GENERIC = "onestop-calls-v1"
GENERIC_HEADER = (
    "call_id",
    "queue",
    "offered_at",
    "answered_at",
    "ended_at",
    "outcome",
    "agent",
    "caller_number",
)
FIELDS = (*GENERIC_HEADER, "wait")
LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
BUILT_IN = Path(__file__).resolve().parent / "formats"
# A line longer than this is refused whole (a CSV field cannot grow without limit either).
MAX_LINE = 64 * 1024
OUTCOMES = frozenset(CallOutcome.values)
DURATIONS = frozenset({"seconds", "milliseconds", "hh:mm:ss"})
_HMS = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)(?:\.\d+)?$")


@dataclass(slots=True)
class RawCall:
    """One row's values as text, by the generic format's field names ("" when absent)."""

    line: int
    call_id: str
    queue: str
    offered_at: str
    answered_at: str
    ended_at: str
    outcome: str
    agent: str
    caller_number: str
    wait: str = ""
    outcome_given: bool = True


@dataclass(frozen=True, slots=True)
class Refused:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A contact of the export that is not a telephone call (an Amazon Connect chat or task):
    counted as skipped, neither imported nor refused."""

    line: int
    channel: str


@dataclass(frozen=True)
class OutcomeRule:
    """How a mapping finds a call's outcome: the ``field``'s value through ``values`` when the
    export has one; otherwise transferred when ``transferred_when`` is not empty, answered when
    the call has an answered time, else ``unanswered``."""

    values: dict[str, str] = field(default_factory=dict)
    transferred_when: tuple[str, ...] = ()
    unanswered: str = CallOutcome.ABANDONED
    strict: bool = False  # a value not in ``values`` is refused (the generic format)
    # The field's values that give a call's outcome only when it was not answered: Genesys's
    # Abandoned NO without an answer is a flow-out (to voicemail, a callback, another queue or
    # number), neither answered nor abandoned.
    not_answered: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    name: str
    label: str
    source: str
    reader: str  # "csv" or "jsonl"
    fields: dict[str, tuple[str, ...]]
    time_format: str = "iso"
    zone: str = "Europe/London"
    durations: str = "seconds"
    outcome: OutcomeRule = field(default_factory=OutcomeRule)
    delimiter: str = ","
    exact_header: tuple[str, ...] = ()
    # Exports of several channels: the field naming a contact's channel, and the channels that
    # are telephone calls (upper case); a contact of another channel is skipped.
    channel: tuple[str, ...] = ()
    calls: frozenset[str] = frozenset()

    @property
    def tz(self) -> ZoneInfo | datetime.timezone:
        return UTC if self.zone.upper() == "UTC" else ZoneInfo(self.zone)


class FormatError(Exception):
    """A mapping file that does not describe a format (named with the reason)."""


# --- the mappings ---------------------------------------------------------------------------------
def _paths(value: Any, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise FormatError(f"{where} must be a column name or a list of them")
    return tuple(values)


def load_mapping(data: dict[str, Any], where: str = "mapping") -> Mapping:
    """A ``Mapping`` from a parsed TOML document, or ``FormatError`` saying what is wrong."""
    try:
        name = str(data["name"])
        reader = str(data.get("reader", "csv"))
        raw_fields = data["fields"]
    except KeyError as missing:
        raise FormatError(f"{where}: {missing.args[0]} is required") from None
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,49}", name):
        raise FormatError(f"{where}: name must be lower-case letters, digits and hyphens")
    if reader not in {"csv", "jsonl"}:
        raise FormatError(f"{where}: reader must be csv or jsonl")
    if not isinstance(raw_fields, dict):
        raise FormatError(f"{where}: [fields] must be a table")
    unknown = sorted(set(raw_fields) - set(FIELDS))
    if unknown:
        raise FormatError(f"{where}: [fields] has no field {unknown[0]!r}")
    fields = {key: _paths(value, f"{where}: fields.{key}") for key, value in raw_fields.items()}
    for required in ("call_id", "queue", "offered_at", "ended_at"):
        if required not in fields:
            raise FormatError(f"{where}: fields.{required} is required")
    times = data.get("times", {})
    outcome = data.get("outcome", {})
    values = {str(key): str(value) for key, value in outcome.get("values", {}).items()}
    not_answered = {str(key): str(value) for key, value in outcome.get("not_answered", {}).items()}
    bad = sorted(
        value for value in (*values.values(), *not_answered.values()) if value not in OUTCOMES
    )
    unanswered = str(outcome.get("unanswered", CallOutcome.ABANDONED))
    if bad or unanswered not in OUTCOMES:
        raise FormatError(f"{where}: outcomes must be one of {', '.join(sorted(OUTCOMES))}")
    channel = data.get("channel", {})
    if not isinstance(channel, dict) or bool(channel) != (
        "field" in channel and "calls" in channel
    ):
        raise FormatError(f"{where}: [channel] must have field and calls")
    durations = str(times.get("durations", "seconds"))
    if durations not in DURATIONS:
        raise FormatError(f"{where}: times.durations must be one of {', '.join(sorted(DURATIONS))}")
    mapping = Mapping(
        name=name,
        label=str(data.get("label", name)),
        source=str(data.get("source", name))[:50],
        reader=reader,
        fields=fields,
        time_format=str(times.get("format", "iso")),
        zone=str(times.get("zone", "Europe/London")),
        durations=durations,
        outcome=OutcomeRule(
            values=values,
            transferred_when=_paths(outcome["transferred_when"], f"{where}: transferred_when")
            if "transferred_when" in outcome
            else (),
            unanswered=unanswered,
            strict=bool(outcome.get("strict", False)),
            not_answered=not_answered,
        ),
        delimiter=str(data.get("delimiter", ",")),
        channel=_paths(channel["field"], f"{where}: channel.field") if channel else (),
        calls=frozenset(
            value.upper() for value in _paths(channel["calls"], f"{where}: channel.calls")
        )
        if channel
        else frozenset(),
    )
    try:
        mapping.tz  # noqa: B018  # checks the zone exists
    except Exception as error:  # ZoneInfo raises several kinds
        raise FormatError(f"{where}: times.zone {mapping.zone!r} is not a time zone") from error
    return mapping


GENERIC_MAPPING = Mapping(
    name=GENERIC,
    label="OneStop call records (CSV)",
    source=GENERIC,
    reader="csv",
    fields={name: (name,) for name in GENERIC_HEADER},
    outcome=OutcomeRule(values={value: value for value in sorted(OUTCOMES)}, strict=True),
    exact_header=GENERIC_HEADER,
)


def _format_dirs() -> list[Path]:
    """The built-in mappings' folder and the operator's (``ONESTOP_CALL_FORMATS_DIR``), which
    must be a folder when it is named: a mistyped path is an error, not "no mappings"."""
    extra = str(getattr(settings, "ONESTOP_CALL_FORMATS_DIR", "") or "")
    if not extra:
        return [BUILT_IN]
    folder = Path(extra)
    if not folder.is_dir():
        raise FormatError(f"ONESTOP_CALL_FORMATS_DIR {extra} is not a folder")
    return [BUILT_IN, folder]


def mappings() -> dict[str, Mapping]:
    """Every format by name: the generic one, the built-in mappings and the operator's."""
    found = {GENERIC: GENERIC_MAPPING}
    for folder in _format_dirs():
        for path in sorted(folder.glob("*.toml")):
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                raise FormatError(f"{path}: {error}") from error
            mapping = load_mapping(data, str(path))
            if mapping.name == GENERIC:
                raise FormatError(f"{path}: {GENERIC} is the built-in format's name")
            found[mapping.name] = mapping
    return found


def mapping_named(name: str) -> Mapping:
    known = mappings()
    if name not in known:
        raise ImportUnreadable(
            f"there is no call record format {name!r}: use one of {', '.join(sorted(known))}"
        )
    return known[name]


# --- reading --------------------------------------------------------------------------------------
def _text_lines(stream: IO[bytes]) -> Iterator[str]:
    """The file's lines as text, refusing a file that is not UTF-8 text (a BOM is allowed)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    while True:
        chunk = stream.read(1 << 16)
        try:
            pending += decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            raise ImportUnreadable(
                "the file is not UTF-8 text: save it as CSV UTF-8 (or JSON lines in UTF-8)"
            ) from error
        if "\x00" in pending:
            raise ImportUnreadable("the file is not text (it holds NUL bytes)")
        # Lines end at "\n" only (a "\r" before it is the CSV reader's, or JSON's, whitespace):
        # str.splitlines would also split at U+2028 and other characters inside a value.
        lines = pending.split("\n")
        pending = lines.pop()
        for line in lines:
            yield line + "\n"
        if not chunk:
            if pending:
                yield pending
            return


def _bounded(lines: Iterable[str]) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        yield line if len(line) <= MAX_LINE else f"\x00too-long {number}\n"


def read(stream: IO[bytes], mapping: Mapping) -> Iterator[RawCall | Refused | Skipped]:
    """The rows of ``stream`` in ``mapping``'s layout, one at a time."""
    lines = _text_lines(stream)
    if mapping.reader == "jsonl":
        return _read_jsonl(lines, mapping)
    return _read_csv(lines, mapping)


def _row_values(mapping: Mapping, line: int, get: Any) -> RawCall | Skipped:
    for path in mapping.channel:
        channel = get(path)
        if channel not in (None, ""):
            if str(channel).strip().upper() not in mapping.calls:
                return Skipped(line, str(channel).strip()[:40])
            break

    def first(name: str) -> str:
        for path in mapping.fields.get(name, ()):
            value = get(path)
            if value not in (None, ""):
                return value.strip() if isinstance(value, str) else str(value)
        return ""

    transferred = any(get(path) not in (None, "") for path in mapping.outcome.transferred_when)
    return RawCall(
        line=line,
        call_id=first("call_id"),
        queue=first("queue"),
        offered_at=first("offered_at"),
        answered_at=first("answered_at"),
        ended_at=first("ended_at"),
        outcome=CallOutcome.TRANSFERRED if transferred else first("outcome"),
        agent=first("agent"),
        caller_number=first("caller_number"),
        wait=first("wait"),
        outcome_given=transferred or "outcome" in mapping.fields,
    )


def _read_csv(lines: Iterator[str], mapping: Mapping) -> Iterator[RawCall | Refused | Skipped]:
    counted = _Counted(_bounded(lines))
    reader = csv.reader(counted, delimiter=mapping.delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportUnreadable("the file is empty: it has no header line") from None
    except csv.Error as error:
        raise ImportUnreadable(
            f"the first line is not a {mapping.name} header: is this the right format for the "
            f"file? (the CSV reader said: {error})"
        ) from None
    header = [name.strip() for name in header]
    if mapping.exact_header and tuple(header) != mapping.exact_header:
        raise ImportUnreadable(
            f"the first line must be the header {','.join(mapping.exact_header)}"
        )
    positions = {name: index for index, name in enumerate(header)}
    for name in ("call_id", "queue", "offered_at", "ended_at"):
        if not any(path in positions for path in mapping.fields[name]):
            raise ImportUnreadable(
                f"the header has no column {mapping.fields[name][0]!r} ({name}) for "
                f"the format {mapping.name}"
            )
    width = len(header)
    generic = mapping is GENERIC_MAPPING
    while True:
        line = counted.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Refused(line, f"the row cannot be read as CSV ({error})")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if row[0].startswith("\x00too-long"):
            yield Refused(line, f"the line is longer than {MAX_LINE} characters")
            continue
        if len(row) != width:
            yield Refused(line, f"the row has {len(row)} cells, the header {width}")
            continue
        if generic:
            call_id, queue, offered_at, answered_at, ended_at, outcome, agent, caller = row
            yield RawCall(
                line, call_id, queue, offered_at, answered_at, ended_at, outcome, agent, caller
            )
            continue

        def get(path: str, row: list[str] = row) -> str:
            index = positions.get(path)
            return row[index] if index is not None else ""

        yield _row_values(mapping, line, get)


class _Counted:
    """Lines with the number of the line each CSV row starts on (a quoted cell may span
    several)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.number = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        return line


def _read_jsonl(lines: Iterator[str], mapping: Mapping) -> Iterator[RawCall | Refused | Skipped]:
    for number, line in enumerate(_bounded(lines), start=1):
        if not line.strip():
            continue
        if line.startswith("\x00too-long"):
            yield Refused(number, f"the line is longer than {MAX_LINE} characters")
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield Refused(number, "the line is not JSON")
            continue
        if not isinstance(record, dict):
            yield Refused(number, "the line is not a JSON object")
            continue

        def get(path: str, record: dict[str, Any] = record) -> Any:
            value: Any = record
            for part in path.split("."):
                if not isinstance(value, dict):
                    return None
                value = value.get(part)
            return value if isinstance(value, str | int | float) else None

        yield _row_values(mapping, number, get)


# --- values ---------------------------------------------------------------------------------------
class Invalid(Exception):
    """A value refused, with the reason as people read it."""


def parse_time(value: str, label: str, mapping: Mapping) -> datetime.datetime:
    """An aware date-time from ``value``: ISO 8601 (or the mapping's pattern), with an offset,
    or a wall-clock time in the mapping's zone, refusing the hour that repeats when clocks go
    back and the hour that does not exist when they go forward.  Returned in UTC."""
    try:
        if mapping.time_format == "iso":
            if len(value) < 16 or value[10] not in "T ":
                raise ValueError
            moment = datetime.datetime.fromisoformat(value)
        else:
            moment = datetime.datetime.strptime(value, mapping.time_format)  # noqa: DTZ007
    except (ValueError, IndexError):
        shown = value if len(value) <= 40 else value[:40] + "…"
        expected = (
            "an ISO 8601 date and time like 2026-03-02T09:15:00+00:00"
            if mapping.time_format == "iso"
            else f"a date and time written {mapping.time_format}"
        )
        raise Invalid(f"{label} {shown!r} is not {expected}") from None
    # Every time is returned in UTC (the same instant): comparing and subtracting times of one
    # time zone object skips the offset look-ups that times of two zones cost each time.
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    offset = _hour_offset(mapping.zone, moment.year, moment.month, moment.day, moment.hour)
    if offset is not None:
        return (moment - offset).replace(tzinfo=UTC)
    return _wall_clock(moment, value, label, mapping)


@functools.lru_cache(maxsize=8192)
def _hour_offset(
    zone_name: str, year: int, month: int, day: int, hour: int
) -> datetime.timedelta | None:
    """The UTC offset of every wall-clock time in that hour of ``zone_name``, or ``None`` when
    the hour holds a change of the clocks (or a time that repeats or does not exist): then each
    time is worked out alone (``_wall_clock``).  Remembered: a file's times fall in a few
    thousand hours, and working out an offset costs more than the rest of a row's checks."""
    if zone_name.upper() == "UTC":
        return datetime.timedelta(0)
    zone = ZoneInfo(zone_name)
    start = datetime.datetime(year, month, day, hour)  # noqa: DTZ001  # wall clock, then zoned
    end = start + datetime.timedelta(minutes=59, seconds=59, microseconds=999_999)
    offsets = {
        moment.replace(tzinfo=zone, fold=fold).utcoffset()
        for moment in (start, end)
        for fold in (0, 1)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return offset


def _wall_clock(
    moment: datetime.datetime, value: str, label: str, mapping: Mapping
) -> datetime.datetime:
    """``moment``, a wall-clock time in the mapping's zone in an hour when the clocks change,
    in UTC; refused when it repeats or does not exist."""
    zone = mapping.tz
    if zone is UTC:
        return moment.replace(tzinfo=UTC)
    # A time read from a file has fold 0; one given with fold 1 is the same wall-clock time.
    moment = moment.replace(fold=0)
    first = moment.replace(tzinfo=zone)
    offset = first.utcoffset()
    later = moment.replace(tzinfo=zone, fold=1).utcoffset()
    if offset == later:
        return (moment - offset).replace(tzinfo=UTC) if offset is not None else first
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise Invalid(
            f"{label} {value} does not exist in {mapping.zone}: the clocks went forward "
            "that night; give the time with its offset"
        )
    raise Invalid(
        f"{label} {value} happened twice in {mapping.zone} (the clocks went back): "
        f"give the time with its offset, {_offset_text(offset)} or {_offset_text(later)}"
    )


def _offset_text(offset: datetime.timedelta | None) -> str:
    """An offset as ISO 8601 writes it: ``+01:00``, ``-02:30``."""
    minutes = int((offset or datetime.timedelta(0)).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def parse_duration(value: str, durations: str) -> int:
    """Whole seconds from a duration written as the mapping says; a duration written with
    colons is hours, minutes and seconds whatever the mapping says (one export can be set to
    write its durations either way, e.g. Genesys Cloud's)."""
    try:
        if durations == "hh:mm:ss" or ":" in value:
            found = _HMS.match(value)
            if found is None:
                raise ValueError
            hours, minutes, seconds = (int(part) for part in found.groups())
            return hours * 3600 + minutes * 60 + seconds
        number = float(value)
        if not 0 <= number < 10**9:
            raise ValueError
        return int(number / 1000 if durations == "milliseconds" else number)
    except ValueError:
        raise Invalid(f"wait {value[:40]!r} is not a duration in {durations}") from None


def _hidden(value: str) -> bool:
    """Control or invisible characters (``core.text``'s rule), or a tab or a line break."""
    if value.isascii() and value.isprintable():
        return False  # space to tilde only: none of them is hidden (nearly every call id)
    return (
        "\n" in value
        or "\r" in value
        or "\t" in value
        or text.REPLACEMENT_CHARACTER in value
        or text.HIDDEN.search(value) is not None
    )


def clean_text(value: str, label: str, limit: int) -> str:
    cleaned, reason = _cleaned(value, label, limit)
    if reason:
        raise Invalid(reason)
    return cleaned


@functools.lru_cache(maxsize=4096)
def _cleaned(value: str, label: str, limit: int) -> tuple[str, str]:
    """``value`` cleaned and "", or "" and why it is refused: remembered, since a file names
    the same few queues and agents on every row."""
    value = value.strip()
    if _hidden(value):
        return "", f"{label} holds control or invisible characters"
    if len(value) > limit:
        return "", f"{label} is longer than {limit} characters"
    if value[:1] in ("=", "+", "-", "@"):
        return "", f"{label} {value[:40]!r} starts like a spreadsheet formula"
    return value, ""


@dataclass(slots=True)
class Call:
    """One call, checked: what the import writes.  (Not frozen: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, which costs more than checking
    the row does, a million times over.)"""

    line: int
    call_id: str
    queue: str
    offered_at: datetime.datetime
    answered_at: datetime.datetime | None
    ended_at: datetime.datetime
    outcome: str
    agent: str
    caller_number: str
    wait_seconds: int
    talk_seconds: int


MAX_CALL = datetime.timedelta(hours=24)
_SECOND = datetime.timedelta(seconds=1)
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]{1,30}$")
WITHHELD = frozenset({"", "anonymous", "withheld", "restricted", "private", "unknown"})


def check(raw: RawCall, mapping: Mapping, *, latest: datetime.datetime) -> Call:
    """``raw`` checked against the rules of ``docs/calls.md``, or ``Invalid`` with the reason.
    ``latest``: no call may be offered after it (a date in the future is a mistake)."""
    call_id = raw.call_id.strip()
    if not call_id:
        raise Invalid("call_id is empty")
    if len(call_id) > 200:
        raise Invalid("call_id is longer than 200 characters")
    if _hidden(call_id):
        raise Invalid("call_id holds control or invisible characters")
    queue = clean_text(raw.queue, "queue", 200)
    if not queue:
        raise Invalid("queue is empty")
    agent = clean_text(raw.agent, "agent", 150)
    if not raw.offered_at:
        raise Invalid("offered_at is empty")
    if not raw.ended_at:
        raise Invalid("ended_at is empty")
    offered = parse_time(raw.offered_at, "offered_at", mapping)
    ended = parse_time(raw.ended_at, "ended_at", mapping)
    answered = parse_time(raw.answered_at, "answered_at", mapping) if raw.answered_at else None
    wait = parse_duration(raw.wait, mapping.durations) if raw.wait else None
    outcome = _outcome(raw, mapping, answered is not None or (wait is not None and bool(agent)))
    if outcome == CallOutcome.ANSWERED and answered is None:
        if wait is None:
            raise Invalid("an answered call needs answered_at")
        answered = offered + datetime.timedelta(seconds=wait)
    if answered is not None and outcome in (CallOutcome.ABANDONED, CallOutcome.VOICEMAIL):
        raise Invalid(
            "answered_at must be empty for an abandoned call"
            if outcome == CallOutcome.ABANDONED
            else "answered_at must be empty for a call that went to voicemail"
        )
    if ended < offered:
        raise Invalid("ended_at is before offered_at")
    if answered is not None and not offered <= answered <= ended:
        raise Invalid("answered_at must be between offered_at and ended_at")
    if ended - offered > MAX_CALL:
        raise Invalid("the call lasted more than 24 hours")
    if offered > latest:
        raise Invalid("offered_at is in the future")
    # Whole seconds, rounded down (the times are never reversed here).
    wait_seconds = ((answered or ended) - offered) // _SECOND
    talk_seconds = (ended - answered) // _SECOND if answered is not None else 0
    # By position: keywords cost more, a million times over (the fields' order).
    return Call(
        raw.line,
        call_id,
        queue,
        offered,
        answered,
        ended,
        outcome,
        agent,
        _caller(raw.caller_number),
        wait_seconds,
        talk_seconds,
    )


def _outcome(raw: RawCall, mapping: Mapping, answered: bool) -> str:
    rule = mapping.outcome
    if raw.outcome == CallOutcome.TRANSFERRED and raw.outcome_given and not rule.strict:
        return CallOutcome.TRANSFERRED
    if raw.outcome:
        mapped = rule.values.get(raw.outcome)
        if mapped is not None:
            return mapped
        if rule.strict:
            shown = raw.outcome if len(raw.outcome) <= 40 else raw.outcome[:40] + "…"
            raise Invalid(
                f"outcome {shown!r} is not one of answered, abandoned, voicemail, transferred"
            )
        if not answered:
            otherwise = rule.not_answered.get(raw.outcome)
            if otherwise is not None:
                return otherwise
    elif rule.strict:
        raise Invalid("outcome is empty")
    return CallOutcome.ANSWERED if answered else rule.unanswered


def _caller(value: str) -> str:
    """The caller's number as E.164 when it is a real number, as written (digits) when it is
    only phone characters, or "" when withheld; anything else is refused."""
    value = value.strip()
    if value.lower() in WITHHELD:
        return ""
    if value[:4].lower() in ("tel:", "sip:"):  # a URI, as some systems write the caller
        value = value[4:].split("@", 1)[0].split(";", 1)[0]
    if not PHONE_CHARACTERS.match(value):
        raise Invalid("caller_number is not a phone number")
    return _e164(value)


_UK_NATIONAL = re.compile(r"^0[1-9][0-9]{8,9}$")
_PUNCTUATION = str.maketrans("", "", " ()./-")


def _e164(value: str) -> str:
    """E.164 of a caller's number.  A UK number (``0…`` or ``+44…``, 10 or 11 digits) by rule,
    since ``phonenumbers`` costs hundreds of microseconds a number and a file holds millions:
    for every valid UK number the rule gives what ``customers`` stores, so matching is the
    same; anything else through ``customers.services.clean_phone`` (cached)."""
    digits = value.translate(_PUNCTUATION)
    national = "0" + digits[3:] if digits.startswith("+44") else digits
    if _UK_NATIONAL.match(national):
        return "+44" + national[1:]
    return _slow_e164(value)


@functools.lru_cache(maxsize=65536)
def _slow_e164(value: str) -> str:
    try:
        return customer_services.clean_phone(value)
    except ServiceError:
        plain = "".join(character for character in value if character.isdigit() or character == "+")
        return plain[:20]


def sample(rows: Iterable[str]) -> io.BytesIO:
    """Lines as a binary stream (for tests and the demo)."""
    return io.BytesIO("".join(rows).encode("utf-8"))

"""People-facing references: short, unambiguous, checkable, unique per organisation.

Format ``PP-YY-XXXXC``: a prefix naming the kind of record (``SR`` service request, ``CO``
complaint, ...), the two-digit year, the organisation's counter for that prefix and year in
Crockford base 32 (no I, L, O or U, so nothing is misread over the phone), at least four
characters, and one check character (Crockford's mod-37 check symbol) that catches any single
mistyped character and most swapped pairs.  ``SR-26-4K7Q0`` is an example.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Field

from onestop.core.models import Organisation, ReferenceCounter

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
_PATTERN = re.compile(
    r"^(?P<prefix>[A-Z]{2,4})-(?P<year>\d{2})-(?P<body>[0-9A-Z]{4,13})(?P<check>[0-9A-Z*~$=])$"
)
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


class InvalidReference(ValueError):
    """The text is not a well-formed reference, or its check character is wrong."""


def encode(number: int, *, width: int = 4) -> str:
    if number < 0:
        raise ValueError("Reference numbers are never negative.")
    digits = []
    while number:
        number, remainder = divmod(number, 32)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def decode(text: str) -> int:
    value = 0
    for character in text:
        value = value * 32 + ALPHABET.index(character)
    return value


def check_symbol(number: int) -> str:
    return CHECK_SYMBOLS[number % 37]


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year % 100:02d}-{encode(number)}{check_symbol(number)}"


def normalise(text: str) -> str:
    """Upper-case, trim, drop spaces, and read O as 0 and I or L as 1 (as people type them)."""
    cleaned = re.sub(r"\s+", "", text.strip().upper())
    parts = cleaned.split("-")
    if len(parts) == 3:
        parts[2] = parts[2].translate(_CONFUSABLE)
    return "-".join(parts)


def parse(text: str) -> tuple[str, int, int]:
    """``(prefix, two-digit year, number)`` of a reference, or ``InvalidReference``."""
    candidate = normalise(text)
    match = _PATTERN.match(candidate)
    if match is None:
        raise InvalidReference(f"{text[:40]!r} is not a reference like SR-26-4K7Q0.")
    body = match["body"]
    if any(character not in ALPHABET for character in body):
        raise InvalidReference(f"{text[:40]!r} is not a reference like SR-26-4K7Q0.")
    number = decode(body)
    if check_symbol(number) != match["check"]:
        raise InvalidReference(f"{text[:40]!r} has a mistyped character.")
    return match["prefix"], int(match["year"]), number


@dataclass
class _Block:
    """Numbers of one counter reserved by ``reserved``: ``next`` to ``last`` are still free."""

    next: int
    last: int


_blocks: ContextVar[dict[tuple[int, str, int], _Block] | None] = ContextVar(
    "onestop_reference_blocks", default=None
)
_block_size: ContextVar[int] = ContextVar("onestop_reference_block_size", default=1)


@contextmanager
def reserved(size: int) -> Iterator[None]:
    """Inside a transaction that is all or nothing: ``next_reference`` takes its numbers from
    the counter ``size`` at a time (one ``UPDATE`` per counter and block instead of one per
    reference), and when the block ends gives back those it did not use (one ``UPDATE`` per
    counter), so the counter ends exactly where one ``next_reference`` per reference would
    have left it: no gap, no number twice.

    The counter's row stays locked from its first reservation to the commit, as it does after
    any ``next_reference``, so nobody else can take or see the reserved numbers.  A part rolled
    back alone to a savepoint would take its reservation with it while the numbers were still
    handed out here, so no block inside may be rolled back and then carried on from (the IMAP
    poller's batch, ``core.batch.without_savepoints``).  When the block raises, nothing is given
    back (the transaction is being rolled back, and the counters with it)."""
    if not connection.in_atomic_block:
        raise RuntimeError("references.reserved() belongs inside transaction.atomic()")
    if _blocks.get() is not None:
        yield
        return
    blocks: dict[tuple[int, str, int], _Block] = {}
    token, size_token = _blocks.set(blocks), _block_size.set(max(1, size))
    try:
        yield
    finally:
        _blocks.reset(token)
        _block_size.reset(size_token)
    for (organisation_id, prefix, year), block in blocks.items():
        if block.next <= block.last:
            _give_back(organisation_id, prefix, year, block)


def next_reference(organisation: Organisation | int, prefix: str, year: int) -> str:
    """Allocate the organisation's next reference for ``prefix`` in ``year``.

    Call inside the service's transaction: the counter row is incremented in the database (one
    ``UPDATE ... RETURNING`` once the counter exists) so concurrent callers never get the same
    number, and a rolled-back service rolls the counter back with it: references have no gaps
    (inside ``reserved``, numbers are taken in blocks and the unused ones given back).
    """
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    blocks = _blocks.get()
    if blocks is not None:
        key = (organisation_id, prefix, year % 100)
        block = blocks.get(key)
        if block is None or block.next > block.last:
            size = _block_size.get()
            last = _increment(organisation_id, prefix, year % 100, by=size)
            if last is None:  # its first number: the counter is made, nothing reserved
                return _first(organisation_id, prefix, year)
            block = blocks[key] = _Block(next=last - size + 1, last=last)
        block.next += 1
        return format_reference(prefix, year, block.next - 1)
    value = _increment(organisation_id, prefix, year % 100)
    if value is not None:
        return format_reference(prefix, year, value)
    return _first(organisation_id, prefix, year)


def _first(organisation_id: int, prefix: str, year: int) -> str:
    """The counter's next reference (its first, unless another transaction has just made it),
    the counter made if it is not there yet."""
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.get_or_create(
            organisation_id=organisation_id, prefix=prefix, year=year % 100
        )
        ReferenceCounter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
        counter.refresh_from_db(fields=["value"])
    return format_reference(prefix, year, counter.value)


def _increment(organisation_id: int, prefix: str, year: int, *, by: int = 1) -> int | None:
    """The counter's value moved on by ``by``, written; ``None`` when the counter does not
    exist yet."""
    meta = ReferenceCounter._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        field = meta.get_field(name)
        if not isinstance(field, Field) or not field.column:
            raise TypeError(f"ReferenceCounter.{name} is not a column")
        return quote(field.column)

    value = column("value")
    # Names from the model's ``_meta``; the values are parameters.
    statement = (
        f"UPDATE {quote(meta.db_table)} SET {value} = {value} + %s "  # noqa: S608
        f"WHERE {column('organisation')} = %s AND {column('prefix')} = %s "
        f"AND {column('year')} = %s RETURNING {value}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [by, organisation_id, prefix, year])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _give_back(organisation_id: int, prefix: str, year: int, block: _Block) -> None:
    """Move the counter back to the last number used of ``block`` (its row is this
    transaction's since the block was reserved, so it still holds the block's last)."""
    changed = ReferenceCounter.objects.filter(
        organisation_id=organisation_id, prefix=prefix, year=year, value=block.last
    ).update(value=block.next - 1)
    if changed != 1:
        raise AssertionError("a reserved block of references was not the counter's end")


# --- references as people type or quote them ---------------------------------------------------
# ``SR-26-00011``, ``sr-26-00011``, ``SR 26 00011`` or ``sr2600011``: a prefix, the two-digit
# year and the counter with its check character, with or without the dashes.
_TYPED = (
    r"(?P<prefix>[A-Za-z]{2,4})[ -]?(?P<year>[0-9]{2})[ -]?"
    r"(?P<rest>[0-9A-Za-z]{4,13}[0-9A-Za-z*~$=])"
)
_WHOLE = re.compile(rf"^{_TYPED}$")
_WITHIN = re.compile(rf"(?<![0-9A-Za-z]){_TYPED}(?![0-9A-Za-z])")


@dataclass(frozen=True)
class TypedReference:
    """Text shaped like a reference: ``typed`` as typed (upper case, with its dashes) and
    ``reference`` as it is stored, or ``None`` when the check character does not match (a
    character is mistyped)."""

    typed: str
    reference: str | None


def _read(match: re.Match[str]) -> TypedReference:
    typed = f"{match['prefix']}-{match['year']}-{match['rest']}".upper()
    try:
        prefix, year, number = parse(typed)
    except InvalidReference:
        return TypedReference(typed=typed, reference=None)
    return TypedReference(typed=typed, reference=format_reference(prefix, year, number))


def read_typed(text: str, prefixes: Collection[str]) -> TypedReference | None:
    """``text`` (e.g. what an advisor typed in a search box) read as one reference with one of
    ``prefixes``; ``None`` when it is not shaped like one (so it is something else)."""
    match = _WHOLE.match(text.strip()[:40])
    if match is None or match["prefix"].upper() not in prefixes:
        return None
    return _read(match)


def references_in(text: str, prefixes: Collection[str]) -> Iterator[str]:
    """Every well-formed reference with one of ``prefixes`` quoted in ``text`` (e.g. an e-mail
    subject), in order, as stored; a mistyped one is just text."""
    for match in _WITHIN.finditer(text):
        if match["prefix"].upper() in prefixes:
            found = _read(match).reference
            if found is not None:
                yield found

"""People-facing references: short, unambiguous, checkable, unique per organisation.

Format ``PP-YY-XXXXC``: a prefix naming the kind of record (``SR`` service request, ``CO``
complaint, ...), the two-digit year, the organisation's counter for that prefix and year in
Crockford base 32 (no I, L, O or U, so nothing is misread over the phone), at least four
characters, and one check character (Crockford's mod-37 check symbol) that catches any single
mistyped character and most swapped pairs.  ``SR-26-4K7Q9`` is an example.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F

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
        raise InvalidReference(f"{text[:40]!r} is not a reference like SR-26-4K7Q9.")
    body = match["body"]
    if any(character not in ALPHABET for character in body):
        raise InvalidReference(f"{text[:40]!r} is not a reference like SR-26-4K7Q9.")
    number = decode(body)
    if check_symbol(number) != match["check"]:
        raise InvalidReference(f"{text[:40]!r} has a mistyped character.")
    return match["prefix"], int(match["year"]), number


def next_reference(organisation: Organisation | int, prefix: str, year: int) -> str:
    """Allocate the organisation's next reference for ``prefix`` in ``year``.

    Call inside the service's transaction: the counter row is updated with ``F()`` so concurrent
    callers never get the same number, and a rolled-back service leaves no gap-free promise.
    """
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.get_or_create(
            organisation_id=organisation_id, prefix=prefix, year=year % 100
        )
        ReferenceCounter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
        counter.refresh_from_db(fields=["value"])
    return format_reference(prefix, year, counter.value)

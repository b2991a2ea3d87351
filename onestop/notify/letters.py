"""Letters as PDF, laid out to GOV.UK Notify's precompiled-letter specification.

The same PDF goes to Notify's precompiled-letter API or to the council's own post room, so it
keeps to what Notify checks (all measurements from the page's top-left corner, A4 portrait):

- content within the printable area: 15mm from the left and right edges, 5mm from the top and
  bottom (this layout keeps 15mm at the bottom, for the page number);
- on the first page, the recipient's address alone in the address block Notify reads and a C5
  window envelope shows: 24.6mm from the left, 39.5mm from the top, 95.4mm wide and 26.8mm
  high (up to seven lines);
- the council's name in the logo area above it (15-125mm across, 5-30mm down), the reference
  and date in the service-address column on the right (125-195mm across, down to 95mm), and the
  body from 95mm down; nothing else on the first page, so Notify's own "NOTIFY" tag and address
  rewrite have their room.

Large print (the ``large-print`` format) sets the body in 16pt and headings in 20pt, per RNIB's
and GOV.UK's guidance (16pt and over, left-aligned, generous line spacing); the address stays
the size the envelope window and Royal Mail's readers expect.  Welsh letters say so in their
``lang`` and carry Welsh labels and month names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from onestop.notify.models import Language, Message

if TYPE_CHECKING:
    from weasyprint import Document

POST_ROOM = "post-room"  # the provider of a letter the council printed and posted itself
POST_ROOM_LIMIT = 500  # letters listed, printed and marked posted at once
LARGE_PRINT_FORMAT = "large-print"
ADDRESS_LINES_MAX = 7  # what the address block holds (and Notify reads)

# The few words a letter itself prints, in each language a message can be in.
_LABELS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {"reference": "Reference", "date": "Date", "page": "Page", "of": "of"},
    Language.WELSH: {"reference": "Cyfeirnod", "date": "Dyddiad", "page": "Tudalen", "of": "o"},
}


@dataclass(frozen=True)
class Letter:
    """What a letter shows besides the message itself."""

    organisation_name: str
    reference: str
    date: datetime.date
    large_print: bool


def post_room_enabled() -> bool:
    """Whether letters wait for the council's post room (``/letters/``) rather than going to
    GOV.UK Notify: with ``ONESTOP_LETTERS=post-room``, or when the configured sender keeps
    messages here (``local``).  The sender leaves pending letters alone when this is true."""
    sender = str(getattr(settings, "ONESTOP_MESSAGE_SENDER", "local") or "local")
    return getattr(settings, "ONESTOP_LETTERS", "notify") == POST_ROOM or sender == "local"


def letter_date(value: datetime.date | datetime.datetime, language: str) -> str:
    """``1 December 2026`` (``1 Rhagfyr 2026`` in Welsh): no leading zero, the month in words."""
    day = timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value
    with translation.override("cy" if language == Language.WELSH else "en-gb"):
        return str(formats.date_format(day, "j F Y"))


def letter_for(
    message: Message, *, organisation_name: str | None = None, large_print: bool | None = None
) -> Letter:
    """The letter's parts: the organisation's name, the case's reference, the date the message
    was made, and large print when asked for or when the recipient's format is large print."""
    case = message.case if message.case_id else None
    return Letter(
        organisation_name=organisation_name or message.organisation.name,
        reference=case.reference if case is not None else "",
        date=timezone.localtime(message.created_at).date(),
        large_print=message.format == LARGE_PRINT_FORMAT if large_print is None else large_print,
    )


def render_html(message: Message, letter: Letter) -> str:
    language = message.language if message.language in _LABELS else Language.ENGLISH
    lines = [line.strip() for line in message.address.splitlines() if line.strip()]
    return render_to_string(
        "notify/letter.html",
        {
            "message": message,
            "language": language,
            "labels": _LABELS[language],
            "address_lines": lines[:ADDRESS_LINES_MAX],
            "paragraphs": [part.strip() for part in message.body.split("\n\n") if part.strip()],
            "letter": letter,
            "date": letter_date(letter.date, language),
        },
    )


def render_document(
    message: Message, *, organisation_name: str | None = None, large_print: bool | None = None
) -> Document:
    """The letter laid out (WeasyPrint's pages and boxes), ready to write or to join with others."""
    # WeasyPrint is imported when a letter is laid out, not when the module is: it takes about
    # a second, and every command and web worker imports this module through the notify
    # services, most of them never writing a letter.
    from weasyprint import HTML

    letter = letter_for(message, organisation_name=organisation_name, large_print=large_print)
    return HTML(string=render_html(message, letter)).render()


def render_pdf(
    message: Message, *, organisation_name: str | None = None, large_print: bool | None = None
) -> bytes:
    """The letter for ``message`` as PDF bytes."""
    return write_pdf(
        render_document(message, organisation_name=organisation_name, large_print=large_print)
    )


def join(documents: list[Document]) -> Document | None:
    """One document of every page of ``documents``, in order (``None`` for none): each letter
    keeps its own first page, so each still fits its envelope."""
    if not documents:
        return None
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages)


def write_pdf(document: Document) -> bytes:
    pdf = document.write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf() without a target always returns the bytes
    return bytes(pdf)

"""Shared helpers of the notifyletters tests: letters on record, and reading a laid-out PDF."""

from __future__ import annotations

import datetime
import re
import zlib
from dataclasses import dataclass
from typing import Any

from weasyprint import Document

from onestop.cases.models import Case
from onestop.core.models import Organisation
from onestop.notify.models import Channel, Event, Language, Message, MessageStatus, RecipientKind

MM_PER_PX = 25.4 / 96  # WeasyPrint lays out in CSS pixels
PT_PER_PX = 72 / 96
A4_MM = (210.0, 297.0)
ADDRESS = "Ann Example\nFlat 2\n1 High Street\nTesttown\nAB1 2CD"
AT = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


def letter(
    organisation: Organisation,
    *,
    case: Case | None = None,
    address: str = ADDRESS,
    label: str = "Ann Example",
    subject: str = "Your missed bin",
    body: str = "Dear Ann\n\nWe will collect your bin on Friday.",
    language: str = Language.ENGLISH,
    format: str = "",
    created_at: datetime.datetime = AT,
    status: str = MessageStatus.PENDING,
    channel: str = Channel.LETTER,
    provider: str = "",
) -> Message:
    message: Message = Message.objects.create(
        organisation=organisation,
        case=case,
        customer=case.customer if case is not None else None,
        recipient_kind=RecipientKind.CUSTOMER,
        recipient_label=label,
        address=address,
        channel=channel,
        language=language,
        format=format,
        event=Event.UPDATE,
        subject=subject,
        body=body,
        status=status,
        provider=provider,
        created_at=created_at,
    )
    return message


@dataclass(frozen=True)
class Text:
    """One line of text as laid out: where (mm from the page's top-left corner) and how big."""

    text: str
    x: float
    y: float
    right: float
    bottom: float
    points: float


def _walk(box: Any, found: list[Text]) -> None:
    text = getattr(box, "text", None)
    if text and text.strip():
        found.append(
            Text(
                text=text,
                x=box.position_x * MM_PER_PX,
                y=box.position_y * MM_PER_PX,
                right=(box.position_x + box.width) * MM_PER_PX,
                bottom=(box.position_y + box.height) * MM_PER_PX,
                points=box.style["font_size"] * PT_PER_PX,
            )
        )
    for child in box.all_children() if hasattr(box, "all_children") else ():
        _walk(child, found)


def texts(document: Document, page: int = 0) -> list[Text]:
    """Every piece of text on ``page`` of ``document``, in layout order."""
    found: list[Text] = []
    _walk(document.pages[page]._page_box, found)
    return found


def words(document: Document, page: int = 0) -> str:
    return " ".join(piece.text for piece in texts(document, page))


def page_size_mm(document: Document, page: int = 0) -> tuple[float, float]:
    return (
        round(document.pages[page].width * MM_PER_PX, 1),
        round(document.pages[page].height * MM_PER_PX, 1),
    )


def pdf_page_boxes(pdf_uncompressed: bytes) -> list[bytes]:
    """The MediaBox of every page object of a PDF written with ``uncompressed_pdf=True``."""
    return re.findall(rb"/MediaBox\s*\[\s*([^\]]*?)\s*\]", pdf_uncompressed)


def pdf_page_count(pdf: bytes) -> int:
    """The ``/Count`` of a PDF's page tree, read from the bytes as written (object streams are
    Flate-compressed by WeasyPrint, so each stream is inflated and searched)."""
    counts: list[int] = []
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    patterns = (
        rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)",
        rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b",
    )
    for chunk in chunks:
        for pattern in patterns:
            counts.extend(int(found.group(1)) for found in re.finditer(pattern, chunk, re.DOTALL))
    assert counts, "no page tree found"
    return max(counts)

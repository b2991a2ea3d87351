"""Letters as PDF: A4, the recipient's address where a window envelope shows it.

The address block follows GOV.UK Notify's precompiled-letter specification (the block Notify
reads the address from), so the same PDF goes to Notify or to the council's own post room.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

from onestop.notify.models import Message


def render_pdf(message: Message, *, organisation_name: str, large_print: bool = False) -> bytes:
    """The letter for ``message`` as PDF bytes (large print: 16pt and over, per RNIB guidance)."""
    html = render_to_string(
        "notify/letter.html",
        {
            "message": message,
            "address_lines": [line for line in message.address.splitlines() if line.strip()],
            "paragraphs": [part for part in message.body.split("\n\n") if part.strip()],
            "organisation_name": organisation_name,
            "large_print": large_print,
        },
    )
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf() without a target always returns the bytes
    return bytes(pdf)

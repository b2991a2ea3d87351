"""The per-case signed reply address: ``<mailbox local part>+<reference>.<signature>@<domain>``.

E-mail sent on a case carries it as its Reply-To.  The signature is HMAC-SHA256 over the
organisation's id and the case's reference, keyed with ``ONESTOP_REPLY_ADDRESS_SECRET`` (or a key
derived from ``SECRET_KEY``), cut to 80 bits and written in lower-case base32, so the address
survives mail systems that lower-case local parts.  References are sequential and guessable; the
signature is not, so only an address OneStop wrote threads a reply straight onto its case, and
an altered or invented one is just an address (the mailbox's usual rules apply).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings

from onestop.core import references
from onestop.notify.models import Message
from onestop.notify.senders import smtp

SIGNATURE_BYTES = 10  # 80 bits: 16 base32 characters
SIGNATURE_LENGTH = 16
_LOCAL_PART_LIMIT = 64  # RFC 5321
_DERIVATION_LABEL = b"onestop.notify.reply-address"
# <mailbox local part>+<reference>.<signature>: the reference is PP-YY-XXXXC (its check
# character may be one of * ~ $ =), the signature base32 without padding.
_TAG = re.compile(
    r"^(?P<reference>[a-z]{2,4}-[0-9]{2}-[0-9a-z]{4,13}[0-9a-z*~$=])"
    rf"\.(?P<signature>[a-z2-7]{{{SIGNATURE_LENGTH}}})$"
)


class ReplyAddressError(ValueError):
    """The mailbox address cannot carry a signed reply address."""


@dataclass(frozen=True)
class SignedTag:
    """What a recipient address's ``+`` tag says, before it is checked: ``None`` when the
    address has no tag shaped like a signed one (so there is nothing to verify or to log)."""

    reference: str
    signature: str


def _key() -> bytes:
    secret = getattr(settings, "ONESTOP_REPLY_ADDRESS_SECRET", "")
    if secret:
        return str(secret).encode("utf-8")
    # A key of its own, derived from SECRET_KEY: the signature never reveals anything about
    # the key that signs sessions.
    return hmac.new(
        str(settings.SECRET_KEY).encode("utf-8"), _DERIVATION_LABEL, hashlib.sha256
    ).digest()


def signature(organisation_id: int, reference: str) -> str:
    """The signature for ``reference`` of ``organisation_id`` (16 lower-case base32 characters)."""
    message = f"{int(organisation_id)}:{reference.upper()}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def reply_address_for(mailbox_address: str, *, organisation_id: int, reference: str) -> str:
    """The signed reply address for case ``reference`` through ``mailbox_address``
    (``waste@council.example`` -> ``waste+sr-26-0001b.<signature>@council.example``).

    Raises ``ReplyAddressError`` when the mailbox address is not one, or when the local part
    would be longer than 64 characters (then send with the mailbox's own address)."""
    local, at, domain = mailbox_address.strip().rpartition("@")
    if not at or not local or not domain or "+" in local:
        raise ReplyAddressError(f"{mailbox_address[:80]!r} is not a mailbox address.")
    canonical = _canonical(reference)
    if canonical is None:
        raise ReplyAddressError(f"{reference[:40]!r} is not a case reference.")
    tag = f"{canonical.lower()}.{signature(organisation_id, canonical)}"
    tagged = f"{local.lower()}+{tag}"
    if len(tagged) > _LOCAL_PART_LIMIT:
        raise ReplyAddressError("The mailbox's local part is too long to carry the reference.")
    return f"{tagged}@{domain.lower()}"


def _canonical(reference: str) -> str | None:
    try:
        prefix, year, number = references.parse(reference)
    except references.InvalidReference:
        return None
    return references.format_reference(prefix, year, number)


def signed_tag(address: str) -> SignedTag | None:
    """The reference and signature an address's tag claims, unchecked (``None``: no such tag)."""
    local, at, _domain = address.strip().strip("<>").lower().rpartition("@")
    if not at or "+" not in local or len(address) > 254:
        return None
    match = _TAG.match(local.split("+", 1)[1])
    if match is None:
        return None
    return SignedTag(reference=match["reference"].upper(), signature=match["signature"])


def verify(address: str, *, organisation_id: int) -> str | None:
    """The case reference ``address`` was signed for by ``organisation_id``, or ``None``.

    The organisation is the one whose mailbox took the mail: the signature binds it, so a
    reply address of one council sent to another's mailbox verifies as nothing.  Compared in
    constant time."""
    tag = signed_tag(address)
    if tag is None:
        return None
    canonical = _canonical(tag.reference)
    if canonical is None or canonical != tag.reference:
        return None
    expected = signature(organisation_id, canonical)
    if not hmac.compare_digest(expected.encode("ascii"), tag.signature.encode("ascii")):
        return None
    return canonical


def reply_to(message: Message) -> str | None:
    """The Reply-To of an e-mail sent on a case: its From address tagged with the case's
    reference and signature, so the customer's reply threads onto the case whatever they do to
    the subject.  ``None`` for a message on no case, or while the organisation has no verified
    mail domain (the operator's fallback address is not a mailbox OneStop reads)."""
    case = message.case
    if case is None:
        return None
    _name, address = parseaddr(smtp.from_address(message))
    if not address or address == settings.DEFAULT_FROM_EMAIL:
        return None
    try:
        return reply_address_for(
            address, organisation_id=message.organisation_id, reference=case.reference
        )
    except ReplyAddressError:
        return None

"""Words only a message's recipient may read (a one-time sign-in link), kept out of every row
staff can read.

A message carrying such words is stored with them blanked out (``BLANKED``) in its subject,
body and personalisation, which staff see on the outbox and the customer's record; the words
as sent are kept beside them in ``Message.sealed``, encrypted with a key derived from
``SECRET_KEY`` (Fernet: AES in CBC mode with an HMAC), and emptied once the message is
finished (sent, refused or given up).  The sender alone opens them (``opened``), at the moment
of sending, so the outbox's retries and its "never twice" still hold.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.encoding import force_bytes

from onestop.notify.models import Message

#: What staff read where the sealed words were.
BLANKED = "[sent only to the recipient]"
_PURPOSE = b"onestop.notify.sealing"


class SealBroken(Exception):
    """The sealed words cannot be opened (``SECRET_KEY`` changed since, or the row was edited)."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(_PURPOSE + b"\0" + force_bytes(settings.SECRET_KEY)).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(*, subject: str, body: str, personalisation: dict[str, str]) -> str:
    """The words as sent, encrypted for ``Message.sealed``."""
    plain = json.dumps(
        {"subject": subject, "body": body, "personalisation": personalisation},
        ensure_ascii=False,
    )
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def _unseal(sealed: str) -> dict[str, Any]:
    try:
        words = json.loads(_fernet().decrypt(sealed.encode("ascii")))
    except (InvalidToken, ValueError) as error:
        raise SealBroken("The message's sealed words cannot be opened") from error
    if not isinstance(words, dict):
        raise SealBroken("The message's sealed words are not a mapping")
    return words


def opened(message: Message) -> Message:
    """The message as the sender sends it: a copy with its sealed words in place (never
    saved); the message itself when nothing is sealed."""
    if not message.sealed:
        return message
    words = _unseal(message.sealed)
    sent = copy.copy(message)
    sent.subject = str(words.get("subject", message.subject))
    sent.body = str(words.get("body", message.body))
    personalisation = words.get("personalisation")
    if isinstance(personalisation, dict):
        sent.personalisation = {str(key): str(value) for key, value in personalisation.items()}
    return sent

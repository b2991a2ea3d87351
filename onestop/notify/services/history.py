"""Each message's history (notifyops): every change of status, whoever or whatever made it.

Staff's retries and cancellations were always audited; the worker's sends, the provider's
receipts, the status look-ups and bounces now are too, without doubling the cost of sending:
the changes of a worker batch (claimed, then sent or failed) are written as ``MessageChange``
rows with one set-based insert, and one audit record per organisation lists the batch's
message ids with each one's status before and after.  A receipt (one HTTP request) writes its
one change and one record.  ``detail`` summarises the provider's answer without personal data
(``summary``: the recipient's name and address, e-mail addresses and long numbers are taken
out), so the history may be kept as long as the audit trail.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from onestop.core import audit
from onestop.core.models import AuditAction, User
from onestop.notify.models import ChangeSource, Message, MessageChange

DETAIL_LIMIT = 300
_EMAIL = re.compile(r"[^\s<>()\"',;:]+@[^\s<>()\"',;:]+")
_NUMBER = re.compile(r"\+?\d[\d ()-]{6,}\d")
HIDDEN = "[recipient]"


@dataclass(frozen=True)
class Change:
    """One status change of ``message`` (``message.attempts`` is the attempt it belongs to)."""

    message: Message
    before: str
    after: str
    detail: str = ""


def summary(text: str, message: Message) -> str:
    """``text`` (a provider's answer, a failure's reason) with no personal data: the message's
    own address and recipient, any e-mail address and any phone-like number replaced."""
    for secret in (message.address, message.recipient_label):
        secret = secret.strip()
        if len(secret) >= 3:
            text = text.replace(secret, HIDDEN)
    text = _EMAIL.sub(HIDDEN, text)
    text = _NUMBER.sub(
        lambda found: HIDDEN if len(re.sub(r"\D", "", found[0])) >= 7 else found[0], text
    )
    return " ".join(text.split())[:DETAIL_LIMIT]


def write(
    changes: list[Change],
    *,
    source: str,
    by: User | None = None,
    audited: bool = True,
) -> None:
    """Record ``changes`` (inside the caller's transaction when there is one): one insert of
    their ``MessageChange`` rows and, when ``audited``, one audit record per organisation
    listing ``{message id: [before, after]}``."""
    if not changes:
        return
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        MessageChange.objects.bulk_create(
            [
                MessageChange(
                    organisation_id=change.message.organisation_id,
                    message_id=change.message.pk,
                    at=now,
                    source=source,
                    by=by,
                    from_status=change.before,
                    to_status=change.after,
                    attempt=change.message.attempts,
                    detail=change.detail[:DETAIL_LIMIT],
                )
                for change in changes
            ]
        )
        if not audited:
            return
        by_organisation: dict[int, list[Change]] = defaultdict(list)
        for change in changes:
            by_organisation[change.message.organisation_id].append(change)
        label = ChangeSource(source).label
        for organisation_id, own in sorted(by_organisation.items()):
            counts = Counter(change.after for change in own)
            described = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
            if len(own) == 1:
                what = f"Message {own[0].message.pk}: {own[0].before} to {own[0].after}"
            else:
                what = f"{len(own)} messages: {described}"
            audit.record(
                organisation=organisation_id,
                by=by,
                action=AuditAction.CHANGED,
                object_type=audit.object_type_of(Message),
                object_id=str(own[0].message.pk) if len(own) == 1 else "",
                summary=f"{label}: {what}",
                changes={
                    "source": source,
                    "messages": {
                        str(change.message.pk): [change.before, change.after, change.detail]
                        for change in own
                    },
                },
            )

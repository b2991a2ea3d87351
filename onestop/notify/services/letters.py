"""The post room's writes: letters a council prints itself, marked posted by staff.

Letters reach the post room when the configured sender keeps messages here (``local``, the
default) or when ``ONESTOP_LETTERS=post-room`` says the council prints its own letters while
e-mail and text messages go through GOV.UK Notify.  Marking a letter posted is its sending:
status ``sent``, provider ``post-room``, the time, and an audit record for each.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onestop.core import audit
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, User
from onestop.notify import queries
from onestop.notify.letters import POST_ROOM, POST_ROOM_LIMIT, post_room_enabled
from onestop.notify.models import Channel, Message, MessageStatus

__all__ = ["POST_ROOM", "POST_ROOM_LIMIT", "LetterError", "mark_posted", "post_room_enabled"]


class LetterError(StrEnum):
    NONE_CHOSEN = "letters-none-chosen"
    TOO_MANY = "letters-too-many"
    NOT_WAITING = "letters-not-waiting"


def mark_posted(by: User, message_ids: Collection[int]) -> int:
    """Mark the chosen letters of ``by``'s organisation posted; all or nothing.

    Refused (nothing changes) when none is chosen, too many are, or any is not a letter of the
    organisation still waiting (another member of staff marked it, or it was cancelled)."""
    chosen = {int(value) for value in message_ids}
    if not chosen:
        raise ServiceError(
            LetterError.NONE_CHOSEN, _("Choose the letters you have posted"), field="letters"
        )
    if len(chosen) > POST_ROOM_LIMIT:
        raise ServiceError(
            LetterError.TOO_MANY,
            _("Choose at most %(limit)s letters at once") % {"limit": POST_ROOM_LIMIT},
            field="letters",
        )
    now = timezone.now()
    with transaction.atomic():
        letters = list(
            Message.objects.for_organisation(by.organisation_id)  # type: ignore[arg-type]
            .select_for_update()
            .filter(pk__in=chosen, channel=Channel.LETTER, status=MessageStatus.PENDING)
            .filter(queries.visible_to(by))
            .order_by("id")
        )
        missing = len(chosen) - len(letters)
        if missing:
            raise ServiceError(
                LetterError.NOT_WAITING,
                ngettext(
                    "%(count)s of the letters chosen is no longer waiting to be posted: "
                    "nothing was marked. Reload the page and try again.",
                    "%(count)s of the letters chosen are no longer waiting to be posted: "
                    "nothing was marked. Reload the page and try again.",
                    missing,
                )
                % {"count": missing},
                field="letters",
            )
        for letter in letters:
            letter.status = MessageStatus.SENT
            letter.provider = POST_ROOM
            letter.sent_at = now
            letter.updated_at = now
            letter.save(update_fields=["status", "provider", "sent_at", "updated_at"])
            audit.record_change(
                letter,
                by=by,
                action=AuditAction.CHANGED,
                summary="Letter marked posted in the post room",
                changes={
                    "status": [MessageStatus.PENDING, MessageStatus.SENT],
                    "provider": POST_ROOM,
                },
            )
    return len(letters)

"""The post room's reads: the letters waiting to be printed, for a member of staff."""

from __future__ import annotations

from onestop.core import permissions
from onestop.core.access import require
from onestop.core.models import User
from onestop.notify.letters import POST_ROOM_LIMIT, post_room_enabled
from onestop.notify.models import Channel, Message, MessageStatus
from onestop.notify.queries import messages_for, visible_to


def waiting_letters_for(user: User) -> list[Message]:
    """The letters of the user's organisation waiting to be printed and posted, oldest first
    (today's and any earlier day's not yet marked posted), up to ``POST_ROOM_LIMIT``; none
    when letters go to GOV.UK Notify.  403 without ``letter.post-room``."""
    require(user, permissions.LETTER_POST_ROOM)
    if not post_room_enabled():
        return []
    rows = permissions.scope(user, permissions.LETTER_POST_ROOM, messages_for(user))
    return list(
        rows.filter(channel=Channel.LETTER, status=MessageStatus.PENDING)
        .select_related("organisation", "case")
        .order_by("created_at", "id")[:POST_ROOM_LIMIT]
    )


def confidential_waiting_for(user: User) -> int:
    """How many of the organisation's letters waiting to be printed the user may not read
    (about a confidential record: ``queries.visible_to``), so the post room knows they wait for
    someone allowed to read them; nothing about them but the number."""
    require(user, permissions.LETTER_POST_ROOM)
    if not post_room_enabled():
        return 0
    rows = permissions.scope(user, permissions.LETTER_POST_ROOM, Message.objects.for_user(user))
    return (
        rows.filter(channel=Channel.LETTER, status=MessageStatus.PENDING)
        .exclude(visible_to(user))
        .count()
    )

"""Every read of the channels app, built on the scoped managers."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.cases.models import CaseType
from onestop.channels.models import InboundMessage, Mailbox, MailboxImap
from onestop.core import permissions
from onestop.core.access import get_or_404
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet

RECENT_MESSAGES = 50


def mailboxes_for(user: User) -> ScopedQuerySet[Mailbox]:
    """The user's organisation's mailboxes, by address."""
    return Mailbox.objects.for_user(user).select_related("case_type").order_by("address")


def get_mailbox_for(
    user: User, mailbox_id: int, action: str = permissions.CASE_TYPE_MANAGE
) -> Mailbox:
    """One mailbox of the user's organisation (404 otherwise), checked for ``action``."""
    mailbox: Mailbox = get_or_404(user, Mailbox.objects.for_user(user), action, pk=mailbox_id)
    return mailbox


def case_types_for_mail(user: User) -> QuerySet[CaseType]:
    """Case types a mailbox may raise: the organisation's, in use, without required questions."""
    types = CaseType.objects.for_user(user).filter(is_active=True).order_by("name")
    return types.filter(
        pk__in=[
            case_type.pk
            for case_type in types
            if not any(
                isinstance(question, dict) and question.get("required")
                for question in case_type.attributes or []
            )
        ]
    )


def recent_messages_for(
    user: User, *, mailbox: Mailbox | None = None, limit: int = RECENT_MESSAGES
) -> list[InboundMessage]:
    """The newest inbound e-mails of the user's organisation, with their mailbox and case."""
    rows = InboundMessage.objects.for_user(user).select_related("mailbox", "case")
    if mailbox is not None:
        rows = rows.filter(mailbox=mailbox)
    return list(rows.defer("raw").order_by("-received_at", "-id")[: max(1, min(limit, 200))])


def imap_sources_for(user: User) -> dict[int, MailboxImap]:
    """How each of the user's organisation's mailboxes is read over IMAP, by mailbox id."""
    return {source.mailbox_id: source for source in MailboxImap.objects.for_user(user)}


def imap_source_of(user: User, mailbox: Mailbox) -> MailboxImap | None:
    """How ``mailbox`` (already reached through ``get_mailbox_for``) is read over IMAP."""
    found: MailboxImap | None = MailboxImap.objects.for_user(user).filter(mailbox=mailbox).first()
    return found

"""The staff shell's primary navigation, shown according to the user's permissions.

Each entry names the action that makes it visible; apps appear here as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.core import permissions


@dataclass(frozen=True)
class NavigationItem:
    label: str | Promise
    url_name: str
    action: str


PRIMARY: tuple[NavigationItem, ...] = (
    NavigationItem(_("Desk"), "contacts:desk", permissions.CONTACT_LOG),
    NavigationItem(_("Queues"), "cases:queues", permissions.CASE_WORK),
    NavigationItem(_("My enquiries"), "cases:member", permissions.CASE_VIEW_OWN),
    NavigationItem(
        _("Feedback for constituents"), "feedback:councillor", permissions.FEEDBACK_COUNCILLOR
    ),
    NavigationItem(_("Feedback"), "feedback:list", permissions.FEEDBACK_VIEW),
    NavigationItem(_("Performance"), "performance:dashboard", permissions.PERFORMANCE_VIEW),
    NavigationItem(_("Warnings to review"), "customers:markers-due", permissions.MARKER_MANAGE),
    NavigationItem(
        _("Equality monitoring"), "customers:equality-report", permissions.CUSTOMER_EQUALITY_VIEW
    ),
    NavigationItem(_("Directory"), "directory:home", permissions.DIRECTORY_VIEW),
    NavigationItem(_("Standards"), "standards:home", permissions.STANDARD_VIEW),
    NavigationItem(_("Case types"), "cases:case-types", permissions.CASE_TYPE_MANAGE),
    NavigationItem(_("Online forms"), "portal:web-forms", permissions.CASE_TYPE_MANAGE),
    NavigationItem(_("Mailboxes"), "channels:mailboxes", permissions.CASE_TYPE_MANAGE),
    NavigationItem(_("Call records"), "telephony:import", permissions.CALL_RECORDS_MANAGE),
    NavigationItem(_("Complaints procedure"), "feedback:procedure", permissions.STANDARD_MANAGE),
    NavigationItem(_("Post room"), "letters:post-room", permissions.LETTER_POST_ROOM),
    NavigationItem(_("Audit trail"), "trust:audit", permissions.AUDIT_VIEW),
)

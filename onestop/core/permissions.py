"""The one permission policy: named actions, roles as data, organisation as the scope.

``can(user, action, obj)`` answers whether a signed-in member of staff may do ``action``
(optionally to ``obj``).  Roles map to action sets and live in the database per organisation;
``DEFAULT_ROLES`` below is what a new organisation starts with.  Views and APIs never test roles
themselves: they go through ``core.access``, which calls this module.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar

from django.db.models import Model, QuerySet

from onestop.core.models import RoleCode, User

# --- actions: "<noun>.<verb>", stable public names --------------------------------------------
DIRECTORY_VIEW: Final = "directory.view"
DIRECTORY_MANAGE: Final = "directory.manage"
ROLE_MANAGE: Final = "role.manage"
AUDIT_VIEW: Final = "audit.view"
STANDARD_VIEW: Final = "standard.view"
STANDARD_MANAGE: Final = "standard.manage"
CALENDAR_MANAGE: Final = "calendar.manage"
CUSTOMER_VIEW: Final = "customer.view"
CUSTOMER_EDIT: Final = "customer.edit"
CUSTOMER_MERGE: Final = "customer.merge"
CUSTOMER_EQUALITY_VIEW: Final = "customer.equality.view"
# Record or erase equality answers (special-category data): reading them is not enough.
CUSTOMER_EQUALITY_EDIT: Final = "customer.equality.edit"
MARKER_VIEW_DETAIL: Final = "marker.view-detail"
MARKER_MANAGE: Final = "marker.manage"
CONTACT_VIEW: Final = "contact.view"
CONTACT_LOG: Final = "contact.log"
CASE_VIEW: Final = "case.view"
CASE_RAISE: Final = "case.raise"
CASE_WORK: Final = "case.work"
CASE_ASSIGN: Final = "case.assign"
CASE_CLOSE: Final = "case.close"
CASE_VIEW_OWN: Final = "case.view-own"
CASE_REASSIGN_BULK: Final = "case.reassign-bulk"
CASE_TYPE_MANAGE: Final = "case-type.manage"
STATUTORY_REQUEST_HANDLE: Final = "statutory-request.handle"
COMPLAINT_HANDLE: Final = "complaint.handle"
COMPLAINT_ESCALATE: Final = "complaint.escalate"
# Feedback (C6): take comments, compliments and complaints (the desk), read the records, and see
# complaints about a named member of staff (complaints officers; that person's managers see
# them through their teams, never the person: ``feedback.queries``).
FEEDBACK_RECORD: Final = "feedback.record"
FEEDBACK_VIEW: Final = "feedback.view"
COMPLAINT_STAFF_VIEW: Final = "complaint.staff-view"
# After the council's last word: record the ombudsman's enquiry, decision and remedy; set and
# track learning actions on upheld complaints (feedback).
COMPLAINT_OMBUDSMAN: Final = "complaint.ombudsman"
COMPLAINT_LEARNING: Final = "complaint.learning"
# Unreasonable-behaviour restrictions on a customer's contact: proposed by team leaders,
# complaints officers and managers, approved by a manager who did not propose it.
RESTRICTION_PROPOSE: Final = "restriction.propose"
RESTRICTION_APPROVE: Final = "restriction.approve"
# A councillor records feedback for a constituent and follows their own.
FEEDBACK_COUNCILLOR: Final = "feedback.councillor"
PERFORMANCE_VIEW: Final = "performance.view"
# Write a report file on demand (/performance/reports/): kept for everyone who sees reports.
PERFORMANCE_REPORT_WRITE: Final = "performance.report-write"
# Performance against the standards of one person: every member of staff sees their own
# (``PERFORMANCE_OWN``); a team leader also sees each officer of the teams they belong to
# (``PERFORMANCE_TEAM``); nobody else sees anyone's individual figures (``performance.queries``).
PERFORMANCE_OWN: Final = "performance.own"
PERFORMANCE_TEAM: Final = "performance.team"
# Comparator authorities' figures, entered as data beside the council's own (administrators).
COMPARATOR_MANAGE: Final = "comparator.manage"
# The quarterly return (issue 17): a head of service completes and submits their service's return
# (a manager, for the services of their teams); collating every service's returns into the
# corporate report, and reopening a submitted return with a reason, is for managers.
QUARTERLY_RETURN_COMPLETE: Final = "quarterly-return.complete"
QUARTERLY_RETURN_COLLATE: Final = "quarterly-return.collate"
# Documents and photos attached to cases and customers (on top of seeing the case or customer).
DOCUMENT_VIEW: Final = "document.view"
DOCUMENT_ATTACH: Final = "document.attach"
EXPORT_PERSONAL_DATA: Final = "personal-data.export"
# Notifications (notifyletters): print the day's letters in the post room and mark them posted.
LETTER_POST_ROOM: Final = "letter.post-room"
# --- notifications (notifycore): the outbox page (retry, cancel) and the message templates
MESSAGE_MANAGE: Final = "message.manage"
MESSAGE_TEMPLATE_MANAGE: Final = "message-template.manage"
# A message to many customers at once (/outbox/bulk/): choose a group, preview, send, cancel.
MESSAGE_BULK: Final = "message.bulk"
# Telephony: import the telephone system's call records and map its queues to services.
CALL_RECORDS_MANAGE: Final = "call-records.manage"

READ_ACTIONS: Final = frozenset(
    {
        DIRECTORY_VIEW,
        AUDIT_VIEW,
        STANDARD_VIEW,
        CUSTOMER_VIEW,
        CONTACT_VIEW,
        CASE_VIEW,
        PERFORMANCE_VIEW,
        DOCUMENT_VIEW,
        FEEDBACK_VIEW,
    }
)
FRONT_OFFICE: Final = frozenset(
    {
        DIRECTORY_VIEW,
        STANDARD_VIEW,
        CUSTOMER_VIEW,
        CUSTOMER_EDIT,
        CONTACT_VIEW,
        CONTACT_LOG,
        CASE_VIEW,
        CASE_RAISE,
        DOCUMENT_VIEW,
        DOCUMENT_ATTACH,
        FEEDBACK_RECORD,
    }
)
BACK_OFFICE: Final = frozenset(
    {
        DIRECTORY_VIEW,
        STANDARD_VIEW,
        CUSTOMER_VIEW,
        CONTACT_VIEW,
        CASE_VIEW,
        CASE_WORK,
        CASE_CLOSE,
        DOCUMENT_VIEW,
        DOCUMENT_ATTACH,
    }
)

ALL_ACTIONS: Final = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)

DEFAULT_ROLES: Final[dict[str, frozenset[str]]] = {
    RoleCode.ADVISOR: FRONT_OFFICE | {PERFORMANCE_OWN},
    RoleCode.PARTNER_ADVISOR: FRONT_OFFICE | {PERFORMANCE_OWN},
    RoleCode.BACK_OFFICE_OFFICER: BACK_OFFICE | {CONTACT_LOG, LETTER_POST_ROOM, PERFORMANCE_OWN},
    RoleCode.TEAM_LEADER: FRONT_OFFICE
    | BACK_OFFICE
    | {
        CASE_ASSIGN,
        CASE_REASSIGN_BULK,
        MARKER_VIEW_DETAIL,
        PERFORMANCE_VIEW,
        PERFORMANCE_REPORT_WRITE,
        COMPLAINT_HANDLE,
        MESSAGE_MANAGE,
        MESSAGE_BULK,
        FEEDBACK_VIEW,
    }
    | {LETTER_POST_ROOM, RESTRICTION_PROPOSE, PERFORMANCE_OWN, PERFORMANCE_TEAM},
    RoleCode.COMPLAINTS_OFFICER: BACK_OFFICE
    | {CONTACT_LOG, COMPLAINT_HANDLE, COMPLAINT_ESCALATE, CUSTOMER_EDIT, STATUTORY_REQUEST_HANDLE}
    | {FEEDBACK_RECORD, FEEDBACK_VIEW, COMPLAINT_STAFF_VIEW, RESTRICTION_PROPOSE}
    | {COMPLAINT_OMBUDSMAN, COMPLAINT_LEARNING, PERFORMANCE_OWN},
    RoleCode.MANAGER: FRONT_OFFICE
    | BACK_OFFICE
    | {
        CASE_ASSIGN,
        CASE_REASSIGN_BULK,
        STATUTORY_REQUEST_HANDLE,
        COMPLAINT_HANDLE,
        COMPLAINT_ESCALATE,
        PERFORMANCE_VIEW,
        PERFORMANCE_REPORT_WRITE,
        CUSTOMER_MERGE,
        CUSTOMER_EQUALITY_VIEW,
        CUSTOMER_EQUALITY_EDIT,
        MARKER_VIEW_DETAIL,
        MARKER_MANAGE,
        LETTER_POST_ROOM,
        MESSAGE_MANAGE,
        MESSAGE_BULK,
        FEEDBACK_VIEW,
        COMPLAINT_OMBUDSMAN,
        COMPLAINT_LEARNING,
        RESTRICTION_PROPOSE,
        RESTRICTION_APPROVE,
        PERFORMANCE_OWN,
        QUARTERLY_RETURN_COMPLETE,
        QUARTERLY_RETURN_COLLATE,
    },
    # Councillors raise enquiries for constituents and follow their own (not the whole queue).
    RoleCode.COUNCILLOR: frozenset(
        {CASE_VIEW_OWN, CASE_RAISE, PERFORMANCE_VIEW, STANDARD_VIEW, FEEDBACK_COUNCILLOR}
    ),
    RoleCode.ADMINISTRATOR: frozenset(
        {
            DIRECTORY_VIEW,
            DIRECTORY_MANAGE,
            ROLE_MANAGE,
            STANDARD_VIEW,
            STANDARD_MANAGE,
            CALENDAR_MANAGE,
            CASE_TYPE_MANAGE,
            AUDIT_VIEW,
            MESSAGE_MANAGE,
            MESSAGE_TEMPLATE_MANAGE,
            CALL_RECORDS_MANAGE,
            PERFORMANCE_OWN,
            COMPARATOR_MANAGE,
        }
    ),
    RoleCode.AUDITOR: READ_ACTIONS | {CUSTOMER_EQUALITY_VIEW, MARKER_VIEW_DETAIL, PERFORMANCE_OWN},
}

_CACHE_ATTRIBUTE = "_onestop_actions"
_Q = TypeVar("_Q", bound=QuerySet[Any])


def actions_of(user: Any) -> frozenset[str]:
    """Every action the user's roles grant (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    if not isinstance(user, User) or user.organisation_id is None:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        granted: set[str] = set()
        for actions in user.roles.filter(organisation_id=user.organisation_id).values_list(
            "actions", flat=True
        ):
            granted.update(action for action in actions if action in ALL_ACTIONS)
        cached = frozenset(granted)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_actions(user: Any) -> None:
    """Drop the cached action set after the user's roles change."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def in_scope(user: Any, obj: Model) -> bool:
    """Whether ``obj`` belongs to the user's organisation (the tenant boundary)."""
    organisation_id = getattr(obj, "organisation_id", None)
    if organisation_id is None:
        organisation_id = (
            getattr(obj, "pk", None) if obj.__class__.__name__ == "Organisation" else None
        )
    user_organisation = getattr(user, "organisation_id", None)
    return user_organisation is not None and organisation_id == user_organisation


def can(user: Any, action: str, obj: Model | None = None) -> bool:
    if action not in ALL_ACTIONS:
        raise ValueError(f"Unknown action {action!r}: add it to core.permissions.")
    if action not in actions_of(user):
        return False
    return obj is None or in_scope(user, obj)


def scope(user: Any, action: str, queryset: _Q) -> _Q:
    """The part of ``queryset`` the user may ``action``: their organisation's rows, or none."""
    if action not in actions_of(user):
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)

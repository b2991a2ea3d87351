"""Timeline events of a case (shown to staff; the audit trail is separate).

Each constructor writes one ``CaseEvent`` with a stable ``code``; ``describe`` turns a stored
event into a translated sentence, so nothing shown is assembled from untranslatable parts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.cases.models import Case, CaseEvent, EscalationAction, LinkKind, Outcome, Status
from onestop.contacts.models import Channel
from onestop.core import batch
from onestop.core.models import User


class EventType(StrEnum):
    """The kinds of timeline event (``CaseEvent.code``); the wording of each is in ``_WORDING``."""

    RAISED = "raised"
    STATUS_CHANGED = "status-changed"
    ASSIGNED = "assigned"
    NOTE_ADDED = "note-added"
    UPDATE_SENT = "update-sent"
    MESSAGE_RECEIVED = "message-received"
    CLOSED = "closed"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    LINKED = "linked"
    ESCALATED = "escalated"
    CLOCK_PAUSED = "clock-paused"
    CLOCK_RESUMED = "clock-resumed"
    CLOCK_RESTARTED = "clock-restarted"
    EXTENDED = "extended"
    IDENTITY_VERIFIED = "identity-verified"
    EXEMPTIONS_RECORDED = "exemptions-recorded"
    PUBLISHED = "published"
    TASK_ADDED = "task-added"
    TASK_DONE = "task-done"
    UPDATED = "updated"
    DEADLINE_MOVED = "deadline-moved"


def _event(case: Case, code: str, by: User | None, **data: Any) -> CaseEvent:
    event = CaseEvent(
        organisation_id=case.organisation_id,
        case=case,
        code=code,
        at=timezone.now(),
        by=by,
        data=data,
    )
    batch.insert(event)  # with the batch's others in the IMAP poller's batch
    return event


def case_raised_event(*, case: Case, by: User | None) -> CaseEvent:
    """The case raised, with its team by name (shown) and by id (``team_id``: which team it
    was with from then, for the per-team figures of any instant)."""
    return _event(
        case, EventType.RAISED, by, team=case.team.name, team_id=case.team_id, due_at=_iso(case)
    )


def status_changed_event(*, case: Case, by: User | None, old: str, new: str) -> CaseEvent:
    return _event(case, EventType.STATUS_CHANGED, by, old=old, new=new)


def case_assigned_event(
    *, case: Case, by: User | None, assignee: str, team: str, reason: str
) -> CaseEvent:
    """The case (re)assigned, written once ``case`` has its new team: the team by name (shown)
    and by id (``team_id``: which team it was with from then)."""
    return _event(
        case,
        EventType.ASSIGNED,
        by,
        assignee=assignee,
        team=team,
        team_id=case.team_id,
        reason=reason,
    )


def note_added_event(
    *,
    case: Case,
    by: User | None,
    to_customer: bool,
    recipient: str = "",
    channel: str = "",
    recipient_user: User | None = None,
) -> CaseEvent:
    if to_customer:
        return _event(
            case,
            EventType.UPDATE_SENT,
            by,
            recipient=recipient,
            channel=channel,
            recipient_user=recipient_user.pk if recipient_user else None,
        )
    return _event(case, EventType.NOTE_ADDED, by)


def message_received_event(*, case: Case, channel: str) -> CaseEvent:
    return _event(case, EventType.MESSAGE_RECEIVED, None, channel=channel)


def _told(recipient: str, channel: str) -> dict[str, Any]:
    """What a finishing, reopening or extension event records of the message about it: to whom
    and by which channel (``UPDATE_CHANNEL_LABELS``), or nothing when nobody was sent one."""
    if not recipient:
        return {}
    return {"customer_told": True, "recipient": recipient, "channel": channel}


def case_resolved_event(
    *, case: Case, by: User | None, recipient: str = "", channel: str = ""
) -> CaseEvent:
    """``recipient``: whom the resolution was sent to (by ``channel``), "" when nobody."""
    return _event(case, EventType.RESOLVED, by, outcome=case.outcome, **_told(recipient, channel))


def case_closed_event(
    *, case: Case, by: User | None, recipient: str = "", channel: str = ""
) -> CaseEvent:
    """``recipient``: whom the resolution was sent to (by ``channel``), "" when nobody."""
    return _event(case, EventType.CLOSED, by, outcome=case.outcome, **_told(recipient, channel))


def case_reopened_event(
    *, case: Case, by: User | None, reason: str, recipient: str = "", channel: str = ""
) -> CaseEvent:
    """``recipient``: whom the reopening was sent to (by ``channel``), "" when nobody."""
    return _event(
        case,
        EventType.REOPENED,
        by,
        reason=reason,
        due_at=_iso(case),
        **_told(recipient, channel),
    )


def case_linked_event(*, case: Case, by: User | None, kind: str, other: str) -> CaseEvent:
    return _event(case, EventType.LINKED, by, kind=kind, other=other)


EVENT_COLUMNS = ("organisation_id", "case_id", "code", "at", "by_id", "data")


def escalated_event_rows(
    organisation_id: int, rows: list[tuple[int, int, str]], *, at: datetime.datetime
) -> list[tuple[Any, ...]]:
    """An ``ESCALATED`` event for each (case id, percent, action), as ``EVENT_COLUMNS`` values
    for the sweep's bulk insert (the sweep writes tens of thousands at once)."""
    return [
        (
            organisation_id,
            case_id,
            EventType.ESCALATED.value,
            at,
            None,
            {"percent": percent, "action": action},
        )
        for case_id, percent, action in rows
    ]


def deadline_moved_events(
    organisation_id: int,
    rows: list[tuple[int, str, datetime.datetime, datetime.datetime, bool]],
    *,
    at: datetime.datetime,
    calendar_version: int,
) -> list[CaseEvent]:
    """A calendar change moved a clock's deadline later: (case id, standard, old, new, told)."""
    return CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                organisation_id=organisation_id,
                case_id=case_id,
                code=EventType.DEADLINE_MOVED,
                at=at,
                by=None,
                data={
                    "standard": standard,
                    "old": old.isoformat(),
                    "new": new.isoformat(),
                    "calendar_version": calendar_version,
                    "customer_told": told,
                },
            )
            for case_id, standard, old, new, told in rows
        ],
        batch_size=2000,
    )


def clock_paused_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, EventType.CLOCK_PAUSED, by)


def clock_resumed_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, EventType.CLOCK_RESUMED, by, due_at=_iso(case))


def clock_restarted_event(*, case: Case, by: User | None, reason: str) -> CaseEvent:
    return _event(case, EventType.CLOCK_RESTARTED, by, reason=reason, due_at=_iso(case))


def deadline_extended_event(
    *, case: Case, by: User | None, reason: str, recipient: str = "", channel: str = ""
) -> CaseEvent:
    """``recipient``: whom the extension was sent to (by ``channel``), "" when nobody."""
    return _event(
        case,
        EventType.EXTENDED,
        by,
        reason=reason,
        due_at=_iso(case),
        **_told(recipient, channel),
    )


def identity_verified_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, EventType.IDENTITY_VERIFIED, by)


def exemptions_recorded_event(*, case: Case, by: User | None, exemptions: list[str]) -> CaseEvent:
    return _event(case, EventType.EXEMPTIONS_RECORDED, by, exemptions=exemptions)


def response_published_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, EventType.PUBLISHED, by)


def task_added_event(*, case: Case, by: User | None, service: str) -> CaseEvent:
    return _event(case, EventType.TASK_ADDED, by, service=service)


def task_done_event(*, case: Case, by: User | None, service: str) -> CaseEvent:
    return _event(case, EventType.TASK_DONE, by, service=service)


def case_updated_event(*, case: Case, by: User | None, fields: list[str]) -> CaseEvent:
    return _event(case, EventType.UPDATED, by, fields=fields)


def _iso(case: Case) -> str | None:
    return case.due_at.isoformat() if case.due_at else None


def _when(value: Any) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return formats.date_format(timezone.localtime(moment), "j F Y")


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


#: How an update to the customer (or councillor) went, by the channel code in its event.
UPDATE_CHANNEL_LABELS = {
    "email": gettext_lazy("e-mail"),
    "letter": gettext_lazy("letter"),
    "sms": gettext_lazy("text message"),
    "onestop": gettext_lazy("their enquiries page in OneStop"),
}


def _outcome(data: dict[str, Any]) -> dict[str, str]:
    return {"outcome": _label(Outcome, data.get("outcome", ""))}


def _update_sent(data: dict[str, Any]) -> str:
    """To whom and how an update went (older events say only that one was sent)."""
    if not data.get("recipient"):
        return _("Update sent to the customer")
    channel = data.get("channel", "")
    return _("Update sent to %(recipient)s by %(channel)s") % {
        "recipient": data["recipient"],
        "channel": UPDATE_CHANNEL_LABELS.get(channel, channel),
    }


def _sent_to(data: dict[str, Any]) -> dict[str, str]:
    channel = data.get("channel", "")
    return {
        "recipient": data.get("recipient", ""),
        "channel": str(UPDATE_CHANNEL_LABELS.get(channel, channel)),
    }


def _resolved(data: dict[str, Any]) -> str:
    if data.get("customer_told"):
        return _("Resolved: %(outcome)s. Resolution sent to %(recipient)s by %(channel)s") % {
            **_outcome(data),
            **_sent_to(data),
        }
    return _("Resolved: %(outcome)s") % _outcome(data)


def _closed(data: dict[str, Any]) -> str:
    if data.get("customer_told"):
        return _("Closed: %(outcome)s. Resolution sent to %(recipient)s by %(channel)s") % {
            **_outcome(data),
            **_sent_to(data),
        }
    return _("Closed: %(outcome)s") % _outcome(data)


def _reopened(data: dict[str, Any]) -> str:
    reason = {"reason": data.get("reason", "")}
    if data.get("customer_told"):
        return _(
            "Reopened with a new deadline and sent to %(recipient)s by %(channel)s: %(reason)s"
        ) % {**reason, **_sent_to(data)}
    return _("Reopened with a new deadline: %(reason)s") % reason


def _extended(data: dict[str, Any]) -> str:
    reason = {"reason": data.get("reason", "")}
    if data.get("customer_told"):
        return _("Deadline extended and sent to %(recipient)s by %(channel)s: %(reason)s") % {
            **reason,
            **_sent_to(data),
        }
    return _("Deadline extended: %(reason)s") % reason


def _deadline_moved(data: dict[str, Any]) -> str:
    template = (
        _(
            "The council's calendar changed: the deadline (%(standard)s) moved from "
            "%(old)s to %(new)s and the customer was told"
        )
        if data.get("customer_told")
        else _(
            "The council's calendar changed: the deadline (%(standard)s) moved from "
            "%(old)s to %(new)s"
        )
    )
    return template % {
        "standard": data.get("standard", ""),
        "old": _when(data.get("old")),
        "new": _when(data.get("new")),
    }


# The wording of each event type: a translated sentence from the event's data (worked out when
# shown, in the reader's language).
_WORDING: dict[EventType, Callable[[dict[str, Any]], str]] = {
    EventType.RAISED: lambda data: (
        _("Case raised and sent to %(team)s") % {"team": data.get("team", "")}
    ),
    EventType.STATUS_CHANGED: lambda data: (
        _("Status changed from %(old)s to %(new)s")
        % {
            "old": _label(Status, data.get("old", "")),
            "new": _label(Status, data.get("new", "")),
        }
    ),
    EventType.ASSIGNED: lambda data: (
        _("Assigned to %(assignee)s (%(team)s): %(reason)s")
        % {
            "assignee": data.get("assignee") or _("the team"),
            "team": data.get("team", ""),
            "reason": data.get("reason") or _("no reason given"),
        }
    ),
    EventType.NOTE_ADDED: lambda data: _("Internal note added"),
    EventType.UPDATE_SENT: lambda data: _update_sent(data),
    EventType.MESSAGE_RECEIVED: lambda data: (
        _("Message received from the customer by %(channel)s")
        % {"channel": _label(Channel, data.get("channel", "")).lower()}
    ),
    EventType.CLOSED: _closed,
    EventType.RESOLVED: _resolved,
    EventType.REOPENED: _reopened,
    EventType.LINKED: lambda data: (
        _("%(kind)s %(other)s")
        % {"kind": _label(LinkKind, data.get("kind", "")), "other": data.get("other", "")}
    ),
    EventType.ESCALATED: lambda data: (
        _("%(percent)s%% of the time used: %(action)s")
        % {
            "percent": data.get("percent", ""),
            "action": _label(EscalationAction, data.get("action", "")),
        }
    ),
    EventType.CLOCK_PAUSED: lambda data: _("Clock paused while waiting for the customer"),
    EventType.CLOCK_RESUMED: lambda data: _("Clock resumed"),
    EventType.CLOCK_RESTARTED: lambda data: (
        _("Clock restarted: %(reason)s") % {"reason": data.get("reason", "")}
    ),
    EventType.EXTENDED: _extended,
    EventType.IDENTITY_VERIFIED: lambda data: _("Requester's identity verified"),
    EventType.EXEMPTIONS_RECORDED: lambda data: (
        _("Exemptions or exceptions recorded: %(list)s")
        % {"list": ", ".join(data.get("exemptions", []))}
    ),
    EventType.PUBLISHED: lambda data: _("Response published in the disclosure log"),
    EventType.TASK_ADDED: lambda data: (
        _("Task added for %(service)s") % {"service": data.get("service", "")}
    ),
    EventType.TASK_DONE: lambda data: (
        _("Task done by %(service)s") % {"service": data.get("service", "")}
    ),
    EventType.UPDATED: lambda data: (
        _("Details changed: %(fields)s") % {"fields": ", ".join(data.get("fields", []))}
    ),
    EventType.DEADLINE_MOVED: _deadline_moved,
}


def describe(event: CaseEvent) -> str:
    """The event as one translated sentence for the timeline (an unknown code as itself)."""
    try:
        wording = _WORDING[EventType(event.code)]
    except ValueError:
        return event.code
    return wording(event.data)


# --- what the customer sees ----------------------------------------------------------------------
#: The status of a case in the customer's words (the track page and "Your requests").
CUSTOMER_STATUS_WORDS: dict[str, Any] = {
    Status.NEW: gettext_lazy("Received"),
    Status.ASSIGNED: gettext_lazy("With the team that deals with it"),
    Status.IN_PROGRESS: gettext_lazy("Being dealt with"),
    Status.WAITING_FOR_CUSTOMER: gettext_lazy("Waiting for information from you"),
    Status.WAITING_FOR_THIRD_PARTY: gettext_lazy("Waiting for someone outside the council"),
    Status.RESOLVED: gettext_lazy("Done"),
    Status.CLOSED: gettext_lazy("Closed"),
}

#: The events a customer is shown, in their words.  Nothing else is ever shown to them: not
#: internal notes, assignments (staff names), escalations, tasks, links, or any free text staff
#: typed as a reason.  An update counts only when it went to the customer (not to a councillor).
CUSTOMER_EVENT_CODES = frozenset(
    {
        EventType.RAISED,
        EventType.STATUS_CHANGED,
        EventType.UPDATE_SENT,
        EventType.MESSAGE_RECEIVED,
        EventType.RESOLVED,
        EventType.CLOSED,
        EventType.REOPENED,
        EventType.EXTENDED,
        EventType.DEADLINE_MOVED,
    }
)


def customer_status(status: str) -> str:
    return str(CUSTOMER_STATUS_WORDS.get(status, status))


def _customer_status_changed(data: dict[str, Any]) -> str:
    return _("Status: %(status)s") % {"status": customer_status(data.get("new", ""))}


def _customer_message(data: dict[str, Any]) -> str:
    if data.get("channel") == Channel.WEB_FORM:
        return _("You sent us more information online")
    return _("We received a message from you")


_CUSTOMER_WORDING: dict[EventType, Callable[[dict[str, Any]], str]] = {
    EventType.RAISED: lambda data: _("We received your request"),
    EventType.STATUS_CHANGED: _customer_status_changed,
    EventType.UPDATE_SENT: lambda data: _("We sent you an update"),
    EventType.MESSAGE_RECEIVED: _customer_message,
    EventType.RESOLVED: lambda data: (
        _("We finished dealing with your request and sent you our answer")
        if data.get("customer_told")
        else _("We finished dealing with your request")
    ),
    EventType.CLOSED: lambda data: (
        _("We closed your request and sent you our answer")
        if data.get("customer_told")
        else _("We closed your request")
    ),
    EventType.REOPENED: lambda data: (
        _("We reopened your request and told you why")
        if data.get("customer_told")
        else _("We reopened your request")
    ),
    EventType.EXTENDED: lambda data: (
        _("We need more time: we will reply by %(date)s") % {"date": _when(data.get("due_at"))}
    ),
    EventType.DEADLINE_MOVED: lambda data: (
        _("The date we will reply by moved to %(date)s, because we are closed on a day before it")
        % {"date": _when(data.get("new"))}
    ),
}


def is_for_customer(event: CaseEvent) -> bool:
    """Whether the customer may see ``event`` (``CUSTOMER_EVENT_CODES``; an update only when
    it was sent to the customer, not to a councillor)."""
    if event.code not in CUSTOMER_EVENT_CODES:
        return False
    if event.code == EventType.UPDATE_SENT:
        return event.data.get("recipient_user") is None
    return True


def describe_for_customer(event: CaseEvent) -> str:
    """The event in the customer's words (only for ``is_for_customer`` events)."""
    return _CUSTOMER_WORDING[EventType(event.code)](event.data)

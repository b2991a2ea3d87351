"""Timeline events of a case (shown to staff; the audit trail is separate).

Each constructor writes one ``CaseEvent`` with a stable ``code``; ``describe`` turns a stored
event into a translated sentence, so nothing shown is assembled from untranslatable parts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.cases.models import Case, CaseEvent, EscalationAction, LinkKind, Outcome, Status
from onestop.contacts.models import Channel
from onestop.core.models import User

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
    event.save(force_insert=True)
    return event


def case_raised_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, RAISED, by, team=case.team.name, due_at=_iso(case))


def status_changed_event(*, case: Case, by: User | None, old: str, new: str) -> CaseEvent:
    return _event(case, STATUS_CHANGED, by, old=old, new=new)


def case_assigned_event(
    *, case: Case, by: User | None, assignee: str, team: str, reason: str
) -> CaseEvent:
    return _event(case, ASSIGNED, by, assignee=assignee, team=team, reason=reason)


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
            UPDATE_SENT,
            by,
            recipient=recipient,
            channel=channel,
            recipient_user=recipient_user.pk if recipient_user else None,
        )
    return _event(case, NOTE_ADDED, by)


def message_received_event(*, case: Case, channel: str) -> CaseEvent:
    return _event(case, MESSAGE_RECEIVED, None, channel=channel)


def case_resolved_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, RESOLVED, by, outcome=case.outcome)


def case_closed_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, CLOSED, by, outcome=case.outcome)


def case_reopened_event(*, case: Case, by: User | None, reason: str) -> CaseEvent:
    return _event(case, REOPENED, by, reason=reason, due_at=_iso(case))


def case_linked_event(*, case: Case, by: User | None, kind: str, other: str) -> CaseEvent:
    return _event(case, LINKED, by, kind=kind, other=other)


def case_escalated_event(*, case: Case, percent: int, action: str) -> CaseEvent:
    return _event(case, ESCALATED, None, percent=percent, action=action)


EVENT_COLUMNS = ("organisation_id", "case_id", "code", "at", "by_id", "data")


def escalated_event_rows(
    organisation_id: int, rows: list[tuple[int, int, str]], *, at: datetime.datetime
) -> list[tuple[Any, ...]]:
    """``case_escalated_event`` for many (case id, percent, action), as ``EVENT_COLUMNS`` values
    for the sweep's bulk insert (the sweep writes tens of thousands at once)."""
    return [
        (organisation_id, case_id, ESCALATED, at, None, {"percent": percent, "action": action})
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
                code=DEADLINE_MOVED,
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
    return _event(case, CLOCK_PAUSED, by)


def clock_resumed_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, CLOCK_RESUMED, by, due_at=_iso(case))


def clock_restarted_event(*, case: Case, by: User | None, reason: str) -> CaseEvent:
    return _event(case, CLOCK_RESTARTED, by, reason=reason, due_at=_iso(case))


def deadline_extended_event(*, case: Case, by: User | None, reason: str) -> CaseEvent:
    return _event(case, EXTENDED, by, reason=reason, due_at=_iso(case))


def identity_verified_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, IDENTITY_VERIFIED, by)


def exemptions_recorded_event(*, case: Case, by: User | None, exemptions: list[str]) -> CaseEvent:
    return _event(case, EXEMPTIONS_RECORDED, by, exemptions=exemptions)


def response_published_event(*, case: Case, by: User | None) -> CaseEvent:
    return _event(case, PUBLISHED, by)


def task_added_event(*, case: Case, by: User | None, service: str) -> CaseEvent:
    return _event(case, TASK_ADDED, by, service=service)


def task_done_event(*, case: Case, by: User | None, service: str) -> CaseEvent:
    return _event(case, TASK_DONE, by, service=service)


def case_updated_event(*, case: Case, by: User | None, fields: list[str]) -> CaseEvent:
    return _event(case, UPDATED, by, fields=fields)


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


def describe(event: CaseEvent) -> str:
    """The event as one translated sentence for the timeline."""
    data = event.data
    if event.code == RAISED:
        return _("Case raised and sent to %(team)s") % {"team": data.get("team", "")}
    if event.code == STATUS_CHANGED:
        return _("Status changed from %(old)s to %(new)s") % {
            "old": _label(Status, data.get("old", "")),
            "new": _label(Status, data.get("new", "")),
        }
    if event.code == ASSIGNED:
        return _("Assigned to %(assignee)s (%(team)s): %(reason)s") % {
            "assignee": data.get("assignee") or _("the team"),
            "team": data.get("team", ""),
            "reason": data.get("reason") or _("no reason given"),
        }
    if event.code == NOTE_ADDED:
        return _("Internal note added")
    if event.code == UPDATE_SENT and data.get("recipient"):
        return _("Update sent to %(recipient)s by %(channel)s") % {
            "recipient": data["recipient"],
            "channel": UPDATE_CHANNEL_LABELS.get(data.get("channel", ""), data.get("channel", "")),
        }
    if event.code == UPDATE_SENT:
        return _("Update sent to the customer")
    if event.code == MESSAGE_RECEIVED:
        return _("Message received from the customer by %(channel)s") % {
            "channel": _label(Channel, data.get("channel", "")).lower()
        }
    if event.code in {CLOSED, RESOLVED}:
        template = _("Closed: %(outcome)s") if event.code == CLOSED else _("Resolved: %(outcome)s")
        return template % {"outcome": _label(Outcome, data.get("outcome", ""))}
    if event.code == REOPENED:
        return _("Reopened with a new deadline: %(reason)s") % {"reason": data.get("reason", "")}
    if event.code == LINKED:
        return _("%(kind)s %(other)s") % {
            "kind": _label(LinkKind, data.get("kind", "")),
            "other": data.get("other", ""),
        }
    if event.code == ESCALATED:
        return _("%(percent)s%% of the time used: %(action)s") % {
            "percent": data.get("percent", ""),
            "action": _label(EscalationAction, data.get("action", "")),
        }
    simple = {
        CLOCK_PAUSED: _("Clock paused while waiting for the customer"),
        CLOCK_RESUMED: _("Clock resumed"),
        IDENTITY_VERIFIED: _("Requester's identity verified"),
        PUBLISHED: _("Response published in the disclosure log"),
    }
    if event.code in simple:
        return simple[event.code]
    if event.code == CLOCK_RESTARTED:
        return _("Clock restarted: %(reason)s") % {"reason": data.get("reason", "")}
    if event.code == EXTENDED:
        return _("Deadline extended: %(reason)s") % {"reason": data.get("reason", "")}
    if event.code == EXEMPTIONS_RECORDED:
        return _("Exemptions or exceptions recorded: %(list)s") % {
            "list": ", ".join(data.get("exemptions", []))
        }
    if event.code == TASK_ADDED:
        return _("Task added for %(service)s") % {"service": data.get("service", "")}
    if event.code == TASK_DONE:
        return _("Task done by %(service)s") % {"service": data.get("service", "")}
    if event.code == DEADLINE_MOVED:
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
    if event.code == UPDATED:
        return _("Details changed: %(fields)s") % {"fields": ", ".join(data.get("fields", []))}
    return event.code

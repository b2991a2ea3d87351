"""The timeline's wording: every event type has its sentence, taken from one table."""

from __future__ import annotations

import pytest

from onestop.cases.events import EventType, describe
from onestop.cases.models import CaseEvent

SAMPLES: dict[EventType, tuple[dict[str, object], str]] = {
    EventType.RAISED: ({"team": "Crews"}, "Case raised and sent to Crews"),
    EventType.STATUS_CHANGED: (
        {"old": "new", "new": "in-progress"},
        "Status changed from New to In progress",
    ),
    EventType.ASSIGNED: ({"assignee": "", "team": "Crews", "reason": ""}, "Assigned to the team"),
    EventType.NOTE_ADDED: ({}, "Internal note added"),
    EventType.UPDATE_SENT: ({}, "Update sent to the customer"),
    EventType.MESSAGE_RECEIVED: ({"channel": "email"}, "Message received from the customer by"),
    EventType.CLOSED: ({"outcome": "nonsense"}, "Closed: nonsense"),
    EventType.RESOLVED: ({"outcome": "nonsense"}, "Resolved: nonsense"),
    EventType.REOPENED: ({"reason": "Came back"}, "Reopened with a new deadline: Came back"),
    EventType.LINKED: ({"kind": "odd", "other": "SR-26-00011"}, "odd SR-26-00011"),
    EventType.ESCALATED: ({"percent": 75, "action": "odd"}, "75% of the time used: odd"),
    EventType.CLOCK_PAUSED: ({}, "Clock paused while waiting for the customer"),
    EventType.CLOCK_RESUMED: ({}, "Clock resumed"),
    EventType.CLOCK_RESTARTED: ({"reason": "Clarified"}, "Clock restarted: Clarified"),
    EventType.EXTENDED: ({"reason": "Complex"}, "Deadline extended: Complex"),
    EventType.IDENTITY_VERIFIED: ({}, "Requester's identity verified"),
    EventType.EXEMPTIONS_RECORDED: (
        {"exemptions": ["s40", "s43"]},
        "Exemptions or exceptions recorded: s40, s43",
    ),
    EventType.PUBLISHED: ({}, "Response published in the disclosure log"),
    EventType.TASK_ADDED: ({"service": "Highways"}, "Task added for Highways"),
    EventType.TASK_DONE: ({"service": "Highways"}, "Task done by Highways"),
    EventType.UPDATED: ({"fields": ["title", "ward"]}, "Details changed: title, ward"),
    EventType.DEADLINE_MOVED: (
        {"standard": "SR", "old": "x", "new": "y", "customer_told": True},
        "moved from x to y and the customer was told",
    ),
}


def test_every_event_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(EventType)


@pytest.mark.parametrize("code", list(EventType), ids=[code.value for code in EventType])
def test_each_event_type_is_described_in_its_own_words(code: EventType) -> None:
    data, expected = SAMPLES[code]
    text = describe(CaseEvent(code=code.value, data=data))
    assert expected in text
    assert text != code.value


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert describe(CaseEvent(code="something-new", data={})) == "something-new"

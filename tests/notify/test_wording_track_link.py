"""``((track_link))``: every message about a case may name it, the shipped words of the messages
about an open case do, and ``render`` leaves out the paragraph naming it when it has no value
(a case nobody can track), whatever the line endings, and only that paragraph."""

from __future__ import annotations

import pytest

from onestop.notify import wording
from onestop.notify.models import Channel, Event, Language

CASE_EVENTS = [
    Event.ACKNOWLEDGEMENT,
    Event.UPDATE,
    Event.DEADLINE_MOVED,
    Event.EXTENSION,
    Event.RESPONSE,
    Event.CLOSURE,
    Event.REOPENING,
]
LINKED = [Event.ACKNOWLEDGEMENT, Event.DEADLINE_MOVED, Event.EXTENSION, Event.REOPENING]
TEXT = "Dear ((customer_name)),\n\nFollow it at ((track_link)).\n\n((organisation))"


@pytest.mark.parametrize("event", CASE_EVENTS)
def test_every_message_about_a_case_may_name_the_track_link(event: str) -> None:
    assert "track_link" in wording.PLACEHOLDERS[event]
    assert wording.unknown_placeholders(event, "((track_link))") == []


@pytest.mark.parametrize("language", [Language.ENGLISH, Language.WELSH])
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.LETTER])
@pytest.mark.parametrize("event", LINKED)
def test_the_shipped_words_about_an_open_case_link_to_the_track_page(
    event: str, channel: str, language: str
) -> None:
    words = wording.default(event, channel, language)
    assert "((track_link))" in words.body
    assert wording.unknown_placeholders(event, words.body) == []
    # The request is never named straight after "your request" with no colon.
    assert "request ((case_title))" not in words.body
    assert "cais ((case_title))" not in words.body


def test_a_link_is_filled_in_where_there_is_one() -> None:
    values = {"customer_name": "Sam", "track_link": "https://x.example/o/c/track/"}
    assert wording.render(TEXT, {**values, "organisation": "Council"}) == (
        "Dear Sam,\n\nFollow it at https://x.example/o/c/track/.\n\nCouncil"
    )


@pytest.mark.parametrize("missing", [{}, {"track_link": ""}])
def test_without_a_link_its_paragraph_is_left_out(missing: dict[str, str]) -> None:
    values = {"customer_name": "Sam", "organisation": "Council", **missing}
    assert wording.render(TEXT, values) == "Dear Sam,\n\nCouncil"
    assert wording.render(TEXT.replace("\n", "\r\n"), values) == "Dear Sam,\r\n\r\nCouncil"
    # First and last paragraphs too; a text of one paragraph (a subject) is kept whole.
    assert wording.render("((track_link))\n\nB", values) == "B"
    assert wording.render("A\n \nB ((track_link))", values) == "A"
    assert wording.render("Track ((track_link))", values) == "Track "


def test_a_value_with_blank_lines_or_placeholders_changes_nothing_else() -> None:
    values = {
        "customer_name": "Sam\n\n((track_link))",
        "track_link": "",
        "organisation": "Council",
    }
    assert wording.render(TEXT, values) == "Dear Sam\n\n((track_link)),\n\nCouncil"

"""A resident complains, and another compliments, in English and in Welsh, with the keyboard
(Enter on links and buttons, Space on choices, typing in boxes), then tracks what they sent and
adds more information to it; bad input at each step it can happen gets the GOV.UK error
summary and keeps what was typed, and axe-core (WCAG 2.2 AA) passes on every page and state in
both languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from onestop.core.models import Organisation
from onestop.feedback.models import Feedback, FeedbackEvent
from tests.browser.conftest import axe_violations
from tests.feedback.conftest import World, world

__all__ = ["world"]  # the fixture used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# language -> the words the journey looks for
TEXT = {
    "en": {
        "start": "Start now",
        "continue": "Continue",
        "problem": "There is a problem",
        "kind": "What do you want to tell us?",
        "check": "Check your answers before sending",
        "send": "Send",
        "find": "Find my request",
        "send information": "Send information",
        "added": "Thank you. We have added your information to",
    },
    "cy": {
        "start": "Dechrau nawr",
        "continue": "Parhau",
        "problem": "Mae problem wedi codi",
        "kind": "Beth ydych chi eisiau ei ddweud wrthym?",
        "check": "Gwirio’ch atebion cyn anfon",
        "send": "Anfon",
        "find": "Dod o hyd i fy nghais",
        "send information": "Anfon gwybodaeth",
        "added": "Diolch. Rydym wedi ychwanegu eich gwybodaeth at",
    },
}
# kind -> what the resident types
SAYS = {
    "complaint": ("The lorry blocked my drive for an hour.", "Park somewhere else."),
    "compliment": ("The crew put my bin back by the gate.", ""),
}


def _enter(page: Any, locator: Any) -> None:
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _continue(page: Any, words: dict[str, str]) -> None:
    _enter(page, page.get_by_role("button", name=words["continue"], exact=True))


def _type_into(page: Any, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def _heading(page: Any) -> str:
    return str(page.locator("h1").inner_text()).strip()


def _problem_shown(page: Any, words: dict[str, str]) -> None:
    assert page.locator(".govuk-error-summary__title").inner_text() == words["problem"]
    assert axe_violations(page) == []


@pytest.mark.parametrize("kind", ["complaint", "compliment"])
@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_resident_complains_or_compliments_then_tracks_it_and_adds_information(
    page: Any, live_server: Any, world: World, language: str, kind: str
) -> None:
    cache.clear()
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    words = TEXT[language]
    what_happened, wanted = SAYS[kind]
    # The live server's first page builds its caches: allowed longer on a busy machine.
    page.goto(
        f"{live_server.url}/feedback/o/{world.organisation.slug}/?lang={language}",
        timeout=60_000,
    )
    assert page.get_attribute("html", "lang") == language
    assert axe_violations(page) == []
    _enter(page, page.get_by_role("button", name=words["start"]))
    assert _heading(page) == words["kind"]
    assert axe_violations(page) == []

    # What it is: sent empty first (the error state), then chosen with Space.
    _continue(page, words)
    _problem_shown(page, words)
    page.locator(f'input[name="kind"][value="{kind}"]').focus()
    page.keyboard.press("Space")
    _continue(page, words)
    assert axe_violations(page) == []
    page.locator('input[name="about"][value="service"]').focus()
    page.keyboard.press("Space")
    _continue(page, words)
    assert axe_violations(page) == []
    page.locator("#id_service").focus()
    page.keyboard.press("ArrowDown")  # from None to the first service
    _continue(page, words)
    # What happened: required, so empty is refused first.
    _continue(page, words)
    _problem_shown(page, words)
    _type_into(page, "#id_what_happened", what_happened)
    _continue(page, words)
    assert axe_violations(page) == []
    _type_into(page, "#id_wanted", wanted)
    _continue(page, words)
    # A reply address that is not one: the error, and what was typed kept.
    _type_into(page, "#id_email", "robin at example")
    _continue(page, words)
    _problem_shown(page, words)
    assert page.locator("#id_email").input_value() == "robin at example"
    page.locator("#id_email").fill("")
    _type_into(page, "#id_email", "robin@example.org")
    _continue(page, words)
    _type_into(page, "#id_given_name", "Robin")
    _type_into(page, "#id_family_name", "Walker")
    assert axe_violations(page) == []
    _continue(page, words)

    assert _heading(page) == words["check"]
    assert what_happened in page.get_by_test_id("answers").inner_text()
    assert axe_violations(page) == []
    _enter(page, page.get_by_role("button", name=words["send"], exact=True))
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    assert (feedback.kind, feedback.what_happened) == (kind, what_happened)
    assert page.get_by_test_id("reference").inner_text() == feedback.reference
    assert page.get_attribute("html", "lang") == language
    assert axe_violations(page) == []

    # Track it with the reference and the address given, then add information.
    page.goto(f"{live_server.url}/o/{world.organisation.slug}/track/")
    assert page.get_attribute("html", "lang") == language  # the choice is remembered
    _type_into(page, "#id_reference", feedback.reference)
    _type_into(page, "#id_detail", "robin@example.org")
    _enter(page, page.get_by_role("button", name=words["find"]))
    assert axe_violations(page) == []
    _enter(page, page.get_by_role("button", name=words["send information"]))
    _problem_shown(page, words)
    _type_into(page, "#id_text", "It was on Tuesday morning.")
    _enter(page, page.get_by_role("button", name=words["send information"]))
    assert f"{words['added']} {feedback.reference}" in page.content()
    assert axe_violations(page) == []
    event = FeedbackEvent.objects.for_organisation(world.organisation).get(
        feedback=feedback, code="information-added"
    )
    assert event.data["text"] == "It was on Tuesday morning."

"""Issue 18's journey through one case, in English and in Welsh, with the keyboard alone: a
resident reports a missed bin on the question pages, tracks that reference, then adds
information.  At each step something is refused first (a number that is not one, a date that
does not exist, an over-long location, a bad postcode, an e-mail address that is not one, a
wrong second detail on the track page, an empty and then an over-long addition): each refusal
gives the GOV.UK error summary in the page's language, keeps what was typed and passes axe-core
(WCAG 2.2 AA); nothing is saved until the resident corrects it."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.cases.models import Case, CaseNote, NoteKind
from onestop.portal.models import WebForm
from onestop.portal.services_track import INFORMATION_LIMIT
from tests.browser.conftest import axe_violations
from tests.browser.test_portal_welsh import welsh_missed_bins
from tests.cases.conftest import World, world

__all__ = ["welsh_missed_bins", "world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_PLACE = "By the lamp post " * 12  # 204 characters: a location allows 200
LONG_ADDITION = "x" * (INFORMATION_LIMIT + 1)
# language -> the words the journey looks for
TEXT = {
    "en": {
        "lang": "en",
        "error": "Error:",
        "start": "Start now",
        "continue": "Continue",
        "send": "Send report",
        "problem": "There is a problem",
        "sent": "Report sent",
        "find": "Find my request",
        "add": "Send information",
    },
    "cy": {
        "lang": "cy",
        "error": "Gwall:",
        "start": "Dechrau nawr",
        "continue": "Parhau",
        "send": "Anfon adroddiad",
        "problem": "Mae problem wedi codi",
        "sent": "Adroddiad wedi’i anfon",
        "find": "Dod o hyd i fy nghais",
        "add": "Anfon gwybodaeth",
    },
}


def _focused_name(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.name"))


def _tab_to_input(page: Any, name: str, limit: int = 40) -> None:
    """Press Tab until the input named ``name`` has the focus."""
    for _press in range(limit):
        if _focused_name(page) == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached [name={name}] (at [name={_focused_name(page)}])")


def _type(page: Any, name: str, text: str) -> None:
    _tab_to_input(page, name)
    page.keyboard.type(text)


def _retype(page: Any, name: str, text: str) -> None:
    """Select what the input holds and type over it."""
    _tab_to_input(page, name)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def _press(page: Any, label: str, limit: int = 60) -> None:
    """Tab to the button (or the link drawn as a button, like "Start now") and press Enter."""
    for _tab in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == label:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"Tab never reached {label!r}")


def _refused(page: Any, words: dict[str, str], kept: dict[str, str]) -> list[Any]:
    """The error state: the summary in the page's language, each input as typed; axe's
    findings returned for the caller to assert empty."""
    assert page.get_attribute("html", "lang") == words["lang"]
    assert page.title().startswith(words["error"])
    assert page.locator(".govuk-error-summary__title").inner_text() == words["problem"]
    # A question's mistake is also told beside its input; the track page's "not found" only in
    # the summary (it never says which detail was wrong).
    assert page.locator(".govuk-error-summary__list li").count() >= 1
    assert {name: page.locator(f'[name="{name}"]').input_value() for name in kept} == kept
    return axe_violations(page)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_resident_reports_tracks_and_adds_information_with_refusals_at_each_step(
    page: Any, live_server: Any, world: World, welsh_missed_bins: WebForm, language: str
) -> None:
    words = TEXT[language]
    page.goto(f"{live_server.url}/report/test-council/missed-bin/?lang={language}")
    assert page.get_attribute("html", "lang") == words["lang"]
    _press(page, words["start"])

    # Which bin: nothing chosen is refused; Space chooses the first.
    _press(page, words["continue"])
    assert _refused(page, words, {}) == []
    _tab_to_input(page, "attribute_bin")
    page.keyboard.press("Space")
    _press(page, words["continue"])

    # Extra bags: not a number.
    _type(page, "attribute_bags", "lots")
    _press(page, words["continue"])
    assert _refused(page, words, {"attribute_bags": "lots"}) == []
    _retype(page, "attribute_bags", "2")
    _press(page, words["continue"])

    # Collection day: 31 February does not exist.
    date = {
        "attribute_collection-day_day": "31",
        "attribute_collection-day_month": "2",
        "attribute_collection-day_year": "2026",
    }
    for name, text in date.items():
        _type(page, name, text)
    _press(page, words["continue"])
    assert _refused(page, words, date) == []
    _retype(page, "attribute_collection-day_day", "27")
    _press(page, words["continue"])

    # Where is the bin: longer than a location may be.
    _type(page, "attribute_where", LONG_PLACE)
    _press(page, words["continue"])
    assert _refused(page, words, {"attribute_where": LONG_PLACE}) == []
    _retype(page, "attribute_where", "Outside number 4")
    _press(page, words["continue"])

    _tab_to_input(page, "attribute_problems")
    page.keyboard.press("Space")
    _press(page, words["continue"])
    _type(page, "title", "Blue bin not emptied")
    _press(page, words["continue"])

    # Where is the problem: not a postcode.
    _type(page, "postcode", "NOPE 1")
    _press(page, words["continue"])
    assert _refused(page, words, {"postcode": "NOPE 1"}) == []
    _retype(page, "postcode", "HP20 1AA")
    _press(page, words["continue"])

    # Your details: not an e-mail address; the names typed are kept with it.
    you = {"given_name": "Siân", "family_name": "Jones", "email": "sian at example"}
    for name, text in you.items():
        _type(page, name, text)
    _press(page, words["continue"])
    assert _refused(page, words, you) == []
    _retype(page, "email", "sian@example.com")
    _press(page, words["continue"])

    assert Case.objects.for_organisation(world.organisation).count() == 0
    assert axe_violations(page) == []  # check your answers
    _press(page, words["send"])
    assert page.locator(".govuk-panel__title").inner_text() == words["sent"]
    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.title, case.postcode, case.attributes["bags"]) == (
        "Blue bin not emptied",
        "HP201AA",
        "2",
    )
    assert page.get_by_test_id("reference").inner_text() == case.reference

    # Track it: the postcode given with it is the second detail; a wrong one first.
    page.goto(f"{live_server.url}/o/test-council/track/")  # the cookie keeps the language
    assert axe_violations(page) == []
    tried = {"reference": case.reference, "detail": "HP20 1AB"}
    for name, text in tried.items():
        _type(page, name, text)
    _press(page, words["find"])
    assert _refused(page, words, tried) == []
    _retype(page, "detail", "hp201aa")
    _press(page, words["find"])
    assert page.url == f"{live_server.url}/o/test-council/track/{case.reference}/"
    assert page.get_attribute("html", "lang") == words["lang"]
    assert axe_violations(page) == []

    # Add information: nothing, then too much (pasted), then the words.
    _press(page, words["add"])
    assert _refused(page, words, {"text": ""}) == []
    _tab_to_input(page, "text")
    page.keyboard.insert_text(LONG_ADDITION)
    _press(page, words["add"])
    assert _refused(page, words, {"text": LONG_ADDITION}) == []
    assert CaseNote.objects.for_organisation(world.organisation).count() == 0
    _retype(page, "text", "The bin is by the side gate.")
    _press(page, words["add"])

    assert page.url == f"{live_server.url}/o/test-council/track/{case.reference}/"
    assert page.locator(".govuk-error-summary").count() == 0
    assert "The bin is by the side gate." in page.get_by_test_id("timeline").inner_text()
    assert axe_violations(page) == []
    note = CaseNote.objects.for_organisation(world.organisation).get()
    assert (note.kind, note.text) == (NoteKind.FROM_CUSTOMER, "The bin is by the side gate.")

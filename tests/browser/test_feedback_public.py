"""The public form's question pages in Chromium by keyboard alone (Tab, Space, arrows, Enter),
axe-core (WCAG 2.2 AA) on every page: start, each question, a refused page, "Check your
answers", a change made from it, the confirmation and the equality page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from onestop.feedback.models import Feedback, Kind
from tests.browser.conftest import axe_violations
from tests.feedback.conftest import World, world

__all__ = ["world"]  # the fixture used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, limit: int = 60) -> None:
    for _press in range(limit):
        if _focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id} (at #{_focused_id(page)})")


def _tab_to_text(page: Any, tag: str, text: str, limit: int = 80) -> None:
    for _press in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.tagName + ':' + document.activeElement.textContent.trim()"
        )
        if focused == f"{tag}:{text}":
            return
    raise AssertionError(f"Tab never reached the {tag} {text!r}")


def _continue(page: Any) -> None:
    _tab_to_text(page, "BUTTON", "Continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _heading(page: Any) -> str:
    return str(page.locator("h1").inner_text()).strip()


def test_a_resident_walks_the_question_pages_by_keyboard(
    page: Any, live_server: Any, world: World
) -> None:
    cache.clear()
    base = f"{live_server.url}/feedback/o/{world.organisation.slug}/"
    page.goto(base)
    assert axe_violations(page) == []
    _tab_to_text(page, "A", "Start now")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _heading(page) == "What do you want to tell us?"
    assert axe_violations(page) == []
    _tab_to(page, "id_kind")
    page.keyboard.press("Space")  # a complaint
    _continue(page)
    assert _heading(page) == "What is it about?"
    assert axe_violations(page) == []
    # Continue without an answer: refused, the error summary takes the focus.
    _continue(page)
    assert page.locator(".govuk-error-summary").count() == 1
    assert "Select what it is about" in page.locator(".govuk-error-summary").inner_text()
    assert axe_violations(page) == []
    _tab_to(page, "id_about")
    page.keyboard.press("Space")  # a service
    _continue(page)
    assert _heading(page) == "Which service is it about?"
    assert axe_violations(page) == []
    _tab_to(page, "id_service")
    page.keyboard.press("ArrowDown")  # from None to the first service, Housing
    _continue(page)
    for heading, element_id, text in (
        ("What happened?", "id_what_happened", "The lorry blocked my drive for an hour."),
        ("What would you like us to do?", "id_wanted", "Park somewhere else."),
        ("How can we reply to you?", "id_email", "robin@example.org"),
        ("What is your name?", "id_given_name", "Robin"),
    ):
        assert _heading(page) == heading
        assert axe_violations(page) == []
        _tab_to(page, element_id)
        page.keyboard.type(text)
        if element_id == "id_given_name":
            _tab_to(page, "id_family_name")
            page.keyboard.type("Walker")
        _continue(page)
    assert _heading(page) == "Check your answers before sending"
    assert axe_violations(page) == []
    answers = page.get_by_test_id("answers").inner_text()
    assert "Housing" in answers
    assert "robin@example.org" in answers
    # Change one answer from the check page, and come back to it.
    _tab_to_text(page, "A", "Change what would you like us to do?")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _heading(page) == "What would you like us to do?"
    _tab_to(page, "id_wanted")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Say sorry.")
    _continue(page)
    assert _heading(page) == "Check your answers before sending"
    assert "Say sorry." in page.get_by_test_id("answers").inner_text()
    _tab_to_text(page, "BUTTON", "Send")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    assert (feedback.kind, feedback.service, feedback.wanted) == (
        Kind.COMPLAINT,
        world.housing,
        "Say sorry.",
    )
    assert page.get_by_test_id("reference").inner_text() == feedback.reference
    assert "acknowledge your complaint by" in page.get_by_test_id("deadline").inner_text()
    assert axe_violations(page) == []
    _tab_to_text(page, "A", "Answer the equality questions")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []


def test_the_staff_question_and_a_refused_page_with_several_inputs_have_no_violations(
    page: Any, live_server: Any, world: World
) -> None:
    cache.clear()
    base = f"{live_server.url}/feedback/o/{world.organisation.slug}/"
    page.goto(f"{base}kind/")
    for answer in ("A comment", "A member of staff"):
        page.get_by_label(answer).check()
        page.get_by_role("button", name="Continue").click()
    for heading, element_id, text in (
        ("Which service is it about?", "#id_service", None),
        ("What is the name of the member of staff?", "#id_staff_named", "Sam"),
        ("What happened?", "#id_what_happened", "Sam was kind"),
        ("What would you like us to do?", "#id_wanted", ""),
    ):
        assert _heading(page) == heading
        assert axe_violations(page) == []
        page.locator(element_id).evaluate("(input, text) => { input.value = text ?? '' }", text)
        page.get_by_role("button", name="Continue").click()
    assert _heading(page) == "How can we reply to you?"
    page.locator("#id_email").fill("not an address")
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert page.locator("#id_email").input_value() == "not an address"
    assert axe_violations(page) == []

"""Feedback in Chromium by keyboard alone (Tab, Space, Enter), axe-core (WCAG 2.2 AA) on every
page: an advisor takes a complaint from the customer page; the complaints officer's list and the
record.  The public form's question pages are in ``test_feedback_public.py``."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.feedback.models import Feedback, Kind
from tests.browser.conftest import axe_violations, sign_in_browser
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


def test_an_advisor_takes_a_complaint_from_the_customer_page_by_keyboard(
    page: Any, live_server: Any, world: World
) -> None:
    sign_in_browser(page, live_server.url, world.advisor)
    page.goto(f"{live_server.url}/customers/{world.customer.pk}/")
    _tab_to_text(page, "A", "Record a comment, compliment or complaint")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/feedback/new/for/{world.customer.pk}/"
    assert axe_violations(page) == []
    _tab_to(page, "id_feedback-kind")
    page.keyboard.press("Space")  # complaint
    _tab_to(page, "id_feedback-channel")
    page.keyboard.press("Space")  # face to face
    _tab_to(page, "id_feedback-about")
    page.keyboard.press("Space")  # a service
    _tab_to(page, "id_feedback-what_happened")
    page.keyboard.type("Missed three weeks running.")
    _tab_to_text(page, "BUTTON", "Record")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    assert feedback.customer_id == world.customer.pk
    assert page.url == f"{live_server.url}/customers/{world.customer.pk}/"
    assert feedback.reference in page.content()
    assert axe_violations(page) == []


def test_the_officers_list_and_record_have_no_violations(
    page: Any, live_server: Any, world: World
) -> None:
    from onestop.feedback import services

    feedback = services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=Kind.COMPLAINT, what_happened="Missed bin", service=world.waste
        ),
    )
    sign_in_browser(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/feedback/")
    assert axe_violations(page) == []
    _tab_to_text(page, "A", feedback.reference)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/feedback/{feedback.reference}/"
    assert axe_violations(page) == []
    _tab_to_text(page, "A", "Acknowledge")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []
    _tab_to_text(page, "BUTTON", "Acknowledge and tell the customer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/feedback/{feedback.reference}/"
    assert "Acknowledged" in page.content()

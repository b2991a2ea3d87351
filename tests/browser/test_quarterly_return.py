"""The quarterly return in Chromium by keyboard alone, axe-core (WCAG 2.2 AA) on every page: the
head of service opens the quarter's returns, starts their service's, is refused submitting it
without commentary (the error summary), then writes the commentary and actions and submits it;
the return is then shown locked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from onestop.performance.models import QuarterlyReturn, ReturnStatus
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.browser.test_feedback import _tab_to, _tab_to_text
from tests.performance.returns_world import ReturnWorld, returns_world

__all__ = ["returns_world"]  # the fixture used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(ONESTOP_QUARTERLY_RETURN_REPORTS=("telephony",))
def test_a_head_of_service_completes_the_return_by_keyboard(
    page: Any, live_server: Any, returns_world: ReturnWorld
) -> None:
    sign_in_browser(page, live_server.url, returns_world.head)
    quarter = returns_world.quarter.first.isoformat()
    page.goto(f"{live_server.url}/performance/returns/?quarter={quarter}")
    assert axe_violations(page) == []
    _tab_to_text(page, "A", "Start Customer Services")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []
    _tab_to_text(page, "BUTTON", "Start the return")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []
    assert "0.3333" in page.content()
    _tab_to_text(page, "BUTTON", "Submit the return")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert "Enter your commentary before you submit the return" in summary.inner_text()
    assert axe_violations(page) == []
    _tab_to(page, "id_commentary")
    page.keyboard.type("Answered faster than last quarter.")
    _tab_to(page, "id_actions")
    page.keyboard.type("Hire two advisors")
    page.keyboard.press("Enter")
    page.keyboard.type("Change the message")
    _tab_to_text(page, "BUTTON", "Submit the return")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "It is locked" in page.get_by_test_id("return-status").inner_text()
    assert page.locator("textarea").count() == 0
    assert axe_violations(page) == []
    item = QuarterlyReturn.objects.for_organisation(returns_world.organisation).get()
    assert item.status == ReturnStatus.SUBMITTED
    assert item.commentary == "Answered faster than last quarter."
    assert item.action_lines == ["Hire two advisors", "Change the message"]

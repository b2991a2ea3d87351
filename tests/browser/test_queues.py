"""An officer works their queue with the keyboard alone, and the case pages pass axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.cases import services
from onestop.cases.models import Case, Status
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases import factories
from tests.cases.conftest import World, councillor, world

__all__ = ["councillor", "world"]  # the cases world's fixtures, used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page: Any, script: str, limit: int = 150) -> None:
    """Press Tab until ``script`` (a JS expression over ``el``) is true for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()"):
            return
    raise AssertionError(f"Tab never reached {script}")


def test_an_officer_works_their_queue_with_the_keyboard_only(
    page: Any, live_server: Any, world: World
) -> None:
    case = factories.raise_case(world.organisation, title="Blue bin missed")
    services.assign_case(case, by=None, assignee=world.officer, reason="Round 3")
    sign_in_browser(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/queues/")
    assert axe_violations(page) == []
    _tab_to(page, f"el.textContent.trim() === '{case.reference}'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/cases/{case.reference}/")
    assert axe_violations(page) == []
    _choose_action(page, live_server.url, case, "Change status", "status")
    _tab_to(page, "el.id === 'id_status-status'")
    page.keyboard.press("i")  # "In progress"
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".govuk-notification-banner").wait_for()
    assert page.url == f"{live_server.url}/cases/{case.reference}/"
    assert Case.objects.for_organisation(world.organisation).get(pk=case.pk).status == (
        Status.IN_PROGRESS
    )
    _choose_action(page, live_server.url, case, "Add a note", "notes")
    _tab_to(page, "el.id === 'id_note-text'")
    page.keyboard.type("Crew sent back out")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Crew sent back out" in page.locator(".moj-timeline").inner_text()
    assert axe_violations(page) == []


def _choose_action(page: Any, base: str, case: Case, label: str, tail: str) -> None:
    """From the case page, open the actions' button menu by keyboard, arrow down to the action
    and open its page."""
    _tab_to(page, "el.classList.contains('moj-button-menu__toggle-button')")
    page.keyboard.press("Enter")  # opens the menu on its first action
    for _ in range(20):
        if page.evaluate("document.activeElement.textContent.trim()") == label:
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError(f"The menu has no {label!r}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/cases/{case.reference}/{tail}/"
    assert axe_violations(page) == []


def test_the_raise_form_with_errors_and_the_member_view_have_no_violations(
    page: Any, live_server: Any, world: World, councillor: Any
) -> None:
    sign_in_browser(page, live_server.url, world.officer)
    page.goto(f"{live_server.url}/queues/?mine=on")
    assert axe_violations(page) == []
    sign_in_browser(page, live_server.url, councillor)
    page.goto(f"{live_server.url}/cases/new/")
    page.locator("form button[type='submit']").last.click()
    page.locator(".govuk-error-summary").wait_for()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/enquiries/")
    assert axe_violations(page) == []

"""The staff shell and public pages in a real browser: accessible and usable from the keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.core.models import User
from tests.browser.conftest import axe_violations, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_has_no_accessibility_violations(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    assert axe_violations(page) == []


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")


def test_the_staff_shell_shows_the_user_and_organisation(
    page: Any, live_server: Any, administrator: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/")
    identity = page.get_by_test_id("identity-bar").inner_text()
    assert "Alex" in identity
    assert "Test District Council" in identity
    navigation = page.locator("#navigation a").all_inner_texts()
    assert navigation == [
        "Directory",
        "Standards",
        "Case types",
        "Online forms",
        "Mailboxes",
        "Audit trail",
    ]
    assert axe_violations(page) == []


def test_the_not_found_page_is_accessible(page: Any, live_server: Any, advisor: User) -> None:
    sign_in_browser(page, live_server.url, advisor)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert axe_violations(page) == []

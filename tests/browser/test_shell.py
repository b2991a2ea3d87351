"""The staff shell and public pages in a real browser: accessible and usable from the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onestop.core.models import User
from tests.browser.conftest import axe_violations, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_has_no_accessibility_violations(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    assert axe_violations(page) == []


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/sign-in/", wait_until="load")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    # The browser moves to the fragment after the key press: wait for it rather than race it.
    expect(page).to_have_url(re.compile(r"#main-content$"))


def test_the_staff_shell_shows_the_user_and_organisation(
    page: Any, live_server: Any, administrator: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/staff/")
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
        "Call records",
        "Complaints procedure",
        "Audit trail",
    ]
    assert axe_violations(page) == []


def test_the_not_found_page_is_accessible(page: Any, live_server: Any, advisor: User) -> None:
    sign_in_browser(page, live_server.url, advisor)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert axe_violations(page) == []

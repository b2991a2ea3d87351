"""Staff pages in a real browser: signing in with the keyboard alone, and every main page of the
demo council free of WCAG 2.2 AA violations (axe-core)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core.models import User
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_a_member_of_staff_signs_in_with_two_factors_using_only_the_keyboard(
    page: Any, live_server: Any, advisor: User
) -> None:
    page.goto(f"{live_server.url}/directory/")
    assert page.url == f"{live_server.url}/sign-in/?next=%2Fdirectory%2F"
    assert axe_violations(page) == []
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the organisation name link in the header
    page.locator("#id_username").focus()
    page.keyboard.type("advisor")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/sign-in/code/**")
    assert axe_violations(page) == []
    page.locator("input[name='code']").focus()
    page.keyboard.type(_current_code(advisor))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/directory/")
    assert page.locator("h1").inner_text() == "Directory"


def test_a_wrong_code_is_announced_in_an_error_summary(
    page: Any, live_server: Any, advisor: User
) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", "advisor")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/sign-in/code/**")
    page.fill("input[name='code']", "000000")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert summary.is_visible()
    assert page.title() == "Error: Enter your security code \u2013 OneStop"
    assert axe_violations(page) == []


@pytest.fixture
def demo_admin(transactional_db: None) -> User:
    call_command("demo", stdout=StringIO())
    return User.objects.get(username="admin@demo-council")


STAFF_PAGES = [
    "/staff/",
    "/directory/",
    "/directory/services/",
    "/directory/services/new/",
    "/directory/teams/",
    "/directory/staff/",
    "/directory/staff/new/",
    "/account/password/",
    "/directory/access-points/",
    "/directory/organisation/edit/",
    "/standards/",
    "/standards/calendar/",
    "/standards/when-due/",
    "/audit/",
]


def test_the_demo_councils_staff_pages_have_no_accessibility_violations(
    page: Any, live_server: Any, demo_admin: User
) -> None:
    """Every page of ``STAFF_PAGES``, then an access point with its hours, a form with errors and
    a standard with its forms, on one loaded demo (a browser test flushes the database after
    itself, so each test would load the demo again); every page's answer and violations are
    gathered before the one assertion, so a failure names every page that failed."""
    sign_in_browser(page, live_server.url, demo_admin)
    found: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for path in STAFF_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        found[path] = (response.status, axe_violations(page))

    page.goto(f"{live_server.url}/directory/access-points/")
    page.get_by_role("link", name="Customer Service Centre").first.click()
    assert page.locator("table").count() >= 1
    found["an access point with its hours"] = (200, axe_violations(page))

    page.goto(f"{live_server.url}/directory/services/new/")
    page.locator("form button[type='submit']").last.click()
    page.locator(".govuk-error-summary").wait_for()
    found["a form with errors"] = (200, axe_violations(page))

    page.goto(f"{live_server.url}/standards/")
    page.locator("table a.govuk-link").first.click()
    page.locator("h2", has_text="Change this standard").wait_for()
    found["a standard with its forms"] = (200, axe_violations(page))

    assert found == {name: (200, []) for name in found}
    assert len(found) == len(STAFF_PAGES) + 3

"""First-day defects seen in a real browser (issue 13): the API documentation renders under the
content security policy, no page breaks the policy (htmx injects no style), and the identity
bar's "Change password" link can be seen and clicked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from onestop.core.models import User
from tests.browser.conftest import sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strict_page(chromium: Any) -> Iterator[Any]:
    """A page that enforces the content security policy, collecting console errors."""
    context = chromium.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    yield page
    context.close()


def test_the_api_documentation_renders_from_our_own_static_files(
    strict_page: Any, live_server: Any
) -> None:
    requested: list[str] = []
    strict_page.on("request", lambda request: requested.append(request.url))
    strict_page.goto(f"{live_server.url}/api/v1/docs", wait_until="networkidle")
    strict_page.locator(".swagger-ui .info .title").wait_for()
    assert "OneStop" in strict_page.locator(".swagger-ui .info .title").inner_text()
    assert strict_page.locator(".opblock").count() > 10
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert [error for error in strict_page.console_errors if "Content Security" in error] == []


@pytest.mark.parametrize("path", ["/staff/", "/customers/new/", "/desk/", "/queues/"])
def test_staff_pages_break_no_content_security_rule(
    strict_page: Any, live_server: Any, team_leader: User, path: str
) -> None:
    sign_in_browser(strict_page, live_server.url, team_leader)
    strict_page.goto(f"{live_server.url}{path}", wait_until="networkidle")
    assert strict_page.locator("meta[name=htmx-config]").count() == 1
    assert strict_page.console_errors == []


def test_the_change_password_link_can_be_seen_and_followed(
    strict_page: Any, live_server: Any, advisor: User
) -> None:
    sign_in_browser(strict_page, live_server.url, advisor)
    strict_page.goto(f"{live_server.url}/staff/")
    link = strict_page.get_by_role("link", name="Change password")
    box = link.bounding_box()
    assert box is not None
    assert box["width"] > 50
    assert box["height"] > 10
    assert float(link.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")) >= 14
    link.click()
    strict_page.wait_for_url(f"{live_server.url}/account/password/")

"""Real-browser fixtures: Debian's Chromium driven by Playwright, with axe-core for accessibility.

Chromium comes from Debian (``/usr/bin/chromium``), never from a browser download.  Without it,
browser tests are skipped with the reason, except under ``make ci`` (``ONESTOP_REQUIRE_BROWSER=1``)
where a missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("ONESTOP_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in the test's thread; the Django calls the tests make
# from that thread (fixtures, assertions on the database) are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core not installed (npm ci)"
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("ONESTOP_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@contextmanager
def browser_page(chromium: Any) -> Iterator[Any]:
    """A page in a browser context of its own (its own cookies: one person signed in), closed
    afterwards; the ``page`` fixture's, for a test that signs several people in in turn."""
    # bypass_csp lets the test inject axe-core; the CSP itself is asserted on responses.
    context = chromium.new_context(locale="en-GB", timezone_id="Europe/London", bypass_csp=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
    finally:
        context.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    with browser_page(chromium) as page:
        yield page


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page with the WCAG 2.2 AA tags; return the violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in result["violations"]
    ]


def sign_in_browser(page: Any, live_server_url: str, user: Any) -> None:
    """Give the browser a verified staff session for ``user`` (the sign-in flow itself has its
    own browser test)."""
    from django.conf import settings
    from django.test import Client

    from tests.factories import sign_in_verified

    client = Client()
    sign_in_verified(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server_url}]
    )

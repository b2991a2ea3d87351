"""The performance dashboard and the public performance page in Chromium, by keyboard alone,
axe-core (WCAG 2.2 AA) on every page: a manager chooses March 2026 with the selects, reads the
compliance chart and table, opens the compliance report's own page and follows a figure to its
cases; a resident reads the public page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, sign_in_browser
from tests.browser.test_feedback import _tab_to, _tab_to_text
from tests.cases.conftest import World, world
from tests.performance import standards_story

__all__ = ["world"]  # the fixture used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_by_keyboard(page: Any, live_server: Any, world: World) -> None:
    standards_story.tell(world)
    sign_in_browser(page, live_server.url, world.head)
    page.goto(f"{live_server.url}/performance/")
    assert axe_violations(page) == []
    _tab_to(page, "id_kind")
    page.keyboard.press("Tab")
    _tab_to(page, "id_month")
    page.select_option("#id_month", "3")
    _tab_to(page, "id_year")
    page.keyboard.press("Control+A")
    page.keyboard.type("2026")
    _tab_to_text(page, "BUTTON", "Show the figures")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "From 1 March 2026 to 31 March 2026" in page.get_by_test_id("period").inner_text()
    chart = page.locator('[data-testid="chart-dashboard-compliance"] svg[role="img"]')
    assert chart.count() == 1
    assert page.locator('[data-testid="headlines"]').count() == 1
    assert axe_violations(page) == []
    # The report's full tables are on its own page, reached from the dashboard.
    report = page.locator('[data-testid="reports"] a[href*="/report/standards-compliance/"]')
    _tab_to_href(page, report.get_attribute("href"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []
    met = page.locator('[data-testid="table-standards-compliance-0"] a[href*="figure=met"]').first
    _tab_to_href(page, met.get_attribute("href"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_test_id("records-summary").get_attribute("data-counted") == "1"
    assert axe_violations(page) == []


def _tab_to_href(page: Any, href: str | None) -> None:
    assert href
    for _press in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            return
    raise AssertionError(f"Tab never reached {href}")  # pragma: no cover - explains itself


def test_a_bad_year_is_refused_accessibly(page: Any, live_server: Any, world: World) -> None:
    sign_in_browser(page, live_server.url, world.head)
    page.goto(f"{live_server.url}/performance/?kind=month&month=3&year=1066")
    assert "govuk-error-summary" in page.content()
    assert axe_violations(page) == []


def test_the_public_page(page: Any, live_server: Any, world: World) -> None:
    standards_story.tell(world)
    page.goto(f"{live_server.url}/performance/{world.organisation.slug}/")
    assert "against its service standards" in page.locator("h1").inner_text()
    assert axe_violations(page) == []

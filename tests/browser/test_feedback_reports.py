"""The complaint reports in Chromium by keyboard alone, axe-core (WCAG 2.2 AA) on every page:
the complaints officer opens the monthly analysis, chooses May 2026, reads a figure and follows
it to the records it counts; a period that ends before it starts is refused accessibly."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, sign_in_browser
from tests.browser.test_feedback import _focused_id, _tab_to, _tab_to_text
from tests.feedback.conftest import world
from tests.feedback.test_reports import Month, month

__all__ = ["month", "world"]  # the fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type_date(page: Any, name: str, day: str, month_number: str, year: str) -> None:
    for part, text in (("day", day), ("month", month_number), ("year", year)):
        _tab_to(page, f"id_{name}_{part}")
        page.keyboard.press("Control+A")
        page.keyboard.type(text)


def _choose_may(page: Any) -> None:
    _type_date(page, "start", "1", "5", "2026")
    _type_date(page, "end", "31", "5", "2026")


def test_the_monthly_analysis_by_keyboard(page: Any, live_server: Any, month: Month) -> None:
    sign_in_browser(page, live_server.url, month.world.officer)
    page.goto(f"{live_server.url}/feedback/reports/")
    assert axe_violations(page) == []
    _tab_to_text(page, "A", "Monthly complaint analysis")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _choose_may(page)
    _tab_to_text(page, "BUTTON", "Show the report")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "From 1 May 2026 to 31 May 2026" in page.get_by_test_id("report-scope").inner_text()
    assert axe_violations(page) == []
    late = page.locator('[data-testid="table-timeliness"] td[data-measure="stage-in-time:1"] a')
    assert late.inner_text() == "3"
    # Tab to that figure's link (the first "3" of the page may be another figure: find it by
    # where it points).
    href = late.get_attribute("href")
    assert href is not None
    for _press in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == href:
            break
    else:  # pragma: no cover - the assertion explains
        raise AssertionError(f"Tab never reached the figure (at #{_focused_id(page)})")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_test_id("drill-list").get_attribute("data-listed") == "3"
    assert page.locator('[data-testid="drill-list"] tbody tr').count() == 3
    references = page.get_by_test_id("drill-list").inner_text()
    for key in ("a", "b", "c"):
        assert month.made[key].reference in references
    assert axe_violations(page) == []


def test_a_period_ending_before_it_starts_is_refused_accessibly(
    page: Any, live_server: Any, month: Month
) -> None:
    sign_in_browser(page, live_server.url, month.world.officer)
    page.goto(f"{live_server.url}/feedback/reports/complaints-annual/")
    _type_date(page, "start", "31", "5", "2026")
    _type_date(page, "end", "1", "5", "2026")
    _tab_to_text(page, "BUTTON", "Show the report")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert "The last day must be the same as or after the first day." in summary.inner_text()
    assert page.locator('[data-testid="table-stages"]').count() == 0
    assert axe_violations(page) == []

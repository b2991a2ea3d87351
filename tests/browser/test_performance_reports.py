"""The performance reports page in Chromium by keyboard alone, axe-core (WCAG 2.2 AA) on every
page: a team leader asks for a period that ends before it starts and is refused accessibly,
corrects it, writes the volumes report, finds it in the list, and opens the records behind a
figure."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.core.models import Organisation, User
from onestop.performance.models import ReportFile
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.browser.test_feedback import _tab_to, _tab_to_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type(page: Any, element_id: str, text: str) -> None:
    _tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_write_a_report_by_keyboard(
    page: Any, live_server: Any, council: Organisation, team_leader: User
) -> None:
    sign_in_browser(page, live_server.url, team_leader)
    page.goto(f"{live_server.url}/performance/reports/")
    assert page.get_by_test_id("no-report-files").count() == 1
    assert axe_violations(page) == []
    _type(page, "id_start_day", "30")
    _type(page, "id_end_day", "1")
    _tab_to_text(page, "BUTTON", "Write the report")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert "The last day must be the same as or after the first day." in summary.inner_text()
    assert page.title().startswith("Error:")
    assert page.locator("#id_start_day").input_value() == "30"  # what was typed is kept
    assert axe_violations(page) == []
    _type(page, "id_start_day", "1")
    _type(page, "id_end_day", "30")
    _tab_to_text(page, "BUTTON", "Write the report")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    kept = ReportFile.objects.for_organisation(council).get()
    assert kept.file_name in page.get_by_test_id("report-files").inner_text()
    assert "is written" in page.locator(".govuk-notification-banner").inner_text()
    assert axe_violations(page) == []
    page.goto(
        f"{live_server.url}/performance/records/volumes/?from={kept.first_day}&to={kept.last_day}"
        "&dimension=organisation&value=x&measure=contacts"
    )
    assert page.get_by_test_id("records-summary").count() == 1
    assert axe_violations(page) == []

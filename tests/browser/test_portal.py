"""A resident reports a missed bin with the keyboard alone (Tab, Space, Enter) and sees the
panel with the reference; the list, the form, its error state and the confirmation pass
axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from onestop.cases.models import Case, Source
from onestop.core.models import User
from onestop.portal.models import WebForm
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases.conftest import World, world
from tests.portal.conftest import missed_bins_online

__all__ = ["missed_bins_online", "world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("ONESTOP_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element with ``element_id`` has the focus."""
    for _press in range(limit):
        if _focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id} (at #{_focused_id(page)})")


def _tab_to_button(page: Any, label: str, limit: int = 60) -> None:
    for _press in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.tagName + ':' + document.activeElement.textContent.trim()"
        )
        if focused == f"BUTTON:{label}":
            return
    raise AssertionError(f"Tab never reached the {label} button")


def test_a_resident_reports_a_missed_bin_with_the_keyboard_only(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    page.goto(f"{live_server.url}/report/test-council/")
    assert axe_violations(page) == []
    link = page.get_by_role("link", name="Missed bin")
    for _press in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Missed bin":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert link.count() == 0
    assert page.url == f"{live_server.url}/report/test-council/missed-bin/"
    assert axe_violations(page) == []

    _tab_to(page, "id_attribute_bin")
    page.keyboard.press("Space")  # the first bin: blue
    for element_id, text in (
        ("id_title", "Blue bin not emptied"),
        ("id_postcode", "HP20 1AA"),
        ("id_given_name", "Sam"),
        ("id_family_name", "Resident"),
        ("id_email", "sam@example.com"),
    ):
        _tab_to(page, element_id)
        page.keyboard.type(text)
    _shot(page, "portal-form")
    _tab_to_button(page, "Send report")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.source, case.attributes, case.team) == (
        Source.WEB,
        {"bin": "blue"},
        world.town_crews,
    )
    assert page.url == f"{live_server.url}/report/test-council/done/{case.reference}/"
    assert page.locator(".govuk-panel__title").inner_text() == "Report sent"
    assert page.get_by_test_id("reference").inner_text() == case.reference
    assert page.get_by_test_id("deadline").inner_text().startswith("We will reply by ")
    _shot(page, "portal-done")
    assert axe_violations(page) == []


def test_the_form_with_errors_has_no_violations_and_keeps_what_was_typed(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    page.goto(f"{live_server.url}/report/test-council/missed-bin/")
    page.locator("#id_title").fill("<script>alert(1)</script>")
    page.locator("#id_email").fill("not an address")
    page.get_by_role("button", name="Send report").click()
    page.locator(".govuk-error-summary").wait_for()
    _shot(page, "portal-errors")

    assert page.locator(".govuk-error-summary__list li").count() == 3  # bin, postcode, e-mail
    # The summary follows the page: the question first, as a screen reader meets them.
    links = page.locator(".govuk-error-summary__list a")
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    assert hrefs == ["#id_attribute_bin", "#id_postcode", "#id_email"]
    in_page_order = page.evaluate(
        """hrefs => hrefs.map(h => document.querySelector(h)).every((el, i, all) => i === 0
            || (all[i - 1].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING))""",
        hrefs,
    )
    assert in_page_order is True
    assert page.locator("#id_title").input_value() == "<script>alert(1)</script>"
    assert page.locator("#id_email").input_value() == "not an address"
    assert axe_violations(page) == []
    assert Case.objects.for_organisation(world.organisation).count() == 0


def test_the_staff_online_forms_pages_have_no_violations(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm, administrator: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/report-forms/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Change Missed bin").click()
    page.locator("#id_position").fill("0")
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    _shot(page, "portal-staff-errors")
    assert axe_violations(page) == []

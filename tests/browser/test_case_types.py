"""An administrator adds a case type with the keyboard alone; the case-type pages and the raise
form's GOV.UK checkboxes and radios pass axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from onestop.cases.models import CaseType
from onestop.core.models import User
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases.conftest import World, world

__all__ = ["world"]  # the cases world's fixture, used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("ONESTOP_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_an_administrator_adds_a_case_type_with_the_keyboard_only(
    page: Any, live_server: Any, world: World, administrator: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/case-types/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Add a case type").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/case-types/new/")
    assert axe_violations(page) == []
    page.locator("#id_name").focus()
    page.keyboard.type("Pothole")
    page.keyboard.press("Tab")  # the name in Welsh, beside the English
    page.keyboard.type("Twll yn y ffordd")
    page.keyboard.press("Tab")
    page.keyboard.type("pothole")
    page.keyboard.press("Tab")  # the first kind: service request
    page.keyboard.press("Space")
    page.locator("#id_service").select_option(label="Waste and Recycling")
    page.locator("#id_default_team").select_option(label="Collection crews")
    page.locator("#id_primary_standard").select_option("answer-letters")
    page.locator("#id_question_0_label").fill("Which side of the road")
    page.locator("#id_question_0_kind").select_option("multiple-choice")
    page.locator("#id_question_0_choices").fill("Left\nRight")
    page.locator("#id_question_0_required").check()
    _shot(page, "case-type-form")
    page.locator("#id_question_0_code").focus()  # left empty: made from the question
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/case-types/"
    pothole = CaseType.objects.for_organisation(world.organisation).get(code="pothole")
    assert (pothole.name, pothole.name_cy) == ("Pothole", "Twll yn y ffordd")
    assert pothole.attributes[0]["choices"] == ["Left", "Right"]
    assert axe_violations(page) == []


def test_the_edit_page_with_errors_and_the_raise_forms_choices_have_no_violations(
    page: Any, live_server: Any, world: World, administrator: User, advisor: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/case-types/{world.missed_bin.pk}/")
    assert axe_violations(page) == []
    page.locator("#id_name").fill("")
    page.locator("form button[type='submit']").last.click()
    page.locator(".govuk-error-summary").wait_for()
    assert axe_violations(page) == []
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/cases/new/?type=missed-bin")
    page.locator("form button[type='submit']").last.click()
    page.locator(".govuk-error-summary").wait_for()
    _shot(page, "raise-form-errors")
    assert page.locator(".govuk-checkboxes__input").count() == 2
    assert page.locator(".govuk-radios__input").count() == 3
    assert axe_violations(page) == []

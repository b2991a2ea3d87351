"""A resident reports a missed bin one thing per page, in English and in Welsh, with the keyboard
(Enter on links and buttons, Space on choices, typing in boxes): the toggle, every page, an
error state and the check page pass axe-core (WCAG 2.2 AA) in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.cases.models import Case, CaseType
from onestop.core.models import Organisation
from onestop.customers.models import Language
from onestop.portal import services
from onestop.portal.models import Layout, WebForm
from tests.browser.conftest import axe_violations
from tests.cases.conftest import World, world

__all__ = ["world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = services.WebFormWords(
    guidance_cy="Gadewch y bin allan nes i ni ei gasglu.",
    questions_cy={
        "bin": {"label": "Pa fin", "choices": ["Glas", "Gwyrdd", "Du"]},
        "bags": {"label": "Bagiau ychwanegol", "choices": []},
        "collection-day": {"label": "Diwrnod casglu", "choices": []},
        "where": {"label": "Ble mae’r bin", "choices": []},
        "problems": {"label": "Problemau", "choices": ["Heb ei wagio", "Wedi’i ddifrodi"]},
    },
)
# language -> the words the journey looks for
TEXT = {
    "en": {
        "form": "Missed bin",
        "start": "Start now",
        "continue": "Continue",
        "send": "Send report",
        "problem": "There is a problem",
        "check": "Check your answers before sending your report",
        "sent": "Report sent",
    },
    "cy": {
        "form": "Bin heb ei gasglu",
        "start": "Dechrau nawr",
        "continue": "Parhau",
        "send": "Anfon adroddiad",
        "problem": "Mae problem wedi codi",
        "check": "Gwirio’ch atebion cyn anfon eich adroddiad",
        "sent": "Adroddiad wedi’i anfon",
    },
}


@pytest.fixture
def welsh_missed_bins(world: World) -> WebForm:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    CaseType.objects.unscoped("test: the Welsh name").filter(pk=world.missed_bin.pk).update(
        name_cy="Bin heb ei gasglu"
    )
    world.missed_bin.refresh_from_db()
    return services.save_web_form(
        world.missed_bin,
        by=None,
        is_published=True,
        guidance="Leave the bin out until we collect it.",
        position=10,
        words=WORDS,
        layout=Layout.AUTOMATIC,  # five questions: one thing per page
    )


def _focus_and_enter(page: Any, locator: Any) -> None:
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _type_into(page: Any, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def _continue(page: Any, words: dict[str, str]) -> None:
    _focus_and_enter(page, page.get_by_role("button", name=words["continue"]))


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_resident_reports_a_missed_bin_one_thing_per_page(
    page: Any, live_server: Any, world: World, welsh_missed_bins: WebForm, language: str
) -> None:
    words = TEXT[language]
    page.goto(f"{live_server.url}/report/test-council/")
    assert page.get_attribute("html", "lang") == "en"
    assert axe_violations(page) == []
    if language == "cy":
        _focus_and_enter(page, page.get_by_test_id("language-toggle").get_by_role("link"))
        assert page.get_attribute("html", "lang") == "cy"
        assert axe_violations(page) == []

    _focus_and_enter(page, page.get_by_role("link", name=words["form"]))
    assert page.locator("h1").inner_text() == words["form"]
    assert axe_violations(page) == []
    _focus_and_enter(page, page.get_by_role("button", name=words["start"]))

    # Which bin: sent empty first, the error state checked, then answered with Space.
    _continue(page, words)
    assert page.locator(".govuk-error-summary__title").inner_text() == words["problem"]
    assert axe_violations(page) == []
    page.locator("#id_attribute_bin").focus()
    page.keyboard.press("Space")
    _continue(page, words)
    _type_into(page, "#id_attribute_bags", "2")
    _continue(page, words)
    _type_into(page, '[name="attribute_collection-day_day"]', "27")
    _type_into(page, '[name="attribute_collection-day_month"]', "2")
    _type_into(page, '[name="attribute_collection-day_year"]', "2026")
    assert axe_violations(page) == []
    _continue(page, words)
    _type_into(page, "#id_attribute_where", "Outside number 4")
    _continue(page, words)
    page.locator("#id_attribute_problems").focus()
    page.keyboard.press("Space")
    _continue(page, words)
    _type_into(page, "#id_title", "Blue bin not emptied")
    _continue(page, words)
    # A postcode that is not one: the error, and what was typed kept.
    _type_into(page, "#id_postcode", "NOPE 1")
    _continue(page, words)
    assert page.locator("#id_postcode").input_value() == "NOPE 1"
    assert page.locator(".govuk-error-summary").count() == 1
    assert axe_violations(page) == []
    page.locator("#id_postcode").fill("")
    _type_into(page, "#id_postcode", "HP20 1AA")
    _continue(page, words)
    _type_into(page, "#id_given_name", "Siân")
    _type_into(page, "#id_family_name", "Jones")
    _type_into(page, "#id_email", "sian@example.com")
    assert axe_violations(page) == []
    _continue(page, words)

    assert page.locator("h1").inner_text() == words["check"]
    assert axe_violations(page) == []
    _focus_and_enter(page, page.get_by_role("button", name=words["send"]))

    case = Case.objects.for_organisation(world.organisation).get()
    assert case.attributes["bin"] == "blue"
    assert case.attributes["problems"] == ["not-emptied"]
    assert case.customer is not None
    assert case.customer.language == (Language.WELSH if language == "cy" else Language.ENGLISH)
    assert page.locator(".govuk-panel__title").inner_text() == words["sent"]
    assert page.get_by_test_id("reference").inner_text() == case.reference
    assert page.get_attribute("html", "lang") == language
    assert axe_violations(page) == []

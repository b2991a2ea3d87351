"""Issue 18's "Your requests" in a real browser, in English and in Welsh, with the keyboard
alone: asking for a link (its error state keeps what was typed), "Check your email", the sign-in
page, the list, one request, the contact preferences and the list after saving them all pass
axe-core (WCAG 2.2 AA); the preferences are chosen with the arrow keys and Space and saved with
Enter, and the customer record holds them afterwards."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onestop.cases.models import Case
from onestop.core.models import Organisation
from onestop.customers.models import Customer, Format, PreferredChannel
from onestop.notify import sealing
from onestop.notify.models import Event, Message
from onestop.portal import services
from onestop.portal.models import WebForm
from tests.browser.conftest import axe_violations
from tests.browser.test_portal import _focused_id, _tab_to, _tab_to_button
from tests.cases.conftest import World, world
from tests.portal.conftest import missed_bins_online

__all__ = ["missed_bins_online", "world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# language -> the words the journey looks for
TEXT = {
    "en": {
        "ask": "Send me a link",
        "sent": "Check your email",
        "sign_in_title": "Sign in to see your requests",
        "sign_in": "Sign in",
        "list": "Your requests",
        "preferences_link": "Change how we contact you",
        "preferences": "How we contact you",
        "save": "Save",
        "saved": "Your contact preferences are saved",
        "sign_out": "Sign out",
    },
    "cy": {
        "ask": "Anfon dolen ataf",
        "sent": "Gwiriwch eich e-bost",
        "sign_in_title": "Mewngofnodi i weld eich ceisiadau",
        "sign_in": "Mewngofnodi",
        "list": "Eich ceisiadau",
        "preferences_link": "Newid sut rydym yn cysylltu â chi",
        "preferences": "Sut rydym yn cysylltu â chi",
        "save": "Cadw",
        "saved": "Mae eich dewisiadau cyswllt wedi’u cadw",
        "sign_out": "Allgofnodi",
    },
}


@pytest.fixture
def reported(world: World, missed_bins_online: WebForm) -> Case:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    return services.submit_report(
        missed_bins_online,
        report=services.Report(
            answers={"bin": "blue"},
            title="Blue bin not emptied",
            postcode="HP20 1AA",
            given_name="Siân",
            family_name="Jones",
            email="sian@example.com",
            phone="",
        ),
    )


def _type_into(page: Any, element_id: str, text: str) -> None:
    _tab_to(page, element_id)
    page.keyboard.type(text)


def _press_button(page: Any, label: str) -> None:
    _tab_to_button(page, label)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _follow_link(page: Any, name: str, limit: int = 80) -> None:
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"Tab never reached the link {name!r}")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_your_requests_in_both_languages_by_keyboard_with_preferences_saved(
    page: Any, live_server: Any, world: World, reported: Case, language: str
) -> None:
    words = TEXT[language]
    start = f"{live_server.url}/o/test-council/your-requests/"
    page.goto(f"{start}?lang={language}")
    assert page.get_attribute("html", "lang") == ("cy" if language == "cy" else "en")
    assert axe_violations(page) == []

    # Not an address: the error summary, what was typed kept.
    _type_into(page, "id_email", "sian at example")
    _press_button(page, words["ask"])
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.locator("#id_email").input_value() == "sian at example"
    assert axe_violations(page) == []
    page.locator("#id_email").fill("")
    _type_into(page, "id_email", "sian@example.com")
    _press_button(page, words["ask"])
    assert page.url == f"{start}sent/"
    assert page.locator("h1").inner_text() == words["sent"]
    assert axe_violations(page) == []

    message = Message.objects.for_organisation(world.organisation).get(event=Event.SIGN_IN_LINK)
    found = re.search(
        r"(/o/test-council/your-requests/sign-in/\?token=\S+)", sealing.opened(message).body
    )
    assert found is not None
    page.goto(f"{live_server.url}{found.group(1)}")
    assert page.locator("h1").inner_text() == words["sign_in_title"]
    assert axe_violations(page) == []
    _press_button(page, words["sign_in"])

    assert page.url == start
    assert page.locator("h1").inner_text() == words["list"]
    assert page.get_by_test_id("requests").locator("tbody tr").count() == 1
    assert reported.reference in page.get_by_test_id("requests").inner_text()
    assert axe_violations(page) == []
    _follow_link(page, reported.reference)
    assert page.url == f"{start}{reported.reference}/"
    assert axe_violations(page) == []

    page.goto(start)
    _follow_link(page, words["preferences_link"])
    assert page.url == f"{start}preferences/"
    assert page.locator("h1").inner_text() == words["preferences"]
    assert axe_violations(page) == []
    # A radio group is one Tab stop: the arrow keys choose within it, Space ticks a box.
    customer = Customer.objects.for_organisation(world.organisation).get()
    assert (
        customer.preferred_channel,
        customer.consents_to_email_updates,
        customer.format,
    ) == (PreferredChannel.EMAIL, False, Format.STANDARD)  # as the report left it
    _tab_to(page, "id_preferred_channel_2")  # Email, the record's choice
    page.keyboard.press("ArrowDown")  # Text message
    assert _focused_id(page) == "id_preferred_channel_3"
    _tab_to(page, "id_consents_to_email_updates")
    page.keyboard.press("Space")
    _tab_to(page, "id_format")  # "Standard print"
    page.keyboard.press("ArrowDown")  # Large print
    _press_button(page, words["save"])

    assert page.url == start
    assert words["saved"] in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_attribute("html", "lang") == ("cy" if language == "cy" else "en")
    assert axe_violations(page) == []
    customer.refresh_from_db()
    assert (
        customer.preferred_channel,
        customer.consents_to_email_updates,
        customer.format,
    ) == (PreferredChannel.SMS, True, Format.LARGE_PRINT)

    _press_button(page, words["sign_out"])
    assert page.locator("#id_email").count() == 1

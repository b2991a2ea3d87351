"""Issue 18 part B in a real browser: a resident reports a missed bin through the existing form,
tracks it with the reference and their e-mail address, and adds information, with the keyboard
alone; the track page's error state, the request page, "Your requests" (start, error, empty
list) and a used link pass axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onestop.cases.models import Case, CaseNote, NoteKind
from onestop.notify import sealing
from onestop.notify.models import Event, Message
from onestop.portal.models import WebForm
from tests.browser.conftest import axe_violations
from tests.browser.test_portal import _focused_id, _tab_to, _tab_to_button
from tests.browser.test_portal_start import _tab_to_link
from tests.cases.conftest import World, world
from tests.portal.conftest import missed_bins_online

__all__ = ["missed_bins_online", "world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type_into(page: Any, element_id: str, text: str) -> None:
    _tab_to(page, element_id)
    page.keyboard.type(text)


def _press_button(page: Any, label: str) -> None:
    _tab_to_button(page, label)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_resident_reports_tracks_and_adds_information_with_the_keyboard_only(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    page.goto(f"{live_server.url}/report/test-council/missed-bin/")
    _tab_to(page, "id_attribute_bin")
    page.keyboard.press("Space")
    for element_id, text in (
        ("id_title", "Blue bin not emptied"),
        ("id_postcode", "HP20 1AA"),
        ("id_given_name", "Sam"),
        ("id_family_name", "Resident"),
        ("id_email", "sam@example.com"),
    ):
        _type_into(page, element_id, text)
    _press_button(page, "Send report")
    reference = page.get_by_test_id("reference").inner_text()
    case = Case.objects.for_organisation(world.organisation).get()
    assert reference == case.reference

    # Track it: first with a wrong detail (the error state), then with the right one.
    page.goto(f"{live_server.url}/o/test-council/track/")
    assert axe_violations(page) == []
    _type_into(page, "id_reference", reference)
    _type_into(page, "id_detail", "someone@example.com")
    _press_button(page, "Find my request")
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.locator("#id_reference").input_value() == reference
    assert page.locator("#id_detail").input_value() == "someone@example.com"
    assert axe_violations(page) == []
    # The error summary takes the focus; the resident corrects the detail.
    page.locator("#id_detail").fill("")
    _type_into(page, "id_detail", "SAM@example.com")
    _press_button(page, "Find my request")

    assert page.url == f"{live_server.url}/o/test-council/track/{reference}/"
    assert page.get_by_test_id("status").inner_text() == "Received"
    assert page.get_by_test_id("deadline").inner_text().startswith("We will reply by ")
    assert axe_violations(page) == []

    # Add information: an empty form first (the error state), then the words.
    _press_button(page, "Send information")
    assert page.locator(".govuk-error-summary").count() == 1
    assert axe_violations(page) == []
    _type_into(page, "id_text", "The bin is by the side gate.")
    _press_button(page, "Send information")

    assert page.url == f"{live_server.url}/o/test-council/track/{reference}/"
    assert "We have added your information" in page.content()
    assert "The bin is by the side gate." in page.get_by_test_id("timeline").inner_text()
    assert axe_violations(page) == []
    note = CaseNote.objects.for_organisation(world.organisation).get(kind=NoteKind.FROM_CUSTOMER)
    assert note.text == "The bin is by the side gate."
    assert _focused_id(page) is not None


def test_your_requests_pages_have_no_violations_in_error_and_empty_states(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    start = f"{live_server.url}/o/test-council/your-requests/"
    page.goto(start)
    assert axe_violations(page) == []
    _type_into(page, "id_email", "not an address")
    _press_button(page, "Send me a link")
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.locator("#id_email").input_value() == "not an address"
    assert axe_violations(page) == []

    # A used or unknown link.
    page.goto(f"{start}sign-in/?token=nothing")
    assert axe_violations(page) == []
    _press_button(page, "Sign in")
    assert page.locator("h1").inner_text() == "This link does not work"
    assert axe_violations(page) == []


def test_a_resident_signs_in_with_the_link_and_sees_their_requests(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    page.goto(f"{live_server.url}/report/test-council/missed-bin/")
    page.locator("#id_attribute_bin").check()
    page.locator("#id_title").fill("Blue bin not emptied")
    page.locator("#id_postcode").fill("HP20 1AA")
    page.locator("#id_given_name").fill("Sam")
    page.locator("#id_family_name").fill("Resident")
    page.locator("#id_email").fill("sam@example.com")
    page.get_by_role("button", name="Send report").click()
    page.get_by_test_id("reference").wait_for()
    case = Case.objects.for_organisation(world.organisation).get()

    page.goto(f"{live_server.url}/o/test-council/your-requests/")
    _type_into(page, "id_email", "sam@example.com")
    _press_button(page, "Send me a link")
    assert page.locator("h1").inner_text() == "Check your email"
    assert axe_violations(page) == []
    message = Message.objects.for_organisation(world.organisation).get(event=Event.SIGN_IN_LINK)
    sent = sealing.opened(message).body  # the e-mail as the resident receives it
    found = re.search(r"(/o/test-council/your-requests/sign-in/\?token=\S+)", sent)
    assert found is not None

    page.goto(f"{live_server.url}{found.group(1)}")
    _press_button(page, "Sign in")
    assert page.get_by_test_id("requests").count() == 1
    assert case.reference in page.get_by_test_id("requests").inner_text()
    assert axe_violations(page) == []
    # Preferences by keyboard (test_portal_your_requests.py does it in both languages).
    _tab_to_link(page, "Change how we contact you")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "How we contact you"
    assert axe_violations(page) == []
    _tab_to(page, "id_consents_to_email_updates")
    page.keyboard.press("Space")
    _press_button(page, "Save")
    assert "Your contact preferences are saved" in page.content()
    assert case.customer is not None
    case.customer.refresh_from_db()
    assert case.customer.consents_to_email_updates is True
    page.goto(f"{live_server.url}/o/test-council/your-requests/")
    _press_button(page, "Sign out")
    assert page.locator("#id_email").count() == 1

"""A back-office officer works the post room with the keyboard alone: downloads the letters to
print, unticks one not posted, marks the rest posted; the page (full, with an error, and
empty) passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from onestop.core.models import Organisation, RoleCode, User
from onestop.notify.models import Language, Message, MessageStatus
from tests import factories
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.notify.notifyletters_helpers import letter, pdf_page_count

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def officer(council: Organisation) -> User:
    return factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="officer")


@override_settings(ONESTOP_MESSAGE_SENDER="local", ONESTOP_LETTERS="notify")
def test_an_officer_prints_and_marks_letters_posted_with_the_keyboard_only(
    page: Any, live_server: Any, council: Organisation, officer: User
) -> None:
    first = letter(council, label="Ann Example")
    second = letter(council, label="Bryn Jones", language=Language.WELSH, format="large-print")
    sign_in_browser(page, live_server.url, officer)
    page.goto(f"{live_server.url}/letters/")
    assert page.locator("input[name='letters']:checked").count() == 2
    assert axe_violations(page) == []
    page.get_by_role("link", name="Download all these letters to print (PDF)").focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = download.value.path()
    with open(path, "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    assert pdf_page_count(pdf) == 2
    # Bryn's letter was not posted after all: untick it with the space bar.
    page.get_by_label("Posted: letter to Bryn Jones").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Mark the ticked letters posted").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/letters/"
    assert "1 letter marked posted" in page.content()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.provider) == (MessageStatus.SENT, "post-room")
    assert second.status == MessageStatus.PENDING
    assert page.locator("input[name='letters']").count() == 1
    assert axe_violations(page) == []


@override_settings(ONESTOP_MESSAGE_SENDER="local", ONESTOP_LETTERS="notify")
def test_the_post_room_with_an_error_and_when_empty_has_no_violations(
    page: Any, live_server: Any, council: Organisation, officer: User
) -> None:
    only = letter(council, label="Ann Example")
    sign_in_browser(page, live_server.url, officer)
    page.goto(f"{live_server.url}/letters/")
    page.get_by_label("Posted: letter to Ann Example").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Mark the ticked letters posted").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert "Choose the letters you have posted" in page.content()
    assert axe_violations(page) == []
    # The error summary's link takes the keyboard to the first checkbox.
    page.locator(".govuk-error-summary a").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "letters"
    only.refresh_from_db()
    assert only.status == MessageStatus.PENDING
    Message.objects.for_organisation(council).update(status=MessageStatus.CANCELLED)
    page.goto(f"{live_server.url}/letters/")
    assert "No letters are waiting to be printed." in page.content()
    assert axe_violations(page) == []

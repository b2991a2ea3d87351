"""An administrator adds a shared mailbox with the keyboard alone; the mailbox pages (with
recent mail, and with errors) pass axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.channels import services
from onestop.channels.models import Mailbox
from onestop.core.models import User
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.channels.conftest import MailWorld, councillor, mail_world, message, world

__all__ = ["councillor", "mail_world", "world"]  # the channels world's fixtures, used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_adds_a_mailbox_with_the_keyboard_only(
    page: Any, live_server: Any, mail_world: MailWorld, administrator: User
) -> None:
    services.receive_message(message(), recipient="enquiries@test-council.example")
    services.receive_message(
        message("away", message_id="<ooo@x>", headers=("Precedence: bulk",)),
        recipient="enquiries@test-council.example",
    )
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/mailboxes/")
    assert page.locator("table").count() == 2
    assert axe_violations(page) == []
    page.get_by_role("link", name="Add a mailbox").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/mailboxes/new/")
    assert axe_violations(page) == []
    page.locator("#id_address").focus()
    page.keyboard.type("Waste@Test-Council.example")
    page.keyboard.press("Tab")
    page.keyboard.type("Waste")
    page.keyboard.press("Tab")
    page.locator("#id_case_type").select_option(label="General enquiry")
    page.locator("#id_name").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/mailboxes/"
    created = Mailbox.objects.for_organisation(mail_world.world.organisation).get(
        address="waste@test-council.example"
    )
    assert created.case_type_id == mail_world.enquiry.pk
    assert axe_violations(page) == []


def test_the_form_with_errors_has_no_violations(
    page: Any, live_server: Any, mail_world: MailWorld, administrator: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/mailboxes/{mail_world.enquiries.pk}/")
    page.locator("#id_address").fill("foi@test-council.example")
    page.locator("#id_name").fill("")
    page.locator("form button[type='submit']").last.click()
    page.locator(".govuk-error-summary").wait_for()
    assert axe_violations(page) == []
    mail_world.enquiries.refresh_from_db()
    assert mail_world.enquiries.name == "Enquiries"

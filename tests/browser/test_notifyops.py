"""A message's history on its outbox page, and an organisation's own GOV.UK Notify template id
entered on the template editor, with the keyboard alone; both pass axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.core.models import Organisation, RoleCode, User
from onestop.notify.models import Message, MessageTemplate
from onestop.notify.services import sending
from tests import factories as core_factories
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases import factories as case_factories
from tests.cases.conftest import World, world
from tests.customers import factories as customer_factories

__all__ = ["world"]  # the cases world's fixture, used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWN = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


def test_a_manager_reads_a_message_history(
    page: Any, live_server: Any, world: World, council: Organisation
) -> None:
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    customer = customer_factories.customer(council, "Sam", "Resident", email="sam@example.org")
    case = case_factories.raise_case(council, customer=customer)
    sending.process_due()  # the local sender: sent at once
    message = Message.objects.for_organisation(council).get(case=case)
    sign_in_browser(page, live_server.url, manager)
    page.goto(f"{live_server.url}/outbox/")
    page.get_by_role("link", name="Acknowledgement to Sam Resident").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/outbox/{message.pk}/")
    rows = page.get_by_test_id("message-history").locator("tbody tr")
    assert rows.count() == 3
    assert "Written" in rows.nth(0).inner_text()
    assert "Waiting to be sent to Sending" in rows.nth(1).inner_text()
    assert "The worker" in rows.nth(2).inner_text()
    assert "Sending to Sent" in rows.nth(2).inner_text()
    assert "local: id" in rows.nth(2).inner_text()
    assert axe_violations(page) == []


def test_an_administrator_names_a_notify_template_with_the_keyboard(
    page: Any, live_server: Any, world: World, administrator: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/message-templates/acknowledgement/email/en/")
    page.locator("#id_notify_template_id").focus()
    page.keyboard.type("not a template id")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert "Enter the GOV.UK Notify template id as Notify shows it" in summary.inner_text()
    assert axe_violations(page) == []
    assert not MessageTemplate.objects.for_organisation(world.organisation).exists()
    # The error summary's link takes the keyboard to the field, which kept what was typed.
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    field = page.locator("#id_notify_template_id")
    assert field.input_value() == "not a template id"
    field.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type(OWN)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    saved = MessageTemplate.objects.for_organisation(world.organisation).get()
    assert saved.notify_template_id == OWN
    page.goto(f"{live_server.url}/message-templates/")
    assert f"GOV.UK Notify template {OWN}" in page.content()
    assert axe_violations(page) == []

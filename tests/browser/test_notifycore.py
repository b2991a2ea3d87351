"""The outbox page and the template editor with the keyboard alone; both, the case page with a
failed message and the template editor with an error pass axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.core.models import Organisation, RoleCode, User
from onestop.notify.models import Message, MessageStatus, MessageTemplate
from tests import factories as core_factories
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases import factories as case_factories
from tests.cases.conftest import World, world
from tests.customers import factories as customer_factories

__all__ = ["world"]  # the cases world's fixture, used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_finds_a_failed_message_and_sends_it_again_with_the_keyboard(
    page: Any, live_server: Any, world: World, council: Organisation
) -> None:
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    unreachable = customer_factories.customer(council, "Pat", "Nobody")
    lost = case_factories.raise_case(council, customer=unreachable)
    customer = customer_factories.customer(council, "Sam", "Resident", email="sam@example.org")
    case = case_factories.raise_case(council, customer=customer)
    failed = Message.objects.for_organisation(council).get(case=case)
    Message.objects.for_organisation(council).filter(pk=failed.pk).update(
        status=MessageStatus.TECHNICAL_FAILURE, last_error="Notify answered 500"
    )
    sign_in_browser(page, live_server.url, manager)
    page.goto(f"{live_server.url}/cases/{lost.reference}/")
    assert page.get_by_test_id("failed-messages").is_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/outbox/")
    assert axe_violations(page) == []
    page.locator("#id_problem").focus()
    page.keyboard.press("ArrowDown")  # "Failed"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the Filter button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "problem=failed" in page.url
    assert page.get_by_test_id("outbox").locator("tbody tr").count() == 2
    page.get_by_role("link", name="Acknowledgement to Sam Resident").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Notify answered 500" in page.content()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send again").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    failed.refresh_from_db()
    assert failed.status == MessageStatus.PENDING
    assert "The message will be sent again" in page.content()
    assert axe_violations(page) == []


def test_an_administrator_changes_a_template_with_the_keyboard(
    page: Any, live_server: Any, world: World, administrator: User
) -> None:
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/message-templates/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Change Update to the customer, Email, English").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []
    page.locator("#id_body").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("Hello ((customer_name)), ((update_txt))")
    page.locator("#id_subject").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert "((update_txt)) is not a placeholder" in summary.inner_text()
    assert axe_violations(page) == []
    assert not MessageTemplate.objects.for_organisation(world.organisation).exists()
    page.locator("#id_body").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("Hello ((customer_name)), ((update_text))")
    page.locator("#id_subject").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    saved = MessageTemplate.objects.for_organisation(world.organisation).get()
    assert (saved.body, saved.version) == ("Hello ((customer_name)), ((update_text))", 1)
    assert (
        "Hello Sam Resident, The crew will collect" in page.get_by_test_id("preview").inner_text()
    )
    assert axe_violations(page) == []

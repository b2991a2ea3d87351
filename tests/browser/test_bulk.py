"""A message to many customers with the keyboard alone: the list, the form (refused, then right),
the preview with its counts, send, the worker, progress and stop; a ward's customers chosen from
the wards of open cases; axe-core (WCAG 2.2 AA) on every page."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.core.models import Organisation, RoleCode
from onestop.notify.models import BulkMessage, BulkStatus, Message, MessageStatus
from onestop.notify.services import sending
from tests import factories as core_factories
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases import factories as case_factories
from tests.cases.conftest import World, world
from tests.customers import factories as customer_factories

__all__ = ["world"]  # the cases world's fixture, used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _enter(page: Any) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_manager_tells_a_postcode_district_about_snow_with_the_keyboard(
    page: Any, live_server: Any, world: World, council: Organisation
) -> None:
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    for name, postcode, consent in (
        ("Ann", "NN1 5AB", True),
        ("Ben", "NN1 6AB", True),
        ("Cat", "NN1 7AB", False),
        ("Dan", "MK1 1AA", True),
    ):
        customer_factories.customer(
            council,
            name,
            "Resident",
            email=f"{name.lower()}@example.org",
            email_consent=consent,
            postcode=postcode,
        )
    sign_in_browser(page, live_server.url, manager)
    page.goto(f"{live_server.url}/outbox/bulk/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="New message to many customers").focus()
    _enter(page)
    assert axe_violations(page) == []

    # Refused first: no group chosen, nothing typed.
    page.locator("#id_title").focus()
    page.keyboard.type("Snow: office closed")
    _enter(page)
    summary = page.locator(".govuk-error-summary")
    assert "Select who the message is for" in summary.inner_text()
    assert "Enter the message" in summary.inner_text()
    assert page.locator("#id_title").input_value() == "Snow: office closed"
    assert axe_violations(page) == []
    assert not BulkMessage.objects.for_organisation(council).exists()

    # The postcode group: the third radio (after cases' types and wards), by the arrow keys.
    page.locator("#id_group_kind").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=group_kind][value=postcode]").is_checked()
    page.locator("#id_postcode").focus()
    page.keyboard.type("nn1")
    page.locator("#id_message").focus()
    page.keyboard.type("The Wellingborough office is closed today because of snow.")
    page.locator("#id_title").focus()
    _enter(page)
    assert "/outbox/bulk/" in page.url
    assert axe_violations(page) == []
    assert "3 customers are in this group now." in page.get_by_test_id("preview-total").inner_text()
    channels = page.get_by_test_id("preview-channels").inner_text()
    assert "Email\t2" in channels
    skipped = page.get_by_test_id("preview-skipped").inner_text()
    assert "Did not agree to updates by the channels chosen\t1" in skipped

    page.get_by_role("button", name="Send to 2 customers").focus()
    _enter(page)
    assert "Sending: the messages are written and sent in the background" in page.content()
    assert axe_violations(page) == []
    bulk = BulkMessage.objects.for_organisation(council).get()
    assert bulk.status == BulkStatus.SENDING

    sending.process_due()
    page.reload()
    assert "Sent" in page.get_by_test_id("bulk-statuses").inner_text()
    assert axe_violations(page) == []
    sent = Message.objects.for_organisation(council).filter(bulk_message=bulk)
    assert sorted(sent.values_list("address", flat=True)) == [
        "ann@example.org",
        "ben@example.org",
    ]
    assert set(sent.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_a_manager_writes_to_the_customers_of_a_ward_with_the_keyboard(
    page: Any, live_server: Any, world: World, council: Organisation
) -> None:
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    for name, ward in (("Ann", "St James"), ("Ben", "st james"), ("Dan", "Abington")):
        customer = customer_factories.customer(
            council, name, "Resident", email=f"{name.lower()}@example.org"
        )
        case_factories.raise_case(council, customer=customer, ward=ward)
    sign_in_browser(page, live_server.url, manager)
    page.goto(f"{live_server.url}/outbox/bulk/new/")
    page.locator("#id_title").focus()
    page.keyboard.type("Road closed in St James")
    # The ward group: the second radio; its select lists the open cases' wards, each once.
    page.locator("#id_group_kind").focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=group_kind][value=ward]").is_checked()
    options = page.locator("#id_ward option").all_inner_texts()
    assert options == ["Select a ward", "Abington", "St James"]
    page.locator("#id_ward").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_ward").input_value() == "St James"
    assert axe_violations(page) == []
    page.locator("#id_message").focus()
    page.keyboard.type("St James Road is closed on Monday.")
    page.locator("#id_title").focus()
    _enter(page)
    assert axe_violations(page) == []
    assert "Customers with open cases in St James" in page.content()
    assert "2 customers are in this group now." in page.get_by_test_id("preview-total").inner_text()
    bulk = BulkMessage.objects.for_organisation(council).get()
    assert bulk.group == {"kind": "ward", "value": "St James"}

"""Avoidable contact on the desk's form, by the keyboard alone, checked with axe-core: Tab into
the optional radios, Space to answer, the arrow keys to change the answer, Enter to save."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.contacts.models import Contact
from onestop.core.models import User
from onestop.customers.models import Customer
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.browser.test_desk import _focused, _tab_to, jane

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["jane"]


def test_an_advisor_records_an_avoidable_contact_by_keyboard(
    page: Any, live_server: Any, advisor: User, jane: Customer
) -> None:
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/desk/customers/{jane.pk}/contacts/new/")
    assert _focused(page) == "id_notes"
    assert axe_violations(page) == []
    page.keyboard.type("Did not understand the bill")
    _tab_to(page, "id_avoidable")
    assert page.locator("input[name=avoidable]:checked").count() == 0  # optional: none chosen
    page.keyboard.press("Space")
    assert page.locator("input[name=avoidable]:checked").get_attribute("value") == (
        "progress-chasing"
    )
    for _step in range(3):
        page.keyboard.press("ArrowDown")
    assert page.locator("input[name=avoidable]:checked").get_attribute("value") == "unclear"
    _tab_to(page, "save-contact")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/customers/{jane.pk}/")
    contact = Contact.objects.for_organisation(jane.organisation_id).get()
    assert (contact.avoidable, contact.notes) == ("unclear", "Did not understand the bill")

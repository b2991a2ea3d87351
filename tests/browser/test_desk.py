"""The advisor desk in a real browser, driven by the keyboard alone, checked with axe-core.

Flows: find an existing customer from a mistyped name and log a contact resolved at first
contact; create a new customer, seeing the duplicate warning for a near match first.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from onestop.contacts.models import Contact
from onestop.core.models import Organisation, User
from onestop.customers.models import Customer
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.customers import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has focus (as a keyboard user would)."""
    for _ in range(limit):
        if _focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never received focus")


@pytest.fixture
def jane(council: Organisation) -> Customer:
    customer = factories.customer(
        council,
        "Jane",
        "Smith",
        date_of_birth=datetime.date(1980, 3, 12),
        postcode="HP19 8FF",
        phone="07700 900123",
    )
    factories.marker(customer)
    return customer


def test_an_advisor_finds_a_customer_from_a_mistyped_name_and_logs_a_resolved_contact(
    page: Any, live_server: Any, advisor: User, jane: Customer
) -> None:
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/desk/")
    assert _focused(page) == "desk-search"
    assert axe_violations(page) == []
    page.keyboard.type("Jnae Smiht")
    page.locator(".onestop-result").first.wait_for()
    assert page.locator("#desk-results-count").inner_text() == "1 customer found"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Jane Smith"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/customers/{jane.pk}/")
    assert _focused(page) == "customer-name"  # the chosen customer's panel, not the search box
    assert page.locator("[data-testid=marker-banner]").count() == 1
    assert axe_violations(page) == []
    page.keyboard.press("Alt+L")
    page.wait_for_url(f"{live_server.url}/desk/customers/{jane.pk}/contacts/new/")
    assert _focused(page) == "id_notes"
    assert axe_violations(page) == []
    page.keyboard.type("Told her the new bin collection day")
    _tab_to(page, "save-contact")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/customers/{jane.pk}/")
    contact = Contact.objects.for_organisation(jane.organisation_id).get()
    assert (contact.customer_id, contact.outcome, contact.staff_id) == (
        jane.pk,
        "resolved",
        advisor.pk,
    )
    assert contact.notes == "Told her the new bin collection day"
    assert page.get_by_text("Contact logged").is_visible()


def test_an_advisor_creates_a_customer_after_a_duplicate_warning_for_a_near_match(
    page: Any, live_server: Any, advisor: User, jane: Customer
) -> None:
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/desk/")
    page.keyboard.type("Jayne Smith")
    page.locator(".onestop-result").first.wait_for()
    page.keyboard.press("Alt+N")
    page.wait_for_url(re.compile(r".*/customers/new/\?name=Jayne.*"))
    assert page.locator("#id_given_name").input_value() == "Jayne"
    assert page.locator("#id_family_name").input_value() == "Smith"
    assert axe_violations(page) == []
    _tab_to(page, "id_date_of_birth_day")
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("1980")
    _tab_to(page, "id_phone")
    page.keyboard.type("07700 900999")
    page.keyboard.press("Enter")
    page.locator("[data-testid=duplicate-warning]").wait_for()
    assert page.locator("#duplicates").inner_text().startswith("Jane Smith")
    assert Customer.objects.for_user(advisor).count() == 1
    assert axe_violations(page) == []
    _tab_to(page, "id_not_a_duplicate")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/desk/customers/\d+/$"))
    created = Customer.objects.for_user(advisor).get(display_name="Jayne Smith")
    assert page.url == f"{live_server.url}/desk/customers/{created.pk}/"
    assert created.date_of_birth == datetime.date(1980, 3, 12)


@pytest.mark.parametrize(
    "path", ["/desk/callbacks/", "/desk/queue/", "/desk/contacts/new/", "/customers/{id}/"]
)
def test_desk_pages_have_no_accessibility_violations(
    page: Any, live_server: Any, team_leader: User, jane: Customer, path: str
) -> None:
    sign_in_browser(page, live_server.url, team_leader)
    response = page.goto(f"{live_server.url}{path.format(id=jane.pk)}")
    assert response.status == 200
    assert axe_violations(page) == []


def test_a_form_with_errors_on_the_desk_has_no_accessibility_violations(
    page: Any, live_server: Any, advisor: User, jane: Customer
) -> None:
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/customers/new/")
    page.fill("#id_given_name", "Ann")
    page.fill("#id_phone", "12345")
    page.locator("form button[type='submit']").last.click()
    page.locator(".govuk-error-summary").wait_for()
    assert axe_violations(page) == []

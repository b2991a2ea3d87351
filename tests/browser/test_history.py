"""The full history and case references in a real browser, by keyboard, checked with axe-core.

An advisor types a case reference at the desk (lower case, no dashes), moves to the case with the
arrow keys and opens it with Enter; the customer page's history, with a second page, has no
WCAG 2.2 AA violations and its pagination is reached and followed with the keyboard.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseKind
from onestop.contacts import services as contact_services
from onestop.core.models import Organisation, User
from onestop.customers.models import Customer
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.cases import factories as case_factories
from tests.customers import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def janes_case(council: Organisation, advisor: User) -> Case:
    jane: Customer = factories.customer(council, "Jane", "Smith", postcode="HP19 8FF")
    case_factories.standards(council)
    waste = case_factories.service(council, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    case_factories.case_type(
        council, "missed-bin", kind=CaseKind.SERVICE_REQUEST, service=waste, team=crews
    )
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        case = case_services.raise_case(
            council, by=None, case_type_code="missed-bin", title="Missed blue bin", customer=jane
        )
    for minute in range(30):
        when = start + datetime.timedelta(days=1, minutes=minute)
        with time_machine.travel(when, tick=False):
            contact_services.log_contact(
                council,
                by=advisor,
                customer=jane,
                values=contact_services.ContactInput(outcome="resolved", notes=f"call {minute}"),
            )
    return case


def _focused_text(page: Any) -> str:
    return str(page.evaluate("document.activeElement.textContent.trim()"))


def test_a_case_reference_at_the_desk_opens_the_case_by_keyboard(
    page: Any, live_server: Any, advisor: User, janes_case: Case
) -> None:
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/desk/")
    page.keyboard.type(janes_case.reference.replace("-", "").lower())
    page.locator("#case-result").wait_for()
    assert page.locator("#desk-results-count").inner_text() == "1 case found"
    assert axe_violations(page) == []
    page.keyboard.press("ArrowDown")
    assert _focused_text(page).startswith(janes_case.reference)
    page.keyboard.press("ArrowDown")
    assert _focused_text(page).startswith("Customer: Jane Smith")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/cases/{janes_case.reference}/")


def test_the_history_and_its_pages_are_accessible_and_keyboard_operable(
    page: Any, live_server: Any, advisor: User, janes_case: Case
) -> None:
    assert janes_case.customer_id is not None
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/customers/{janes_case.customer_id}/")
    rows = page.locator("[data-testid=history] tbody tr")
    assert rows.count() == 25
    assert axe_violations(page) == []
    older = page.locator(".govuk-pagination__next a")
    for _ in range(200):
        if page.evaluate(
            "document.activeElement === document.querySelector('.govuk-pagination__next a')"
        ):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/customers/{janes_case.customer_id}/?page=2#history")
    kinds = page.locator("[data-testid=history] tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.kind)"
    )
    assert kinds == ["contact"] * 5 + ["case", "message"]
    assert older.count() == 0
    assert axe_violations(page) == []

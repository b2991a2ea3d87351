"""The pages the organisation walls added pass axe-core (WCAG 2.2 AA): mail domains with the TXT
record to publish (and an error), the equality page read-only and its erasure with an error."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.core.models import Organisation, RoleCode, User
from onestop.customers import services as customer_services
from onestop.directory import services
from tests import factories
from tests.browser.conftest import axe_violations, sign_in_browser
from tests.customers import factories as customer_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_mail_domains_page_shows_the_record_and_has_no_violations(
    page: Any, live_server: Any, council: Organisation, administrator: User
) -> None:
    services.verify_mail_domain(council, by=None, domain="test-council.example")
    pending = services.add_mail_domain(council, by=None, domain="mail.test-council.example")
    sign_in_browser(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/directory/mail-domains/")
    assert pending.txt_value in page.get_by_test_id("txt-record").inner_text()
    assert axe_violations(page) == []
    page.locator("#id_domain").fill("not a domain")
    with page.expect_navigation():
        page.get_by_role("button", name="Add domain").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page) == []


def test_the_equality_pages_have_no_violations(
    page: Any, live_server: Any, council: Organisation, auditor: User
) -> None:
    manager = factories.staff(council, RoleCode.MANAGER, username="manager")
    jane = customer_factories.customer(council, "Jane", "Smith")
    customer_services.save_equality_monitoring(jane, by=manager, answers={"sex": "female"})
    sign_in_browser(page, live_server.url, auditor)
    page.goto(f"{live_server.url}/customers/{jane.pk}/equality/")
    assert page.locator("dl.govuk-summary-list").inner_text().count("Female") == 1
    assert axe_violations(page) == []
    sign_in_browser(page, live_server.url, manager)
    page.goto(f"{live_server.url}/customers/{jane.pk}/equality/erase/")
    with page.expect_navigation():
        page.get_by_role("button", name="Erase answers").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page) == []

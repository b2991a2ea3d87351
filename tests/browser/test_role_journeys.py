"""Each remaining role's main journey through the demo council in a real browser, by keyboard,
checked with axe-core on every page: the councillor follows their enquiries (and sees no staff
notes), the auditor narrows the trail to one kind of record and downloads it, and the partner
housing association's advisor finds a tenant on the desk and logs a contact.  (The advisor,
back-office officer, administrator, team leader and manager have theirs in test_desk,
test_queues, test_case_types, test_notifycore and test_post_room.)"""

from __future__ import annotations

import csv
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from onestop.cases import services as case_services
from onestop.cases.models import Case
from onestop.contacts.models import Contact
from onestop.core.models import User
from onestop.customers.models import Customer
from tests.browser.conftest import axe_violations, browser_page, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("demo", stdout=StringIO())


def _organisation(user: User) -> int:
    assert user.organisation_id is not None
    return user.organisation_id


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def _tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        if _focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never received focus")


def _a_councillor_follows_an_enquiry_and_sees_no_staff_notes(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    councillor = User.objects.get(username="councillor@demo-council")
    sign_in_browser(page, live_server.url, councillor)
    page.goto(f"{live_server.url}/enquiries/")
    assert axe_violations(page) == []
    link = page.locator("main table a.govuk-link").first
    reference = link.inner_text().strip()
    case = Case.objects.for_organisation(_organisation(councillor)).get(reference=reference)
    case_services.add_note(
        case, by=None, kind="internal", text="Officer's working: not for members"
    )
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/cases/{reference}/")
    assert axe_violations(page) == []
    shown = page.locator("main").inner_text()
    assert reference in shown
    assert "Internal note" not in shown
    assert "not for members" not in shown


def _an_auditor_narrows_the_trail_to_cases_and_downloads_it(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    auditor = User.objects.get(username="auditor@demo-council")
    sign_in_browser(page, live_server.url, auditor)
    page.goto(f"{live_server.url}/audit/")
    assert axe_violations(page) == []
    page.locator("#id_object_type").select_option(label="Case")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").press("Enter")
    assert axe_violations(page) == []
    table = page.locator("main table").inner_text()
    assert "Case " in table
    assert "cases.case" not in table
    link = page.get_by_role("link", name="Download these entries (CSV)")
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "trail.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert rows[0][4] == "Type of record"
    assert rows[0][-1] == "Type code"
    assert len(rows) > 1
    assert {row[4] for row in rows[1:]} == {"Case"}
    assert {row[-1] for row in rows[1:]} == {"cases.case"}


def _a_partner_advisor_finds_a_tenant_and_logs_a_contact(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    advisor = User.objects.get(username="housing.advisor@demo-housing")
    tenant = Customer.objects.for_organisation(_organisation(advisor)).order_by("pk").first()
    assert tenant is not None
    before = Contact.objects.for_organisation(_organisation(advisor)).count()
    sign_in_browser(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/desk/")
    assert _focused(page) == "desk-search"
    assert axe_violations(page) == []
    page.keyboard.type(tenant.display_name)
    page.locator(".onestop-result").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") == tenant.display_name
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/customers/{tenant.pk}/")
    assert axe_violations(page) == []
    page.keyboard.press("Alt+L")
    page.wait_for_url(f"{live_server.url}/desk/customers/{tenant.pk}/contacts/new/")
    assert axe_violations(page) == []
    page.keyboard.type("Asked when the repair to the boiler will be booked")
    _tab_to(page, "save-contact")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/customers/{tenant.pk}/")
    contacts = Contact.objects.for_organisation(_organisation(advisor))
    assert contacts.count() == before + 1
    latest = contacts.order_by("-pk").first()
    assert latest is not None
    assert (latest.customer_id, latest.staff_id) == (tenant.pk, advisor.pk)


@pytest.mark.usefixtures("demo")
def test_the_councillor_the_auditor_and_the_partner_advisor_each_do_their_job(
    chromium: Any, live_server: Any, tmp_path: Path
) -> None:
    """The three journeys in turn on one loaded demo (a browser test flushes the database after
    itself, so three tests would load the demo three times), each person in a browser context
    of their own."""
    for journey in (
        _a_councillor_follows_an_enquiry_and_sees_no_staff_notes,
        _an_auditor_narrows_the_trail_to_cases_and_downloads_it,
        _a_partner_advisor_finds_a_tenant_and_logs_a_contact,
    ):
        with browser_page(chromium) as page:
            journey(page, live_server, tmp_path)

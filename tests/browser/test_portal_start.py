"""The residents' site in a real browser: the root, each organisation's start page and its
information pages pass axe-core (WCAG 2.2 AA) with known, empty and long content; a resident
reaches the complaints route and this week's opening hours with the keyboard alone; and the
pages work with JavaScript turned off."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from onestop.core.models import Organisation
from onestop.directory import services as directory
from onestop.directory.models import AccessPointKind
from onestop.standards import services as standards
from tests import factories
from tests.browser.conftest import axe_violations
from tests.portal.test_start_pages import Site, site

__all__ = ["site"]  # the known council and its partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
H = datetime.time
PAGES = ("", "contact/", "accessibility/", "privacy/", "cookies/")
LONG = (
    "Environmental Health, Licensing, Pest Control and Food Safety for Residents and "
    "Businesses across the Whole of the District "
)


@pytest.fixture
def empty(site: Site) -> Organisation:
    return factories.organisation(slug="empty-council", name="Empty Council")


@pytest.fixture
def long_site(site: Site) -> Organisation:
    """An organisation whose every list is long and whose every text is long."""
    organisation = factories.organisation(slug="long-council", name=LONG.strip())
    for number in range(40):
        directory.create_service(
            organisation,
            by=None,
            name=f"{LONG}{number}",
            description=LONG * 4,
            phone="01632 960000",
            email=f"a.very.long.address.for.service.{number}@long-council.example",
        )
    for number in range(8):
        point = directory.create_access_point(
            organisation,
            by=None,
            kind=AccessPointKind.AREA_OFFICE,
            name=f"{LONG}Office {number}",
            address=f"{LONG}\n{LONG}\nLong Town",
            phone="01632 960001",
            email=f"office.{number}@long-council.example",
            has_hearing_loop=True,
            has_step_free_access=number % 2 == 0,
            interview_rooms=number,
        )
        for weekday in range(7):
            for opens, closes in ((H(8), H(10)), (H(11), H(13)), (H(14), H(20))):
                directory.add_opening_session(
                    point, by=None, weekday=weekday, opens=opens, closes=closes
                )
    for number in range(40):
        standards.save_standard(
            organisation,
            by=None,
            code=f"long-{number}",
            title=f"Answer letters about {LONG.lower()}within 10 working days ({number})",
            applies_to="letter",
            start_event="letter-received",
            stop_event="full-reply-sent",
            amount=10,
            unit="working_days",
            target_percent=Decimal("87.5"),
        )
    return organisation


def test_every_public_page_has_no_violations_with_known_empty_and_long_content_in_both_languages(
    page: Any, live_server: Any, site: Site, empty: Organisation, long_site: Organisation
) -> None:
    """English first as organisations that do not offer Welsh show it (no toggle), then Welsh
    once each offers it (the toggle chose it, so ``html lang`` is ``cy``)."""
    slugs = ("vale", "empty-council", "long-council")
    found = {}
    languages = {}

    def visit_every_page(language: str) -> None:
        for slug in slugs:
            for path in PAGES:
                address = f"/o/{slug}/{path}?lang={language}"
                response = page.goto(f"{live_server.url}{address}")
                assert response.status == 200, address
                languages[address] = page.get_attribute("html", "lang")
                if not path:  # the start page with every "this week" opened
                    for summary in page.locator("summary").all():
                        summary.click()
                found[address] = axe_violations(page)

    page.goto(f"{live_server.url}/")
    found["/"] = axe_violations(page)
    visit_every_page("en")
    for organisation in Organisation.objects.filter(slug__in=slugs):
        organisation.offers_welsh = True
        organisation.save()  # as the directory's page saves it: seen on the next visit
    visit_every_page("cy")
    assert {address: found for address, found in found.items() if found} == {}
    assert languages == {
        f"/o/{slug}/{path}?lang={language}": language
        for language in ("en", "cy")
        for slug in slugs
        for path in PAGES
    }


def test_the_configured_root_start_page_has_no_violations(
    page: Any, live_server: Any, site: Site
) -> None:
    with override_settings(ONESTOP_PUBLIC_ORGANISATION="vale"):
        page.goto(f"{live_server.url}/")
        assert page.locator("h1").inner_text() == "Vale Council"
        assert axe_violations(page) == []


def _tab_to_link(page: Any, name: str, limit: int = 80) -> None:
    for _press in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_resident_opens_this_weeks_hours_and_reaches_the_complaints_route_by_keyboard(
    page: Any, live_server: Any, site: Site
) -> None:
    page.goto(f"{live_server.url}/o/vale/")
    _tab_to_link(page, "Opening hours this week at Civic Centre")
    page.keyboard.press("Enter")
    week = page.get_by_test_id("week").first
    assert week.is_visible()
    assert week.locator(".govuk-summary-list__row").count() == 7

    page.goto(f"{live_server.url}/o/vale/")
    _tab_to_link(page, "Complain, comment or compliment")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/feedback/o/vale/")
    assert page.locator("h1").inner_text() == "Tell us what you think"


def test_the_pages_work_without_javascript(chromium: Any, live_server: Any, site: Site) -> None:
    context = chromium.new_context(locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        for path in PAGES:
            response = page.goto(f"{live_server.url}/o/vale/{path}")
            assert response.status == 200
            footer = page.get_by_test_id("public-footer-links")
            assert footer.get_by_role("link", name="Complain, comment or compliment").is_visible()
        page.goto(f"{live_server.url}/o/vale/")
        page.locator("summary").first.click()  # a native <details>: no script needed
        assert page.get_by_test_id("week").first.is_visible()
        page.get_by_role("link", name="Cookies").click()
        assert page.locator("h1").inner_text() == "Cookies"
    finally:
        context.close()

"""The residents' start page and the track page in Welsh pass axe-core (WCAG 2.2 AA), the track
page's error state included; the reference and the second detail are typed with the keyboard, and
the toggle goes back to English with the keyboard."""

from __future__ import annotations

from typing import Any

import pytest

from onestop.cases.models import Case
from onestop.core.models import Organisation
from onestop.portal import services
from onestop.portal.models import WebForm
from tests.browser.conftest import axe_violations
from tests.browser.test_portal import _tab_to, _tab_to_button
from tests.cases.conftest import World, world
from tests.portal.conftest import missed_bins_online

__all__ = ["missed_bins_online", "world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _press_button(page: Any, label: str) -> None:
    _tab_to_button(page, label)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def reported(world: World, missed_bins_online: WebForm) -> Case:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    return services.submit_report(
        missed_bins_online,
        report=services.Report(
            answers={"bin": "blue"},
            title="Bin glas heb ei wagio",
            postcode="HP20 1AA",
            given_name="Siân",
            family_name="Jones",
            email="sian@example.com",
            phone="",
        ),
    )


def test_the_start_and_track_pages_in_welsh_pass_axe(
    page: Any, live_server: Any, reported: Case
) -> None:
    page.goto(f"{live_server.url}/o/test-council/?lang=cy")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Beth y gallwch ei wneud ar-lein").count() == 1
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/o/test-council/track/")  # the cookie remembers Welsh
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Olrhain cais", exact=True).count() == 1
    assert axe_violations(page) == []
    # Typed with the keyboard, a wrong second detail first: the error, and both inputs kept.
    _tab_to(page, "id_reference")
    page.keyboard.type(reported.reference)
    _tab_to(page, "id_detail")
    page.keyboard.type("rhywun@example.com")
    _press_button(page, "Dod o hyd i fy nghais")
    assert page.title().startswith("Gwall:")
    assert page.locator(".govuk-error-summary__title").inner_text() == "Mae problem wedi codi"
    assert page.locator("#id_reference").input_value() == reported.reference
    assert page.locator("#id_detail").input_value() == "rhywun@example.com"
    assert axe_violations(page) == []

    # The error summary has the focus; the resident clears the detail and types the right one.
    _tab_to(page, "id_detail")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type("sian@example.com")
    _press_button(page, "Dod o hyd i fy nghais")
    assert page.url == f"{live_server.url}/o/test-council/track/{reported.reference}/"
    assert page.get_by_role("heading", name=f"Cais {reported.reference}").count() == 1
    assert axe_violations(page) == []

    # Back to English with the toggle, by keyboard.
    page.get_by_role("link", name="Change the language to English").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"

"""The residents' site's other states in a real browser, in English and in Welsh: the plain
thank-you a submission the honeypot refused gets, "Page not found" on an organisation's site,
and the "too many" pages (429) of the report form and the track page all pass axe-core
(WCAG 2.2 AA) in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from onestop.core.models import Organisation
from onestop.portal.forms import HONEYPOT
from onestop.portal.models import WebForm
from tests.browser.conftest import axe_violations
from tests.cases.conftest import World, world
from tests.portal.conftest import missed_bins_online

__all__ = ["missed_bins_online", "world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# language -> (the html element's lang, the headings the pages show)
TEXT = {
    "en": {
        "lang": "en",
        "thanks": "Thank you",
        "not_found": "Page not found",
        "too_many_reports": "You have sent too many reports",
        "too_many_tries": "You have tried too many times",
        "send": "Send report",
        "find": "Find my request",
    },
    "cy": {
        "lang": "cy",
        "thanks": "Diolch",
        "not_found": "Heb ddod o hyd i’r dudalen",
        "too_many_reports": "Rydych wedi anfon gormod o adroddiadau",
        "too_many_tries": "Rydych wedi rhoi cynnig arni ormod o weithiau",
        "send": "Anfon adroddiad",
        "find": "Dod o hyd i fy nghais",
    },
}


@pytest.fixture
def welsh_council(world: World, missed_bins_online: WebForm) -> Organisation:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    return world.organisation


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_thank_you_not_found_and_too_many_pages_pass_axe(
    page: Any, live_server: Any, welsh_council: Organisation, language: str
) -> None:
    words = TEXT[language]
    found = {}
    page.goto(f"{live_server.url}/o/test-council/?lang={language}")  # the cookie remembers it

    # The honeypot's answer: a plain thank-you, no reference.
    page.goto(f"{live_server.url}/report/test-council/missed-bin/")
    page.locator("#id_attribute_bin").check()
    page.locator("#id_title").fill("Blue bin not emptied")
    page.locator("#id_postcode").fill("HP20 1AA")
    page.evaluate(f"document.querySelector('[name={HONEYPOT}]').value = 'http://spam.example'")
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url(f"{live_server.url}/report/test-council/done/")
    assert page.locator("h1").inner_text() == words["thanks"]
    found["thank you"] = (page.get_attribute("html", "lang"), axe_violations(page))

    response = page.goto(f"{live_server.url}/o/test-council/track/SR-26-NOPE1/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == words["not_found"]
    found["not found"] = (page.get_attribute("html", "lang"), axe_violations(page))

    with override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=0, ONESTOP_PORTAL_TRACK_PER_HOUR=0):
        page.goto(f"{live_server.url}/report/test-council/missed-bin/")
        page.locator("#id_attribute_bin").check()
        page.locator("#id_title").fill("Blue bin not emptied")
        page.locator("#id_postcode").fill("HP20 1AA")
        with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
            page.get_by_role("button", name=words["send"]).click()
        assert posted.value.status == 429
        page.locator("h1").wait_for()
        assert page.locator("h1").inner_text() == words["too_many_reports"]
        found["too many reports"] = (page.get_attribute("html", "lang"), axe_violations(page))

        page.goto(f"{live_server.url}/o/test-council/track/")
        page.locator("#id_reference").fill("SR-26-ZZZZ*")
        page.locator("#id_detail").fill("sian@example.com")
        with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
            page.get_by_role("button", name=words["find"]).click()
        assert posted.value.status == 429
        page.locator("h1").wait_for()
        assert page.locator("h1").inner_text() == words["too_many_tries"]
        found["too many tries"] = (page.get_attribute("html", "lang"), axe_violations(page))

    assert found == {state: (words["lang"], []) for state in found}
    assert len(found) == 4

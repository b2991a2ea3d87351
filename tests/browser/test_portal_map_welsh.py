"""The map on a report form in Welsh, with the keyboard alone: the Welsh words of the map (its
label, the pin, the zoom buttons and "Defnyddio canol y map"), the map starting over the
council's boundary, the point placed by moving the map with an arrow key, an error state in
Welsh for a point outside the boundary, and the report sent; axe-core (WCAG 2.2 AA) finds
nothing on any state.  The browser has no internet, so tiles never load (as in the English
test, ``test_portal_map``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from onestop.cases.models import Case, CaseType
from onestop.core.models import Organisation
from onestop.customers.models import Language
from onestop.portal import services
from onestop.portal.models import Layout, WebForm
from tests.browser.conftest import axe_violations
from tests.cases.conftest import World, world

__all__ = ["world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FORM = "/report/test-council/missed-bin/"
WORDS = services.WebFormWords(
    questions_cy={
        "bin": {"label": "Pa fin", "choices": ["Glas", "Gwyrdd", "Du"]},
        "where": {"label": "Ble mae’r bin", "choices": []},
    },
)


@pytest.fixture
def welsh_map_form(world: World) -> WebForm:
    # The council offers Welsh and looks after a box round England and Wales, wide enough west
    # for the map's whole 80-pixel pan from its middle to stay inside.
    Organisation.objects.filter(pk=world.organisation.pk).update(
        offers_welsh=True,
        boundary_south=Decimal("51.5"),
        boundary_north=Decimal("56.0"),
        boundary_west=Decimal("-8.0"),
        boundary_east=Decimal("-0.45"),
    )
    CaseType.objects.unscoped("test: the Welsh name").filter(pk=world.missed_bin.pk).update(
        name_cy="Bin heb ei gasglu"
    )
    world.missed_bin.refresh_from_db()
    return services.save_web_form(
        world.missed_bin,
        by=None,
        is_published=True,
        guidance="",
        position=10,
        words=WORDS,
        layout=Layout.ONE_PAGE,
    )


def _open(page: Any, url: str) -> None:
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.set_default_timeout(30_000)  # a shared, loaded machine
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_test_id("map").locator(".leaflet-pane").first.wait_for(state="attached")


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            "(el => el.id || (el.tagName === 'BUTTON' ? el.textContent.trim() : el.className))"
            "(document.activeElement)"
        )
    )


def _type_into(page: Any, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def _point(page: Any) -> tuple[str, str]:
    return (page.locator("#id_latitude").input_value(), page.locator("#id_longitude").input_value())


def _send(page: Any) -> None:
    page.get_by_role("button", name="Anfon adroddiad").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_welsh_resident_marks_the_point_with_the_keyboard_alone(
    page: Any, live_server: Any, world: World, welsh_map_form: WebForm
) -> None:
    _open(page, f"{live_server.url}{FORM}?lang=cy")
    assert page.get_attribute("html", "lang") == "cy"
    assert page.locator("h1").inner_text() == "Bin heb ei gasglu"
    assert "Yr union bwynt ar fap (dewisol)" in page.get_by_test_id("point").inner_text()
    the_map = page.get_by_test_id("map")
    assert the_map.get_attribute("aria-label") == (
        "Map. Defnyddiwch y bysellau saeth i’w symud a’r bysellau plws a minws i chwyddo."
    )
    assert axe_violations(page) == []

    # Answer the question with Space, then mark the point: the map moves west with the arrow
    # keys and Tab leaves it for its controls and the Welsh button (no keyboard trap).
    page.locator("#id_attribute_bin").focus()
    page.keyboard.press("Space")
    the_map.focus()
    page.keyboard.press("ArrowLeft")  # one press: a pan of 80 pixels
    # The pan is animated: wait for its end (the map's pane moved 80 pixels east), or the centre
    # read below may still be the start on a loaded machine (failed once in CI).
    page.wait_for_function(
        "() => (document.querySelector('.leaflet-map-pane') || {style: {}}).style.transform"
        " === 'translate3d(80px, 0px, 0px)'"
    )
    for _press in range(10):
        page.keyboard.press("Tab")
        if _focused(page) == "Defnyddio canol y map":
            break
    assert _focused(page) == "Defnyddio canol y map"
    page.keyboard.press("Enter")
    latitude, longitude = _point(page)
    # The map started over the council's boundary (its middle, about 53.8 and -4.225: Leaflet
    # centres the box as the map projects it), then moved west by the whole pan; the pin is
    # inside the box.
    assert abs(Decimal(latitude) - Decimal("53.8")) < Decimal("0.1")
    assert Decimal("-8.0") < Decimal(longitude) < Decimal("-4.225")
    assert page.locator("[data-point-status]").inner_text() == f"{latitude}, {longitude}"
    marker = the_map.locator(".leaflet-marker-icon")
    assert marker.get_attribute("alt") == "Y pin lle mae’r broblem"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_latitude"
    assert axe_violations(page) == []

    _type_into(page, "#id_attribute_where", "Tu allan i rif 4")
    _type_into(page, "#id_title", "Bin glas heb ei wagio")
    _type_into(page, "#id_postcode", "HP20 1AA")
    _type_into(page, "#id_given_name", "Siân")
    _type_into(page, "#id_family_name", "Jones")
    _send(page)

    assert page.locator(".govuk-panel__title").inner_text() == "Adroddiad wedi’i anfon"
    assert page.get_attribute("html", "lang") == "cy"
    assert axe_violations(page) == []
    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.latitude, case.longitude) == (Decimal(latitude), Decimal(longitude))
    assert case.customer is not None
    assert case.customer.language == Language.WELSH


def test_a_point_outside_the_boundary_gets_the_welsh_error_and_keeps_what_was_typed(
    page: Any, live_server: Any, world: World, welsh_map_form: WebForm
) -> None:
    _open(page, f"{live_server.url}{FORM}?lang=cy")
    page.locator("#id_attribute_bin").focus()
    page.keyboard.press("Space")
    _type_into(page, "#id_title", "Bin glas heb ei wagio")
    _type_into(page, "#id_postcode", "HP20 1AA")
    # Norwich: in the UK, east of the council's box.
    _type_into(page, "#id_latitude", "52.6309")
    _type_into(page, "#id_longitude", "1.2974")
    _send(page)
    page.locator(".govuk-error-summary").wait_for()
    page.get_by_test_id("map").locator(".leaflet-marker-icon").wait_for()

    assert page.locator(".govuk-error-summary__title").inner_text() == "Mae problem wedi codi"
    assert page.locator(".govuk-error-summary__list a").get_attribute("href") == "#id_latitude"
    assert (
        "Rhaid i’r pwynt fod yn yr ardal y mae Test District Council yn gofalu amdani"
        in page.get_by_test_id("point").inner_text()
    )
    assert _point(page) == ("52.6309", "1.2974")
    assert axe_violations(page) == []
    # The error summary's link takes the keyboard to the latitude.
    page.locator(".govuk-error-summary__list a").focus()
    page.keyboard.press("Enter")
    assert _focused(page) == "id_latitude"
    assert Case.objects.for_organisation(world.organisation).count() == 0

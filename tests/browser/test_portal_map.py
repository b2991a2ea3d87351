"""The map on a report form whose case type asks for a location: with JavaScript a Leaflet map
whose pin is placed by a click, a drag, or "Use the centre of the map" after moving the map with
the keyboard, filling the latitude and longitude the server checks and keeps on the case.  The
browser has no internet, so tiles never load: the pin and the inputs must work regardless.  The
map does not trap the keyboard, and the page passes axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from onestop.cases.models import Case
from onestop.directory.models import PostcodeDistrict
from onestop.portal.models import WebForm
from tests.browser.conftest import axe_violations
from tests.cases.conftest import World, world
from tests.portal.conftest import missed_bins_online

__all__ = ["missed_bins_online", "world"]  # fixtures used here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FORM = "/report/test-council/missed-bin/"


def _open(page: Any, url: str) -> None:
    # No internet here: refuse tile requests at once rather than wait for them to time out.
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.set_default_timeout(30_000)  # a shared, loaded machine
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_test_id("map").locator(".leaflet-pane").first.wait_for(state="attached")


def _point(page: Any) -> tuple[str, str]:
    return (page.locator("#id_latitude").input_value(), page.locator("#id_longitude").input_value())


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            "(el => el.id || (el.tagName === 'BUTTON' ? el.textContent.trim() : el.className))"
            "(document.activeElement)"
        )
    )


def test_clicking_and_dragging_the_pin_fill_the_point_which_the_case_keeps(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    _open(page, f"{live_server.url}{FORM}")
    the_map = page.get_by_test_id("map")
    assert the_map.is_visible()
    assert _point(page) == ("", "")
    assert axe_violations(page) == []

    the_map.click()  # at its centre
    latitude, longitude = _point(page)
    # The map starts centred on the UK (54.3, -2.3); a click is a pixel or so away from it.
    assert abs(Decimal(latitude) - Decimal("54.3")) < Decimal("0.05")
    assert abs(Decimal(longitude) - Decimal("-2.3")) < Decimal("0.05")
    marker = page.locator(".leaflet-marker-icon")
    assert marker.get_attribute("alt") == "The pin where the problem is"

    marker.scroll_into_view_if_needed()
    marker_box = marker.bounding_box()
    x = marker_box["x"] + marker_box["width"] / 2
    y = marker_box["y"] + marker_box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 20, steps=5)
    page.mouse.up()
    dragged = _point(page)
    assert dragged != (latitude, longitude)
    assert Decimal(dragged[0]) < Decimal(latitude)  # dragged down: further south
    assert Decimal(dragged[1]) > Decimal(longitude)  # and right: further east

    page.locator("#id_attribute_bin").check()
    page.locator("#id_title").fill("Blue bin not emptied")
    page.locator("#id_postcode").fill("HP20 1AA")
    page.get_by_role("button", name="Send report").click()
    page.locator(".govuk-panel__title").wait_for()

    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.latitude, case.longitude) == (Decimal(dragged[0]), Decimal(dragged[1]))


def test_the_keyboard_moves_the_map_and_uses_its_centre_without_being_trapped(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    _open(page, f"{live_server.url}{FORM}")
    page.get_by_test_id("map").focus()
    for _press in range(3):
        page.keyboard.press("ArrowLeft")  # the map moves west
    page.keyboard.press("Equal")  # and zooms in (+)
    # Tab leaves the map for its controls and then the button: the map is no trap.
    for _press in range(10):
        page.keyboard.press("Tab")
        if _focused(page) == "Use the centre of the map":
            break
    assert _focused(page) == "Use the centre of the map"
    page.keyboard.press("Enter")

    latitude, longitude = _point(page)
    assert abs(Decimal(latitude) - Decimal("54.3")) < Decimal("0.05")  # moved west only
    # West of the start (the whole UK, centred on 54.3, -2.3).  Leaflet ignores a key pressed
    # while the previous pan is still moving, so how far the three presses went depends on the
    # machine's speed: only the direction is certain.
    assert Decimal(longitude) < Decimal("-2.3")
    assert page.locator("[data-point-status]").inner_text() == f"{latitude}, {longitude}"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_latitude"
    assert axe_violations(page) == []


def test_a_point_outside_the_uk_gets_the_error_and_the_map_shows_it_again(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    _open(page, f"{live_server.url}{FORM}")
    page.locator("#id_attribute_bin").check()
    page.locator("#id_title").fill("Blue bin not emptied")
    page.locator("#id_postcode").fill("HP20 1AA")
    page.locator("#id_latitude").fill("48.8566")
    page.locator("#id_longitude").fill("2.3522")
    page.get_by_role("button", name="Send report").click()
    page.locator(".govuk-error-summary").wait_for()
    page.get_by_test_id("map").locator(".leaflet-marker-icon").wait_for()

    assert page.locator(".govuk-error-summary__list a").get_attribute("href") == "#id_latitude"
    assert "The point must be in the United Kingdom" in page.get_by_test_id("point").inner_text()
    assert _point(page) == ("48.8566", "2.3522")
    assert axe_violations(page) == []
    assert Case.objects.for_organisation(world.organisation).count() == 0


def test_without_javascript_the_map_stays_hidden_and_the_point_can_be_typed(
    chromium: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    context = chromium.new_context(java_script_enabled=False, bypass_csp=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{live_server.url}{FORM}", wait_until="domcontentloaded")
        assert page.get_by_test_id("map").is_visible() is False
        page.locator("#id_attribute_bin").check()
        page.locator("#id_title").fill("Blue bin not emptied")
        page.locator("#id_postcode").fill("HP20 1AA")
        page.locator("#id_latitude").fill("51.8156")
        page.locator("#id_longitude").fill("-0.8084")
        page.get_by_role("button", name="Send report").click()
        page.locator(".govuk-panel__title").wait_for()
    finally:
        context.close()

    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.latitude, case.longitude) == (Decimal("51.815600"), Decimal("-0.808400"))


def test_the_map_moves_to_the_district_of_the_postcode_typed_until_a_point_is_chosen(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    for code, latitude, longitude in (("HP19", "51.8236", "-0.8311"), ("MK18", "51.999", "-0.987")):
        PostcodeDistrict.objects.create(
            outward_code=code, latitude=Decimal(latitude), longitude=Decimal(longitude)
        )
    _open(page, f"{live_server.url}{FORM}")
    status = page.locator("[data-point-status]")
    page.locator("#id_postcode").fill("hp19 8ff")
    page.keyboard.press("Tab")  # the postcode changes when the resident moves on
    assert status.inner_text() == "The map now shows the area of the postcode HP19."

    # The map is over HP19's centre (a jump of many zoom levels is not animated).
    page.get_by_role("button", name="Use the centre of the map").click()
    latitude, longitude = _point(page)
    assert abs(Decimal(latitude) - Decimal("51.8236")) < Decimal("0.0005")
    assert abs(Decimal(longitude) - Decimal("-0.8311")) < Decimal("0.0005")

    # A point chosen stays where it is: another postcode does not move the map.
    page.locator("#id_postcode").fill("MK18 1AB")
    page.keyboard.press("Tab")
    assert _point(page) == (latitude, longitude)
    assert status.inner_text() == f"{latitude}, {longitude}"
    assert axe_violations(page) == []


def test_a_page_sent_back_starts_over_the_district_of_the_postcode_given(
    page: Any, live_server: Any, world: World, missed_bins_online: WebForm
) -> None:
    PostcodeDistrict.objects.create(
        outward_code="MK18", latitude=Decimal("51.999"), longitude=Decimal("-0.987")
    )
    _open(page, f"{live_server.url}{FORM}")
    page.locator("#id_postcode").fill("MK18 1AB")
    page.get_by_role("button", name="Send report").click()  # no bin chosen, no title
    page.locator(".govuk-error-summary").wait_for()
    page.get_by_test_id("map").locator(".leaflet-pane").first.wait_for(state="attached")

    page.get_by_role("button", name="Use the centre of the map").click()
    latitude, longitude = _point(page)
    assert abs(Decimal(latitude) - Decimal("51.999")) < Decimal("0.0005")
    assert abs(Decimal(longitude) - Decimal("-0.987")) < Decimal("0.0005")
    assert Case.objects.for_organisation(world.organisation).count() == 0

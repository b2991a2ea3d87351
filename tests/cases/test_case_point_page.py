"""The staff case page shows where the problem is when a point was given: the latitude and
longitude as text, and a link that opens the point on the map site the operator names
(``ONESTOP_MAP_LINK``, OpenStreetMap unless changed; none when empty).  No map script."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client

from onestop.cases import services
from onestop.cases.models import Case
from onestop.core.models import User
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
ROW_KEY = '<dt class="govuk-summary-list__key">Point on the map</dt>'


def _with_point(world: World, **kwargs: Any) -> Case:
    return factories.raise_case(
        world.organisation,
        by=world.officer,
        point=services.clean_point("51.8156", "-0.8084"),
        postcode="HP20 1AA",
        **kwargs,
    )


def _page(world: World, client_for: ClientFor, case: Case) -> str:
    response = client_for(world.officer).get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_point_is_shown_as_text_with_a_link_to_openstreetmap(
    world: World, client_for: ClientFor
) -> None:
    html = _page(world, client_for, _with_point(world))

    assert ROW_KEY in html
    assert "Latitude 51.815600, longitude -0.808400" in html
    assert (
        '<a class="govuk-link" href="https://www.openstreetmap.org/?mlat=51.815600&amp;'
        'mlon=-0.808400#map=18/51.815600/-0.808400" rel="noreferrer noopener" target="_blank">'
        "Open the point on OpenStreetMap (opens in new tab)</a>"
    ) in html
    assert '<dd class="govuk-summary-list__value">HP20 1AA</dd>' in html
    assert "leaflet" not in html  # no map script on staff pages


def test_the_operators_own_map_site(world: World, client_for: ClientFor, settings: Any) -> None:
    settings.ONESTOP_MAP_LINK = "https://maps.example.gov.uk/find?lat={latitude}&lon={longitude}"
    settings.ONESTOP_MAP_LINK_NAME = "the council’s map"
    html = _page(world, client_for, _with_point(world))

    assert 'href="https://maps.example.gov.uk/find?lat=51.815600&amp;lon=-0.808400"' in html
    assert "Open the point on the council’s map (opens in new tab)" in html


def test_without_a_map_site_the_point_is_text_alone(
    world: World, client_for: ClientFor, settings: Any
) -> None:
    settings.ONESTOP_MAP_LINK = ""
    html = _page(world, client_for, _with_point(world))

    assert "Latitude 51.815600, longitude -0.808400" in html
    assert "Open the point on" not in html


def test_a_case_without_a_point_shows_no_point(world: World, client_for: ClientFor) -> None:
    case = factories.raise_case(world.organisation, by=world.officer)
    html = _page(world, client_for, case)

    assert (case.latitude, case.longitude) == (None, None)
    assert ROW_KEY not in html
    assert "Open the point on" not in html


def test_a_point_south_and_west_keeps_its_signs(world: World, client_for: ClientFor) -> None:
    case = _with_point(world)
    Case.objects.for_organisation(world.organisation).filter(pk=case.pk).update(
        latitude=Decimal("50.066"), longitude=Decimal("-5.715")
    )
    html = _page(world, client_for, case)

    assert "Latitude 50.066000, longitude -5.715000" in html
    assert "mlat=50.066000&amp;mlon=-5.715000" in html

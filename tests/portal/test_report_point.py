"""The point on the map where a case type asks for a location: latitude and longitude inputs
that work without JavaScript, checked by the server (plain numbers, inside the United Kingdom,
both or neither), kept on the case, and refused with GOV.UK errors that keep what was typed."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from onestop.cases import services as case_services
from onestop.cases.models import Case
from onestop.core.errors import ServiceError
from onestop.core.models import Organisation
from onestop.directory.models import PostcodeDistrict
from onestop.portal import services
from onestop.portal.models import WebForm
from tests.cases.conftest import World
from tests.portal.conftest import NOTHING, counts
from tests.portal.test_report_pages import FORM, _data, _error_summary
from tests.shared import shared_fixture

WHERE = {"attribute_where": "Outside number 4"}


def _case(world: World) -> Case:
    case: Case = Case.objects.for_organisation(world.organisation).get()
    return case


def test_a_location_question_offers_the_point_and_the_map_to_start_with_javascript(
    missed_bins_online: WebForm, client: Client
) -> None:
    html = client.get(FORM).content.decode()

    assert re.search(r'<input class="govuk-input govuk-input--width-10" id="id_latitude"', html)
    assert 'name="longitude"' in html
    assert "The exact point on a map (optional)" in html
    # The map is hidden until the script starts it, and the script comes with Leaflet.
    assert re.search(r'data-module="onestop-point-map" hidden', html)
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="© OpenStreetMap contributors"' in html
    assert "leaflet/leaflet.js" in html
    assert "portal/point_map.js" in html
    assert "leaflet/leaflet.css" in html


def test_the_tile_server_is_allowed_as_an_image_source_and_nothing_else(
    missed_bins_online: WebForm, client: Client
) -> None:
    policy = client.get(FORM)["Content-Security-Policy"]

    # django-csp writes the directives in a set's order: compare the img-src directive itself.
    directives = [part.split() for part in policy.split(";") if part.strip()]
    assert [words[1:] for words in directives if words[0] == "img-src"] == [
        ["'self'", "data:", "https://tile.openstreetmap.org"]
    ]
    assert "script-src 'self' 'nonce-" in policy


def test_without_a_tile_server_the_inputs_stay_and_no_map_is_offered(
    missed_bins_online: WebForm, client: Client, settings: Any
) -> None:
    settings.ONESTOP_MAP_TILES = ""
    html = client.get(FORM).content.decode()

    assert 'name="latitude"' in html
    assert "onestop-point-map" not in html
    assert "leaflet" not in html


def test_a_form_without_a_location_question_asks_no_point(world: World, client: Client) -> None:
    services.save_web_form(world.foi, by=None, is_published=True, guidance="", position=1)
    html = client.get(f"/report/test-council/{world.foi.code}/").content.decode()

    assert 'name="latitude"' not in html
    assert "leaflet" not in html


def test_a_point_given_is_kept_on_the_case_to_six_places(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    response = client.post(FORM, _data(**WHERE, latitude=" 51.50101234 ", longitude="-0.1416"))

    assert response.status_code == 302
    case = _case(world)
    assert (case.latitude, case.longitude) == (Decimal("51.501012"), Decimal("-0.141600"))
    assert case.attributes["where"] == "Outside number 4"


def test_no_point_leaves_the_case_without_one(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    assert client.post(FORM, _data(**WHERE, latitude="", longitude="")).status_code == 302
    assert (_case(world).latitude, _case(world).longitude) == (None, None)


BAD: list[tuple[str, str, str, str]] = [
    ("51.5", "", "longitude", "Enter the longitude as well as the latitude"),
    ("", "-0.14", "latitude", "Enter the latitude as well as the longitude"),
    ("north", "-0.14", "latitude", "Latitude must be a number in degrees, like 51.501"),
    ("51.5", "1e2", "longitude", "Longitude must be a number in degrees, like -0.142"),
    ("nan", "-0.14", "latitude", "Latitude must be a number in degrees, like 51.501"),
    ("51,5", "-0.14", "latitude", "Latitude must be a number in degrees, like 51.501"),
    ("51.5", "-0.14; DROP TABLE", "longitude", "Longitude must be a number in degrees"),
    ("<script>", "-0.14", "latitude", "Latitude must be a number in degrees"),
    ("5" * 5_000, "-0.14", "latitude", "must be 30 characters or fewer"),
    ("48.85", "2.35", "latitude", "The point must be in the United Kingdom"),  # Paris
    ("-51.5", "-0.14", "latitude", "The point must be in the United Kingdom"),
    ("91", "0", "latitude", "The point must be in the United Kingdom"),
    ("51.5\x00", "-0.14", "latitude", "Remove the special characters"),
]


@pytest.mark.parametrize(("latitude", "longitude", "field", "message"), BAD)
def test_a_bad_point_gets_a_govuk_error_that_keeps_what_was_typed_and_saves_nothing(
    world: World,
    missed_bins_online: WebForm,
    client: Client,
    latitude: str,
    longitude: str,
    field: str,
    message: str,
) -> None:
    response = client.post(FORM, _data(**WHERE, latitude=latitude, longitude=longitude))

    assert response.status_code == 400
    html = response.content.decode()
    assert _error_summary(html) == [f"id_{field}"]
    assert message in html
    assert 'class="govuk-form-group govuk-form-group--error" data-testid="point"' in html
    assert "Outside number 4" in html  # what was typed is kept
    assert counts(world.organisation) == NOTHING


def test_the_service_refuses_a_point_outside_the_uk_even_when_a_form_let_it_through(
    world: World, missed_bins_online: WebForm
) -> None:
    report = services.Report(
        title="Bin",
        postcode="HP20 1AA",
        answers={"bin": "blue", "where": "Here"},
        point=case_services.Point(latitude=Decimal("40.7"), longitude=Decimal("-74.0")),
    )
    with pytest.raises(ServiceError) as refused:
        services.submit_report(missed_bins_online, report=report)

    assert (refused.value.code, refused.value.field) == ("point_outside_area", "latitude")
    assert counts(world.organisation) == NOTHING


def test_the_service_refuses_a_point_for_a_type_that_asks_no_location(world: World) -> None:
    web_form = services.save_web_form(
        world.foi, by=None, is_published=True, guidance="", position=1
    )
    report = services.Report(
        title="Minutes of the meeting",
        point=case_services.Point(latitude=Decimal("51.5"), longitude=Decimal("-0.14")),
    )
    with pytest.raises(ServiceError) as refused:
        services.submit_report(web_form, report=report)

    assert refused.value.code == "point_not_asked"
    assert counts(world.organisation) == NOTHING


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        ("49.8", "-8.7", (Decimal("49.800000"), Decimal("-8.700000"))),  # the south-west corner
        ("60.95", "1.9", (Decimal("60.950000"), Decimal("1.900000"))),  # the north-east corner
        ("+54.0000005", "-2", (Decimal("54.000000"), Decimal("-2.000000"))),  # half to even
        (Decimal("51.5"), Decimal("-0.1"), (Decimal("51.500000"), Decimal("-0.100000"))),
    ],
)
def test_clean_point_takes_the_edges_of_the_uk_and_rounds_to_six_places(
    latitude: object, longitude: object, expected: tuple[Decimal, Decimal]
) -> None:
    point = case_services.clean_point(latitude, longitude)

    assert point is not None
    assert (point.latitude, point.longitude) == expected


def test_clean_point_of_nothing_is_none() -> None:
    assert case_services.clean_point(None, "  ") is None


# --- the organisation's boundary ------------------------------------------------------------------
@shared_fixture
def bucks_only(world: World) -> Organisation:
    Organisation.objects.filter(pk=world.organisation.pk).update(
        boundary_south=Decimal("51.5"),
        boundary_north=Decimal("52.1"),
        boundary_west=Decimal("-1.2"),
        boundary_east=Decimal("-0.45"),
    )
    world.organisation.refresh_from_db()
    return world.organisation


def test_a_point_inside_the_boundary_is_kept(
    world: World, bucks_only: Organisation, missed_bins_online: WebForm, client: Client
) -> None:
    response = client.post(FORM, _data(**WHERE, latitude="51.8156", longitude="-0.8084"))

    assert response.status_code == 302
    assert (_case(world).latitude, _case(world).longitude) == (
        Decimal("51.815600"),
        Decimal("-0.808400"),
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The point must be in the area Test District Council looks after: move the pin"),
        ("cy", "Rhaid i’r pwynt fod yn yr ardal y mae Test District Council yn gofalu amdani"),
    ],
)
def test_a_point_in_the_uk_but_outside_the_boundary_gets_a_govuk_error(
    world: World,
    bucks_only: Organisation,
    missed_bins_online: WebForm,
    client: Client,
    language: str,
    message: str,
) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    client.get(f"{FORM}?lang={language}")
    # Manchester: in the UK, outside the council's box.
    response = client.post(FORM, _data(**WHERE, latitude="53.4808", longitude="-2.2426"))

    assert response.status_code == 400
    html = response.content.decode()
    assert _error_summary(html) == ["id_latitude"]
    assert html.count(message) == 2  # the summary and the message by the point
    assert 'value="53.4808"' in html
    assert counts(world.organisation) == NOTHING


def test_the_service_refuses_a_point_outside_the_boundary(
    world: World, bucks_only: Organisation, missed_bins_online: WebForm
) -> None:
    report = services.Report(
        title="Bin",
        postcode="HP20 1AA",
        answers={"bin": "blue", "where": "Here"},
        point=case_services.Point(latitude=Decimal("53.4808"), longitude=Decimal("-2.2426")),
    )
    with pytest.raises(ServiceError) as refused:
        services.submit_report(missed_bins_online, report=report)
    assert (refused.value.code, refused.value.field) == ("point_outside_area", "latitude")
    # Staff raising a case are held to the same boundary.
    with pytest.raises(ServiceError):
        case_services.raise_case(
            world.organisation,
            by=world.officer,
            case_type_code="missed-bin",
            title="Bin",
            attributes={"bin": "blue"},
            point=case_services.Point(latitude=Decimal("53.4808"), longitude=Decimal("-2.2426")),
        )
    assert counts(world.organisation) == NOTHING
    # Its edges are inside.
    assert case_services.clean_point("51.5", "-0.45", organisation=bucks_only) is not None


def _keep_a_boundary(organisation: Organisation) -> None:
    organisation.boundary_south = Decimal("51.5")
    organisation.boundary_north = Decimal("52.1")
    organisation.boundary_west = Decimal("-1.2")
    organisation.boundary_east = Decimal("-0.45")
    organisation.save()  # as the directory's page saves it


def test_the_map_starts_over_the_boundary_when_the_organisation_keeps_one(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    assert "data-boundary" not in client.get(FORM).content.decode()  # the whole UK
    _keep_a_boundary(world.organisation)

    html = client.get(FORM).content.decode()

    assert 'data-boundary="51.500000,-1.200000,52.100000,-0.450000"' in html


def _centres_in(html: str) -> Any:
    found = re.search(
        r'<script id="postcode-centres" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1)) if found else None


def test_the_map_carries_the_centres_of_the_postcode_districts_it_may_show(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    for code, latitude, longitude in (
        ("HP19", "51.8236", "-0.8311"),
        ("MK18", "51.999", "-0.987"),
        ("M1", "53.4808", "-2.2426"),
    ):
        PostcodeDistrict.objects.create(
            outward_code=code, latitude=Decimal(latitude), longitude=Decimal(longitude)
        )
    html = client.get(FORM).content.decode()

    # The map is told which input holds the postcode, and every district (no boundary).
    assert 'data-postcode="id_postcode"' in html
    assert _centres_in(html) == {
        "HP19": ["51.823600", "-0.831100"],
        "M1": ["53.480800", "-2.242600"],
        "MK18": ["51.999000", "-0.987000"],
    }

    # With a boundary, only the districts whose centres are inside it.
    _keep_a_boundary(world.organisation)
    assert set(_centres_in(client.get(FORM).content.decode())) == {"HP19", "MK18"}


def test_without_the_map_no_centres_are_sent(
    world: World, missed_bins_online: WebForm, client: Client, settings: Any
) -> None:
    PostcodeDistrict.objects.create(
        outward_code="HP19", latitude=Decimal("51.8236"), longitude=Decimal("-0.8311")
    )
    with_map = client.get(FORM)  # warms the public cache
    settings.ONESTOP_MAP_TILES = ""
    html = client.get(FORM).content.decode()

    assert _centres_in(with_map.content.decode()) == {"HP19": ["51.823600", "-0.831100"]}
    assert _centres_in(html) is None
    assert "data-postcode" not in html

"""Where a problem is, as a point on the map: latitude and longitude, checked.

A resident (or an advisor) may give the point where a case type asks for a location; it is
kept on the case (``Case.latitude``/``Case.longitude``, WGS84 degrees to six decimal places,
about 10 cm).  A point is refused unless both halves are plain decimal numbers and it lies in
the United Kingdom (``core.geo.UNITED_KINGDOM``, a box round Great Britain, Northern Ireland,
the Isles of Scilly and Shetland) and, when the organisation keeps a boundary (a box an
administrator sets on the organisation's page), inside that boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from onestop.cases.errors import CaseError
from onestop.cases.services._common import _refuse
from onestop.core import geo
from onestop.core.errors import ServiceError
from onestop.core.models import Organisation

# (south, north, west, east) in degrees: the United Kingdom with a little sea round it.
UK_BOUNDS = (
    geo.UNITED_KINGDOM.south,
    geo.UNITED_KINGDOM.north,
    geo.UNITED_KINGDOM.west,
    geo.UNITED_KINGDOM.east,
)


@dataclass(frozen=True)
class Point:
    latitude: Decimal
    longitude: Decimal


def _number(value: str, *, label: str, field: str) -> Decimal:
    number = geo.degrees(value)
    if number is None:
        raise ServiceError(
            CaseError.INVALID_POINT,
            _("%(label)s must be a number in degrees, like %(example)s")
            % {"label": label, "example": "51.501" if field == "latitude" else "-0.142"},
            field=field,
        )
    return number


def clean_point(
    latitude: object, longitude: object, *, organisation: Organisation | None = None
) -> Point | None:
    """The point given as ``latitude`` and ``longitude`` (text or numbers), or ``None`` when
    neither was given; refused (``ServiceError``, ``CaseError`` codes) when only one was given,
    either is not a plain number, or the point is outside the United Kingdom or outside the
    boundary of ``organisation`` (when it keeps one)."""
    latitude_text = "" if latitude is None else str(latitude).strip()
    longitude_text = "" if longitude is None else str(longitude).strip()
    if not latitude_text and not longitude_text:
        return None
    if not latitude_text:
        _refuse(
            CaseError.INVALID_POINT, _("Enter the latitude as well as the longitude"), "latitude"
        )
    if not longitude_text:
        _refuse(
            CaseError.INVALID_POINT, _("Enter the longitude as well as the latitude"), "longitude"
        )
    point = Point(
        latitude=_number(latitude_text, label=_("Latitude"), field="latitude"),
        longitude=_number(longitude_text, label=_("Longitude"), field="longitude"),
    )
    south, north, west, east = UK_BOUNDS
    if not south <= point.latitude <= north or not west <= point.longitude <= east:
        _refuse(
            CaseError.POINT_OUTSIDE_AREA,
            _("The point must be in the United Kingdom: move the pin or check the numbers"),
            "latitude",
        )
    boundary = geo.boundary_of(organisation) if organisation is not None else None
    if boundary is not None and not boundary.contains(point.latitude, point.longitude):
        _refuse(
            CaseError.POINT_OUTSIDE_AREA,
            _(
                "The point must be in the area %(organisation)s looks after: move the pin or "
                "check the numbers"
            )
            % {"organisation": organisation.name if organisation is not None else ""},
            "latitude",
        )
    return point

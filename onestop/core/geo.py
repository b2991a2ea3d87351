"""Areas on the map: the United Kingdom every point must be in, and an organisation's own
boundary (a box of latitudes and longitudes, WGS84 degrees) that its points must be in too.

A box, not a polygon: four numbers an administrator can read off any map site, checked here
once for every app (``cases.services.points`` refuses points outside it, ``directory`` checks
the box an administrator saves)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

#: Degrees are kept to six decimal places (about 10 cm).
PLACES = Decimal("0.000001")
#: Longest text read as a number of degrees.
DEGREES_LIMIT = 30
# A plain decimal number: no exponent, no "nan" or "infinity", no grouping.
_DEGREES = re.compile(r"[+-]?\d{1,3}(?:\.\d{1,15})?")


def degrees(text: str) -> Decimal | None:
    """``text`` as degrees to six places (half to even), or ``None`` unless it is a plain
    decimal number of at most ``DEGREES_LIMIT`` characters."""
    value = text.strip()
    if len(value) > DEGREES_LIMIT or not _DEGREES.fullmatch(value):
        return None
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Box:
    """South and north latitudes, west and east longitudes, in degrees (edges included)."""

    south: Decimal
    north: Decimal
    west: Decimal
    east: Decimal

    def contains(self, latitude: Decimal, longitude: Decimal) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east

    def holds(self, other: Box) -> bool:
        return self.contains(other.south, other.west) and self.contains(other.north, other.east)


#: The United Kingdom with a little sea round it (Great Britain, Northern Ireland, the Isles of
#: Scilly and Shetland).
UNITED_KINGDOM = Box(
    south=Decimal("49.8"), north=Decimal("60.95"), west=Decimal("-8.7"), east=Decimal("1.9")
)


def boundary_of(organisation: object) -> Box | None:
    """The organisation's boundary, or ``None`` when it keeps none (all four edges or none)."""
    edges = [
        getattr(organisation, f"boundary_{edge}", None)
        for edge in ("south", "north", "west", "east")
    ]
    if any(edge is None for edge in edges):
        return None
    south, north, west, east = (Decimal(str(edge)) for edge in edges)
    return Box(south=south, north=north, west=west, east=east)

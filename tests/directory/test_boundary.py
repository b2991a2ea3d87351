"""An organisation's boundary: a box of latitudes and longitudes an administrator sets on the
organisation's page (all four edges or none, south below north, west left of east, inside the
UK), audited; cleared by emptying the four edges."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from onestop.core import geo
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from onestop.directory import services
from tests.directory.conftest import World

ClientFor = Callable[[User], Client]
EDIT = "/directory/organisation/edit/"
BUCKS = {
    "boundary_south": "51.5",
    "boundary_north": "52.1",
    "boundary_west": "-1.2",
    "boundary_east": "-0.45",
}


def _details(**changes: str) -> dict[str, Any]:
    data = {
        "name": "Test District Council",
        "type": "district-council",
        "nation": "england",
        "branding_text": "",
        **BUCKS,
    }
    data.update(changes)
    return data


def _edges(organisation: Organisation) -> tuple[Decimal | None, ...]:
    organisation.refresh_from_db()
    return (
        organisation.boundary_south,
        organisation.boundary_north,
        organisation.boundary_west,
        organisation.boundary_east,
    )


def test_an_administrator_sets_and_clears_the_boundary(
    world: World, administrator: User, client_for: ClientFor, council: Organisation
) -> None:
    client = client_for(administrator)
    page = client.get(EDIT).content.decode()
    assert "Southern edge of the area you look after (optional)" in page
    assert "A point marked on a map must be inside this box." in page

    assert client.post(EDIT, _details()).status_code == 302
    assert _edges(council) == (
        Decimal("51.500000"),
        Decimal("52.100000"),
        Decimal("-1.200000"),
        Decimal("-0.450000"),
    )
    assert geo.boundary_of(council) == geo.Box(
        south=Decimal("51.5"), north=Decimal("52.1"), west=Decimal("-1.2"), east=Decimal("-0.45")
    )
    record = AuditRecord.objects.for_organisation(council).order_by("-id").first()
    assert record is not None
    assert record.changes == {
        "boundary_south": [None, "51.500000"],
        "boundary_north": [None, "52.100000"],
        "boundary_west": [None, "-1.200000"],
        "boundary_east": [None, "-0.450000"],
    }
    assert 'value="51.500000"' in client.get(EDIT).content.decode()

    cleared = dict.fromkeys(BUCKS, "")
    assert client.post(EDIT, _details(**cleared)).status_code == 302
    assert _edges(council) == (None, None, None, None)
    assert geo.boundary_of(council) is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"boundary_east": ""}, "boundary_east", "Give all four edges of the boundary, or none"),
        ({"boundary_south": "52.2"}, "boundary_south", "The southern edge must be south of"),
        ({"boundary_west": "-0.4"}, "boundary_west", "The western edge must be west of"),
        ({"boundary_north": "61.5"}, "boundary_south", "The boundary must be in the United"),
        ({"boundary_south": "fifty"}, "boundary_south", "Enter the edge as a latitude in degrees"),
        ({"boundary_west": "1e3"}, "boundary_west", "Enter the edge as a longitude in degrees"),
        ({"boundary_south": "51.1234567"}, "boundary_south", "at most 6 decimal places"),
    ],
)
def test_a_boundary_that_does_not_fit_is_refused_and_nothing_changes(
    world: World,
    administrator: User,
    client_for: ClientFor,
    council: Organisation,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client = client_for(administrator)
    client.get(EDIT)  # signed in (audited) before counting
    audits = AuditRecord.objects.for_organisation(council).count()
    response = client.post(EDIT, _details(**changes))

    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{field}"' in html
    assert message in html
    assert _edges(council) == (None, None, None, None)
    assert AuditRecord.objects.for_organisation(council).count() == audits


def test_other_details_leave_the_boundary_as_it_is(council: Organisation) -> None:
    box = geo.Box(
        south=Decimal("51.5"), north=Decimal("52.1"), west=Decimal("-1.2"), east=Decimal("-0.45")
    )
    services.update_organisation(
        council, by=None, name=council.name, type=council.type, nation=council.nation,
        branding_text="", boundary=box,
    )  # fmt: skip
    services.update_organisation(
        council, by=None, name="Renamed", type=council.type, nation=council.nation,
        branding_text="",
    )  # fmt: skip
    assert geo.boundary_of(council) == box


def test_the_service_refuses_a_box_outside_the_uk(council: Organisation) -> None:
    box = geo.Box(
        south=Decimal("48.8"), north=Decimal("48.9"), west=Decimal("2.3"), east=Decimal("2.4")
    )
    with pytest.raises(ServiceError) as refused:
        services.update_organisation(
            council, by=None, name=council.name, type=council.type, nation=council.nation,
            branding_text="", boundary=box,
        )  # fmt: skip
    assert refused.value.code == "invalid_boundary"
    assert _edges(council) == (None, None, None, None)


def test_the_database_refuses_half_a_boundary(council: Organisation) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=council.pk).update(boundary_south=Decimal("51.5"))

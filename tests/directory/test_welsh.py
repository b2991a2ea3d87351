"""The Welsh words beside the English on the directory's staff pages (issue 18): services,
access points, date exceptions and out-of-hours arrangements, saved, audited, shown again to
edit, and refused like the English when malformed or oversized."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import AuditAction, AuditRecord, User
from onestop.directory.models import AccessPoint, OpeningException, Service
from tests.directory.conftest import World, snapshot
from tests.govuk_dates import date_input

ClientFor = Callable[[User], Client]


def test_an_administrator_gives_a_service_its_welsh_name_and_description(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    url = f"/directory/services/{world.service.pk}/edit/"

    response = client.post(
        url,
        {
            "name": "Council Tax",
            "lgsl_code": "57",
            "description": "Bills and discounts.",
            "name_cy": "Treth y Cyngor",
            "description_cy": "Biliau a gostyngiadau.",
        },
    )

    assert response.status_code == 302
    service = Service.objects.for_user(administrator).get(pk=world.service.pk)
    assert (service.name_cy, service.description_cy) == (
        "Treth y Cyngor",
        "Biliau a gostyngiadau.",
    )
    record = (
        AuditRecord.objects.for_organisation(service.organisation_id)
        .filter(object_type="directory.service", action=AuditAction.CHANGED)
        .get()
    )
    assert record.changes["name_cy"] == ["", "Treth y Cyngor"]
    page = client.get(url).content.decode()
    assert 'lang="cy"' in page
    assert 'value="Treth y Cyngor"' in page


def test_an_administrator_gives_an_access_point_its_welsh_name_and_address(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/directory/access-points/{world.point.pk}/edit/",
        {
            "kind": world.point.kind,
            "name": world.point.name,
            "address": "High Street\nWinslow",
            "name_cy": "Swyddfa Ardal Winslow",
            "address_cy": "Stryd Fawr\nWinslow",
        },
    )

    assert response.status_code == 302
    point = AccessPoint.objects.for_user(administrator).get(pk=world.point.pk)
    assert (point.name_cy, point.address_cy) == ("Swyddfa Ardal Winslow", "Stryd Fawr\nWinslow")


def test_an_administrator_gives_a_date_exception_and_an_arrangement_their_welsh_words(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)

    exception = client.post(
        f"/directory/access-points/{world.point.pk}/exceptions/add/",
        {
            **date_input("date", "25/12/2026"),
            "reason": "Christmas Day",
            "reason_cy": "Dydd Nadolig",
        },
    )
    arrangement = client.post(
        f"/directory/access-points/{world.point.pk}/out-of-hours/{world.arrangement.pk}/edit/",
        {
            "title": world.arrangement.title,
            "contact": world.arrangement.contact,
            "phone": world.arrangement.phone,
            "details": "Emergencies only.",
            "starts_weekday": "4",
            "starts_at": "16:45",
            "ends_weekday": "0",
            "ends_at": "08:45",
            "title_cy": "Gwasanaeth brys",
            "contact_cy": "Y swyddog wrth gefn",
            "details_cy": "Argyfyngau yn unig.",
        },
    )

    assert (exception.status_code, arrangement.status_code) == (302, 302)
    saved = OpeningException.objects.for_user(administrator).get(
        access_point=world.point, reason="Christmas Day"
    )
    assert saved.reason_cy == "Dydd Nadolig"
    world.arrangement.refresh_from_db()
    assert (
        world.arrangement.title_cy,
        world.arrangement.contact_cy,
        world.arrangement.details_cy,
    ) == ("Gwasanaeth brys", "Y swyddog wrth gefn", "Argyfyngau yn unig.")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name_cy": "x" * 201}, "id_name_cy"),
        ({"description_cy": "x" * 2001}, "id_description_cy"),
        ({"name_cy": "Treth\x00"}, "id_name_cy"),
        ({"description_cy": "Biliau \x1b[31m"}, "id_description_cy"),
    ],
)
def test_malformed_or_oversized_welsh_is_refused_and_keeps_what_was_typed(
    world: World, administrator: User, client_for: ClientFor, data: dict[str, str], field: str
) -> None:
    before = snapshot()
    welsh_before = list(Service.objects.for_user(administrator).values_list("name_cy", flat=True))

    response = client_for(administrator).post(
        f"/directory/services/{world.service.pk}/edit/",
        {"name": "Council Tax", "lgsl_code": "57", "description": "Bills.", **data},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#{field}"' in page
    assert snapshot() == before
    assert (
        list(Service.objects.for_user(administrator).values_list("name_cy", flat=True))
        == welsh_before
    )

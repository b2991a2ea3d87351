"""A date question is asked with the GOV.UK date input on the raise form and its answer shown
as "1 December 2026" on the case page (stored ISO, as the services keep it)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from onestop.cases.models import Case
from onestop.core.models import User
from tests.cases.conftest import World
from tests.govuk_dates import date_input

ClientFor = Callable[[User], Client]


def test_a_date_answer_is_typed_in_three_boxes_and_shown_in_govuk_style(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    client = client_for(advisor)
    form = client.get("/cases/new/", {"type": world.missed_bin.code}).content.decode()
    assert 'class="govuk-date-input" id="id_attribute_collection-day"' in form
    response = client.post(
        f"/cases/new/?type={world.missed_bin.code}",
        {
            "case_type": world.missed_bin.pk,
            "title": "Missed blue bin",
            "attribute_bin": "blue",
            **date_input("attribute_collection-day", "1/12/2026"),
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.attributes["collection-day"] == "2026-12-01"
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "1 December 2026" in page
    assert "2026-12-01" not in page.replace('datetime="2026-12-01', "")


def test_a_date_answer_in_part_is_refused_with_the_govuk_message(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    response = client_for(advisor).post(
        f"/cases/new/?type={world.missed_bin.code}",
        {
            "case_type": world.missed_bin.pk,
            "title": "Missed blue bin",
            "attribute_bin": "blue",
            **date_input("attribute_collection-day", "1//2026"),
        },
    )
    assert response.status_code == 400
    assert "Collection day must include a month" in response.content.decode()
    assert 'href="#id_attribute_collection-day_month"' in response.content.decode()
    assert Case.objects.for_organisation(world.organisation).count() == 0

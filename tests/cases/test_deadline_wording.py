"""Deadlines on the case page name the standard that set them to staff who can work the case,
and show nothing internal (standard codes, calendar versions) to anyone."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from onestop.cases.models import Case
from onestop.core.models import User
from onestop.standards.models import Standard
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]


def _titled(world: World, code: str, title: str) -> None:
    Standard.objects.for_organisation(world.organisation).filter(code=code).update(title=title)


def test_the_officer_sees_the_standards_name_and_no_code(
    world: World, client_for: ClientFor
) -> None:
    _titled(world, "answer-letters", "Answer letters within 10 working days")
    case = factories.raise_case(world.organisation, by=world.officer)
    page = client_for(world.officer).get(f"/cases/{case.reference}/").content.decode()
    assert "(Answer letters within 10 working days)" in page
    assert "answer-letters" not in page
    assert "calendar version" not in page


def test_a_councillor_sees_the_deadline_without_anything_internal(
    world: World, councillor: User, client_for: ClientFor
) -> None:
    _titled(world, "answer-councillor-enquiry", "Answer Members within 10 working days")
    client = client_for(councillor)
    client.post(
        "/cases/new/",
        {"title": "Pothole on Mill Lane", "constituent_name": "Pat Jones", "postcode": "HP20 1UB"},
    )
    mine = Case.objects.for_organisation(world.organisation).get(councillor=councillor)
    page = client.get(f"/cases/{mine.reference}/").content.decode()
    assert "Due" in page
    assert "answer-councillor-enquiry" not in page
    assert "Answer Members within" not in page
    assert "calendar version" not in page

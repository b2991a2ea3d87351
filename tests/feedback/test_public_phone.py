"""The complaints route's "Check your answers" shows a phone number as residents write it
(07700 900123 for a UK number, international for others), not as the services keep it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from onestop.customers.models import Phone
from tests.feedback.conftest import World
from tests.feedback.test_public import PAGES, _answers_shown, _base


@pytest.fixture(autouse=True)
def fresh_limit() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _answer(world: World, client: Client, phone: str) -> None:
    for slug, answers in PAGES:
        given = {**answers, "phone": phone} if slug == "reply" else answers
        if slug == "service":
            given = {"service": str(world.waste.pk)}
        response = client.post(f"{_base(world)}{slug}/", given)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("+447700900123", "07700 900123"),
        ("07700900123", "07700 900123"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ],
)
def test_the_check_page_shows_the_phone_number_as_residents_write_it(
    world: World, typed: str, shown: str
) -> None:
    client = Client()
    _answer(world, client, typed)
    answers = _answers_shown(client, world)
    assert shown in answers
    assert "+447700900123" not in answers


def test_the_number_sent_is_kept_in_e164(world: World) -> None:
    client = Client()
    _answer(world, client, "07700 900123")
    assert client.post(f"{_base(world)}check/").status_code == 302
    assert list(
        Phone.objects.for_organisation(world.organisation).values_list("number", flat=True)
    ) == ["+447700900123"]

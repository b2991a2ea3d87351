"""The public performance page ``/performance/<organisation>/`` in Welsh: its address names the
organisation as ``organisation`` (not ``organisation_slug``), and the middleware chooses its
language all the same (``core.middleware.PublicLanguageMiddleware``)."""

from __future__ import annotations

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from onestop.core.models import Organisation
from tests.cases.conftest import World
from tests.performance import standards_story
from tests.performance.standards_story import NOW


def _page(world: World, client: Client, query: str = "", accept: str = "") -> str:
    url = reverse("performance:public", args=[world.organisation.slug])
    with time_machine.travel(NOW, tick=False):
        headers = {"accept-language": accept} if accept else {}
        response = client.get(f"{url}{query}", headers=headers)
    assert response.status_code == 200
    return str(response.content.decode())


def _offer_welsh(world: World) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)


def test_the_public_page_in_welsh_with_the_same_numbers(world: World) -> None:
    standards_story.tell(world)
    _offer_welsh(world)
    client = Client()
    html = _page(world, client, "?lang=cy")
    assert '<html lang="cy"' in html
    assert f"Sut mae {world.organisation.name} yn perfformio yn erbyn ei safonau gwasanaeth" in html
    assert "Y mis diwethaf: 1 Mawrth 2026 i 31 Mawrth 2026" in html
    # March: answer-letters met 2 of 4: counts under 5 suppressed, the rate withheld, in Welsh.
    assert "Daeth llai na 5 yn ddyledus: rhy ychydig i ddweud sut y gwnaethom." in html
    assert "Ein targed yw 100%." in html
    assert "Last month" not in html
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    # The cookie remembers; ?lang=en goes back to English.
    assert '<html lang="cy"' in _page(world, client)
    english = _page(world, client, "?lang=en")
    assert '<html lang="en"' in english
    assert "Last month: 1 March 2026 to 31 March 2026" in english


def test_a_browser_that_asks_for_welsh_first_gets_welsh(world: World) -> None:
    _offer_welsh(world)
    html = _page(world, Client(), accept="cy,en-GB;q=0.8")
    assert '<html lang="cy"' in html


def test_an_organisation_that_does_not_offer_welsh_stays_english(world: World) -> None:
    standards_story.tell(world)
    html = _page(world, Client(), "?lang=cy", accept="cy")
    assert '<html lang="en"' in html
    assert "Last month: 1 March 2026 to 31 March 2026" in html
    assert "Y mis diwethaf" not in html

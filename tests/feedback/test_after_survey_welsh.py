"""The satisfaction survey in Welsh: a survey sent in Welsh links to the page in Welsh
(``?lang=cy``, the toggle's own parameter), the page follows the organisation's Welsh offer and
the language toggle as the other residents' pages do, and its errors, thanks and "cannot be
used" pages follow it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from onestop.core.models import Organisation
from onestop.customers.models import Customer
from onestop.customers.models import Language as CustomerLanguage
from onestop.feedback.models import Feedback
from onestop.notify.models import Event, Message
from tests.customers import factories as customer_factories
from tests.feedback.conftest import World
from tests.feedback.test_after_survey import ANSWERS, _answers, _closed

WELSH_HTML = '<html lang="cy"'
ENGLISH_HTML = '<html lang="en"'
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _offers_welsh(world: World) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    world.organisation.refresh_from_db()


def _customer(world: World, language: str) -> Customer:
    customer = customer_factories.customer(
        world.organisation, "Gwen", "Jones", email="gwen@example.org"
    )
    customer.language = language
    customer.save(update_fields=["language"])
    return customer


def _link(feedback: Feedback) -> str:
    """The survey's address as the message gives it, with its query."""
    message = Message.objects.for_organisation(feedback.organisation_id).get(
        event=Event.COMPLAINT_SURVEY, subject__contains=feedback.reference
    )
    found = re.search(r"http://localhost:8000(/feedback/survey/\S+)", message.body)
    assert found is not None
    return found.group(1)


def _html(response: object) -> str:
    return str(response.content.decode())  # type: ignore[attr-defined]


def test_a_survey_sent_in_welsh_opens_in_welsh_down_to_the_thanks(world: World) -> None:
    _offers_welsh(world)
    feedback = _closed(world, customer=_customer(world, CustomerLanguage.WELSH))
    link = _link(feedback)
    assert link.endswith("/?lang=cy")
    client = Client()

    page = _html(client.get(link))
    assert WELSH_HTML in page
    for words in (
        "Sut wnaethom ymdrin â’ch cwyn?",
        f"Cwyn {feedback.reference}",
        "At ei gilydd, pa mor fodlon ydych chi â sut wnaethom ymdrin â’ch cwyn?",
        "Bodlon iawn",
        "Yn rhannol",
        "Anfon eich atebion",
        "Cwyno, gwneud sylw neu ganmol",  # the organisation's footer
        'data-testid="language-toggle"',
    ):
        assert words in page, words
    assert "How did we handle your complaint?" not in page

    refused = client.post(link, {**ANSWERS, "survey-overall": ""})
    assert refused.status_code == 400
    assert "Dewiswch pa mor fodlon ydych chi â sut wnaethom ymdrin â’ch cwyn" in _html(refused)
    assert _answers(feedback)[0] is False

    sent = client.post(link, ANSWERS)
    assert sent.status_code == 302
    assert sent["Location"] == "/feedback/survey/thanks/?lang=cy"
    thanks = _html(client.get(sent["Location"]))
    assert WELSH_HTML in thanks
    assert "Diolch am eich atebion" in thanks
    assert _answers(feedback) == (True, "dissatisfied", "partly", "no", "Nobody rang me back.")

    used = client.get(link)
    assert used.status_code == 404
    assert WELSH_HTML in _html(used)
    assert "Ni ellir defnyddio’r ddolen hon" in _html(used)


def test_a_survey_sent_in_english_links_without_a_language(world: World) -> None:
    _offers_welsh(world)
    feedback = _closed(world, customer=_customer(world, CustomerLanguage.ENGLISH))
    link = _link(feedback)
    assert "?" not in link

    english = _html(Client().get(link))
    assert ENGLISH_HTML in english
    assert "How did we handle your complaint?" in english
    assert 'data-testid="language-toggle"' in english
    # The toggle and the remembered choice, as on every residents' page.
    assert "Sut wnaethom ymdrin â’ch cwyn?" in _html(Client().get(f"{link}?lang=cy"))
    remembered = Client()
    remembered.cookies[COOKIE] = "cy"
    assert WELSH_HTML in _html(remembered.get(link))
    sent = Client().post(link, ANSWERS)
    assert sent["Location"] == "/feedback/survey/thanks/"
    assert "Thank you for your answers" in _html(Client().get(sent["Location"]))


def test_an_organisation_that_does_not_offer_welsh_keeps_the_survey_english(
    world: World,
) -> None:
    feedback = _closed(world, customer=_customer(world, CustomerLanguage.WELSH))
    link = _link(feedback)
    assert link.endswith("?lang=cy")  # the message is in the customer's language (notify's rule)

    page = _html(Client().get(link))
    assert ENGLISH_HTML in page
    assert "How did we handle your complaint?" in page
    assert 'data-testid="language-toggle"' not in page
    sent = Client().post(link, ANSWERS)
    assert sent["Location"] == "/feedback/survey/thanks/"

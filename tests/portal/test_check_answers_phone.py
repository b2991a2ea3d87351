"""A phone number on "Check your answers" as residents write it: a UK number in national format
(07700 900123), any other internationally (+33 1 23 45 67 89), never the E.164 the services keep
(+447700900123); through one helper, ``customers.queries.shown_phone``."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.cases.models import Case
from onestop.customers import queries as customer_queries
from onestop.portal import services
from onestop.portal.models import WebForm
from tests.cases.conftest import World
from tests.portal.test_question_pages import CHECK, PAGES, _step

YOU = PAGES[-1][0]


@pytest.fixture
def paged(world: World) -> WebForm:
    return services.save_web_form(
        world.missed_bin, by=None, is_published=True, guidance="", position=10
    )


def _check_page(client: Client, phone: str, language: str = "en") -> str:
    for slug, data in PAGES:
        answers = {**data, "phone": phone} if slug == YOU else data
        response = client.post(_step(slug), {**answers, "leave_blank": ""})
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    page = client.get(CHECK, {"lang": language}).content.decode()
    start = page.index('class="govuk-summary-list')
    return page[start : page.index("</dl>", start)]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("07700900123", "07700 900123"),
        ("+447700900123", "07700 900123"),
        ("+44 (0)7700 900123", "07700 900123"),
        ("020 7946 0018", "020 7946 0018"),
        ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),
        ("+1 202-555-0143", "+1 202-555-0143"),
    ],
)
def test_the_check_page_shows_a_phone_number_as_residents_write_it(
    world: World, paged: WebForm, client: Client, typed: str, shown: str
) -> None:
    answers = _check_page(client, typed)
    assert shown in answers
    assert "+447700900123" not in answers


def test_the_welsh_check_page_shows_the_number_the_same_way(
    world: World, paged: WebForm, client: Client
) -> None:
    world.organisation.__class__.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    answers = _check_page(client, "+447700900123", "cy")
    assert "07700 900123" in answers
    assert "+447700900123" not in answers


def test_the_number_sent_is_kept_in_e164(world: World, paged: WebForm, client: Client) -> None:
    _check_page(client, "07700 900123")
    assert client.post(CHECK, {"leave_blank": ""}).status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.customer is not None
    assert list(case.customer.phones.values_list("number", flat=True)) == ["+447700900123"]


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+447700900123", "07700 900123"),
        ("07700900123", "07700 900123"),
        ("+442079460018", "020 7946 0018"),
        ("+33123456789", "+33 1 23 45 67 89"),
        ("", ""),
        ("not a number", "not a number"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # escaped by the page
        ("9" * 40, "9" * 40),
    ],
)
def test_the_one_helper_shows_stored_and_typed_numbers(number: str, shown: str) -> None:
    assert customer_queries.shown_phone(number) == shown

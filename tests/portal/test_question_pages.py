"""A long form asked one thing per page: the start page, each question on its own page in
order, errors that keep what was typed, back and change links, "Check your answers" and the
report it sends; and the list of forms by category and by search."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from onestop.cases.models import Case, CaseType
from onestop.core import services as core_services
from onestop.directory.models import PostcodeDistrict
from onestop.portal import forms, services, steps
from onestop.portal.models import Layout, WebForm
from tests.cases.conftest import World
from tests.portal.conftest import NOTHING, counts

FORM = "/report/test-council/missed-bin/"
CHECK = f"{FORM}check/"
# The test missed-bin type asks five questions, so it is asked one thing per page.
PAGES: list[tuple[str, dict[str, Any]]] = [
    ("question-bin", {"attribute_bin": "blue"}),
    ("question-bags", {"attribute_bags": "2"}),
    (
        "question-collection-day",
        {
            "attribute_collection-day_day": "27",
            "attribute_collection-day_month": "2",
            "attribute_collection-day_year": "2026",
        },
    ),
    ("question-where", {"attribute_where": "Outside number 4"}),
    ("question-problems", {"attribute_problems": ["not-emptied", "damaged"]}),
    ("problem", {"title": "Blue bin not emptied", "description": "Left at the kerb"}),
    ("where", {"postcode": "hp20 1aa"}),
    (
        "you",
        {"given_name": "Sam", "family_name": "Resident", "email": "sam@example.com", "phone": ""},
    ),
]


@pytest.fixture
def paged(world: World) -> WebForm:
    return services.save_web_form(
        world.missed_bin, by=None, is_published=True, guidance="Leave it out.", position=10
    )


def _step(slug: str) -> str:
    return f"{FORM}{slug}/"


def _answer(client: Client, upto: int | None = None) -> None:
    for slug, data in PAGES[:upto]:
        response = client.post(_step(slug), {**data, "leave_blank": ""})
        assert response.status_code == 302, (slug, response.content.decode()[:3000])


def _back_link(html: str) -> str:
    found = re.search(r'<a href="([^"]+)" class="govuk-back-link">', html)
    assert found is not None
    return found.group(1)


def test_more_than_three_questions_start_with_a_start_page(paged: WebForm, client: Client) -> None:
    html = client.get(FORM).content.decode()

    assert paged.asks_one_thing_per_page is True
    assert f'href="{_step("question-bin")}"' in html
    assert "Start now" in html
    assert "Leave it out." in html
    assert 'name="title"' not in html


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_start_page_finds_the_first_page_as_the_form_does(
    world: World, paged: WebForm, language: str
) -> None:
    """The start page names its first page without building the form: the same page the
    form's pages begin with, a question's or, with no questions, "Describe the problem"."""
    with translation.override(language):
        for questions in (paged.questions_in(language), paged.questions_in(language)[::-1], []):
            form = forms.ReportForm(case_type=paged.case_type, questions=questions)
            assert steps.first_slug(questions) == steps.steps_of(form)[0].slug
    assert steps.first_slug([]) == "problem"


def test_the_start_page_links_to_the_first_question_as_reordered(
    world: World, paged: WebForm, client: Client
) -> None:
    attributes = [dict(question) for question in world.missed_bin.attributes]
    reordered = [*attributes[2:], *attributes[:2]]
    CaseType.objects.for_organisation(world.organisation).filter(pk=world.missed_bin.pk).update(
        attributes=reordered
    )
    core_services.public_content_changed(world.organisation)
    first = f"question-{reordered[0]['code']}"

    html = client.get(FORM).content.decode()

    assert f'href="{_step(first)}"' in html
    assert f'href="{_step("question-bin")}"' not in html
    assert client.get(_step(first)).status_code == 200


def test_every_page_in_order_then_check_and_send(
    world: World, paged: WebForm, client: Client
) -> None:
    expected = [*(_step(slug) for slug, _data in PAGES[1:]), CHECK]
    for (slug, data), following in zip(PAGES, expected, strict=True):
        page = client.get(_step(slug))
        assert page.status_code == 200
        response = client.post(_step(slug), {**data, "leave_blank": ""})
        assert response.status_code == 302
        assert response["Location"] == following

    check = client.get(CHECK)
    html = check.content.decode()
    assert check.status_code == 200
    assert "Check your answers before sending your report" in html
    shown = ["blue", "27 February 2026", "Outside number 4", "not-emptied, damaged"]
    shown += ["Blue bin not emptied", "HP20 1AA", "Sam", "Resident", "sam@example.com"]
    for text in shown:
        assert text in html, text
    assert html.count("?from=check") == len(PAGES)
    assert _back_link(html) == _step("you")
    assert counts(world.organisation) == NOTHING

    sent = client.post(CHECK, {"leave_blank": ""})

    case = Case.objects.for_organisation(world.organisation).get()
    assert sent.status_code == 302
    assert sent["Location"] == f"/report/test-council/done/{case.reference}/"
    assert case.attributes == {
        "bin": "blue",
        "bags": "2",
        "collection-day": "2026-02-27",
        "where": "Outside number 4",
        "problems": ["not-emptied", "damaged"],
    }
    assert (case.title, case.postcode) == ("Blue bin not emptied", "HP201AA")
    assert client.get(sent["Location"]).status_code == 200
    # Sent: the answers are forgotten, so the check page starts again.
    assert client.get(CHECK)["Location"] == _step("question-bin")


def test_a_page_not_yet_answered_copies_only_its_own_fields_and_shows_them_all(
    paged: WebForm, client: Client
) -> None:
    """The form behind an empty page holds that page's inputs (and the honeypot), not every
    field of the form: it checks nothing, and copying all of them took longer than the page."""
    for index, (slug, data) in enumerate(PAGES):
        page = client.get(_step(slug))
        html = page.content.decode()
        step = page.context["step"]

        assert set(page.context["form"].fields) == {*step.fields, forms.HONEYPOT}, slug
        for name in data:
            assert f'name="{name}"' in html, (slug, name)
        for other, other_data in PAGES[:index] + PAGES[index + 1 :]:
            for name in other_data:
                assert f'name="{name}"' not in html, (slug, other, name)
        assert 'name="leave_blank"' in html
        assert client.post(_step(slug), {**data, "leave_blank": ""}).status_code == 302


def test_a_later_page_before_the_earlier_ones_goes_back_to_the_first_unanswered(
    paged: WebForm, client: Client
) -> None:
    assert client.get(_step("where"))["Location"] == _step("question-bin")
    assert client.get(CHECK)["Location"] == _step("question-bin")
    _answer(client, 2)
    assert client.get(_step("you"))["Location"] == _step("question-collection-day")
    assert client.get(_step("no-such-page")).status_code == 404


def test_back_links_go_to_the_page_before(paged: WebForm, client: Client) -> None:
    assert _back_link(client.get(_step("question-bin")).content.decode()) == FORM
    _answer(client, 1)
    html = client.get(_step("question-bags")).content.decode()
    assert _back_link(html) == _step("question-bin")
    assert "Question 2 of 8" in html


def test_a_number_question_is_a_text_input_so_letters_are_refused_and_kept(
    world: World, paged: WebForm, client: Client
) -> None:
    """A browser's number input would drop "lots" and send nothing (accepted as no answer);
    the GOV.UK text input with a numeric keyboard sends it, to be refused and shown again."""
    _answer(client, 1)
    html = client.get(_step("question-bags")).content.decode()
    assert re.search(r'<input type="text" name="attribute_bags"[^>]*inputmode="decimal"', html)
    assert 'type="number"' not in html

    response = client.post(_step("question-bags"), {"attribute_bags": "lots"})

    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_attribute_bags">Extra bags must be a number</a>' in html
    assert 'name="attribute_bags" value="lots"' in html
    assert counts(world.organisation) == NOTHING


def test_a_mistake_shows_the_error_and_keeps_what_was_typed(
    world: World, paged: WebForm, client: Client
) -> None:
    _answer(client, 6)
    response = client.post(_step("where"), {"postcode": "NOPE 1", "location": "x"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Where is the problem" in html
    assert html.count('class="govuk-error-summary"') == 1
    assert '<a href="#id_postcode">Enter a real UK postcode, like HP19 8FF</a>' in html
    assert 'value="NOPE 1"' in html
    # Only this page's mistakes: the unanswered "Your details" page says nothing yet.
    assert html.count("govuk-error-message") == 1
    assert client.get(CHECK)["Location"] == _step("where")


def test_a_required_question_left_empty(paged: WebForm, client: Client) -> None:
    response = client.post(_step("question-bin"), {"leave_blank": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Answer “Which bin”" in html
    assert '<h1 class="govuk-fieldset__heading">Which bin</h1>' in html


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("problem", {"title": "x" * 201}, "must be 200 characters or fewer"),
        ("problem", {"title": "bad\x00text"}, "Remove the special characters"),
        ("you", {"given_name": "Sam", "family_name": "", "email": "a@b"}, "Enter your last name"),
        ("you", {"email": "sam@example.com"}, "Enter your name so that we know who to reply to"),
    ],
)
def test_hostile_and_oversized_input_on_a_page_is_refused(
    world: World, paged: WebForm, client: Client, slug: str, data: dict[str, str], message: str
) -> None:
    _answer(client, [name for name, _data in PAGES].index(slug))
    response = client.post(_step(slug), {**data, "leave_blank": ""})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts(world.organisation) == NOTHING


def test_a_change_link_shows_the_answer_and_returns_to_the_check_page(
    world: World, paged: WebForm, client: Client
) -> None:
    _answer(client)
    page = client.get(f"{_step('problem')}?from=check")
    html = page.content.decode()
    assert 'value="Blue bin not emptied"' in html
    assert _back_link(html) == CHECK

    changed = client.post(
        f"{_step('problem')}?from=check", {"title": "Green bin missed", "description": ""}
    )

    assert changed["Location"] == CHECK
    html = client.get(CHECK).content.decode()
    assert "Green bin missed" in html
    assert "Left at the kerb" not in html


def test_the_honeypot_on_a_page_saves_nothing(world: World, paged: WebForm, client: Client) -> None:
    _answer(client, 1)
    response = client.post(_step("question-bags"), {"leave_blank": "http://spam.example"})
    assert response["Location"] == "/report/test-council/done/"
    assert client.get(_step("question-bags"))["Location"] == _step("question-bin")
    assert counts(world.organisation) == NOTHING


def test_the_pages_of_a_one_page_form_do_not_exist(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    assert client.get(_step("question-bin")).status_code == 404
    assert client.get(CHECK).status_code == 404


def test_an_administrator_can_ask_a_short_form_one_thing_per_page(world: World) -> None:
    web_form = services.save_web_form(
        world.foi, by=None, is_published=True, guidance="", position=1,
        layout=Layout.QUESTION_PAGES,
    )  # fmt: skip
    assert web_form.asks_one_thing_per_page is True
    with pytest.raises(Exception, match="Choose how the form is laid out"):
        services.save_web_form(
            world.foi, by=None, is_published=True, guidance="", position=1, layout="sideways"
        )


# --- the list: by category, and a search ----------------------------------------------------
def test_the_list_groups_forms_by_the_service_that_deals_with_them(
    world: World, paged: WebForm, client: Client
) -> None:
    services.save_web_form(world.foi, by=None, is_published=True, guidance="", position=20)
    html = client.get("/report/test-council/").content.decode()

    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html)
    assert headings[:2] == [world.missed_bin.service.name, world.foi.service.name]
    assert 'type="search"' in html


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("bin", ["missed-bin"]),
        ("MISSED   bin", ["missed-bin"]),
        ("information", ["foi"]),
        ("nothing like it", []),
        ("<script>alert(1)</script>", []),
        ("x" * 5_000, []),
    ],
)
def test_the_search_finds_forms_by_every_word(
    world: World, paged: WebForm, client: Client, search: str, found: list[str]
) -> None:
    services.save_web_form(world.foi, by=None, is_published=True, guidance="", position=20)
    response = client.get("/report/test-council/", {"q": search})

    html = response.content.decode()
    assert response.status_code == 200
    links = re.findall(r'href="/report/test-council/([a-z-]+)/"', html)
    assert links == found
    assert "<script>alert(1)</script>" not in html
    assert ("1 form matches" in html) is (len(found) == 1)


def test_the_map_on_a_question_page_does_not_follow_a_postcode_asked_on_another_page(
    paged: WebForm, client: Client
) -> None:
    PostcodeDistrict.objects.create(
        outward_code="HP20", latitude=Decimal("51.8196"), longitude=Decimal("-0.8")
    )
    _answer(client, 3)
    html = client.get(_step("question-where")).content.decode()

    assert 'data-module="onestop-point-map"' in html
    # The postcode is asked on the "where" page, after this one: nothing to follow here.
    assert "data-postcode" not in html
    assert "postcode-centres" not in html

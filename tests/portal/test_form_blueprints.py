"""The report form's fields are built once per language and questions (``forms.Blueprint``) and
copied for each form: every form gets fields of its own, the same as a freshly built one, and
an edit to a question or its Welsh words is seen on the next page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.forms import ChoiceField
from django.test import Client
from django.utils import translation

from onestop.cases import services as case_services
from onestop.core.models import Organisation
from onestop.portal import forms, services, steps
from onestop.portal.models import WebForm
from tests.cases.conftest import World
from tests.form_fields import described

STEP = "/report/test-council/missed-bin/question-bin/"
BAD = {
    "attribute_bin": "purple",
    "attribute_bags": "lots",
    "attribute_collection-day_day": "31",
    "attribute_collection-day_month": "2",
    "attribute_collection-day_year": "2026",
    "attribute_problems": ["nothing-like-it"],
    "title": "x" * 500,
    "postcode": "nowhere",
    "given_name": "\x00",
    "email": "not an address",
    "phone": "none",
}


@pytest.fixture(autouse=True)
def _no_blueprints() -> Iterator[None]:
    forms._blueprints.clear()
    yield
    forms._blueprints.clear()


@pytest.fixture
def paged(world: World) -> WebForm:
    """Missed bins online, one question a page (its five questions)."""
    return services.save_web_form(
        world.missed_bin, by=None, is_published=True, guidance="", position=10
    )


def _form(web_form: WebForm, *args: Any) -> forms.ReportForm:
    return forms.ReportForm(
        *args,
        case_type=web_form.case_type,
        questions=web_form.questions_in(translation.get_language()),
    )


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_copied_form_is_the_form_built_afresh(paged: WebForm, language: str) -> None:
    with translation.override(language):
        built = _form(paged)  # builds the blueprint
        copied = _form(paged)  # copies it
        assert len(forms._blueprints) == 1
        assert described(copied) == described(built)
        assert str(copied) == str(built)
        refused_built, refused_copied = _form(paged, BAD), _form(paged, BAD)
        assert not refused_built.is_valid()
        assert not refused_copied.is_valid()
        assert refused_copied.errors == refused_built.errors
        assert len(refused_copied.errors) >= 8
        assert (refused_copied.asks_where, refused_copied.point_question) == (
            built.asks_where,
            built.point_question,
        )


def test_each_form_has_fields_of_its_own(paged: WebForm) -> None:
    first, second = _form(paged), _form(paged)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].widget is not second.fields[name].widget
        assert first.fields[name].error_messages is not second.fields[name].error_messages
    before = described(second)

    first.fields["title"].widget.attrs["class"] = "changed"
    first.fields["title"].error_messages["required"] = "changed"
    choice = first.fields["attribute_bin"]
    assert isinstance(choice, ChoiceField)
    choice.choices = [("changed", "changed")]
    first.fields["title"].validators.clear()
    del first.fields["postcode"]

    assert described(_form(paged)) == before
    assert described(second) == before


def test_a_blueprint_is_built_once_per_language_and_questions(
    paged: WebForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    original = forms._build

    def counting(questions: list[dict[str, Any]]) -> forms.Blueprint:
        built.append(str(translation.get_language()))
        return original(questions)

    monkeypatch.setattr(forms, "_build", counting)
    for _round in range(3):
        _form(paged)
    with translation.override("cy"):
        _form(paged)
        _form(paged)
    questions = paged.questions_in("en-gb")
    questions[0]["label"] = "Which bin was it"
    forms.ReportForm(case_type=paged.case_type, questions=questions)

    assert built == ["en-gb", "cy", "en-gb"]


def test_another_upload_limit_is_another_blueprint(paged: WebForm, settings: Any) -> None:
    settings.ONESTOP_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
    five = _form(paged)
    settings.ONESTOP_DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
    two = _form(paged)

    assert "5 MB" in str(five.fields["photo"].help_text)
    assert "2 MB" in str(two.fields["photo"].help_text)


def test_only_the_last_blueprints_are_kept(paged: WebForm) -> None:
    questions = paged.questions_in("en-gb")
    for number in range(forms.BLUEPRINT_LIMIT + 10):
        edited = [{**questions[0], "label": f"Bin {number}"}, *questions[1:]]
        forms.ReportForm(case_type=paged.case_type, questions=edited)

    assert len(forms._blueprints) == forms.BLUEPRINT_LIMIT
    last = forms.ReportForm(case_type=paged.case_type, questions=edited)
    assert last.fields["attribute_bin"].label == f"Bin {forms.BLUEPRINT_LIMIT + 9}"


def test_an_edited_question_is_seen_on_the_next_page(
    client: Client, world: World, paged: WebForm
) -> None:
    assert "Which bin" in client.get(STEP).content.decode()

    attributes = [dict(question) for question in world.missed_bin.attributes]
    attributes[0] = {**attributes[0], "label": "What colour is the bin", "choices": ["red"]}
    case_services.save_case_type(
        world.organisation,
        by=None,
        data=case_services.CaseTypeInput(
            code="missed-bin",
            name=world.missed_bin.name,
            kind=world.missed_bin.kind,
            service=world.waste,
            default_team=world.crews,
            standard_codes=tuple(world.missed_bin.standard_codes),
            attributes=attributes,
        ),
    )
    html = client.get(STEP).content.decode()

    assert "What colour is the bin" in html
    assert 'value="red"' in html
    assert 'value="blue"' not in html
    refused = client.post(STEP, {"attribute_bin": "blue", "leave_blank": ""})
    assert refused.status_code == 400
    assert client.post(STEP, {"attribute_bin": "red", "leave_blank": ""}).status_code == 302


def test_edited_welsh_words_are_seen_on_the_next_welsh_page(
    client: Client, world: World, paged: WebForm
) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    english = client.get(STEP).content.decode()

    def welsh_words(label: str) -> None:
        services.save_web_form(
            world.missed_bin,
            by=None,
            is_published=True,
            guidance="",
            position=10,
            words=services.WebFormWords(
                hint="",
                hint_cy="",
                guidance_cy="",
                questions_cy={"bin": {"label": label, "choices": []}},
            ),
        )

    welsh_words("Pa fin")
    first = client.get(f"{STEP}?lang=cy").content.decode()
    welsh_words("Pa fin oedd e")
    second = client.get(STEP).content.decode()  # the language cookie keeps it Welsh
    back_in_english = client.get(f"{STEP}?lang=en").content.decode()

    assert "Pa fin" in first
    assert "Pa fin oedd e" not in first
    assert "Pa fin oedd e" in second
    assert "Pa fin" not in english
    assert "Pa fin" not in back_in_english
    assert _label(english) == _label(back_in_english)


def _label(html: str) -> str:
    start = html.index("<h1")
    return html[start : html.index("</h1>", start)]


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_pages_found_without_a_form_are_the_forms_pages(paged: WebForm, language: str) -> None:
    with translation.override(language):
        asked = paged.questions_in(language)
        without_location = [question for question in asked if question["kind"] != "location"]
        assert len(without_location) < len(asked)  # the missed bin asks where, on the map
        for questions in (asked, asked[::-1], without_location, []):
            form = forms.ReportForm(case_type=paged.case_type, questions=questions)
            assert steps.steps_for(questions, forms.blueprint_of(questions)) == steps.steps_of(form)


def test_a_question_page_builds_the_one_form_it_shows_or_checks(
    client: Client, paged: WebForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[bool] = []
    original = forms.ReportForm.__init__

    def counting(form: forms.ReportForm, *args: Any, **kwargs: Any) -> None:
        built.append(bool(args))
        original(form, *args, **kwargs)

    monkeypatch.setattr(forms.ReportForm, "__init__", counting)

    assert client.get(STEP).status_code == 200
    assert built == [False]  # the blank form it shows
    assert client.post(STEP, {"attribute_bin": "blue", "leave_blank": ""}).status_code == 302
    assert built == [False, True]  # the form checking what was sent
    answered = client.get(STEP)
    assert answered.status_code == 200
    assert 'value="blue" checked' in answered.content.decode()
    assert built == [False, True, True]  # the form with the answers kept


def test_a_question_page_looks_its_fields_up_once(
    client: Client, paged: WebForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []
    original = forms._blueprint

    def counting(questions: list[dict[str, Any]]) -> forms.Blueprint:
        looked_up.append(str(questions[0]["code"]))
        return original(questions)

    monkeypatch.setattr(forms, "_blueprint", counting)

    assert client.get(STEP).status_code == 200
    assert looked_up == ["bin"]
    assert client.post(STEP, {"attribute_bin": "blue", "leave_blank": ""}).status_code == 302
    assert client.get(STEP).status_code == 200
    assert looked_up == ["bin", "bin", "bin"]

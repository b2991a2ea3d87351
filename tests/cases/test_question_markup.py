"""The raise form asks a type's choice questions with GOV.UK markup: multiple choice as
``govuk-checkboxes`` and single choice as ``govuk-radios``, each in a fieldset with a legend,
its hint and error message linked from the fieldset and the error summary."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from onestop.cases.models import Case
from onestop.core.models import User
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
RAISE = "/cases/new/?type=missed-bin"


def _group(body: str, name: str) -> str:
    """The form group holding the inputs named ``name``."""
    start = body.index(f'name="{name}"')
    group = body.rindex('<div class="govuk-form-group', 0, start)
    end = body.index("</fieldset>", start)
    return body[group:end]


def test_multiple_choice_is_a_govuk_checkboxes_fieldset(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    body = client_for(advisor).get(RAISE).content.decode()
    group = _group(body, "attribute_problems")
    assert '<fieldset class="govuk-fieldset">' in group
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Problems</legend>' in (
        group
    )
    assert (
        '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
        in (group)
    )
    inputs = re.findall(r"<input [^>]*>", group)
    assert inputs == [
        '<input class="govuk-checkboxes__input" id="id_attribute_problems" '
        'name="attribute_problems" type="checkbox" value="not-emptied">',
        '<input class="govuk-checkboxes__input" id="id_attribute_problems_1" '
        'name="attribute_problems" type="checkbox" value="damaged">',
    ]
    assert '<label class="govuk-label govuk-checkboxes__label" for="id_attribute_problems">' in (
        group
    )
    assert "<ul" not in group  # not Django's own list markup


def test_single_choice_is_a_govuk_radios_fieldset(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    body = client_for(advisor).get(RAISE).content.decode()
    group = _group(body, "attribute_bin")
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Which bin</legend>'
        in (group)
    )
    assert '<div class="govuk-radios govuk-radios--small" data-module="govuk-radios">' in group
    assert re.findall(r'type="radio" value="([^"]*)"', group) == ["blue", "green", "black"]
    assert 'id="id_attribute_bin"' in group


def test_a_refused_choice_shows_the_error_on_the_fieldset_and_in_the_summary(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    response = client_for(advisor).post(
        RAISE,
        {"title": "Missed bin", "attribute_bin": "purple", "attribute_problems": ["damaged", "x"]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    problems = _group(body, "attribute_problems")
    assert problems.startswith('<div class="govuk-form-group govuk-form-group--error">')
    assert 'aria-describedby="id_attribute_problems-error"' in problems
    assert '<p id="id_attribute_problems-error" class="govuk-error-message">' in problems
    assert 'value="damaged" checked' in problems  # what was chosen is kept
    assert '<a href="#id_attribute_problems">' in body
    assert '<a href="#id_attribute_bin">Choose an answer to “Which bin” from the list</a>' in body
    assert "Choose an answer to “Problems” from the list" in problems
    assert Case.objects.for_organisation(world.organisation).count() == 0


def test_a_required_question_left_unanswered_is_named_in_the_error(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    response = client_for(advisor).post(RAISE, {"title": "Missed bin"})
    assert response.status_code == 400
    assert '<a href="#id_attribute_bin">Answer “Which bin”</a>' in response.content.decode()
    assert Case.objects.for_organisation(world.organisation).count() == 0


@pytest.mark.parametrize(
    "problems",
    [["not-emptied", "damaged"], ["damaged"]],
)
def test_chosen_answers_are_saved(
    world: World, advisor: User, client_for: ClientFor, problems: list[str]
) -> None:
    response = client_for(advisor).post(
        RAISE, {"title": "Missed bin", "attribute_bin": "green", "attribute_problems": problems}
    )
    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.attributes == {"bin": "green", "problems": problems}


def test_an_oversized_or_hostile_answer_is_refused_and_nothing_is_saved(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    response = client_for(advisor).post(
        RAISE,
        {
            "title": "Missed bin",
            "attribute_bin": "blue",
            "attribute_problems": ["<script>alert(1)</script>"],
            "attribute_where": "x" * 201,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "must be 200 characters or fewer" in body
    assert Case.objects.for_organisation(world.organisation).count() == 0

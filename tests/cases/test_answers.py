"""The case page shows the answers under the questions' labels, in the type's order."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from onestop.cases import queries
from onestop.core.models import User
from tests.cases import factories
from tests.cases.conftest import World


def test_answers_carry_their_question_labels_in_the_types_order(world: World) -> None:
    case = factories.raise_case(
        world.organisation,
        attributes={"problems": ["not-emptied", "damaged"], "bin": "blue", "bags": "2"},
    )
    assert queries.answers_of(case) == [
        ("Which bin", "blue"),
        ("Extra bags", "2"),
        ("Problems", "not-emptied, damaged"),
    ]


def test_the_case_page_shows_labels_not_codes(
    client_for: Callable[[User], Client], world: World
) -> None:
    case = factories.raise_case(world.organisation, attributes={"bin": "green"})
    page = client_for(world.officer).get(f"/cases/{case.reference}/").content.decode()
    assert '<dt class="govuk-summary-list__key">Which bin</dt>' in page
    assert '<dt class="govuk-summary-list__key">bin</dt>' not in page

"""The case page's rough edges (issue 13, item 15): no "---------" in a select, outcomes
offered and accepted by the case's kind, timeline titles apart from their bylines, no empty
"Actions" heading, and time limits worded singular or plural."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django import forms
from django.test import Client

from onestop.cases import services
from onestop.cases.models import Case, Outcome, Status, outcomes_for
from onestop.core.errors import ServiceError
from onestop.core.forms import GovukForm
from onestop.core.models import User
from onestop.directory.models import Team
from onestop.standards.models import Standard, amount_of
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]


class _TeamForm(GovukForm):
    required = forms.ModelChoiceField(queryset=Team.objects.none())
    optional = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)


def test_a_select_never_offers_djangos_dashes(world: World) -> None:
    form = _TeamForm()
    assert form.fields["required"].empty_label is None  # type: ignore[attr-defined]
    assert form.fields["optional"].empty_label == "None"  # type: ignore[attr-defined]


def test_the_case_page_and_case_type_page_have_no_dashed_choice(
    world: World, client_for: ClientFor, administrator: User
) -> None:
    case = factories.raise_case(world.organisation, by=world.officer)
    assert (
        "---------"
        not in client_for(world.leader).get(f"/cases/{case.reference}/").content.decode()
    )
    assert "---------" not in client_for(administrator).get("/case-types/new/").content.decode()


def _outcome_options(page: str) -> str:
    start = page.index('name="close-outcome"')
    return page[start : page.index("</select>", start)]


def test_finishing_a_missed_bin_offers_only_a_service_requests_outcomes(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, by=world.officer)
    options = _outcome_options(
        client_for(world.officer).get(f"/cases/{case.reference}/close/").content.decode()
    )
    assert "Resolved" in options
    assert "Information released in part" not in options
    assert "Information not held" not in options


def test_finishing_an_foi_request_offers_only_its_outcomes(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, "foi", title="Bin contract", attributes={})
    page = client_for(world.leader).get(f"/cases/{case.reference}/close/").content.decode()
    options = _outcome_options(page)
    assert "Information released in part" in options
    assert ">Resolved<" not in options


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("missed-bin", Outcome.RELEASED_IN_PART),
        ("missed-bin", Outcome.NOT_HELD),
        ("foi", Outcome.RESOLVED),
    ],
)
def test_an_outcome_another_kind_of_case_has_is_refused_by_the_service(
    world: World, code: str, outcome: str
) -> None:
    attributes: dict[str, str] | None = None if code == "missed-bin" else {}
    case = factories.raise_case(world.organisation, code, attributes=attributes)
    with pytest.raises(ServiceError) as refused:
        services.close_case(case, by=world.officer, outcome=outcome, resolution="Done")
    assert refused.value.field == "outcome"
    case.refresh_from_db()
    assert case.status != Status.CLOSED
    assert outcome not in outcomes_for(case.kind)


def test_a_posted_outcome_of_another_kind_is_refused_on_the_page(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation, by=world.officer)
    response = client_for(world.officer).post(
        f"/cases/{case.reference}/close/",
        {
            "close-outcome": Outcome.RELEASED_IN_PART,
            "close-resolution": "Done",
            "close-finish": "closed",
            "close-version": case.version,
        },
    )
    assert response.status_code == 400
    assert "Choose an outcome from the list" in response.content.decode()
    case.refresh_from_db()
    assert case.status != Status.CLOSED


def test_timeline_titles_are_apart_from_their_bylines(world: World, client_for: ClientFor) -> None:
    case = factories.raise_case(world.organisation, by=world.officer)
    page = client_for(world.officer).get(f"/cases/{case.reference}/").content.decode()
    assert '</h3> <p class="moj-timeline__byline">' in page
    assert '</h3><p class="moj-timeline__byline">' not in page


def test_a_role_with_no_action_sees_no_actions_heading(
    world: World, client_for: ClientFor, auditor: User, advisor: User
) -> None:
    case = factories.raise_case(world.organisation, by=world.officer)
    assert (
        ">Actions</h2>" not in client_for(auditor).get(f"/cases/{case.reference}/").content.decode()
    )
    assert (
        ">Actions</h2>"
        in client_for(world.officer).get(f"/cases/{case.reference}/").content.decode()
    )
    assert Case.objects.for_organisation(world.organisation).count() == 1
    assert advisor is not None


@pytest.mark.parametrize(
    ("amount", "unit", "said"),
    [
        (1, "working_days", "1 working day"),
        (2, "working_days", "2 working days"),
        (1, "hours", "1 hour"),
        (24, "hours", "24 hours"),
        (1, "calendar_months", "1 calendar month"),
        (0, "minutes", "0 minutes"),
    ],
)
def test_a_time_limit_is_singular_or_plural(amount: int, unit: str, said: str) -> None:
    assert amount_of(amount, unit) == said


def test_the_standards_page_says_1_working_day(
    world: World, client_for: ClientFor, administrator: User
) -> None:
    Standard.objects.for_organisation(world.organisation).filter(code="answer-letters").update(
        amount=1, unit="working_days"
    )
    page = client_for(administrator).get("/standards/").content.decode()
    assert "1 working day<" in page
    assert "1 working days" not in page


def test_the_desk_says_what_is_true_now(world: World, client_for: ClientFor, advisor: User) -> None:
    page = client_for(advisor).get("/desk/").content.decode()
    assert "when those services arrive" not in page
    assert "does not book appointments yet" in page
    assert "does not handle complaints" not in page  # feedback takes complaints now

"""The lifecycle: every allowed and every refused transition, through the one function."""

from __future__ import annotations

import itertools

import pytest

from onestop.cases.errors import CaseError, InvalidTransition
from onestop.cases.models import ALLOWED_TRANSITIONS, Case, CaseEvent, Status
from onestop.cases.services import lifecycle
from tests.cases import factories
from tests.cases.conftest import World

PAIRS = list(itertools.product(Status.values, Status.values))
ALLOWED = [(old, new) for old, new in PAIRS if new in ALLOWED_TRANSITIONS[old]]
REFUSED = [(old, new) for old, new in PAIRS if new not in ALLOWED_TRANSITIONS[old]]


def _case_in(world: World, status: str) -> Case:
    case = factories.raise_case(world.organisation)
    case.status = status
    case.save(update_fields=["status"])
    return case


def test_every_status_has_a_rule() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(Status.values)
    assert len(ALLOWED) == 28
    assert len(REFUSED) == 21


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=[f"{o}->{n}" for o, n in ALLOWED])
def test_an_allowed_transition_moves_the_case_and_writes_the_timeline(
    world: World, old: str, new: str
) -> None:
    case = _case_in(world, old)
    lifecycle._transition(case, new, by=world.officer)
    assert case.status == new
    event = CaseEvent.objects.for_organisation(world.organisation).filter(case=case).last()
    assert event is not None
    assert (event.code, event.data) == ("status-changed", {"old": old, "new": new})


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=[f"{o}->{n}" for o, n in REFUSED])
def test_a_refused_transition_raises_and_changes_nothing(world: World, old: str, new: str) -> None:
    case = _case_in(world, old)
    events_before = CaseEvent.objects.for_organisation(world.organisation).count()
    with pytest.raises(InvalidTransition) as raised:
        lifecycle._transition(case, new, by=world.officer)
    assert raised.value.code == CaseError.INVALID_TRANSITION
    assert case.status == old
    assert CaseEvent.objects.for_organisation(world.organisation).count() == events_before


def test_an_unknown_status_is_refused_in_plain_english(world: World) -> None:
    case = _case_in(world, Status.NEW)
    with pytest.raises(InvalidTransition, match="“lost” is not a status"):
        lifecycle._transition(case, "lost", by=None)

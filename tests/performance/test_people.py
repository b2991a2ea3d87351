"""Per-officer figures count the member of staff who stopped the clock (closed or resolved the
case, as the timeline records it); a running clock, or one stopped with nobody recorded, counts
for the case's assignee (``queries.people.officer_compliance``)."""

from __future__ import annotations

from collections.abc import Callable

import time_machine
from django.test import Client
from django.urls import reverse

from onestop.cases import services
from onestop.cases.models import Case
from onestop.core.models import User
from onestop.performance.queries import people
from tests.cases import factories
from tests.cases.conftest import World
from tests.performance.standards_story import NOW, at
from tests.performance.test_standards_views import MARCH_QUERY, standards_story_march

Clients = Callable[[User], Client]


def _raised_for(world: World, officer: User, day: int) -> Case:
    with time_machine.travel(at(day), tick=False):
        case = factories.raise_case(world.organisation, by=world.leader)
    with time_machine.travel(at(day, minute=5), tick=False):
        case.refresh_from_db()
        services.assign_case(case, by=world.leader, assignee=officer)
    return case


def _closed(case: Case, day: int, by: User | None) -> None:
    with time_machine.travel(at(day, hour=12), tick=False):
        case.refresh_from_db()
        services.close_case(case, by=by, outcome="resolved", resolution="Done")


def _figures(world: World, officer: User) -> dict[str, tuple[int, int, int]]:
    with time_machine.travel(NOW, tick=False):
        rows = people.officer_compliance(
            world.organisation, standards_story_march(), now=NOW, officer=officer
        )
    return {row.code: (row.counts.met, row.counts.missed, row.counts.overdue) for row in rows}


def test_the_officer_who_closed_the_case_carries_its_result(
    world: World, client_for: Clients
) -> None:
    officer, colleague = world.officer, world.other_officer
    # X: the officer's case, closed in time by their colleague on 3 March.
    _closed(_raised_for(world, officer, 2), 3, by=colleague)
    # Y: the officer's case, still open (both clocks overdue by 10 April).
    _raised_for(world, officer, 2)
    # Z: the colleague's case, closed late on 20 March by the system (nobody recorded).
    _closed(_raised_for(world, colleague, 2), 20, by=None)
    assert _figures(world, officer) == {
        "acknowledge-email": (0, 0, 1),
        "answer-letters": (0, 0, 1),
    }
    assert _figures(world, colleague) == {
        "acknowledge-email": (1, 1, 0),
        "answer-letters": (1, 1, 0),
    }
    with time_machine.travel(NOW, tick=False):
        page = client_for(colleague).get(
            reverse("performance:person", args=[colleague.pk]), MARCH_QUERY
        )
        drilled = people.officer_clocks(
            world.organisation, standards_story_march(), now=NOW, officer=colleague, figure="met"
        )
        assert drilled.count() == 2
    html = page.content.decode()
    assert 'data-standard="answer-letters"' in html
    assert "50.0%" in html
    assert "0.5000" not in html

"""The case page's actions (issue 13 item 16): an MOJ button menu offering only what the user's
roles may do now, each action a page of its own at its own address that posts to itself, comes
back to the case with a success banner, and answers a refused POST at its own address with
every error naming its field (issue 13 item 13)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.cases import services
from onestop.cases.models import Case, Outcome, Status
from onestop.core.models import User
from tests.cases import factories
from tests.cases.conftest import World
from tests.cases.test_statutory_views import Cases, cases

__all__ = ["cases"]  # the statutory cases fixture, used here

ClientFor = Callable[[User], Client]


def _menu(body: str) -> list[str]:
    """The labels of the case page's button menu, in order."""
    if 'data-testid="case-actions"' not in body:
        return []
    start = body.index('data-testid="case-actions"')
    menu = body[start : body.index("</nav>", start)]
    return [part.split(">", 1)[1].split("</a>")[0] for part in menu.split("<a ")[1:]]


@pytest.fixture
def case(world: World) -> Case:
    return factories.raise_case(world.organisation, title="Blue bin missed")


def test_an_officer_is_offered_the_working_actions_in_one_menu(
    world: World, case: Case, client_for: ClientFor
) -> None:
    body = client_for(world.officer).get(f"/cases/{case.reference}/").content.decode()
    assert _menu(body) == [
        "Change status",
        "Add a note",
        "Finish the case",
        "Ask another service",
        "Link to another case",
    ]
    assert 'data-module="moj-button-menu"' in body
    start = body.index('data-testid="case-actions"')
    assert "<form" not in body[start : body.index("</nav>", start)]


def test_a_leader_may_assign_and_a_role_that_may_do_nothing_sees_no_actions(
    world: World, case: Case, auditor: User, client_for: ClientFor
) -> None:
    leader = client_for(world.leader).get(f"/cases/{case.reference}/").content.decode()
    assert "Assign" in _menu(leader)
    auditor_page = client_for(auditor).get(f"/cases/{case.reference}/")
    if auditor_page.status_code == 200:
        body = auditor_page.content.decode()
        assert _menu(body) == []
        assert 'id="case-actions"' not in body  # no empty "Actions" heading


def test_the_statutory_steps_are_offered_to_the_handler_only(
    cases: Cases, world: World, client_for: ClientFor
) -> None:
    handler = client_for(cases.handler).get(f"/cases/{cases.subject_access.reference}/")
    assert {"Clarification received", "Extend the deadline", "Verify identity"} <= set(
        _menu(handler.content.decode())
    )
    officer = client_for(world.officer).get(f"/cases/{cases.foi.reference}/")
    assert "Extend the deadline" not in _menu(officer.content.decode())


def test_a_closed_case_offers_reopening_not_finishing(
    cases: Cases, world: World, client_for: ClientFor
) -> None:
    body = client_for(world.officer).get(f"/cases/{cases.closed.reference}/").content.decode()
    assert _menu(body) == ["Reopen", "Link to another case"]


def test_every_offered_action_is_a_page_the_user_may_open(
    world: World, case: Case, client_for: ClientFor
) -> None:
    client = client_for(world.officer)
    body = client.get(f"/cases/{case.reference}/").content.decode()
    start = body.index('data-testid="case-actions"')
    menu = body[start : body.index("</nav>", start)]
    links = [part.split('"', 1)[0] for part in menu.split('href="')[1:]]
    assert len(links) == 5
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert f'href="/cases/{case.reference}/"' in page.content.decode()  # the way back


def test_an_action_page_posts_to_itself_and_returns_to_the_case_with_a_banner(
    world: World, case: Case, client_for: ClientFor
) -> None:
    client = client_for(world.officer)
    url = f"/cases/{case.reference}/status/"
    page = client.get(url).content.decode()
    assert '<form method="post" novalidate>' in page  # no action: it posts to its own address
    response = client.post(
        url, {"status-status": "in-progress", "status-version": str(case.version)}, follow=True
    )
    assert response.redirect_chain == [(f"/cases/{case.reference}/", 302)]
    assert "Status changed" in response.content.decode()
    assert "govuk-notification-banner--success" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("tail", "data", "messages"),
    [
        ("notes/", {}, ["Select kind of note", "Enter note"]),
        ("notes/", {"note-kind": "internal", "note-text": "x" * 10_001},
         ["Note must be 10000 characters or fewer"]),
        ("notes/", {"note-kind": "<script>", "note-text": "Hi"},
         ["Select kind of note from the list"]),
        ("close/", {}, ["Select outcome", "Enter resolution",
                        "Select whether the case is resolved or closed"]),
        ("links/", {}, ["Select how this case relates to the other",
                        "Enter reference of the other case"]),
        ("links/", {"link-kind": "duplicate-of", "link-other": "SR-99-ZZZZZ"},
         ["There is no case with that reference"]),
        ("tasks/", {}, ["Select contributing team", "Enter what they need to do"]),
        ("status/", {"status-status": "closed"}, ["Select status from the list"]),
    ],
)  # fmt: skip
def test_a_refused_action_names_each_field_at_its_own_address_and_changes_nothing(
    world: World, case: Case, client_for: ClientFor, tail: str, data: dict[str, str],
    messages: list[str],
) -> None:  # fmt: skip
    url = f"/cases/{case.reference}/{tail}"
    before = (case.status, case.version, case.notes.count())
    response = client_for(world.leader).post(url, data)
    assert (response.status_code, response.request["PATH_INFO"]) == (400, url)
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "This field is required" not in body
    for message in messages:
        assert message in body
    case.refresh_from_db()
    assert (case.status, case.version, case.notes.count()) == before


def test_finishing_then_closing_a_resolved_case_goes_through_the_same_page(
    world: World, case: Case, client_for: ClientFor
) -> None:
    services.resolve_case(case, by=None, outcome=Outcome.RESOLVED, resolution="Emptied")
    body = client_for(world.leader).get(f"/cases/{case.reference}/").content.decode()
    assert "Close the case" in _menu(body)
    response = client_for(world.leader).post(
        f"/cases/{case.reference}/close/",
        {
            "close-outcome": "resolved",
            "close-resolution": "Emptied",
            "close-finish": "closed",
            "close-version": str(Case.objects.for_organisation(world.organisation)
                                 .get(pk=case.pk).version),
        },
    )  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED

"""Pages: the permission matrix of the case actions that had none (issue 12 item 6): reopening,
contribution tasks, and the FOI/EIR/subject-access actions (clarification, extension, identity,
exemptions, publishing).  Each is POST only; anonymous visitors are sent to sign in, another
organisation's staff get 404, a role without the permission gets 403 and nothing changes, and
the allowed role's request has its effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from onestop.cases import services
from onestop.cases.models import Case, ContributionTask, Outcome, Status
from onestop.core.models import Organisation, RoleCode, User
from tests import factories as core_factories
from tests.cases import factories
from tests.cases.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]


@dataclass
class Cases:
    closed: Case
    with_task: Case
    task: ContributionTask
    foi: Case
    released: Case
    subject_access: Case
    handler: User


@pytest.fixture
def cases(world: World) -> Cases:
    organisation = world.organisation
    closed = factories.raise_case(organisation, by=world.officer, title="Closed bin")
    services.close_case(closed, by=world.officer, outcome=Outcome.RESOLVED, resolution="Emptied")
    with_task = factories.raise_case(organisation, by=world.officer, title="Bin with a task")
    task = services.add_contribution_task(
        with_task, by=world.officer, team=world.information_team, description="Check the log"
    )
    foi = factories.raise_case(organisation, "foi", title="Spending on bins", attributes={})
    released = factories.raise_case(organisation, "foi", title="Bin rounds", attributes={})
    services.close_case(
        released, by=None, outcome=Outcome.RELEASED_IN_FULL, resolution="Sent the rounds"
    )
    subject_access = factories.raise_case(
        organisation, "subject-access", title="My records", attributes={}
    )
    handler = User.objects.get(username="information.officer")
    return Cases(closed, with_task, task, foi, released, subject_access, handler)


def _state(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (
        case.version,
        case.status,
        case.extended_at,
        case.identity_verified_at,
        case.exemptions,
        case.published_at,
        case.due_at,
    )


# (URL name, the case, the path after the case's, form data, who may, the effect on the case)
Effect = Callable[[Cases, Case], object]
ACTIONS: list[tuple[str, str, str, dict[str, str], str, Effect, object]] = [
    ("cases:case-reopen", "closed", "reopen/", {"reopen-reason": "Not emptied after all"},
     "officer", lambda c, case: (case.status, case.reopened_count), (Status.IN_PROGRESS, 1)),
    ("cases:case-task", "foi", "tasks/", {"task-team": "{team}", "task-description": "Costs"},
     "officer", lambda c, case: list(ContributionTask.objects.for_organisation(
         case.organisation_id).filter(case=case).values_list("description", flat=True)),
     ["Costs"]),
    ("cases:case-task-done", "with_task", "tasks/{task}/done/", {"response": "Log checked"},
     "officer", lambda c, case: ContributionTask.objects.for_organisation(case.organisation_id)
     .get(pk=c.task.pk).response, "Log checked"),
    ("cases:case-clarification", "foi", "clarification/", {"clarification-note": "Only 2025"},
     "handler", lambda c, case: case.version, 2),
    ("cases:case-extend", "foi", "extend/", {"extend-reason": "Public interest test"},
     "handler", lambda c, case: case.extension_reason, "Public interest test"),
    ("cases:case-identity", "subject_access", "identity/", {}, "handler",
     lambda c, case: case.identity_verified_at is not None, True),
    ("cases:case-exemptions", "foi", "exemptions/", {"exemptions-exemptions": "s43(2), s40(2)"},
     "handler", lambda c, case: case.exemptions, ["s40(2)", "s43(2)"]),
    ("cases:case-publish", "released", "publish/", {"publish-summary": "The bin rounds"},
     "handler", lambda c, case: case.disclosure_summary, "The bin rounds"),
]  # fmt: skip
IDS = [action[0] for action in ACTIONS]
PARAMETERS = ("name", "which", "tail", "data", "who", "effect", "expected")


def _url(cases: Cases, which: str, tail: str) -> str:
    case: Case = getattr(cases, which)
    return f"/cases/{case.reference}/" + tail.replace("{task}", str(cases.task.pk))


def _data(world: World, data: dict[str, str]) -> dict[str, str]:
    return {key: value.format(team=world.information_team.pk) for key, value in data.items()}


@covers(*IDS)
@pytest.mark.parametrize(PARAMETERS, ACTIONS, ids=IDS)
def test_anonymous_people_are_sent_to_sign_in_and_nothing_changes(
    world: World,
    cases: Cases,
    name: str,
    which: str,
    tail: str,
    data: dict[str, str],
    who: str,
    effect: Effect,
    expected: object,
) -> None:
    before = _state(getattr(cases, which))
    response = Client().post(_url(cases, which, tail), _data(world, data))
    assert (response.status_code, response["Location"].startswith("/sign-in/")) == (302, True)
    assert _state(getattr(cases, which)) == before


@pytest.mark.parametrize(PARAMETERS, ACTIONS, ids=IDS)
def test_another_organisations_staff_get_404_and_nothing_changes(
    world: World,
    cases: Cases,
    partner: Organisation,
    partner_advisor: User,
    client_for: ClientFor,
    name: str,
    which: str,
    tail: str,
    data: dict[str, str],
    who: str,
    effect: Effect,
    expected: object,
) -> None:
    partner_manager = core_factories.staff(partner, RoleCode.MANAGER, username="partner.manager")
    before = _state(getattr(cases, which))
    for user in (partner_advisor, partner_manager):
        response = client_for(user).post(_url(cases, which, tail), _data(world, data))
        assert response.status_code == 404
    assert _state(getattr(cases, which)) == before


@pytest.mark.parametrize(PARAMETERS, ACTIONS, ids=IDS)
def test_a_role_without_the_permission_gets_403_and_nothing_changes(
    world: World,
    cases: Cases,
    advisor: User,
    auditor: User,
    client_for: ClientFor,
    name: str,
    which: str,
    tail: str,
    data: dict[str, str],
    who: str,
    effect: Effect,
    expected: object,
) -> None:
    # The officer works cases but does not handle statutory requests; advisors and the auditor
    # do neither.
    refused = [advisor, auditor] + ([world.officer] if who == "handler" else [])
    before = _state(getattr(cases, which))
    for user in refused:
        response = client_for(user).get(_url(cases, which, tail))  # the action's page
        assert response.status_code == 403
        response = client_for(user).post(_url(cases, which, tail), _data(world, data))
        assert response.status_code == 403, user.username
    assert _state(getattr(cases, which)) == before


@pytest.mark.parametrize(PARAMETERS, ACTIONS, ids=IDS)
def test_the_allowed_role_succeeds_with_the_effect(
    world: World,
    cases: Cases,
    client_for: ClientFor,
    name: str,
    which: str,
    tail: str,
    data: dict[str, str],
    who: str,
    effect: Effect,
    expected: object,
) -> None:
    user = world.officer if who == "officer" else cases.handler
    case: Case = getattr(cases, which)
    response = client_for(user).post(_url(cases, which, tail), _data(world, data))
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.reference}/")
    case.refresh_from_db()
    assert effect(cases, case) == expected

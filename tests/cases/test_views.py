"""Pages: the permission matrix for every page, partner separation, councillors' own enquiries,
the queue's order, filters and counts, raising a case from the desk, and refused input."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from onestop.cases import queries, services
from onestop.cases.models import Case, CaseLink, CaseNote, Status
from onestop.core import services as core_services
from onestop.core.models import Organisation, RoleCode, User
from tests import factories as core_factories
from tests.cases import factories
from tests.cases.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]
LONDON = ZoneInfo("Europe/London")

# (method, path template, data, who may) -- "{ref}" is a case of the world.
PAGES = [
    ("get", "/queues/", {}, "officer"),
    ("get", "/queues/export.csv", {}, "leader_export"),
    ("get", "/cases/{ref}/", {}, "advisor"),
    ("get", "/cases/new/", {}, "advisor"),
    ("get", "/enquiries/", {}, "councillor"),
    ("post", "/cases/{ref}/status/", {"status-status": "in-progress"}, "officer"),
    ("post", "/cases/{ref}/notes/", {"note-kind": "internal", "note-text": "Hi"}, "officer"),
    ("post", "/cases/{ref}/assign/", {"assign-reason": "x", "assign-team": "{team}",
                                      "assign-assignee": "{officer}"}, "leader"),
    ("post", "/cases/{ref}/close/", {"close-outcome": "resolved", "close-resolution": "Done",
                                     "close-finish": "closed"}, "officer"),
    ("post", "/cases/{ref}/claim/", {}, "officer"),
    ("post", "/cases/{ref}/links/", {"link-kind": "related-to", "link-other": "{other}"},
     "officer"),
]  # fmt: skip
IDS = [f"{method} {path}" for method, path, _d, _w in PAGES]


def _path(template: str, case: Case) -> str:
    return template.replace("{ref}", case.reference)


@pytest.fixture
def case(world: World) -> Case:
    return factories.raise_case(world.organisation, by=world.officer)


@pytest.mark.parametrize(("method", "path", "data", "who"), PAGES, ids=IDS)
def test_anonymous_people_are_sent_to_sign_in(
    case: Case, method: str, path: str, data: dict[str, str], who: str
) -> None:
    response = getattr(Client(), method)(_path(path, case), data)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(("method", "path", "data", "who"), PAGES, ids=IDS)
def test_partner_staff_get_404_or_403_and_nothing_changes(
    case: Case,
    partner_advisor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    data: dict[str, str],
    who: str,
) -> None:
    response = getattr(client_for(partner_advisor), method)(_path(path, case), data)
    expected = 404 if "{ref}" in path else 403 if path != "/cases/new/" else 200
    assert response.status_code == expected
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.NEW, 1)


@pytest.mark.parametrize(("method", "path", "data", "who"), PAGES, ids=IDS)
def test_the_auditor_may_only_look(
    case: Case,
    auditor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    data: dict[str, str],
    who: str,
) -> None:
    response = getattr(client_for(auditor), method)(_path(path, case), data)
    assert response.status_code == (200 if path == "/cases/{ref}/" else 403)
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.NEW, 1)


def _effect_of(path: str, world: World, case: Case, other: Case, response: Any) -> object:
    """What the allowed role's request did, to compare with ``EFFECTS``."""
    case.refresh_from_db()
    page = response.content.decode("utf-8", "replace")
    effects: dict[str, Callable[[], object]] = {
        "/queues/": lambda: case.reference in page,
        "/queues/export.csv": lambda: page.splitlines()[0].startswith("reference,type,title"),
        "/cases/{ref}/": lambda: case.reference in page,
        "/cases/new/": lambda: world.missed_bin in response.context["types"],
        "/enquiries/": lambda: response.context["rows"] is not None,
        "/cases/{ref}/status/": lambda: case.status,
        "/cases/{ref}/notes/": lambda: list(
            CaseNote.objects.for_organisation(world.organisation)
            .filter(case=case)
            .values_list("kind", "text")
        ),
        "/cases/{ref}/assign/": lambda: (case.team_id, case.assignee_id),
        "/cases/{ref}/close/": lambda: (case.status, case.outcome),
        "/cases/{ref}/claim/": lambda: case.assignee_id,
        "/cases/{ref}/links/": lambda: list(
            CaseLink.objects.for_organisation(world.organisation).values_list(
                "case_id", "linked_case_id"
            )
        ),
    }
    return effects[path]()


def _expected_effect(path: str, world: World, case: Case, other: Case) -> object:
    return {
        "/queues/": True,
        "/queues/export.csv": True,
        "/cases/{ref}/": True,
        "/cases/new/": True,
        "/enquiries/": True,
        "/cases/{ref}/status/": Status.IN_PROGRESS,
        "/cases/{ref}/notes/": [("internal", "Hi")],
        "/cases/{ref}/assign/": (world.crews.pk, world.other_officer.pk),
        "/cases/{ref}/close/": (Status.CLOSED, "resolved"),
        "/cases/{ref}/claim/": world.officer.pk,
        "/cases/{ref}/links/": [(case.pk, other.pk)],
    }[path]


@covers(
    "cases:queues",
    "cases:queue-export",
    "cases:case",
    "cases:raise",
    "cases:member",
    "cases:case-status",
    "cases:case-note",
    "cases:case-assign",
    "cases:case-close",
    "cases:case-claim",
    "cases:case-link",
)
@pytest.mark.parametrize(("method", "path", "data", "who"), PAGES, ids=IDS)
def test_the_allowed_role_succeeds_with_the_effect(
    world: World,
    case: Case,
    advisor: User,
    councillor: User,
    client_for: ClientFor,
    method: str,
    path: str,
    data: dict[str, str],
    who: str,
) -> None:
    people = {
        "officer": world.officer,
        "leader": world.leader,
        "leader_export": world.head,
        "advisor": advisor,
        "councillor": councillor,
    }
    other = factories.raise_case(world.organisation, by=world.officer, title="Another bin")
    filled = {
        key: value.format(
            team=world.crews.pk, officer=world.other_officer.pk, other=other.reference
        )
        for key, value in data.items()
    }
    response = getattr(client_for(people[who]), method)(_path(path, case), filled)
    assert response.status_code == (200 if method == "get" else 302)
    assert _effect_of(path, world, case, other, response) == _expected_effect(
        path, world, case, other
    )


def test_partner_staff_cannot_find_the_councils_cases_by_search_or_queue(
    world: World, case: Case, partner_advisor: User, client_for: ClientFor
) -> None:
    client = client_for(partner_advisor)
    assert client.get(f"/cases/{case.reference.lower()}/").status_code == 404
    assert client.get("/cases/SR-26-ZZZZZ/").status_code == 404


def test_councillors_see_their_own_enquiries_and_nothing_else(
    world: World, case: Case, councillor: User, client_for: ClientFor
) -> None:
    client = client_for(councillor)
    response = client.post(
        "/cases/new/",
        {"title": "Pothole on Mill Lane", "constituent_name": "Pat Jones", "postcode": "HP20 1UB"},
    )
    assert response.status_code == 302
    mine = Case.objects.for_organisation(world.organisation).get(councillor=councillor)
    assert (mine.kind, mine.constituent_name, mine.team) == (
        "councillor-enquiry",
        "Pat Jones",
        world.members_team,
    )
    page = client.get("/enquiries/")
    assert mine.reference in page.content.decode()
    assert case.reference not in page.content.decode()
    assert client.get(f"/cases/{mine.reference}/").status_code == 200
    assert client.get(f"/cases/{case.reference}/").status_code == 404
    assert client.get("/queues/").status_code == 403
    assert client.post(f"/cases/{mine.reference}/close/", {}).status_code == 403


def test_a_councillor_enquiry_needs_the_constituent(
    world: World, councillor: User, client_for: ClientFor
) -> None:
    response = client_for(councillor).post("/cases/new/", {"title": "Pothole"})
    assert response.status_code == 400
    assert (
        "Enter constituent" in response.content.decode()
        or "error-summary" in response.content.decode()
    )
    assert Case.objects.for_organisation(world.organisation).count() == 0


def test_the_queue_lists_overdue_first_then_soonest_with_counts_and_badges(
    world: World, client_for: ClientFor
) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False):
        old = factories.raise_case(world.organisation, title="Old")
    with time_machine.travel(datetime.datetime(2026, 3, 20, 10, tzinfo=LONDON), tick=False):
        new = factories.raise_case(world.organisation, title="New")
        soon = factories.raise_case(world.organisation, title="Soon")
        services.change_status(soon, by=None, status=Status.IN_PROGRESS)
    with time_machine.travel(datetime.datetime(2026, 3, 19, 10, tzinfo=LONDON), tick=False):
        middle = factories.raise_case(world.organisation, title="Middle")
        services.assign_case(middle, by=None, assignee=world.officer)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 12, tzinfo=LONDON), tick=False):
        page = client_for(world.officer).get("/queues/")
        mine = client_for(world.officer).get("/queues/?mine=on")
        filtered = client_for(world.officer).get("/queues/?status=in-progress")
    body = page.content.decode()
    order = [body.index(c.reference) for c in (old, middle, new)]
    assert order == sorted(order)
    assert page.context["queue"].counts.total == 4
    assert page.context["queue"].counts.overdue == 1
    assert page.context["queue"].counts.unassigned == 3
    assert "moj-badge--red" in body
    assert [c.reference for c in mine.context["queue"].cases] == [middle.reference]
    assert [c.reference for c in filtered.context["queue"].cases] == [soon.reference]


def test_any_team_shows_every_team_the_user_may_see(world: World, client_for: ClientFor) -> None:
    bin_case = factories.raise_case(world.organisation, title="Missed bin")
    foi = services.raise_case(
        world.organisation, by=None, case_type_code="foi", title="Agency spending"
    )
    client = client_for(world.officer)
    own = client.get("/queues/")  # opens on the officer's own team (Collection crews)
    any_team = client.get("/queues/?team=&status=&case_type=&assignee=&due_within=&ward=")
    information = client.get(f"/queues/?team={world.information_team.pk}")
    assert [row.reference for row in own.context["queue"].cases] == [bin_case.reference]
    assert {row.reference for row in any_team.context["queue"].cases} == {
        bin_case.reference,
        foi.reference,
    }
    assert any_team.context["queue"].counts.total == 2
    assert [row.reference for row in information.context["queue"].cases] == [foi.reference]


def test_the_queue_of_another_organisations_team_is_404(
    world: World, partner_advisor: User, client_for: ClientFor, team_leader: User
) -> None:
    assert client_for(world.officer).get("/queues/?team=999999").status_code == 404
    assert client_for(world.officer).get(f"/queues/?team={world.crews.pk}").status_code == 200


def test_the_raise_form_is_prefilled_from_the_desk(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    customer = factories.customer(world.organisation)
    client = client_for(advisor)
    choose = client.get(f"/cases/new/?customer={customer.pk}")
    assert f"customer={customer.pk}&amp;type=missed-bin" in choose.content.decode()
    response = client.post(
        f"/cases/new/?customer={customer.pk}&type=missed-bin",
        {"title": "Missed bin", "attribute_bin": "blue"},
    )
    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert (case.customer, case.raised_by) == (customer, advisor)


def test_an_unknown_type_or_missing_answer_is_shown_in_an_error_summary(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    client = client_for(advisor)
    assert client.get("/cases/new/?type=nonsense").status_code == 400
    response = client.post("/cases/new/?type=missed-bin", {"title": "Missed bin"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert Case.objects.for_organisation(world.organisation).count() == 0


def test_a_partner_cannot_raise_a_case_for_the_councils_customer(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    customer = factories.customer(world.organisation)
    assert client_for(partner_advisor).get(f"/cases/new/?customer={customer.pk}").status_code == 404


def test_a_stale_status_change_on_the_page_is_refused_with_a_message(
    world: World, case: Case, client_for: ClientFor
) -> None:
    services.update_case(case, by=None, expected_version=1, title="Changed")
    response = client_for(world.officer).post(
        f"/cases/{case.reference}/status/", {"status-status": "in-progress", "status-version": "1"}
    )
    assert response.status_code == 400
    assert "Someone else changed case" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_the_export_escapes_formulas_and_is_audited(world: World, client_for: ClientFor) -> None:
    factories.raise_case(world.organisation, title="=HYPERLINK(1)")
    response = client_for(world.head).get(f"/queues/export.csv?team={world.crews.pk}")
    assert response.status_code == 200
    assert "'=HYPERLINK(1)" in response.content.decode()


# --- the queue's rows and its statements, compiled once per shape ------------------------------
def _refs(user: User, **filters: object) -> list[str]:
    queue = queries.queue_for(user, queries.QueueFilters(**filters))  # type: ignore[arg-type]
    return [row.reference for row in queue.cases]


def test_queue_rows_show_what_the_case_shows(world: World) -> None:
    world.officer.first_name, world.officer.last_name = "Olive", "Officer"
    world.officer.save()
    unassigned = factories.raise_case(world.organisation, title="Bin not emptied")
    assigned = factories.raise_case(world.organisation, title="Lid broken")
    services.assign_case(assigned, by=None, assignee=world.officer)
    services.change_status(assigned, by=None, status=Status.WAITING_FOR_CUSTOMER)
    rows = {
        row.reference: row
        for row in queries.queue_for(
            world.leader, queries.QueueFilters(team_id=world.crews.pk)
        ).cases
    }
    for case in (unassigned, assigned):
        case = Case.objects.for_organisation(world.organisation).get(pk=case.pk)
        row = rows[case.reference]
        assert (row.pk, row.title, row.status, row.due_at) == (
            case.pk,
            case.title,
            case.status,
            case.due_at,
        )
        assert str(row.status_label) == case.get_status_display()
        assert row.type_name == case.case_type.name
        assert row.assignee_name == (case.assignee.display_name if case.assignee else "")
        assert row.is_clock_paused == case.is_clock_paused
    assert rows[assigned.reference].assignee_name == "Olive Officer"
    assert rows[assigned.reference].is_clock_paused
    assert rows[unassigned.reference].assignee_name == ""


def test_one_compiled_queue_shape_answers_each_team_assignee_and_deadline_with_its_own(
    world: World,
) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False):
        early = factories.raise_case(world.organisation, title="Early")  # due 16 March
    with time_machine.travel(datetime.datetime(2026, 3, 9, 10, tzinfo=LONDON), tick=False):
        late = factories.raise_case(world.organisation, title="Late")  # due 23 March
        north = factories.raise_case(world.organisation, title="North")
        factories.member(world.north_crews, world.officer)
        services.assign_case(north, by=None, team=world.north_crews, assignee=world.officer)
    leader = world.leader
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=LONDON), tick=False):
        assert _refs(leader, team_id=world.crews.pk) == [early.reference, late.reference]
        assert _refs(leader, team_id=world.north_crews.pk) == [north.reference]
        assert _refs(leader, team_id=world.town_crews.pk) == []
        assert _refs(leader, team_id=world.crews.pk, due_within_days=7) == [early.reference]
        assert _refs(leader, team_id=world.crews.pk, due_within_days=14) == [
            early.reference,
            late.reference,
        ]
        assert _refs(leader, assignee_id=world.officer.pk) == [north.reference]
        assert _refs(leader, assignee_id=world.other_officer.pk) == []
        queue = queries.queue_for(leader, queries.QueueFilters(team_id=world.north_crews.pk))
        assert (queue.counts.total, queue.counts.unassigned) == (1, 0)
    with time_machine.travel(datetime.datetime(2026, 3, 17, 10, tzinfo=LONDON), tick=False):
        # The same shape later: the time moved on, so the counts did too.
        queue = queries.queue_for(leader, queries.QueueFilters(team_id=world.crews.pk))
        assert (queue.counts.total, queue.counts.overdue) == (2, 1)
        assert [row.overdue for row in queue.cases] == [True, False]


def test_a_queue_never_answers_with_another_users_or_organisations_cases(
    world: World, partner: Organisation
) -> None:
    case = factories.raise_case(world.organisation)
    assert _refs(world.leader, team_id=world.crews.pk) == [case.reference]
    partner_leader = core_factories.staff(partner, RoleCode.TEAM_LEADER, username="p.leader")
    queue = queries.queue_for(partner_leader, queries.QueueFilters(team_id=world.crews.pk))
    assert (queue.cases, queue.counts.total) == ([], 0)
    # Mine is the user's own: the leader's compiled "mine" never answers for the officer.
    services.assign_case(case, by=None, assignee=world.leader)
    assert _refs(world.leader, mine=True) == [case.reference]
    assert _refs(world.officer, mine=True) == []
    # Roles taken away: nothing, at once.
    core_services.set_user_roles(world.leader, by=None, role_codes=[])
    leader = User.objects.get(pk=world.leader.pk)
    queue = queries.queue_for(leader, queries.QueueFilters(team_id=world.crews.pk))
    assert (queue.cases, queue.counts.total) == ([], 0)


@pytest.mark.parametrize(
    "ward",
    ["x' OR '1'='1", "%", "_", "\\", "North" * 1000, "\x00"],
    ids=["quote", "percent", "underscore", "backslash", "oversized", "nul"],
)
def test_a_hostile_ward_filter_matches_only_that_ward(world: World, ward: str) -> None:
    case = factories.raise_case(world.organisation, ward="North")
    assert _refs(world.leader, ward="north") == [case.reference]
    assert _refs(world.leader, ward=ward) == []


def test_malformed_queue_filters_are_ignored_not_errors(
    world: World, client_for: ClientFor
) -> None:
    case = factories.raise_case(world.organisation)
    client = client_for(world.officer)
    for query in (
        "due_within=-1",
        "due_within=99999999999999999999",
        "assignee=-2100000001",
        "case_type=1e9",
        f"ward={'x' * 5000}",
        "status=%00",
    ):
        response = client.get(f"/queues/?{query}")
        assert response.status_code == 200, query
    assert case.reference in client.get("/queues/?due_within=abc").content.decode()


@pytest.mark.parametrize(
    "other",
    ["", "SR-26-ZZZZZ", "x' OR '1'='1", "S" * 5000, "\x00"],
    ids=["empty", "unknown", "quote", "oversized", "nul"],
)
def test_linking_to_a_reference_that_is_not_a_visible_case_is_refused(
    world: World, case: Case, client_for: ClientFor, other: str
) -> None:
    response = client_for(world.officer).post(
        f"/cases/{case.reference}/links/", {"link-kind": "related-to", "link-other": other}
    )
    assert response.status_code == 400
    assert CaseLink.objects.for_organisation(world.organisation).count() == 0


def test_a_case_is_linked_by_its_reference_in_any_case_but_not_another_organisations(
    world: World, case: Case, partner: Organisation, client_for: ClientFor
) -> None:
    other = factories.raise_case(world.organisation, title="Same bin again")
    client = client_for(world.officer)
    data = {"link-kind": "related-to", "link-other": f" {other.reference.lower()} "}
    assert client.post(f"/cases/{case.reference}/links/", data).status_code == 302
    assert CaseLink.objects.for_organisation(world.organisation).count() == 1
    partner_user = core_factories.staff(partner, RoleCode.TEAM_LEADER, username="p.leader")
    assert queries.case_by_reference(partner_user, other.reference) is None

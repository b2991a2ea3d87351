"""Staff pages: the permission matrix for every page, and what each page shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.directory.models import AccessPoint, AccessPointKind, OpeningSession, Service, Team
from tests.directory.conftest import World, snapshot
from tests.govuk_dates import date_input
from tests.matrix import covers

ClientFor = Callable[[User], Client]
UrlOf = Callable[[World, User], str]

# Pages every member of staff with directory.view may open.
VIEW_PAGES: list[tuple[str, UrlOf]] = [
    ("service", lambda w, u: f"/directory/services/{w.service.pk}/"),
    ("team", lambda w, u: f"/directory/teams/{w.team.pk}/"),
    ("access point", lambda w, u: f"/directory/access-points/{w.point.pk}/"),
]
LIST_PAGES: list[tuple[str, UrlOf]] = [
    ("home", lambda w, u: "/directory/"),
    ("services", lambda w, u: "/directory/services/"),
    ("teams", lambda w, u: "/directory/teams/"),
    ("staff", lambda w, u: "/directory/staff/"),
    ("access points", lambda w, u: "/directory/access-points/"),
    ("export", lambda w, u: "/directory/export.csv"),
]
# Forms only administrators (directory.manage) may open, on one council object each.
MANAGE_OBJECT_PAGES: list[tuple[str, UrlOf]] = [
    ("service edit", lambda w, u: f"/directory/services/{w.service.pk}/edit/"),
    ("team edit", lambda w, u: f"/directory/teams/{w.team.pk}/edit/"),
    ("member add", lambda w, u: f"/directory/teams/{w.team.pk}/members/add/"),
    ("staff roles", lambda w, u: f"/directory/staff/{w.membership.user_id}/roles/"),
    ("point edit", lambda w, u: f"/directory/access-points/{w.point.pk}/edit/"),
    ("session add", lambda w, u: f"/directory/access-points/{w.point.pk}/sessions/add/"),
    ("exception add", lambda w, u: f"/directory/access-points/{w.point.pk}/exceptions/add/"),
    ("ooh add", lambda w, u: f"/directory/access-points/{w.point.pk}/out-of-hours/add/"),
    (
        "ooh edit",
        lambda w, u: f"/directory/access-points/{w.point.pk}/out-of-hours/{w.arrangement.pk}/edit/",
    ),
    ("share add", lambda w, u: f"/directory/access-points/{w.point.pk}/shares/add/"),
]
MANAGE_CREATE_PAGES: list[tuple[str, UrlOf]] = [
    ("organisation edit", lambda w, u: "/directory/organisation/edit/"),
    ("service create", lambda w, u: "/directory/services/new/"),
    ("team create", lambda w, u: "/directory/teams/new/"),
    ("point create", lambda w, u: "/directory/access-points/new/"),
]
REMOVALS: list[tuple[str, UrlOf]] = [
    (
        "member remove",
        lambda w, u: f"/directory/teams/{w.team.pk}/members/{w.membership.pk}/remove/",
    ),
    (
        "session remove",
        lambda w, u: f"/directory/access-points/{w.point.pk}/sessions/{w.session.pk}/remove/",
    ),
    (
        "exception remove",
        lambda w, u: f"/directory/access-points/{w.point.pk}/exceptions/{w.exception.pk}/remove/",
    ),
    (
        "ooh remove",
        lambda w, u: (
            f"/directory/access-points/{w.point.pk}/out-of-hours/{w.arrangement.pk}/remove/"
        ),
    ),
]
SHARE_REMOVAL: list[tuple[str, UrlOf]] = [
    (
        "share remove",
        lambda w, u: f"/directory/access-points/{w.shared_point.pk}/shares/{w.share.pk}/remove/",
    ),
]
HOSTILE_POST = {
    "name": "Hijacked",
    "description": "x",
    "kind": "web",
    "weekday": "2",
    "opens": "10:00",
    "closes": "11:00",
    **date_input("date", "01/01/2027"),
    "reason": "x",
    "sessions": "",
    "title": "Hijack",
    "contact": "x",
    "starts_weekday": "0",
    "starts_at": "1:00",
    "ends_weekday": "0",
    "ends_at": "2:00",
    "type": "police",
    "nation": "wales",
    "roles": ["administrator"],
}


def _ids(pages: list[tuple[str, UrlOf]]) -> list[str]:
    return [name for name, _url in pages]


def _urls(pages: list[tuple[str, UrlOf]]) -> list[UrlOf]:
    return [url for _name, url in pages]


ALL_PAGES = VIEW_PAGES + LIST_PAGES + MANAGE_OBJECT_PAGES + MANAGE_CREATE_PAGES
ALL_REMOVALS = REMOVALS + SHARE_REMOVAL


# --- anonymous ----------------------------------------------------------------------------------
@pytest.mark.parametrize("url", _urls(ALL_PAGES + ALL_REMOVALS), ids=_ids(ALL_PAGES + ALL_REMOVALS))
@covers(
    "directory:service-detail",
    "directory:team-detail",
    "directory:access-point-detail",
    "directory:home",
    "directory:services",
    "directory:teams",
    "directory:staff",
    "directory:access-points",
    "directory:export",
    "directory:service-edit",
    "directory:team-edit",
    "directory:team-member-add",
    "directory:staff-roles",
    "directory:access-point-edit",
    "directory:session-add",
    "directory:exception-add",
    "directory:out-of-hours-add",
    "directory:out-of-hours-edit",
    "directory:share-add",
    "directory:organisation-edit",
    "directory:service-create",
    "directory:team-create",
    "directory:access-point-create",
    "directory:team-member-remove",
    "directory:session-remove",
    "directory:exception-remove",
    "directory:out-of-hours-remove",
    "directory:share-remove",
)
def test_anonymous_visitors_are_sent_to_sign_in(world: World, advisor: User, url: UrlOf) -> None:
    before = snapshot()
    path = url(world, advisor)
    response = Client().post(path, HOSTILE_POST)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert snapshot() == before


# --- another organisation: 404 ------------------------------------------------------------------
@pytest.mark.parametrize("url", _urls(VIEW_PAGES), ids=_ids(VIEW_PAGES))
def test_partner_staff_get_404_for_the_councils_objects(
    world: World, partner_advisor: User, client_for: ClientFor, url: UrlOf
) -> None:
    assert client_for(partner_advisor).get(url(world, partner_advisor)).status_code == 404


@pytest.mark.parametrize(
    "url", _urls(MANAGE_OBJECT_PAGES + REMOVALS), ids=_ids(MANAGE_OBJECT_PAGES + REMOVALS)
)
def test_partner_administrators_get_404_and_change_nothing(
    world: World, partner_administrator: User, client_for: ClientFor, url: UrlOf
) -> None:
    before = snapshot()
    response = client_for(partner_administrator).post(
        url(world, partner_administrator), HOSTILE_POST
    )
    assert response.status_code == 404
    assert snapshot() == before


# --- same organisation without the permission: 403 ----------------------------------------------
@pytest.mark.parametrize("url", _urls(VIEW_PAGES + LIST_PAGES), ids=_ids(VIEW_PAGES + LIST_PAGES))
def test_staff_without_the_directory_get_403(
    world: World, councillor: User, client_for: ClientFor, url: UrlOf
) -> None:
    before = snapshot()
    assert client_for(councillor).get(url(world, councillor)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    _urls(MANAGE_OBJECT_PAGES + MANAGE_CREATE_PAGES + ALL_REMOVALS),
    ids=_ids(MANAGE_OBJECT_PAGES + MANAGE_CREATE_PAGES + ALL_REMOVALS),
)
def test_advisors_cannot_change_the_directory(
    world: World, advisor: User, client_for: ClientFor, url: UrlOf
) -> None:
    before = snapshot()
    response = client_for(advisor).post(url(world, advisor), HOSTILE_POST)
    assert response.status_code == 403
    assert snapshot() == before


# --- allowed: 200 -------------------------------------------------------------------------------
@pytest.mark.parametrize("url", _urls(VIEW_PAGES + LIST_PAGES), ids=_ids(VIEW_PAGES + LIST_PAGES))
def test_advisors_can_read_the_directory(
    world: World, advisor: User, client_for: ClientFor, url: UrlOf
) -> None:
    assert client_for(advisor).get(url(world, advisor)).status_code == 200


@pytest.mark.parametrize(
    "url",
    _urls(MANAGE_OBJECT_PAGES + MANAGE_CREATE_PAGES),
    ids=_ids(MANAGE_OBJECT_PAGES + MANAGE_CREATE_PAGES),
)
def test_administrators_can_open_every_form(
    world: World, administrator: User, client_for: ClientFor, url: UrlOf
) -> None:
    response = client_for(administrator).get(url(world, administrator))
    assert response.status_code == 200
    assert b'<form method="post" novalidate>' in response.content


@pytest.mark.parametrize("url", _urls(ALL_REMOVALS), ids=_ids(ALL_REMOVALS))
def test_removals_refuse_get(
    world: World, administrator: User, client_for: ClientFor, url: UrlOf
) -> None:
    assert client_for(administrator).get(url(world, administrator)).status_code == 405


def test_administrator_removes_a_session(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/directory/access-points/{world.point.pk}/sessions/{world.session.pk}/remove/"
    )
    assert response.status_code == 302
    assert list(OpeningSession.objects.for_user(administrator)) == []


# --- shared access points -----------------------------------------------------------------------
def test_partner_staff_see_a_shared_access_point_read_only(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    page = client_for(partner_advisor).get(f"/directory/access-points/{world.shared_point.pk}/")
    assert page.status_code == 200
    assert b"shared with your organisation" in page.content
    assert b"Add opening hours" not in page.content


@pytest.mark.parametrize(
    "url",
    [
        lambda w: f"/directory/access-points/{w.shared_point.pk}/edit/",
        lambda w: f"/directory/access-points/{w.shared_point.pk}/sessions/add/",
        lambda w: f"/directory/access-points/{w.shared_point.pk}/shares/{w.share.pk}/remove/",
    ],
    ids=["edit", "session add", "share remove"],
)
def test_partner_administrators_cannot_change_a_shared_access_point(
    world: World,
    partner_administrator: User,
    client_for: ClientFor,
    url: Callable[[World], str],
) -> None:
    before = snapshot()
    response = client_for(partner_administrator).post(url(world), HOSTILE_POST)
    assert response.status_code == 403
    assert snapshot() == before


def test_the_partners_access_point_list_holds_its_own_and_shared_points_only(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    page = client_for(partner_advisor).get("/directory/access-points/").content.decode()
    assert "Housing Office" in page
    assert "Buckingham One-Stop Shop" in page
    assert "Winslow Area Office" not in page


# --- search and export --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "found"),
    [("tax", ["Council Tax"]), ("57", ["Council Tax"]), ("524", []), ("Tenancy", [])],
)
def test_service_search_finds_by_name_or_lgsl_code_in_the_users_organisation(
    world: World, advisor: User, client_for: ClientFor, query: str, found: list[str]
) -> None:
    response = client_for(advisor).get("/directory/services/", {"q": query})
    assert [service.name for service in response.context["services"]] == found


def test_partner_search_never_finds_council_services(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    response = client_for(partner_advisor).get("/directory/services/", {"q": "Council"})
    assert list(response.context["services"]) == []
    assert b"Council Tax" not in response.content


def _export(client: Client) -> list[list[str]]:
    response = client.get("/directory/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_export_lists_the_organisations_services_and_points_and_is_audited(
    world: World, advisor: User, client_for: ClientFor, council: Organisation
) -> None:
    rows = _export(client_for(advisor))
    assert [row[:3] for row in rows] == [
        ["record", "id", "name"],
        ["service", str(world.service.pk), "Council Tax"],
        ["access-point", str(world.shared_point.pk), "Buckingham One-Stop Shop"],
        ["access-point", str(world.point.pk), "Winslow Area Office"],
    ]
    exported = AuditRecord.objects.for_organisation(council).filter(action=AuditAction.EXPORTED)
    assert list(exported.values_list("actor__username", "changes")) == [
        ("advisor", {"services": 1, "access_points": 2})
    ]


def test_the_partners_export_holds_nothing_of_the_council(
    world: World, partner_advisor: User, client_for: ClientFor
) -> None:
    rows = _export(client_for(partner_advisor))
    assert [row[2] for row in rows] == ["name", "Tenancy Services", "Housing Office"]


def test_the_export_defuses_spreadsheet_formulas(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    client.post("/directory/services/new/", {"name": "=HYPERLINK(1)", "description": ""})
    rows = _export(client)
    assert rows[1][2] == "'=HYPERLINK(1)"


# --- forms --------------------------------------------------------------------------------------
def test_an_administrator_adds_a_service_with_an_lgsl_code(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        "/directory/services/new/", {"name": "Bins", "lgsl_code": "524", "description": "Weekly"}
    )
    service = Service.objects.for_user(administrator).get(name="Bins")
    assert response.status_code == 302
    assert response["Location"] == f"/directory/services/{service.pk}/"
    assert (service.lgsl.code if service.lgsl else None, service.description) == (524, "Weekly")


def test_a_new_team_and_a_new_access_point_open_on_their_own_pages(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    team_response = client.post(
        "/directory/teams/new/", {"service": world.service.pk, "name": "Night shift"}
    )
    point_response = client.post(
        "/directory/access-points/new/",
        {"kind": AccessPointKind.AREA_OFFICE, "name": "Wendover Office", "address": "Wendover"},
    )
    team = Team.objects.for_user(administrator).get(name="Night shift")
    point = AccessPoint.objects.for_user(administrator).get(name="Wendover Office")
    assert (team_response.status_code, team_response["Location"]) == (
        302,
        f"/directory/teams/{team.pk}/",
    )
    assert (point_response.status_code, point_response["Location"]) == (
        302,
        f"/directory/access-points/{point.pk}/",
    )


def test_an_unknown_lgsl_code_is_shown_as_an_error_and_changes_nothing(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    before = snapshot()
    response = client_for(administrator).post(
        "/directory/services/new/", {"name": "Bins", "lgsl_code": "99999"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_lgsl_code"' in page
    assert "unknown codes are refused" in page
    assert (
        'class="govuk-input govuk-input--width-5 govuk-input--error" '
        'aria-describedby="id_lgsl_code-hint id_lgsl_code-error"'
    ) in page
    assert snapshot() == before


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        ("25:00", "26:00", "Enter a real time"),
        ("9.60", "10:00", "Enter a real time"),
        ("noon", "13:00", "Enter a real time"),
        ("14:00", "13:00", "The closing time must be after the opening time"),
        ("12:00", "12:00", "The closing time must be after the opening time"),
        ("8:00", "9:30", "Sessions on the same day must not overlap"),
    ],
)
def test_bad_opening_hours_are_refused_with_a_clear_message(
    world: World, administrator: User, client_for: ClientFor, opens: str, closes: str, message: str
) -> None:
    before = snapshot()
    response = client_for(administrator).post(
        f"/directory/access-points/{world.point.pk}/sessions/add/",
        {"weekday": "0", "opens": opens, "closes": closes},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert snapshot() == before


def test_an_afternoon_session_is_added_beside_the_morning_one(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/directory/access-points/{world.point.pk}/sessions/add/",
        {"weekday": "0", "opens": "2pm", "closes": "4.30pm"},
    )
    assert response.status_code == 302
    page = client_for(administrator).get(f"/directory/access-points/{world.point.pk}/")
    assert "9am to 1pm" in page.content.decode()
    assert "2pm to 4:30pm" in page.content.decode()


def test_a_date_exception_with_overlapping_sessions_is_refused(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    before = snapshot()
    response = client_for(administrator).post(
        f"/directory/access-points/{world.point.pk}/exceptions/add/",
        {
            **date_input("date", "31/12/2026"),
            "reason": "New Year's Eve",
            "sessions": "9-12, 11-13",
        },
    )
    assert response.status_code == 400
    assert "must not overlap" in response.content.decode()
    assert snapshot() == before


def test_an_administrator_edits_their_own_organisation(
    world: World, administrator: User, client_for: ClientFor, council: Organisation
) -> None:
    response = client_for(administrator).post(
        "/directory/organisation/edit/",
        {
            "name": "Test District Council",
            "type": "district-council",
            "nation": "england",
            "branding_text": "Here to help",
        },
    )
    council.refresh_from_db()
    assert response.status_code == 302
    assert council.branding_text == "Here to help"


def test_an_administrator_changes_a_members_roles(
    world: World, administrator: User, advisor: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/directory/staff/{advisor.pk}/roles/", {"roles": ["advisor", "team-leader"]}
    )
    assert response.status_code == 302
    assert sorted(advisor.roles.values_list("code", flat=True)) == ["advisor", "team-leader"]


def test_the_staff_list_shows_roles_and_teams_of_the_organisation_only(
    world: World, advisor: User, partner_advisor: User, client_for: ClientFor
) -> None:
    page = client_for(advisor).get("/directory/staff/").content.decode()
    assert "Customer service advisor" in page
    assert "Revenues" in page
    assert "partner.advisor" not in page


def test_the_access_point_page_shows_hours_exceptions_and_out_of_hours(
    world: World, advisor: User, client_for: ClientFor
) -> None:
    page = client_for(advisor).get(f"/directory/access-points/{world.point.pk}/").content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Opening hours' in page
    assert "9am to 1pm" in page
    assert "24 December 2026" in page
    assert "Friday 4:45pm to Monday 8:45am" in page
    assert "The Message Pad" in page
    assert "Change access point" not in page


def test_the_partner_cannot_see_the_council_points_in_its_list(
    world: World, partner_advisor: User
) -> None:
    names = list(AccessPoint.objects.for_user(partner_advisor).values_list("name", flat=True))
    assert names == ["Housing Office"]


def test_staff_without_the_directory_get_403_on_a_colleagues_roles(
    world: World, councillor: User, advisor: User, client_for: ClientFor
) -> None:
    before = snapshot()
    response = client_for(councillor).post(
        f"/directory/staff/{advisor.pk}/roles/", {"roles": ["administrator"]}
    )
    assert response.status_code == 403
    assert snapshot() == before

"""The cross-organisation and role walker (issue 11, "Attack tests that stay").

Two organisations, a council and a housing association, each with a member of staff in every
role and one object of every kind (``tests/invariants/world.py``, built once per module).  Then:

* **Pages with an id.** Every URL pattern with a parameter, filled with the ids and references of
  the *other* organisation's objects, requested with GET and with POST (a plausible form body
  naming the other organisation's objects too) by every role of both organisations: the answer
  is 404, 403 or 405, and no row of any table changed.  Anonymous visitors are sent to sign in
  (public pages answer 404 or 405).
* **Pages without an id.** POST to every other page, by every role, with a form body naming the
  other organisation's objects: the answer is the same as for ids that exist nowhere, the other
  organisation's rows are unchanged and no row anywhere points at another organisation's row.
* **API operations.** Every operation of the OpenAPI document, its path, query and body ids
  filled with the other organisation's: 404/403/405 for a path id; for ids in the query or
  the body, the same answer as for ids that exist nowhere, and nothing of the other changed.
* **Roles in the same organisation.** POST to every page and every API write, by every role, on
  its own organisation's objects: a request that wrote something must have passed a check of an
  action that allows a change (not only a ``*.view`` one); the read-only auditor writes nothing.

If a test here fails for a new URL: it could not be filled (add an object and a filler to
``world.py``), or it answers something other than 404/403/405 for another organisation's object
(use ``queries.get_<noun>_for``), or it writes behind a view permission (``require`` the change
permission on POST).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from onestop.api import api
from onestop.core.models import OrganisationType, RoleCode
from tests import factories
from tests.invariants import walking
from tests.invariants.world import ROLES, World, build

PAGES = walking.pages()
WITH_ID = [page for page in PAGES if page.parameters]
WITHOUT_ID = [page for page in PAGES if not page.parameters]

# Public pages addressed by an organisation alone: the slug says whose page it is, and nothing of
# another organisation's is named, so there is no other organisation's object to ask for.
ORGANISATION_PAGES = {
    "portal:report-index": "an organisation's report page",
    # The residents' site (issue 18): each shows the organisation's published information only.
    "portal:start": "an organisation's start page",
    "portal:contact": "an organisation's contact page",
    "portal:accessibility": "an organisation's accessibility statement",
    "portal:privacy": "an organisation's privacy notice",
    "portal:cookies": "an organisation's cookies page",
    "portal:report-received": "the page after a report (shows the session's own report)",
    "portal:report-form": "an organisation's form for one type of case (codes per organisation)",
    # Issue 18 part B: the track page and "Your requests" name no record in their address; what
    # they show needs a reference with its second detail, or a resident session, of that
    # organisation (tests/portal/test_track.py, test_your_requests.py).
    "portal:track": "an organisation's track page (a request needs its reference and detail)",
    "portal:your-requests": "an organisation's 'Your requests' (the resident session's own)",
    "portal:your-requests-sent": "the page after asking for a sign-in link (names nothing)",
    "portal:your-requests-sign-in": "a sign-in link's page (the token is the organisation's)",
    "portal:your-requests-sign-out": "signing out of the resident session (its own)",
    "portal:your-requests-preferences": "the resident session's own contact preferences",
    "portal:report-step": "a page of a long form (codes per organisation; the answers are the "
    "session's own)",
    "portal:report-check": "the check page of a long form (the session's own answers)",
    "cases:disclosure-log": "an organisation's public disclosure log",
    "feedback:public": "an organisation's public feedback form",
    "feedback:public-sent": "the page after feedback is sent (names no record)",
    "feedback:public-question": "a question of an organisation's public feedback form (the "
    "answers are the session's own)",
    "feedback:public-check": "the check page of the public feedback form (the session's own "
    "answers)",
    "feedback:public-legacy": "the old address of an organisation's public feedback form",
    # Addressed by event, channel and language: each administrator's page is their own
    # organisation's template (tests/notify/test_notifycore_pages.py checks the partner's
    # administrator changes nothing of the council's).
    "notify:template": "the user's own organisation's template for an event",
    "notify:template-reset": "the user's own organisation's template for an event",
    # A complaint report by its code: each reader's own organisation's figures
    # (tests/feedback/test_reports.py checks the partner counts only its own).
    "feedback:report": "the user's own organisation's complaint report",
    # The records behind a figure, by kind: each reader's own organisation's records
    # (tests/performance/test_volumes.py checks the partner lists only its own).
    "performance:records": "the user's own organisation's records behind a figure",
    # perf-standards: a registered report's files by its code, each reader's own organisation's
    # figures (tests/performance/test_compliance.py checks the partner counts only its own);
    # an organisation's public performance page.
    "performance:download": "the user's own organisation's report file",
    # A registered report's own page by its code: each reader's own organisation's figures
    # (tests/performance/test_dashboard.py checks the partner sees only its own).
    "performance:report": "the user's own organisation's report page",
    "performance:public": "an organisation's public performance page",
}

# Known defects another engineer is fixing: the integrator removes each entry after merging that
# fix (the test then has to pass: these are strict expected failures).
KNOWN_DEFECTS: dict[str, str] = {}

NOWHERE = 987_654_321  # an id no object has
SIGN_IN = "/sign-in/"


@pytest.fixture(scope="module")
def worlds(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, World]]:
    """The council and the partner, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = {
            "council": build("walk-council", OrganisationType.DISTRICT_COUNCIL),
            "partner": build(
                "walk-housing", OrganisationType.HOUSING_ASSOCIATION, skip_references=5
            ),
        }
        yield built
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def signed_in(
    worlds: dict[str, World], django_db_blocker: Any
) -> dict[tuple[str, str], tuple[Client, str]]:
    """A signed-in, verified client for every role of both organisations, with its session."""
    made = {}
    with django_db_blocker.unblock():
        for side, world in worlds.items():
            for role, user in world.staff.items():
                client = Client()
                factories.sign_in_verified(client, user)
                made[side, role] = (client, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return made


@pytest.fixture
def clients(
    signed_in: dict[tuple[str, str], tuple[Client, str]],
) -> dict[tuple[str, str], Client]:
    """The clients, each back on its signed-in session (a walked sign-out page replaces the
    session cookie; the database side of every test is rolled back)."""
    for client, session_key in signed_in.values():
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return {key: client for key, (client, _session_key) in signed_in.items()}


SIDES = (("council", "partner"), ("partner", "council"))


def _form_body(victim: World) -> dict[str, Any]:
    """A plausible form body for any page, naming ``victim``'s objects wherever an id goes."""
    ids = victim.ids
    return {
        "customer": ids["customer_id"],
        "customer_id": ids["customer_id"],
        "kept": ids["customer_id"],
        "other": ids["reference"],
        "reference": ids["reference"],
        "team": ids["team_id"],
        "default_team": ids["team_id"],
        "assignee": victim.staff[RoleCode.ADVISOR].pk,
        "user": victim.staff[RoleCode.ADVISOR].pk,
        "staff": victim.staff[RoleCode.ADVISOR].pk,
        "service": ids["service_id"],
        "access_point": ids["access_point_id"],
        "organisation": victim.organisation.pk,
        "case_type": ids["type_code"],
        "reason": ids["reason_id"],
        "repeat_of": ids["contact_id"],
        "about_reference": ids["reference"],
        "mailbox": ids["mailbox_id"],
        "title": "Walker",
        "description": "Walker",
        "text": "Walker",
        "note": "Walker",
        "notes": "Walker",
        "summary": "Walker",
        "label": "Walker",
        "name": "Walker",
        "given_name": "Walker",
        "family_name": "Walker",
        "kind": "internal",
        "status": "closed",
        "outcome": "resolved",
        "resolution": "Walker",
        "channel": "telephone",
        "direction": "inbound",
        "version": 1,
        "confirm": "yes",
    }


def _nowhere(body: dict[str, Any]) -> dict[str, Any]:
    """The same body with every id pointing at nothing."""
    return {
        key: (NOWHERE if isinstance(value, int) and key != "version" else value)
        for key, value in body.items()
    }


def _url(page: walking.Page, home: World, victim: World) -> str:
    kwargs = {}
    for parameter in page.parameters:
        source = home if parameter == "organisation_slug" else victim
        kwargs[parameter] = source.fill(page.name, parameter)
    return reverse(page.name, kwargs=kwargs)


def _describe(response: HttpResponse) -> str:
    return f"{response.status_code} {response.get('Location', '')}".strip()


def _denied(response: HttpResponse) -> bool:
    return response.status_code in (403, 404, 405)


def _marks(name: str) -> list[pytest.MarkDecorator]:
    if name in KNOWN_DEFECTS:
        return [pytest.mark.xfail(reason=KNOWN_DEFECTS[name], strict=True)]
    return []


def _params(items: list[walking.Page]) -> list[Any]:
    return [pytest.param(page, id=page.name, marks=_marks(page.name)) for page in items]


# --- pages --------------------------------------------------------------------------------
def test_every_url_pattern_is_named_and_walked() -> None:
    assert [page.route for page in PAGES if not page.name] == []
    assert len(WITH_ID) > 40


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", [p for p in WITH_ID if p.name not in ORGANISATION_PAGES], ids=lambda p: p.name
)
def test_another_organisations_object_answers_404_403_or_405_and_changes_nothing(
    page: walking.Page, worlds: dict[str, World], clients: dict[tuple[str, str], Client]
) -> None:
    before = walking.snapshot()
    wrong = []
    for home_side, victim_side in SIDES:
        home, victim = worlds[home_side], worlds[victim_side]
        url = _url(page, home, victim)
        body = _form_body(victim)
        for role in ROLES:
            client = clients[home_side, role]
            for method in ("get", "post"):
                response = getattr(client, method)(url, body if method == "post" else None)
                if not _denied(response):
                    wrong.append(
                        f"{home_side} {role} {method.upper()} {url}: {_describe(response)}"
                    )
        for method in ("get", "post"):
            response = getattr(Client(), method)(url, body if method == "post" else None)
            to_sign_in = response.status_code == 302 and response["Location"].startswith(SIGN_IN)
            if not (to_sign_in or (page.public and _denied(response))):
                wrong.append(f"anonymous {method.upper()} {url}: {_describe(response)}")
    assert wrong == []
    assert walking.changed_tables(before, walking.snapshot()) == []


@pytest.mark.django_db
def test_every_id_of_every_pattern_can_be_filled(worlds: dict[str, World]) -> None:
    """A new URL with a parameter the walkers cannot fill fails here, saying what to add."""
    for page in WITH_ID:
        _url(page, worlds["council"], worlds["partner"])


@pytest.mark.django_db
@pytest.mark.parametrize("page", WITHOUT_ID, ids=lambda p: p.name)
def test_a_page_posted_another_organisations_ids_changes_nothing_of_theirs_and_links_nothing(
    page: walking.Page, worlds: dict[str, World], clients: dict[tuple[str, str], Client]
) -> None:
    url = reverse(page.name)
    wrong = []
    for home_side, victim_side in SIDES:
        victim = worlds[victim_side]
        body = _form_body(victim)
        theirs = walking.snapshot_of(victim.organisation.pk)
        for role in ROLES:
            response = clients[home_side, role].post(url, body)
            if response.status_code >= 500:
                wrong.append(f"{home_side} {role} POST {url}: {response.status_code}")
        if walking.snapshot_of(victim.organisation.pk) != theirs:
            wrong.append(f"{home_side} POST {url} changed {victim_side}'s rows")
    crossing = walking.links_across_organisations()
    if crossing:
        wrong.append(f"POST {url} made rows point at another organisation's: {crossing}")
    assert wrong == []


# --- the same organisation, role by role ---------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    _params(PAGES),
)
def test_a_page_writes_only_for_a_role_allowed_to_change_and_never_for_the_auditor(
    page: walking.Page,
    worlds: dict[str, World],
    clients: dict[tuple[str, str], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = []
    for side in ("council", "partner"):
        world = worlds[side]
        if page.name in ORGANISATION_PAGES or page.public:
            continue
        url = _url(page, world, world) if page.parameters else reverse(page.name)
        body = _form_body(world)
        for role in ROLES:
            # Every service records a write in the audit trail; for the read-only auditor every
            # table is compared as well.
            quiet = walking.VOLATILE_TABLES | walking.AUDIT_TABLES
            last = walking.last_write_audit_id()
            before = walking.snapshot(quiet) if role == RoleCode.AUDITOR else {}
            with transaction.atomic(), walking.checked_actions(monkeypatch) as seen:
                response = clients[side, role].post(url, body)
                wrote = walking.last_write_audit_id() != last or bool(
                    before and walking.changed_tables(before, walking.snapshot(quiet))
                )
                transaction.set_rollback(True)
            if response.status_code >= 500:
                wrong.append(f"{side} {role} POST {url}: {response.status_code}")
            if not wrote:
                continue
            allowed = [
                action for action, granted in seen if granted and walking.is_write_action(action)
            ]
            if role == RoleCode.AUDITOR or not allowed:
                wrong.append(
                    f"{side} {role} POST {url} wrote after checking only {sorted(set(seen))}"
                )
    assert wrong == []


# --- the API ------------------------------------------------------------------------------
SCHEMA = api.get_openapi_schema(path_prefix="/api/v1")
OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in SCHEMA["paths"].items()
    for method, operation in methods.items()
]


def _api_body(operation_id: str, victim: World) -> dict[str, Any] | None:
    ids = victim.ids
    advisor = victim.staff[RoleCode.ADVISOR].pk
    bodies: dict[str, dict[str, Any] | None] = {
        "list_services": None,
        "get_service": None,
        "list_access_points": None,
        "get_access_point": None,
        "search": None,
        "read": None,
        "list_contacts": None,
        "search_cases": None,
        "read_case": None,
        "create": {"given_name": "Walker", "family_name": "Walker"},
        "update": {"version": 1, "given_name": "Walker", "notes": "Walker"},
        "create_case": {
            "case_type": "missed-bin",
            "title": "Walker",
            "customer_id": ids["customer_id"],
            "contact_id": ids["contact_id"],
        },
        "bulk_reassign": {
            "references": [ids["reference"]],
            "team_id": ids["team_id"],
            "assignee_id": advisor,
            "reason": "Walker",
        },
        "update_case": {"version": 1, "title": "Walker"},
        "assign_case": {"assignee_id": advisor, "team_id": ids["team_id"], "reason": "Walker"},
        "add_note": {"kind": "internal", "text": "Walker"},
        "close_case": {"outcome": "resolved", "resolution": "Walker"},
    }
    short = operation_id.rsplit("_api_", 1)[-1]
    if short not in bodies:
        raise LookupError(
            f"The API walker has no body for {operation_id}: add one to _api_body in {__file__}"
        )
    body = bodies[short]
    if short == "create" and "contacts" in operation_id:
        body = {
            "customer_id": ids["customer_id"],
            "reason_id": ids["reason_id"],
            "service_id": ids["service_id"],
            "access_point_id": ids["access_point_id"],
            "repeat_of_id": ids["contact_id"],
            "notes": "Walker",
        }
    return body


def _api_request(
    client: Client, method: str, path: str, operation: dict[str, Any], victim: World, ids: bool
) -> Any:
    url = path
    query = {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        value = victim.ids.get(name, victim.ids.get(name.removesuffix("_id") + "_id"))
        if name == "assignee_id":
            value = victim.staff[RoleCode.ADVISOR].pk
        if parameter["in"] == "path":
            url = url.replace("{" + name + "}", str(value))
        elif value is not None and name.endswith("_id"):
            query[name] = value if ids else NOWHERE
    body = _api_body(operation["operationId"], victim)
    if body is not None and not ids:
        body = _nowhere(body)
        if "references" in body:
            body["references"] = ["SR-00-NONE0"]
    if body is None:
        return client.generic(
            method, url, data=None, QUERY_STRING="&".join(f"{k}={v}" for k, v in query.items())
        )
    return client.generic(
        method,
        url,
        json.dumps(body),
        content_type="application/json",
        QUERY_STRING="&".join(f"{k}={v}" for k, v in query.items()),
    )


def _names_ids(operation: dict[str, Any], victim: World) -> bool:
    """Whether the operation's query or body can carry another organisation's ids."""
    in_query = any(
        parameter["in"] == "query" and parameter["name"].endswith("_id")
        for parameter in operation.get("parameters", [])
    )
    body = _api_body(operation["operationId"], victim) or {}
    return in_query or any(key.endswith("_id") or key == "references" for key in body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_an_api_operation_on_another_organisations_ids_is_refused_and_changes_nothing(
    method: str,
    path: str,
    operation: dict[str, Any],
    worlds: dict[str, World],
    clients: dict[tuple[str, str], Client],
) -> None:
    in_path = "{" in path
    wrong = []
    before = walking.snapshot()
    for home_side, victim_side in SIDES:
        victim = worlds[victim_side]
        theirs = walking.snapshot_of(victim.organisation.pk)
        for role in ROLES:
            client = clients[home_side, role]
            label = f"{home_side} {role} {method} {path}"
            if in_path:
                response = _api_request(client, method, path, operation, victim, ids=True)
                if not _denied(response):
                    wrong.append(f"{label}: {response.status_code} {response.content[:200]!r}")
                continue
            if not _names_ids(operation, victim):
                # Nothing of another organisation's to name: only its rows are checked, below.
                _api_request(client, method, path, operation, victim, ids=True)
                continue
            # Ids in the query or the body: the same answer as for ids that exist nowhere.
            with transaction.atomic():
                nowhere = _api_request(client, method, path, operation, victim, ids=False)
                transaction.set_rollback(True)
            response = _api_request(client, method, path, operation, victim, ids=True)
            if (response.status_code, response.content) != (nowhere.status_code, nowhere.content):
                wrong.append(
                    f"{label}: {response.status_code} {response.content[:200]!r} for the other "
                    f"organisation's ids, {nowhere.status_code} {nowhere.content[:200]!r} for none"
                )
        if walking.snapshot_of(victim.organisation.pk) != theirs:
            wrong.append(f"{home_side} {method} {path} changed {victim_side}'s rows")
        anonymous = _api_request(Client(), method, path, operation, victim, ids=True)
        if anonymous.status_code != 401:
            wrong.append(f"anonymous {method} {path}: {anonymous.status_code}")
    if in_path:
        assert walking.changed_tables(before, walking.snapshot()) == []
    assert walking.links_across_organisations() == []
    assert wrong == []


# --- the attacks of issue 11 items 4 and 9 -----------------------------------------------------
@pytest.mark.django_db
def test_a_partner_administrator_cannot_claim_an_address_on_the_councils_domain(
    worlds: dict[str, World], clients: dict[tuple[str, str], Client]
) -> None:
    partner = worlds["partner"]
    client = clients["partner", RoleCode.ADMINISTRATOR]
    client.post(
        reverse("channels:mailbox-create"),
        {
            "address": "nobody@walk-council.example",
            "name": "Not ours",
            "case_type": partner.ids["case_type_id"],
            "is_active": "on",
        },
    )
    claimed = walking.mailbox_addresses(partner.organisation.pk)
    assert "nobody@walk-council.example" not in claimed


@pytest.mark.django_db
def test_creating_staff_answers_alike_for_another_organisations_username_and_a_new_one(
    worlds: dict[str, World], clients: dict[tuple[str, str], Client]
) -> None:
    client = clients["partner", RoleCode.ADMINISTRATOR]
    answers = []
    for username in ("walk-council.advisor", "walker.newcomer"):
        response = client.post(
            reverse("directory:staff-create"),
            {
                "username": username,
                "first_name": "Nia",
                "last_name": "Evans",
                "email": f"{username}@example.gov.uk",
                "job_title": "Advisor",
                "password": "a long temporary passphrase",
                "roles": ["advisor"],
            },
        )
        answers.append(response.status_code)
    assert answers == [302, 302]

"""Case-type administration pages: who may use them, a type's questions, routing, escalation and
standards round-trip through the form, and malformed, hostile and oversized input is refused
with a clear error and nothing saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.cases import services
from onestop.cases.errors import CaseError
from onestop.cases.models import CaseType, EscalationRule, RoutingRule
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from tests.cases import factories
from tests.cases.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]
LIST = "/case-types/"
NEW = "/case-types/new/"


def _edit(case_type: CaseType) -> str:
    return f"/case-types/{case_type.pk}/"


def _form(world: World, **changes: Any) -> dict[str, Any]:
    """A complete, valid submission: a pothole type with two questions, a routing rule and two
    escalation rules."""
    data: dict[str, Any] = {
        "name": "Pothole",
        "code": "pothole",
        "kind": "service-request",
        "description": "A hole in the road",
        "service": world.waste.pk,
        "default_team": world.crews.pk,
        "primary_standard": "answer-letters",
        "other_standards": ["acknowledge-email"],
        "reopen_within_days": "14",
        "is_active": "on",
        "question_0_label": "How deep is it",
        "question_0_code": "depth",
        "question_0_kind": "number",
        "question_0_order": "2",
        "question_1_label": "Which side of the road",
        "question_1_code": "",
        "question_1_kind": "multiple-choice",
        "question_1_choices": "Left\r\nRight\r\n\r\nLeft",
        "question_1_order": "1",
        "question_1_required": "on",
        "question_2_label": "",
        "routing_0_ward": "North",
        "routing_0_postcode": "",
        "routing_0_team": world.north_crews.pk,
        "routing_1_ward": "",
        "routing_1_postcode": "hp 20",
        "routing_1_team": world.town_crews.pk,
        "escalation_0_percent": "75",
        "escalation_0_action": "notify-assignee",
        "escalation_1_percent": "100",
        "escalation_1_action": "notify-team-leader",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _types(world: World) -> list[str]:
    return sorted(
        CaseType.objects.for_organisation(world.organisation).values_list("code", flat=True)
    )


BEFORE = ["councillor-enquiry", "eir", "foi", "missed-bin", "subject-access"]


# --- who may ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [LIST, NEW, "edit"])
def test_anonymous_people_are_sent_to_sign_in(world: World, path: str) -> None:
    response = Client().get(_edit(world.missed_bin) if path == "edit" else path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("who", ["advisor", "team_leader", "auditor", "councillor"])
@pytest.mark.parametrize("path", [LIST, NEW, "edit"])
@covers("cases:case-types", "cases:case-type-create", "cases:case-type-edit")
def test_roles_without_the_permission_get_403(
    world: World, client_for: ClientFor, request: pytest.FixtureRequest, who: str, path: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(_edit(world.missed_bin) if path == "edit" else path).status_code == 403


@pytest.mark.parametrize("who", ["advisor", "team_leader", "auditor", "councillor"])
@pytest.mark.parametrize("path", [NEW, "edit"])
def test_roles_without_the_permission_cannot_save_and_nothing_changes(
    world: World, client_for: ClientFor, request: pytest.FixtureRequest, who: str, path: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    url = _edit(world.missed_bin) if path == "edit" else path
    assert client.post(url, _form(world, name="Taken over")).status_code == 403
    assert _types(world) == BEFORE
    assert CaseType.objects.for_organisation(world.organisation).get(code="missed-bin").name == (
        "Missed bin"
    )


@pytest.mark.parametrize("path", [LIST, NEW])
def test_a_partner_advisor_without_the_permission_gets_403(
    world: World, partner_advisor: User, client_for: ClientFor, path: str
) -> None:
    assert client_for(partner_advisor).get(path).status_code == 403


@pytest.mark.parametrize("who", ["partner_administrator", "partner_advisor"])
def test_another_organisations_staff_get_404_for_a_case_type(
    world: World, client_for: ClientFor, request: pytest.FixtureRequest, who: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(_edit(world.missed_bin)).status_code == 404
    response = client.post(_edit(world.missed_bin), _form(world, name="Taken over"))
    assert response.status_code == 404
    assert CaseType.objects.for_organisation(world.organisation).get(code="missed-bin").name == (
        "Missed bin"
    )


def test_a_partner_administrator_lists_only_their_own_types(
    world: World, partner_administrator: User, client_for: ClientFor
) -> None:
    response = client_for(partner_administrator).get(LIST)
    assert response.status_code == 200
    assert list(response.context["types"]) == []
    assert "Missed bin" not in response.content.decode()


def test_a_missing_case_type_is_404(
    administrator: User, world: World, client_for: ClientFor
) -> None:
    assert client_for(administrator).get("/case-types/999999/").status_code == 404


def test_administrators_see_the_list_and_the_navigation_link(
    world: World, administrator: User, advisor: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).get(LIST)
    body = response.content.decode()
    assert response.status_code == 200
    assert [t.code for t in response.context["types"]] == [
        "eir", "foi", "subject-access", "councillor-enquiry", "missed-bin"
    ]  # fmt: skip
    assert f'href="{_edit(world.missed_bin)}"' in body
    assert 'href="/case-types/"' in body  # the staff navigation
    assert 'href="/case-types/"' not in client_for(advisor).get("/queues/").content.decode()


# --- creating and editing: the round trip -------------------------------------------------------
def test_an_administrator_adds_a_case_type_with_questions_routing_and_escalation(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(NEW, _form(world))
    assert response.status_code == 302
    assert response["Location"] == LIST
    pothole = CaseType.objects.for_organisation(world.organisation).get(code="pothole")
    assert (pothole.name, pothole.kind, pothole.description) == (
        "Pothole", "service-request", "A hole in the road"
    )  # fmt: skip
    assert (pothole.service, pothole.default_team) == (world.waste, world.crews)
    assert pothole.standard_codes == ["answer-letters", "acknowledge-email"]
    assert (pothole.reopen_within_days, pothole.is_active) == (14, True)
    assert pothole.attributes == [
        {"code": "which-side-of-the-road", "label": "Which side of the road",
         "kind": "multiple-choice", "required": True, "choices": ["Left", "Right"]},
        {"code": "depth", "label": "How deep is it", "kind": "number", "required": False,
         "choices": []},
    ]  # fmt: skip
    routing = RoutingRule.objects.for_organisation(world.organisation).filter(case_type=pothole)
    assert sorted(routing.values_list("ward", "postcode_prefix", "team_id")) == [
        ("", "HP20", world.town_crews.pk), ("North", "", world.north_crews.pk)
    ]  # fmt: skip
    rules = EscalationRule.objects.for_organisation(world.organisation).filter(case_type=pothole)
    assert sorted(rules.values_list("percent", "action")) == [
        (75, "notify-assignee"), (100, "notify-team-leader")
    ]  # fmt: skip
    record = AuditRecord.objects.for_organisation(world.organisation).filter(
        object_type="cases.casetype", object_id=str(pothole.pk)
    )
    assert list(record.values_list("action", "actor_id")) == [("created", administrator.pk)]


def test_the_edit_form_shows_the_type_and_saving_it_unchanged_changes_nothing(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    client.post(NEW, _form(world))
    pothole = CaseType.objects.for_organisation(world.organisation).get(code="pothole")
    page = client.get(_edit(pothole))
    assert page.status_code == 200
    form = page.context["form"]
    submitted = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() not in (None, "", False, [])
    }
    submitted = {name: (["on"] if value is True else value) for name, value in submitted.items()}
    attributes, audits = (
        pothole.attributes,
        AuditRecord.objects.for_organisation(world.organisation).count(),
    )
    response = client.post(_edit(pothole), submitted)
    assert response.status_code == 302
    pothole.refresh_from_db()
    assert pothole.attributes == attributes
    assert (
        AuditRecord.objects.for_organisation(world.organisation).count() == audits
    )  # nothing changed, nothing recorded


def test_an_administrator_changes_removes_and_reorders_questions_and_takes_a_type_out_of_use(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    response = client.post(
        _edit(world.missed_bin),
        _form(
            world,
            name="Missed bin collection",
            code="something-else",
            kind="service-request",
            is_active=None,
            question_0_label="Which bin",
            question_0_code="bin",
            question_0_kind="choice",
            question_0_choices="blue\ngreen",
            question_0_order="3",
            question_0_required="on",
            question_1_label="Extra bags",
            question_1_code="bags",
            question_1_kind="number",
            question_1_choices="",
            question_1_order="1",
            question_1_required=None,
            question_1_remove="on",
            question_2_label="Where is the bin",
            question_2_code="where",
            question_2_kind="location",
            question_2_order="2",
        ),
    )
    assert response.status_code == 302
    bin_type = CaseType.objects.for_organisation(world.organisation).get(pk=world.missed_bin.pk)
    assert (bin_type.code, bin_type.name, bin_type.is_active) == (
        "missed-bin", "Missed bin collection", False
    )  # fmt: skip
    assert [q["code"] for q in bin_type.attributes] == ["where", "bin"]
    assert bin_type.attributes[1]["choices"] == ["blue", "green"]
    record = (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(object_type="cases.casetype", object_id=str(bin_type.pk), action="changed")
        .get()
    )
    assert record.changes["is_active"] == [True, False]
    assert record.changes["name"] == ["Missed bin", "Missed bin collection"]
    # out of use: staff can no longer choose it
    raise_page = client_for(world.officer).get("/cases/new/")
    assert "Missed bin collection" not in raise_page.content.decode()


def test_a_code_already_in_use_is_refused_and_the_existing_type_is_unchanged(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(NEW, _form(world, code="missed-bin"))
    assert response.status_code == 400
    assert "A case type with code missed-bin already exists" in response.content.decode()
    bin_type = CaseType.objects.for_organisation(world.organisation).get(code="missed-bin")
    assert (bin_type.name, bin_type.attributes) == (
        "Missed bin",
        services.check_attribute_definitions(factories.BIN_QUESTIONS),
    )


# --- refused input ------------------------------------------------------------------------------
LONG = "x" * 201
REFUSED = [
    ({"name": ""}, "Enter name"),
    ({"name": LONG}, "Name must be 200 characters or fewer"),
    ({"name": "Pot\x00hole"}, "Remove the special characters from"),
    ({"kind": "complaint"}, "Select kind of case from the list"),
    ({"service": "999999"}, "Select service from the list"),
    ({"service": "not a number"}, "Select service from the list"),
    ({"default_team": "999999"}, "Select owning team from the list"),
    ({"primary_standard": ""}, "Select standard for the deadline"),
    ({"primary_standard": "no-such-standard"}, "Select standard for the deadline from the list"),
    ({"other_standards": ["no-such-standard"]}, "Select other standards whose clocks start from"),
    ({"reopen_within_days": "-1"}, "must be 0 or more"),
    ({"reopen_within_days": "3651"}, "must be 3650 or less"),
    ({"reopen_within_days": "9" * 400}, "must be 3650 or less"),
    ({"description": "x" * 10_001}, "must be 10000 characters or fewer"),
    ({"question_0_label": ""}, "Enter the question"),
    ({"question_0_code": "a b"}, "Enter a code of letters, digits and hyphens"),
    ({"question_0_code": "which-side-of-the-road"}, "Another question has this code"),
    ({"question_0_kind": "essay"}, "from the list"),
    ({"question_1_choices": ""}, "Give the choices, one a line"),
    ({"question_1_choices": "\n".join(str(n) for n in range(51))}, "Give at most 50 choices"),
    ({"question_1_choices": "x" * 101}, "Give at most 50 choices of up to 100 characters"),
    ({"question_0_order": "0"}, "must be 1 or more"),
    ({"question_50_label": "One too many"}, "Give at most 50 questions"),
    ({"routing_0_team": ""}, "Choose the team"),
    ({"routing_0_ward": "", "routing_0_postcode": "!!"}, "Enter a postcode area, like HP20"),
    ({"routing_1_postcode": "", "routing_1_ward": "North"}, "Another routing rule has this area"),
    ({"routing_0_ward": "x" * 101}, "must be 100 characters or fewer"),
    ({"routing_100_ward": "South"}, "Give at most 100 routing rules"),
    ({"escalation_0_percent": "0"}, "must be 1 or more"),
    ({"escalation_0_percent": "501"}, "must be 500 or less"),
    ({"escalation_0_action": ""}, "Choose the action"),
    ({"escalation_0_action": "delete-everything"}, "from the list"),
    ({"escalation_1_percent": "75", "escalation_1_action": "notify-assignee"},
     "Another rule does the same"),
    ({"escalation_20_percent": "90"}, "Give at most 20 escalation rules"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), REFUSED, ids=[str(c)[:60] for c, _m in REFUSED])
def test_refused_input_is_explained_and_nothing_is_saved(
    world: World,
    administrator: User,
    client_for: ClientFor,
    changes: dict[str, Any],
    message: str,
) -> None:
    client = client_for(administrator)
    audits = AuditRecord.objects.for_organisation(world.organisation).count()
    response = client.post(NEW, _form(world, **changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert _types(world) == BEFORE
    edit = client.post(_edit(world.missed_bin), _form(world, **changes))
    assert edit.status_code == 400
    assert CaseType.objects.for_organisation(world.organisation).get(
        code="missed-bin"
    ).attributes == (services.check_attribute_definitions(factories.BIN_QUESTIONS))
    assert AuditRecord.objects.for_organisation(world.organisation).count() == audits


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("Pot Hole!", "Enter a code of lower case letters"),
        ("<script>", "Enter a code of lower case letters"),
        ("", "Enter code"),
        ("x" * 61, "Code must be 60 characters or fewer"),
    ],
)
def test_a_new_type_needs_a_usable_code(
    world: World, administrator: User, client_for: ClientFor, code: str, message: str
) -> None:
    response = client_for(administrator).post(NEW, _form(world, code=code))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _types(world) == BEFORE


def test_another_organisations_service_and_team_cannot_be_chosen(
    world: World, administrator: User, partner: Organisation, client_for: ClientFor
) -> None:
    theirs = factories.service(partner, "Their housing")
    their_team = factories.team(theirs, "Their team")
    response = client_for(administrator).post(
        NEW,
        _form(world, service=theirs.pk, default_team=their_team.pk, routing_0_team=their_team.pk),
    )
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == ["default_team", "routing_0_team", "service"]
    assert _types(world) == BEFORE


def test_a_label_with_markup_is_kept_as_text_and_shown_escaped(
    world: World, administrator: User, advisor: User, client_for: ClientFor
) -> None:
    label = '<script>alert("x")</script>'
    response = client_for(administrator).post(
        NEW, _form(world, question_0_label=label, question_0_code="depth")
    )
    assert response.status_code == 302
    pothole = CaseType.objects.for_organisation(world.organisation).get(code="pothole")
    assert pothole.attributes[1]["label"] == label
    page = client_for(advisor).get("/cases/new/?type=pothole").content.decode()
    assert label not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


# --- the service's own checks (the API and the demo use it too) ---------------------------------
def _input(world: World, **changes: Any) -> services.CaseTypeInput:
    values: dict[str, Any] = {
        "code": "pothole",
        "name": "Pothole",
        "kind": "service-request",
        "service": world.waste,
        "default_team": world.crews,
        "standard_codes": ("answer-letters",),
    }
    values.update(changes)
    return services.CaseTypeInput(**values)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "Pot Hole"}, "code"),
        ({"code": ""}, "code"),
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"reopen_within_days": -1}, "reopen_within_days"),
        ({"routing": (("", "", "team"),)}, "routing"),
        ({"routing": (("!!", "", "team"),)}, "routing"),
        ({"routing": (("HP20", "", "team"), ("hp 20", "", "team"))}, "routing"),
        ({"escalation": tuple((n, "notify-assignee") for n in range(1, 22))}, "escalation"),
    ],
)
def test_the_service_refuses_bad_definitions(
    world: World, changes: dict[str, Any], field: str
) -> None:
    changes = {
        name: tuple((p, w, world.crews) for p, w, _t in value) if name == "routing" else value
        for name, value in changes.items()
    }
    with pytest.raises(ServiceError) as refused:
        services.save_case_type(world.organisation, by=None, data=_input(world, **changes))
    assert refused.value.field == field
    assert _types(world) == BEFORE


def test_the_service_only_creates_when_asked_for_a_new_type(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.save_case_type(
            world.organisation, by=None, new=True, data=_input(world, code="missed-bin")
        )
    assert (refused.value.code, refused.value.field) == (CaseError.INVALID_ATTRIBUTE, "code")
    assert CaseType.objects.for_organisation(world.organisation).get(code="missed-bin").name == (
        "Missed bin"
    )


# --- "add another" (the MOJ pattern, without JavaScript) ------------------------------------------
def _rows(body: str, group: str) -> int:
    return len({part.split("_")[0] for part in body.split(f'name="{group}_')[1:]})


def test_a_new_type_shows_one_blank_row_of_each_part(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    body = client_for(administrator).get(NEW).content.decode()
    assert (_rows(body, "question"), _rows(body, "routing"), _rows(body, "escalation")) == (1, 1, 1)
    assert body.count('name="add"') == 3


@pytest.mark.parametrize(("group", "before"), [("question", 3), ("routing", 2), ("escalation", 2)])
def test_add_another_returns_what_was_typed_with_one_more_row_and_saves_nothing(
    world: World, administrator: User, client_for: ClientFor, group: str, before: int
) -> None:
    client = client_for(administrator)
    audits = AuditRecord.objects.for_organisation(world.organisation).count()
    response = client.post(NEW, {**_form(world), "add": group})
    assert (response.status_code, response.request["PATH_INFO"]) == (200, NEW)
    body = response.content.decode()
    assert _rows(body, group) == before + 1
    assert 'value="Pothole"' in body  # what was typed is kept
    assert "govuk-error-summary" not in body  # nothing was checked
    assert _types(world) == BEFORE
    assert AuditRecord.objects.for_organisation(world.organisation).count() == audits


@pytest.mark.parametrize("add", ["", "nonsense", "question" * 50, "__all__"])
def test_any_other_add_value_is_an_ordinary_save(
    world: World, administrator: User, client_for: ClientFor, add: str
) -> None:
    response = client_for(administrator).post(NEW, {**_form(world), "add": add})
    assert response.status_code == 302
    assert "pothole" in _types(world)


def test_add_another_stops_at_the_row_limit(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    full = {f"escalation_{index}_percent": "" for index in range(20)}
    response = client_for(administrator).post(NEW, {**_form(world), **full, "add": "escalation"})
    assert _rows(response.content.decode(), "escalation") == 20

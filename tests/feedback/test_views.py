"""Feedback's pages over the permission matrix: anonymous visitors sign in, another
organisation gets 404, a role without the permission 403 with nothing changed, the allowed role
the effect; and the one visibility rule for complaints about a named member of staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from onestop.core.models import AuditRecord, RoleCode, User
from onestop.feedback import queries, services
from onestop.feedback.models import (
    ComplaintProcedure,
    ComplaintStage,
    Feedback,
    Kind,
    Preset,
    Status,
)
from onestop.notify.models import Event, Message
from tests import factories as core_factories
from tests.feedback.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]


def _complaint(world: World, **values: Any) -> Feedback:
    return services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=values.pop("kind", Kind.COMPLAINT),
            what_happened=values.pop("what_happened", "The crew left rubbish in the road"),
            service=world.waste,
            **values,
        ),
    )


def _state(feedback: Feedback) -> tuple[Any, ...]:
    feedback.refresh_from_db()
    stages = list(
        ComplaintStage.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .values_list("stage", "acknowledged_at", "extended_due_at", "responded_at")
    )
    return (feedback.status, feedback.current_stage, stages)


@pytest.fixture
def back_office(world: World) -> User:
    return core_factories.staff(world.organisation, RoleCode.BACK_OFFICE_OFFICER, username="bo")


# --- the list -------------------------------------------------------------------------------------
@covers("feedback:list")
def test_the_list_is_for_staff_who_read_feedback(
    world: World, client_for: ClientFor, partner_administrator: User, back_office: User
) -> None:
    feedback = _complaint(world)
    assert Client().get("/feedback/").status_code == 302
    assert client_for(back_office).get("/feedback/").status_code == 403
    assert client_for(world.advisor).get("/feedback/").status_code == 403
    assert client_for(partner_administrator).get("/feedback/").status_code == 403
    page = client_for(world.officer).get("/feedback/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="/feedback/"' in body  # the staff navigation
    assert 'href="/feedback/"' not in client_for(back_office).get("/staff/").content.decode()
    assert feedback.reference in body
    assert "Open complaints (1)</strong>" in body
    assert "To acknowledge (1)" in body


def test_the_list_filters_overdue_at_risk_and_extended(world: World, client_for: ClientFor) -> None:
    import time_machine

    from tests.feedback.test_lifecycle import at

    with time_machine.travel(at("2026-05-11"), tick=False):
        late = _complaint(world)
        services.acknowledge(late, by=world.officer)
        soon = _complaint(world)
        services.acknowledge(soon, by=world.officer)
    with time_machine.travel(at("2026-05-21"), tick=False):
        extended = _complaint(world)
        services.acknowledge(extended, by=world.officer)
        services.extend(extended, by=world.officer, days=5, reason="Waiting for the crew")
    with time_machine.travel(at("2026-05-22", 9), tick=False):
        services.respond(
            soon,
            by=world.officer,
            findings="Sorted",
            decisions={
                point.pk: services.PointDecision("upheld") for point in queries.points_of(soon)
            },
            appeal_route="Stage 2",
        )
    with time_machine.travel(at("2026-05-27"), tick=False):  # late was due 26 May
        client = client_for(world.officer)
        overdue = client.get("/feedback/?show=overdue").content.decode()
        assert late.reference in overdue
        assert extended.reference not in overdue
        extended_page = client.get("/feedback/?show=extended").content.decode()
        assert extended.reference in extended_page
        assert late.reference not in extended_page
        everything = client.get("/feedback/?show=nonsense").content.decode()
        assert "Open complaints (3)</strong>" in everything  # an unknown filter shows the open ones


# --- the record and the visibility rule -----------------------------------------------------------
@covers("feedback:record")
def test_the_record_page(
    world: World, client_for: ClientFor, partner_administrator: User, back_office: User
) -> None:
    feedback = _complaint(world)
    url = f"/feedback/{feedback.reference}/"
    assert Client().get(url).status_code == 302
    assert client_for(partner_administrator).get(url).status_code in {403, 404}
    assert client_for(back_office).get(url).status_code == 403
    page = client_for(world.leader).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "The crew left rubbish in the road" in body
    assert 'data-testid="stage-1"' in body
    assert f"/feedback/{feedback.reference}/acknowledge/" in body
    assert "/escalate/" not in body  # team leaders do not escalate
    reads = AuditRecord.objects.for_organisation(world.organisation).filter(
        object_type="feedback.feedback", object_id=str(feedback.pk), action="viewed"
    )
    # Only the one page shown is recorded as read: not the refusals before it.
    assert [(read.actor_id, read.summary) for read in reads] == [
        (world.leader.pk, f"Feedback {feedback.reference} viewed")
    ]


def test_another_organisations_record_is_not_found(
    world: World, client_for: ClientFor, partner: Any
) -> None:
    feedback = _complaint(world)
    stranger = core_factories.staff(partner, RoleCode.COMPLAINTS_OFFICER, username="their.co")
    for tail in ("", "acknowledge/", "respond/", "escalate/"):
        assert client_for(stranger).get(f"/feedback/{feedback.reference}/{tail}").status_code == 404
    assert (
        client_for(stranger).post(f"/feedback/{feedback.reference}/acknowledge/").status_code == 404
    )
    assert _state(feedback)[2][0][1] is None


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", True),  # complaints officer
        ("leader", True),  # the person's team leader
        ("crew_member", False),  # the person, whatever roles they hold
        ("other_manager", False),  # a manager of another team
    ],
)
def test_a_complaint_about_a_member_of_staff_is_seen_by_complaints_officers_and_their_managers(
    world: World, client_for: ClientFor, who: str, sees: bool
) -> None:
    feedback = _complaint(world, about="staff", staff_member=world.crew_member)
    ordinary = _complaint(world)
    person: User = getattr(world, who)
    client = client_for(person)
    status = client.get(f"/feedback/{feedback.reference}/").status_code
    assert status == (200 if sees else 404)
    listed = client.get("/feedback/").content.decode()
    assert (feedback.reference in listed) is sees
    assert ordinary.reference in listed
    action = client.post(f"/feedback/{feedback.reference}/acknowledge/")
    assert action.status_code in ({302} if sees else {404})
    assert (queries.feedback_for(person).filter(pk=feedback.pk).exists()) is sees


def test_a_complaint_naming_staff_only_by_name_is_for_complaints_officers(
    world: World, client_for: ClientFor
) -> None:
    feedback = _complaint(world, about="staff", staff_named="The driver called Sam")
    assert client_for(world.officer).get(f"/feedback/{feedback.reference}/").status_code == 200
    assert client_for(world.leader).get(f"/feedback/{feedback.reference}/").status_code == 404


def test_the_customer_page_never_shows_the_person_a_complaint_about_them(
    world: World, client_for: ClientFor
) -> None:
    about_them = _complaint(world, about="staff", staff_member=world.crew_member)
    customer_page = f"/customers/{world.customer.pk}/"
    own = client_for(world.crew_member).get(customer_page).content.decode()
    assert about_them.reference not in own
    leader = client_for(world.leader).get(customer_page).content.decode()
    assert about_them.reference in leader


# --- taking feedback ------------------------------------------------------------------------------
FORM = {
    "feedback-kind": "complaint",
    "feedback-channel": "face-to-face",
    "feedback-about": "service",
    "feedback-what_happened": "Missed three weeks running",
    "feedback-points": "Missed collections\nNobody called back",
}


@covers("feedback:record-for", "feedback:new")
def test_an_advisor_takes_a_complaint_from_the_customer_panel(
    world: World, client_for: ClientFor, partner_advisor: User, back_office: User
) -> None:
    url = f"/feedback/new/for/{world.customer.pk}/"
    body = {
        **FORM,
        "feedback-service": str(world.waste.pk),
        "feedback-lead_service": str(world.housing.pk),
    }
    assert Client().get(url).status_code == 302
    assert client_for(partner_advisor).get(url).status_code == 404
    assert client_for(back_office).post(url, body).status_code == 403
    assert client_for(back_office).post("/feedback/new/", body).status_code == 403
    assert not Feedback.objects.for_organisation(world.organisation).exists()
    advisor = client_for(world.advisor)
    customer_page = advisor.get(f"/customers/{world.customer.pk}/").content.decode()
    assert f'href="{url}"' in customer_page
    assert advisor.get(url).status_code == 200
    response = advisor.post(url, body)
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    # An advisor may not read complaints: back to the customer, with the reference.
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{world.customer.pk}/"
    assert (feedback.customer_id, feedback.kind, feedback.channel, feedback.lead_service) == (
        world.customer.pk,
        "complaint",
        "face-to-face",
        world.housing,
    )
    assert [point.summary for point in queries.points_of(feedback)] == [
        "Missed collections",
        "Nobody called back",
    ]
    anonymous = advisor.post("/feedback/new/", {**FORM, "feedback-kind": "compliment"})
    assert anonymous.status_code == 302
    assert Feedback.objects.for_organisation(world.organisation).filter(customer=None).count() == 1
    officer = client_for(world.officer).post(url, body)
    latest = Feedback.objects.for_organisation(world.organisation).order_by("-pk").first()
    assert latest is not None
    assert officer["Location"] == f"/feedback/{latest.reference}/"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"feedback-what_happened": ""}, "Enter what happened"),
        ({"feedback-what_happened": "x" * 10_001}, "must be 10000 characters or fewer"),
        ({"feedback-what_happened": "bad\u200btext\u202e"}, "What happened"),
        ({"feedback-kind": "<script>alert(1)</script>"}, "Select what kind of feedback it is"),
        ({"feedback-about": "staff"}, "Select the member of staff it is about"),
        ({"feedback-unequal_treatment": "on"}, "Select the protected characteristic"),
        ({"feedback-service": "99999999"}, "Select service from the list"),
    ],
)
def test_refused_feedback_is_shown_again_with_what_was_typed_and_nothing_saved(
    world: World, client_for: ClientFor, changes: dict[str, str], message: str
) -> None:
    url = f"/feedback/new/for/{world.customer.pk}/"
    response = client_for(world.advisor).post(url, {**FORM, **changes})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert "Missed collections" in body or changes.get("feedback-points") is not None
    assert not Feedback.objects.for_organisation(world.organisation).exists()


def test_sql_looking_text_is_stored_and_shown_as_text(world: World, client_for: ClientFor) -> None:
    text = "Robert'); DROP TABLE feedback_feedback;-- <script>alert(1)</script>"
    client_for(world.officer).post(
        "/feedback/new/", {**FORM, "feedback-what_happened": text, "feedback-points": ""}
    )
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    assert feedback.what_happened == text
    page = client_for(world.officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the steps ------------------------------------------------------------------------------------
@covers("feedback:acknowledge")
def test_acknowledging(
    world: World, client_for: ClientFor, auditor: User, back_office: User
) -> None:
    feedback = _complaint(world)
    url = f"/feedback/{feedback.reference}/acknowledge/"
    before = _state(feedback)
    assert Client().post(url).status_code == 302
    assert client_for(back_office).post(url).status_code == 403
    assert client_for(auditor).post(url).status_code == 403
    assert _state(feedback) == before
    response = client_for(world.leader).post(url, follow=True)
    assert response.redirect_chain == [(f"/feedback/{feedback.reference}/", 302)]
    assert "Acknowledged" in response.content.decode()
    stage = queries.current_stage(feedback)
    assert stage is not None
    assert stage.acknowledged_at is not None
    assert stage.response_due_at is not None
    assert (
        Message.objects.for_organisation(world.organisation)
        .filter(event=Event.COMPLAINT_ACKNOWLEDGEMENT, address="pat@example.org")
        .exists()
    )
    again = client_for(world.leader).post(url)
    assert again.status_code == 400
    assert "already been acknowledged" in again.content.decode()


@covers("feedback:extend")
def test_extending(world: World, client_for: ClientFor, auditor: User) -> None:
    feedback = _complaint(world)
    services.acknowledge(feedback, by=world.officer)
    url = f"/feedback/{feedback.reference}/extend/"
    before = _state(feedback)
    assert Client().post(url).status_code == 302
    assert (
        client_for(auditor).post(url, {"extend-days": "5", "extend-reason": "x"}).status_code == 403
    )
    refused = client_for(world.officer).post(url, {"extend-days": "11", "extend-reason": "Busy"})
    assert refused.status_code == 400
    assert "from 1 to 10" in refused.content.decode()
    empty = client_for(world.officer).post(url, {"extend-days": "5", "extend-reason": ""})
    assert empty.status_code == 400
    assert _state(feedback) == before
    done = client_for(world.officer).post(url, {"extend-days": "5", "extend-reason": "Busy"})
    assert done.status_code == 302
    stage = queries.current_stage(feedback)
    assert stage is not None
    assert stage.extension_reason == "Busy"


@covers("feedback:respond", "feedback:close")
def test_answering_and_closing(world: World, client_for: ClientFor, auditor: User) -> None:
    feedback = _complaint(world, points=("Missed bin", "No call back"))
    services.acknowledge(feedback, by=world.officer)
    points = queries.points_of(feedback)
    url = f"/feedback/{feedback.reference}/respond/"
    body = {
        "respond-findings": "The crew missed it",
        "respond-appeal_route": "Ask for stage 2",
        f"respond-point_{points[0].pk}_outcome": "upheld",
        f"respond-point_{points[0].pk}_remedy": "financial",
        f"respond-point_{points[0].pk}_amount": "30.00",
        f"respond-point_{points[1].pk}_remedy": "none",
    }
    before = _state(feedback)
    assert Client().post(url, body).status_code == 302
    assert client_for(auditor).post(url, body).status_code == 403
    page = client_for(world.officer).get(url).content.decode()
    assert "Missed bin" in page
    assert "No call back" in page
    assert "You can ask us to look at your complaint again at stage 2" in page
    refused = client_for(world.officer).post(url, body)
    assert refused.status_code == 400
    assert "Select an outcome for point 2" in refused.content.decode()
    assert _state(feedback) == before
    close_url = f"/feedback/{feedback.reference}/close/"
    early = client_for(world.officer).post(close_url)
    assert early.status_code == 400
    assert "Answer the complaint before closing it" in early.content.decode()
    body[f"respond-point_{points[1].pk}_outcome"] = "not-upheld"
    assert client_for(world.officer).post(url, body).status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Status.RESPONDED
    assert [(p.outcome, p.remedy, str(p.amount)) for p in queries.points_of(feedback)] == [
        ("upheld", "financial", "30.00"),
        ("not-upheld", "none", "None"),
    ]
    assert client_for(auditor).post(close_url).status_code == 403
    assert client_for(world.officer).post(close_url).status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Status.CLOSED


@covers("feedback:escalate")
def test_escalating(world: World, client_for: ClientFor) -> None:
    feedback = _complaint(world)
    services.acknowledge(feedback, by=world.officer)
    services.respond(
        feedback,
        by=world.officer,
        findings="Found",
        decisions={p.pk: services.PointDecision("upheld") for p in queries.points_of(feedback)},
        appeal_route="Stage 2",
    )
    url = f"/feedback/{feedback.reference}/escalate/"
    before = _state(feedback)
    assert Client().post(url).status_code == 302
    assert client_for(world.leader).post(url, {"escalate-reason": "x"}).status_code == 403
    assert client_for(world.officer).post(url, {"escalate-reason": ""}).status_code == 400
    assert _state(feedback) == before
    assert client_for(world.officer).post(url, {"escalate-reason": "Unhappy"}).status_code == 302
    assert _state(feedback)[1] == 2


@covers("feedback:outside")
def test_closing_as_outside_the_procedure(
    world: World, client_for: ClientFor, auditor: User
) -> None:
    feedback = _complaint(world)
    url = f"/feedback/{feedback.reference}/outside/"
    body = {"outside-route": "benefit-tribunal", "outside-signposting": "Appeal to the tribunal"}
    before = _state(feedback)
    assert Client().post(url, body).status_code == 302
    assert client_for(auditor).post(url, body).status_code == 403
    assert client_for(world.officer).post(url, {"outside-route": "nowhere"}).status_code == 400
    assert _state(feedback) == before
    assert client_for(world.officer).post(url, body).status_code == 302
    feedback.refresh_from_db()
    assert (feedback.status, feedback.alternative_route) == (Status.CLOSED, "benefit-tribunal")


@covers("feedback:pass-on")
def test_passing_on_a_compliment(world: World, client_for: ClientFor, auditor: User) -> None:
    compliment = _complaint(world, kind=Kind.COMPLIMENT, what_happened="Lovely crew")
    url = f"/feedback/{compliment.reference}/pass-on/"
    assert Client().post(url).status_code == 302
    assert client_for(auditor).post(url).status_code == 403
    compliment.refresh_from_db()
    assert compliment.status == Status.OPEN
    assert client_for(world.officer).post(url).status_code == 302
    compliment.refresh_from_db()
    assert compliment.status == Status.CLOSED
    told = Message.objects.for_organisation(world.organisation).filter(
        event=Event.FEEDBACK_PASSED_ON
    )
    assert told.count() == 2  # the crews' two team leaders


@covers("feedback:procedure")
def test_choosing_the_procedure(
    world: World, client_for: ClientFor, administrator: User, partner_administrator: User
) -> None:
    url = "/feedback/procedure/"
    assert Client().get(url).status_code == 302
    assert client_for(world.officer).post(url, {"preset": Preset.SEEDS}).status_code == 403
    assert not ComplaintProcedure.objects.for_organisation(world.organisation).exists()
    page = client_for(administrator).get(url).content.decode()
    assert "10 working days of the acknowledgement" in page  # the Code, England's preset
    assert client_for(administrator).post(url, {"preset": "made-up"}).status_code == 400
    assert client_for(administrator).post(url, {"preset": Preset.SEEDS}).status_code == 302
    row = ComplaintProcedure.objects.for_organisation(world.organisation).get()
    assert row.preset == Preset.SEEDS
    client_for(partner_administrator).post(url, {"preset": Preset.SCOTTISH})
    row.refresh_from_db()
    assert row.preset == Preset.SEEDS
    assert AuditRecord.objects.filter(
        organisation=world.organisation, object_type="feedback.complaintprocedure"
    ).exists()


def test_the_desk_offers_record_feedback_with_alt_f(world: World, client_for: ClientFor) -> None:
    page = client_for(world.advisor).get(f"/desk/customers/{world.customer.pk}/").content.decode()
    assert (
        f'href="/feedback/new/for/{world.customer.pk}/" data-shortcut="KeyF">Record feedback</a>'
        in page
    )
    assert "<kbd>F</kbd>" in page
    assert "Record a comment, compliment or complaint for the chosen customer" in page
    # A back-office officer logs contacts at the desk but does not take feedback.
    back_office = core_factories.staff(
        world.organisation, RoleCode.BACK_OFFICE_OFFICER, username="desk.bo"
    )
    other = client_for(back_office).get(f"/desk/customers/{world.customer.pk}/").content.decode()
    assert "Record feedback" not in other
    assert "<kbd>F</kbd>" not in other

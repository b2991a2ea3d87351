"""A complaint's whole life under each preset, with time-machine: deadlines from the clock on
the organisation's calendar (bank holidays and closure days), the Code's stage 1 counted from
the acknowledgement, extension and escalation; and the refusals, each changing nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onestop.contacts.models import Contact
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation
from onestop.feedback import queries, services
from onestop.feedback.models import (
    ClosedAs,
    ComplaintPoint,
    ComplaintStage,
    Feedback,
    FeedbackEvent,
    Kind,
    PointOutcome,
    Preset,
    Remedy,
    Status,
)
from onestop.notify.models import Event, Message
from onestop.standards import services as standards_services
from tests.feedback.conftest import World

LONDON = ZoneInfo("Europe/London")


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=LONDON)


def end_of(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(
        hour=23, minute=59, second=59, tzinfo=LONDON
    )


def _complaint(
    world: World, points: tuple[str, ...] = ("Bin not emptied", "Rude driver")
) -> Feedback:
    return services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=Kind.COMPLAINT,
            what_happened="My bin was missed three weeks running and the driver swore at me.",
            wanted="Empty it and apologise",
            service=world.waste,
            points=points,
            impolite_treatment=True,
        ),
    )


def _all_outcomes(feedback: Feedback, outcome: str = PointOutcome.UPHELD) -> dict[int, Any]:
    return {
        point.pk: services.PointDecision(outcome=outcome, remedy=Remedy.APOLOGY)
        for point in queries.points_of(feedback)
    }


def _snapshot(feedback: Feedback) -> tuple[Any, ...]:
    feedback.refresh_from_db()
    stages = list(
        ComplaintStage.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .order_by("stage")
        .values_list(
            "stage", "acknowledged_at", "response_due_at", "extended_due_at", "responded_at"
        )
    )
    points = list(
        ComplaintPoint.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .values_list("outcome", "remedy", "amount")
    )
    return (
        feedback.status,
        feedback.current_stage,
        stages,
        points,
        Message.objects.for_organisation(feedback.organisation_id).count(),
        AuditRecord.objects.filter(organisation=feedback.organisation).count(),
        FeedbackEvent.objects.for_organisation(feedback.organisation_id).count(),
    )


# --- the Complaint Handling Code (England) ----------------------------------------------
@pytest.fixture
def closure(world: World) -> None:
    # Wednesday 27 May 2026: the council is closed (after the Spring bank holiday, 25 May).
    standards_services.add_closure_day(
        world.organisation, by=None, day=datetime.date(2026, 5, 27), reason="Staff training"
    )


def test_the_code_counts_stage_1_from_the_acknowledgement_across_a_bank_holiday_and_a_closure(
    world: World, closure: None
) -> None:
    with time_machine.travel(at("2026-05-11"), tick=False):  # Monday
        feedback = _complaint(world)
    assert feedback.procedure == Preset.CODE
    assert feedback.reference.startswith("CO-26-")
    stage = queries.current_stage(feedback)
    assert stage is not None
    assert (stage.stage, stage.label) == (1, "stage 1")
    assert stage.ack_due_at == end_of("2026-05-18")  # 5 working days of receipt
    assert stage.response_due_at is None  # counted from the acknowledgement: not started
    contact = Contact.objects.for_organisation(world.organisation).get(pk=feedback.contact_id)
    assert contact.customer_id == world.customer.pk
    assert feedback.reference in contact.notes

    with time_machine.travel(at("2026-05-14", 11), tick=False):  # Thursday
        services.acknowledge(feedback, by=world.officer)
    stage.refresh_from_db()
    # 10 working days from Thursday 14 May: 15, 18-22, (25 bank holiday), 26, (27 closed), 28,
    # 29 May, 1 June.
    assert stage.response_due_at == end_of("2026-06-01")
    assert stage.owner == world.officer
    message = Message.objects.for_organisation(world.organisation).get(
        event=Event.COMPLAINT_ACKNOWLEDGEMENT
    )
    assert message.address == "pat@example.org"
    assert "1 June 2026" in message.body
    assert feedback.reference in message.subject

    with time_machine.travel(at("2026-05-29"), tick=False):
        services.extend(feedback, by=world.officer, days=10, reason="Waiting for the crew's log")
    stage.refresh_from_db()
    assert stage.extended_due_at == end_of("2026-06-15")  # 10 more working days
    extension = Message.objects.for_organisation(world.organisation).get(
        event=Event.COMPLAINT_EXTENSION
    )
    assert "15 June 2026" in extension.body
    assert "Waiting for the crew's log" in extension.body
    assert "Local Government and Social Care Ombudsman" in extension.body

    with time_machine.travel(at("2026-06-10"), tick=False):
        points = queries.points_of(feedback)
        services.respond(
            feedback,
            by=world.officer,
            findings="The crew missed the bin; the driver has been spoken to.",
            decisions={
                points[0].pk: services.PointDecision(
                    PointOutcome.UPHELD, Remedy.FINANCIAL, "A goodwill payment", Decimal("25.00")
                ),
                points[1].pk: services.PointDecision(PointOutcome.PARTLY_UPHELD, Remedy.APOLOGY),
            },
            appeal_route=services.default_appeal_route(feedback),
        )
    feedback.refresh_from_db()
    stage.refresh_from_db()
    assert feedback.status == Status.RESPONDED
    assert stage.responded_at == at("2026-06-10")
    assert [row["outcome"] for row in stage.point_outcomes] == ["upheld", "partly-upheld"]
    response = Message.objects.for_organisation(world.organisation).get(
        event=Event.COMPLAINT_RESPONSE
    )
    assert "Financial redress of £25.00" in response.body
    assert "stage 2" in response.body  # the route of appeal

    with time_machine.travel(at("2026-06-12", 9), tick=False):  # Friday
        second = services.escalate(feedback, by=world.officer, reason="The bin is still missed")
    assert (second.stage, second.ack_due_at, second.response_due_at) == (
        2,
        end_of("2026-06-19"),
        None,
    )
    with time_machine.travel(at("2026-06-15"), tick=False):  # Monday
        services.acknowledge(feedback, by=world.officer)
    second.refresh_from_db()
    assert second.response_due_at == end_of("2026-07-13")  # 20 working days of acknowledgement
    with time_machine.travel(at("2026-07-01"), tick=False):
        services.respond(
            feedback,
            by=world.officer,
            findings="Reviewed by the head of service.",
            decisions=_all_outcomes(feedback, PointOutcome.NOT_UPHELD),
            appeal_route=services.default_appeal_route(feedback),
        )
        feedback.refresh_from_db()
        assert "Ombudsman" in services.default_appeal_route(feedback)
        services.close(feedback, by=world.officer)
    feedback.refresh_from_db()
    assert (feedback.status, feedback.closed_as) == (Status.CLOSED, ClosedAs.ANSWERED)
    codes = list(
        FeedbackEvent.objects.for_organisation(world.organisation)
        .filter(feedback=feedback)
        .values_list("code", flat=True)
    )
    assert codes == [
        "recorded",
        "acknowledged",
        "extended",
        "responded",
        "escalated",
        "acknowledged",
        "responded",
        "closed",
        "survey-sent",  # the satisfaction survey, sent on closing
    ]
    audited = AuditRecord.objects.filter(
        organisation=world.organisation, object_type="feedback.feedback", object_id=str(feedback.pk)
    ).count()
    assert audited == 9


# --- the seeds' procedure ------------------------------------------------------------------------
def test_the_seeds_procedure_starts_informally_then_acknowledges_in_5_and_answers_in_15(
    world: World,
) -> None:
    services.set_procedure(world.organisation, by=world.officer, preset=Preset.SEEDS)
    with time_machine.travel(at("2026-03-02"), tick=False):  # Monday
        feedback = _complaint(world, points=("Missed bin",))
    stage = queries.current_stage(feedback)
    assert stage is not None
    assert (stage.stage, stage.ack_due_at, stage.response_due_at) == (
        0,
        None,
        end_of("2026-03-16"),  # the informal stage: 10 working days of receipt
    )
    with time_machine.travel(at("2026-03-05"), tick=False):
        services.respond(
            feedback,
            by=world.leader,
            findings="Collected the next day.",
            decisions=_all_outcomes(feedback),
            appeal_route="Ask for a formal stage 1 review.",
        )
    with time_machine.travel(at("2026-03-27"), tick=False):  # Friday before Good Friday (3 Apr)
        first = services.escalate(feedback, by=world.officer, reason="Wants a formal answer")
    # 5 and 15 working days of the escalation; Good Friday 3 April and Easter Monday 6 April
    # are bank holidays in England.
    assert first.ack_due_at == end_of("2026-04-07")
    assert first.response_due_at == end_of("2026-04-21")
    with time_machine.travel(at("2026-03-30"), tick=False):
        services.acknowledge(feedback, by=world.officer)
    first.refresh_from_db()
    assert first.response_due_at == end_of("2026-04-21")  # counted from receipt: unchanged


# --- the Scottish model complaints handling procedure ---------------------------------------------
def test_the_scottish_procedure_answers_stage_1_in_5_and_stage_2_in_20(world: World) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(nation="scotland")
    world.organisation.refresh_from_db()
    with time_machine.travel(at("2026-11-26"), tick=False):  # Thursday
        feedback = _complaint(world, points=("Missed bin",))
    assert feedback.procedure == Preset.SCOTTISH
    stage = queries.current_stage(feedback)
    assert stage is not None
    # 27 Nov, then 30 Nov (St Andrew's Day, a Scottish bank holiday) skipped: 1 to 4 Dec.
    assert (stage.ack_due_at, stage.response_due_at) == (None, end_of("2026-12-04"))
    with time_machine.travel(at("2026-12-03"), tick=False):
        services.respond(
            feedback,
            by=world.officer,
            findings="Collected.",
            decisions=_all_outcomes(feedback),
            appeal_route=services.default_appeal_route(feedback),
        )
    with time_machine.travel(at("2026-12-07"), tick=False):  # Monday
        second = services.escalate(feedback, by=world.officer, reason="Still unhappy")
    feedback.refresh_from_db()
    assert second.ack_due_at == end_of("2026-12-10")  # 3 working days
    # 20 working days of receipt at stage 2: 25, 28 Dec and 1, 2 Jan are Scottish bank holidays.
    assert second.response_due_at == end_of("2027-01-08")
    assert "Scottish Public Services Ombudsman" in services.default_appeal_route(feedback)


# --- refusals, each changing nothing -------------------------------------------------------------
@pytest.fixture
def acknowledged(world: World) -> Feedback:
    with time_machine.travel(at("2026-05-11"), tick=False):
        feedback = _complaint(world)
        services.acknowledge(feedback, by=world.officer)
    return feedback


def _refused(feedback: Feedback, call: Any, message: str, field: str | None = None) -> None:
    before = _snapshot(feedback)
    with pytest.raises(ServiceError) as refused:
        call()
    assert message in refused.value.message
    if field is not None:
        assert refused.value.field == field
    assert _snapshot(feedback) == before


def test_an_extension_needs_a_reason_and_stays_within_the_codes_limit(
    world: World, acknowledged: Feedback
) -> None:
    _refused(
        acknowledged,
        lambda: services.extend(acknowledged, by=world.officer, days=5, reason="  "),
        "Enter the reason for the extension",
        "reason",
    )
    _refused(
        acknowledged,
        lambda: services.extend(acknowledged, by=world.officer, days=11, reason="Busy"),
        "from 1 to 10",
        "days",
    )
    services.extend(acknowledged, by=world.officer, days=10, reason="Busy")
    _refused(
        acknowledged,
        lambda: services.extend(acknowledged, by=world.officer, days=1, reason="Busier"),
        "already been extended once",
    )


def test_an_unacknowledged_code_complaint_cannot_be_extended(world: World) -> None:
    feedback = _complaint(world)
    _refused(
        feedback,
        lambda: services.extend(feedback, by=world.officer, days=3, reason="Busy"),
        "Acknowledge the complaint first",
    )


def test_a_response_needs_an_outcome_for_every_point_and_an_amount_for_money(
    world: World, acknowledged: Feedback
) -> None:
    points = queries.points_of(acknowledged)
    only_first = {points[0].pk: services.PointDecision(PointOutcome.UPHELD)}
    _refused(
        acknowledged,
        lambda: services.respond(
            acknowledged, by=world.officer, findings="Found", decisions=only_first,
            appeal_route="Stage 2",
        ),
        "Select an outcome for point 2",
        f"point_{points[1].pk}_outcome",
    )  # fmt: skip
    no_amount = {
        point.pk: services.PointDecision(PointOutcome.UPHELD, Remedy.FINANCIAL) for point in points
    }
    _refused(
        acknowledged,
        lambda: services.respond(
            acknowledged, by=world.officer, findings="Found", decisions=no_amount,
            appeal_route="Stage 2",
        ),
        "Enter the amount of the financial redress for point 1",
    )  # fmt: skip
    _refused(
        acknowledged,
        lambda: services.respond(
            acknowledged, by=world.officer, findings="", decisions=_all_outcomes(acknowledged),
            appeal_route="Stage 2",
        ),
        "Enter what was found",
        "findings",
    )  # fmt: skip


def test_a_closed_complaint_cannot_be_escalated(world: World, acknowledged: Feedback) -> None:
    services.close_outside_procedure(
        acknowledged,
        by=world.officer,
        route="planning-appeal",
        signposting="Appeal to the Planning Inspectorate within 12 weeks.",
    )
    _refused(
        acknowledged,
        lambda: services.escalate(acknowledged, by=world.officer, reason="Not happy"),
        "is closed",
    )
    _refused(
        acknowledged,
        lambda: services.extend(acknowledged, by=world.officer, days=2, reason="Busy"),
        "is closed",
    )


def test_escalation_waits_for_an_answer_or_the_deadline(
    world: World, acknowledged: Feedback
) -> None:
    with time_machine.travel(at("2026-05-15"), tick=False):
        _refused(
            acknowledged,
            lambda: services.escalate(acknowledged, by=world.officer, reason="Too slow"),
            "has not been answered yet",
        )
    with time_machine.travel(at("2026-06-01"), tick=False):  # stage 1 due 26 May: overdue
        stage = services.escalate(acknowledged, by=world.officer, reason="No answer in time")
    assert stage.stage == 2


def test_the_last_stage_cannot_be_escalated(world: World, acknowledged: Feedback) -> None:
    with time_machine.travel(at("2026-06-01"), tick=False):
        services.escalate(acknowledged, by=world.officer, reason="No answer")
    with time_machine.travel(at("2026-08-03"), tick=False):
        _refused(
            acknowledged,
            lambda: services.escalate(acknowledged, by=world.officer, reason="Again"),
            "last stage of the procedure",
        )


def test_closing_needs_an_answer(world: World, acknowledged: Feedback) -> None:
    _refused(
        acknowledged,
        lambda: services.close(acknowledged, by=world.officer),
        "Answer the complaint before closing it",
    )


def test_outside_the_procedure_is_recorded_and_the_customer_signposted(
    world: World, acknowledged: Feedback
) -> None:
    services.close_outside_procedure(
        acknowledged,
        by=world.officer,
        route="insurance",
        signposting="Send your claim to our insurers, Example Mutual.",
    )
    acknowledged.refresh_from_db()
    assert (acknowledged.status, acknowledged.closed_as, acknowledged.alternative_route) == (
        Status.CLOSED,
        ClosedAs.OUTSIDE,
        "insurance",
    )
    message = (
        Message.objects.for_organisation(world.organisation)
        .filter(event=Event.COMPLAINT_RESPONSE)
        .get()
    )
    assert "Example Mutual" in message.body


# --- comments and compliments --------------------------------------------------------------------
def test_a_compliment_is_acknowledged_and_passed_to_the_person_and_their_managers(
    world: World,
) -> None:
    compliment = services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=Kind.COMPLIMENT,
            about="staff",
            staff_member=world.crew_member,
            service=world.waste,
            what_happened="The crew carried my bin up the steps.",
        ),
    )
    assert compliment.reference.startswith("FB-26-")
    assert not ComplaintStage.objects.for_organisation(world.organisation).exists()
    services.acknowledge(compliment, by=world.officer)
    ack = Message.objects.for_organisation(world.organisation).get(
        event=Event.FEEDBACK_ACKNOWLEDGEMENT
    )
    assert "Thank you for your compliment" in ack.subject
    told = services.pass_on(compliment, by=world.officer)
    assert {person.pk for person in told} == {world.crew_member.pk, world.leader.pk}
    staff_messages = Message.objects.for_organisation(world.organisation).filter(
        event=Event.FEEDBACK_PASSED_ON
    )
    assert sorted(staff_messages.values_list("recipient_user_id", flat=True)) == sorted(
        [world.crew_member.pk, world.leader.pk]
    )
    assert "carried my bin" in staff_messages.first().body  # type: ignore[union-attr]
    compliment.refresh_from_db()
    assert (compliment.status, compliment.closed_as) == (Status.CLOSED, ClosedAs.PASSED_ON)


def test_a_comment_about_a_service_goes_to_its_team_leaders(world: World) -> None:
    comment = services.record_feedback(
        world.organisation,
        by=None,
        customer=None,
        values=services.FeedbackInput(
            kind=Kind.COMMENT, service=world.waste, what_happened="Collections are earlier now."
        ),
    )
    told = services.pass_on(comment, by=world.officer)
    assert {person.pk for person in told} == {world.leader.pk, world.crew_member.pk}


def test_unequal_treatment_needs_the_characteristic(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        services.record_feedback(
            world.organisation,
            by=world.advisor,
            customer=world.customer,
            values=services.FeedbackInput(
                kind=Kind.COMPLAINT, what_happened="Treated differently", unequal_treatment=True
            ),
        )
    assert refused.value.field == "characteristic"
    assert not Feedback.objects.for_organisation(world.organisation).exists()
    assert not Contact.objects.for_organisation(world.organisation).exists()
    flagged = services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=Kind.COMPLAINT,
            what_happened="Treated differently",
            unequal_treatment=True,
            characteristic="disability",
        ),
    )
    assert (flagged.unequal_treatment, flagged.characteristic) == (True, "disability")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"what_happened": ""}, "what_happened", "Enter what happened"),
        ({"what_happened": "x" * 10_001}, "what_happened", "10000 characters or fewer"),
        ({"what_happened": "Hidden\u202eevil"}, "what_happened", "special characters"),
        ({"wanted": "nul\x00"}, "wanted", "special characters"),
        ({"kind": "<script>"}, "kind", "Select what kind"),
        ({"about": "staff"}, "staff_member", "Select the member of staff"),
        ({"points": ("y" * 501,)}, "points", "500 characters or fewer"),
        ({"points": tuple(f"p{n}" for n in range(21))}, "points", "20 points"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(
    world: World, changes: dict[str, Any], field: str, message: str
) -> None:
    values: dict[str, Any] = {"kind": Kind.COMPLAINT, "what_happened": "Missed bin", **changes}
    with pytest.raises(ServiceError) as refused:
        services.record_feedback(
            world.organisation,
            by=world.advisor,
            customer=world.customer,
            values=services.FeedbackInput(**values),
        )
    assert (refused.value.field, message in refused.value.message) == (field, True)
    assert not Feedback.objects.for_organisation(world.organisation).exists()


def test_sql_and_html_looking_text_is_kept_as_text(world: World) -> None:
    text = "'); DROP TABLE feedback_feedback; -- <b>bold</b>"
    feedback = services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=None,
        values=services.FeedbackInput(kind=Kind.COMPLAINT, what_happened=text),
    )
    feedback.refresh_from_db()
    assert feedback.what_happened == text
    assert queries.points_of(feedback)[0].summary == text

"""The ombudsman's involvement in a complaint: which ombudsman is offered, the enquiry, the
decision in the ombudsman's own words, the remedy and the date to comply by, the reminder the
worker sends before it, the pages over the permission matrix, and bad input refused with
nothing changed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from onestop.core.errors import ServiceError
from onestop.core.management.commands import worker
from onestop.core.models import AuditRecord, RoleCode, User
from onestop.feedback.models import Feedback, FeedbackEvent, Ombudsman, OmbudsmanCase
from onestop.feedback.services import ombudsman
from onestop.notify.models import Event, Message
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.feedback.after_support import answered, complaint, date_fields
from tests.feedback.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]
DAY = datetime.date


def _cases(feedback: Feedback) -> list[tuple[Any, ...]]:
    return list(
        OmbudsmanCase.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .order_by("pk")
        .values_list(
            "ombudsman", "enquiry_on", "decision_on", "finding", "remedy", "remedy_amount",
            "comply_by", "complied_on", "reminded_at",
        )
    )  # fmt: skip


def _audits(world: World) -> int:
    return AuditRecord.objects.filter(organisation=world.organisation).count()


# --- which ombudsman ----------------------------------------------------------------------------
def test_the_ombudsman_offered_follows_the_nation_and_the_subject(world: World) -> None:
    waste = complaint(world)
    housing = complaint(world, service=world.housing)
    assert ombudsman.offered(waste) == [Ombudsman.LGSCO, Ombudsman.HOUSING]
    assert ombudsman.offered(housing) == [Ombudsman.HOUSING, Ombudsman.LGSCO]
    world.organisation.nation = "wales"
    world.organisation.save(update_fields=["nation"])
    waste.refresh_from_db()
    assert ombudsman.offered(waste) == [Ombudsman.PSOW]
    world.organisation.nation = "scotland"
    world.organisation.save(update_fields=["nation"])
    waste.refresh_from_db()
    assert ombudsman.offered(waste) == [Ombudsman.SPSO]
    world.organisation.nation = "northern-ireland"
    world.organisation.save(update_fields=["nation"])
    waste.refresh_from_db()
    assert ombudsman.offered(waste) == [Ombudsman.NIPSO]


# --- the service --------------------------------------------------------------------------------
@time_machine.travel("2026-06-01 10:00+01:00", tick=False)
def test_enquiry_decision_and_compliance_are_recorded_in_order(world: World) -> None:
    feedback = answered(world)
    case = ombudsman.record_enquiry(
        feedback, by=world.officer, ombudsman=Ombudsman.LGSCO, enquiry_on=DAY(2026, 6, 1),
        their_reference="25 012 345",
    )  # fmt: skip
    decided = ombudsman.record_decision(
        case,
        by=world.officer,
        decision=ombudsman.Decision(
            decision_on=DAY(2026, 6, 1),
            finding="fault-injustice",
            remedy="Apologise and pay £150 for the distress caused",
            remedy_amount=Decimal("150.00"),
            comply_by=DAY(2026, 6, 19),
        ),
    )
    ombudsman.record_compliance(decided, by=world.officer, complied_on=DAY(2026, 6, 1))
    assert _cases(feedback) == [
        (
            "lgsco", DAY(2026, 6, 1), DAY(2026, 6, 1), "fault-injustice",
            "Apologise and pay £150 for the distress caused", Decimal("150.00"),
            DAY(2026, 6, 19), DAY(2026, 6, 1), None,
        )
    ]  # fmt: skip
    codes = list(
        FeedbackEvent.objects.for_organisation(world.organisation)
        .filter(feedback=feedback, code__startswith="ombudsman")
        .values_list("code", flat=True)
    )
    assert codes == ["ombudsman-enquiry", "ombudsman-decision", "ombudsman-complied"]
    summaries = list(
        AuditRecord.objects.filter(organisation=world.organisation, summary__contains="mbudsman")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        f"Complaint {feedback.reference}: Local Government and Social Care Ombudsman enquiry",
        f"Complaint {feedback.reference}: Local Government and Social Care Ombudsman decision",
        f"Complaint {feedback.reference}: ombudsman's remedy carried out",
    ]


@time_machine.travel("2026-06-10 10:00+01:00", tick=False)
@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"enquiry_on": DAY(2026, 6, 11)}, "enquiry_on", "today or in the past"),
        ({"enquiry_on": DAY(2026, 6, 9)}, "enquiry_on", "on or after the complaint was received"),
        ({"enquiry_on": None}, "enquiry_on", "Enter the date of the enquiry"),
        ({"ombudsman": Ombudsman.SPSO}, "ombudsman", "Select the ombudsman from the list"),
        ({"their_reference": "25\u202e012"}, "their_reference", "special characters"),
        ({"their_reference": "9" * 51}, "their_reference", "50 characters or fewer"),
    ],
)
def test_a_bad_enquiry_is_refused_and_nothing_changes(
    world: World, values: dict[str, Any], field: str, words: str
) -> None:
    feedback = answered(world)
    audits = _audits(world)
    arguments: dict[str, Any] = {
        "ombudsman": Ombudsman.LGSCO,
        "enquiry_on": DAY(2026, 6, 10),
        "their_reference": "",
    } | values
    with pytest.raises(ServiceError) as refused:
        ombudsman.record_enquiry(feedback, by=world.officer, **arguments)
    assert refused.value.field == field
    assert words in refused.value.message
    assert _cases(feedback) == []
    assert _audits(world) == audits


def test_a_comment_cannot_go_to_the_ombudsman(world: World) -> None:
    comment = complaint(world, kind="comment")
    with pytest.raises(ServiceError, match="Only a complaint can go to the ombudsman"):
        ombudsman.record_enquiry(
            comment, by=world.officer, ombudsman=Ombudsman.LGSCO, enquiry_on=DAY(2026, 6, 1)
        )


@time_machine.travel("2026-06-10 10:00+01:00", tick=False)
@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"decision_on": DAY(2026, 6, 9)}, "decision_on", "on or after the date of the enquiry"),
        ({"decision_on": DAY(2026, 6, 11)}, "decision_on", "today or in the past"),
        ({"finding": "severe-maladministration"}, "finding", "Select a finding the Local"),
        ({"finding": ""}, "finding", "Select a finding"),
        ({"comply_by": DAY(2026, 6, 9)}, "comply_by", "on or after the date of the decision"),
        ({"comply_by": None}, "comply_by", "Enter the date by which the council must"),
        ({"remedy": ""}, "remedy", "Enter the remedy"),
        ({"remedy_amount": Decimal("100000.01")}, "remedy_amount", "between £0"),
        ({"remedy_amount": Decimal("-1")}, "remedy_amount", "between £0"),
        ({"remedy": "Pay\u200b"}, "remedy", "special characters"),
        ({"remedy": "x" * 5001}, "remedy", "5000 characters or fewer"),
    ],
)
def test_a_bad_decision_is_refused_and_nothing_changes(
    world: World, values: dict[str, Any], field: str, words: str
) -> None:
    feedback = answered(world)
    case = ombudsman.record_enquiry(
        feedback, by=world.officer, ombudsman=Ombudsman.LGSCO, enquiry_on=DAY(2026, 6, 10)
    )
    before, audits = _cases(feedback), _audits(world)
    arguments: dict[str, Any] = {
        "decision_on": DAY(2026, 6, 10),
        "finding": "fault-injustice",
        "remedy": "Apologise",
        "remedy_amount": None,
        "comply_by": DAY(2026, 7, 10),
    } | values
    with pytest.raises(ServiceError) as refused:
        ombudsman.record_decision(case, by=world.officer, decision=ombudsman.Decision(**arguments))
    assert refused.value.field == field
    assert words in refused.value.message
    assert _cases(feedback) == before
    assert _audits(world) == audits


@time_machine.travel("2026-06-10 10:00+01:00", tick=False)
def test_compliance_needs_a_decision_and_a_date_in_order(world: World) -> None:
    feedback = answered(world)
    case = ombudsman.record_enquiry(
        feedback, by=world.officer, ombudsman=Ombudsman.HOUSING, enquiry_on=DAY(2026, 6, 10)
    )
    with pytest.raises(ServiceError, match="Record the ombudsman's decision and remedy first"):
        ombudsman.record_compliance(case, by=world.officer, complied_on=DAY(2026, 6, 10))
    ombudsman.record_decision(
        case,
        by=world.officer,
        decision=ombudsman.Decision(
            DAY(2026, 6, 10), "maladministration", "Repair the roof", None, DAY(2026, 7, 9)
        ),
    )
    with pytest.raises(ServiceError, match="on or after the decision"):
        ombudsman.record_compliance(case, by=world.officer, complied_on=DAY(2026, 6, 9))
    ombudsman.record_compliance(case, by=world.officer, complied_on=DAY(2026, 6, 10))
    with pytest.raises(ServiceError, match="already been recorded as done"):
        ombudsman.record_compliance(case, by=world.officer, complied_on=DAY(2026, 6, 10))
    with pytest.raises(ServiceError, match="can no longer be changed"):
        ombudsman.record_decision(
            case,
            by=world.officer,
            decision=ombudsman.Decision(DAY(2026, 6, 10), "service-failure", "", None, None),
        )


# --- the reminder -------------------------------------------------------------------------------
def _reminders(world: World) -> list[tuple[str, str]]:
    return list(
        Message.objects.for_organisation(world.organisation)
        .filter(event=Event.OMBUDSMAN_REMEDY_DUE)
        .order_by("pk")
        .values_list("recipient_label", "subject")
    )


def test_staff_are_reminded_by_the_worker_five_working_days_before_the_date_once(
    world: World,
) -> None:
    second_officer = core_factories.staff(
        world.organisation, RoleCode.COMPLAINTS_OFFICER, username="second.officer"
    )
    with time_machine.travel("2026-06-01 10:00+01:00", tick=False):
        feedback = answered(world)
        case = ombudsman.record_enquiry(
            feedback, by=world.officer, ombudsman=Ombudsman.LGSCO, enquiry_on=DAY(2026, 6, 1)
        )
        ombudsman.record_decision(
            case,
            by=world.other_manager,
            decision=ombudsman.Decision(
                DAY(2026, 6, 1), "fault-injustice", "Apologise in writing", None, DAY(2026, 6, 19)
            ),
        )
    assert ("feedback", "remind") in worker.IDLE_STEPS
    # Thursday 11 June: Friday 19 June is 6 working days away; nothing yet.
    with time_machine.travel("2026-06-11 10:00+01:00", tick=False):
        worker.Command()._steps()
    assert _reminders(world) == []
    # Friday 12 June: 5 working days away; the complaints officers and the manager who
    # recorded the decision are told, once.
    subject = f"Ombudsman's remedy due by 19 June 2026: {feedback.reference}"
    with time_machine.travel("2026-06-12 10:00+01:00", tick=False):
        worker.Command()._steps()
        worker.Command()._steps()
    assert sorted(_reminders(world)) == sorted(
        [
            (world.officer.display_name, subject),
            (second_officer.display_name, subject),
            (world.other_manager.display_name, subject),
        ]
    )
    case.refresh_from_db()
    assert case.reminded_at is not None
    with time_machine.travel("2026-06-15 10:00+01:00", tick=False):
        call_command("feedback", "remind")
    assert len(_reminders(world)) == 3


def test_a_remedy_carried_out_or_a_new_date_changes_the_reminder(world: World) -> None:
    with time_machine.travel("2026-06-01 10:00+01:00", tick=False):
        done = answered(world)
        moved = answered(world)
        cases = [
            ombudsman.record_enquiry(
                feedback, by=world.officer, ombudsman=Ombudsman.LGSCO, enquiry_on=DAY(2026, 6, 1)
            )
            for feedback in (done, moved)
        ]
        for case in cases:
            ombudsman.record_decision(
                case,
                by=world.officer,
                decision=ombudsman.Decision(
                    DAY(2026, 6, 1), "fault-injustice", "Apologise", None, DAY(2026, 6, 5)
                ),
            )
        ombudsman.record_compliance(cases[0], by=world.officer, complied_on=DAY(2026, 6, 1))
        assert ombudsman.remind_due_remedies() == 1
        assert ombudsman.remind_due_remedies() == 0
        ombudsman.record_decision(
            cases[1],
            by=world.officer,
            decision=ombudsman.Decision(
                DAY(2026, 6, 1), "fault-injustice", "Apologise", None, DAY(2026, 6, 8)
            ),
        )
        assert ombudsman.remind_due_remedies() == 1
    assert [label for label, _ in _reminders(world)] == [world.officer.display_name] * 2


# --- the pages ----------------------------------------------------------------------------------
@covers("feedback:ombudsman", "feedback:ombudsman-decision", "feedback:ombudsman-complied")
@time_machine.travel("2026-06-10 10:00+01:00", tick=False)
def test_the_ombudsman_pages(
    world: World, client_for: ClientFor, auditor: User, partner: Any
) -> None:
    feedback = answered(world)
    url = f"/feedback/{feedback.reference}/ombudsman/"
    enquiry = {"ombudsman-ombudsman": "lgsco", **date_fields("ombudsman", "enquiry_on",
                                                             DAY(2026, 6, 10))}  # fmt: skip
    stranger = core_factories.staff(partner, RoleCode.COMPLAINTS_OFFICER, username="their.co")
    assert Client().post(url, enquiry).status_code == 302
    assert client_for(stranger).post(url, enquiry).status_code == 404
    assert client_for(auditor).post(url, enquiry).status_code == 403
    assert client_for(world.leader).post(url, enquiry).status_code == 403
    assert _cases(feedback) == []
    page = client_for(world.officer).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("Local Government and Social Care Ombudsman") < body.index(
        "Housing Ombudsman"
    )
    wrong = client_for(world.officer).post(
        url, {**enquiry, **date_fields("ombudsman", "enquiry_on", ("31", "2", "2026"))}
    )
    assert wrong.status_code == 400
    assert "must be a real date" in wrong.content.decode()
    assert _cases(feedback) == []
    assert client_for(world.officer).post(url, enquiry).status_code == 302
    case = OmbudsmanCase.objects.for_organisation(world.organisation).get(feedback=feedback)

    decision_url = f"/feedback/{feedback.reference}/ombudsman/{case.pk}/decision/"
    decision = {
        **date_fields("decision", "decision_on", DAY(2026, 6, 10)),
        "decision-finding": "fault-injustice",
        "decision-remedy": "Apologise and pay",
        "decision-remedy_amount": "150.00",
        **date_fields("decision", "comply_by", DAY(2026, 7, 10)),
    }
    assert client_for(auditor).post(decision_url, decision).status_code == 403
    other = complaint(world)
    assert (
        client_for(world.officer)
        .post(f"/feedback/{other.reference}/ombudsman/{case.pk}/decision/", decision)
        .status_code
        == 404
    )
    assert (
        client_for(world.officer)
        .get(f"/feedback/{feedback.reference}/ombudsman/99999999999999/decision/")
        .status_code
        == 404
    )
    not_a_number = client_for(world.officer).post(
        decision_url, {**decision, "decision-remedy_amount": "one hundred"}
    )
    assert not_a_number.status_code == 400
    assert "Amount to pay, in pounds must be a number" in not_a_number.content.decode()
    reversed_dates = client_for(world.officer).post(
        decision_url, {**decision, **date_fields("decision", "comply_by", DAY(2026, 6, 9))}
    )
    assert reversed_dates.status_code == 400
    assert "on or after the date of the decision" in reversed_dates.content.decode()
    assert _cases(feedback)[0][2:] == (None, "", "", None, None, None, None)
    assert client_for(world.officer).post(decision_url, decision).status_code == 302

    complied_url = f"/feedback/{feedback.reference}/ombudsman/{case.pk}/complied/"
    assert client_for(world.leader).post(complied_url).status_code == 403
    assert (
        client_for(world.officer)
        .post(complied_url, date_fields("complied", "complied_on", DAY(2026, 6, 10)))
        .status_code
        == 302
    )
    assert _cases(feedback) == [
        (
            "lgsco", DAY(2026, 6, 10), DAY(2026, 6, 10), "fault-injustice", "Apologise and pay",
            Decimal("150.00"), DAY(2026, 7, 10), DAY(2026, 6, 10), None,
        )
    ]  # fmt: skip
    record = client_for(world.officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert "Fault causing injustice" in record
    assert "10 July 2026" in record
    assert "Ombudsman&#x27;s remedy carried out" in record


@time_machine.travel("2026-06-10 10:00+01:00", tick=False)
def test_the_list_shows_complaints_with_the_ombudsman(world: World, client_for: ClientFor) -> None:
    waiting = answered(world)  # the ombudsman has not decided
    remedy_due = answered(world)  # decided, remedy not yet carried out
    finished = answered(world)  # decided, no remedy
    case_factories.service(world.organisation, "Parks")  # unrelated
    for feedback in (waiting, remedy_due, finished):
        ombudsman.record_enquiry(
            feedback, by=world.officer, ombudsman=Ombudsman.LGSCO, enquiry_on=DAY(2026, 6, 10)
        )
    cases = OmbudsmanCase.objects.for_organisation(world.organisation).order_by("pk")
    ombudsman.record_decision(
        cases[1],
        by=world.officer,
        decision=ombudsman.Decision(
            DAY(2026, 6, 10), "fault-injustice", "Apologise", None, DAY(2026, 7, 1)
        ),
    )
    ombudsman.record_decision(
        cases[2],
        by=world.officer,
        decision=ombudsman.Decision(DAY(2026, 6, 10), "no-fault"),
    )
    page = client_for(world.officer).get("/feedback/?show=ombudsman").content.decode()
    assert "With the ombudsman (2)</strong>" in page
    assert waiting.reference in page
    assert remedy_due.reference in page
    assert finished.reference not in page


def test_the_member_of_staff_a_complaint_is_about_is_never_reminded_of_it(world: World) -> None:
    named = core_factories.staff(
        world.organisation, RoleCode.COMPLAINTS_OFFICER, username="named.officer"
    )
    with time_machine.travel("2026-06-01 10:00+01:00", tick=False):
        feedback = answered(world, about="staff", staff_member=named)
        case = ombudsman.record_enquiry(
            feedback, by=world.officer, ombudsman=Ombudsman.LGSCO, enquiry_on=DAY(2026, 6, 1)
        )
        ombudsman.record_decision(
            case,
            by=world.officer,
            decision=ombudsman.Decision(
                DAY(2026, 6, 1), "fault-injustice", "Apologise", None, DAY(2026, 6, 5)
            ),
        )
        assert ombudsman.remind_due_remedies() == 1
    assert [label for label, _ in _reminders(world)] == [world.officer.display_name]

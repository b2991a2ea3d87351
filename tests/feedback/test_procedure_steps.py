"""Stage owners (reassigned with a reason to someone of at least the rank the stage needs),
contributions from other services to a cross-service complaint (the answer refused while any is
outstanding unless the lead says why), and feedback a councillor records for a constituent
(the same record and contact as every route; the councillor follows their own only)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.contacts.models import Channel, Contact
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.customers.models import Customer
from onestop.directory import services as directory_services
from onestop.directory.models import TeamMembership
from onestop.feedback import services
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import ComplaintStage, Feedback, FeedbackEvent, Kind, PointOutcome
from onestop.feedback.procedure_models import Contribution, CouncillorSubmission
from onestop.feedback.queries import procedure as procedure_queries
from onestop.feedback.services import procedure
from onestop.notify.models import Event, Message
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.feedback.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]


def _complaint(world: World, **values: Any) -> Feedback:
    return services.record_feedback(
        world.organisation,
        by=world.advisor,
        customer=world.customer,
        values=services.FeedbackInput(
            kind=Kind.COMPLAINT,
            what_happened="The crew left rubbish and the housing office did not call back",
            service=world.waste,
            **values,
        ),
    )


@pytest.fixture
def head_of_waste(world: World) -> User:
    person = core_factories.staff(world.organisation, RoleCode.MANAGER, username="head.waste")
    case_factories.member(world.crews, person)
    return person


def _stage(feedback: Feedback) -> ComplaintStage:
    found: ComplaintStage = ComplaintStage.objects.for_organisation(feedback.organisation_id).get(
        feedback=feedback, stage=feedback.current_stage
    )
    return found


def _answer(feedback: Feedback, by: User, **extra: Any) -> ComplaintStage:
    points = {
        point.pk: services.PointDecision(outcome=PointOutcome.UPHELD)
        for point in feedback.points.all()
    }
    return services.respond(
        feedback, by=by, findings="Both services fell short", decisions=points,
        appeal_route="Stage 2", **extra,
    )  # fmt: skip


# --- stage owners ---------------------------------------------------------------------------------
def test_stage_1_needs_at_least_an_operational_manager(world: World, head_of_waste: User) -> None:
    feedback = _complaint(world)  # England: the Code, stage 1
    assert feedback.current_stage == 1
    with pytest.raises(ServiceError) as refused:
        procedure.reassign_owner(feedback, by=world.officer, owner=world.leader, reason="Leave")
    assert refused.value.field == "owner"
    assert refused.value.code == FeedbackError.OWNER_RANK
    assert "Stage 1 must be owned by at least an operational manager: " in refused.value.message
    assert "is a team leader" in refused.value.message
    assert _stage(feedback).owner is None
    stage = procedure.reassign_owner(
        feedback, by=world.officer, owner=world.other_manager, reason="Housing leads"
    )
    assert stage.owner == world.other_manager
    event = FeedbackEvent.objects.for_organisation(world.organisation).get(code="owner-changed")
    assert event.data["reason"] == "Housing leads"
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(summary__startswith="Owner of stage 1", object_id=str(feedback.pk))
        .exists()
    )


def test_stage_2_needs_the_head_of_the_service(world: World, head_of_waste: User) -> None:
    feedback = _complaint(world)
    services.acknowledge(feedback, by=world.officer)
    _answer(feedback, world.officer)
    services.escalate(feedback, by=world.officer, reason="Not satisfied")
    feedback.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        procedure.reassign_owner(
            feedback, by=world.officer, owner=world.other_manager, reason="Investigate"
        )
    assert "must be owned by at least the head of service" in refused.value.message
    stage = procedure.reassign_owner(
        feedback, by=world.officer, owner=head_of_waste, reason="Head of waste investigates"
    )
    assert stage.owner == head_of_waste


def test_the_informal_stage_takes_the_front_line(world: World, client_for: ClientFor) -> None:
    services.set_procedure(world.organisation, by=None, preset="seeds")
    feedback = _complaint(world)
    assert feedback.current_stage == 0
    assert procedure_queries.rank_of(world.advisor, feedback) == procedure_queries.Rank.FRONT_LINE
    # the advisor cannot read complaints, so cannot own one
    with pytest.raises(ServiceError):
        procedure.reassign_owner(feedback, by=world.officer, owner=world.advisor, reason="Desk")
    stage = procedure.reassign_owner(feedback, by=world.officer, owner=world.leader, reason="TL")
    assert stage.owner == world.leader


def test_a_stage_is_handled_by_its_owners_team_as_it_stood_when_given(
    world: World, head_of_waste: User
) -> None:
    """The team handling a stage (its per-team figures, issue 17) is recorded when the stage is
    given its owner: none before; the housing manager's only team (none of theirs is the
    waste service's) when the stage is reassigned to them, kept when they leave it; the crews
    when it moves on to the head of waste; the crews again at stage 2, acknowledged by the
    crews' member."""
    feedback = _complaint(world)
    assert _stage(feedback).team_id is None
    stage = procedure.reassign_owner(
        feedback, by=world.officer, owner=world.other_manager, reason="Housing leads"
    )
    membership = TeamMembership.objects.for_organisation(world.organisation).get(
        user=world.other_manager
    )
    assert stage.team_id == membership.team_id
    directory_services.remove_team_member(membership, by=None)
    assert _stage(feedback).team_id == membership.team_id
    stage = procedure.reassign_owner(
        feedback, by=world.officer, owner=head_of_waste, reason="Head of waste investigates"
    )
    assert _stage(feedback).team_id == world.crews.pk
    _answer(feedback, head_of_waste)
    services.escalate(feedback, by=world.officer, reason="Not satisfied")
    feedback.refresh_from_db()
    assert _stage(feedback).team_id is None
    services.acknowledge(feedback, by=world.crew_member)
    assert (_stage(feedback).owner, _stage(feedback).team_id) == (world.crew_member, world.crews.pk)


@pytest.mark.parametrize(
    ("owner", "reason", "field"),
    [
        ("none", "Reason", "owner"),
        ("stranger", "Reason", "owner"),
        ("manager", "", "reason"),
        ("manager", "\u202eHidden", "reason"),
        ("manager", "x" * 10_001, "reason"),
        ("subject", "Reason", "owner"),
    ],
)
def test_bad_owner_changes_are_refused_and_change_nothing(
    world: World, partner: Organisation, owner: str, reason: str, field: str
) -> None:
    subject = core_factories.staff(world.organisation, RoleCode.MANAGER, username="subject")
    case_factories.member(world.crews, subject)
    feedback = _complaint(world, about="staff", staff_member=subject)
    people = {
        "none": None,
        "stranger": core_factories.staff(partner, RoleCode.MANAGER, username="far"),
        "manager": world.other_manager,
        "subject": subject,
    }
    with pytest.raises(ServiceError) as refused:
        procedure.reassign_owner(feedback, by=world.officer, owner=people[owner], reason=reason)
    assert refused.value.field == field
    assert _stage(feedback).owner is None
    assert (
        not FeedbackEvent.objects.for_organisation(world.organisation)
        .filter(code="owner-changed")
        .exists()
    )


def test_an_answered_stage_keeps_its_owner(world: World) -> None:
    feedback = _complaint(world)
    services.acknowledge(feedback, by=world.officer)
    _answer(feedback, world.officer)
    with pytest.raises(ServiceError) as refused:
        procedure.reassign_owner(
            feedback, by=world.officer, owner=world.other_manager, reason="Late"
        )
    assert refused.value.code == FeedbackError.ALREADY_RESPONDED


@covers("feedback:owner")
def test_the_owner_page(
    world: World, client_for: ClientFor, partner: Organisation, head_of_waste: User
) -> None:
    feedback = _complaint(world)
    url = f"/feedback/{feedback.reference}/owner/"
    stranger = core_factories.staff(partner, RoleCode.COMPLAINTS_OFFICER, username="far")
    assert Client().get(url).status_code == 302
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(world.advisor).get(url).status_code == 403
    auditor = core_factories.staff(world.organisation, RoleCode.AUDITOR, username="aud")
    assert client_for(auditor).post(url, {"owner-owner": str(head_of_waste.pk)}).status_code == 403
    refused = client_for(world.officer).post(
        url, {"owner-owner": str(world.leader.pk), "owner-reason": "Cover"}
    )
    assert refused.status_code == 400
    assert "must be owned by at least an operational manager" in refused.content.decode()
    assert _stage(feedback).owner is None
    done = client_for(world.officer).post(
        url, {"owner-owner": str(head_of_waste.pk), "owner-reason": "Cover"}
    )
    assert done.status_code == 302
    assert _stage(feedback).owner == head_of_waste
    record = client_for(world.officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert url in record
    assert "head.waste" in record or head_of_waste.display_name in record


# --- contributions --------------------------------------------------------------------------------
def _ask(world: World, feedback: Feedback, **changes: Any) -> Contribution:
    values: dict[str, Any] = {
        "service": world.housing,
        "team": None,
        "question": "Why was the call-back not made?",
        "due_on": timezone.localdate() + datetime.timedelta(days=5),
    }
    values.update(changes)
    return procedure.request_contribution(feedback, by=world.officer, **values)


def test_the_answer_waits_for_every_contribution_unless_the_lead_says_why(
    world: World,
) -> None:
    feedback = _complaint(world)
    services.acknowledge(feedback, by=world.officer)
    first = _ask(world, feedback)
    told = Message.objects.for_organisation(world.organisation).filter(
        event=Event.CONTRIBUTION_REQUEST
    )
    assert list(told.values_list("recipient_user_id", flat=True)) == [world.other_manager.pk]
    assert "Waste and Recycling is answering complaint" in told.get().body
    with pytest.raises(ServiceError) as refused:
        _answer(feedback, world.officer)
    assert refused.value.field == "outstanding_reason"
    assert "1 contribution(s) from other services are outstanding" in refused.value.message
    assert _stage(feedback).responded_at is None
    # the housing manager records it; then the answer goes
    procedure.record_contribution(first, by=world.other_manager, text="Staff sickness")
    assert procedure_queries.outstanding_count(feedback) == 0
    stage = _answer(feedback, world.officer)
    assert stage.responded_at is not None


def test_the_lead_may_answer_without_an_outstanding_contribution_with_a_reason(
    world: World,
) -> None:
    feedback = _complaint(world)
    services.acknowledge(feedback, by=world.officer)
    _ask(world, feedback)
    _answer(feedback, world.officer, outstanding_reason="Housing did not reply by the deadline")
    event = FeedbackEvent.objects.for_organisation(world.organisation).get(code="responded")
    assert event.data["outstanding_contributions"] == 1
    assert event.data["outstanding_reason"] == "Housing did not reply by the deadline"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "q\u200b"}, "question"),
        ({"question": "q" * 10_001}, "question"),
        ({"service": None}, "service"),
        ({"service": "waste"}, "service"),  # the lead service itself
        ({"service": "stranger"}, "service"),
        ({"team": "crews"}, "team"),  # a team of another service
        ({"due_on": None}, "due_on"),
        ({"due_on": "yesterday"}, "due_on"),
        ({"due_on": "far"}, "due_on"),
    ],
)
def test_bad_contribution_requests_are_refused(
    world: World, partner: Organisation, changes: dict[str, Any], field: str
) -> None:
    feedback = _complaint(world)
    stand_ins = {
        "waste": world.waste,
        "stranger": case_factories.service(partner, "Elsewhere"),
        "crews": world.crews,
        "yesterday": timezone.localdate() - datetime.timedelta(days=1),
        "far": timezone.localdate() + datetime.timedelta(days=61),
    }
    changes = {
        key: stand_ins.get(value, value) if isinstance(value, str) and key != "question" else value
        for key, value in changes.items()
    }
    with pytest.raises(ServiceError) as refused:
        _ask(world, feedback, **changes)
    assert refused.value.field == field
    assert not Contribution.objects.unscoped("test").exists()
    assert not Message.objects.unscoped("test").filter(event=Event.CONTRIBUTION_REQUEST).exists()


def test_only_the_service_asked_or_a_complaints_officer_records_a_contribution(
    world: World,
) -> None:
    feedback = _complaint(world)
    row = _ask(world, feedback)
    with pytest.raises(ServiceError) as refused:
        procedure.record_contribution(row, by=world.leader, text="Not my service")
    assert refused.value.code == FeedbackError.NOT_CONTRIBUTOR
    with pytest.raises(ServiceError):
        procedure.record_contribution(row, by=world.other_manager, text="")
    row.refresh_from_db()
    assert row.contributed_at is None
    procedure.record_contribution(row, by=world.officer, text="Sent by e-mail from housing")
    with pytest.raises(ServiceError) as again:
        procedure.record_contribution(row, by=world.officer, text="Twice")
    assert again.value.code == FeedbackError.ALREADY_CONTRIBUTED


@covers("feedback:contribution-new", "feedback:contribution")
def test_the_contribution_pages(world: World, client_for: ClientFor, partner: Organisation) -> None:
    feedback = _complaint(world)
    new = f"/feedback/{feedback.reference}/contributions/new/"
    stranger = core_factories.staff(partner, RoleCode.COMPLAINTS_OFFICER, username="far")
    assert Client().get(new).status_code == 302
    assert client_for(stranger).get(new).status_code == 404
    assert client_for(world.advisor).get(new).status_code == 403
    due = timezone.localdate() + datetime.timedelta(days=3)
    form = {
        "contribution-service": str(world.housing.pk),
        "contribution-question": "Why no call-back?",
        "contribution-due_on_day": str(due.day),
        "contribution-due_on_month": str(due.month),
        "contribution-due_on_year": "20",
    }
    refused = client_for(world.officer).post(new, form)
    assert refused.status_code == 400
    assert "Year must include 4 numbers" in refused.content.decode()
    form["contribution-due_on_year"] = str(due.year)
    assert client_for(world.officer).post(new, form).status_code == 302
    row = Contribution.objects.for_organisation(world.organisation).get()
    record = client_for(world.officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert 'data-testid="contributions"' in record
    assert "Outstanding" in record
    url = f"/feedback/{feedback.reference}/contributions/{row.pk}/"
    assert url in record
    assert Client().get(url).status_code == 302
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(world.advisor).get(url).status_code == 403
    assert client_for(world.leader).post(url, {"contribute-text": "Mine"}).status_code == 400
    assert client_for(world.other_manager).post(url, {"contribute-text": "Sick"}).status_code == 302
    row.refresh_from_db()
    assert row.text == "Sick"


# --- councillors ----------------------------------------------------------------------------------
@pytest.fixture
def councillor(world: World) -> User:
    return core_factories.staff(world.organisation, RoleCode.COUNCILLOR, username="cllr.ward")


def _for_constituent(world: World, councillor: User, **changes: Any) -> Feedback:
    values: dict[str, Any] = {
        "kind": Kind.COMPLAINT,
        "what_happened": "Bins not collected for three weeks",
        "given_name": "Sam",
        "family_name": "Constituent",
        "service": world.waste,
        "email": "sam@example.org",
    }
    values.update(changes)
    return procedure.record_for_constituent(
        world.organisation, by=councillor, values=procedure.CouncillorFeedback(**values)
    )


def test_a_councillors_feedback_lands_in_the_same_record_with_a_contact(
    world: World, councillor: User
) -> None:
    feedback = _for_constituent(world, councillor)
    assert feedback.reference.startswith("CO-")
    assert feedback.channel == Channel.COUNCILLOR_REFERRAL
    assert feedback.current_stage == 1
    contact = Contact.objects.for_organisation(world.organisation).get(pk=feedback.contact_id)
    assert contact.channel == Channel.COUNCILLOR_REFERRAL
    assert contact.customer_id == feedback.customer_id
    customer = Customer.objects.for_organisation(world.organisation).get(pk=feedback.customer_id)
    assert customer.display_name == "Sam Constituent"
    submission = CouncillorSubmission.objects.for_organisation(world.organisation).get()
    assert (submission.feedback_id, submission.councillor_id) == (feedback.pk, councillor.pk)
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(summary__contains="recorded by a councillor")
        .exists()
    )


def test_a_councillor_sees_the_progress_of_their_own_only(world: World, councillor: User) -> None:
    other = core_factories.staff(world.organisation, RoleCode.COUNCILLOR, username="cllr.other")
    mine = _for_constituent(world, councillor)
    theirs = _for_constituent(world, other, given_name="Alex")
    services.acknowledge(mine, by=world.officer)
    rows = procedure_queries.councillor_progress(councillor)
    assert [row.reference for row in rows] == [mine.reference]
    assert rows[0].stage_label == "stage 1"
    assert rows[0].due_at == _stage(mine).response_due_at
    assert [row.reference for row in procedure_queries.councillor_progress(other)] == [
        theirs.reference
    ]
    assert procedure_queries.councillor_progress(world.officer) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": "", "family_name": ""}, "given_name"),
        ({"family_name": ""}, "family_name"),
        ({"what_happened": ""}, "what_happened"),
        ({"what_happened": "x" * 10_001}, "what_happened"),
        ({"given_name": "Sam\u202e"}, "given_name"),
        ({"email": "not an address"}, "email"),
        ({"kind": "rant"}, "kind"),
        ({"kind": "unclassified"}, "kind"),
        ({"service": "stranger"}, "service"),
    ],
)
def test_bad_councillor_input_is_refused_and_nothing_saved(
    world: World, councillor: User, partner: Organisation, changes: dict[str, Any], field: str
) -> None:
    if changes.get("service") == "stranger":
        changes["service"] = case_factories.service(partner, "Elsewhere")
    with pytest.raises(ServiceError) as refused:
        _for_constituent(world, councillor, **changes)
    assert refused.value.field == field
    assert not Feedback.objects.for_organisation(world.organisation).exists()
    assert (
        not Customer.objects.for_organisation(world.organisation)
        .exclude(pk=world.customer.pk)
        .exists()
    )


def test_only_a_councillor_records_for_a_constituent(world: World) -> None:
    with pytest.raises(ServiceError):
        _for_constituent(world, world.advisor)
    assert not Feedback.objects.for_organisation(world.organisation).exists()


@covers("feedback:councillor", "feedback:councillor-new")
def test_the_councillor_pages(
    world: World, councillor: User, client_for: ClientFor, partner: Organisation
) -> None:
    stranger = core_factories.staff(partner, RoleCode.COUNCILLOR, username="far")
    for url in ("/feedback/councillor/", "/feedback/councillor/new/"):
        assert Client().get(url).status_code == 302
        assert client_for(world.advisor).get(url).status_code == 403
        assert client_for(world.officer).get(url).status_code == 403
    form = {
        "councillor-given_name": "Sam",
        "councillor-family_name": "Constituent",
        "councillor-kind": "complaint",
        "councillor-service": str(world.waste.pk),
        "councillor-what_happened": "",
    }
    refused = client_for(councillor).post("/feedback/councillor/new/", form)
    assert refused.status_code == 400
    assert not Feedback.objects.for_organisation(world.organisation).exists()
    form["councillor-what_happened"] = "Bins not collected"
    assert client_for(councillor).post("/feedback/councillor/new/", form).status_code == 302
    feedback = Feedback.objects.for_organisation(world.organisation).get()
    page = client_for(councillor).get("/feedback/councillor/").content.decode()
    assert feedback.reference in page
    # the staff navigation leads councillors (and nobody else) to their list
    home = "/staff/"  # the staff home page
    assert 'href="/feedback/councillor/"' in client_for(councillor).get(home).content.decode()
    officer_home = client_for(world.officer).get(home).content.decode()
    assert 'href="/feedback/councillor/"' not in officer_home
    assert (
        feedback.reference not in client_for(stranger).get("/feedback/councillor/").content.decode()
    )
    # the councillor does not read the record itself
    assert client_for(councillor).get(f"/feedback/{feedback.reference}/").status_code == 403

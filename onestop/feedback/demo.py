"""The demo council's comments, compliments and complaints (run by ``onestop demo``; idempotent).

``feedback_steps`` gives the story's steps (each at the moment it happened, replayed by
``core.replay`` with the rest of the council's history): complaints at every point of the
procedure (waiting to be acknowledged, answered, extended, escalated to stage 2 about a member of
staff, closed as outside the procedure) and a compliment passed to the crew.  A council that
already holds feedback is left as it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from onestop.core import replay
from onestop.core.models import Organisation, User
from onestop.customers.models import Customer
from onestop.directory.models import Service
from onestop.feedback import queries, services
from onestop.feedback.models import Feedback, Kind, PointOutcome, Remedy
from onestop.feedback.queries import after as after_queries
from onestop.feedback.services import learning, ombudsman, procedure, restrictions, survey

Step = tuple[datetime.datetime, Callable[[], None]]


def feedback_steps(council: Organisation, *, now: datetime.datetime) -> list[Step]:
    if Feedback.objects.for_organisation(council).exists():
        return []
    staff = {
        user.username.split("@")[0]: user for user in User.objects.filter(organisation=council)
    }
    officer, advisor = staff.get("complaints"), staff.get("advisor")
    manager = staff.get("manager")
    if officer is None or advisor is None or manager is None:
        return []
    customers = list(Customer.objects.for_organisation(council).order_by("pk")[:6])
    if len(customers) < 4:
        return []
    service = {item.name: item for item in Service.objects.for_organisation(council)}
    made: dict[str, Feedback] = {}

    def moment(days_ago: int, minutes: int = 60) -> datetime.datetime:
        return replay.office_moment(now, days_ago=days_ago, minutes=minutes)

    def record(key: str, customer: Customer | None, **values: object) -> Callable[[], None]:
        def do() -> None:
            made[key] = services.record_feedback(
                council,
                by=advisor,
                customer=customer,
                values=services.FeedbackInput(**values),  # type: ignore[arg-type]
            )

        return do

    def step(key: str, action: Callable[[Feedback], object]) -> Callable[[], None]:
        def do() -> None:
            action(made[key])
            made[key].refresh_from_db()

        return do

    def answer(
        findings: str, outcome: str, remedy: str = Remedy.APOLOGY
    ) -> Callable[[Feedback], object]:
        def do(feedback: Feedback) -> object:
            return services.respond(
                feedback,
                by=officer,
                findings=findings,
                decisions={
                    point.pk: services.PointDecision(outcome, remedy)
                    for point in queries.points_of(feedback)
                },
                appeal_route=services.default_appeal_route(feedback),
            )

        return do

    def restrict() -> None:
        # Written contact only, one a week, through the team leader (fb-procedure).
        today = timezone.localdate()
        row = restrictions.propose(
            customers[4],
            by=officer,
            values=restrictions.RestrictionInput(
                reason="Repeated abusive telephone calls to the contact centre (14 in May).",
                starts_on=today,
                review_on=today + datetime.timedelta(days=90),
                single_point=staff.get("team.leader"),
                allowed_channels=("letter", "email"),
                max_contacts=1,
                per_days=7,
            ),
        )
        restrictions.approve(row, by=manager)

    waste = service.get("Waste and Recycling")
    tax = service.get("Council Tax")
    procedure_steps: list[Step] = [
        # At the end of the day: when nine days ago was a weekend, it is the same Friday as
        # the customer's last demo contact (ten days ago, before 16:05), which must come first.
        *([(moment(9, 8 * 60), restrict)] if len(customers) > 4 else []),
        (
            moment(9, 120),
            step(
                "extended",
                lambda f: procedure.reassign_owner(
                    f,
                    by=officer,
                    owner=manager,
                    reason="The revenues manager owns penalty disputes.",
                ),
            ),
        ),
    ]
    if waste is not None:
        procedure_steps.append(
            (
                moment(1, 120),
                step(
                    "new",
                    lambda f: procedure.request_contribution(
                        f,
                        by=officer,
                        service=waste,
                        team=None,
                        question="Did the crew lock the side entrance after the Monday collection?",
                        due_on=timezone.localdate() + datetime.timedelta(days=5),
                    ),
                ),
            )
        )
    return [
        *procedure_steps,
        # Answered within the time: waiting to see whether the customer escalates.
        (moment(20), record("answered", customers[0], kind=Kind.COMPLAINT, service=waste,
                            channel="telephone",
                            what_happened="Our green bin has been missed three times in a row.",
                            wanted="Collect it and make sure it does not happen again.",
                            points=("Missed green bin collections", "Nobody rang back"))),
        (moment(19), step("answered", lambda f: services.acknowledge(f, by=officer))),
        (moment(12), step("answered", answer(
            "The crew's round sheet had the wrong street; it is corrected.",
            PointOutcome.UPHELD))),
        # Extended: waiting for the service's records.
        (moment(11), record("extended", customers[1], kind=Kind.COMPLAINT, service=tax,
                            channel="letter",
                            what_happened="I was charged a penalty although I paid on time.",
                            wanted="Cancel the penalty.")),
        (moment(10), step("extended", lambda f: services.acknowledge(f, by=officer))),
        (moment(2), step("extended", lambda f: services.extend(
            f, by=officer, days=5, reason="We are waiting for the bank's payment records."))),
        # About a member of staff, escalated to stage 2 at the customer's request.
        (moment(30), record("staff", customers[2], kind=Kind.COMPLAINT, service=waste,
                            about="staff", staff_named="The driver on the Tuesday round",
                            impolite_treatment=True, channel="face-to-face",
                            what_happened="The driver swore at me when I asked about my bin.")),
        (moment(29), step("staff", lambda f: services.acknowledge(f, by=officer))),
        (moment(22), step("staff", answer(
            "We spoke to the driver; we could not confirm what was said.",
            PointOutcome.NOT_UPHELD, Remedy.NONE))),
        (moment(18), step("staff", lambda f: services.escalate(
            f, by=officer, reason="The customer says a neighbour saw it happen."))),
        (moment(17), step("staff", lambda f: services.acknowledge(f, by=officer))),
        # Just arrived: to acknowledge.
        (moment(1), record("new", customers[3], kind=Kind.COMPLAINT, service=tax,
                           channel="email", unequal_treatment=True, characteristic="disability",
                           what_happened="The office's only accessible entrance was locked.")),
        # Outside the procedure: a planning decision has its own appeal.
        (moment(8), record("planning", None, kind=Kind.COMPLAINT,
                           service=service.get("Planning"), channel="letter",
                           what_happened="I object to the decision to refuse my extension.")),
        (moment(7), step("planning", lambda f: services.close_outside_procedure(
            f, by=officer, route="planning-appeal",
            signposting="Appeal to the Planning Inspectorate within 12 weeks of the decision."))),
        # A compliment passed to the crew's managers.
        (moment(6), record("thanks", customers[0], kind=Kind.COMPLIMENT, service=waste,
                           channel="telephone",
                           what_happened="The crew put my bin back by the gate every week.")),
        *_after_steps(moment, record, step, answer, officer, waste, customers),
    ]  # fmt: skip


def _after_steps(
    moment: Callable[..., datetime.datetime],
    record: Callable[..., Callable[[], None]],
    step: Callable[[str, Callable[[Feedback], object]], Callable[[], None]],
    answer: Callable[..., Callable[[Feedback], object]],
    officer: User,
    waste: Service | None,
    customers: list[Customer],
) -> list[Step]:
    """After the last word (fb-after): the answered complaint's lesson; a complaint closed,
    its survey answered, then taken to the ombudsman, who found fault and asked for a remedy
    the council must carry out within the next weeks (the reminder comes before)."""

    def day(days_ago: int, later: int = 0) -> datetime.date:
        return timezone.localtime(moment(days_ago)).date() + datetime.timedelta(days=later)

    def lesson(feedback: Feedback) -> object:
        return learning.add_action(
            feedback, by=officer, owner=officer, due_on=day(11, 28),
            action="Round sheets are checked against the street list before each round.",
        )  # fmt: skip

    def answer_survey(feedback: Feedback) -> object:
        found = after_queries.survey_of(feedback)
        if found is None:
            return None
        return survey.answer(found, answers=survey.Answers(
            "dissatisfied", "partly", "no", "Nobody told me the visit was cancelled."))  # fmt: skip

    def enquiry(feedback: Feedback) -> object:
        return ombudsman.record_enquiry(
            feedback, by=officer, ombudsman=ombudsman.suggested(feedback),
            enquiry_on=day(20), their_reference="26 004 117",
        )  # fmt: skip

    def decision(feedback: Feedback) -> object:
        case = after_queries.ombudsman_cases_of(feedback)[0]
        return ombudsman.record_decision(case, by=officer, decision=ombudsman.Decision(
            day(3), "fault-injustice",
            "Apologise in writing and pay £150 for the time and trouble caused.",
            Decimal("150.00"), day(3, 28)))  # fmt: skip

    return [
        (moment(11, 90), step("answered", lesson)),
        (moment(60), record("ombudsman", customers[1], kind=Kind.COMPLAINT, service=waste,
                            channel="email",
                            what_happened="Our assisted collection was stopped without notice.",
                            points=("Assisted collection stopped", "No notice given"))),
        (moment(59), step("ombudsman", lambda f: services.acknowledge(f, by=officer))),
        (moment(50), step("ombudsman", answer(
            "The assisted collection was stopped in error and is restored.",
            PointOutcome.PARTLY_UPHELD))),
        (moment(45), step("ombudsman", lambda f: services.close(f, by=officer))),
        (moment(44), step("ombudsman", answer_survey)),
        (moment(20), step("ombudsman", enquiry)),
        (moment(3), step("ombudsman", decision)),
    ]  # fmt: skip

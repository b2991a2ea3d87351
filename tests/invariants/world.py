"""One object of every kind for an organisation, for the walkers (built once per module).

``build(slug, type)`` makes an organisation with a member of staff in every default role and,
through the apps' own services, at least one object of every kind a URL or API operation can
name: services, teams, memberships, access points with sessions, exceptions, out-of-hours and a
share, standards and a closure day, customers with a marker, equality answers and a merge,
contact reasons, contacts, call-backs and visitor tickets, case types of every kind with a case
each, a contribution task, a message with a task for staff, a message to many customers, a
mailbox, a web form and an import of call records (a call queue, a run, a call).
``World.fill`` gives the value for a URL parameter; a parameter it does not know raises
``LookupError`` naming the pattern, so a new URL cannot escape the walkers (add a filler to
``FILLERS``).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseKind
from onestop.channels import services as channel_services
from onestop.contacts import services as contact_services
from onestop.contacts.models import Outcome
from onestop.core import references, reporting
from onestop.core.models import Organisation, RoleCode, User
from onestop.customers import services as customer_services
from onestop.directory import services as directory_services
from onestop.documents import services as document_services
from onestop.feedback import queries as feedback_queries
from onestop.feedback import services as feedback_services
from onestop.feedback.services import learning as learning_services
from onestop.feedback.services import ombudsman as ombudsman_services
from onestop.feedback.services import procedure as procedure_services
from onestop.feedback.services import restrictions as restriction_services
from onestop.notify.models import Channel, Event, Message, RecipientKind
from onestop.notify.services import bulk as bulk_services
from onestop.notify.services import compose
from onestop.performance.models import QuarterlyReturn, ReturnStatus
from onestop.performance.services import report_files as report_file_services
from onestop.portal import services as portal_services
from onestop.standards import services as standards_services
from onestop.standards.models import Standard
from onestop.telephony import services as telephony_services
from onestop.telephony.models import CallQueue
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.customers import factories as customer_factories
from tests.directory import factories as directory_factories

ROLES = tuple(RoleCode)


@dataclass
class World:
    organisation: Organisation
    staff: dict[str, User]
    ids: dict[str, Any] = field(default_factory=dict)

    def fill(self, pattern: str, parameter: str) -> Any:
        """The value of ``parameter`` in URL ``pattern`` naming this organisation's object."""
        key = FILLERS.get((pattern, parameter), parameter)
        if key not in self.ids:
            raise LookupError(
                f"The walkers cannot fill <{parameter}> in URL {pattern!r}: add an object of "
                f"that kind to tests/invariants/world.py (World.ids) and, if the name alone is "
                f"ambiguous, a FILLERS entry for ({pattern!r}, {parameter!r})."
            )
        return self.ids[key]


# (URL name or API operation, parameter) -> key of World.ids, where the parameter's name alone
# does not say which object it is.
FILLERS: dict[tuple[str, str], str] = {
    **{
        (f"cases:case-{action}", "reference"): "foi_reference"
        for action in ("clarification", "extend", "exemptions", "publish")
    },
    ("cases:case-identity", "reference"): "subject_access_reference",
    ("contacts:ticket-action", "action"): "ticket_action",
    ("portal:report-done", "reference"): "web_reference",
    ("portal:tracked", "reference"): "web_reference",
    ("portal:your-request", "reference"): "web_reference",
    ("documents:owner-documents", "kind"): "document_owner_kind",
    ("documents:owner-documents", "key"): "reference",
    ("notify:task-done", "task_id"): "staff_task_id",
    ("telephony:queue-edit", "queue_id"): "call_queue_id",
    # perf-standards: a registered report's code; a member of staff's figures.
    ("performance:download", "code"): "performance_report",
    ("performance:report", "code"): "performance_report",
    ("performance:person", "officer_id"): "performance_officer_id",
    ("performance:public", "organisation"): "organisation_slug",
}
# Every step on a feedback record names a complaint (the comment's reference is its own key).
FILLERS |= {
    (f"feedback:{name}", "reference"): "complaint_reference"
    for name in (
        "record",
        "acknowledge",
        "extend",
        "escalate",
        "respond",
        "close",
        "outside",
        # fb-procedure: a stage's owner and contributions.
        "owner",
        "contribution-new",
        "contribution",
    )
}
FILLERS[("feedback:pass-on", "reference")] = "comment_reference"
FILLERS[("feedback:public-done", "reference")] = "complaint_reference"
FILLERS[("feedback:public-equality", "reference")] = "complaint_reference"
# The ombudsman and learning steps name an answered, upheld complaint with an ombudsman case
# and a learning action (fb-after); recording an enquiry works on any complaint.
FILLERS |= {
    ("feedback:ombudsman", "reference"): "complaint_reference",
    ("feedback:ombudsman-decision", "reference"): "upheld_reference",
    ("feedback:ombudsman-complied", "reference"): "upheld_reference",
    ("feedback:ombudsman-decision", "case_id"): "ombudsman_case_id",
    ("feedback:ombudsman-complied", "case_id"): "ombudsman_case_id",
    ("feedback:learning", "reference"): "upheld_reference",
    ("feedback:learning-progress", "reference"): "upheld_reference",
    ("feedback:learning-progress", "action_id"): "learning_action_id",
    ("feedback:learning-log-service", "service_id"): "service_id",
    ("feedback:survey", "token"): "survey_token",
}
FILLERS[("feedback:public-question", "step")] = "public_feedback_question"
# perf-volumes: a kept report file; the records pages' kind.
FILLERS[("performance:report-file", "pk")] = "report_file_id"
FILLERS[("performance:records", "kind")] = "performance_records_kind"


def build(slug: str, organisation_type: str, *, skip_references: int = 0) -> World:
    """``skip_references``: case reference numbers used up first, so that this organisation's
    references are not also another's (references are per organisation: both start at 1)."""
    organisation = core_factories.organisation(
        slug=slug, name=f"{slug.title()} (walker)", type=organisation_type
    )
    staff: dict[str, User] = {
        role: core_factories.staff(organisation, role, username=f"{slug}.{role}") for role in ROLES
    }
    ids: dict[str, Any] = {"organisation_slug": organisation.slug}

    # directory
    directory_factories.lgsl()
    waste = case_factories.service(organisation, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    membership = directory_factories.membership(crews, staff[RoleCode.BACK_OFFICE_OFFICER])
    for role in (RoleCode.TEAM_LEADER, RoleCode.MANAGER, RoleCode.COMPLAINTS_OFFICER):
        directory_factories.membership(crews, staff[role])
    point = directory_factories.access_point(organisation)
    other = core_factories.organisation(slug=f"{slug}-neighbour", name=f"{slug} neighbour")
    ids |= {
        "service_id": waste.pk,
        "team_id": crews.pk,
        "membership_id": membership.pk,
        "staff_id": staff[RoleCode.ADVISOR].pk,
        "access_point_id": point.pk,
        "session_id": directory_factories.session(point).pk,
        "exception_id": directory_factories.exception(point).pk,
        "arrangement_id": directory_factories.out_of_hours(point).pk,
        "share_id": directory_factories.share(point, other).pk,
    }

    # standards
    case_factories.standards(organisation)
    closure = standards_services.add_closure_day(
        organisation, by=None, day=datetime.date(2026, 12, 29), reason="Staff training"
    )
    ids["standard_id"] = (
        Standard.objects.for_organisation(organisation).order_by("pk").values_list("pk", flat=True)
    )[0]
    ids["closure_day_id"] = closure.pk

    # customers
    customer = customer_factories.customer(organisation, "Jane", "Smith", postcode="HP20 1AA")
    marker = customer_factories.marker(customer)
    customer_services.save_equality_monitoring(customer, by=None, answers={})
    kept = customer_factories.customer(organisation, "Sam", "Jones")
    merged = customer_factories.customer(organisation, "Samuel", "Jones")
    merge = customer_services.merge_customers(kept, merged, by=None)
    ids |= {"customer_id": customer.pk, "marker_id": marker.pk, "merge_id": merge.pk}

    # contacts
    reason = contact_services.add_reason(organisation, by=None, label="Missed bin", service=waste)
    contact = contact_services.log_contact(
        organisation,
        by=staff[RoleCode.ADVISOR],
        customer=customer,
        values=contact_services.ContactInput(
            reason=reason,
            service=waste,
            notes="Asked about the missed bin",
            outcome=Outcome.CALLBACK_PROMISED,
            callback_phone="01632 960123",
            callback_note="Ring back after 2pm",
        ),
    )
    ticket = contact_services.issue_ticket(
        organisation, by=None, access_point=point, customer=customer
    )
    ids |= {
        "reason_id": reason.pk,
        "contact_id": contact.pk,
        "callback_id": contact.callbacks.get().pk,
        "ticket_id": ticket.pk,
        "ticket_action": "call",
    }

    # cases
    information = case_factories.service(organisation, "Information Governance")
    information_team = case_factories.team(information, "Information team")
    directory_factories.membership(information_team, staff[RoleCode.COMPLAINTS_OFFICER])
    kinds = (
        ("missed-bin", CaseKind.SERVICE_REQUEST, waste, crews, ("answer-letters",)),
        ("foi", CaseKind.FREEDOM_OF_INFORMATION, information, information_team,
         ("answer-foi-eir",)),
        ("subject-access", CaseKind.SUBJECT_ACCESS, information, information_team,
         ("answer-subject-access",)),
    )  # fmt: skip
    case_types = {
        code: case_factories.case_type(
            organisation, code, kind=kind, service=service, team=team, standards=standards
        )
        for code, kind, service, team, standards in kinds
    }
    for prefix in ("SR", "FOI", "SAR", "CO", "FB"):
        for _ in range(skip_references):
            references.next_reference(organisation, prefix, timezone.localdate().year)
    case = case_factories.raise_case(organisation, "missed-bin", customer=customer, attributes={})
    foi = case_factories.raise_case(organisation, "foi", title="Spending on bins", attributes={})
    subject_access = case_factories.raise_case(
        organisation, "subject-access", title="My records", customer=customer, attributes={}
    )
    task = case_services.add_contribution_task(
        case, by=None, team=information_team, description="Check the crew's log"
    )
    case_services.add_note(case, by=None, kind="internal", text="Crew says the bin was blocked")
    ids |= {
        "case_type_id": case_types["missed-bin"].pk,
        "type_code": "missed-bin",
        "step": "problem",  # a page of a long online form (portal:report-step)
        "reference": case.reference,
        "foi_reference": foi.reference,
        "subject_access_reference": subject_access.reference,
        "task_id": task.pk,
    }

    # documents: a letter on the case
    letter = document_services.attach_document(
        case,
        document_services.check_upload(b"Letter from the resident\n", "letter.txt"),
        by=None,
    )
    ids |= {"document_id": letter.pk, "document_owner_kind": "case"}
    # notify: a message nobody can be reached for (so a task for staff), a template's key
    unreachable = compose.message_to_customer(
        organisation_id=organisation.pk,
        customer=None,
        name="Pat Nobody",
        event=Event.ACKNOWLEDGEMENT,
        context={"reference": case.reference},
        case_id=case.pk,
    )
    ids |= {
        "message_id": unreachable.message.pk,
        "staff_task_id": unreachable.tasks[0].pk,
        "event": Event.UPDATE.value,
        "channel": "email",
        "language": "en",
    }

    # channels and portal: a mailbox on the organisation's own verified mail domain
    mail_domain = directory_services.verify_mail_domain(
        organisation, by=None, domain=f"{slug}.example"
    )
    mailbox = channel_services.save_mailbox(
        organisation,
        by=None,
        values=channel_services.MailboxInput(
            address=f"enquiries@{slug}.example", name="Enquiries", case_type=case_types["foi"]
        ),
    )
    web_form = portal_services.save_web_form(
        case_types["missed-bin"], by=None, is_published=True, guidance="", position=1
    )
    web_case: Case = case_factories.raise_case(
        organisation, "missed-bin", title="Reported online", attributes={}
    )
    ids |= {
        "mailbox_id": mailbox.pk,
        "mail_domain_id": mail_domain.pk,  # verified: checking it again asks no DNS server
        "web_form_id": web_form.pk,
        "web_reference": web_case.reference,
        "now": timezone.now().isoformat(),
    }

    # telephony: an import of one call (so a queue, a run and a call record)
    call_run = telephony_services.import_calls(
        organisation,
        io.BytesIO(
            b"call_id,queue,offered_at,answered_at,ended_at,outcome,agent,caller_number\n"
            b"call-1,Enquiries,2026-03-02T09:00:00Z,2026-03-02T09:00:20Z,"
            b"2026-03-02T09:05:00Z,answered,,07700 900123\n"
        ),
        by=None,
        file_name="calls.csv",
    )
    ids |= {
        "run_id": call_run.pk,
        "call_queue_id": CallQueue.objects.for_organisation(organisation).get().pk,
    }

    # performance: a submitted quarterly return of the service (reopening it is a change)
    ids["return_id"] = QuarterlyReturn.objects.create(
        organisation=organisation,
        service_id=ids["service_id"],
        first=datetime.date(2026, 1, 1),
        last=datetime.date(2026, 3, 31),
        status=ReturnStatus.SUBMITTED,
        commentary="Walker",
    ).pk

    # notify: a letter waiting in the post room
    letter_message = Message.objects.create(
        organisation=organisation,
        case=case,
        customer=customer,
        recipient_kind=RecipientKind.CUSTOMER,
        recipient_label="A Customer",
        address="A Customer\n1 High Street\nAB1 2CD",
        channel=Channel.LETTER,
        event=Event.UPDATE,
        subject="Your report",
        body="We are looking into it.",
        created_at=timezone.now(),
    )
    ids["message_id"] = letter_message.pk

    # notify: a message to many customers (a draft: the walkers may send or cancel it)
    draft = bulk_services.create_bulk(
        organisation.pk,
        by=staff[RoleCode.MANAGER],
        title="Office closed by snow",
        group={"kind": "case-type", "value": str(case_types["missed-bin"].pk)},
        use_template=True,
        subject="",
        message="The office is closed today because of snow.",
        channels=["email", "sms"],
    )
    ids["bulk_id"] = draft.pk
    # feedback: a complaint (acknowledged, so every step applies) and a comment
    complaint = feedback_services.record_feedback(
        organisation,
        by=staff[RoleCode.ADVISOR],
        customer=customer,
        values=feedback_services.FeedbackInput(
            kind="complaint", what_happened="The crew left a mess", service=waste
        ),
    )
    feedback_services.acknowledge(complaint, by=staff[RoleCode.COMPLAINTS_OFFICER])
    comment = feedback_services.record_feedback(
        organisation,
        by=None,
        customer=customer,
        values=feedback_services.FeedbackInput(
            kind="comment", what_happened="Collections are earlier now", service=waste
        ),
    )
    ids |= {"complaint_reference": complaint.reference, "comment_reference": comment.reference}
    ids["report"] = "complaints-monthly"  # a complaint report's code (feedback:report)
    # perf-standards: a registered report's code, and a member of staff whose figures one sees.
    ids["performance_report"] = "standards-compliance"
    ids["performance_officer_id"] = staff[RoleCode.BACK_OFFICE_OFFICER].pk
    # an upheld complaint, answered and closed, with the ombudsman and a learning action
    officer = staff[RoleCode.COMPLAINTS_OFFICER]
    upheld = feedback_services.record_feedback(
        organisation,
        by=staff[RoleCode.ADVISOR],
        customer=customer,
        values=feedback_services.FeedbackInput(
            kind="complaint", what_happened="The crew broke the bin", service=waste
        ),
    )
    feedback_services.respond(
        upheld,
        by=officer,
        findings="The crew broke it.",
        decisions={
            point.pk: feedback_services.PointDecision("upheld")
            for point in feedback_queries.points_of(upheld)
        },
        appeal_route="Ask us to look again.",
    )
    today = timezone.localdate()
    ombudsman_case = ombudsman_services.record_enquiry(
        upheld, by=officer, ombudsman="lgsco", enquiry_on=today
    )
    learning_action = learning_services.add_action(
        upheld, by=officer, action="Train the crews", owner=officer, due_on=today
    )
    ids |= {
        "upheld_reference": upheld.reference,
        "ombudsman_case_id": ombudsman_case.pk,
        "learning_action_id": learning_action.pk,
        "survey_token": "not-a-token",
    }
    ids["public_feedback_question"] = "kind"  # a question of the public feedback form
    # fb-procedure: a restriction waiting for approval and a contribution asked of another service
    restriction = restriction_services.propose(
        customer,
        by=staff[RoleCode.COMPLAINTS_OFFICER],
        values=restriction_services.RestrictionInput(
            reason="Abusive calls",
            starts_on=timezone.localdate(),
            review_on=timezone.localdate() + datetime.timedelta(days=90),
            allowed_channels=("letter",),
        ),
    )
    contribution = procedure_services.request_contribution(
        complaint,
        by=staff[RoleCode.COMPLAINTS_OFFICER],
        service=information,
        team=None,
        question="Your part?",
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    ids |= {"restriction_id": restriction.pk, "contribution_id": contribution.pk}
    # perf-volumes: a report file written on demand, and the kind of records a figure lists.
    report_file = report_file_services.write_report_file(
        organisation,
        report="volumes",
        period=reporting.month_of(timezone.localdate()),
        file_format="csv",
        by=staff[RoleCode.MANAGER],
    )
    ids |= {"report_file_id": report_file.pk, "performance_records_kind": "volumes"}
    return World(organisation=organisation, staff=staff, ids=ids)

"""The ombudsman's involvement in a complaint: the enquiry, the decision (finding, remedy, the
date by which the council must comply), the council's compliance, and the reminder to staff
before that date (``remind_due_remedies``: the sweep ``onestop feedback remind`` runs, which
``onestop worker`` runs among its steps).

Which ombudsman is offered first follows the organisation's nation and the complaint's subject:
in England a complaint about the council as landlord goes to the Housing Ombudsman, everything
else to the Local Government and Social Care Ombudsman; Wales, Scotland and Northern Ireland have
one public services ombudsman each.  Each ombudsman's findings are its own words
(``FINDINGS``); a finding another ombudsman uses is refused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.models import AuditAction, Organisation, RoleCode, User
from onestop.feedback import queries
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import (
    TEXT_LIMIT,
    Feedback,
    Kind,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanFinding,
)
from onestop.feedback.queries import after as after_queries
from onestop.feedback.services import AMOUNT_LIMIT, _audit, _event, _locked, _refuse, _text
from onestop.notify.models import Event, RecipientKind
from onestop.notify.services import compose
from onestop.standards import clock

#: Staff are reminded when the date to comply is this many working days away, or nearer.
REMINDER_WORKING_DAYS = 5
REFERENCE_LIMIT = 50
REMEDY_LIMIT = 5_000

F = OmbudsmanFinding
_COMMON = (F.UPHELD, F.PARTLY_UPHELD, F.NOT_UPHELD, F.EARLY_RESOLUTION, F.NOT_INVESTIGATED)
#: The findings each ombudsman uses.
FINDINGS: dict[str, tuple[str, ...]] = {
    Ombudsman.LGSCO: (
        F.NOT_INVESTIGATED,
        F.PREMATURE,
        F.NO_FAULT,
        F.FAULT_NO_INJUSTICE,
        F.FAULT_INJUSTICE,
        F.UPHELD,
        F.NOT_UPHELD,
    ),
    Ombudsman.HOUSING: (
        F.OUTSIDE_JURISDICTION,
        F.PREMATURE,
        F.NO_MALADMINISTRATION,
        F.REASONABLE_REDRESS,
        F.SERVICE_FAILURE,
        F.MALADMINISTRATION,
        F.SEVERE_MALADMINISTRATION,
    ),
    Ombudsman.PSOW: (*_COMMON, F.PREMATURE),
    Ombudsman.SPSO: (*_COMMON, F.PREMATURE),
    Ombudsman.NIPSO: (*_COMMON, F.PREMATURE),
}

BY_NATION: dict[str, str] = {
    "england": Ombudsman.LGSCO,
    "wales": Ombudsman.PSOW,
    "scotland": Ombudsman.SPSO,
    "northern-ireland": Ombudsman.NIPSO,
}
HOUSING_WORDS = ("housing", "tenan", "landlord", "council homes")


class EventCode:
    REFERRED = "ombudsman-enquiry"
    DECIDED = "ombudsman-decision"
    COMPLIED = "ombudsman-complied"
    REMINDED = "ombudsman-reminder"


def is_housing(feedback: Feedback) -> bool:
    """Whether the complaint is about the council as a landlord (its service's name says so)."""
    service = feedback.service or feedback.lead_service
    if service is None:
        return False
    words = f"{service.name} {service.slug}".lower()
    return any(word in words for word in HOUSING_WORDS)


def suggested(feedback: Feedback) -> str:
    """The ombudsman offered first: by the organisation's nation and, in England, the subject."""
    nation = feedback.organisation.nation
    if nation == "england" and is_housing(feedback):
        return Ombudsman.HOUSING
    return BY_NATION.get(nation, Ombudsman.LGSCO)


def offered(feedback: Feedback) -> list[str]:
    """The ombudsmen offered for the complaint, the suggested one first: in England both the
    LGSCO and the Housing Ombudsman (a complaint can touch both); elsewhere the nation's own."""
    first = suggested(feedback)
    nation = feedback.organisation.nation
    rest: list[str] = [Ombudsman.LGSCO, Ombudsman.HOUSING] if nation == "england" else []
    if nation not in BY_NATION:
        rest = [str(value) for value in Ombudsman.values]
    return [first, *[value for value in rest if value != first]]


def _date_not_future(value: datetime.date | None, *, label: str, field_name: str) -> None:
    if value is not None and value > timezone.localdate():
        raise _refuse(
            FeedbackError.DATE_ORDER,
            _("%(label)s must be today or in the past") % {"label": label},
            field_name,
        )


def _complaint(feedback: Feedback) -> None:
    if feedback.kind != Kind.COMPLAINT:
        raise _refuse(FeedbackError.NOT_A_COMPLAINT, _("Only a complaint can go to the ombudsman"))


def record_enquiry(
    feedback: Feedback,
    *,
    by: User | None,
    ombudsman: str,
    enquiry_on: datetime.date | None,
    their_reference: str = "",
) -> OmbudsmanCase:
    """Record that ``ombudsman`` is looking at the complaint (its first enquiry, on
    ``enquiry_on``)."""
    _complaint(feedback)
    if ombudsman not in offered(feedback):
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Select the ombudsman from the list"),
            "ombudsman",
        )
    if enquiry_on is None:
        raise _refuse(FeedbackError.REQUIRED, _("Enter the date of the enquiry"), "enquiry_on")
    _date_not_future(enquiry_on, label=_("The date of the enquiry"), field_name="enquiry_on")
    if enquiry_on < timezone.localtime(feedback.received_at).date():
        raise _refuse(
            FeedbackError.DATE_ORDER,
            _("The date of the enquiry must be on or after the complaint was received"),
            "enquiry_on",
        )
    their_reference = _text(
        their_reference,
        label=_("the ombudsman's reference"),
        field_name="their_reference",
        limit=REFERENCE_LIMIT,
    )
    with transaction.atomic():
        feedback = _locked(feedback)
        _complaint(feedback)
        now = timezone.now()
        case = OmbudsmanCase(
            organisation_id=feedback.organisation_id,
            feedback=feedback,
            ombudsman=ombudsman,
            their_reference=their_reference,
            enquiry_on=enquiry_on,
            recorded_by=by,
            created_at=now,
            updated_at=now,
        )
        case.save(force_insert=True)
        _event(
            feedback,
            EventCode.REFERRED,
            by,
            ombudsman=ombudsman,
            enquiry_on=enquiry_on.isoformat(),
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Complaint {feedback.reference}: {Ombudsman(ombudsman).label} enquiry",
            ombudsman_case=case.pk,
            ombudsman=ombudsman,
            enquiry_on=enquiry_on.isoformat(),
            their_reference=their_reference,
        )
    return case


@dataclass(frozen=True)
class Decision:
    decision_on: datetime.date | None
    finding: str
    remedy: str = ""
    remedy_amount: Decimal | None = None
    comply_by: datetime.date | None = None


def record_decision(case: OmbudsmanCase, *, by: User | None, decision: Decision) -> OmbudsmanCase:
    """Record the ombudsman's decision: its finding in that ombudsman's words, any remedy (and
    amount), and the date by which the council must comply (staff are reminded before it)."""
    if decision.decision_on is None:
        raise _refuse(FeedbackError.REQUIRED, _("Enter the date of the decision"), "decision_on")
    _date_not_future(
        decision.decision_on, label=_("The date of the decision"), field_name="decision_on"
    )
    if decision.decision_on < case.enquiry_on:
        raise _refuse(
            FeedbackError.DATE_ORDER,
            _("The date of the decision must be on or after the date of the enquiry"),
            "decision_on",
        )
    if decision.finding not in FINDINGS[case.ombudsman]:
        raise _refuse(
            FeedbackError.FINDING_NOT_USED,
            _("Select a finding the %(ombudsman)s uses")
            % {"ombudsman": Ombudsman(case.ombudsman).label},
            "finding",
        )
    remedy = _text(decision.remedy, label=_("the remedy"), field_name="remedy", limit=REMEDY_LIMIT)
    amount = decision.remedy_amount
    if amount is not None and (amount < 0 or amount > AMOUNT_LIMIT):
        raise _refuse(
            FeedbackError.INVALID_AMOUNT,
            _("The amount must be between £0 and £%(limit)s") % {"limit": f"{AMOUNT_LIMIT:,}"},
            "remedy_amount",
        )
    if amount is not None and not remedy:
        raise _refuse(FeedbackError.REQUIRED, _("Enter the remedy the amount is for"), "remedy")
    if remedy and decision.comply_by is None:
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Enter the date by which the council must carry out the remedy"),
            "comply_by",
        )
    if decision.comply_by is not None and not remedy:
        raise _refuse(
            FeedbackError.REQUIRED, _("Enter the remedy to carry out by that date"), "remedy"
        )
    if decision.comply_by is not None and decision.comply_by < decision.decision_on:
        raise _refuse(
            FeedbackError.DATE_ORDER,
            _("The date to comply by must be on or after the date of the decision"),
            "comply_by",
        )
    with transaction.atomic():
        feedback = _locked(case.feedback)
        case = OmbudsmanCase.objects.for_organisation(case.organisation_id).get(pk=case.pk)
        if case.complied_on is not None:
            raise _refuse(
                FeedbackError.ALREADY_COMPLIED,
                _("The remedy has been carried out: the decision can no longer be changed"),
            )
        before = {
            "decision_on": case.decision_on.isoformat() if case.decision_on else None,
            "finding": case.finding,
            "comply_by": case.comply_by.isoformat() if case.comply_by else None,
        }
        case.decision_on = decision.decision_on
        case.finding = decision.finding
        case.remedy = remedy
        case.remedy_amount = amount
        if case.comply_by != decision.comply_by:
            case.reminded_at = None  # a new date gets its own reminder
        case.comply_by = decision.comply_by
        case.decided_by = by
        case.updated_at = timezone.now()
        case.save(
            update_fields=[
                "decision_on",
                "finding",
                "remedy",
                "remedy_amount",
                "comply_by",
                "reminded_at",
                "decided_by",
                "updated_at",
            ]
        )
        _event(
            feedback,
            EventCode.DECIDED,
            by,
            ombudsman=case.ombudsman,
            finding=case.finding,
            comply_by=case.comply_by.isoformat() if case.comply_by else None,
        )
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference}: {Ombudsman(case.ombudsman).label} decision",
            ombudsman_case=case.pk,
            before=before,
            decision_on=case.decision_on.isoformat(),
            finding=case.finding,
            remedy_amount=str(amount) if amount is not None else None,
            comply_by=case.comply_by.isoformat() if case.comply_by else None,
        )
    return case


def record_compliance(
    case: OmbudsmanCase, *, by: User | None, complied_on: datetime.date | None
) -> OmbudsmanCase:
    """Record the date the council carried out the ombudsman's remedy (no more reminders)."""
    if complied_on is None:
        raise _refuse(
            FeedbackError.REQUIRED, _("Enter the date the remedy was carried out"), "complied_on"
        )
    _date_not_future(
        complied_on, label=_("The date the remedy was carried out"), field_name="complied_on"
    )
    with transaction.atomic():
        feedback = _locked(case.feedback)
        case = OmbudsmanCase.objects.for_organisation(case.organisation_id).get(pk=case.pk)
        if case.decision_on is None or case.comply_by is None:
            raise _refuse(
                FeedbackError.NOT_DECIDED,
                _("Record the ombudsman's decision and remedy first"),
            )
        if case.complied_on is not None:
            raise _refuse(
                FeedbackError.ALREADY_COMPLIED, _("The remedy has already been recorded as done")
            )
        if complied_on < case.decision_on:
            raise _refuse(
                FeedbackError.DATE_ORDER,
                _("The date the remedy was carried out must be on or after the decision"),
                "complied_on",
            )
        case.complied_on = complied_on
        case.updated_at = timezone.now()
        case.save(update_fields=["complied_on", "updated_at"])
        on_time = complied_on <= case.comply_by
        _event(feedback, EventCode.COMPLIED, by, complied_on=complied_on.isoformat(),
               on_time=on_time)  # fmt: skip
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference}: ombudsman's remedy carried out",
            ombudsman_case=case.pk,
            complied_on=complied_on.isoformat(),
            on_time=on_time,
        )
    return case


# --- the reminder sweep --------------------------------------------------------------------------
def _reminded_staff(case: OmbudsmanCase) -> list[User]:
    """Who is reminded: the complaints officers of the organisation, and whoever recorded the
    decision (each once), never the member of staff the complaint is about."""
    people = list(
        User.objects.filter(
            organisation_id=case.organisation_id,
            is_active=True,
            roles__code=RoleCode.COMPLAINTS_OFFICER,
            roles__organisation_id=case.organisation_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    decided = case.decided_by
    if decided is not None and decided.is_active:
        people.append(decided)  # of the organisation: record_decision's ``by`` reached the case
    # A complaint about a named member of staff is never shown to the person (even a
    # complaints officer): they are not reminded of it either.
    named = case.feedback.staff_member_id
    return list({person.pk: person for person in people if person.pk != named}.values())


def remind_due_remedies(*, now: datetime.datetime | None = None) -> int:
    """Tell staff about every ombudsman's remedy not yet carried out whose date to comply is
    ``REMINDER_WORKING_DAYS`` working days away or nearer (or past), once per date.  Each case
    is claimed by a conditional update, so two sweeps at once remind once.  Returns how many
    remedies were reminded."""
    now = now or timezone.now()
    reminded = 0
    organisation_ids = sorted(
        set(after_queries.ombudsman_remedies_pending().values_list("organisation_id", flat=True))
    )
    for organisation_id in organisation_ids:
        organisation = Organisation.objects.get(pk=organisation_id)
        horizon = clock.deadline(
            now, REMINDER_WORKING_DAYS, clock.Unit.WORKING_DAYS, queries.calendar_of(organisation)
        )
        horizon_day = timezone.localtime(horizon).date()
        due = list(
            after_queries.ombudsman_remedies_pending()
            .filter(organisation_id=organisation_id, comply_by__lte=horizon_day)
            .select_related("feedback", "decided_by")
            .order_by("comply_by", "pk")
        )
        for case in due:
            reminded += _remind(case, now)
    return reminded


def _remind(case: OmbudsmanCase, now: datetime.datetime) -> int:
    with transaction.atomic():
        claimed = (
            OmbudsmanCase.objects.for_organisation(case.organisation_id)
            .filter(pk=case.pk, reminded_at__isnull=True, complied_on__isnull=True)
            .update(reminded_at=now)
        )
        if claimed != 1:
            return 0
        feedback = case.feedback
        people = _reminded_staff(case)
        context = {
            "reference": feedback.reference,
            "ombudsman": str(Ombudsman(case.ombudsman).label),
            "remedy": case.remedy[:TEXT_LIMIT],
            "deadline": case.comply_by,
        }
        for person in people:
            compose.message_to_staff(
                organisation_id=case.organisation_id,
                user=person,
                event=Event.OMBUDSMAN_REMEDY_DUE,
                context=context,
                kind=RecipientKind.STAFF,
            )
        _event(
            feedback,
            EventCode.REMINDED,
            None,
            comply_by=case.comply_by.isoformat() if case.comply_by else None,
            to=[person.display_name for person in people],
        )
        _audit(
            feedback,
            by=None,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference}: staff reminded of the ombudsman's remedy",
            ombudsman_case=case.pk,
            to=[person.pk for person in people],
        )
    return 1

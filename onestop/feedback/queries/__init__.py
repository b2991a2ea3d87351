"""Every read of feedback for a page, a source or a service, and the one visibility rule.

**Visibility** (``feedback_for``): feedback is read by staff holding ``feedback.view``, within
their organisation.  Feedback about a named member of staff (``about_staff``) is narrower: it is
seen by complaints officers (``complaint.staff-view``) and by that person's managers (a team
leader or manager in one of the person's teams), and never by the person themselves, whatever
roles they hold.  ``get_feedback_for`` is the access function every page and action goes
through, so a record outside that rule is a 404 like another organisation's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from onestop.core import access, language, permissions, public_rows
from onestop.core.models import Organisation, User
from onestop.core.prepared import PreparedRead
from onestop.core.scoping import ScopedQuerySet
from onestop.directory import queries as directory_queries
from onestop.directory.models import Service, TeamMembership
from onestop.feedback import procedures
from onestop.feedback.models import (
    ComplaintPoint,
    ComplaintProcedure,
    ComplaintStage,
    Feedback,
    FeedbackEvent,
    Kind,
    OmbudsmanCase,
    Status,
)
from onestop.standards import clock
from onestop.standards import queries as standards_queries

LIST_LIMIT = 500
AT_RISK_WORKING_DAYS = 2


# --- what the forms offer -----------------------------------------------------------------------
def services_for(user: User) -> ScopedQuerySet[Service]:
    return Service.objects.for_user(user).order_by("name")


def staff_for(user: User) -> QuerySet[User]:
    return User.objects.filter(organisation_id=user.organisation_id or 0, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )


# --- who manages whom ----------------------------------------------------------------------------
MANAGER_ROLES = directory_queries.MANAGER_ROLES
is_a_manager = directory_queries.is_a_manager
managed_by = directory_queries.managed_by


def managers_of(person: User) -> list[User]:
    """The team leaders and managers of ``person``'s teams (not the person)."""
    if person.organisation_id is None:
        return []
    memberships = TeamMembership.objects.for_organisation(person.organisation_id)
    teams = memberships.filter(user=person).values("team_id")
    ids = memberships.filter(team_id__in=teams).exclude(user=person).values("user_id")
    return list(
        User.objects.filter(
            pk__in=ids,
            organisation_id=person.organisation_id,
            is_active=True,
            roles__code__in=sorted(MANAGER_ROLES),
            roles__organisation_id=person.organisation_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


# --- the one visibility rule ---------------------------------------------------------------------
def feedback_for(user: User) -> ScopedQuerySet[Feedback]:
    """The feedback ``user`` may read (none without ``feedback.view``)."""
    rows = Feedback.objects.for_user(user)
    if not permissions.can(user, permissions.FEEDBACK_VIEW):
        return rows.none()
    staff_rule = Q(staff_member__in=managed_by(user))
    if permissions.can(user, permissions.COMPLAINT_STAFF_VIEW):
        staff_rule = Q(pk__isnull=False)
    never_the_person = Q(staff_member__isnull=True) | ~Q(staff_member=user)
    return rows.filter((Q(about_staff=False) | staff_rule) & never_the_person)


def get_feedback_for(
    user: User, reference: str, action: str = permissions.FEEDBACK_VIEW
) -> Feedback:
    """The feedback with ``reference`` that ``user`` may read (404 otherwise), checked for
    ``action`` (403 when visible but not allowed; 403 too for staff who may read no feedback at
    all, whatever the reference)."""
    access.require(user, permissions.FEEDBACK_VIEW)
    return access.get_or_404(user, feedback_for(user), action, reference=str(reference)[:20])


# --- the procedure -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Procedure:
    preset: str
    stages: tuple[procedures.StageRule, ...]
    is_own: bool

    def stage(self, number: int) -> procedures.StageRule | None:
        return next((rule for rule in self.stages if rule.stage == number), None)

    def after(self, number: int) -> procedures.StageRule | None:
        return next((rule for rule in self.stages if rule.stage > number), None)


def procedure_of(organisation: Organisation) -> Procedure:
    """The organisation's procedure: its own, else the preset for its nation."""
    own = ComplaintProcedure.objects.for_organisation(organisation).first()
    if own is not None:
        return Procedure(
            own.preset,
            tuple(procedures.StageRule.from_data(item) for item in own.stages),
            is_own=True,
        )
    preset = procedures.preset_for_nation(organisation.nation)
    return Procedure(preset, procedures.stages_of(preset), is_own=False)


def calendar_of(organisation: Organisation) -> clock.Calendar:
    return standards_queries.calendar_for_organisation(organisation)


# --- a record and its parts ----------------------------------------------------------------------
def stages_of(feedback: Feedback) -> list[ComplaintStage]:
    return list(
        ComplaintStage.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .select_related("owner")
        .order_by("stage")
    )


# Reads a resident's pages make on every visit, their SQL built once (``core.prepared``).
_STAGE = PreparedRead(
    ComplaintStage,
    lambda organisation, feedback, stage: (
        ComplaintStage.objects.for_organisation(organisation)
        .filter(feedback_id=feedback, stage=stage)
        .order_by()[:1]
    ),
    parameters=(int, int, int),
)
_SENT_FEEDBACK = PreparedRead(
    Feedback,
    lambda organisation, reference: (
        Feedback.objects.for_organisation(organisation).filter(reference=reference).order_by()[:1]
    ),
    parameters=(int, str),
)


def current_stage(feedback: Feedback) -> ComplaintStage | None:
    if feedback.current_stage is None:
        return None
    return _STAGE.first(feedback.organisation_id, feedback.pk, feedback.current_stage)


def points_of(feedback: Feedback) -> list[ComplaintPoint]:
    return list(
        ComplaintPoint.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .order_by("position")
    )


def events_of(feedback: Feedback) -> list[FeedbackEvent]:
    return list(
        FeedbackEvent.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .select_related("by")
        .order_by("at", "id")
    )


# --- the complaints officer's list ---------------------------------------------------------------
class Filter:
    ALL_OPEN = "open"
    AT_RISK = "at-risk"
    OVERDUE = "overdue"
    EXTENDED = "extended"
    AWAITING = "awaiting-acknowledgement"
    OTHER_FEEDBACK = "other-feedback"
    CLOSED = "closed"
    OMBUDSMAN = "ombudsman"  # with the ombudsman, or its remedy not yet carried out (fb-after)


FILTERS = (
    Filter.ALL_OPEN,
    Filter.AWAITING,
    Filter.AT_RISK,
    Filter.OVERDUE,
    Filter.EXTENDED,
    Filter.OMBUDSMAN,
    Filter.OTHER_FEEDBACK,
    Filter.CLOSED,
)


@dataclass(frozen=True)
class Row:
    feedback: Feedback
    stage: ComplaintStage | None
    due_at: datetime.datetime | None
    is_overdue: bool
    is_at_risk: bool

    @property
    def is_extended(self) -> bool:
        return self.stage is not None and self.stage.is_extended


def _state(
    stage: ComplaintStage | None, now: datetime.datetime, calendar: clock.Calendar
) -> tuple[datetime.datetime | None, bool, bool]:
    """(deadline in force, overdue, at risk: due within ``AT_RISK_WORKING_DAYS`` working days)."""
    if stage is None or stage.responded_at is not None:
        return None, False, False
    due = stage.due_at
    if due is None:
        return None, False, False
    if due < now:
        return due, True, False
    soon = clock.deadline(now, AT_RISK_WORKING_DAYS, clock.Unit.WORKING_DAYS, calendar)
    return due, False, due <= soon


def complaint_rows(user: User, wanted: str = Filter.ALL_OPEN) -> list[Row]:
    """The officer's list: open complaints by stage and deadline (soonest first), or one of the
    ``FILTERS``; other feedback and closed records newest first."""
    visible = feedback_for(user)
    if visible.query.is_empty():
        return []
    now = timezone.now()
    organisation = user.organisation
    if organisation is None:
        return []
    calendar = calendar_of(organisation)
    if wanted == Filter.OTHER_FEEDBACK:
        rows = visible.exclude(kind=Kind.COMPLAINT).filter(~Q(status=Status.CLOSED))
    elif wanted == Filter.CLOSED:
        rows = visible.filter(status=Status.CLOSED)
    elif wanted == Filter.OMBUDSMAN:
        rows = visible.filter(pk__in=_with_the_ombudsman(user))
    else:
        rows = visible.filter(kind=Kind.COMPLAINT).exclude(status=Status.CLOSED)
    feedback = list(
        rows.select_related("service", "customer").order_by("-received_at", "id")[:LIST_LIMIT]
    )
    stages = {
        (stage.feedback_id, stage.stage): stage
        for stage in ComplaintStage.objects.for_user(user).filter(
            feedback_id__in=[item.pk for item in feedback]
        )
    }
    found: list[Row] = []
    for item in feedback:
        stage = (
            stages.get((item.pk, item.current_stage)) if item.current_stage is not None else None
        )
        due, overdue, at_risk = _state(stage, now, calendar)
        found.append(Row(item, stage, due, overdue, at_risk))
    if wanted == Filter.AT_RISK:
        found = [row for row in found if row.is_at_risk]
    elif wanted == Filter.OVERDUE:
        found = [row for row in found if row.is_overdue]
    elif wanted == Filter.EXTENDED:
        found = [row for row in found if row.is_extended and row.due_at is not None]
    elif wanted == Filter.AWAITING:
        found = [
            row
            for row in found
            if row.stage is not None
            and row.stage.acknowledge_days is not None
            and row.stage.acknowledged_at is None
        ]
    if wanted in {Filter.OTHER_FEEDBACK, Filter.CLOSED, Filter.OMBUDSMAN}:
        return found
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(
        found,
        key=lambda row: (
            row.stage.stage if row.stage is not None else 99,
            row.due_at or far,
            row.feedback.pk,
        ),
    )


def counts(user: User) -> dict[str, int]:
    """How many complaints each filter of the list holds (the tabs' numbers)."""
    open_rows = complaint_rows(user, Filter.ALL_OPEN)
    return {
        Filter.ALL_OPEN: len(open_rows),
        Filter.AWAITING: sum(
            1
            for row in open_rows
            if row.stage is not None
            and row.stage.acknowledge_days is not None
            and row.stage.acknowledged_at is None
        ),
        Filter.AT_RISK: sum(1 for row in open_rows if row.is_at_risk),
        Filter.OVERDUE: sum(1 for row in open_rows if row.is_overdue),
        Filter.EXTENDED: sum(1 for row in open_rows if row.is_extended and row.due_at),
        Filter.OMBUDSMAN: feedback_for(user).filter(pk__in=_with_the_ombudsman(user)).count(),
    }


def _with_the_ombudsman(user: User) -> QuerySet[OmbudsmanCase, int]:
    """The ids of complaints the ombudsman is looking at, or whose remedy the council has yet
    to carry out."""
    return (
        OmbudsmanCase.objects.for_user(user)
        .filter(Q(decision_on__isnull=True) | Q(comply_by__isnull=False, complied_on__isnull=True))
        .values_list("feedback_id", flat=True)
    )


# --- the customer page and the desk --------------------------------------------------------------
def open_for_customer(user: User, customer_id: int) -> list[Feedback]:
    return list(
        feedback_for(user)
        .filter(customer_id=customer_id)
        .exclude(status=Status.CLOSED)
        .order_by("-received_at", "id")[:20]
    )


def message_context(feedback: Feedback) -> dict[str, Any]:
    """The values a message about ``feedback`` fills its placeholders with."""
    return {
        "reference": feedback.reference,
        "service": feedback.service.name if feedback.service is not None else "our services",
        "kind": str(Kind(feedback.kind).label).lower(),
    }


# --- the public form -----------------------------------------------------------------------------
def public_organisation(slug: str, request: HttpRequest | None = None) -> Organisation | None:
    """The active organisation ``slug`` names; with ``request``, the one the language
    middleware already read for it (``core.language.organisation_read``), if it did."""
    read = language.organisation_read(request, str(slug)[:60])
    if read is not None:
        return read
    found: Organisation | None = Organisation.objects.filter(
        slug=str(slug)[:60], is_active=True
    ).first()
    return found


def public_services(organisation: Organisation) -> list[Service]:
    """The organisation's services by name, for the complaints route's "Which service": kept
    under its public version (``core.public_rows.of_version``; a change to a service moves the
    version on), so a resident's page does not read them.  ``organisation`` is the row read for
    this request (``public_organisation``)."""
    return public_rows.of_version(
        organisation,
        "feedback-services",
        lambda: list(Service.objects.for_organisation(organisation).order_by("name")),
    )


def sent_feedback(organisation: Organisation, reference: str) -> Feedback:
    """The feedback this browser session sent (the view checks the session first)."""
    found = _SENT_FEEDBACK.first(organisation.pk, str(reference)[:20])
    if found is None:
        raise Http404
    return found

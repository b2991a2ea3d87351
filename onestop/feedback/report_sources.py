"""The learning actions' and the ombudsman's figures in the complaint reports.

Each figure counts complaints (so the list behind it is the complaints counted), chosen by a date
of their learning actions or ombudsman records within the report's period (both days included,
Europe/London dates as recorded).  Registered from ``FeedbackConfig.ready`` through
``queries.reports.register_report_source``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.feedback.models import (
    Feedback,
    LearningAction,
    LearningStatus,
    OmbudsmanCase,
    OmbudsmanFinding,
)
from onestop.feedback.queries.reports import (
    ReportScope,
    ReportSource,
    Section,
    register_report_source,
)

# The decisions that find against the council, in each ombudsman's own words.
FAULT_FOUND = (
    OmbudsmanFinding.FAULT_NO_INJUSTICE,
    OmbudsmanFinding.FAULT_INJUSTICE,
    OmbudsmanFinding.SERVICE_FAILURE,
    OmbudsmanFinding.MALADMINISTRATION,
    OmbudsmanFinding.SEVERE_MALADMINISTRATION,
    OmbudsmanFinding.UPHELD,
    OmbudsmanFinding.PARTLY_UPHELD,
)


def _with(
    scope: ReportScope, related: QuerySet[LearningAction] | QuerySet[OmbudsmanCase]
) -> QuerySet[Feedback]:
    return Feedback.objects.filter(
        organisation=scope.organisation,
        pk__in=related.filter(organisation=scope.organisation).values("feedback_id"),
    )


def _in_period(scope: ReportScope, field: str) -> dict[str, object]:
    return {f"{field}__gte": scope.period.first, f"{field}__lte": scope.period.last}


def learning_agreed(scope: ReportScope) -> QuerySet[Feedback]:
    return _with(
        scope,
        LearningAction.objects.filter(
            created_at__gte=scope.period.starts, created_at__lt=scope.period.ends
        ),
    )


def learning_done(scope: ReportScope) -> QuerySet[Feedback]:
    return _with(
        scope,
        LearningAction.objects.filter(
            status=LearningStatus.DONE, **_in_period(scope, "completed_on")
        ),
    )


def ombudsman_enquiries(scope: ReportScope) -> QuerySet[Feedback]:
    return _with(scope, OmbudsmanCase.objects.filter(**_in_period(scope, "enquiry_on")))


def ombudsman_decisions(scope: ReportScope) -> QuerySet[Feedback]:
    return _with(scope, OmbudsmanCase.objects.filter(**_in_period(scope, "decision_on")))


def ombudsman_fault(scope: ReportScope) -> QuerySet[Feedback]:
    return _with(
        scope,
        OmbudsmanCase.objects.filter(finding__in=FAULT_FOUND, **_in_period(scope, "decision_on")),
    )


def ombudsman_complied(scope: ReportScope) -> QuerySet[Feedback]:
    return _with(scope, OmbudsmanCase.objects.filter(**_in_period(scope, "complied_on")))


SOURCES = (
    ReportSource(
        code="learning-agreed",
        label=_("Complaints with a learning action agreed"),
        definition=_(
            "Learning action agreed: a complaint upheld or partly upheld with at least one "
            "learning action recorded in the period."
        ),
        section=Section.LEARNING,
        records=learning_agreed,
    ),
    ReportSource(
        code="learning-done",
        label=_("Complaints that led to a change made"),
        definition=_(
            "Change made: a complaint with at least one learning action marked done, with what "
            "changed and its evidence, completed in the period."
        ),
        section=Section.LEARNING,
        records=learning_done,
    ),
    ReportSource(
        code="ombudsman-enquiries",
        label=_("Enquiries from an ombudsman"),
        definition=_("Ombudsman enquiry: an ombudsman's enquiry dated in the period."),
        section=Section.OMBUDSMAN,
        records=ombudsman_enquiries,
    ),
    ReportSource(
        code="ombudsman-decisions",
        label=_("Decisions by an ombudsman"),
        definition=_("Ombudsman decision: an ombudsman's decision dated in the period."),
        section=Section.OMBUDSMAN,
        records=ombudsman_decisions,
    ),
    ReportSource(
        code="ombudsman-fault",
        label=_("Decisions finding fault"),
        definition=_(
            "Finding fault: a decision in the period of fault (with or without injustice), "
            "service failure, maladministration, or upheld in whole or in part."
        ),
        section=Section.OMBUDSMAN,
        records=ombudsman_fault,
    ),
    ReportSource(
        code="ombudsman-complied",
        label=_("Ombudsman remedies carried out"),
        definition=_("Remedy carried out: the council complied with a remedy in the period."),
        section=Section.OMBUDSMAN,
        records=ombudsman_complied,
    ),
)


def register() -> None:
    for source in SOURCES:
        register_report_source(source)

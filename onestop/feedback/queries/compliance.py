"""Complaints in the compliance figures (``standards.measures``): each stage's acknowledgement
and answer.

Every stage a complaint reaches holds the deadlines the procedure gave it when it opened
(``ComplaintStage``).  Two of the organisation's standards measure them, found by what they stop
on: the complaint standard stopping at ``complaint-acknowledged`` (the demo's
``acknowledge-complaint``) measures each stage's acknowledgement deadline, where the stage has
one; the one stopping at ``complaint-answered`` (``answer-complaint``) measures each stage's
answer against the deadline in force (``ComplaintStage.due_at``: the extended one, else the
response deadline, else the acknowledgement's, as the complaint reports' timeliness counts it).
Without such a standard the figures are kept under those two codes.  A stage of a complaint
closed unanswered (withdrawn, outside the procedure) after its deadline is missed; closed before
it, it is not measured.  A stage counts for the complaint's service, and for the team handling
it (``ComplaintStage.team``: the owner's team for the complaint's lead service, else its service,
recorded when the stage is given its owner; none until then, or when the owner is in no team or
several of the kind).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onestop.core import batch
from onestop.core.models import Organisation
from onestop.core.reporting import Period
from onestop.feedback.models import ComplaintStage, Kind
from onestop.standards import measures
from onestop.standards.models import Channel, Standard

CODE, SERVICE = "measure_code", "measure_service"
DUE, DONE, ENDED = "measure_due", "measure_done", "measure_ended"


@dataclass(frozen=True)
class StageMeasure:
    default_code: str
    stop_event: str
    due: Coalesce | F
    done: Coalesce | F
    label: str  # "acknowledgement" or "answer", for the drill-down


ACKNOWLEDGEMENT = StageMeasure(
    "acknowledge-complaint",
    "complaint-acknowledged",
    F("ack_due_at"),
    Coalesce("acknowledged_at", "responded_at"),
    gettext_noop("acknowledgement"),
)
ANSWER = StageMeasure(
    "answer-complaint",
    "complaint-answered",
    Coalesce("extended_due_at", "response_due_at", "ack_due_at"),
    F("responded_at"),
    gettext_noop("answer"),
)
STAGE_MEASURES = (ACKNOWLEDGEMENT, ANSWER)
DEADLINE = measures.Deadline(due=DUE, done=DONE, ended=ENDED)


def code_for(organisation: Organisation, measure: StageMeasure) -> str:
    """The code of the organisation's complaint standard that measures ``measure`` (the first by
    code), else the measure's default code (read once per ``core.batch``: the compliance
    report's per-service and per-team figures both ask)."""

    def read() -> str:
        found = (
            Standard.objects.for_organisation(organisation)
            .filter(
                applies_to=Channel.COMPLAINT, stop_event=measure.stop_event, service__isnull=True
            )
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        return found or measure.default_code

    return batch.remembered(("feedback.stage-code", organisation.pk, measure.stop_event), read)


def _stages(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    measure: StageMeasure,
    code: str,
) -> QuerySet[ComplaintStage]:
    """The complaint stages ``period`` measures for ``measure``, narrowed by ``filters`` (the
    complaint's service, channel and the access point of its contact; the stage's own team)."""
    rows: QuerySet[ComplaintStage] = (
        ComplaintStage.objects.for_organisation(organisation)
        .filter(feedback__kind=Kind.COMPLAINT)
        .annotate(
            **{
                DUE: measure.due,
                DONE: measure.done,
                ENDED: F("feedback__closed_at"),
                CODE: Value(code),
                SERVICE: F("feedback__service_id"),
            }
        )
        .filter(**{f"{DUE}__isnull": False})
        .filter(DEADLINE.measured(period))
    )
    return filters.narrow(
        rows,
        service="feedback__service",
        team="team",
        channel="feedback__channel",
        access_point="feedback__contact__access_point",
    )


def counts(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
) -> measures.Grouped:
    found: measures.Grouped = {}
    for measure in STAGE_MEASURES:
        code = code_for(organisation, measure)
        rows = _stages(organisation, period, filters, measure, code)
        measures.merge(found, DEADLINE.counts(rows, code=CODE, service=SERVICE, now=now))
    return found


def team_counts(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
) -> measures.Grouped:
    """Per standard code and the team handling each stage (``None``: no team)."""
    found: measures.Grouped = {}
    for measure in STAGE_MEASURES:
        code = code_for(organisation, measure)
        rows = _stages(organisation, period, filters, measure, code)
        measures.merge(found, DEADLINE.counts_by_team(rows, code=CODE, team="team_id", now=now))
    return found


def team_rule() -> str:
    return _(
        "Complaint stages: each stage counts for the team handling it, recorded when the stage "
        "was given its officer: the officer's team for the complaint's service; no team before "
        "it has an officer, or when that is none or several."
    )


def officer_counts(
    organisation: Organisation, period: Period, officer_id: int, now: datetime.datetime
) -> dict[str, measures.Counts]:
    """The complaint stages one officer handles (the stage's ``owner``)."""
    found: dict[str, measures.Counts] = {}
    for measure in STAGE_MEASURES:
        code = code_for(organisation, measure)
        rows = _stages(organisation, period, measures.Filters(), measure, code).filter(
            owner_id=officer_id
        )
        for key, value in DEADLINE.counts_by_code(rows, code=CODE, now=now).items():
            found[key] = found.get(key, measures.Counts()) + value
    return found


def officer_rule() -> str:
    return _(
        "Complaint stages: each stage's acknowledgement and answer count for the officer "
        "handling the stage."
    )


def records(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
    pick: measures.Pick,
) -> measures.Found:
    counted = 0
    listed: list[measures.RecordBehind] = []
    for measure in STAGE_MEASURES:
        code = code_for(organisation, measure)
        if pick.code and pick.code != code:
            continue
        rows = measures.picked(
            _stages(organisation, period, filters, measure, code),
            DEADLINE,
            pick,
            now=now,
            code=CODE,
            service=SERVICE,
            team="team",
        ).select_related("feedback__service")
        counted += rows.count()
        listed.extend(
            measures.RecordBehind(
                kind=_("Complaint, %(stage)s %(part)s")
                % {"stage": stage.label, "part": _(measure.label)},
                reference=stage.feedback.reference,
                standard_code=code,
                service_name=stage.feedback.service.name if stage.feedback.service else "",
                due_at=getattr(stage, DUE),
                done_at=getattr(stage, DONE),
                state=DEADLINE.state(stage),
                url=reverse("feedback:record", args=[stage.feedback.reference]),
            )
            for stage in rows[: max(pick.limit - len(listed), 0)]
        )
    return measures.Found(counted, listed)


def definitions() -> list[str]:
    return [
        _(
            "Complaints: every stage a complaint reaches is measured twice, by the "
            "acknowledgement standard against the stage's acknowledgement deadline (where the "
            "stage has one) and by the answer standard against the deadline in force (the "
            "extended one, else the response deadline), both as the procedure set them when "
            "the stage opened (an answer sent before any acknowledgement acknowledges it too). "
            "Met: done at or before it; missed: done after it, or the "
            "complaint closed unanswered after it; open: not done yet. A stage of a complaint "
            "closed unanswered before its deadline is not measured. A stage counts for the "
            "complaint's service, and for the team handling it."
        ),
    ]


def register() -> None:
    measures.register_compliance_source(
        measures.ComplianceSource(
            "feedback.complaint-stage",
            counts,
            records,
            definitions,
            officer_counts=officer_counts,
            officer_rule=officer_rule,
            team_counts=team_counts,
            team_rule=team_rule,
        )
    )

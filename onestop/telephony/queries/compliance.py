"""Calls in the compliance figures (``standards.measures``): the answer-time standard.

A call is measured by the answer-time standard (``measures.answer_standard``; a service's own
version sets its queues' threshold), in the period it was offered, exactly as the telephone
report's service level counts it: **met** when answered within its queue's threshold,
**missed** otherwise (answered later, abandoned, sent to voicemail, or transferred unanswered).
A call record is only imported once the call has ended, so no call is ever open; compliance is
then answered within target / offered, the ``telephony`` report's service level.  A call counts
for the service of its queue (none: only in the whole council's row), and for the team its queue
had when the call was imported (``CallRecord.team``; none: the "No team" row of the per-team
figures), so mapping a queue to another team later leaves a past period's figures as they were.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from onestop.core import batch
from onestop.core.models import Organisation
from onestop.core.reporting import Period
from onestop.standards import measures
from onestop.telephony.models import CallQueue, CallRecord
from onestop.telephony.queries import measures as telephone

TELEPHONE = "telephone"


def _calls(
    organisation: Organisation, period: Period, filters: measures.Filters
) -> tuple[str, QuerySet[CallRecord], Q] | None:
    """The answer-time standard's code, the calls ``period`` measures (narrowed by ``filters``:
    a call's team is the one recorded on it at import) and the condition "answered within
    target"; ``None`` when the organisation has no answer-time standard."""
    rule = batch.remembered(("telephony.answer-rule", organisation.pk), lambda: _rule(organisation))
    if rule is None:
        return None
    code, within = rule
    calls = telephone.calls_in(telephone.Scope(organisation, period))
    calls = filters.narrow(
        calls,
        service="queue__service",
        team="team",
        only_channel=TELEPHONE,
        access_point="queue__access_point",
    )
    return code, calls, within


def _rule(organisation: Organisation) -> tuple[str, Q] | None:
    """The answer-time standard's code and the condition "answered within target" (read once
    per ``core.batch``: the compliance report's per-service and per-team figures both ask)."""
    standard = telephone.answer_standard(organisation)
    if standard is None:
        return None
    queues = list(CallQueue.objects.for_organisation(organisation))
    within = telephone.within_q(telephone.answer_thresholds(organisation, queues))
    if within is None:  # pragma: no cover - every queue has the organisation-wide threshold
        return None
    return standard.code, within


def _counted_by(
    organisation: Organisation, period: Period, filters: measures.Filters, key: str
) -> measures.Grouped:
    """The calls answered within the threshold (met) and not (missed), grouped by ``key``."""
    found = _calls(organisation, period, filters)
    if found is None:
        return {}
    code, calls, within = found
    rows = (
        calls.order_by()
        .values(key)
        .annotate(offered=Count("id"), within=Count("id", filter=within))
    )
    return {
        (code, row[key]): measures.Counts(met=row["within"], missed=row["offered"] - row["within"])
        for row in rows
    }


def counts(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
) -> measures.Grouped:
    return _counted_by(organisation, period, filters, "queue__service_id")


def team_counts(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
) -> measures.Grouped:
    """Per team recorded on the calls (``None``: no team), as ``counts`` per service."""
    return _counted_by(organisation, period, filters, "team_id")


def team_rule() -> str:
    return _(
        "Calls: a call counts for the team its queue was mapped to when the call was imported; "
        "no team when the queue had none then."
    )


def officer_counts(
    organisation: Organisation, period: Period, officer_id: int, now: datetime.datetime
) -> dict[str, measures.Counts]:
    """The calls one agent answered: met when answered within the threshold, missed when later
    (a call nobody answered belongs to no agent)."""
    found = _calls(organisation, period, measures.Filters())
    if found is None:
        return {}
    code, calls, within = found
    counted = calls.filter(agent_id=officer_id).aggregate(
        offered=Count("id"), within=Count("id", filter=within)
    )
    if not counted["offered"]:
        return {}
    return {
        code: measures.Counts(met=counted["within"], missed=counted["offered"] - counted["within"])
    }


def officer_rule() -> str:
    return _(
        "Calls: each call an agent answered, met when answered within the threshold, missed when "
        "later; a call nobody answered counts for nobody."
    )


def records(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
    pick: measures.Pick,
) -> measures.Found:
    found = _calls(organisation, period, filters)
    if found is None or pick.figure not in ("measured", "met", "missed"):
        return measures.Found(0, [])
    code, calls, within = found
    if pick.code and pick.code != code:
        return measures.Found(0, [])
    if pick.figure == "met":
        calls = calls.filter(within)
    elif pick.figure == "missed":
        calls = calls.exclude(within)
    if pick.service_id is not None:
        calls = calls.filter(queue__service_id=pick.service_id)
    calls = measures.picked_team(calls, pick, "team")
    calls = calls.select_related("queue__service").order_by("-offered_at", "-id")
    listed = list(calls[: pick.limit])
    thresholds = telephone.answer_thresholds(organisation, {call.queue for call in listed})
    return measures.Found(
        calls.count(),
        [
            measures.RecordBehind(
                kind=_("Call"),
                reference=_("Call %(id)s to %(queue)s")
                % {"id": call.external_id, "queue": call.queue.name},
                standard_code=code,
                service_name=call.queue.service.name if call.queue.service else "",
                due_at=_due(call, thresholds.get(call.queue_id)),
                done_at=call.answered_at,
                state=call.get_outcome_display(),
            )
            for call in listed
        ],
    )


def _due(call: CallRecord, threshold: telephone.Threshold | None) -> datetime.datetime | None:
    if threshold is None:  # pragma: no cover - see _calls
        return None
    return call.offered_at + datetime.timedelta(seconds=threshold.seconds)


def definitions() -> list[str]:
    return [
        _(
            "Calls: each call offered to a queue is measured by the answer-time standard in "
            "the period it was offered. Met: answered within the threshold (the service's own "
            "where it has one); missed: every other call offered (answered later, abandoned, "
            "sent to voicemail or transferred unanswered). A call is never open, so compliance "
            "is the telephone report's service level. A call counts for its queue's service, "
            "and for the team its queue was mapped to when the call was imported."
        ),
    ]


def register() -> None:
    measures.register_compliance_source(
        measures.ComplianceSource(
            "telephony.call",
            counts,
            records,
            definitions,
            officer_counts=officer_counts,
            officer_rule=officer_rule,
            team_counts=team_counts,
            team_rule=team_rule,
        )
    )

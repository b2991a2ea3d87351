"""Every read of the telephony app, built on the scoped managers."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from onestop.core import permissions, reporting
from onestop.core.access import get_or_404, require
from onestop.core.models import User
from onestop.core.scoping import ScopedQuerySet
from onestop.directory.models import AccessPoint, AccessPointKind, Service, Team
from onestop.telephony.models import CallImportRefusal, CallImportRun, CallQueue, CallRecord
from onestop.telephony.queries import measures

MANAGE = permissions.CALL_RECORDS_MANAGE
RECENT_RUNS = 20
REFUSALS_SHOWN = 200
REFUSALS_CHUNK = 5000


def queues_for(user: User) -> ScopedQuerySet[CallQueue]:
    """The organisation's call queues, by source and name."""
    return (
        CallQueue.objects.for_user(user)
        .select_related("service", "access_point", "team")
        .order_by("source", "name")
    )


def get_queue_for(user: User, queue_id: int, action: str = MANAGE) -> CallQueue:
    """One call queue of the user's organisation (404 otherwise), checked for ``action``."""
    queue: CallQueue = get_or_404(user, CallQueue.objects.for_user(user), action, pk=queue_id)
    return queue


def runs_for(user: User, limit: int = RECENT_RUNS) -> list[CallImportRun]:
    """The organisation's newest imports."""
    return list(
        CallImportRun.objects.for_user(user)
        .select_related("by")
        .order_by("-started_at", "-id")[:limit]
    )


def get_run_for(user: User, run_id: int, action: str = MANAGE) -> CallImportRun:
    """One import of the user's organisation (404 otherwise), checked for ``action``."""
    run: CallImportRun = get_or_404(
        user, CallImportRun.objects.for_user(user).select_related("by"), action, pk=run_id
    )
    return run


def refusals_of(run: CallImportRun, limit: int = REFUSALS_SHOWN) -> list[CallImportRefusal]:
    """The run's refused rows, by line number (the first ``limit``)."""
    return list(
        CallImportRefusal.objects.for_organisation(run.organisation_id)
        .filter(run=run)
        .order_by("line")[:limit]
    )


def every_refusal_of(run: CallImportRun) -> Iterator[tuple[int, str]]:
    """Every refused row of the run as (line, reason), by line number, read from the database
    a chunk at a time (an import can refuse a million rows)."""
    return (
        CallImportRefusal.objects.for_organisation(run.organisation_id)
        .filter(run=run)
        .order_by("line", "id")
        .values_list("line", "reason")
        .iterator(chunk_size=REFUSALS_CHUNK)
    )


def services_for_queues(user: User) -> QuerySet[Service]:
    return Service.objects.for_user(user).order_by("name")


def teams_for_queues(user: User) -> QuerySet[Team]:
    """The organisation's teams a queue may be mapped to (any service's: a contact centre's team
    answers many services' queues)."""
    return Team.objects.for_user(user).select_related("service").order_by("name", "pk")


def telephone_access_points_for(user: User) -> QuerySet[AccessPoint]:
    return (
        AccessPoint.objects.for_user(user).filter(kind=AccessPointKind.TELEPHONE).order_by("name")
    )


def calls_of_queue(user: User, queue: CallQueue) -> int:
    """How many calls came through ``queue``."""
    return CallRecord.objects.for_user(user).filter(queue=queue).count()


# --- the calls behind a figure of the telephony report --------------------------------------------
FIGURE_VIEW = permissions.PERFORMANCE_VIEW
CALLS_LISTED = 500


def calls_behind_figure(
    user: User, period: reporting.Period, service: str, part: measures.Slice
) -> tuple[measures.Scope, QuerySet[CallRecord]]:
    """The scope and the calls behind one figure of the ``telephony`` report, for someone who
    may read performance figures (403 otherwise), always in their own organisation's records.
    ``LookupError`` for a service, queue, day or measure the report does not have."""
    require(user, FIGURE_VIEW)
    organisation = user.organisation
    assert organisation is not None  # noqa: S101 - require() refuses a user of no organisation
    scope = measures.Scope(organisation, period, measures.service_for(organisation, service))
    return scope, measures.calls_behind(scope, part)

"""Every read of cases, built on the scoped manager, and the access function ``get_case_for``.

``open_cases_for_customer`` is the contract the customer page relies on.  Councillors (who hold
``case.view-own`` rather than ``case.view``) see only the enquiries they raised or that were
raised for them; everything of another organisation answers 404.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import deadlines
from onestop.cases.events import (
    UPDATE_CHANNEL_LABELS,
    EventType,
    customer_status,
    describe,
    describe_for_customer,
    is_for_customer,
)
from onestop.cases.models import (
    INFORMATION_KINDS,
    NOT_TRACKED_KINDS,
    OPEN_STATUSES,
    WELSH,
    AttributeKind,
    Case,
    CaseClock,
    CaseEvent,
    CaseKind,
    CaseLink,
    CaseNote,
    CaseType,
    ContributionTask,
    EscalationRule,
    NoteKind,
    RoutingRule,
    Status,
)
from onestop.contacts.models import Channel
from onestop.core import batch, bulk, dates, language, permissions, public_links
from onestop.core.access import get_or_404, require
from onestop.core.models import Organisation, User
from onestop.core.prepared import PreparedRead
from onestop.core.scoping import ScopedQuerySet
from onestop.core.sources import CaseSummary
from onestop.customers import queries as customers_queries
from onestop.customers.models import Customer, Format
from onestop.directory import queries as directory_queries
from onestop.directory.models import Team, TeamMembership
from onestop.notify import queries as notify_queries
from onestop.notify.models import Event, Message, StaffTask
from onestop.standards import queries as standards_queries
from onestop.standards.models import CalendarVersion

QUEUE_PAGE_SIZE = 50


# --- small helpers ------------------------------------------------------------------------------
def postcode_key(postcode: str) -> str:
    """Upper case without spaces (``hp20 1ub`` -> ``HP201UB``), at most 8 characters."""
    return re.sub(r"[^A-Z0-9]", "", (postcode or "").upper())[:8]


def is_councillor(user: User) -> bool:
    return permissions.can(user, permissions.CASE_VIEW_OWN) and not permissions.can(
        user, permissions.CASE_VIEW
    )


def route(case_type: CaseType, *, postcode: str = "", ward: str = "") -> Team:
    """The team whose queue a new case of ``case_type`` joins.

    A rule for the case's ward wins, then the rule with the longest postcode prefix the case's
    postcode starts with, then the type's default team.  Read once per ``core.batch`` for the
    same type, postcode and ward.
    """
    key = postcode_key(postcode)
    ward = ward.strip().lower()
    return batch.remembered(
        ("cases.route", case_type.organisation_id, case_type.pk, key, ward),
        lambda: _route(case_type, key, ward),
    )


def _route(case_type: CaseType, key: str, ward: str) -> Team:
    best: tuple[int, RoutingRule] | None = None
    for rule in RoutingRule.objects.for_organisation(case_type.organisation_id).filter(
        case_type=case_type
    ):
        if rule.ward and rule.ward.lower() == ward:
            score = 1000
        elif rule.postcode_prefix and key.startswith(rule.postcode_prefix):
            score = len(rule.postcode_prefix)
        else:
            continue
        if best is None or score > best[0]:
            best = (score, rule)
    if best is not None:
        team: Team = Team.objects.for_organisation(case_type.organisation_id).get(
            pk=best[1].team_id
        )
        return team
    default: Team = Team.objects.for_organisation(case_type.organisation_id).get(
        pk=case_type.default_team_id
    )
    return default


# --- access -------------------------------------------------------------------------------------
def cases_for(user: User) -> ScopedQuerySet[Case]:
    """Cases the user may see: their organisation's (``case.view``), or a councillor's own."""
    cases = Case.objects.for_user(user)
    if permissions.can(user, permissions.CASE_VIEW):
        return cases
    if permissions.can(user, permissions.CASE_VIEW_OWN):
        return cases.filter(Q(councillor=user) | Q(raised_by=user))
    return cases.none()


def case_by_reference(user: User, reference: str) -> Case | None:
    """The case with ``reference`` that the user may see (``cases_for``), else ``None``."""
    found: Case | None = (
        cases_for(user).filter(reference=str(reference).strip()[:20].upper()).first()
    )
    return found


def get_case_for(user: User, reference: str, action: str = permissions.CASE_VIEW) -> Case:
    """The case with ``reference`` (404 outside the user's reach; 403 when seen but not allowed)."""
    reference = str(reference)[:20].strip().upper()
    if not permissions.can(user, permissions.CASE_VIEW) and permissions.can(
        user, permissions.CASE_VIEW_OWN
    ):
        own = Case.objects.for_user(user).filter(Q(councillor=user) | Q(raised_by=user))
        found: Case | None = own.filter(reference=reference).first()
        if found is None:
            raise Http404
        if action != permissions.CASE_VIEW:
            raise PermissionDenied(action)
        return found
    case: Case = get_or_404(
        user,
        Case.objects.for_user(user).select_related(
            "organisation", "case_type", "team", "service", "assignee", "customer", "councillor"
        ),
        action,
        reference=reference,
    )
    return case


def case_types_for(user: User) -> ScopedQuerySet[CaseType]:
    types = CaseType.objects.for_user(user).filter(is_active=True).select_related("service")
    if not permissions.can(user, permissions.CASE_RAISE):
        return types.none()
    if is_councillor(user):
        types = types.filter(kind=CaseKind.COUNCILLOR_ENQUIRY)
    return types.order_by("service__name", "name")


def all_case_types_for(user: User) -> ScopedQuerySet[CaseType]:
    return CaseType.objects.for_user(user).order_by("name")


def case_type_by_code(user: User, code: str) -> CaseType | None:
    return case_types_for(user).filter(code=str(code)[:60]).first()


def get_team_for(user: User, team_id: int) -> Team:
    team: Team = get_or_404(
        user,
        Team.objects.for_user(user).select_related("service"),
        permissions.CASE_WORK,
        pk=team_id,
    )
    return team


def teams_for(user: User) -> ScopedQuerySet[Team]:
    return Team.objects.for_user(user).select_related("service").order_by("service__name", "name")


def team_ids_of(user: User) -> list[int]:
    return list(
        TeamMembership.objects.for_user(user)
        .filter(user=user)
        .order_by("team_id")
        .values_list("team_id", flat=True)
    )


def staff_of_organisation(user: User) -> QuerySet[User]:
    return User.objects.filter(organisation_id=user.organisation_id or 0, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def queue_filter_choices(
    user: User,
) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[tuple[int, str]]]:
    """The queue filters' three selects as ``(key, label)`` pairs: the organisation's teams (by
    service, then name), case types, and active staff by the name people know them by (their
    full name, or their username when they have none, as ``User.display_name``).  Pairs, not
    model objects: a council's few hundred teams are on every queue page."""
    teams = Team.objects.for_user(user).order_by("service__name", "name").values_list("id", "name")
    types = all_case_types_for(user).values_list("id", "name")
    people = [
        (pk, f"{first} {last}".strip() or username)
        for pk, username, first, last in staff_of_organisation(user).values_list(
            "id", "username", "first_name", "last_name"
        )
    ]
    return list(teams), list(types), people


def team_members(team: Team) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=TeamMembership.objects.for_organisation(team.organisation_id)
        .filter(team=team)
        .values("user_id")
    ).order_by("last_name", "first_name", "username")


def councillors_of(user: User) -> QuerySet[User]:
    """The organisation's councillors (``is_councillor``): staff raise Member enquiries for
    them.  Only people holding a role that grants ``case.view-own`` are checked."""
    roles = [
        role.pk
        for role in directory_queries.roles_for(user)
        if permissions.CASE_VIEW_OWN in role.actions
    ]
    candidates = staff_of_organisation(user).filter(roles__in=roles).distinct()
    members = [person.pk for person in candidates if is_councillor(person)]
    return staff_of_organisation(user).filter(pk__in=members)


def standard_choices(user: User) -> list[tuple[str, str]]:
    """The timed standards a case type can start, one choice per code (the organisation-wide
    standard's title where a service has its own too), by title."""
    found: dict[str, str] = {}
    for standard in standards_queries.standards_for(user):
        if standard.is_timed and (standard.code not in found or standard.service_id is None):
            found[standard.code] = f"{standard.title} ({standard.code})"
    return sorted(found.items(), key=lambda item: item[1].lower())


def customer_by_reference(user: User, reference: str) -> Customer | None:
    """The customer the user may see with ``reference`` (any case), else ``None``."""
    reference = str(reference).strip()[:40]
    if not reference:
        return None
    found: Customer | None = (
        customers_queries.customers_for(user).filter(reference__iexact=reference).first()
    )
    return found


# --- the queue ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueFilters:
    team_id: int | None = None
    assignee_id: int | None = None
    mine: bool = False
    status: str = ""
    case_type_id: int | None = None
    due_within_days: int | None = None
    ward: str = ""


@dataclass(frozen=True)
class QueueCounts:
    total: int
    overdue: int
    due_today: int
    unassigned: int


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case on a queue page: only what the page shows, with its badges worked out."""

    pk: int
    reference: str
    title: str
    status: str
    status_label: str
    type_name: str
    assignee_name: str  # "" when unassigned
    due_at: datetime.datetime | None
    is_clock_paused: bool
    overdue: bool
    at_risk: bool


@dataclass(frozen=True)
class Queue:
    cases: list[QueueRow]
    counts: QueueCounts
    now: datetime.datetime


def _queue_queryset(
    user: User, filters: QueueFilters, *, due_before: datetime.datetime | None = None
) -> ScopedQuerySet[Case]:
    """The queue's cases (``cases_for`` the user, open or of ``filters.status``); ``due_before``
    is the due-within filter's limit (default: that many days from now)."""
    cases = cases_for(user)
    if not permissions.can(user, permissions.CASE_WORK):
        return cases.none()
    if filters.status:
        cases = cases.filter(status=filters.status)
    else:
        cases = cases.filter(status__in=sorted(OPEN_STATUSES))
    if filters.mine:
        cases = cases.filter(assignee=user)
    elif filters.team_id is not None:
        cases = cases.filter(team_id=filters.team_id)
    if filters.assignee_id is not None:
        cases = cases.filter(assignee_id=filters.assignee_id)
    if filters.case_type_id is not None:
        cases = cases.filter(case_type_id=filters.case_type_id)
    if "\x00" in filters.ward:
        return cases.none()  # no ward holds one (and PostgreSQL refuses it in a parameter)
    if filters.ward:
        cases = cases.filter(ward__iexact=filters.ward[:100])
    if filters.due_within_days is not None:
        if due_before is None:
            due_before = timezone.now() + datetime.timedelta(days=filters.due_within_days)
        cases = cases.filter(due_at__lte=due_before)
    return cases


# What the queue page shows, read as plain values (no model instances), then the primary
# clock's ``_SPAN_FIELDS``, the type's warning percent and the organisation calendar's version.
QUEUE_COLUMNS = (
    "pk",
    "reference",
    "title",
    "status",
    "due_at",
    "clock_paused_at",
    "case_type__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)
_CALENDAR_VERSION = "organisation_calendar_version"
_STATUS_LABELS: dict[str, Any] = dict(Status.choices)  # translated when shown
_COUNTS = ("total", "overdue", "due_today", "unassigned")


def _queue_statements(
    user: User,
    filters: QueueFilters,
    *,
    now: datetime.datetime,
    end_of_today: datetime.datetime,
    due_before: datetime.datetime | None,
    page_size: int,
) -> tuple[QuerySet[Any, Any], QuerySet[Any, Any]]:
    """The queue's two statements, as querysets of ``cases_for(user)``: its counts (one row,
    by conditional aggregation, or none for an empty queue) and its page."""
    cases = _queue_queryset(user, filters, due_before=due_before)
    counts = (
        cases.order_by()
        .values_list("organisation_id")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            due_today=Count("pk", filter=Q(due_at__gte=now, due_at__lte=end_of_today)),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        )
        .values_list(*_COUNTS)
    )
    organisation_id = user.organisation_id or 0
    page = (
        cases.alias(primary_clock=FilteredRelation("clocks", condition=Q(clocks__is_primary=True)))
        .annotate(
            **{_CLOCK + name: F(f"primary_clock__{name}") for name in _SPAN_FIELDS},
            **{_WARNING_PERCENT: _warning_percent(organisation_id, "case_type_id")},
            **{_CALENDAR_VERSION: _calendar_version(organisation_id)},
        )
        .order_by("due_at", "id")
        .values_list(
            *QUEUE_COLUMNS,
            *(_CLOCK + name for name in _SPAN_FIELDS),
            _WARNING_PERCENT,
            _CALENDAR_VERSION,
        )[:page_size]
    )
    return counts, page


# --- the queue's statements, compiled once per shape --------------------------------------------
# Building and compiling the two querysets costs more than running them (about 10 ms against
# 1 ms at 2,000,000 cases).  A queue's statements differ only in their values, so each shape is
# compiled once from querysets built with marker values, and later pages put their own values
# where the markers were.  The key holds everything else the statements depend on: the
# database, the user (their organisation, id and the permissions ``cases_for`` and
# ``_queue_queryset`` ask about), the filters' shape and the page size.  No data is cached.
_MARKER_IDS = {
    "team_id": -2_100_000_001,
    "assignee_id": -2_100_000_002,
    "case_type_id": -2_100_000_003,
}
_MARKER_TIMES = {
    "now": datetime.datetime(1901, 1, 1, 1, tzinfo=datetime.UTC),
    "end_of_today": datetime.datetime(1901, 1, 1, 2, tzinfo=datetime.UTC),
    "due_before": datetime.datetime(1901, 1, 1, 3, tzinfo=datetime.UTC),
}


_compiled: dict[tuple[Any, ...], tuple[bulk.Compiled, bulk.Compiled] | None] = {}


def _queue_rows(
    user: User,
    filters: QueueFilters,
    *,
    now: datetime.datetime,
    end_of_today: datetime.datetime,
    page_size: int,
) -> tuple[list[Any], list[Any]]:
    """The queue's counts row(s) and page rows, through the shape's compiled statements."""
    due_before = (
        None
        if filters.due_within_days is None
        else now + datetime.timedelta(days=filters.due_within_days)
    )
    values: dict[str, Any] = {
        "team_id": None if filters.mine else filters.team_id,
        "assignee_id": filters.assignee_id,
        "case_type_id": filters.case_type_id,
        "now": now,
        "end_of_today": end_of_today,
        "due_before": due_before,
    }
    values = {name: value for name, value in values.items() if value is not None}
    actions = permissions.actions_of(user)
    using = router.db_for_read(Case)
    key = (
        using,
        user.pk,
        user.organisation_id,
        tuple(
            action in actions
            for action in (permissions.CASE_VIEW, permissions.CASE_VIEW_OWN, permissions.CASE_WORK)
        ),
        filters.status,
        filters.mine,
        filters.ward[:100],
        tuple(sorted(values)),
        page_size,
    )
    if key not in _compiled:
        ids = {name: _MARKER_IDS[name] for name in values if name in _MARKER_IDS}
        times = {name: _MARKER_TIMES[name] for name in values if name in _MARKER_TIMES}
        counts, page = _queue_statements(
            user,
            dataclasses.replace(filters, **ids),  # type: ignore[arg-type]  # ids only
            now=times["now"],
            end_of_today=times["end_of_today"],
            due_before=times.get("due_before"),
            page_size=page_size,
        )
        compiled_counts = bulk.compile_query(counts, {**ids, **times})
        compiled_page = bulk.compile_query(
            page, {**ids, **{k: v for k, v in times.items() if k == "due_before"}}
        )
        if len(_compiled) > 256:
            _compiled.clear()
        _compiled[key] = (
            (compiled_counts, compiled_page)
            if compiled_counts is not None and compiled_page is not None
            else None
        )
    found = _compiled[key]
    if found is not None:
        return found[0].run(using, values), found[1].run(using, values)
    counts, page = _queue_statements(
        user,
        filters,
        now=now,
        end_of_today=end_of_today,
        due_before=due_before,
        page_size=page_size,
    )
    return list(counts), list(page)


def queue_for(user: User, filters: QueueFilters, *, page_size: int = QUEUE_PAGE_SIZE) -> Queue:
    """The first ``page_size`` cases by deadline (overdue first, then soonest; no deadline last)
    as ``QueueRow``s with their badges, and the queue's counts: two statements, one for the
    counts (conditional aggregation) and one for the page with each case's type, assignee,
    primary clock, warning percent and the organisation calendar's version (so the calendar
    comes from a version-keyed cache, not a statement of its own).  Each shape of queue is
    compiled once (``_queue_rows``).

    PostgreSQL answers both from ``case_org_team_open`` (a team's open cases by deadline, with
    the assignee): the counts are an index-only scan, the page the index's first rows."""
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=0)
    counts, values = _queue_rows(
        user, filters, now=now, end_of_today=end_of_today, page_size=page_size
    )
    # Nulls sort differently on SQLite (first) and PostgreSQL (last): put them last everywhere.
    values.sort(key=lambda row: (row[4] is None, row[4] or now, row[0]))
    width = len(QUEUE_COLUMNS)
    warnings = _warning_times(
        user.organisation if values else None,
        [row[width:-1] for row in values],
        version=values[0][-1] if values else None,
    )
    return Queue(
        cases=[
            queue_row(row[:width], warning, now)
            for row, warning in zip(values, warnings, strict=True)
        ],
        counts=QueueCounts(
            **dict(zip(_COUNTS, counts[0] if counts else (0, 0, 0, 0), strict=True))
        ),
        now=now,
    )


def queue_row(
    values: Sequence[Any], warning_at: datetime.datetime | None, now: datetime.datetime
) -> QueueRow:
    """A ``QueueRow`` from the values of ``QUEUE_COLUMNS`` and the time the case becomes at
    risk (``None``: never), its badges as ``is_overdue`` and ``is_at_risk`` would give them."""
    pk, reference, title, status, due_at, paused_at, type_name, username, first, last = values
    is_open = status in OPEN_STATUSES
    return QueueRow(
        pk=pk,
        reference=reference,
        title=title,
        status=status,
        status_label=_STATUS_LABELS.get(status, status),
        type_name=type_name,
        # As ``User.display_name``: the full name, else the username.
        assignee_name=f"{first} {last}".strip() or username if username is not None else "",
        due_at=due_at,
        is_clock_paused=paused_at is not None,
        overdue=is_open and due_at is not None and due_at < now,
        at_risk=is_open and _past_warning(due_at, paused_at, warning_at, now),
    )


def is_overdue(case: Case, now: datetime.datetime) -> bool:
    return case.is_open and case.due_at is not None and case.due_at < now


@dataclass(frozen=True)
class MapPoint:
    """A case's point as the staff case page shows it: the numbers as text and, when the
    operator names a map site (``ONESTOP_MAP_LINK``), the address that opens the point there."""

    latitude: str
    longitude: str
    link: str
    link_name: str


def point_of(case: Case) -> MapPoint | None:
    """Where the case's problem is, if a point was given."""
    if case.latitude is None or case.longitude is None:
        return None
    latitude, longitude = f"{case.latitude:.6f}", f"{case.longitude:.6f}"
    template = str(getattr(settings, "ONESTOP_MAP_LINK", ""))
    link = (
        template.replace("{latitude}", latitude).replace("{longitude}", longitude)
        if template
        else ""
    )
    return MapPoint(
        latitude=latitude,
        longitude=longitude,
        link=link,
        link_name=str(getattr(settings, "ONESTOP_MAP_LINK_NAME", "")) or "OpenStreetMap",
    )


def answers_of(case: Case) -> list[tuple[str, str]]:
    """The case's answers to its type's questions as (question label, answer), in the type's
    order; an answer to a question the type no longer asks keeps its code as the label."""
    questions = [question for question in case.case_type.attributes if isinstance(question, dict)]
    labels = {
        str(question.get("code")): str(question.get("label") or question.get("code"))
        for question in questions
    }
    date_codes = {str(q.get("code")) for q in questions if q.get("kind") == AttributeKind.DATE}
    ordered = [code for code in labels if code in case.attributes]
    ordered += [code for code in case.attributes if code not in labels]
    answers = []
    for code in ordered:
        value = case.attributes[code]
        text = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
        if code in date_codes:
            text = _shown_date(text)
        answers.append((labels.get(code, code), text))
    return answers


def _shown_date(stored: str) -> str:
    """A date answer (stored ISO, ``2026-12-01``) as GOV.UK writes it: "1 December 2026"."""
    try:
        return dates.govuk_date(datetime.date.fromisoformat(stored))
    except ValueError:
        return stored


# --- at risk ------------------------------------------------------------------------------------
# A case is at risk once its type's warning threshold (its first escalation rule below 100% of
# the time, e.g. 75%) has passed on its primary clock, until it is overdue.  The time comes from
# the clock (``deadlines.thresholds_at``, the bulk threshold form), worked out in bulk for the
# cases a query lists.
_WARNING_AT = "at_risk_from"  # key in a listed case's ``__dict__``: that time, or None
_WARNING_PERCENT = "warning_percent"
_CLOCK = "primary_clock_"
_SPAN_FIELDS = (
    "started_at",
    "due_at",
    "amount",
    "unit",
    "calendar_name",
    "pauses",
    "stopped_at",
)


def _warning_percent(organisation_id: int, case_type: str) -> Subquery:
    """The lowest escalation percent below 100 of the case type that ``case_type`` names."""
    return Subquery(
        EscalationRule.objects.for_organisation(organisation_id)
        .filter(case_type_id=OuterRef(case_type), percent__lt=100)
        .order_by("percent")
        .values("percent")[:1]
    )


def _calendar_version(organisation_id: int) -> Coalesce:
    """The organisation calendar's version (``standards.queries.calendar_version_of``) as a
    scalar sub-select: evaluated once per statement, not per row."""
    return Coalesce(
        Subquery(
            CalendarVersion.objects.for_organisation(organisation_id)
            .order_by("pk")
            .values("number")[:1]
        ),
        Value(1),
    )


def _warning_times(
    organisation: Organisation | None,
    rows: Sequence[Sequence[Any]],
    *,
    version: int | None = None,
) -> list[datetime.datetime | None]:
    """When each case becomes at risk, from rows of the primary clock's ``_SPAN_FIELDS`` and
    the warning percent: ``None`` when there is nothing to warn about (no warning rule, no
    clock, or a stopped one).  ``version``: the organisation calendar's, when already read."""
    found: list[datetime.datetime | None] = [None] * len(rows)
    positions: list[int] = []
    wanted: list[tuple[deadlines.SpanLike, int]] = []
    for position, row in enumerate(rows):
        started_at, due_at, amount, unit, calendar, pauses, stopped_at, percent = row
        if percent is None or started_at is None or stopped_at is not None:
            continue
        positions.append(position)
        wanted.append((deadlines.Span(started_at, due_at, amount, unit, calendar, pauses), percent))
    if not wanted or organisation is None:
        return found
    names = {span.calendar_name for span, _percent in wanted}
    calendars = {
        name: deadlines.calendar_named(name, organisation, version=version) for name in names
    }
    times = deadlines.thresholds_at(organisation, wanted, calendars=calendars)
    for position, at in zip(positions, times, strict=True):
        found[position] = at
    return found


def attach_warnings(organisation: Organisation | None, cases: Sequence[Case]) -> None:
    """Work out when each of ``cases`` becomes at risk (for ``is_at_risk``), in one statement
    and one pass through the clock."""
    missing = [case for case in cases if _WARNING_AT not in vars(case)]
    if not missing:
        return
    clocks: dict[int, tuple[Any, ...]] = {}
    if organisation is not None:
        clocks = {
            values[0]: values[1:]
            for values in CaseClock.objects.for_organisation(organisation)
            .filter(case_id__in=[case.pk for case in missing], is_primary=True)
            .annotate(**{_WARNING_PERCENT: _warning_percent(organisation.pk, "case__case_type_id")})
            .values_list("case_id", *_SPAN_FIELDS, _WARNING_PERCENT)
        }
    nothing = (None,) * (len(_SPAN_FIELDS) + 1)
    times = _warning_times(organisation, [clocks.get(case.pk, nothing) for case in missing])
    for case, at in zip(missing, times, strict=True):
        vars(case)[_WARNING_AT] = at


def _past_warning(
    due_at: datetime.datetime | None,
    paused_at: datetime.datetime | None,
    warning_at: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    """Not overdue and past the warning time (for a paused clock: past it when the clock was
    paused, as no time is used while it is)."""
    if due_at is None or due_at < now or warning_at is None:
        return False
    used_until = min(now, paused_at) if paused_at else now
    return warning_at <= used_until


def is_at_risk(case: Case, now: datetime.datetime) -> bool:
    """Open, not overdue, and past its type's warning threshold (for a paused clock: past it
    when the clock was paused, as no time is used while it is)."""
    if not case.is_open or case.due_at is None or case.due_at < now:
        return False
    if _WARNING_AT not in vars(case):
        attach_warnings(case.organisation, [case])
    warning: datetime.datetime | None = vars(case).get(_WARNING_AT)
    return _past_warning(case.due_at, case.clock_paused_at, warning, now)


def queue_export_rows(user: User, filters: QueueFilters) -> list[list[str]]:
    require(user, permissions.CASE_WORK)
    cases = _queue_queryset(user, filters).select_related("case_type", "assignee", "team")
    return [
        [
            case.reference,
            case.case_type.name,
            case.title,
            case.status,
            case.team.name,
            case.assignee.display_name if case.assignee else "",
            case.due_at.isoformat() if case.due_at else "",
        ]
        for case in cases[:10_000]
    ]


# --- search -------------------------------------------------------------------------------------
def search_cases(
    user: User,
    *,
    text: str = "",
    status: str = "",
    case_type_code: str = "",
    team_id: int | None = None,
    assignee_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    cases = cases_for(user).select_related("case_type", "team", "assignee")
    text = text.strip()[:100]
    if text:
        cases = cases.filter(Q(reference__iexact=text) | Q(title__icontains=text))
    if status:
        cases = cases.filter(status=status[:30])
    if case_type_code:
        cases = cases.filter(case_type__code=case_type_code[:60])
    if team_id is not None:
        cases = cases.filter(team_id=team_id)
    if assignee_id is not None:
        cases = cases.filter(assignee_id=assignee_id)
    limit = max(1, min(limit, 200))
    return list(cases.order_by("-received_at", "-id")[max(0, offset) : max(0, offset) + limit])


# --- one case -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    by: str
    text: str
    note: str
    is_internal: bool


def clocks_of(case: Case) -> list[CaseClock]:
    """The case's clocks, primary first, each with ``standard_title``: the name of the standard
    that set it ("Answer letters within 10 working days"), the service's own where it has one,
    or ``""`` if the standard has gone (its code is internal and never shown)."""
    clocks = list(case.clocks.order_by("-is_primary", "standard_code"))
    for clock_row in clocks:
        standard = standards_queries.standard_for(
            case.organisation_id, clock_row.standard_code, case.service_id
        )
        clock_row.standard_title = standard.title if standard is not None else ""
    return clocks


#: What a councillor sees of their own enquiry: the enquiry, its status and deadline, and the
#: responses and updates addressed to them -- never internal notes, assignments, escalations,
#: tasks or links, which are staff's working.
MEMBER_TIMELINE_CODES = frozenset(
    {
        "raised",
        "status-changed",
        EventType.UPDATE_SENT,
        EventType.MESSAGE_RECEIVED,
        "resolved",
        "closed",
        "reopened",
        "extended",
        "deadline-moved",
    }
)


def _meant_for(viewer: User | None, event: CaseEvent) -> bool:
    """Staff with ``case.view`` see the whole timeline; a councillor (``case.view-own``) only
    what is meant for them (``MEMBER_TIMELINE_CODES``, updates only when addressed to them)."""
    if viewer is None or not is_councillor(viewer):
        return True
    if event.code not in MEMBER_TIMELINE_CODES:
        return False
    if event.code == EventType.UPDATE_SENT:
        return bool(event.data.get("recipient_user") == viewer.pk)
    return True


def timeline_of(case: Case, *, viewer: User | None = None) -> list[TimelineEntry]:
    """The case's timeline as ``viewer`` may see it (``None``: everything, for staff code)."""
    notes = list(case.notes.select_related("written_by").order_by("written_at", "id"))
    entries: list[TimelineEntry] = []
    note_events = iter(notes)
    for event in case.events.select_related("by").order_by("at", "id"):
        note: CaseNote | None = None
        if event.code in {EventType.NOTE_ADDED, EventType.UPDATE_SENT, EventType.MESSAGE_RECEIVED}:
            note = next(note_events, None)
        if not _meant_for(viewer, event):
            continue
        entries.append(
            TimelineEntry(
                at=event.at,
                by=event.by.display_name if event.by else "OneStop",
                text=describe(event),
                note=note.text if note else "",
                is_internal=event.code == EventType.NOTE_ADDED,
            )
        )
    return entries


@dataclass(frozen=True)
class CustomerTimelineEntry:
    """One line of what happened so far, as the customer is shown it: no staff names, no
    internal notes, only the text of updates sent to them and of what they sent online."""

    at: datetime.datetime
    text: str
    note: str


def status_for_customer(status: str) -> str:
    """A case's status in the customer's words (``events.CUSTOMER_STATUS_WORDS``)."""
    return customer_status(status)


# The customer's timeline is read on every view of a tracked request: its SQL built once per
# database (``core.prepared``), the rows read afresh on every call.
_CUSTOMER_NOTES = PreparedRead(
    CaseNote,
    lambda organisation, case: (
        CaseNote.objects.for_organisation(organisation)
        .filter(case_id=case)
        .order_by("written_at", "id")
        .only("kind", "text")
    ),
    parameters=(int, int),
)
_CUSTOMER_EVENTS = PreparedRead(
    CaseEvent,
    lambda organisation, case: (
        CaseEvent.objects.for_organisation(organisation)
        .filter(case_id=case)
        .order_by("at", "id")
        .only("code", "at", "data")
    ),
    parameters=(int, int),
)


#: The events each of which wrote one note, in the same order as the notes.
_EVENTS_WITH_NOTES = frozenset(
    {EventType.NOTE_ADDED, EventType.UPDATE_SENT, EventType.MESSAGE_RECEIVED}
)


def customer_timeline_of(case: Case) -> list[CustomerTimelineEntry]:
    """The case's timeline as its customer may see it (``events.is_for_customer``), oldest
    first.  A note's text is shown only for an update sent to the customer and for a message
    they sent online; a message that came by e-mail is named without its text, as its sender
    may not be the customer."""
    events = _CUSTOMER_EVENTS.all(case.organisation_id, case.pk)
    # The notes are read only when an event has one (most tracked cases have none).
    with_notes = any(event.code in _EVENTS_WITH_NOTES for event in events)
    notes = iter(_CUSTOMER_NOTES.all(case.organisation_id, case.pk) if with_notes else ())
    entries: list[CustomerTimelineEntry] = []
    for event in events:
        note: CaseNote | None = None
        if event.code in _EVENTS_WITH_NOTES:
            note = next(notes, None)
        if not is_for_customer(event):
            continue
        shown = ""
        if note is not None and (
            (event.code == EventType.UPDATE_SENT and note.kind == NoteKind.UPDATE_TO_CUSTOMER)
            or (
                event.code == EventType.MESSAGE_RECEIVED
                and note.kind == NoteKind.FROM_CUSTOMER
                and event.data.get("channel") == Channel.WEB_FORM
            )
        ):
            shown = note.text
        entries.append(CustomerTimelineEntry(event.at, describe_for_customer(event), shown))
    return entries


def links_of(case: Case) -> list[CaseLink]:
    return list(
        CaseLink.objects.for_organisation(case.organisation_id)
        .filter(Q(case=case) | Q(linked_case=case))
        .select_related("case", "linked_case")
        .order_by("created_at")
    )


def tasks_of(case: Case) -> QuerySet[ContributionTask]:
    return case.tasks.select_related("service", "team").order_by("created_at")


def get_task_for(user: User, case: Case, task_id: int) -> ContributionTask:
    task: ContributionTask = get_or_404(
        user,
        ContributionTask.objects.for_user(user).select_related("case", "service"),
        permissions.CASE_WORK,
        pk=task_id,
        case=case,
    )
    return task


def message_context(case: Case, language: str | None = None) -> dict[str, Any]:
    """The placeholders a message about ``case`` fills in (``notify.wording.PLACEHOLDERS``):
    the case is named as the customer may see it (``title_for_customer_in``), in ``language``,
    by default the language the customer's messages are written in (``notify``'s
    ``language_for``: Welsh names of the case type and service for a customer who asked for
    Welsh, where the organisation gave them; English otherwise)."""
    if language is None:
        language = notify_queries.language_for(case.customer)
    service = case.case_type.service
    return {
        "reference": case.reference,
        "customer_name": case.customer.display_name if case.customer else case.constituent_name,
        "case_type": case.case_type.name_in(language),
        # A title is one line in a message, whatever was typed (an API's newlines).
        "case_title": " ".join(case.title_for_customer_in(language).split()),
        "deadline": case.due_at,
        "service": (service.name_cy if language == WELSH else "") or service.name,
        "track_link": track_link(case, language),
    }


def track_link(case: Case, language: str) -> str:
    """The residents' track page of the case's organisation, as a message links to it
    (``core.public_links.absolute_link``: ``ONESTOP_PUBLIC_URL`` before it, ``?lang=cy`` in
    Welsh); "" for a case a resident cannot track (``NOT_TRACKED_KINDS``), and then the
    paragraph of a message that names it is left out (``notify.wording.render``)."""
    if case.kind in NOT_TRACKED_KINDS:
        return ""

    def link() -> str:
        if Case.organisation.is_cached(case):
            slug = case.organisation.slug
        else:
            slug = str(
                Organisation.objects.filter(pk=case.organisation_id)
                .values_list("slug", flat=True)
                .get()
            )
        return public_links.absolute_link(public_links.TRACK, slug, language=language)

    # Worked out once per ``core.batch`` (the poller's acknowledgements, the escalation sweep's
    # deadline-moved messages): a slug read or a URL reversed for every message adds up.
    return batch.remembered(("cases.track_link", case.organisation_id, language), link)


def messages_of(user: User, case: Case) -> QuerySet[Message]:
    """The case's messages ``user`` may read (``notify.queries.messages_for``'s rule)."""
    return notify_queries.messages_of_case(user, case.pk)


def failed_messages_of(user: User, case: Case) -> list[Message]:
    return list(notify_queries.failed_messages_of_case(user, case.pk)[:20])


def staff_tasks_of(user: User, case: Case) -> list[StaffTask]:
    return list(notify_queries.open_tasks_of_case(user, case.pk)[:50])


# --- the customer page's contract and the Member view -------------------------------------------
# The desk and the customer page read these through ``core.sources`` (see ``cases/sources.py``).


def case_summary(case: Case, now: datetime.datetime) -> CaseSummary:
    return CaseSummary(
        reference=case.reference,
        title=case.title,
        status_label=str(Status(case.status).label),
        due_at=case.due_at,
        is_overdue=is_overdue(case, now),
        url=reverse("cases:case", args=[case.reference]),
    )


def open_cases_for_customer(user: User, customer_id: int) -> list[CaseSummary]:
    """The customer's open cases the user may see, soonest deadline first."""
    now = timezone.now()
    cases = (
        cases_for(user)
        .filter(customer_id=customer_id, status__in=sorted(OPEN_STATUSES))
        .order_by("due_at", "id")[:100]
    )
    found = sorted(cases, key=lambda case: (case.due_at is None, case.due_at or now, case.pk))
    return [case_summary(case, now) for case in found]


def enquiries_of_councillor(user: User) -> list[Case]:
    require(user, permissions.CASE_VIEW_OWN)
    enquiries = list(
        Case.objects.for_user(user)
        .filter(Q(councillor=user) | Q(raised_by=user))
        .select_related("team")
        .order_by("-received_at", "-id")[:200]
    )
    attach_warnings(user.organisation, [case for case in enquiries if case.is_open])
    return enquiries


# --- disclosure log (public) --------------------------------------------------------------------
def public_organisation(slug: str, request: HttpRequest | None = None) -> Organisation:
    """The active organisation ``slug`` names (404 otherwise).  With ``request``, the one the
    language middleware already read for this request's address, when it read this slug."""
    slug = str(slug)[:60]
    organisation = language.organisation_read(request, slug)
    if organisation is None:
        organisation = language.active_organisation(slug)
    if organisation is None:
        raise Http404
    return organisation


def disclosure_log(organisation: Organisation) -> list[Case]:
    return list(
        Case.objects.for_organisation(organisation)
        .filter(kind__in=sorted(INFORMATION_KINDS), published_at__isnull=False)
        .only("reference", "title", "kind", "disclosure_summary", "published_at", "outcome")
        .order_by("-published_at")[:500]
    )


def can_handle_statutory(user: User) -> bool:
    return permissions.can(user, permissions.STATUTORY_REQUEST_HANDLE)


# --- who an update to the customer goes to ------------------------------------------------------
@dataclass(frozen=True)
class UpdateRecipient:
    """Whom an update on a case is sent to, by which channel and at which address.

    ``kind`` is the message's ``recipient_kind``: ``"customer"`` or ``"councillor"``."""

    kind: str
    name: str
    channel: str
    address: str
    user: User | None = None

    @property
    def channel_label(self) -> str:
        return str(UPDATE_CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def shown_address(self) -> str:
        """The address as staff read it (a text's number in national format)."""
        if self.channel == UPDATE_CHANNEL_SMS:
            return customers_queries.shown_phone(self.address)
        return self.address


UPDATE_CHANNEL_EMAIL = "email"
UPDATE_CHANNEL_LETTER = "letter"
UPDATE_CHANNEL_SMS = "sms"
UPDATE_CHANNEL_ONESTOP = "onestop"


def update_recipient(case: Case, *, event: str = Event.UPDATE) -> UpdateRecipient | None:
    """Who an update to the customer on ``case`` (or ``event``'s message: the resolution is
    ``Event.RESPONSE`` or ``Event.CLOSURE``) would reach, or ``None`` when nobody can be sent
    one.  A councillor's enquiry is answered to the councillor; otherwise the customer, by the
    channel ``notify`` chooses for them (``notify.queries.route_to``: preferred channel, consent
    (not needed for an answer) and addresses on record), so what the form names is where the
    message goes."""
    if case.councillor_id is not None:
        councillor = case.councillor
        assert councillor is not None  # noqa: S101
        if councillor.email:
            return UpdateRecipient(
                "councillor",
                councillor.display_name,
                UPDATE_CHANNEL_EMAIL,
                councillor.email,
                councillor,
            )
        return UpdateRecipient(
            "councillor", councillor.display_name, UPDATE_CHANNEL_ONESTOP, "", councillor
        )
    customer = case.customer
    route = notify_queries.route_to(
        customer,
        event=event,
        large_print=customer is not None and customer.format == Format.LARGE_PRINT,
    )
    if customer is None or route is None:
        return None
    # A postal address is stored a line each; the form names it on one line.
    address = ", ".join(route.address.splitlines())
    return UpdateRecipient("customer", customer.display_name, route.channel, address)


def no_recipient_reason(case: Case, *, event: str = Event.UPDATE) -> str:
    """Why ``update_recipient(case, event=event)`` is ``None``, in staff's words: no customer,
    a customer who gave an e-mail address or mobile number but did not agree to be sent
    updates there (and has no postal address), or one with no way to reach them at all."""
    customer = case.customer
    if customer is None:
        # Said after a colon ("Nobody can be sent the resolution: …"): no capital.
        return _("the case has no customer, so there is nobody to send it to")
    if event not in notify_queries.ANSWERS and notify_queries.addresses_of(
        customer, event=Event.RESPONSE
    ):
        return _(
            "%(name)s has not agreed to be sent updates by e-mail or text message, and has "
            "no current postal address"
        ) % {"name": customer.display_name}
    return _(
        "%(name)s has no e-mail address, mobile number or current postal address on their record"
    ) % {"name": customer.display_name}


def customer_told_it_was_finished(case: Case) -> bool:
    """Whether the customer was sent the resolution when ``case`` was last resolved or closed
    (the finishing event records it: ``events.case_resolved_event``'s ``customer_told``)."""
    last = (
        CaseEvent.objects.for_organisation(case.organisation_id)
        .filter(case_id=case.pk, code__in=[EventType.RESOLVED, EventType.CLOSED])
        .order_by("-at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    return bool(last and last.get("customer_told"))

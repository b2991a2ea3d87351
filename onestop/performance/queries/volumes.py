"""Contact volumes, first-contact resolution, repeat contacts and visitors' waits, computed from
the contacts app's raw records (``Contact``, ``VisitorTicket``) in SQL aggregation.

A contact belongs to the day of its ``received_at`` in Europe/London; a visitor to the day of
their ``arrived_at``.  Every figure is the count of a set of records (``contacts_behind``), so the
report, its files and the drill-down list agree:

- **contacts**: every contact recorded (both directions, every channel);
- **inbound**: the contacts from the customer (``direction`` "in");
- **resolved at first contact**: inbound contacts whose recorded outcome is "Resolved at first
  contact"; **first-contact resolution** is that number divided by inbound (4 decimal places);
- **repeats** (chasing progress): contacts recorded as chasing an earlier contact
  (``repeat_of``) or an open case or request (``about_reference``), as the desk records them;
- **visitors**: arrived, seen, seen within 15 minutes of arriving (``seen_at - arrived_at``
  at most 15 minutes), left without being seen, still waiting; the wait to be seen is
  ``seen_at - arrived_at`` of those seen.

- **assessed**: contacts whose advisor answered "could this contact have been avoided?"
  (``Contact.avoidable`` not blank); **avoidable**: those judged avoidable (one of the five kinds
  of ``contacts.models.AVOIDABLE_KINDS``: chasing progress, asking again, a failure to act, not
  clear, wrong place or channel); **avoidable share** is avoidable divided by assessed (a contact
  not assessed is not known either way, so it is in neither).  ``avoidable_kinds`` counts each
  kind.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import (
    Avg,
    BooleanField,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth, TruncWeek
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import (
    AVOIDABLE_KINDS,
    Avoidable,
    Channel,
    Contact,
    ContactReason,
    Direction,
    Outcome,
    VisitorTicket,
)
from onestop.core import reporting
from onestop.core.models import Organisation
from onestop.directory.models import AccessPoint, Service, Team
from onestop.feedback.queries.reports import NO_SERVICE, service_for
from onestop.standards.measures import Filters

LONDON = reporting.LONDON
FOUR_PLACES = decimal.Decimal("0.0001")
ONE_PLACE = decimal.Decimal("0.1")
SEEN_WITHIN = datetime.timedelta(minutes=15)
NONE_VALUE = "none"  # a dimension's value for "not recorded" (no service, no reason ...)
ALL_VALUE = "all"

WEEKDAYS: dict[int, Promise] = {
    1: _("Monday"),
    2: _("Tuesday"),
    3: _("Wednesday"),
    4: _("Thursday"),
    5: _("Friday"),
    6: _("Saturday"),
    7: _("Sunday"),
}


class Dimension:
    ORGANISATION = "organisation"
    CHANNEL = "channel"
    DIRECTION = "direction"
    SERVICE = "service"
    ACCESS_POINT = "access-point"
    REASON = "reason"
    OUTCOME = "outcome"
    HOUR = "hour"
    WEEKDAY = "weekday"
    WEEK = "week"
    MONTH = "month"
    # Only for the records behind a kind of avoidable contact (``avoidable_kinds``): the volumes
    # table has no rows of it.
    AVOIDABLE = "avoidable"


DIMENSIONS: dict[str, Promise] = {
    Dimension.ORGANISATION: _("Organisation"),
    Dimension.CHANNEL: _("Channel"),
    Dimension.DIRECTION: _("Direction"),
    Dimension.SERVICE: _("Service"),
    Dimension.ACCESS_POINT: _("Access point"),
    Dimension.REASON: _("Reason for contact"),
    Dimension.OUTCOME: _("Outcome"),
    Dimension.HOUR: _("Hour of day"),
    Dimension.WEEKDAY: _("Day of the week"),
    Dimension.WEEK: _("Week (beginning Monday)"),
    Dimension.MONTH: _("Month"),
    Dimension.AVOIDABLE: _("Avoidable contact"),
}


class Measure:
    CONTACTS = "contacts"
    INBOUND = "inbound"
    RESOLVED = "resolved"
    REPEATS = "repeats"
    ASSESSED = "assessed"
    AVOIDABLE = "avoidable"


MEASURES: dict[str, Q] = {
    Measure.CONTACTS: Q(),
    Measure.INBOUND: Q(direction=Direction.INBOUND),
    Measure.RESOLVED: Q(direction=Direction.INBOUND, outcome=Outcome.RESOLVED),
    Measure.REPEATS: Q(repeat_of__isnull=False) | ~Q(about_reference=""),
    Measure.ASSESSED: ~Q(avoidable=""),
    Measure.AVOIDABLE: Q(avoidable__in=AVOIDABLE_KINDS),
}

DEFINITIONS: tuple[Promise, ...] = (
    _(
        "A contact belongs to the day it was received, in UK time; the period's first and last "
        "days are both included."
    ),
    _("contacts: every contact recorded, from and to the customer, on every channel."),
    _("inbound: the contacts from the customer."),
    _(
        "resolved_first_contact: inbound contacts whose outcome was recorded as resolved at "
        "first contact."
    ),
    _(
        "first_contact_resolution: resolved_first_contact divided by inbound, to 4 decimal "
        "places (empty when there were no inbound contacts)."
    ),
    _(
        "repeats: contacts recorded as chasing an earlier contact or an open case or request "
        "(chasing progress: avoidable contact)."
    ),
    _(
        "assessed: contacts whose advisor recorded whether the contact could have been avoided. "
        "avoidable: those recorded as avoidable: chasing progress, asking again, something we "
        "did not do or did not do right, something we had not made clear, or the wrong place or "
        "channel (NI 14 avoidable contact; a contact chasing an earlier contact or an open case "
        "or request is recorded as chasing progress unless the advisor chose otherwise)."
    ),
    _(
        "avoidable_share: avoidable divided by assessed, to 4 decimal places (empty when none "
        "was assessed); contacts not assessed are in neither."
    ),
    _(
        "week: the Monday the week begins (a week that began before the period counts only its "
        "days in the period); hour and day of the week in UK time."
    ),
)

KIND_DEFINITIONS: tuple[Promise, ...] = (
    _(
        "Each contact of the period by what its advisor recorded: one of the five kinds of "
        "avoidable contact, not avoidable, or not assessed."
    ),
    _(
        "share_of_assessed: the kind's contacts divided by every contact assessed (the five "
        "kinds and not avoidable), to 4 decimal places; none for not assessed."
    ),
)

VISITOR_DEFINITIONS: tuple[Promise, ...] = (
    _("A visitor belongs to the day they arrived (took a ticket), in UK time."),
    _("seen: visitors called and seen; wait to be seen: from arriving to being seen."),
    _(
        "seen_within_15_minutes: visitors seen at most 15 minutes after arriving; "
        "percent_seen_within_15_minutes divides it by every visitor who arrived (those who "
        "left unseen and those still waiting included), to 4 decimal places."
    ),
    _("Average and longest wait: over the visitors seen, in seconds to 1 place."),
)


@dataclass(frozen=True)
class Scope:
    """What the figures cover: one organisation, a period, and a service (``None`` for all,
    ``NO_SERVICE`` for contacts with no service recorded); the report pages' other filters
    (``FILTERS_APPLIED`` says which record each narrows): a channel (contacts; visitors are
    face to face), an access point (contacts, visitors), a team (the backlog's cases)."""

    organisation: Organisation
    period: reporting.Period
    service: Service | str | None = None
    channel: str = ""
    access_point: AccessPoint | None = None
    team: Team | None = None


def scope_for(request: reporting.ReportRequest, filters: Filters | None = None) -> Scope:
    """The scope a report request names, narrowed by a page's ``filters`` (their service is
    the request's); ``ReportError`` for a service the organisation has not got."""
    try:
        service = service_for(request.organisation, request.service)
    except LookupError:
        raise reporting.ReportError(
            f"{request.organisation.name} has no service {str(request.service)[:60]!r}"
        ) from None
    if filters is None:
        return Scope(request.organisation, request.period, service)
    return Scope(
        request.organisation,
        request.period,
        service,
        channel=filters.channel,
        access_point=filters.access_point,
        team=filters.team,
    )


def rate(numerator: int, denominator: int) -> reporting.Share | None:
    """``numerator / denominator`` to 4 places, half up (a ``reporting.Share``, so a page's
    percentage is rounded once, from the counts); ``None`` when the denominator is 0."""
    return reporting.share(numerator, denominator, FOUR_PLACES)


def seconds(value: datetime.timedelta | None) -> decimal.Decimal | None:
    if value is None:
        return None
    return (decimal.Decimal(value.total_seconds())).quantize(
        ONE_PLACE, rounding=decimal.ROUND_HALF_UP
    )


# --- the records ---------------------------------------------------------------------------------
def contacts_in(scope: Scope) -> QuerySet[Contact]:
    """The organisation's contacts received in the period (the index ``contact_org_received``)."""
    rows = Contact.objects.for_organisation(scope.organisation).filter(
        received_at__gte=scope.period.starts, received_at__lt=scope.period.ends
    )
    if isinstance(scope.service, Service):
        rows = rows.filter(service=scope.service)
    elif scope.service == NO_SERVICE:
        rows = rows.filter(service__isnull=True)
    if scope.channel:
        rows = rows.filter(channel=scope.channel)
    if scope.access_point is not None:
        rows = rows.filter(access_point=scope.access_point)
    return rows


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LONDON)


def _bucket_filter(dimension: str, value: str) -> Q | dict[str, Any]:
    """The filter of one dimension's value; ``ValueError`` for a value it cannot have."""
    text = str(value)[:40]
    if dimension == Dimension.ORGANISATION:
        return Q()
    if dimension in (Dimension.CHANNEL, Dimension.DIRECTION, Dimension.OUTCOME):
        field, choices = {
            Dimension.CHANNEL: ("channel", Channel.values),
            Dimension.DIRECTION: ("direction", Direction.values),
            Dimension.OUTCOME: ("outcome", Outcome.values),
        }[dimension]
        if text == NONE_VALUE:
            return Q(**{field: ""})
        if text not in choices:
            raise ValueError(text)
        return Q(**{field: text})
    if dimension in (Dimension.SERVICE, Dimension.ACCESS_POINT, Dimension.REASON):
        field = dimension.replace("-", "_")
        if text == NONE_VALUE:
            return Q(**{f"{field}__isnull": True})
        if not text.isdigit():
            raise ValueError(text)
        return Q(**{f"{field}_id": int(text)})
    if dimension == Dimension.HOUR:
        number = int(text)
        if not 0 <= number <= 23:
            raise ValueError(text)
        return {"hour": number}
    if dimension == Dimension.WEEKDAY:
        number = int(text)
        if number not in WEEKDAYS:
            raise ValueError(text)
        return {"weekday": number}
    if dimension == Dimension.AVOIDABLE:
        if text == NONE_VALUE:
            return Q(avoidable="")
        if text not in Avoidable.values:
            raise ValueError(text)
        return Q(avoidable=text)
    if dimension in (Dimension.WEEK, Dimension.MONTH):
        first = datetime.date.fromisoformat(text)
        if dimension == Dimension.WEEK:
            if first.isoweekday() != 1:
                raise ValueError(text)
            after = first + datetime.timedelta(days=7)
        else:
            if first.day != 1:
                raise ValueError(text)
            after = reporting.month_of(first).last + datetime.timedelta(days=1)
        return Q(received_at__gte=_local_midnight(first), received_at__lt=_local_midnight(after))
    raise ValueError(dimension)


def contacts_behind(scope: Scope, dimension: str, value: str, measure: str) -> QuerySet[Contact]:
    """The contacts one figure counts (``ValueError`` for a figure there is not)."""
    if dimension not in DIMENSIONS or measure not in MEASURES:
        raise ValueError(dimension)
    rows = contacts_in(scope).filter(MEASURES[measure])
    found = _bucket_filter(dimension, value)
    if isinstance(found, Q):
        return rows.filter(found)
    if "hour" in found:
        return rows.annotate(hour=ExtractHour("received_at", tzinfo=LONDON)).filter(**found)
    return rows.annotate(weekday=ExtractIsoWeekDay("received_at", tzinfo=LONDON)).filter(**found)


# --- the figures ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    dimension: str
    value: str
    label: str
    contacts: int
    inbound: int
    resolved: int
    repeats: int
    assessed: int
    avoidable: int

    @property
    def first_contact_resolution(self) -> decimal.Decimal | None:
        return rate(self.resolved, self.inbound)

    @property
    def avoidable_share(self) -> decimal.Decimal | None:
        return rate(self.avoidable, self.assessed)


_COUNTS = {
    "contacts": Count("id"),
    "inbound": Count("id", filter=MEASURES[Measure.INBOUND]),
    "resolved": Count("id", filter=MEASURES[Measure.RESOLVED]),
    "repeats": Count("id", filter=MEASURES[Measure.REPEATS]),
    "assessed": Count("id", filter=MEASURES[Measure.ASSESSED]),
    "avoidable": Count("id", filter=MEASURES[Measure.AVOIDABLE]),
}


def _names(model: Any, organisation: Organisation, ids: set[Any], attribute: str) -> dict[Any, str]:
    found = model.objects.for_organisation(organisation).filter(pk__in=ids)
    return {pk: str(name) for pk, name in found.values_list("pk", attribute)}


_NAMED = {
    Dimension.SERVICE: (Service, "name"),
    Dimension.ACCESS_POINT: (AccessPoint, "name"),
    Dimension.REASON: (ContactReason, "label"),
}


def _names_of(organisation: Organisation, wanted: dict[str, set[Any]]) -> dict[str, dict[Any, str]]:
    """The names of the services, access points and reasons ``wanted`` (ids by dimension), in
    one statement (``UNION ALL``; a dimension with no ids adds nothing to it)."""
    parts = [
        model.objects.for_organisation(organisation)
        .filter(pk__in=wanted.get(dimension, set()))
        .order_by()
        .values_list(Value(dimension, output_field=CharField()), "pk", attribute)
        for dimension, (model, attribute) in _NAMED.items()
    ]
    found: dict[str, dict[Any, str]] = {dimension: {} for dimension in _NAMED}
    for dimension, pk, name in parts[0].union(*parts[1:], all=True):
        found[dimension][pk] = str(name)
    return found


def _grouped(rows: QuerySet[Contact], key: Any) -> list[dict[str, Any]]:
    grouped: Any = rows.annotate(key=key).values("key").annotate(**_COUNTS).order_by("key")
    return list(grouped)


def _row(dimension: str, value: str, label: str, counts: dict[str, Any]) -> Row:
    return Row(
        dimension,
        value,
        label,
        counts["contacts"],
        counts["inbound"],
        counts["resolved"],
        counts["repeats"],
        counts["assessed"],
        counts["avoidable"],
    )


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.astimezone(LONDON).date() if value.tzinfo else value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


# The recorded fields a dimension groups by, and the dimensions of the time of day, the day, the
# week and the month (in UK time), in ``DIMENSIONS`` order.
_FIELDS = (
    (Dimension.CHANNEL, "channel"),
    (Dimension.DIRECTION, "direction"),
    (Dimension.SERVICE, "service_id"),
    (Dimension.ACCESS_POINT, "access_point_id"),
    (Dimension.REASON, "reason_id"),
    (Dimension.OUTCOME, "outcome"),
)


def _keys() -> dict[str, Any]:
    """Each dimension's key, as an expression on a contact (the organisation's row has none)."""
    return {
        **{dimension: F(field) for dimension, field in _FIELDS},
        Dimension.HOUR: ExtractHour("received_at", tzinfo=LONDON),
        Dimension.WEEKDAY: ExtractIsoWeekDay("received_at", tzinfo=LONDON),
        Dimension.WEEK: TruncWeek("received_at", tzinfo=LONDON),
        Dimension.MONTH: TruncMonth("received_at", tzinfo=LONDON),
        # Not a row of the volumes table: the kinds of avoidable contact (``avoidable_kinds``),
        # counted in the same statement so the contacts are read once.
        Dimension.AVOIDABLE: F("avoidable"),
    }


Counted = dict[str, list[dict[str, Any]]]


def _counted_per_dimension(rows: QuerySet[Contact]) -> Counted:
    """Each dimension's counts by key, one statement a dimension (every database)."""
    found: Counted = {Dimension.ORGANISATION: [rows.aggregate(**_COUNTS)]}
    for dimension, key in _keys().items():
        found[dimension] = _grouped(rows, key)
    return found


def _counted_in_one_statement(rows: QuerySet[Contact]) -> Counted:
    """The same counts from one ``GROUPING SETS`` statement (PostgreSQL): the contacts are read
    once.  The inner query is the ORM's (the same records, keys and measures as the
    per-dimension path); only the grouping is written here, as the ORM cannot say it."""
    keys = _keys()
    aliases = {dimension: f"key_{number}" for number, dimension in enumerate(keys)}
    measures = {name: f"is_{name}" for name in _COUNTS if name != Measure.CONTACTS}
    inner = (
        rows.order_by()
        .annotate(**{aliases[dimension]: key for dimension, key in keys.items()})
        .annotate(
            **{
                alias: ExpressionWrapper(MEASURES[name], output_field=BooleanField())
                for name, alias in measures.items()
            }
        )
        .values(*aliases.values(), *measures.values())
    )
    inner_sql, params = inner.query.get_compiler(using=rows.db).as_sql()
    columns = ", ".join(aliases.values())
    counts = ", ".join(f"count(*) FILTER (WHERE {alias})" for alias in measures.values())
    sets = ", ".join(["()", *(f"({alias})" for alias in aliases.values())])
    sql = (
        f"SELECT GROUPING({columns}), {columns}, count(*), {counts} "  # noqa: S608  # names made here
        f"FROM ({inner_sql}) AS contacts GROUP BY GROUPING SETS ({sets})"
    )
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        found_rows = cursor.fetchall()
    dimensions = list(keys)
    everything = (1 << len(dimensions)) - 1
    found: Counted = {Dimension.ORGANISATION: []}
    found.update({dimension: [] for dimension in dimensions})
    for row in found_rows:
        grouping, values, figures = row[0], row[1 : len(dimensions) + 1], row[len(dimensions) + 1 :]
        item = dict(zip(("contacts", *measures), figures, strict=True))
        if grouping == everything:
            found[Dimension.ORGANISATION].append(item)
            continue
        # GROUPING's bits, first key highest: the one key at 0 is the set this row belongs to.
        last = len(dimensions) - 1
        index = next(n for n in range(len(dimensions)) if not grouping >> (last - n) & 1)
        item["key"] = values[index]
        found[dimensions[index]].append(item)
    if not found[Dimension.ORGANISATION]:  # the empty set's row, should a database leave it out
        found[Dimension.ORGANISATION].append(dict.fromkeys(_COUNTS, 0))
    for dimension in (Dimension.HOUR, Dimension.WEEKDAY, Dimension.WEEK, Dimension.MONTH):
        found[dimension].sort(key=lambda item: item["key"])
    return found


def counted(rows: QuerySet[Contact]) -> Counted:
    """Every dimension's counts: in one statement where the database can group by several sets
    at once (PostgreSQL), else one statement a dimension; the figures are the same."""
    if connections[rows.db].vendor == "postgresql":
        return _counted_in_one_statement(rows)
    return _counted_per_dimension(rows)


def volumes(scope: Scope) -> list[Row]:
    """One row per dimension and value (the organisation's row is the total), in
    ``DIMENSIONS`` order, each dimension's values in their natural order."""
    return volumes_and_kinds(scope)[0]


def volumes_and_kinds(scope: Scope) -> tuple[list[Row], list[KindRow]]:
    """``volumes`` and ``avoidable_kinds`` of the scope from one reading of its contacts."""
    found = counted(contacts_in(scope))
    return _volume_rows(scope, found), _kinds(
        {str(item["key"] or ""): int(item["contacts"]) for item in found[Dimension.AVOIDABLE]}
    )


def _volume_rows(scope: Scope, found: Counted) -> list[Row]:
    total = found[Dimension.ORGANISATION][0]
    result = [_row(Dimension.ORGANISATION, scope.organisation.slug, scope.organisation.name, total)]
    choices = {
        Dimension.CHANNEL: dict(Channel.choices),
        Dimension.DIRECTION: dict(Direction.choices),
        Dimension.OUTCOME: dict(Outcome.choices),
    }
    # "Not recorded" last on every database (PostgreSQL and SQLite order NULL differently).
    ordered = {
        dimension: sorted(
            found[dimension], key=lambda item: (item["key"] in (None, ""), item["key"] or 0)
        )
        for dimension, _field in _FIELDS
    }
    names = _names_of(
        scope.organisation,
        {
            dimension: {item["key"] for item in ordered[dimension] if item["key"] is not None}
            for dimension in _NAMED
        },
    )
    for dimension, _field in _FIELDS:
        if dimension in choices:
            labels = {key: str(label) for key, label in choices[dimension].items()}
        else:
            labels = names[dimension]
        for item in ordered[dimension]:
            key = item["key"]
            if key is None or key == "":
                result.append(_row(dimension, NONE_VALUE, str(_("Not recorded")), item))
            else:
                result.append(_row(dimension, str(key), labels.get(key, str(key)), item))
    for item in found[Dimension.HOUR]:
        hour = int(item["key"])
        result.append(_row(Dimension.HOUR, str(hour), f"{hour:02d}:00-{hour:02d}:59", item))
    for item in found[Dimension.WEEKDAY]:
        day = int(item["key"])
        result.append(_row(Dimension.WEEKDAY, str(day), str(WEEKDAYS[day]), item))
    for dimension in (Dimension.WEEK, Dimension.MONTH):
        for item in found[dimension]:
            first = _as_date(item["key"])
            result.append(_row(dimension, first.isoformat(), first.isoformat(), item))
    return result


# --- avoidable contact by kind ------------------------------------------------------------------
@dataclass(frozen=True)
class KindRow:
    value: str  # ``Avoidable``'s code, or "none" (not assessed)
    label: str
    contacts: int
    assessed: int  # every assessed contact of the scope (the share's denominator)

    @property
    def share(self) -> decimal.Decimal | None:
        """The kind's share of the contacts assessed (none for "not assessed")."""
        if self.value == NONE_VALUE:
            return None
        return rate(self.contacts, self.assessed)


def avoidable_kinds(scope: Scope, rows: QuerySet[Contact] | None = None) -> list[KindRow]:
    """Each kind of avoidable contact, then "not avoidable", then "not assessed", with its
    number of contacts (every kind listed, 0 when none), in one grouped statement; ``rows``
    narrows further than ``scope`` (the dashboard's filters)."""
    found: Any = (
        (contacts_in(scope) if rows is None else rows)
        .order_by()
        .values("avoidable")
        .annotate(contacts=Count("id"))
        .order_by("avoidable")
    )
    return _kinds({str(item["avoidable"] or ""): int(item["contacts"]) for item in found})


def _kinds(counts: dict[str, int]) -> list[KindRow]:
    """Every kind's row from the contacts counted by kind ("" is not assessed)."""
    assessed = sum(count for code, count in counts.items() if code)
    result = [
        KindRow(code, str(label), counts.get(code, 0), assessed)
        for code, label in Avoidable.choices
    ]
    result.append(KindRow(NONE_VALUE, str(_("Not assessed")), counts.get("", 0), assessed))
    return result


# --- visitors ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitorRow:
    access_point: str  # the access point's id, or "all"
    label: str
    arrived: int
    seen: int
    seen_within_15_minutes: int
    left_unseen: int
    waiting: int
    average_wait: datetime.timedelta | None
    longest_wait: datetime.timedelta | None

    @property
    def percent_seen_within_15_minutes(self) -> decimal.Decimal | None:
        return rate(self.seen_within_15_minutes, self.arrived)


VISITOR_MEASURES: dict[str, Q] = {
    "arrived": Q(),
    "seen": Q(seen_at__isnull=False),
    "seen-within-15-minutes": Q(seen_at__isnull=False, seen_at__lte=F("arrived_at") + SEEN_WITHIN),
    "left-unseen": Q(seen_at__isnull=True, left_at__isnull=False),
    "waiting": Q(seen_at__isnull=True, left_at__isnull=True),
}


def visitors_in(scope: Scope) -> QuerySet[VisitorTicket]:
    rows = VisitorTicket.objects.for_organisation(scope.organisation).filter(
        arrived_at__gte=scope.period.starts, arrived_at__lt=scope.period.ends
    )
    if isinstance(scope.service, Service):
        rows = rows.filter(contact__service=scope.service)
    elif scope.service == NO_SERVICE:
        rows = rows.filter(Q(contact__isnull=True) | Q(contact__service__isnull=True))
    if scope.channel and scope.channel != Channel.FACE_TO_FACE:
        nothing: QuerySet[VisitorTicket] = rows.none()  # a visitor is seen face to face
        return nothing
    if scope.access_point is not None:
        rows = rows.filter(access_point=scope.access_point)
    return rows


def visitors_behind(scope: Scope, access_point: str, measure: str) -> QuerySet[VisitorTicket]:
    if measure not in VISITOR_MEASURES:
        raise ValueError(measure)
    rows = visitors_in(scope).filter(VISITOR_MEASURES[measure])
    text = str(access_point)[:20]
    if text == ALL_VALUE:
        return rows
    if not text.isdigit():
        raise ValueError(text)
    return rows.filter(access_point_id=int(text))


_WAIT = ExpressionWrapper(F("seen_at") - F("arrived_at"), output_field=DurationField())


def visitors(scope: Scope) -> list[VisitorRow]:
    """One row per access point with visitors, then the row ``all``."""
    counts: dict[str, Any] = {
        "arrived": Count("id"),
        "seen": Count("id", filter=VISITOR_MEASURES["seen"]),
        "within": Count("id", filter=VISITOR_MEASURES["seen-within-15-minutes"]),
        "left": Count("id", filter=VISITOR_MEASURES["left-unseen"]),
        "waiting": Count("id", filter=VISITOR_MEASURES["waiting"]),
        "average": Avg(_WAIT, filter=VISITOR_MEASURES["seen"]),
        "longest": Max(_WAIT, filter=VISITOR_MEASURES["seen"]),
    }
    rows = visitors_in(scope)
    found: Any = rows.values("access_point_id").annotate(**counts).order_by("access_point_id")
    grouped: list[dict[str, Any]] = list(found)
    names = _names(
        AccessPoint, scope.organisation, {item["access_point_id"] for item in grouped}, "name"
    )

    def make(key: str, label: str, item: dict[str, Any]) -> VisitorRow:
        return VisitorRow(
            key,
            label,
            item["arrived"],
            item["seen"],
            item["within"],
            item["left"],
            item["waiting"],
            _duration(item["average"]),
            _duration(item["longest"]),
        )

    result = [
        make(str(item["access_point_id"]), names.get(item["access_point_id"], ""), item)
        for item in grouped
    ]
    result.append(make(ALL_VALUE, str(_("All access points")), rows.aggregate(**counts)))
    return result


def _duration(value: Any) -> datetime.timedelta | None:
    """A duration from the database (a ``timedelta``, or microseconds on some backends)."""
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=float(value))


def dimension_rows(rows: Sequence[Row], dimension: str) -> list[Row]:
    return [row for row in rows if row.dimension == dimension]

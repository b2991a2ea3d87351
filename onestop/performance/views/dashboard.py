"""The manager's dashboard (``/performance/``) and each report's own page
(``/performance/report/<name>/``).

The dashboard is a summary: the headline figures of each measure for the period, the period
before and the same period last year, and one chart of each measure with its data table; every
figure links to the records behind it.  A report's full tables are on its own page, built only
when asked for.  Every filter narrows every measure it applies to
(``queries.dashboard.APPLIES``); the page says which measures a chosen filter does not narrow.

Who: ``performance.view``; every page is audited as a report read
(``core.services.record_report_run``).  Rates are shown as percentages to one place; the files
keep their decimals."""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onestop.contacts.models import Channel
from onestop.core import dates, permissions, reporting
from onestop.core import services as core_services
from onestop.core.http import client_address, staff_user
from onestop.core.models import Organisation, User
from onestop.core.templatetags.govuk import percent
from onestop.performance import narrowed, reports_standards, reports_volumes
from onestop.performance.models import Comparator
from onestop.performance.queries import backlog as backlog_queries
from onestop.performance.queries import comparators, compliance
from onestop.performance.queries import dashboard as queries
from onestop.performance.views.charts import draw
from onestop.performance.views.standards import _filters, _form, _organisation
from onestop.telephony.queries import measures as call_measures

# Columns whose values are shares (0.9500) and are shown as percentages ("95.0%"); columns named
# "... (%)" already hold percentages.
RATE_COLUMNS = frozenset(
    {
        "compliance",
        "target",
        "first_contact_resolution",
        "percent_seen_within_15_minutes",
        "service_level",
        "abandonment_rate",
        "avoidable_share",
        "share_of_assessed",
        str(gettext_lazy("First-contact resolution")),
        str(gettext_lazy("Avoidable (share of assessed)")),
    }
)
FILTER_NAMES = {
    "service": gettext_lazy("service"),
    "team": gettext_lazy("team"),
    "channel": gettext_lazy("channel"),
    "access_point": gettext_lazy("access point"),
}
MEASURE_NAMES = {
    queries.Measure.COMPLIANCE: gettext_lazy("compliance with the standards"),
    queries.Measure.CONTACTS: gettext_lazy("contacts and first-contact resolution"),
    queries.Measure.BACKLOG: gettext_lazy("the backlog of open cases"),
    queries.Measure.TELEPHONY: gettext_lazy("telephone calls"),
}
TELEPHONY_REPORT = "telephony"  # the telephony app's report's code (``onestop report --list``)
SERVICE_ONLY = narrowed.SERVICE_ONLY
APPLIED_LINES = {
    frozenset(queries.FILTERS): gettext_lazy(
        "Service, team, channel and access point narrow this report."
    ),
    frozenset({"service", "channel", "access_point"}): gettext_lazy(
        "Service, channel and access point narrow this report."
    ),
    frozenset({"service", "team"}): gettext_lazy("Service and team narrow this report."),
    SERVICE_ONLY: gettext_lazy("Service narrows this report."),
}
# Why a filter does not narrow a report, where it can be said in a few words.
NOT_APPLIED_WHY = {
    (reports_volumes.VOLUMES, "team"): gettext_lazy("a contact belongs to no team."),
    (reports_volumes.BACKLOG, "channel"): gettext_lazy(
        "it counts cases, and a case has no channel of its own."
    ),
    (reports_volumes.BACKLOG, "access_point"): gettext_lazy(
        "it counts cases, and a case has no access point of its own."
    ),
    (TELEPHONY_REPORT, "team"): gettext_lazy(
        "it counts calls by queue; each team's calls are in the compliance report's per-team "
        "figures (the team recorded on each call)."
    ),
    (TELEPHONY_REPORT, "channel"): gettext_lazy("every call is a telephone call."),
}
# The reports whose figures the dashboard shows (for the audit record of a showing).
SHOWN_REPORTS = (
    reports_standards.CODE,
    reports_volumes.VOLUMES,
    reports_volumes.BACKLOG,
    TELEPHONY_REPORT,
)


# --- showing a table -----------------------------------------------------------------------------
def _is_rate(column: str) -> bool:
    return column in RATE_COLUMNS


def display(value: reporting.Value, column: str) -> str:
    """A cell as a page shows it: rates as percentages to one place, the rest as they are.  A
    percentage is rounded half up once, from the exact counts a ``reporting.Share`` keeps, never
    from the file's already rounded decimal."""
    if value is None:
        return ""
    if _is_rate(column) and isinstance(value, decimal.Decimal | float | int):
        return percent(value)
    if column.endswith("(%)") and isinstance(value, decimal.Decimal | float | int):
        return f"{reporting.percent_of(value, scale=1)}%"
    return str(value)


def heading(column: str) -> str:
    """A file's column name as a page's heading: ``open_not_yet_due`` is "Open not yet due"."""
    text = str(column).replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class TableCell:
    """A cell of a report's table on a page: its text, and for a figure with records behind it
    the link to them (``None`` for an empty figure: nothing to follow) and the link's context
    for those who cannot see the headings, "Offered, Trial Bins Line" (visually hidden)."""

    text: str
    url: str | None = None
    context: str = ""


def cell_context(column: str, row_label: str) -> str:
    """A figure link's accessible context: its column's heading and its row's label."""
    return ", ".join(part for part in (heading(column), row_label) if part)


def section(table: reporting.Table, index: str) -> dict[str, Any]:
    rows = []
    for position, row in enumerate(table.rows):
        links = table.links[position] if position < len(table.links) else ()
        label = display(row[0], str(table.columns[0])) if row else ""
        cells = []
        for column, value in enumerate(row):
            name = str(table.columns[column])
            text = display(value, name)
            url = links[column] if column < len(links) else None
            if not url or not text:
                cells.append(TableCell(text))
                continue
            cells.append(TableCell(text, url, cell_context(name, label if column else "")))
        rows.append(cells)
    return {
        "table": table,
        "headings": [heading(str(column)) for column in table.columns],
        "rows": rows,
        "chart": draw(table),
        "id": index,
    }


# --- the headline figures ------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None


@dataclass(frozen=True)
class Headline:
    measure: str
    label: str
    cells: list[Cell]  # this period, the period before, the same period last year
    change: str  # this period against the period before


def _count_text(value: reporting.Value) -> str:
    return "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def _change(now: reporting.Value, before: reporting.Value, *, rate: bool) -> str:
    if not isinstance(now, int | decimal.Decimal) or not isinstance(before, int | decimal.Decimal):
        return ""
    if rate:
        # From the exact shares (``reporting.Share``), rounded once.
        exact_now, exact_before = reporting.exact_of(now), reporting.exact_of(before)
        if exact_now is None or exact_before is None:
            return ""
        shown = reporting.round_half_up((exact_now - exact_before) * 100, reporting.PERCENT_PLACES)
        return _("%(sign)s%(points)s points") % {
            "sign": "+" if shown > 0 else "",
            "points": shown,
        }
    difference = int(now) - int(before)
    return f"{difference:+,}" if difference else "0"


def _headline(
    measure: str,
    label: str,
    values: Sequence[reporting.Value],
    urls: Sequence[str | None],
    *,
    rate: bool = False,
) -> Headline:
    cells = [
        Cell(percent(value) if rate else _count_text(value), url)
        for value, url in zip(values, urls, strict=True)
    ]
    return Headline(measure, label, cells, _change(values[0], values[1], rate=rate))


def _query(period: reporting.Period, **extra: object) -> str:
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    query.update({key: str(value) for key, value in extra.items() if value not in (None, "")})
    return urlencode(query)


def _contacts_url(
    organisation: Organisation,
    period: reporting.Period,
    filters: compliance.Filters,
    measure: str,
    channel: str | None = None,
) -> str:
    query = _query(
        period,
        dimension="organisation",
        value=organisation.slug,
        measure=measure,
        service=filters.service.slug if filters.service else None,
        channel=filters.channel if channel is None else channel,
        access_point=filters.access_point.pk if filters.access_point else None,
    )
    return f"{reverse('performance:records', args=['volumes'])}?{query}"


def _kind_url(
    organisation: Organisation, period: reporting.Period, filters: compliance.Filters, kind: str
) -> str:
    """The contacts of one kind of avoidable contact ("none": not assessed), the filters applied."""
    query = _query(
        period,
        dimension="avoidable",
        value=kind,
        measure="contacts",
        service=filters.service.slug if filters.service else None,
        channel=filters.channel,
        access_point=filters.access_point.pk if filters.access_point else None,
    )
    return f"{reverse('performance:records', args=['volumes'])}?{query}"


def _backlog_url(
    organisation: Organisation, day: Any, filters: compliance.Filters, figure: str
) -> str:
    query = urlencode(
        {
            "day": day.isoformat(),
            "team": str(filters.team.pk) if filters.team else "all",
            "figure": figure,
            **({"service": filters.service.slug} if filters.service else {}),
        }
    )
    return f"{reverse('performance:records', args=['backlog'])}?{query}"


def _compliance_url(period: reporting.Period, filters: compliance.Filters, figure: str) -> str:
    query = _query(
        period,
        figure=figure,
        service=filters.service.pk if filters.service else None,
        team=filters.team.pk if filters.team else None,
        channel=filters.channel,
        access_point=filters.access_point.pk if filters.access_point else None,
    )
    return f"{reverse('performance:standards-records')}?{query}"


def headlines(
    organisation: Organisation,
    periods: Sequence[reporting.Period],
    filters: compliance.Filters,
    *,
    here: str = "",
) -> tuple[list[Headline], dict[str, Any]]:
    """The headline rows, and the compliance trend and what the charts need of this period's
    figures (``here``: the dashboard's own query, which the calls lists link back to)."""
    now = timezone.now()
    rows: list[Headline] = []
    # Contacts and first-contact resolution.
    contacts = [queries.contact_figures(organisation, each, filters) for each in periods]
    for label, name, measure in (
        (_("Contacts"), "contacts", "contacts"),
        (_("Contacts from customers (inbound)"), "inbound", "inbound"),
        (_("Resolved at first contact"), "resolved", "resolved"),
        (_("Repeat contacts (chasing progress)"), "repeats", "repeats"),
        (_("Contacts assessed for avoidable contact"), "assessed", "assessed"),
        (_("Avoidable contacts"), "avoidable", "avoidable"),
    ):
        rows.append(
            _headline(
                queries.Measure.CONTACTS,
                label,
                [getattr(each, name) for each in contacts],
                [_contacts_url(organisation, each, filters, measure) for each in periods],
            )
        )
    rows.append(
        _headline(
            queries.Measure.CONTACTS,
            _("First-contact resolution"),
            [each.first_contact_resolution for each in contacts],
            [None, None, None],
            rate=True,
        )
    )
    rows.append(
        _headline(
            queries.Measure.CONTACTS,
            _("Avoidable contact (share of contacts assessed)"),
            [each.avoidable_share for each in contacts],
            [None, None, None],
            rate=True,
        )
    )
    # The backlog at each period's end.
    backlog = [queries.backlog_at(organisation, each.last, filters) for each in periods]
    rows.append(
        _headline(
            queries.Measure.BACKLOG,
            _("Open cases at the end of the period"),
            [each.open for each in backlog],
            [_backlog_url(organisation, each.last, filters, "open") for each in periods],
        )
    )
    rows.append(
        _headline(
            queries.Measure.BACKLOG,
            _("Open cases overdue at the end of the period"),
            [each.deadlines["overdue"] for each in backlog],
            [
                _backlog_url(organisation, each.last, filters, "deadline:overdue")
                for each in periods
            ],
        )
    )
    # Telephone calls.
    calls = [queries.call_figures(organisation, each, filters) for each in periods]
    telephone: tuple[tuple[str, str, str | None, bool], ...] = (
        (_("Calls offered"), "offered", call_measures.Measure.OFFERED, False),
        (_("Calls answered"), "answered", call_measures.Measure.ANSWERED, False),
        (_("Calls abandoned"), "abandoned", call_measures.Measure.ABANDONED, False),
        (_("Service level (answered within the standard)"), "service_level", None, True),
        (_("Abandonment rate"), "abandonment_rate", None, True),
    )
    for label, name, call_measure, rate in telephone:
        rows.append(
            _headline(
                queries.Measure.TELEPHONY,
                label,
                [getattr(each.total, name) for each in calls],
                [
                    None
                    if call_measure is None
                    else _calls_url(each.scope, call_measure, here=here)
                    for each in calls
                ],
                rate=rate,
            )
        )
    # Compliance with each standard, and its clocks overdue (a table of its own: one row each).
    found = [
        compliance.corporate(compliance.compliance(organisation, each, now=now, filters=filters))
        for each in periods
    ]
    trend: list[Headline] = []
    for code, row in found[0].items():
        line = _headline(
            queries.Measure.COMPLIANCE,
            row.title,
            [each[code].counts.compliance if code in each else None for each in found],
            [None, None, None],
            rate=True,
        )
        overdue = Cell(
            _count_text(row.counts.overdue),
            _compliance_url(periods[0], filters, "overdue") + f"&standard={code}",
        )
        trend.append(Headline(line.measure, line.label, [*line.cells, overdue], line.change))
    return rows, {
        "compliance": found[0],
        "trend": trend,
        "backlog": backlog[0],
        "calls": calls[0],
    }


def _calls_url(
    scope: call_measures.Scope,
    measure: str,
    *,
    queue: int | str = call_measures.ALL,
    here: str = "",
) -> str:
    """The list of the calls behind a figure (``/calls/list/``, the telephony app's page), whose
    back link comes back to this dashboard as it was (``here``: its query; a figure of the
    previous period or last year lists that period's calls, and still comes back here)."""
    query = {
        "from": scope.period.first.isoformat(),
        "to": scope.period.last.isoformat(),
        "measure": measure,
        "queue": str(queue),
        "back": "dashboard",
        "dashboard": here,
    }
    if scope.service:
        query["service"] = getattr(scope.service, "slug", str(scope.service))
    return f"{reverse('telephony:calls')}?{urlencode(query)}"


# --- the charts ----------------------------------------------------------------------------------
def charts(
    organisation: Organisation,
    period: reporting.Period,
    filters: compliance.Filters,
    figures: dict[str, Any],
    *,
    here: str = "",
) -> list[dict[str, Any]]:
    """One chart with its data table for each measure, for this period."""
    channel_names = dict(Channel.choices)
    by_channel: list[tuple[str, queries.ContactFigures]] = figures["by_channel"]
    contacts = reporting.Table(
        name="contacts",
        caption=_("Contacts by channel"),
        columns=(
            _("Channel"),
            _("Contacts"),
            _("Inbound"),
            _("First-contact resolution"),
            _("Avoidable"),
            _("Avoidable (share of assessed)"),
        ),
        rows=[
            [
                str(channel_names.get(code, _("Not recorded"))),
                counts.contacts,
                counts.inbound,
                counts.first_contact_resolution,
                counts.avoidable,
                counts.avoidable_share,
            ]
            for code, counts in by_channel
        ],
        links=[
            [
                None,
                _contacts_url(organisation, period, filters, "contacts", code or "none"),
                _contacts_url(organisation, period, filters, "inbound", code or "none"),
                None,
                _contacts_url(organisation, period, filters, "avoidable", code or "none"),
                None,
            ]
            for code, _counts in by_channel
        ],
        chart=reporting.Chart("bar", 0, (1,)),
    )
    kinds = queries.avoidable_kinds(organisation, period, filters)
    avoidable = reporting.Table(
        name="avoidable",
        caption=_("Avoidable contact by kind"),
        columns=(_("Kind"), _("Contacts"), "share_of_assessed"),
        rows=[[row.label, row.contacts, row.share] for row in kinds],
        links=[[None, _kind_url(organisation, period, filters, row.value), None] for row in kinds],
        chart=reporting.Chart("bar", 0, (1,)),
    )
    backlog: backlog_queries.BacklogRow = figures["backlog"]
    ages = reporting.Table(
        name="backlog",
        caption=_("Open cases at the end of the period, by age in days"),
        columns=(_("Age (days)"), _("Open cases")),
        rows=[[band, backlog.bands[band]] for band in backlog_queries.BANDS],
        links=[
            [None, _backlog_url(organisation, period.last, filters, f"band:{band}")]
            for band in backlog_queries.BANDS
        ],
        chart=reporting.Chart("bar", 0, (1,)),
    )
    calls: call_measures.TelephonyFigures = figures["calls"]
    queue_rows = [(queue.name, counts, queue.pk) for queue, counts in calls.queues]
    telephony = reporting.Table(
        name="telephony",
        caption=_("Telephone calls by queue"),
        columns=(_("Queue"), _("Offered"), _("Answered"), _("Abandoned"), "service_level"),
        rows=[
            [name, counts.offered, counts.answered, counts.abandoned, counts.service_level]
            for name, counts, _pk in queue_rows
        ],
        links=[
            [
                None,
                *(
                    _calls_url(calls.scope, measure, queue=pk, here=here)
                    for measure in (
                        call_measures.Measure.OFFERED,
                        call_measures.Measure.ANSWERED,
                        call_measures.Measure.ABANDONED,
                    )
                ),
                None,
            ]
            for _name, _counts, pk in queue_rows
        ],
        chart=reporting.Chart("bar", 0, (1, 2, 3)),
    )
    corporate: dict[str, compliance.ComplianceRow] = figures["compliance"]
    standards = reporting.Table(
        name="compliance",
        caption=_("Compliance against target, whole council"),
        columns=(_("Standard"), _("Compliance (%)"), _("Target (%)"), _("Measured")),
        rows=[
            [
                row.title,
                None if row.counts.compliance is None else row.counts.compliance.scaled(100),
                None if row.target is None else row.target * 100,
                row.counts.measured,
            ]
            for row in corporate.values()
        ],
        links=[
            [None, None, None, _compliance_url(period, filters, "measured") + f"&standard={code}"]
            for code in corporate
        ],
        chart=reporting.Chart("bar", 0, (1, 2)),
    )
    return [
        {"measure": measure, **section(table, f"dashboard-{table.name}")}
        for measure, table in (
            (queries.Measure.COMPLIANCE, standards),
            (queries.Measure.CONTACTS, contacts),
            (queries.Measure.CONTACTS, avoidable),
            (queries.Measure.BACKLOG, ages),
            (queries.Measure.TELEPHONY, telephony),
        )
    ]


# --- comparator authorities ----------------------------------------------------------------------
def _their_period(row: Comparator) -> str:
    """A comparator's period: "2011" for a calendar year, else its first and last days."""
    first, last = row.period_first, row.period_last
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return str(first.year)
    return _("%(first)s to %(last)s") % {
        "first": dates.govuk_date(first),
        "last": dates.govuk_date(last),
    }


def _their_value(row: Comparator) -> str:
    if row.unit == Comparator.Unit.PERCENT:
        return f"{row.value.normalize():f}%"
    return f"{int(row.value):,}" if row.value == int(row.value) else f"{row.value:,}"


def comparisons(
    organisation: Organisation,
    period: reporting.Period,
    filters: compliance.Filters,
    by_channel: Sequence[tuple[str, queries.ContactFigures]],
) -> list[dict[str, Any]]:
    """Other authorities' figures, entered as data: those matching a channel beside the
    council's contacts from customers on it this period, the rest in a table of their own with
    their measure named (``queries.comparators``).  Tables only (no chart: the periods differ)."""
    channel_names = dict(Channel.choices)
    inbound = {code: counts.inbound for code, counts in by_channel}
    # Narrowed to a channel, only that channel's contacts are counted: only its comparators.
    beside = [
        (code, row)
        for code, row in comparators.by_channel(organisation)
        if not filters.channel or code == filters.channel
    ]
    channels = reporting.Table(
        name="comparators-channels",
        caption=_(
            "Contacts from customers by channel this period, beside other authorities' "
            "published figures"
        ),
        columns=(
            _("Channel"),
            _("This council, this period"),
            _("Authority"),
            _("Their figure"),
            _("Their period"),
            _("Source"),
        ),
        rows=[
            [
                str(channel_names[code]),
                f"{inbound.get(code, 0):,}",
                row.comparator,
                _their_value(row),
                _their_period(row),
                row.source,
            ]
            for code, row in beside
        ],
        links=[
            [None, _contacts_url(organisation, period, filters, "inbound", code), None, None]
            for code, _row in beside
        ],
    )
    others = list(comparators.unmatched(organisation))
    rest = reporting.Table(
        name="comparators-other",
        caption=_("Other authorities' published figures with no measure of this council's own"),
        columns=(_("Measure"), _("Authority"), _("Their figure"), _("Their period"), _("Source")),
        rows=[
            [
                comparators.measure_name(row.measure),
                row.comparator,
                _their_value(row),
                _their_period(row),
                row.source,
            ]
            for row in others
        ],
    )
    return [section(table, f"dashboard-{table.name}") for table in (channels, rest) if table.rows]


def _not_applied_lines(filters: compliance.Filters) -> list[str]:
    return [
        _("The %(filters)s filter does not narrow %(measure)s.")
        % {
            "filters": _(" and ").join(str(FILTER_NAMES[name]) for name in names),
            "measure": MEASURE_NAMES[measure],
        }
        for measure, names in queries.not_applied(filters).items()
    ]


def _applied_line(applied: frozenset[str]) -> str:
    """Which filters narrow a report, in words."""
    return str(APPLIED_LINES.get(applied, APPLIED_LINES[SERVICE_ONLY]))


def _report_not_applied(
    code: str, filters: compliance.Filters, applied: frozenset[str]
) -> list[str]:
    """One line per filter chosen that does not narrow the report (and why, where known)."""
    chosen = {
        "service": filters.service is not None,
        "team": filters.team is not None,
        "channel": bool(filters.channel),
        "access_point": filters.access_point is not None,
    }
    lines = []
    for name in queries.FILTERS:
        if not chosen[name] or name in applied:
            continue
        why = NOT_APPLIED_WHY.get((code, name))
        if why is None:
            lines.append(
                _("The %(filter)s filter does not narrow this report.")
                % {"filter": FILTER_NAMES[name]}
            )
        else:
            lines.append(
                _("The %(filter)s filter does not narrow this report: %(why)s")
                % {"filter": FILTER_NAMES[name], "why": why}
            )
    return lines


def _audit(
    request: HttpRequest, user: User, organisation: Organisation, period: reporting.Period
) -> None:
    reports = reporting.registered_reports()
    for code in SHOWN_REPORTS:
        definition = reports.get(code)
        if definition is None:  # pragma: no cover - each registers itself in its ready()
            continue
        output = reporting.ReportOutput(
            code=code,
            title=str(definition.title),
            request=reporting.ReportRequest(organisation, period, "", by=user),
            tables=(),
        )
        core_services.record_report_run(definition, output, ip_address=client_address(request))


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organisation = _organisation(user, permissions.PERFORMANCE_VIEW)
    form = _form(request, organisation)
    context: dict[str, Any] = {"form": form}
    if not form.is_valid():
        return render(request, "performance/dashboard.html", context)
    period = form.period()
    filters = _filters(form, organisation)
    periods = [period, reporting.previous(period), reporting.same_period_last_year(period)]
    query = request.GET.urlencode()
    rows, figures = headlines(organisation, periods, filters, here=query)
    figures["by_channel"] = queries.contacts_by_channel(organisation, period, filters)
    _audit(request, user, organisation, period)
    context.update(
        {
            "period": period,
            "previous": periods[1],
            "last_year": periods[2],
            "headlines": rows,
            "trend": figures["trend"],
            "charts": charts(organisation, period, filters, figures, here=query),
            "not_applied": _not_applied_lines(filters),
            "reports": [
                {
                    "code": code,
                    "title": definition.title,
                    "url": f"{reverse('performance:report', args=[code])}?{query}",
                }
                for code, definition in reporting.registered_reports().items()
            ],
            "comparisons": comparisons(organisation, period, filters, figures["by_channel"]),
            "comparators_url": reverse("performance:comparators"),
        }
    )
    return render(request, "performance/dashboard.html", context)


@require_GET
def report(request: HttpRequest, code: str) -> HttpResponse:
    """One registered report's full tables for the period (and its files to download)."""
    user = staff_user(request)
    organisation = _organisation(user, permissions.PERFORMANCE_VIEW)
    definition = reporting.registered_reports().get(str(code))
    if definition is None:
        raise Http404
    form = _form(request, organisation)
    applied = narrowed.applied(definition.code)
    context: dict[str, Any] = {
        "form": form,
        "code": definition.code,
        "title": definition.title,
        # Only the filters that narrow this report are offered (a team filter on the telephony
        # report would change no figure); one chosen elsewhere is said not to narrow it.
        "offered": sorted(applied),
    }
    if not form.is_valid():
        return render(request, "performance/report.html", context)
    period = form.period()
    filters = _filters(form, organisation)
    service = filters.service.slug if filters.service else ""
    request_for = reporting.ReportRequest(organisation, period, service, by=user)
    try:
        output = narrowed.build(definition, request_for, filters, links=True)
    except reporting.ReportError as error:
        context["error"] = str(error)
        return render(request, "performance/report.html", context, status=400)
    core_services.record_report_run(definition, output, ip_address=client_address(request))
    files = urlencode(
        {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "service": service,
            **{
                name: value
                for name, value in (
                    ("team", str(filters.team.pk) if filters.team else ""),
                    ("channel", filters.channel),
                    ("access_point", str(filters.access_point.pk) if filters.access_point else ""),
                )
                if value and name in applied
            },
        }
    )
    context.update(
        {
            "period": period,
            "dashboard_url": f"{reverse('performance:dashboard')}?{request.GET.urlencode()}",
            "sections": [
                section(table, f"{definition.code}-{index}")
                for index, table in enumerate(output.tables)
            ],
            "files": [
                (
                    file_format.upper(),
                    f"{reverse('performance:download', args=[definition.code])}?{files}"
                    f"&format={file_format}",
                )
                for file_format in definition.formats
            ],
            "applied": _applied_line(applied),
            "not_applied": _report_not_applied(definition.code, filters, applied),
        }
    )
    if definition.code == reports_volumes.VOLUMES:
        # The comparator authorities' volumes beside the council's, as on the dashboard.
        by_channel = queries.contacts_by_channel(organisation, period, filters)
        context["comparisons"] = comparisons(organisation, period, filters, by_channel)
        context["comparators_url"] = reverse("performance:comparators")
    return render(request, "performance/report.html", context)

"""The complaint reports' figures: every number is the count of a set of records an auditor can
list (``records``), so the page, the files, the command and the drill-down list agree.

Three reports, each over a period (first and last day, inclusive, in Europe/London) and optionally
one service (``Feedback.service``):

- ``complaints-monthly``: the monthly complaint analysis (Northampton, ``003`` question 10):
  volumes by service, cause, stage, timeliness and outcome, and the lessons learnt and changes
  made;
- ``feedback-quarterly``: the per-service quarterly return of comments, compliments and
  complaints (Rossendale, ``004`` 3.5), with complaints about unequal and about impolite treatment
  counted separately, and the actions and changes made;
- ``complaints-annual``: the annual complaints performance report and self-assessment of the
  Complaint Handling Code (section 8.1): per stage, received, answered, answered within the
  timescale, extended, upheld, partly upheld and not upheld; complaints not accepted (closed as
  outside the procedure) by route; the ombudsman's figures; and the procedure checked against the
  Code's timescales.

A figure is a ``Measure`` (a code such as ``stage-in-time:1``) applied to a ``ReportScope``; its
records are a queryset of ``Feedback`` within the organisation, *not* narrowed by who is looking:
complaints about a named member of staff are counted for everyone who may read reports, and
listed only to those ``feedback_for`` lets see them (``drill_down``).

**Joining other parts of the procedure** (learning actions, the ombudsman): a part that records
them registers a ``ReportSource`` with ``register_report_source`` from its ``AppConfig.ready``;
each source is a figure (the complaints it counts, as a queryset) shown in the reports it names,
in the monthly report's "Lessons learnt and changes made" table, the quarterly return's columns,
or the annual report's "The ombudsman" table.  Nothing is shown for a part that has not
registered one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.core import reporting
from onestop.core.models import Organisation, User
from onestop.directory import queries as directory_queries
from onestop.directory.models import Service
from onestop.feedback import procedures
from onestop.feedback.models import (
    About,
    AlternativeRoute,
    ClockFrom,
    ClosedAs,
    ComplaintStage,
    Feedback,
    Kind,
    PointOutcome,
    Preset,
)
from onestop.feedback.queries import feedback_for, procedure_of

LONDON = reporting.LONDON
NO_SERVICE = directory_queries.NO_SERVICE
MAX_PERIOD_DAYS = reporting.MAX_PERIOD_DAYS


class ReportCode:
    MONTHLY = "complaints-monthly"
    QUARTERLY = "feedback-quarterly"
    ANNUAL = "complaints-annual"


REPORTS: dict[str, Promise] = {
    ReportCode.MONTHLY: _("Monthly complaint analysis"),
    ReportCode.QUARTERLY: _("Quarterly return of comments, compliments and complaints"),
    ReportCode.ANNUAL: _("Annual complaints performance report and self-assessment"),
}


class Section:
    """Where a registered source's figure appears."""

    LEARNING = "learning"  # lessons learnt and changes made (monthly table, quarterly columns)
    OMBUDSMAN = "ombudsman"  # the annual report's ombudsman table


# --- the period and the scope --------------------------------------------------------------------
# The period and its parsing are every report's (``core.reporting``); named here as before.
Period = reporting.Period
PeriodError = reporting.PeriodError
parse_date = reporting.parse_date
make_period = reporting.make_period


def last_month(today: datetime.date) -> Period:
    """The calendar month before ``today``'s (the monthly report's default)."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return Period(end.replace(day=1), end)


def default_period(report: str, today: datetime.date) -> Period:
    if report == ReportCode.MONTHLY:
        return last_month(today)
    if report == ReportCode.QUARTERLY:
        quarter_start_month = ((today.month - 1) // 3) * 3 + 1
        start = today.replace(month=quarter_start_month, day=1)
        end = start - datetime.timedelta(days=1)
        first_month = ((end.month - 1) // 3) * 3 + 1
        return Period(end.replace(month=first_month, day=1), end)
    # The last complete financial year (1 April to 31 March).
    year = today.year - 1 if today.month >= 4 else today.year - 2
    return Period(datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31))


@dataclass(frozen=True)
class ReportScope:
    organisation: Organisation
    period: Period
    # A service, or ``NO_SERVICE`` for records of no service, or ``None`` for all.
    service: Service | str | None = None

    def with_service(self, service: Service | str | None) -> ReportScope:
        return replace(self, service=service)

    @property
    def service_param(self) -> str:
        """The service as the filters and the command name it (its slug)."""
        if self.service is None:
            return ""
        if isinstance(self.service, Service):
            return self.service.slug
        return NO_SERVICE


# A filter's service, named by slug or LGSL number (``directory.queries.service_named``).
service_for = directory_queries.service_named


# --- the records behind each figure -------------------------------------------------------------
def _feedback(scope: ReportScope) -> QuerySet[Feedback]:
    rows = Feedback.objects.for_organisation(scope.organisation)
    if isinstance(scope.service, Service):
        rows = rows.filter(service=scope.service)
    elif scope.service == NO_SERVICE:
        rows = rows.filter(service__isnull=True)
    return rows


def _received(scope: ReportScope) -> QuerySet[Feedback]:
    period = scope.period
    return _feedback(scope).filter(received_at__gte=period.starts, received_at__lt=period.ends)


def _complaints_received(scope: ReportScope) -> QuerySet[Feedback]:
    return _received(scope).filter(kind=Kind.COMPLAINT)


def _stages(scope: ReportScope, number: int) -> QuerySet[ComplaintStage]:
    return ComplaintStage.objects.for_organisation(scope.organisation).filter(
        stage=number, feedback__in=_feedback(scope).filter(kind=Kind.COMPLAINT).values("pk")
    )


def _with_stages(scope: ReportScope, stages: QuerySet[ComplaintStage]) -> QuerySet[Feedback]:
    return _feedback(scope).filter(pk__in=stages.values("feedback_id"))


def _in_period(
    stages: QuerySet[ComplaintStage], name: str, period: Period
) -> QuerySet[ComplaintStage]:
    found: QuerySet[ComplaintStage] = stages.filter(
        **{f"{name}__gte": period.starts, f"{name}__lt": period.ends}
    )
    return found


def _answered(scope: ReportScope, number: int) -> QuerySet[ComplaintStage]:
    return _in_period(_stages(scope, number), "responded_at", scope.period)


def _in_time(stages: QuerySet[ComplaintStage]) -> QuerySet[ComplaintStage]:
    # The deadline in force (``ComplaintStage.due_at``): the extended one, else the response
    # deadline, else (answered before the clock that sets it started) the acknowledgement's.
    return stages.annotate(
        deadline=Coalesce("extended_due_at", "response_due_at", "ack_due_at")
    ).filter(responded_at__lte=F("deadline"))


def stage_outcome(point_outcomes: Sequence[dict[str, Any]]) -> str:
    """A stage's outcome from its points: upheld when every point was upheld, not upheld when
    none was upheld even in part, otherwise partly upheld."""
    outcomes = {str(item.get("outcome", "")) for item in point_outcomes}
    if outcomes == {PointOutcome.UPHELD.value}:
        return PointOutcome.UPHELD
    if outcomes == {PointOutcome.NOT_UPHELD.value}:
        return PointOutcome.NOT_UPHELD
    return PointOutcome.PARTLY_UPHELD


def _with_outcome(scope: ReportScope, number: int, outcome: str) -> QuerySet[Feedback]:
    ids = [
        feedback_id
        for feedback_id, points in _answered(scope, number).values_list(
            "feedback_id", "point_outcomes"
        )
        if stage_outcome(points or []) == outcome
    ]
    return _feedback(scope).filter(pk__in=ids)


# --- JOIN POINT: learning actions ("lessons learnt and changes made") and the ombudsman --------
# The parts that record them call ``register_report_source`` from their ``AppConfig.ready``; the
# figure then appears in the reports its ``section`` names, links to its records and goes into
# the files, with no other change here.
@dataclass(frozen=True)
class ReportSource:
    """A figure another part of the procedure adds to the reports (see the module's docstring):
    ``records(scope)`` is the complaints it counts, within ``scope.organisation`` and, through
    ``Feedback.service``, ``scope.service``."""

    code: str
    label: Promise | str
    definition: Promise | str
    section: str
    records: Callable[[ReportScope], QuerySet[Feedback]]


_SOURCES: dict[str, ReportSource] = {}


def register_report_source(source: ReportSource) -> None:
    """Add a figure to the reports (call it from ``AppConfig.ready``; registering the same code
    again replaces it)."""
    if not source.code or ":" in source.code:
        raise ValueError("A report source needs a code without a colon.")
    _SOURCES[source.code] = source


def unregister_report_source(code: str) -> None:
    _SOURCES.pop(code, None)


def report_sources(section: str) -> list[ReportSource]:
    return [source for source in _SOURCES.values() if source.section == section]


def _source(scope: ReportScope, code: str) -> QuerySet[Feedback]:
    source = _SOURCES.get(code)
    if source is None:
        raise LookupError(code)
    return _feedback(scope).filter(pk__in=source.records(scope).values("pk"))


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 2:
        raise LookupError(text)
    return int(text)


def records(scope: ReportScope, measure: str) -> QuerySet[Feedback]:
    """The records a figure counts: ``measure`` is ``name[:argument[:argument]]``; raises
    ``LookupError`` for a measure that does not exist."""
    name, _sep, rest = str(measure)[:80].partition(":")
    arguments = rest.split(":") if rest else []
    if name == "received" and len(arguments) == 1 and arguments[0] in Kind.values:
        return _received(scope).filter(kind=arguments[0])
    if name == "cause" and len(arguments) == 1 and arguments[0] in About.values:
        return _complaints_received(scope).filter(about=arguments[0])
    if name == "unequal" and not arguments:
        return _complaints_received(scope).filter(unequal_treatment=True)
    if name == "impolite" and not arguments:
        return _complaints_received(scope).filter(impolite_treatment=True)
    if name == "outside" and len(arguments) == 1 and arguments[0] in AlternativeRoute.values:
        period = scope.period
        return _feedback(scope).filter(
            kind=Kind.COMPLAINT,
            closed_as=ClosedAs.OUTSIDE,
            alternative_route=arguments[0],
            closed_at__gte=period.starts,
            closed_at__lt=period.ends,
        )
    if name == "source" and len(arguments) == 1:
        return _source(scope, arguments[0])
    if name.startswith("stage-") and arguments:
        number = _number(arguments[0])
        if name == "stage-received" and len(arguments) == 1:
            stages = _in_period(_stages(scope, number), "opened_at", scope.period)
            return _with_stages(scope, stages)
        if name == "stage-answered" and len(arguments) == 1:
            return _with_stages(scope, _answered(scope, number))
        if name == "stage-in-time" and len(arguments) == 1:
            return _with_stages(scope, _in_time(_answered(scope, number)))
        if name == "stage-late" and len(arguments) == 1:
            answered = _answered(scope, number)
            late = answered.exclude(pk__in=_in_time(answered).values("pk"))
            return _with_stages(scope, late)
        if name == "stage-extended" and len(arguments) == 1:
            stages = _in_period(_stages(scope, number), "extended_at", scope.period)
            return _with_stages(scope, stages)
        if name == "stage-outcome" and len(arguments) == 2 and arguments[1] in PointOutcome.values:
            return _with_outcome(scope, number, arguments[1])
    raise LookupError(measure)


def count(scope: ReportScope, measure: str) -> int:
    return records(scope, measure).count()


def _counts_by_service(scope: ReportScope, measure: str) -> dict[int | None, int]:
    """The figure for every service at once (one query): service id (``None``: no service)."""
    rows = records(scope.with_service(None), measure)
    return dict(
        rows.order_by().values_list("service_id").annotate(total=Count("pk", distinct=True))
    )


# --- the drill-down list -------------------------------------------------------------------------
@dataclass(frozen=True)
class DrillDown:
    rows: list[Feedback]
    counted: int  # the figure
    listed: int  # how many of them this viewer may see (the rows)

    @property
    def not_listed(self) -> int:
        return self.counted - self.listed


def drill_down(user: User, scope: ReportScope, measure: str, limit: int = 1000) -> DrillDown:
    """The records behind a figure that ``user`` may see, with the figure itself: complaints
    about a named member of staff are counted for everyone and listed only as ``feedback_for``
    allows."""
    everything = records(scope, measure)
    visible = everything.filter(pk__in=feedback_for(user).values("pk"))
    rows = list(visible.select_related("service").order_by("-received_at", "id")[:limit])
    return DrillDown(rows=rows, counted=everything.count(), listed=visible.count())


# --- the tables ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    value: int | str
    measure: str = ""  # a count's measure (links to its records); empty for text
    service: str = ""  # the service the figure is narrowed to (the drill-down's ``service``)


@dataclass(frozen=True)
class Table:
    code: str
    caption: str
    headers: list[str]
    rows: list[tuple[str, list[Cell]]]
    definitions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    code: str
    title: str
    scope: ReportScope
    tables: list[Table]


def _service_rows(scope: ReportScope) -> list[tuple[str, Service | str]]:
    """The services a per-service table has rows for: the chosen one, or every service of the
    organisation, then records of no service."""
    if scope.service is not None:
        label = scope.service.name if isinstance(scope.service, Service) else str(_("No service"))
        return [(label, scope.service)]
    services: list[tuple[str, Service | str]] = [
        (service.name, service)
        for service in Service.objects.for_organisation(scope.organisation).order_by("name", "pk")
    ]
    return [*services, (str(_("No service recorded")), NO_SERVICE)]


def _per_service_table(
    scope: ReportScope,
    code: str,
    caption: str,
    columns: Sequence[tuple[str, str]],
    definitions: list[str],
) -> Table:
    counts = {measure: _counts_by_service(scope, measure) for _label, measure in columns}
    rows: list[tuple[str, list[Cell]]] = []
    totals = [0 for _column in columns]
    for label, service in _service_rows(scope):
        key = service.pk if isinstance(service, Service) else None
        param = scope.with_service(service).service_param
        cells = []
        for index, (_label, measure) in enumerate(columns):
            value = counts[measure].get(key, 0)
            totals[index] += value
            cells.append(Cell(value, measure, param))
        rows.append((label, cells))
    rows.append(
        (
            str(_("All services")) if scope.service is None else str(_("Total")),
            [
                Cell(total, measure, scope.service_param)
                for total, (_label, measure) in zip(totals, columns, strict=True)
            ],
        )
    )
    return Table(code, caption, [label for label, _measure in columns], rows, definitions)


def _rows_table(
    scope: ReportScope,
    code: str,
    caption: str,
    header: str,
    rows: Iterable[tuple[str, str]],
    definitions: list[str],
) -> Table:
    param = scope.service_param
    return Table(
        code,
        caption,
        [header],
        [(label, [Cell(count(scope, measure), measure, param)]) for label, measure in rows],
        definitions,
    )


def stage_numbers(scope: ReportScope) -> list[tuple[int, str]]:
    """The stages a report has rows for: the procedure's, and any other a complaint of the
    organisation reached (under a procedure it followed before)."""
    labels = {rule.stage: rule.label for rule in procedure_of(scope.organisation).stages}
    found = set(
        ComplaintStage.objects.for_organisation(scope.organisation)
        .order_by()
        .values_list("stage", flat=True)
        .distinct()
    )
    return [
        (number, labels.get(number) or str(_("stage %(number)s") % {"number": number}))
        for number in sorted(set(labels) | found)
    ]


def _stage_table(
    scope: ReportScope,
    code: str,
    caption: str,
    columns: Sequence[tuple[Promise, str]],
    definitions: Sequence[Promise],
) -> Table:
    """A row per stage; each column's measure has ``{stage}`` where the stage's number goes."""
    param = scope.service_param
    rows = []
    for number, label in stage_numbers(scope):
        cells = []
        for _header, template in columns:
            measure = template.format(stage=number)
            cells.append(Cell(count(scope, measure), measure, param))
        rows.append((label[:1].upper() + label[1:], cells))
    return Table(
        code,
        caption,
        [str(header) for header, _measure in columns],
        rows,
        [str(text) for text in definitions],
    )


def _sources_table(scope: ReportScope, section: str, code: str, caption: str) -> Table | None:
    sources = report_sources(section)
    if not sources:
        return None
    param = scope.service_param
    rows = []
    for source in sources:
        measure = f"source:{source.code}"
        rows.append((str(source.label), [Cell(count(scope, measure), measure, param)]))
    return Table(code, caption, [str(_("Complaints"))], rows, [str(s.definition) for s in sources])


DEFINE_RECEIVED = _(
    "Received: recorded as received (the date the customer made it, whatever the route) "
    "between the first and last day of the period, both included (UK time)."
)
DEFINE_SERVICE = _(
    "Service: the service the record is about; a complaint about several services is counted "
    "once, under the service it was recorded against. \u201cNo service recorded\u201d: about "
    "a member of staff or treatment without a service."
)
DEFINE_STAGE_RECEIVED = _(
    "Received at a stage: the stage opened in the period (a new complaint opens the first "
    "stage; an escalation opens the next)."
)
DEFINE_IN_TIME = _(
    "Answered within the timescale: the stage\u2019s answer was sent on or before the deadline "
    "in force, the extended deadline where it was extended (a stage answered before the clock "
    "that sets its deadline started is held to its acknowledgement deadline). Deadlines come "
    "from the council\u2019s calendar in working days (bank holidays and closure days do not "
    "count), counted from receipt or from the acknowledgement as the procedure says. Answered "
    "late: answered in the period after that deadline."
)
DEFINE_EXTENDED = _("Extended: the stage\u2019s deadline was extended in the period.")
DEFINE_OUTCOME = _(
    "Outcome of each stage answered in the period: upheld when every point of complaint was "
    "upheld, not upheld when no point was upheld even in part, otherwise partly upheld."
)
DEFINE_CAUSE = _(
    "Cause: what the complaint was about as recorded (a service, a named member of staff, how "
    "the customer was treated). Unequal and impolite treatment are flags on a complaint, so a "
    "complaint may be counted in one of the first three rows and in either or both of the last."
)
DEFINE_STAFF = _(
    "Complaints about a named member of staff are counted in every figure; the list behind a "
    "figure shows them only to complaints officers and that person\u2019s managers."
)
DEFINE_OUTSIDE = _(
    "Not accepted: complaints closed in the period as outside the complaints procedure, by the "
    "route the customer was pointed to instead."
)
DEFINE_QUARTERLY = _(
    "Unequal treatment and impolite treatment: complaints received in the period with that "
    "flag (also counted under Complaints)."
)

KINDS: list[tuple[Promise, str]] = [
    (_("Complaints"), f"received:{Kind.COMPLAINT.value}"),
    (_("Comments"), f"received:{Kind.COMMENT.value}"),
    (_("Compliments"), f"received:{Kind.COMPLIMENT.value}"),
    (_("Suggestions"), f"received:{Kind.SUGGESTION.value}"),
]
CAUSES: list[tuple[Promise, str]] = [
    (_("About a service"), f"cause:{About.SERVICE.value}"),
    (_("About a named member of staff"), f"cause:{About.STAFF.value}"),
    (_("About how the customer was treated"), f"cause:{About.TREATMENT.value}"),
    (_("Unequal treatment"), "unequal"),
    (_("Impolite treatment"), "impolite"),
]
TIMELINESS: list[tuple[Promise, str]] = [
    (_("Received"), "stage-received:{stage}"),
    (_("Answered"), "stage-answered:{stage}"),
    (_("Answered within the timescale"), "stage-in-time:{stage}"),
    (_("Answered late"), "stage-late:{stage}"),
    (_("Extended"), "stage-extended:{stage}"),
]
OUTCOMES: list[tuple[Promise, str]] = [
    (_("Upheld"), "stage-outcome:{stage}:" + PointOutcome.UPHELD.value),
    (_("Partly upheld"), "stage-outcome:{stage}:" + PointOutcome.PARTLY_UPHELD.value),
    (_("Not upheld"), "stage-outcome:{stage}:" + PointOutcome.NOT_UPHELD.value),
]


def _labelled(columns: Sequence[tuple[Promise, str]]) -> list[tuple[str, str]]:
    return [(str(label), measure) for label, measure in columns]


def monthly(scope: ReportScope) -> Report:
    tables = [
        _per_service_table(
            scope,
            "volumes",
            str(_("Received, by service")),
            _labelled(KINDS),
            [str(DEFINE_RECEIVED), str(DEFINE_SERVICE)],
        ),
        _rows_table(
            scope,
            "causes",
            str(_("Complaints received, by cause")),
            str(_("Complaints")),
            _labelled(CAUSES),
            [str(DEFINE_CAUSE), str(DEFINE_STAFF)],
        ),
        _stage_table(
            scope,
            "timeliness",
            str(_("Complaints by stage and timeliness")),
            TIMELINESS,
            [DEFINE_STAGE_RECEIVED, DEFINE_IN_TIME, DEFINE_EXTENDED],
        ),
        _stage_table(
            scope, "outcomes", str(_("Outcomes of the stages answered")), OUTCOMES, [DEFINE_OUTCOME]
        ),
    ]
    learning = _sources_table(
        scope, Section.LEARNING, "learning", str(_("Lessons learnt and changes made"))
    )
    if learning is not None:
        tables.append(learning)
    return Report(ReportCode.MONTHLY, str(REPORTS[ReportCode.MONTHLY]), scope, tables)


def quarterly(scope: ReportScope) -> Report:
    columns = [
        *_labelled(KINDS[:3]),
        (str(_("Complaints about unequal treatment")), "unequal"),
        (str(_("Complaints about impolite treatment")), "impolite"),
        *_labelled(KINDS[3:]),
        *[
            (str(source.label), f"source:{source.code}")
            for source in report_sources(Section.LEARNING)
        ],
    ]
    definitions = [str(DEFINE_RECEIVED), str(DEFINE_SERVICE), str(DEFINE_QUARTERLY)]
    definitions += [str(source.definition) for source in report_sources(Section.LEARNING)]
    definitions.append(str(DEFINE_STAFF))
    tables = [
        _per_service_table(
            scope,
            "return",
            str(_("Comments, compliments and complaints, by service")),
            columns,
            definitions,
        )
    ]
    return Report(ReportCode.QUARTERLY, str(REPORTS[ReportCode.QUARTERLY]), scope, tables)


def annual(scope: ReportScope) -> Report:
    columns = [*TIMELINESS[:3], TIMELINESS[4], *OUTCOMES]
    tables = [
        _stage_table(
            scope,
            "stages",
            str(_("Complaints at each stage")),
            columns,
            [DEFINE_STAGE_RECEIVED, DEFINE_IN_TIME, DEFINE_EXTENDED, DEFINE_OUTCOME, DEFINE_STAFF],
        ),
        _rows_table(
            scope,
            "not-accepted",
            str(_("Complaints not accepted under the procedure, by route")),
            str(_("Complaints")),
            [(str(label), f"outside:{value}") for value, label in AlternativeRoute.choices],
            [str(DEFINE_OUTSIDE)],
        ),
    ]
    ombudsman = _sources_table(scope, Section.OMBUDSMAN, "ombudsman", str(_("The ombudsman")))
    if ombudsman is not None:
        tables.append(ombudsman)
    learning = _sources_table(
        scope, Section.LEARNING, "learning", str(_("Service improvements from complaints"))
    )
    if learning is not None:
        tables.append(learning)
    tables.append(self_assessment(scope.organisation))
    return Report(ReportCode.ANNUAL, str(REPORTS[ReportCode.ANNUAL]), scope, tables)


# --- the self-assessment against the Complaint Handling Code -----------------------------------
def _describe(rule: procedures.StageRule | None, part: str) -> str:
    if rule is None:
        return str(_("No such stage"))
    if part == "acknowledge":
        if rule.acknowledge_days is None:
            return str(_("No separate acknowledgement"))
        return str(_("%(days)s working days") % {"days": rule.acknowledge_days})
    if part == "answer":
        start = (
            _("of the acknowledgement")
            if rule.response_from == ClockFrom.ACKNOWLEDGEMENT
            else _("of receipt")
        )
        return str(
            _("%(days)s working days %(start)s") % {"days": rule.response_days, "start": start}
        )
    return str(_("at most %(days)s working days") % {"days": rule.extension_days})


def _meets(ours: procedures.StageRule | None, code: procedures.StageRule, part: str) -> bool:
    if ours is None:
        return False
    if part == "acknowledge":
        return ours.acknowledge_days is not None and ours.acknowledge_days <= (
            code.acknowledge_days or 0
        )
    if part == "answer":
        # Counted from receipt is never later than counted from the acknowledgement.
        return ours.response_days <= code.response_days
    return ours.extension_days <= code.extension_days


def self_assessment(organisation: Organisation) -> Table:
    """The organisation's procedure against the Code's timescales (section 8.1's self-assessment):
    a row per requirement, what the procedure says, and whether it meets it."""
    procedure = procedure_of(organisation)
    ours = {rule.stage: rule for rule in procedure.stages}
    yes, no = str(_("Yes")), str(_("No"))
    first = min(ours) if ours else None
    rows: list[tuple[str, list[Cell]]] = [
        (
            str(_("No informal stage before stage 1")),
            [
                Cell(
                    str(ours[first].label)
                    if first is not None and first < 1
                    else str(_("Stage 1 is the first stage"))
                ),
                Cell(no if first is not None and first < 1 else yes),
            ],
        )
    ]
    for code_rule in procedures.stages_of(Preset.CODE):
        mine = ours.get(code_rule.stage)
        for part, requirement in (
            ("acknowledge", _("%(stage)s: acknowledged within %(days)s working days")),
            (
                "answer",
                _("%(stage)s: answered within %(days)s working days of the acknowledgement"),
            ),
            ("extend", _("%(stage)s: an extension of at most %(days)s working days")),
        ):
            days = {
                "acknowledge": code_rule.acknowledge_days,
                "answer": code_rule.response_days,
                "extend": code_rule.extension_days,
            }[part]
            label = str(requirement) % {"stage": code_rule.label.capitalize(), "days": days}
            rows.append(
                (
                    label,
                    [
                        Cell(_describe(mine, part)),
                        Cell(yes if _meets(mine, code_rule, part) else no),
                    ],
                )
            )
    return Table(
        "self-assessment",
        str(_("Self-assessment against the Complaint Handling Code\u2019s timescales")),
        [str(_("Our procedure")), str(_("Meets the Code"))],
        rows,
        [
            str(
                _(
                    "The procedure the council follows now (%(preset)s), against the timescales "
                    "of the Complaint Handling Code of the Local Government and Social Care "
                    "Ombudsman and the Housing Ombudsman. The Code also asks for the "
                    "ombudsman\u2019s annual letter and the council\u2019s own narrative, which "
                    "are published beside this report."
                )
                % {"preset": Preset(procedure.preset).label}
            )
        ],
    )


BUILDERS: dict[str, Callable[[ReportScope], Report]] = {
    ReportCode.MONTHLY: monthly,
    ReportCode.QUARTERLY: quarterly,
    ReportCode.ANNUAL: annual,
}


def build(report: str, scope: ReportScope) -> Report:
    """The report ``report`` (a ``ReportCode``) for ``scope``; ``KeyError`` for an unknown one."""
    return BUILDERS[report](scope)

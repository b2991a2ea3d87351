"""Benchmark: a team's work queue page and the escalation sweep's scan, against hand-written SQL.

Builds a throwaway database (``var/bench-queues.sqlite3``, or the PostgreSQL database
``onestop_bench_queues`` on the local socket, created if missing; ``--database-name`` or
``ONESTOP_BENCH_QUEUES_DB`` names another) with N cases over T teams, kept between runs
(``--rebuild`` builds again; ``--generate-only`` builds and stops), then times:

* ``queue_page``: the first 50 open cases of a team by deadline with the queue's counts, through
  ``cases.queries.queue_for`` (ours) and as two hand-written SQL statements (baseline); p95 over
  many teams.
* ``queue_page_audited``: the same, with the audit record the page writes for every read
  (``core.audit.record_list_read``: the filters and the 50 references, one INSERT into the chain),
  timed in the same rounds, so the two lines are the page's read before and after its audit.
* ``queue_html_page``: the same page as a browser gets it (a signed-in GET of ``/queues/``
  through every middleware, the view and its template), against the same two statements,
  with the CPU time the page costs this process (what a shared machine's load inflates least);
  it also prints the statements one page sends (``BEGIN`` and ``COMMIT`` included);
  ``--profile`` then lists them and prints where 100 of its pages spend their time
  (cProfile); ``--html-only`` times this line alone.
* ``escalation_scan``: finding every open case whose next escalation time has passed, as the
  sweep does (ours, the ORM per organisation) and as one hand-written statement (baseline).
* ``escalation_sweep``: the whole sweep (calendar check, then every threshold due at the
  benchmark's moment: escalation rows, timeline events, notices, audit, next times), rolled back
  afterwards so the data stays as built; printed with the scan's baseline for scale.  The
  moment is just after a working day's end, when that day's thresholds fall due: a few percent
  of the cases (see ``_build``).

Scales: ``small`` 20,000 cases over 20 teams (under a minute), ``full`` 2,000,000 over 200 (the
issue's scale).  Run: ``.venv/bin/python bench/queues.py --scale small --database postgresql``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)
from bench.audit_sql import append_list_read_by_hand  # noqa: E402

SCALES = {"small": (20_000, 20), "full": (2_000_000, 200)}
PAGE = 50
BATCH = 5_000


def _configure(database: str, name: str) -> None:
    configure(database, name, "bench-queues.sqlite3")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def timed(run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return (time.perf_counter() - began) * 1000


def sweep_moment(calendar: Any) -> datetime:
    """The benchmark's sweep: one minute after the end of the next working day, when that day's
    working-day thresholds (all at 23:59:59 local) have just fallen due.  The previous sweep ran
    five minutes earlier, so only cases with a threshold on that one day are newly due."""
    from django.utils import timezone

    from onestop.standards import clock

    day = calendar.next_working_day_on_or_after(timezone.localdate())
    return clock.end_of_day(day) + timedelta(seconds=61)


def _build(count: int, team_count: int, *, rebuild: bool) -> tuple[Any, Any, list[int], datetime]:
    """Synthetic cases as the application would hold them: primary clocks, escalations already
    applied by the sweeps before the benchmark's moment and each open case's next escalation
    time (``EscalationDue``) set to its next pending threshold.  Cases were received over the
    last 30 days; most younger than 14 days are open, most older ones finished, so a few
    percent are newly due at the moment.

    The data is kept between runs: the bench case type's description records the scale and
    the moment it was built for, and a run with the same scale reuses it (``--rebuild`` not)."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from onestop.cases import deadlines, services
    from onestop.cases.models import (
        CaseKind,
        CaseType,
        EscalationAction,
        EscalationRule,
    )
    from onestop.core import services as core_services
    from onestop.core.models import Organisation, RoleCode, User
    from onestop.directory import services as directory_services
    from onestop.directory.models import Service, Team
    from onestop.standards import services as standards_services

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.filter(slug="bench-council").first()
    if organisation is None:
        organisation = Organisation.objects.create(
            slug="bench-council", name="Bench Council", type="district-council", nation="england"
        )
        core_services.ensure_default_roles(organisation)
    user = User.objects.filter(username="bench.officer").first()
    if user is None:
        user = User.objects.create(username="bench.officer", organisation=organisation)
        core_services.set_user_roles(user, by=None, role_codes=[RoleCode.TEAM_LEADER])
    existing = CaseType.objects.for_organisation(organisation).filter(code="bench").first()
    # The teams of the scale's own service ("Bench teams 200"), whatever else the database holds.
    service = (
        Service.objects.for_organisation(organisation)
        .filter(name=f"Bench teams {team_count}")
        .first()
    )
    teams = list(
        Team.objects.for_organisation(organisation).filter(service=service).order_by("pk")
        if service is not None
        else []
    )
    if (
        not rebuild
        and existing is not None
        and existing.description.startswith(f"bench {count} {DATA_VERSION} ")
        and service is not None
        and existing.service_id == service.pk
        and len(teams) == team_count
    ):
        moment = datetime.fromisoformat(existing.description.split(" ", 3)[3])
        return organisation, user, [team.pk for team in teams], moment
    calendar = deadlines.calendar_named("organisation", organisation)
    moment = sweep_moment(calendar)
    marker = f"bench {count} {DATA_VERSION} {moment.isoformat()}"
    standards_services.save_standard(
        organisation, by=None, code="answer-letters", title="Letters", applies_to="letter",
        start_event="received", stop_event="answered", amount=10, unit="working_days",
        target_percent=Decimal(90),
    )  # fmt: skip
    if service is None:
        service = directory_services.create_service(
            organisation, by=None, name=f"Bench teams {team_count}", description="",
            lgsl_code=None,
        )  # fmt: skip
    for index in range(len(teams), team_count):
        teams.append(directory_services.create_team(service, by=None, name=f"Team {index}"))
        if index < 10:
            directory_services.add_team_member(teams[-1], by=None, user=user)
    case_type = services.save_case_type(
        organisation,
        by=None,
        data=services.CaseTypeInput(
            code="bench", name="Bench", kind=CaseKind.SERVICE_REQUEST, service=service,
            default_team=teams[0], standard_codes=("answer-letters",), description="being built",
            escalation=((75, EscalationAction.NOTIFY_ASSIGNEE),
                        (100, EscalationAction.NOTIFY_TEAM_LEADER)),
        ),
    )  # fmt: skip
    rules = list(
        EscalationRule.objects.for_organisation(organisation)
        .filter(case_type=case_type)
        .order_by("percent")
    )
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        tables = ["cases_caseevent", "notify_message", "cases_caseescalation",
                  "cases_escalationdue", "cases_caseclock", "cases_casenote", "cases_caselink",
                  "cases_contributiontask", "cases_case"]  # fmt: skip
        if connection.vendor == "postgresql":
            # CASCADE: tables of other apps that refer to cases (e-mail received) go too; this
            # is the benchmark's own database.
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                # The rows are consistent by construction: skip the foreign-key triggers, whose
                # deferred checks (one per row and key) would take longer than the load.
                cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # fixed names
        _insert_cases(organisation, case_type, service, teams, rules, user, count, moment)
        # Marked as built only once every row is in (an interrupted build is built again).
        CaseType.objects.for_organisation(organisation).filter(pk=case_type.pk).update(
            description=marker
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Index-only scans need the visibility map, as a production table would have it.
            for table in ("cases_case", "cases_caseclock", "cases_caseescalation",
                          "cases_escalationdue"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    print(f"# built {count} cases over {team_count} teams in {time.perf_counter() - began:.0f} s")
    return organisation, user, [team.pk for team in teams], moment


DATA_VERSION = "v2"  # changed whenever _insert_cases builds different data
SPAN_MINUTES = 60 * 24 * 30  # cases were received over the last 30 days, one slot a minute


def _insert_cases(
    organisation: Any,
    case_type: Any,
    service: Any,
    teams: list[Any],
    rules: list[Any],
    user: Any,
    count: int,
    moment: datetime,
) -> None:
    """Every row written by ``INSERT ... SELECT`` in the database (2,000,000 cases in a minute or
    two, not an hour of ORM saves): case number ``i`` was received in minute slot
    ``(i * 7) % SPAN_MINUTES`` before the moment; the slots' deadlines (7 and 10 working days:
    the 75% and 100% thresholds) come from the clock, once per slot, into a temporary table.
    Case ``i`` is in team ``(i / 10) % teams``, so that every team gets every kind of case
    (open or not is decided by ``i % 10``): about 4,300 open cases a team at full scale."""
    from django.db import connection

    from onestop.cases import deadlines
    from onestop.cases.models import (
        Case,
        CaseClock,
        CaseEscalation,
        CaseKind,
        EscalationDue,
        Status,
    )
    from onestop.standards import clock

    postgres = connection.vendor == "postgresql"
    calendar = deadlines.calendar_named("organisation", organisation)
    last_sweep = moment - timedelta(minutes=5)
    received = [moment - timedelta(minutes=slot + 1) for slot in range(SPAN_MINUTES)]
    due = clock.deadlines(received, 10, clock.Unit.WORKING_DAYS, calendar)
    warn = clock.deadlines(received, 7, clock.Unit.WORKING_DAYS, calendar)
    stamp = "timestamp with time zone" if postgres else "datetime"

    def at(value: datetime) -> Any:
        return value if postgres else connection.ops.adapt_datetimefield_value(value)

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_slot")
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_slot (k integer PRIMARY KEY, received {stamp}, "
            f"warn {stamp}, due {stamp}, stopped {stamp}, young integer, warn_passed integer, "
            "due_passed integer)"
        )
        cursor.execute("CREATE INDEX bench_slot_received ON bench_slot (received)")
        cursor.executemany(
            "INSERT INTO bench_slot VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    slot,
                    at(received[slot]),
                    at(warn[slot]),
                    at(due[slot]),
                    at(min(due[slot], moment - timedelta(hours=1))),
                    int(moment - received[slot] < timedelta(days=14)),
                    int(warn[slot] <= last_sweep),
                    int(due[slot] <= last_sweep),
                )
                for slot in range(SPAN_MINUTES)
            ],
        )
        cursor.execute("DROP TABLE IF EXISTS bench_team")
        cursor.execute("CREATE TEMPORARY TABLE bench_team (k integer PRIMARY KEY, id bigint)")
        cursor.executemany(
            "INSERT INTO bench_team VALUES (%s, %s)",
            [(index, team.pk) for index, team in enumerate(teams)],
        )
        if postgres:
            numbers = "generate_series(1, %s) AS n(i)"
            numbers_params: list[Any] = [count]
        else:
            cursor.execute("DROP TABLE IF EXISTS bench_n")
            cursor.execute("CREATE TEMPORARY TABLE bench_n (i integer PRIMARY KEY)")
            cursor.executemany(
                "INSERT INTO bench_n VALUES (%s)", [(i,) for i in range(1, count + 1)]
            )
            numbers, numbers_params = "bench_n n", []
    open_case = "n.i %% 10 < CASE WHEN s.young = 1 THEN 8 ELSE 1 END"
    _insert_select(
        Case,
        {
            "organisation_id": ("%s", [organisation.pk]),
            "reference": ("'SR-26-B' || n.i", []),
            "case_type_id": ("%s", [case_type.pk]),
            "kind": ("%s", [CaseKind.SERVICE_REQUEST.value]),
            "title": ("'Bench case ' || n.i", []),
            "status": (
                f"CASE WHEN NOT ({open_case}) THEN %s WHEN n.i %% 3 = 0 THEN %s "
                "WHEN n.i %% 3 = 1 THEN %s ELSE %s END",
                [
                    Status.CLOSED.value,
                    Status.NEW.value,
                    Status.ASSIGNED.value,
                    Status.IN_PROGRESS.value,
                ],
            ),
            "service_id": ("%s", [service.pk]),
            "team_id": ("t.id", []),
            "assignee_id": (
                f"CASE WHEN n.i %% 7 = 0 AND (n.i %% 3 <> 0 OR NOT ({open_case})) THEN %s END",
                [user.pk],
            ),
            "received_at": ("s.received", []),
            "due_at": ("s.due", []),
            "standard_code": ("%s", ["answer-letters"]),
            "calendar_version": ("%s", [calendar.version]),
        },
        f"FROM {numbers} JOIN bench_slot s ON s.k = ((n.i - 1) * 7) %% {SPAN_MINUTES} "
        f"JOIN bench_team t ON t.k = (n.i / 10) %% {len(teams)}",
        numbers_params,
    )
    closed = "c.status = %s"
    # The next pending threshold of each open case with one left.
    _insert_select(
        EscalationDue,
        {
            "organisation_id": ("c.organisation_id", []),
            "case_id": ("c.id", []),
            "next_at": (
                "CASE WHEN s.warn_passed = 0 THEN s.warn WHEN s.due_passed = 0 THEN s.due END",
                [],
            ),
        },
        "FROM cases_case c JOIN bench_slot s ON s.received = c.received_at "
        "WHERE c.organisation_id = %s AND c.status <> %s "
        "AND (s.warn_passed = 0 OR s.due_passed = 0)",
        [organisation.pk, Status.CLOSED.value],
    )
    _insert_select(
        CaseClock,
        {
            "organisation_id": ("c.organisation_id", []),
            "case_id": ("c.id", []),
            "standard_code": ("%s", ["answer-letters"]),
            "is_primary": ("%s", [True]),
            "amount": ("10", []),
            "unit": ("%s", ["working_days"]),
            "calendar_name": ("%s", ["organisation"]),
            "calendar_version": ("%s", [calendar.version]),
            "started_at": ("c.received_at", []),
            "due_at": ("c.due_at", []),
            "stopped_at": (f"CASE WHEN {closed} THEN s.stopped END", [Status.CLOSED.value]),
            "is_met": (f"CASE WHEN {closed} THEN %s END", [Status.CLOSED.value, True]),
        },
        "FROM cases_case c JOIN bench_slot s ON s.received = c.received_at "
        "WHERE c.organisation_id = %s",
        [organisation.pk],
    )
    for rule, passed in zip(rules, ("warn_passed", "due_passed"), strict=True):
        _insert_select(
            CaseEscalation,
            {
                "organisation_id": ("c.organisation_id", []),
                "case_id": ("c.id", []),
                "rule_id": ("%s", [rule.pk]),
                "percent": ("%s", [rule.percent]),
                "action": ("%s", [rule.action]),
                "applied_at": ("%s", [at(last_sweep)]),
                "clock_run": ("0", []),
            },
            "FROM cases_case c JOIN bench_slot s ON s.received = c.received_at "
            f"WHERE c.organisation_id = %s AND c.status <> %s AND s.{passed} = 1",
            [organisation.pk, Status.CLOSED.value],
        )


def _insert_select(
    model: Any,
    given: dict[str, tuple[str, list[Any]]],
    source: str,
    source_params: list[Any],
) -> None:
    """``INSERT INTO <model's table> (every column but the id) SELECT ...``: the ``given``
    columns as SQL expressions (with their parameters), the rest as the model's defaults (as a
    new instance would save them: ``created_at`` now, JSON ``{}``)."""
    from django.db import connection

    template = model()
    columns: list[str] = []
    expressions: list[str] = []
    params: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in given:
            expression, values = given[field.column]
            expressions.append(expression)
            params.extend(values)
        else:
            expressions.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    unused = set(given) - set(columns)
    if unused:
        raise SystemExit(f"unknown columns {sorted(unused)} in {model._meta.db_table}")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # model names
        f"SELECT {', '.join(expressions)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *source_params])


QUEUE_SQL = """
SELECT c.id, c.reference, c.title, c.status, c.due_at, c.clock_paused_at, c.assignee_id, t.name,
       u.username, u.first_name, u.last_name,
       k.started_at, k.due_at, k.amount, k.unit, k.calendar_name, k.pauses, k.stopped_at,
       (SELECT r.percent FROM cases_escalationrule r
        WHERE r.organisation_id = c.organisation_id AND r.case_type_id = c.case_type_id
          AND r.percent < 100 ORDER BY r.percent LIMIT 1)
FROM cases_case c
JOIN cases_casetype t ON t.id = c.case_type_id
LEFT JOIN core_user u ON u.id = c.assignee_id
LEFT JOIN cases_caseclock k ON k.case_id = c.id AND k.is_primary
WHERE c.organisation_id = %s AND c.team_id = %s
  AND c.status IN ('assigned', 'in-progress', 'new', 'waiting-for-customer',
                   'waiting-for-third-party')
ORDER BY c.due_at, c.id
LIMIT 50
"""
COUNTS_SQL = """
SELECT COUNT(*),
       COUNT(*) FILTER (WHERE due_at < %s),
       COUNT(*) FILTER (WHERE due_at >= %s AND due_at <= %s),
       COUNT(*) FILTER (WHERE assignee_id IS NULL)
FROM cases_case
WHERE organisation_id = %s AND team_id = %s
  AND status IN ('assigned', 'in-progress', 'new', 'waiting-for-customer',
                 'waiting-for-third-party')
"""
SCAN_SQL = """
SELECT c.id FROM cases_escalationdue d JOIN cases_case c ON c.id = d.case_id
WHERE d.organisation_id = %s AND d.next_at <= %s
  AND c.status IN ('assigned', 'in-progress', 'new', 'waiting-for-customer',
                   'waiting-for-third-party')
ORDER BY d.next_at
"""

# The sweep's writes as hand-written SQL, for this data only (it knows the two thresholds: the
# pending one is the case's next time, the 75% one when it is before the deadline), against
# which the sweep (which works thresholds out through the clock for any rules) is compared.
# Same tables and writes as the sweep: escalations, events, one notice each, next times.
_OPEN_SQL = (
    "c.status IN ('assigned', 'in-progress', 'new', 'waiting-for-customer', "
    "'waiting-for-third-party')"
)
_DUE = f"""
FROM cases_escalationdue d
JOIN cases_case c ON c.id = d.case_id
JOIN cases_escalationrule r ON r.organisation_id = c.organisation_id
  AND r.case_type_id = c.case_type_id
  AND r.percent = CASE WHEN d.next_at < c.due_at THEN 75 ELSE 100 END
WHERE d.organisation_id = %(organisation)s AND d.next_at <= %(moment)s AND {_OPEN_SQL}
"""
SWEEP_SQL = [
    "INSERT INTO cases_caseescalation (organisation_id, case_id, rule_id, percent, action, "
    "applied_at, clock_run) SELECT c.organisation_id, c.id, r.id, r.percent, r.action, "
    "%(moment)s, 0" + _DUE + " ON CONFLICT DO NOTHING",
    "INSERT INTO cases_caseevent (organisation_id, case_id, code, at, data) SELECT "
    "c.organisation_id, c.id, 'escalated', %(moment)s, "
    "json_build_object('percent', r.percent, 'action', r.action)" + _DUE,
    "INSERT INTO notify_message (organisation_id, case_id, customer_id, recipient_kind, "
    "recipient_user_id, recipient_label, address, channel, language, format, event, "
    "template_version, subject, body, status, provider, provider_id, attempts, last_error, "
    "created_at, next_attempt_at, updated_at, notify_template_id, personalisation) "
    "SELECT c.organisation_id, c.id, NULL, 'staff', "
    "CASE WHEN r.percent < 100 THEN c.assignee_id END, 'Officer', 'officer@example.org', "
    "'email', 'en', '', 'escalation', 0, 'Case ' || c.reference || ' needs attention', "
    "'Case ' || c.reference || ' (' || c.title || ') has used ' || r.percent "
    "|| '%% of its time: it is due ' || to_char(c.due_at, 'FMDD FMMonth YYYY, HH24:MI') || '.', "
    "'pending', '', '', 0, '', %(moment)s, %(moment)s, %(moment)s, '', '{}'::jsonb" + _DUE,
    "UPDATE cases_escalationdue d SET next_at = CASE WHEN d.next_at < c.due_at THEN c.due_at "
    "END FROM cases_case c WHERE c.id = d.case_id AND d.organisation_id = %(organisation)s "
    "AND d.next_at <= %(moment)s AND c.status IN ('assigned', 'in-progress', 'new', "
    "'waiting-for-customer', 'waiting-for-third-party')",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--database-name",
        default=os.environ.get("ONESTOP_BENCH_QUEUES_DB", "onestop_bench_queues"),
        help="the PostgreSQL database (default: $ONESTOP_BENCH_QUEUES_DB or onestop_bench_queues)",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="build (or check) the data, then stop"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    parser.add_argument(
        "--sweep-only", action="store_true", help="time only the escalation sweep (and its scan)"
    )
    parser.add_argument(
        "--html-only",
        action="store_true",
        help="time only the whole HTML queue page (queue_html_page)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the HTML page's line, profile 100 of its pages (cProfile, top 30 by time)",
    )
    options = parser.parse_args()
    count, team_count = SCALES[options.scale]
    _configure(options.database, options.database_name)

    organisation, user, team_ids, moment = _build(count, team_count, rebuild=options.rebuild)
    if options.generate_only:
        return
    if options.html_only:
        _time_queue_html(organisation, user, team_ids, profile=options.profile)
        return
    if not options.sweep_only:
        _time_queue_page(organisation, user, team_ids)
        _time_queue_html(organisation, user, team_ids, profile=options.profile)
    _time_sweep(organisation, moment, count)


def _time_queue_page(organisation: Any, user: Any, team_ids: list[int]) -> None:
    from django.db import connection
    from django.utils import timezone

    from onestop.cases import queries
    from onestop.core import audit

    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)

    def ours(team_id: int) -> object:
        """What the queue page reads: the counts and the rows with their badges."""
        queue = queries.queue_for(user, queries.QueueFilters(team_id=team_id))
        return [(row.overdue, row.at_risk) for row in queue.cases]

    def audited(team_id: int) -> object:
        """What the queue page does since issue 11: the read, then one list-read audit record."""
        filters = queries.QueueFilters(team_id=team_id)
        queue = queries.queue_for(user, filters)
        audit.record_list_read(
            user,
            what="cases.case",
            query=asdict(filters),
            ids=[row.reference for row in queue.cases],
        )
        return [(row.overdue, row.at_risk) for row in queue.cases]

    def baseline(team_id: int) -> tuple[Any, list[Any]]:
        with connection.cursor() as cursor:
            cursor.execute(COUNTS_SQL, [now, now, end_of_today, organisation.pk, team_id])
            counts = cursor.fetchone()
            cursor.execute(QUEUE_SQL, [organisation.pk, team_id])
            return counts, cursor.fetchall()

    def audited_baseline(team_id: int) -> object:
        """The same job by hand: the page's two statements, then the chained record in SQL."""
        counts, rows = baseline(team_id)
        append_list_read_by_hand(
            organisation.pk,
            user,
            what="cases.case",
            action="listed",
            query={"team_id": team_id},
            ids=[row[1] for row in rows],
        )
        return counts, rows

    # Same answers first.
    sample = team_ids[len(team_ids) // 2]
    mine = queries.queue_for(user, queries.QueueFilters(team_id=sample))
    counts, rows = baseline(sample)
    if [case.pk for case in mine.cases] != [row[0] for row in rows] or mine.counts.total != counts[
        0
    ]:
        raise SystemExit("queue_for and the hand-written SQL disagree")

    rounds = [team_ids[i % len(team_ids)] for i in range(max(100, len(team_ids)))]
    # Every team's pages read once by both first, so neither side pays for bringing a team's
    # rows into the cache for the other.
    for team_id in dict.fromkeys(rounds):
        ours(team_id)
        audited(team_id)
        audited_baseline(team_id)
        baseline(team_id)
    # Interleaved, so that the machine's load (shared) weighs on both alike, and each side
    # first on every other team.
    ours_times: list[float] = []
    audited_times: list[float] = []
    base_times: list[float] = []
    audited_base_times: list[float] = []
    for number, team_id in enumerate(rounds):
        if number % 2:
            base_times.append(timed(lambda t=team_id: baseline(t)))  # type: ignore[misc]
            audited_base_times.append(timed(lambda t=team_id: audited_baseline(t)))  # type: ignore[misc]
        ours_times.append(timed(lambda t=team_id: ours(t)))  # type: ignore[misc]
        audited_times.append(timed(lambda t=team_id: audited(t)))  # type: ignore[misc]
        if not number % 2:
            base_times.append(timed(lambda t=team_id: baseline(t)))  # type: ignore[misc]
            audited_base_times.append(timed(lambda t=team_id: audited_baseline(t)))  # type: ignore[misc]
    ours_p95, audited_p95, base_p95 = p95(ours_times), p95(audited_times), p95(base_times)
    audited_base_p95 = p95(audited_base_times)
    print(
        f"queue_page_p95: ours {ours_p95:.2f} ms, baseline {base_p95:.2f} ms, "
        f"ratio {ours_p95 / base_p95:.2f}"
    )
    print(
        f"queue_page_audited_p95: ours {audited_p95:.2f} ms, baseline {audited_base_p95:.2f} ms "
        f"(the same SQL and the record by hand), ratio {audited_p95 / audited_base_p95:.2f}; "
        f"against the unaudited SQL {audited_p95 / base_p95:.2f}"
    )


def _time_queue_html(
    organisation: Any, user: Any, team_ids: list[int], *, profile: bool = False
) -> None:
    """The whole HTML queue page as a browser gets it: a signed-in GET of ``/queues/``
    through every middleware (sessions, authentication, the second factor, the staff door,
    CSP, axes), the view, its queries and its template, against the page's two hand-written
    SQL statements (the queue line's baseline: what any page must at least read)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import sign_in_verified

    # The process as gunicorn runs it: the WSGI module loaded, which settles the heap (gc.freeze).
    importlib.import_module("onestop.wsgi")
    TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    sign_in_verified(client, user)
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)

    def ours(team_id: int) -> object:
        response = client.get("/queues/", {"team": team_id})
        if response.status_code != 200:
            raise SystemExit(f"the queue page answered {response.status_code}")
        return response.content

    def baseline(team_id: int) -> object:
        with connection.cursor() as cursor:
            cursor.execute(COUNTS_SQL, [now, now, end_of_today, organisation.pk, team_id])
            counts = cursor.fetchone()
            cursor.execute(QUEUE_SQL, [organisation.pk, team_id])
            return counts, cursor.fetchall()

    rounds = [team_ids[i % len(team_ids)] for i in range(max(100, len(team_ids)))]
    for team_id in dict.fromkeys(rounds):
        ours(team_id)
        baseline(team_id)
    ours_times: list[float] = []
    ours_cpu: list[float] = []  # this process's CPU time (the page's Python, not the server's)
    base_times: list[float] = []
    for number, team_id in enumerate(rounds):
        if number % 2:
            base_times.append(timed(lambda t=team_id: baseline(t)))  # type: ignore[misc]
        began_cpu = time.process_time()
        ours_times.append(timed(lambda t=team_id: ours(t)))  # type: ignore[misc]
        ours_cpu.append((time.process_time() - began_cpu) * 1000)
        if not number % 2:
            base_times.append(timed(lambda t=team_id: baseline(t)))  # type: ignore[misc]
    ours_p95, base_p95 = p95(ours_times), p95(base_times)
    print(
        f"queue_html_page_p95 (median {statistics.median(ours_times):.2f} ms; this process's CPU "
        f"median {statistics.median(ours_cpu):.2f} ms, p95 {p95(ours_cpu):.2f} ms): "
        f"ours {ours_p95:.2f} ms, baseline {base_p95:.2f} ms (the page's hand-written SQL), "
        f"ratio {ours_p95 / base_p95:.2f}"
    )
    statements = _statements_of(lambda: ours(team_ids[0]))
    print(
        f"queue_html_page statements: {len(statements)} a page (each a round trip to the "
        "database: what Django sends, with BEGIN and COMMIT around each transaction)"
    )
    if profile:
        for statement in statements:
            print(f"  {statement[:110]}")
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [ours(team_ids[i % len(team_ids)]) for i in range(100)])
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)


def _statements_of(run: Callable[[], object]) -> list[str]:
    """The statements ``run`` sends to the database, in order: every query, and the ``BEGIN``
    and ``COMMIT`` (or ``ROLLBACK``) psycopg sends around each transaction, which Django's
    query log leaves out (each is a round trip all the same)."""
    from django.db import connections

    wrapper = connections["default"]
    sent: list[str] = []
    commit, rollback, set_autocommit = wrapper.commit, wrapper.rollback, wrapper.set_autocommit

    def note_autocommit(autocommit: bool, *args: Any, **kwargs: Any) -> None:
        if not autocommit:
            sent.append("BEGIN")
        set_autocommit(autocommit, *args, **kwargs)

    def note_commit() -> None:
        sent.append("COMMIT")
        commit()

    def note_rollback() -> None:
        sent.append("ROLLBACK")
        rollback()

    def note_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    wrapper.set_autocommit = note_autocommit  # type: ignore[method-assign]
    wrapper.commit = note_commit  # type: ignore[method-assign]
    wrapper.rollback = note_rollback  # type: ignore[method-assign]
    try:
        with wrapper.execute_wrapper(note_query):
            run()
    finally:
        del wrapper.set_autocommit, wrapper.commit, wrapper.rollback
    return sent


def _time_sweep(organisation: Any, moment: datetime, count: int) -> None:
    from django.db import connection, transaction

    from onestop.cases import deadlines, services
    from onestop.cases.models import OPEN_STATUSES, Case

    def scan_ours() -> object:
        return list(
            Case.objects.for_organisation(organisation)
            .filter(escalation_due__next_at__lte=moment, status__in=sorted(OPEN_STATUSES))
            .order_by("escalation_due__next_at")
            .values_list("pk", flat=True)
        )

    def scan_baseline() -> object:
        with connection.cursor() as cursor:
            cursor.execute(SCAN_SQL, [organisation.pk, moment])
            return cursor.fetchall()

    scan_ours()
    scan_baseline()
    due_count = len(scan_ours())  # type: ignore[arg-type]
    open_count = (
        Case.objects.for_organisation(organisation).filter(status__in=sorted(OPEN_STATUSES)).count()
    )
    ours_scan = statistics.median(timed(scan_ours) for _ in range(5))
    base_scan = statistics.median(timed(scan_baseline) for _ in range(5))
    print(
        f"escalation_scan ({due_count} due of {open_count} open, {count} cases): "
        f"ours {ours_scan:.1f} ms, baseline {base_scan:.1f} ms, ratio {ours_scan / base_scan:.2f}"
    )

    # The whole sweep at the moment (writes included), rolled back so the data stays as built;
    # the calendar is loaded first (a process's first sweep also pays about a second for it).
    deadlines.calendar_named("organisation", organisation)
    applied: list[int] = []
    with transaction.atomic():
        sweep_ms = timed(lambda: applied.append(services.escalate_due_cases(now=moment)))
        transaction.set_rollback(True)
    sweep_base_ms = float("nan")
    if connection.vendor == "postgresql":

        def sweep_baseline() -> None:
            with connection.cursor() as cursor:
                for statement in SWEEP_SQL:
                    cursor.execute(statement, {"organisation": organisation.pk, "moment": moment})

        with transaction.atomic():
            sweep_base_ms = timed(sweep_baseline)
            transaction.set_rollback(True)
    if connection.vendor == "postgresql":
        # What autovacuum does after a sweep: the rolled-back rows are cleared and the
        # visibility map set again (the queue's counts are an index-only scan), for the next run.
        with connection.cursor() as cursor:
            for table in ("cases_case", "cases_escalationdue", "cases_caseescalation",
                          "cases_caseevent", "notify_message"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"escalation_sweep ({applied[0]} escalations on {due_count} cases, writes included): "
        f"ours {sweep_ms:.0f} ms, baseline {sweep_base_ms:.0f} ms (hand-written SQL, "
        f"PostgreSQL only), ratio {sweep_ms / sweep_base_ms:.2f}"
    )


if __name__ == "__main__":
    main()

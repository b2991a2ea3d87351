"""Benchmark: a team's work queue page and the escalation sweep's scan, against hand-written SQL.

Builds a throwaway database (``var/bench-queues.sqlite3``, or the PostgreSQL database
``onestop_bench`` on the local socket, created if missing) with N cases over T teams, then times:

* ``queue_page``: the first 50 open cases of a team by deadline with the queue's counts, through
  ``cases.queries.queue_for`` (ours) and as two hand-written SQL statements (baseline); p95 over
  many teams.
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
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {"small": (20_000, 20), "full": (2_000_000, 200)}
PAGE = 50
BATCH = 5_000


def _configure(database: str) -> None:
    os.environ.setdefault("ONESTOP_DEV", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "onestop.settings"
    if database == "postgresql":
        import psycopg

        with psycopg.connect("dbname=postgres", autocommit=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'onestop_bench'"
            ).fetchone()
            if found is None:
                connection.execute("CREATE DATABASE onestop_bench")
        os.environ["DATABASE_URL"] = "postgresql:///onestop_bench"
    else:
        (ROOT / "var").mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench-queues.sqlite3'}"
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # production's cost: no query log


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


def _build(count: int, team_count: int) -> tuple[Any, Any, list[int], datetime]:
    """Synthetic cases as the application would hold them: primary clocks, escalations already
    applied by the sweeps before the benchmark's moment and ``next_escalation_at`` set to the
    next pending threshold.  Cases were received over the last 30 days; most younger than 14
    days are open, most older ones finished, so a few percent are newly due at the moment."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from onestop.cases import services
    from onestop.cases.models import (
        CaseKind,
        CaseType,
        EscalationAction,
        EscalationRule,
    )
    from onestop.core import services as core_services
    from onestop.core.models import Organisation, RoleCode, User
    from onestop.directory import services as directory_services
    from onestop.directory.models import Team
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
    calendar = services.calendar_named("organisation", organisation)
    moment = sweep_moment(calendar)
    marker = f"bench {count} {moment.isoformat()}"
    existing = CaseType.objects.for_organisation(organisation).filter(code="bench").first()
    teams = list(Team.objects.for_organisation(organisation).order_by("pk"))
    if existing is not None and existing.description == marker and len(teams) == team_count:
        return organisation, user, [team.pk for team in teams], moment
    with connection.cursor() as cursor:
        tables = ["cases_caseevent", "cases_outboxmessage", "cases_caseescalation",
                  "cases_caseclock", "cases_casenote", "cases_caselink",
                  "cases_contributiontask", "cases_case"]  # fmt: skip
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # fixed names
    standards_services.save_standard(
        organisation, by=None, code="answer-letters", title="Letters", applies_to="letter",
        start_event="received", stop_event="answered", amount=10, unit="working_days",
        target_percent=Decimal(90),
    )  # fmt: skip
    if len(teams) != team_count:
        service = directory_services.create_service(
            organisation, by=None, name=f"Service {time.time_ns()}", description="", lgsl_code=None
        )
        teams = [
            directory_services.create_team(service, by=None, name=f"Team {index}")
            for index in range(team_count)
        ]
        for team in teams[:10]:
            directory_services.add_team_member(team, by=None, user=user)
    service = teams[0].service
    case_type = services.save_case_type(
        organisation,
        by=None,
        data=services.CaseTypeInput(
            code="bench", name="Bench", kind=CaseKind.SERVICE_REQUEST, service=service,
            default_team=teams[0], standard_codes=("answer-letters",), description=marker,
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
    with transaction.atomic():
        _insert_cases(organisation, case_type, service, teams, rules, user, count, moment)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"# built {count} cases over {team_count} teams in {time.perf_counter() - began:.0f} s")
    return organisation, user, [team.pk for team in teams], moment


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
    from onestop.cases import services
    from onestop.cases.models import Case, CaseClock, CaseEscalation, CaseKind, Status
    from onestop.core.references import format_reference
    from onestop.standards import clock

    calendar = services.calendar_named("organisation", organisation)
    team_count = len(teams)
    last_sweep = moment - timedelta(minutes=5)
    open_statuses = [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS]
    span = 60 * 24 * 30
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        received = [moment - timedelta(minutes=(start + i) * 7 % span + 1) for i in range(size)]
        due = clock.deadlines(received, 10, clock.Unit.WORKING_DAYS, calendar)
        warn = clock.deadlines(received, 7, clock.Unit.WORKING_DAYS, calendar)
        cases: list[Any] = []
        clocks: list[tuple[Any, datetime, datetime, bool]] = []
        applied: list[tuple[Any, Any]] = []
        for offset in range(size):
            number = start + offset + 1
            young = moment - received[offset] < timedelta(days=14)
            is_open = number % 10 < (8 if young else 1)
            status = open_statuses[number % 3] if is_open else Status.CLOSED
            thresholds = [warn[offset], due[offset]]
            passed = [t <= last_sweep for t in thresholds]
            pending = [t for t, done in zip(thresholds, passed, strict=True) if not done]
            case = Case(
                organisation=organisation,
                reference=format_reference("SR", 26, number),
                case_type=case_type,
                kind=CaseKind.SERVICE_REQUEST,
                title=f"Bench case {number}",
                status=status,
                service=service,
                team=teams[number % team_count],
                assignee=user if status != Status.NEW and number % 7 == 0 else None,
                received_at=received[offset],
                due_at=due[offset],
                standard_code="answer-letters",
                calendar_version=calendar.version,
                next_escalation_at=(pending[0] if pending and is_open else None),
            )
            cases.append(case)
            clocks.append((case, received[offset], due[offset], is_open))
            if is_open:
                applied.extend(
                    (case, rule) for rule, done in zip(rules, passed, strict=True) if done
                )
        Case.objects.bulk_create(cases, batch_size=1000)
        CaseClock.objects.bulk_create(
            [
                CaseClock(
                    organisation=organisation, case=case, standard_code="answer-letters",
                    is_primary=True, amount=10, unit="working_days",
                    calendar_name="organisation", calendar_version=calendar.version,
                    started_at=started, due_at=due_at,
                    stopped_at=None if is_open else min(due_at, moment - timedelta(hours=1)),
                    is_met=None if is_open else True,
                )
                for case, started, due_at, is_open in clocks
            ],
            batch_size=1000,
        )  # fmt: skip
        CaseEscalation.objects.bulk_create(
            [
                CaseEscalation(
                    organisation=organisation, case=case, rule=rule, percent=rule.percent,
                    action=rule.action, applied_at=last_sweep, clock_run=0,
                )
                for case, rule in applied
            ],
            batch_size=1000,
        )  # fmt: skip


QUEUE_SQL = """
SELECT c.id, c.reference, c.title, c.status, c.due_at, c.assignee_id, t.name, u.username
FROM cases_case c
JOIN cases_casetype t ON t.id = c.case_type_id
LEFT JOIN core_user u ON u.id = c.assignee_id
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
SELECT id FROM cases_case
WHERE organisation_id = %s AND next_escalation_at <= %s
  AND status IN ('assigned', 'in-progress', 'new', 'waiting-for-customer',
                 'waiting-for-third-party')
ORDER BY next_escalation_at
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    options = parser.parse_args()
    count, team_count = SCALES[options.scale]
    _configure(options.database)

    from django.db import connection, transaction
    from django.utils import timezone

    from onestop.cases import queries, services
    from onestop.cases.models import OPEN_STATUSES, Case

    organisation, user, team_ids, moment = _build(count, team_count)
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)

    def ours(team_id: int) -> object:
        return queries.queue_for(user, queries.QueueFilters(team_id=team_id))

    def baseline(team_id: int) -> tuple[Any, list[Any]]:
        with connection.cursor() as cursor:
            cursor.execute(COUNTS_SQL, [now, now, end_of_today, organisation.pk, team_id])
            counts = cursor.fetchone()
            cursor.execute(QUEUE_SQL, [organisation.pk, team_id])
            return counts, cursor.fetchall()

    # Same answers first.
    sample = team_ids[len(team_ids) // 2]
    mine = queries.queue_for(user, queries.QueueFilters(team_id=sample))
    counts, rows = baseline(sample)
    if [case.pk for case in mine.cases] != [row[0] for row in rows] or mine.counts.total != counts[
        0
    ]:
        raise SystemExit("queue_for and the hand-written SQL disagree")

    rounds = [team_ids[i % len(team_ids)] for i in range(max(100, len(team_ids)))]
    for team_id in rounds[:10]:  # warm up
        ours(team_id)
        baseline(team_id)
    ours_times = [timed(lambda t=team_id: ours(t)) for team_id in rounds]  # type: ignore[misc]
    base_times = [timed(lambda t=team_id: baseline(t)) for team_id in rounds]  # type: ignore[misc]
    ours_p95, base_p95 = p95(ours_times), p95(base_times)
    print(
        f"queue_page_p95: ours {ours_p95:.2f} ms, baseline {base_p95:.2f} ms, "
        f"ratio {ours_p95 / base_p95:.2f}"
    )

    def scan_ours() -> object:
        return list(
            Case.objects.for_organisation(organisation)
            .filter(next_escalation_at__lte=moment, status__in=sorted(OPEN_STATUSES))
            .order_by("next_escalation_at")
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

    # The whole sweep at the moment (writes included), rolled back so the data stays as built.
    applied: list[int] = []
    with transaction.atomic():
        sweep_ms = timed(lambda: applied.append(services.escalate_due_cases(now=moment)))
        transaction.set_rollback(True)
    print(
        f"escalation_sweep ({applied[0]} escalations on {due_count} cases, writes included): "
        f"ours {sweep_ms:.0f} ms, baseline {base_scan:.1f} ms (the scan alone), "
        f"ratio {sweep_ms / base_scan:.1f}"
    )


if __name__ == "__main__":
    main()

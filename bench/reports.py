"""Benchmark: the ``standards-compliance`` and ``volumes`` reports on ten years of a large
council's history, against hand-written SQL (issue 17).

PostgreSQL only (the sizes are PostgreSQL's; on SQLite it says so and exits with status 2).
Builds the database ``onestop_bench_reports`` on the local socket (created if missing;
``--database-name`` or ``ONESTOP_BENCH_REPORTS_DB`` names another) with what the two reports
read: one organisation, 40 services (a team and a case type each), three timed standards, access
points and reasons through the ORM and the services, then the bulk rows streamed in with
``COPY`` (flat memory): contacts over ten years, cases over the same years with their clocks
(met, missed, still open and overdue, paused, open and not yet due, some restarted).  The data
is kept between runs (``--rebuild`` builds it again; ``--generate-only`` builds and stops); the
build prints its time and the database's size (``pg_database_size``).

Then times, median of a few interleaved runs (each side warmed first):

* ``standards_compliance``: the report's build (``reporting.report_named(...).build``: every
  query and table) for the last complete financial year, against one hand-written statement
  (``GROUPING SETS``: per standard and service, per standard and team, per standard; its clocks
  found, as the report's are, by the index on when each clock was decided,
  ``caseclock_org_decided``);
* ``volumes``: the report's build for the last complete month, against two hand-written
  statements (every dimension and the kinds of avoidable contact in one ``GROUPING SETS``
  statement; the visitors' figures);
* ``..._csv``: the same with the CSV file written (``reporting.as_csv``), against the
  statements with their rows written by ``csv.writer``.

Before timing, the bench checks that the report's figures and the hand-written SQL's are equal
(every count of every row), so that the baseline is an honest one.

Scales: ``small`` 300,000 contacts and 30,000 cases (a minute or two); ``full`` 30,000,000
contacts and 3,000,000 cases (the issue's scale).  Run:
``.venv/bin/python bench/reports.py --scale small --database postgresql``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)

SCALES = {"small": (300_000, 30_000), "full": (30_000_000, 3_000_000)}
SERVICES = 40
YEARS = 10
RUNS = 5
DATA_VERSION = "r1"  # changed whenever the generated data changes
ORGANISATION = "bench-reports-council"
# code, title, channel, working days, target (per cent); service k's cases use STANDARDS[k % 2]
# as their primary clock and a third of them also get the e-mail standard's clock.
STANDARDS = (
    ("resolve-requests", "Requests resolved", "web-form", 20, Decimal(90)),
    ("answer-letters", "Letters answered", "letter", 10, Decimal(90)),
    ("answer-emails", "E-mails answered", "email", 5, Decimal(95)),
)
CHANNEL_WEIGHTS = (
    ("telephone", 45),
    ("web-form", 20),
    ("email", 15),
    ("face-to-face", 10),
    ("letter", 4),
    ("sms", 3),
    ("social-media", 2),
    ("councillor-referral", 1),
)
OUTCOME_WEIGHTS = (
    ("resolved", 55),
    ("request-raised", 20),
    ("signposted", 10),
    ("transferred", 8),
    ("callback-promised", 5),
    ("", 2),
)


def _configure(name: str) -> None:
    configure("postgresql", name, "")


def timed(run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return (time.perf_counter() - began) * 1000


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> list[Any]:
    """A lookup table of 100 entries: ``table[n % 100]`` picks by the weights (per cent)."""
    table = [value for value, weight in pairs for _ in range(weight)]
    assert len(table) == 100  # noqa: S101  # the weights above add up to 100
    return table


# --- the organisation and its directory, through the ORM and the services ------------------------
class Setup:
    def __init__(self) -> None:
        self.organisation: Any = None
        self.services: list[Any] = []
        self.teams: list[Any] = []
        self.case_types: list[Any] = []
        self.access_points: dict[str, list[int]] = {}
        self.reasons: list[int] = []
        self.end = datetime.min.replace(tzinfo=UTC)


def _setup() -> Setup:
    from django.core.management import call_command

    from onestop.cases.models import CaseKind, CaseType
    from onestop.cases.services import CaseTypeInput, save_case_type
    from onestop.contacts import services as contact_services
    from onestop.contacts.models import ContactReason
    from onestop.core import services as core_services
    from onestop.core.models import Organisation
    from onestop.directory import services as directory_services
    from onestop.directory.models import AccessPoint, Service, Team
    from onestop.standards import services as standards_services
    from onestop.standards.models import Standard

    call_command("migrate", verbosity=0)
    found = Setup()
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            slug=ORGANISATION, name="Bench Reports Council", type="district-council",
            nation="england",
        )  # fmt: skip
        core_services.ensure_default_roles(organisation)
    found.organisation = organisation
    for code, title, channel, days, target in STANDARDS:
        if not Standard.objects.for_organisation(organisation).filter(code=code).exists():
            standards_services.save_standard(
                organisation, by=None, code=code, title=title, applies_to=channel,
                start_event="received", stop_event="answered", amount=days,
                unit="working_days", target_percent=target,
            )  # fmt: skip
    for k in range(SERVICES):
        name = f"Bench service {k:02d}"
        service = Service.objects.for_organisation(organisation).filter(name=name).first()
        if service is None:
            service = directory_services.create_service(
                organisation, by=None, name=name, description="", lgsl_code=None
            )
        team = Team.objects.for_organisation(organisation).filter(service=service).first()
        if team is None:
            team = directory_services.create_team(service, by=None, name=f"Bench team {k:02d}")
        case_type = (
            CaseType.objects.for_organisation(organisation).filter(code=f"bench-{k:02d}").first()
        )
        if case_type is None:
            case_type = save_case_type(
                organisation,
                by=None,
                data=CaseTypeInput(
                    code=f"bench-{k:02d}", name=f"Bench request {k:02d}",
                    kind=CaseKind.SERVICE_REQUEST, service=service, default_team=team,
                    standard_codes=(STANDARDS[k % 2][0],),
                ),
            )  # fmt: skip
        found.services.append(service)
        found.teams.append(team)
        found.case_types.append(case_type)
    for kind, names in (
        ("customer-service-centre", ("Bench civic centre", "Bench north office")),
        ("one-stop-shop", ("Bench library desk",)),
        ("telephone", ("Bench contact centre",)),
    ):
        for name in names:
            point = AccessPoint.objects.for_organisation(organisation).filter(name=name).first()
            if point is None:
                point = directory_services.create_access_point(
                    organisation, by=None, kind=kind, name=name
                )
            key = "telephone" if kind == "telephone" else "face-to-face"
            found.access_points.setdefault(key, []).append(point.pk)
    for n in range(20):
        contact_services.add_reason(organisation, by=None, label=f"Bench reason {n:02d}")
    found.reasons = list(
        ContactReason.objects.for_organisation(organisation)
        .filter(label__startswith="Bench reason ")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return found


def _marker(contacts: int, cases: int) -> str:
    return f"bench-reports {contacts} {cases} {DATA_VERSION} "


def _built_until(setup: Setup, contacts: int, cases: int) -> datetime | None:
    """When the kept data ends, if it was built for this scale (and finished)."""
    description = setup.case_types[0].description
    if not description.startswith(_marker(contacts, cases)):
        return None
    return datetime.fromisoformat(description.rsplit(" ", 1)[1])


# --- the bulk rows, through COPY -----------------------------------------------------------------
def _template(model: Any) -> tuple[list[str], list[Any]]:
    """Every column of ``model``'s table and the value a new instance would save in it."""
    from django.db import connection

    instance = model()
    columns: list[str] = []
    values: list[Any] = []
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        value = field.get_db_prep_save(field.pre_save(instance, add=True), connection)
        if field.get_internal_type() == "JSONField":
            value = json.dumps(field.get_default())
        values.append(value)
    return columns, values


def _copy(cursor: Any, model: Any, rows: Iterator[dict[str, Any]]) -> int:
    """Stream ``rows`` (the columns each sets; the rest as the model's defaults) into the
    model's table with one ``COPY ... FROM STDIN``; the rows are made as they are sent."""
    columns, defaults = _template(model)
    position = {column: index for index, column in enumerate(columns)}
    count = 0
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        for given in rows:
            row = list(defaults)
            for column, value in given.items():
                row[position[column]] = value
            copy.write_row(row)
            count += 1
    return count


def _contacts(setup: Setup, count: int, start: datetime, days: int) -> Iterator[dict[str, Any]]:
    """Contact ``i`` (id ``i``) on day ``(i - 1) * days // count`` of the ten years (ids rise
    with time, as they do), mostly in office hours; channels, services, outcomes by weights;
    6% repeat an earlier contact, 4% chase a case by reference."""
    rng = random.Random(17)  # synthetic data, not security
    channels = _weighted(CHANNEL_WEIGHTS)
    outcomes = _weighted(OUTCOME_WEIGHTS)
    organisation_id = setup.organisation.pk
    service_ids = [service.pk for service in setup.services]
    # A few services take most contacts (council tax, waste, benefits ...): square the draw.
    service_table = [service_ids[int(SERVICES * (n / 1000) ** 2)] for n in range(1000)]
    faces, phones, reasons = (
        setup.access_points["face-to-face"],
        setup.access_points["telephone"],
        setup.reasons,
    )
    for i in range(1, count + 1):
        r = rng.getrandbits(64)
        day = (i - 1) * days // count
        # 80% in office hours (08:00 to 18:00), the rest at any time of day.
        second = 8 * 3600 + (r >> 4) % 36_000 if r % 10 < 8 else (r >> 4) % 86_400
        channel = channels[(r >> 20) % 100]
        inbound = (r >> 28) % 20 < 17
        row: dict[str, Any] = {
            "id": i,
            "organisation_id": organisation_id,
            "received_at": start + timedelta(days=day, seconds=second),
            "channel": channel,
            "direction": "in" if inbound else "out",
            "service_id": None if (r >> 34) % 12 == 0 else service_table[(r >> 38) % 1000],
            "reason_id": reasons[(r >> 48) % len(reasons)] if (r >> 53) % 10 < 7 else None,
            "outcome": outcomes[(r >> 56) % 100] if inbound else "",
        }
        if channel == "face-to-face":
            row["access_point_id"] = faces[i % len(faces)]
        elif channel == "telephone":
            row["access_point_id"] = phones[0]
        chase = (r >> 10) % 100
        if chase < 6 and i > 1:
            row["repeat_of_id"] = i - 1 - (r >> 12) % min(i - 1, 5000)
        elif chase < 10:
            row["about_reference"] = f"B{(r >> 12) % 1_000_000}"
        yield row


def _cases_and_clocks(
    setup: Setup, count: int, start: datetime, end: datetime, days: int
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Case ``j`` (id ``j``) received on day ``(j - 1) * days // count``, with its primary clock
    (and a third of them the e-mail standard's clock too).  Cases older than 90 days are
    closed but 1% (open, long overdue); younger ones are open more often the younger they are.
    A closed clock stopped within its time 82% of the time (met), else up to twice its time
    (missed); 12% of open clocks are paused, 10% of closed ones were paused once (their
    deadline moved on by the pause) and 2% were restarted (a reopened case)."""
    rng = random.Random(1717)  # synthetic data, not security
    organisation_id = setup.organisation.pk
    weights = [SERVICES - k for k in range(SERVICES)]
    table = [k for k in range(SERVICES) for _ in range(weights[k])]
    clock_id = 0
    for j in range(1, count + 1):
        r = rng.getrandbits(64)
        k = table[r % len(table)]
        received = start + timedelta(
            days=(j - 1) * days // count, seconds=8 * 3600 + (r >> 8) % 36_000
        )
        age = end - received
        if age < timedelta(days=90):
            open_ = (r >> 24) % 100 < max(5, 90 - age.days)
        else:  # long closed, but 1% still open (and long overdue)
            open_ = (r >> 24) % 100 == 0
        code, _title, _channel, working_days, _target = STANDARDS[k % 2]
        length = timedelta(days=working_days * 7 // 5)
        due = received + length
        pauses: list[list[str]] = []
        paused_at = None
        stopped = None
        if not open_:
            if (r >> 32) % 10 == 0:  # paused once, resumed: the deadline moved on
                pause_start = received + length / 3
                pause = timedelta(days=1 + (r >> 36) % 10)
                pauses.append([pause_start.isoformat(), (pause_start + pause).isoformat()])
                due += pause
            late = (r >> 40) % 100 >= 82
            share = 1 + ((r >> 44) % 1000) / 1000 if late else 0.05 + ((r >> 44) % 950) / 1000
            stopped = received + (due - received) * share
            if stopped >= end:
                open_, stopped, pauses, due = True, None, [], received + length
        if open_ and (r >> 54) % 100 < 12:
            paused_at = received + min(age, length) / 2
        status = (
            "closed"
            if stopped is not None
            else "waiting-for-customer"
            if paused_at is not None
            else ("new", "assigned", "in-progress")[(r >> 58) % 3]
        )
        case = {
            "id": j,
            "organisation_id": organisation_id,
            "reference": f"B{j}",
            "case_type_id": setup.case_types[k].pk,
            "kind": "service-request",
            "title": f"Bench request {j}",
            "status": status,
            "service_id": setup.services[k].pk,
            "team_id": setup.teams[k].pk,
            "received_at": received,
            "due_at": due,
            "standard_code": code,
            "clock_paused_at": paused_at,
            "closed_at": stopped,
            "resolved_at": stopped,
            "created_at": received,
            "updated_at": stopped or received,
        }
        restarted = 1 if stopped is not None and (r >> 57) % 50 == 0 else 0
        clock_id += 1
        clocks = [
            {
                "id": clock_id,
                "organisation_id": organisation_id,
                "case_id": j,
                "standard_code": code,
                "is_primary": True,
                "amount": working_days,
                "unit": "working_days",
                "calendar_name": "organisation",
                "started_at": received,
                "due_at": due,
                "paused_at": paused_at,
                "pauses": json.dumps(pauses),
                "stopped_at": stopped,
                "is_met": None if stopped is None else stopped <= due,
                "restarted_count": restarted,
            }
        ]
        if j % 3 == 0:  # the e-mail standard's clock too: answered within 5 working days
            quick = timedelta(days=7)
            answered = received + quick * (((r >> 14) % 1200) / 1000)
            done = answered < end
            clock_id += 1
            clocks.append(
                {
                    "id": clock_id,
                    "organisation_id": organisation_id,
                    "case_id": j,
                    "standard_code": STANDARDS[2][0],
                    "is_primary": False,
                    "amount": STANDARDS[2][3],
                    "unit": "working_days",
                    "calendar_name": "organisation",
                    "started_at": received,
                    "due_at": received + quick,
                    "pauses": "[]",
                    "stopped_at": answered if done else None,
                    "is_met": (answered <= received + quick) if done else None,
                }
            )
        yield case, clocks


def _build(contacts: int, cases: int, *, rebuild: bool) -> Setup:
    from django.db import connection, transaction
    from django.utils import timezone

    from onestop.cases.models import Case, CaseClock, CaseType
    from onestop.contacts.models import Contact
    from onestop.core import reporting

    setup = _setup()
    built = _built_until(setup, contacts, cases)
    if built is not None and not rebuild:
        setup.end = built
        print(f"# kept: {contacts:,} contacts, {cases:,} cases (--rebuild to build again)")
        with connection.cursor() as cursor:
            for table in ("contacts_contact", "cases_case", "cases_caseclock"):
                # The statistics of any index a migration added since (as autovacuum would).
                cursor.execute(f"ANALYZE {table}")
        return setup
    today = timezone.localdate()
    end = datetime.combine(today, datetime.min.time(), tzinfo=reporting.LONDON)
    start = datetime.combine(
        date(today.year - YEARS, today.month, min(today.day, 28)),
        datetime.min.time(),
        tzinfo=reporting.LONDON,
    )
    days = (end - start).days
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own, for COPY
        # CASCADE: the rows of other tables that refer to these (the benchmark's own database).
        cursor.execute("TRUNCATE contacts_contact, cases_caseclock, cases_case CASCADE")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row is not None and row[0]:
            # The rows are consistent by construction: skip the per-row foreign-key checks.
            cursor.execute("SET LOCAL session_replication_role = replica")
        _copy(cursor, Contact, _contacts(setup, contacts, start, days))
        print(f"# {contacts:,} contacts in {time.perf_counter() - began:.0f} s")
        # The clocks are made with their cases; to keep memory flat they are written to an
        # anonymous temporary file (one JSON line each) as the cases stream into COPY, then
        # streamed from it into the clocks' COPY.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:

            def cases_only() -> Iterator[dict[str, Any]]:
                for case, clocks in _cases_and_clocks(setup, cases, start, end, days):
                    for clock in clocks:
                        spool.write(json.dumps(clock, default=str) + "\n")
                    yield case

            _copy(cursor, Case, cases_only())
            spool.seek(0)
            clock_count = _copy(cursor, CaseClock, (json.loads(line) for line in spool))
        for table in ("contacts_contact", "cases_case", "cases_caseclock"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # fixed names
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        # Marked as built only once every row is in (an interrupted build is built again).
        CaseType.objects.for_organisation(setup.organisation).filter(
            pk=setup.case_types[0].pk
        ).update(description=_marker(contacts, cases) + end.isoformat())
    with connection.cursor() as cursor:
        for table in ("contacts_contact", "cases_case", "cases_caseclock"):
            cursor.execute(f"VACUUM ANALYZE {table}")  # as autovacuum would leave them
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(
        f"generation: {contacts:,} contacts, {cases:,} cases, {clock_count:,} clocks over "
        f"{SERVICES} services in {time.perf_counter() - began:.0f} s; database size {size}"
    )
    setup.end = end
    return setup


# --- the baselines -------------------------------------------------------------------------------
COMPLIANCE_SQL = """
SELECT k.standard_code, c.service_id, c.team_id, GROUPING(c.service_id, c.team_id),
       count(*) FILTER (WHERE k.is_met),
       count(*) FILTER (WHERE NOT k.is_met),
       count(*) FILTER (WHERE k.stopped_at IS NULL AND k.paused_at IS NULL
                        AND k.due_at < %(now)s),
       count(*) FILTER (WHERE k.stopped_at IS NULL
                        AND (k.paused_at IS NOT NULL OR k.due_at >= %(now)s))
FROM cases_caseclock k JOIN cases_case c ON c.id = k.case_id
WHERE k.organisation_id = %(organisation)s
  AND CASE WHEN k.is_met THEN k.stopped_at ELSE k.due_at END >= %(starts)s
  AND CASE WHEN k.is_met THEN k.stopped_at ELSE k.due_at END < %(ends)s
GROUP BY GROUPING SETS ((k.standard_code, c.service_id), (k.standard_code, c.team_id),
                        (k.standard_code))
"""

VOLUMES_SQL = """
SELECT GROUPING(channel, direction, service_id, access_point_id, reason_id, outcome, hour,
                weekday, week, month, avoidable),
       channel, direction, service_id, access_point_id, reason_id, outcome, hour, weekday,
       week, month, avoidable,
       count(*), count(*) FILTER (WHERE inbound), count(*) FILTER (WHERE resolved),
       count(*) FILTER (WHERE repeat), count(*) FILTER (WHERE avoidable <> ''),
       count(*) FILTER (WHERE avoidable = ANY(%(avoidable)s))
FROM (SELECT channel, direction, service_id, access_point_id, reason_id, outcome, avoidable,
             extract(hour FROM received_at AT TIME ZONE 'Europe/London')::int AS hour,
             extract(isodow FROM received_at AT TIME ZONE 'Europe/London')::int AS weekday,
             date_trunc('week', received_at AT TIME ZONE 'Europe/London')::date AS week,
             date_trunc('month', received_at AT TIME ZONE 'Europe/London')::date AS month,
             direction = 'in' AS inbound,
             direction = 'in' AND outcome = 'resolved' AS resolved,
             repeat_of_id IS NOT NULL OR about_reference <> '' AS repeat
      FROM contacts_contact
      WHERE organisation_id = %(organisation)s
        AND received_at >= %(starts)s AND received_at < %(ends)s) AS x
GROUP BY GROUPING SETS ((), (channel), (direction), (service_id), (access_point_id),
                        (reason_id), (outcome), (hour), (weekday), (week), (month),
                        (avoidable))
"""

VISITORS_SQL = """
SELECT access_point_id, count(*),
       count(*) FILTER (WHERE seen_at IS NOT NULL),
       count(*) FILTER (WHERE seen_at <= arrived_at + interval '15 minutes'),
       count(*) FILTER (WHERE seen_at IS NULL AND left_at IS NOT NULL),
       count(*) FILTER (WHERE seen_at IS NULL AND left_at IS NULL),
       avg(seen_at - arrived_at), max(seen_at - arrived_at)
FROM contacts_visitorticket
WHERE organisation_id = %(organisation)s AND arrived_at >= %(starts)s AND arrived_at < %(ends)s
GROUP BY ROLLUP (access_point_id)
"""

VOLUME_DIMENSIONS = (
    "channel",
    "direction",
    "service",
    "access-point",
    "reason",
    "outcome",
    "hour",
    "weekday",
    "week",
    "month",
    "avoidable",
)

Figures = dict[tuple[str, str], tuple[int, ...]]


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _volume_figures(rows: list[tuple[Any, ...]], organisation: str) -> Figures:
    """The hand-written statement's rows as ``(dimension, value) -> counts``, named as the
    report names them."""
    found: Figures = {}
    for row in rows:
        keys_count = len(VOLUME_DIMENSIONS)
        grouping, keys = row[0], row[1 : keys_count + 1]
        counts = tuple(row[keys_count + 1 : keys_count + 7])
        if grouping == (1 << keys_count) - 1:
            found["organisation", organisation] = counts
            continue
        index = next(n for n in range(keys_count) if not grouping & (1 << (keys_count - 1 - n)))
        key = keys[index]
        if key is None or key == "":
            value = "none"
        elif isinstance(key, date):
            value = key.isoformat()
        else:
            value = str(key)
        if VOLUME_DIMENSIONS[index] == "avoidable":
            counts = counts[:1]  # the report's table by kind gives the contacts alone
        found[VOLUME_DIMENSIONS[index], value] = counts
    return found


def _as_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue().encode("utf-8")


def _rate(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def _compare(name: str, ours: Figures, baseline: Figures) -> None:
    keys = set(ours) | set(baseline)
    differ = sorted(key for key in keys if ours.get(key) != baseline.get(key))
    if differ:
        for key in differ[:10]:
            print(f"  {key}: report {ours.get(key)}, SQL {baseline.get(key)}")
        raise SystemExit(f"{name}: the report and the hand-written SQL disagree")
    print(f"# {name}: the report's {len(ours)} figure rows equal the hand-written SQL's")


def _median_pair(ours: Callable[[], object], baseline: Callable[[], object]) -> tuple[float, float]:
    """Median of RUNS each, interleaved (each side first every other run), after one warm run."""
    ours()
    baseline()
    ours_times: list[float] = []
    base_times: list[float] = []
    for number in range(RUNS):
        if number % 2:
            base_times.append(timed(baseline))
        ours_times.append(timed(ours))
        if not number % 2:
            base_times.append(timed(baseline))
    return statistics.median(ours_times), statistics.median(base_times)


def _line(name: str, ours: float, baseline: float, note: str = "") -> None:
    ratio = ours / baseline
    under = "yes" if ours < 5000 else "NO"
    within = "yes" if ratio <= 1.5 else "NO"
    print(
        f"{name}: ours {ours:.0f} ms, baseline {baseline:.0f} ms, ratio {ratio:.2f}"
        f"{note}; target under 5 s: {under}, within 1.5x: {within}"
    )


def _statements(run: Callable[[], object]) -> str:
    """How many statements ``run`` sends and the time the database took for them (as Django's
    query log measures it: the round trips included), to tell the SQL from the Python."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        total = timed(run)
    in_sql = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    return (
        f"# one build: {total:.0f} ms, {len(captured.captured_queries)} statements taking "
        f"{in_sql:.0f} ms; the rest is Python (the ORM, the tables, the links)"
    )


def _time_compliance(setup: Setup) -> None:
    from django.utils import timezone

    from onestop.core import reporting

    organisation = setup.organisation
    current = reporting.year_of(setup.end.date() - timedelta(days=1), financial=True)
    period = reporting.year_of(current.first - timedelta(days=1), financial=True)
    definition = reporting.report_named("standards-compliance")
    request = reporting.ReportRequest(organisation, period)
    slugs = {service.slug: service.pk for service in setup.services}
    team_ids = {team.name: team.pk for team in setup.teams}

    def ours() -> Any:
        return definition.build(request)

    def baseline() -> list[tuple[Any, ...]]:
        return _fetch(
            COMPLIANCE_SQL,
            {"now": timezone.now(), "organisation": organisation.pk, "starts": period.starts,
             "ends": period.ends},
        )  # fmt: skip

    output = ours()
    mine: Figures = {}
    for row in output.tables[0].rows:  # standard, service, measured, met, missed, open, ...
        service = "all" if row[1] == "all" else str(slugs[str(row[1])])
        mine["service", f"{row[0]}/{service}"] = (row[3], row[4], row[9], row[8])
    for row in output.tables[1].rows:  # team, standard, measured, met, missed, open, ...
        mine["team", f"{row[1]}/{team_ids[str(row[0])]}"] = (row[3], row[4], row[5])
    theirs: Figures = {}
    for code, service_id, team_id, grouping, met, missed, overdue, not_yet_due in baseline():
        if grouping == 0b01:
            theirs["service", f"{code}/{service_id}"] = (met, missed, overdue, not_yet_due)
        elif grouping == 0b10:
            theirs["team", f"{code}/{team_id}"] = (met, missed, overdue + not_yet_due)
        else:
            theirs["service", f"{code}/all"] = (met, missed, overdue, not_yet_due)
    _compare("standards_compliance", mine, theirs)
    measured = sum(sum(counts) for key, counts in theirs.items() if key[1].endswith("/all"))
    ours_ms, base_ms = _median_pair(ours, baseline)
    note = f" ({period.first} to {period.last}, {measured:,} clocks measured)"
    _line("standards_compliance", ours_ms, base_ms, note)
    print(_statements(ours))

    def ours_csv() -> bytes:
        return reporting.as_csv(ours())

    def baseline_csv() -> bytes:
        rows = [
            [
                code,
                service_id,
                team_id,
                met,
                missed,
                overdue + not_yet_due,
                _rate(met, met + missed + overdue),
            ]
            for code, service_id, team_id, _g, met, missed, overdue, not_yet_due in baseline()
        ]
        return _as_csv(["standard", "service", "team", "met", "missed", "open", "compliance"], rows)

    ours_ms, base_ms = _median_pair(ours_csv, baseline_csv)
    write_ms = statistics.median(timed(lambda: reporting.as_csv(output)) for _ in range(RUNS))
    _line(
        "standards_compliance_csv", ours_ms, base_ms, f" (of which the CSV write {write_ms:.1f} ms)"
    )


def _time_volumes(setup: Setup) -> None:
    from onestop.core import reporting

    organisation = setup.organisation
    period = reporting.month_of(setup.end.date().replace(day=1) - timedelta(days=1))
    definition = reporting.report_named("volumes")
    request = reporting.ReportRequest(organisation, period)
    from onestop.contacts.models import AVOIDABLE_KINDS

    params = {
        "organisation": organisation.pk,
        "starts": period.starts,
        "ends": period.ends,
        "avoidable": list(AVOIDABLE_KINDS),
    }

    def ours() -> Any:
        return definition.build(request)

    def baseline() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        return _fetch(VOLUMES_SQL, params), _fetch(VISITORS_SQL, params)

    output = ours()
    mine: Figures = {}
    for row in output.tables[0].rows:  # dimension, value, label, contacts, inbound, resolved, ...
        mine[str(row[0]), str(row[1])] = (row[3], row[4], row[5], row[7], row[8], row[9])
    kinds = next(table for table in output.tables if table.name == "avoidable")
    for value, _label, contacts, _share in kinds.rows:
        if contacts:  # the report lists every kind; the statement, those it found
            mine["avoidable", str(value)] = (contacts,)
    volume_rows, visitor_rows = baseline()
    theirs = _volume_figures(volume_rows, organisation.slug)
    mine["visitors", "all"] = tuple(output.tables[-1].rows[-1][2:4])
    all_visitors = [row for row in visitor_rows if row[0] is None]
    theirs["visitors", "all"] = tuple(all_visitors[0][1:3]) if all_visitors else (0, 0)
    _compare("volumes", mine, theirs)
    total = theirs["organisation", organisation.slug][0]
    ours_ms, base_ms = _median_pair(ours, baseline)
    _line("volumes", ours_ms, base_ms, f" ({period.first} to {period.last}, {total:,} contacts)")
    print(_statements(ours))

    def ours_csv() -> bytes:
        return reporting.as_csv(ours())

    def baseline_csv() -> bytes:
        rows, _visitors = baseline()
        return _as_csv(
            [
                "grouping",
                *VOLUME_DIMENSIONS,
                *("contacts", "inbound", "resolved", "rate", "repeats"),
                *("assessed", "avoidable", "avoidable_share"),
            ],
            [
                [*row[:15], _rate(row[14], row[13]), *row[15:18], _rate(row[17], row[16])]
                for row in rows
            ],
        )

    ours_ms, base_ms = _median_pair(ours_csv, baseline_csv)
    write_ms = statistics.median(timed(lambda: reporting.as_csv(output)) for _ in range(RUNS))
    _line("volumes_csv", ours_ms, base_ms, f" (of which the CSV write {write_ms:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument(
        "--database-name",
        default=os.environ.get("ONESTOP_BENCH_REPORTS_DB", "onestop_bench_reports"),
        help="the PostgreSQL database (default: $ONESTOP_BENCH_REPORTS_DB or "
        "onestop_bench_reports)",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="build (or check) the data, then stop"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    options = parser.parse_args()
    if options.database != "postgresql":
        print("bench/reports.py runs on PostgreSQL only (--database postgresql).", file=sys.stderr)
        raise SystemExit(2)
    contacts, cases = SCALES[options.scale]
    _configure(options.database_name)
    setup = _build(contacts, cases, rebuild=options.rebuild)
    if options.generate_only:
        return
    _time_compliance(setup)
    _time_volumes(setup)


if __name__ == "__main__":
    main()

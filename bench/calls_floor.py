"""Measurement, not a benchmark of the import: the least PostgreSQL itself takes to store the
calls of ``bench/calls_import.py``'s file as contacts and call records, against ``COPY`` of
the same file into a plain table (the import benchmark's baseline).

The file is copied into a plain table (timed: the baseline), then the rows the import would
write are made from it in SQL (not timed) as the text of a ``COPY``, as the import writes
them for a new organisation: a contact each (organisation, telephone access point, the times,
channel, direction, outcome) and a call record each (its contact, the call id, queue, run,
times, wait and talk seconds, outcome, agent's name, caller's number).  Each variant then runs
in a transaction of its own that is rolled back (the tables stay as they were): ids taken from
the contacts' sequence, ``COPY ... FROM STDIN`` into ``contacts_contact`` and into
``telephony_callrecord`` with their indexes and foreign keys, and the deferred foreign key
checks (``SET CONSTRAINTS ALL IMMEDIATE``), all timed.  Variants drop, inside their
transaction, the foreign key constraints or one index, so each one's cost is the difference.

Run: ``.venv/bin/python bench/calls_floor.py --count 100000 --database-name NAME`` (the
database of ``bench/calls_import.py --database postgresql``, migrated by it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)

CONTACTS = (
    "id, organisation_id, customer_id, received_at, answered_at, ended_at, channel, "
    "direction, service_id, access_point_id, staff_id, outcome, notes, about_reference, version"
)
CALLS = (
    "organisation_id, contact_id, source, external_id, queue_id, run_id, offered_at, "
    "answered_at, ended_at, wait_seconds, talk_seconds, outcome, agent_id, agent_name, "
    "caller_number, team_id"
)
NO_FOREIGN_KEYS = [
    "ALTER TABLE contacts_contact DROP CONSTRAINT {fk_contact_organisation}",
    "ALTER TABLE contacts_contact DROP CONSTRAINT {fk_contact_access_point}",
    "ALTER TABLE telephony_callrecord DROP CONSTRAINT {fk_call_contact}",
]
# (name, statements run inside the transaction before the timed part, COPY's format)
KEYED_BY_CONTACT = [
    "ALTER TABLE telephony_callrecord DROP CONSTRAINT telephony_callrecord_pkey",
    "ALTER TABLE telephony_callrecord DROP CONSTRAINT callrecord_one_per_contact",
    "ALTER TABLE telephony_callrecord ADD PRIMARY KEY (contact_id)",
]
# (name, statements run inside the transaction before the timed part, COPY's format)
VARIANTS: list[tuple[str, list[str], str]] = [
    ("as the schema is, COPY text", [], "text"),
    ("as the schema is, COPY binary", [], "binary"),
    ("no foreign key constraints", NO_FOREIGN_KEYS, "binary"),
    (
        "only the call record's contact checked",
        NO_FOREIGN_KEYS[:2],
        "binary",
    ),
    ("without contact_org_customer", ["DROP INDEX contact_org_customer"], "binary"),
    ("without contact_org_received", ["DROP INDEX contact_org_received"], "binary"),
    ("without callrecord_org_offered", ["DROP INDEX callrecord_org_offered"], "binary"),
    ("without callrecord_org_queue", ["DROP INDEX callrecord_org_queue"], "binary"),
    ("call record keyed by its contact (no id)", KEYED_BY_CONTACT, "binary"),
    (
        "no foreign keys, keyed by contact, no org_customer",
        [*NO_FOREIGN_KEYS, *KEYED_BY_CONTACT, "DROP INDEX contact_org_customer"],
        "binary",
    ),
]


PHASES: list[tuple[float, float, float]] = []


def _constraint(cursor: Any, table: str, column: str) -> str:
    cursor.execute(
        "SELECT conname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
        "AND a.attnum = c.conkey[1] WHERE c.conrelid = %s::regclass AND c.contype = 'f' "
        "AND a.attname = %s",
        [table, column],
    )
    return str(cursor.fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--count", type=int, help="calls in the file (default: 20,000 small, 100,000 full)"
    )
    # As every benchmark takes them (``make bench``): this one is PostgreSQL's alone.
    parser.add_argument("--scale", choices=["small", "full"], default="full")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--database-name", default="onestop_bench_calls")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each variant")
    parser.add_argument(
        "--variants", type=int, default=len(VARIANTS), help="only the first N variants"
    )
    options = parser.parse_args()
    if options.database != "postgresql":
        print("bench/calls_floor.py: PostgreSQL only, skipped")
        return
    if options.count is None:
        options.count = 20_000 if options.scale == "small" else 100_000
    configure("postgresql", options.database_name, "unused", debug_off=True)
    from django.db import connection

    from bench.calls_import import QUEUES, copy_baseline, write_file
    from onestop.core.models import Organisation
    from onestop.directory.models import AccessPoint, AccessPointKind
    from onestop.telephony.formats import GENERIC
    from onestop.telephony.models import CallImportRun, CallQueue

    path = write_file(options.count)
    organisation = Organisation.objects.create(
        slug=f"bench-floor-{int(time.time() * 1000)}",
        name="Bench Council",
        type="district-council",
        nation="england",
    )
    point = AccessPoint.objects.create(
        organisation=organisation, kind=AccessPointKind.TELEPHONE, name="Telephone"
    )
    run = CallImportRun.objects.create(
        organisation=organisation, started_at=organisation.created_at, file_name=path.name
    )
    for name in QUEUES:
        CallQueue.objects.create(
            organisation=organisation, source=GENERIC, name=name, access_point=point
        )
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = False
    cursor = raw.cursor()
    names = {
        "fk_contact_organisation": _constraint(cursor, "contacts_contact", "organisation_id"),
        "fk_contact_access_point": _constraint(cursor, "contacts_contact", "access_point_id"),
        "fk_call_contact": _constraint(cursor, "telephony_callrecord", "contact_id"),
    }
    baselines = [copy_baseline(path) for _ in range(options.repeat)]
    # The rows, as the import writes them, made from the file in SQL (not timed).
    cursor.execute(
        "CREATE TEMPORARY TABLE floor_calls (call_id text, queue text, offered_at timestamptz, "
        "answered_at timestamptz, ended_at timestamptz, outcome text, agent text, "
        "caller_number text)"
    )
    cursor.execute("SET TIME ZONE 'Europe/London'")
    with cursor.copy("COPY floor_calls FROM STDIN (FORMAT csv, HEADER)") as copy:
        copy.write(path.read_bytes())
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.execute("ALTER TABLE floor_calls ADD COLUMN n bigserial")
    raw.commit()
    print(
        f"floor for {options.count:,} calls; COPY into a plain table: "
        + ", ".join(f"{seconds:.3f} s" for seconds in baselines)
    )
    baseline = min(baselines)
    ids = (organisation.pk, point.pk, run.pk)
    for name, before, data_format in VARIANTS[: options.variants]:
        results = [_variant(raw, before, names, ids, data_format) for _ in range(options.repeat)]
        best = min(results)
        phases = "; ".join(f"contacts {a:.2f}, calls {b:.2f}, checks {c:.2f}" for a, b, c in PHASES)
        PHASES.clear()
        print(
            f"  {name:<42} "
            + ", ".join(f"{seconds:.3f} s" for seconds in results)
            + f"; best {best / baseline:.2f}x COPY ({phases})"
        )
    cursor.execute("DROP TABLE floor_calls")
    raw.commit()


def _variant(
    raw: Any,
    before: list[str],
    names: dict[str, str],
    ids: tuple[int, int, int],
    data_format: str,
) -> float:
    organisation_id, point_id, run_id = ids
    cursor = raw.cursor()
    for statement in before:
        cursor.execute(statement.format(**names))
    started = time.perf_counter()
    cursor.execute("SELECT pg_get_serial_sequence('contacts_contact', 'id')")
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM floor_calls")
    (count,) = cursor.fetchone()
    cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
    taken = [row[0] for row in cursor.fetchall()]
    seconds = time.perf_counter() - started
    # The rows, with the ids just taken (consecutive here: nobody else takes any), made in SQL
    # and read back as COPY's data, not timed: the import makes them as it checks the rows.
    shift = taken[0] - 1
    if taken[-1] != shift + count:
        raise SystemExit("the sequence's ids were not consecutive: run again")
    option = " (FORMAT BINARY)" if data_format == "binary" else ""
    # Only integers are spelt into the statements (ids and the shift).
    contacts = _data(
        cursor,
        f"SELECT n + {shift}, {organisation_id}::bigint, NULL::bigint, offered_at, "  # noqa: S608
        "answered_at, "
        "ended_at, 'telephone'::varchar, 'in'::varchar, NULL::bigint, "
        f"{point_id}::bigint, NULL::bigint, (CASE WHEN outcome = 'transferred' THEN "
        "'transferred' ELSE '' END)::varchar, ''::text, ''::varchar, 1 FROM floor_calls "
        "ORDER BY n",
        option,
    )
    calls = _data(
        cursor,
        f"SELECT {organisation_id}::bigint, n + {shift}, 'onestop-calls-v1'::varchar, "  # noqa: S608
        "call_id::varchar, (SELECT q.id FROM telephony_callqueue q WHERE q.organisation_id = "
        f"{organisation_id} AND q.name = queue), {run_id}::bigint, offered_at, answered_at, "
        "ended_at, extract(epoch FROM coalesce(answered_at, ended_at) - offered_at)::int, "
        "coalesce(extract(epoch FROM ended_at - answered_at)::int, 0), outcome::varchar, "
        "NULL::bigint, coalesce(agent, '')::varchar, coalesce(caller_number, '')::varchar, "
        "NULL::bigint FROM floor_calls ORDER BY n",
        option,
    )
    started = time.perf_counter()
    with cursor.copy(f"COPY contacts_contact ({CONTACTS}) FROM STDIN{option}") as copy:
        for block in contacts:
            copy.write(block)
    copied = time.perf_counter()
    with cursor.copy(f"COPY telephony_callrecord ({CALLS}) FROM STDIN{option}") as copy:
        for block in calls:
            copy.write(block)
    both = time.perf_counter()
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    checked = time.perf_counter()
    seconds += checked - started
    PHASES.append((copied - started, both - copied, checked - both))
    raw.rollback()
    raw.autocommit = True
    cursor.execute("VACUUM contacts_contact, telephony_callrecord")
    raw.autocommit = False
    return seconds


def _data(cursor: Any, select: str, option: str) -> list[bytes]:
    """What ``COPY (select) TO STDOUT`` sends, in its blocks."""
    with cursor.copy(f"COPY ({select}) TO STDOUT{option}") as copy:
        return [bytes(block) for block in copy]


if __name__ == "__main__":
    main()

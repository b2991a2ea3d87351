"""Benchmark: importing call records in the generic format (``onestop-calls-v1``) against
PostgreSQL ``COPY`` of the same file into a plain table.

Writes a deterministic file of N calls (``var/bench-calls-N.csv``: five queues, three agents,
a caller's number on four calls in five from a pool of 200,000, answered, abandoned, voicemail
and transferred calls, times with an offset and in London local time), then times:

* ``COPY``: ``COPY ... FROM STDIN (FORMAT csv, HEADER)`` of the file into a plain table of the
  same eight columns (text and ``timestamptz``), no index: the least any import can do;
* ``import``: ``telephony.services.import_calls`` as ``onestop calls import`` runs it, every
  rule checked, each call a contact and a call record, callers matched to customers, for a new
  organisation each run (its rows removed afterwards).

Each import runs in a process of its own, which prints its peak memory (maximum resident set
size): flat means the same for the smaller and the larger file.  Scales: ``small`` 2,000 and
20,000 calls, ``full`` 100,000 and 1,000,000 (the issue's; target: the import within 4x of
``COPY``).  On SQLite (``make bench``) there is no ``COPY``: the import's rate and memory are
printed alone.  The PostgreSQL database is ``onestop_bench_calls`` on the local socket (created
if missing), or ``--database-name``.  Run: ``.venv/bin/python bench/calls_import.py --scale
full --database postgresql``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)

SCALES = {"small": (2_000, 20_000), "full": (100_000, 1_000_000)}
QUEUES = ("Council Tax", "Benefits", "Waste and Recycling", "Housing Needs", "Switchboard")
AGENTS = ("asha.patel", "tom.hughes", "bea.osei")
HEADER = "call_id,queue,offered_at,answered_at,ended_at,outcome,agent,caller_number\n"
TARGET = 4.0


def write_file(count: int) -> Path:
    """The benchmark's file of ``count`` calls (written once, then reused)."""
    (ROOT / "var").mkdir(exist_ok=True)
    path = ROOT / "var" / f"bench-calls-{count}.csv"
    if path.exists():
        return path
    generator = random.Random(16)  # benchmark data
    pool = [f"0791{generator.randrange(1_000_000, 9_999_999)}" for _ in range(200_000)]
    start = datetime.datetime(2026, 1, 5, 8, 30, tzinfo=datetime.UTC)
    step = datetime.timedelta(seconds=max(1, (300 * 86_400) // count))
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for number in range(count):
            offered = start + step * number
            wait = generator.randrange(0, 240)
            roll = generator.random()
            if roll < 0.08:
                outcome, answered, ended = (
                    "abandoned",
                    "",
                    offered + datetime.timedelta(seconds=wait),
                )
            elif roll < 0.1:
                outcome, answered, ended = (
                    "voicemail",
                    "",
                    offered + datetime.timedelta(seconds=wait + 40),
                )
            else:
                outcome = "transferred" if roll < 0.14 else "answered"
                answered_at = offered + datetime.timedelta(seconds=wait)
                answered = answered_at.isoformat()
                ended = answered_at + datetime.timedelta(seconds=generator.randrange(30, 900))
            caller = generator.choice(pool) if generator.random() < 0.8 else ""
            # Every other call in London local time (no offset), as many exports write them.
            offered_text = (
                offered.isoformat()
                if number % 2
                else offered.astimezone(_london()).replace(tzinfo=None).isoformat()
            )
            if not number % 2 and _ambiguous(offered):
                offered_text = offered.isoformat()
            out.write(
                f"bench-{number:09d},{QUEUES[number % 5]},{offered_text},{answered},"
                f"{ended.isoformat()},{outcome},{AGENTS[number % 3] if answered else ''},{caller}\n"
            )
    partial.rename(path)
    return path


def _london() -> datetime.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


def _ambiguous(moment: datetime.datetime) -> bool:
    local = moment.astimezone(_london()).replace(tzinfo=None, fold=0)
    return (
        local.replace(tzinfo=_london()).utcoffset()
        != local.replace(tzinfo=_london(), fold=1).utcoffset()
    )


def _configure(database: str, name: str) -> None:
    configure(database, name, "bench-calls.sqlite3", debug_off=True)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def copy_baseline(path: Path) -> float:
    """Seconds to ``COPY`` the file into a plain table (PostgreSQL)."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_calls_copy")
        cursor.execute(
            "CREATE TABLE bench_calls_copy (call_id text, queue text, offered_at timestamptz, "
            "answered_at timestamptz, ended_at timestamptz, outcome text, agent text, "
            "caller_number text)"
        )
        raw.commit()
        cursor.execute("SET TIME ZONE 'Europe/London'")
        started = time.perf_counter()
        with (
            cursor.copy("COPY bench_calls_copy FROM STDIN (FORMAT csv, HEADER)") as copy,
            path.open("rb") as source,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        raw.commit()
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_calls_copy")
        raw.commit()
    return seconds


def child(path: Path) -> None:
    """Import ``path`` for a new organisation and print seconds and peak memory as JSON."""
    from django.db import connection

    from onestop.contacts.models import Contact
    from onestop.core.models import Organisation
    from onestop.telephony import services
    from onestop.telephony.models import CallQueue, CallRecord

    slug = f"bench-calls-{int(time.time() * 1000)}"
    organisation = Organisation.objects.create(
        slug=slug, name="Bench Council", type="district-council", nation="england"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with path.open("rb") as stream:
        run = services.import_calls(organisation, stream, by=None, file_name=path.name)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "seconds": seconds,
        "peak_kib": peak,
        "before_kib": before,
        "imported": run.imported,
        "refused": run.refused,
    }
    # Remove the calls the run wrote (the run and the audit trail stay: the trail refuses it).
    with connection.cursor() as cursor:
        for model in (CallRecord, Contact, CallQueue):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE organisation_id = %s",  # noqa: S608
                [organisation.pk],
            )
        if connection.vendor == "postgresql":
            # And their space: where autovacuum is off (or behind), the next run would write
            # into tables and indexes holding every earlier run's dead rows, and slow down
            # from one run to the next.
            tables = ", ".join(model._meta.db_table for model in (CallRecord, Contact))
            cursor.execute(f"VACUUM {tables}")
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--database-name",
        default=os.environ.get("ONESTOP_BENCH_CALLS_DB", "onestop_bench_calls"),
        help="the PostgreSQL database (default: $ONESTOP_BENCH_CALLS_DB or onestop_bench_calls)",
    )
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    options = parser.parse_args()
    _configure(options.database, options.database_name)
    if options.child:
        child(Path(options.child))
        return
    _migrate()
    print(f"calls import benchmark ({options.database}, {options.scale})")
    peaks = []
    for count in SCALES[options.scale]:
        path = write_file(count)
        baseline = copy_baseline(path) if options.database == "postgresql" else None
        done = subprocess.run(  # noqa: S603 - this script, fixed arguments
            [
                sys.executable,
                __file__,
                "--database",
                options.database,
                "--database-name",
                options.database_name,
                "--child",
                str(path),
            ],
            capture_output=True,
            check=False,
        )
        if done.returncode:
            sys.stderr.write(done.stderr.decode())
            raise SystemExit(1)
        result = json.loads(done.stdout.decode().strip().splitlines()[-1])
        if result["imported"] != count or result["refused"]:
            raise SystemExit(f"expected {count} imported, got {result}")
        seconds = result["seconds"]
        peaks.append(result["peak_kib"])
        line = (
            f"  {count:>9,} calls: import {seconds:7.2f} s ({count / seconds:9,.0f}/s), "
            f"peak memory {result['peak_kib'] / 1024:6.1f} MiB"
        )
        if baseline is not None:
            ratio = seconds / baseline
            line += f"; COPY {baseline:6.2f} s; import/COPY {ratio:4.2f}x (target {TARGET}x)"
        print(line)
    print(f"  peak memory, larger file / smaller: {peaks[1] / peaks[0]:.2f} (flat: about 1)")


if __name__ == "__main__":
    main()

"""Every write of the telephony app: importing call records and mapping queues.

``import_calls`` is the one door for call records: ``onestop calls import`` and the
administrators' upload page both call it.  It runs in one transaction, reading the file in
batches of ``BATCH`` rows (memory stays flat whatever the file's size): each batch's call ids
already stored (this organisation and source) are counted as already present, new queues are
created on the organisation's telephone access point, callers are matched to customers by
number, and the new calls are written as contacts (``contacts.services``) and call records in
one statement each.  A refused row is counted and kept with its line number and reason; with
``all_or_nothing`` a single refused row undoes every row written.  Imports of the same
organisation and source run one at a time (a lock), so two uploads of one file cannot both
write a call.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Min
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.contacts import services as contact_services
from onestop.contacts.models import Contact
from onestop.core import audit, bulk
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers.models import Phone
from onestop.directory import services as directory_services
from onestop.directory.models import AccessPoint, AccessPointKind, Service
from onestop.telephony import formats
from onestop.telephony.errors import TelephonyError
from onestop.telephony.models import (
    CallImportRefusal,
    CallImportRun,
    CallOutcome,
    CallQueue,
    CallRecord,
)

BATCH = 5000
REFUSALS_KEPT = 1000
TELEPHONE_ACCESS_POINT = "Telephone"
AGENT_CACHE = 10_000
# New queues one import may create: a file whose queue column is something else (a call id, a
# time) would otherwise create one queue per row for an administrator to clear up.
MAX_NEW_QUEUES = 100

Progress = Callable[[int], None]
OnRefused = Callable[[formats.Refused], None]


class _Undo(Exception):
    """Raised inside the rows' savepoint to undo them (all or nothing, a row refused)."""


@dataclass
class _Counts:
    read: int = 0
    imported: int = 0
    already_present: int = 0
    refused: int = 0


# --- queues ---------------------------------------------------------------------------------------
def telephone_access_point(organisation: Organisation, *, by: User | None) -> AccessPoint:
    """The organisation's telephone access point (the first by name), created when it has none."""
    found: AccessPoint | None = (
        AccessPoint.objects.for_organisation(organisation)
        .filter(kind=AccessPointKind.TELEPHONE)
        .order_by("name", "pk")
        .first()
    )
    if found is not None:
        return found
    return directory_services.create_access_point(
        organisation, by=by, kind=AccessPointKind.TELEPHONE, name=TELEPHONE_ACCESS_POINT
    )


def map_queue(
    queue: CallQueue,
    *,
    by: User | None,
    service: Service | None,
    access_point: AccessPoint,
) -> CallQueue:
    """Map a queue to a service and a telephone access point; the calls already imported from it
    follow (their contacts' service and access point change with the queue's)."""
    organisation_id = queue.organisation_id
    for chosen in (service, access_point):
        if chosen is not None and chosen.organisation_id != organisation_id:
            raise ServiceError(
                TelephonyError.WRONG_ORGANISATION, _("Choose one of your own"), field="service"
            )
    if access_point.kind != AccessPointKind.TELEPHONE:
        raise ServiceError(
            TelephonyError.NOT_A_TELEPHONE_ACCESS_POINT,
            _("Select a telephone access point"),
            field="access_point",
        )
    with transaction.atomic():
        before = {"service": queue.service_id, "access_point": queue.access_point_id}
        queue.service = service
        queue.access_point = access_point
        queue.save(update_fields=["service", "access_point", "updated_at"])
        moved = contact_services.reassign_telephone_contacts(
            queue.organisation,
            by=by,
            contact_ids=CallRecord.objects.for_organisation(organisation_id)
            .filter(queue=queue)
            .values("contact_id"),
            service=service,
            access_point=access_point,
        )
        after = {"service": queue.service_id, "access_point": queue.access_point_id}
        audit.record(
            organisation=organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=queue,
            summary=f"Call queue {queue.name} mapped ({moved} calls moved)"[:300],
            changes=audit.changed_fields(before, after),
        )
    return queue


# --- importing ------------------------------------------------------------------------------------
def import_calls(
    organisation: Organisation,
    stream: IO[bytes],
    *,
    by: User | None,
    format_name: str = formats.GENERIC,
    file_name: str = "",
    all_or_nothing: bool = False,
    progress: Progress | None = None,
    on_refused: OnRefused | None = None,
) -> CallImportRun:
    """Import the call records in ``stream`` (see the module's docstring and docs/calls.md).

    ``formats.ImportUnreadable`` (an unknown format, a file that is not UTF-8 text, a wrong
    header) is raised before any row is written, and nothing is changed."""
    mapping = formats.mapping_named(format_name)
    rows = formats.read(stream, mapping)
    first = next(rows, None)  # reads the header: an unreadable file fails here, nothing written
    counts = _Counts()
    kept: list[formats.Refused] = []

    def refuse(refused: formats.Refused) -> None:
        counts.refused += 1
        if len(kept) < REFUSALS_KEPT:
            kept.append(refused)
        if on_refused is not None:
            on_refused(refused)

    with transaction.atomic():
        _lock(organisation, mapping.source)
        run: CallImportRun = CallImportRun.objects.create(
            organisation=organisation,
            started_at=timezone.now(),
            by=by,
            file_name=file_name[:255],
            format=mapping.name,
            source=mapping.source,
            all_or_nothing=all_or_nothing,
        )
        writer = _Writer(organisation, run, mapping, by=by, refuse=refuse)
        latest = timezone.now() + datetime.timedelta(days=1)
        try:
            with transaction.atomic():
                if first is not None and _stageable(stream, mapping):
                    if _import_staged(
                        stream,
                        writer,
                        counts,
                        latest=latest,
                        all_or_nothing=all_or_nothing,
                        progress=progress,
                    ):
                        first = None  # done: the plain loop below has nothing to read
                        rows = iter(())
                    else:  # the plain path reads the file again from its start
                        stream.seek(0)
                        rows = formats.read(stream, mapping)
                        first = next(rows, None)
                batch: list[formats.Call] = []
                pending = [first] if first is not None else []
                for row in _chain(pending, rows):
                    counts.read += 1
                    if isinstance(row, formats.Refused):
                        refuse(row)
                        continue
                    try:
                        batch.append(formats.check(row, mapping, latest=latest))
                    except formats.Invalid as reason:
                        refuse(formats.Refused(row.line, str(reason)))
                        continue
                    if len(batch) >= BATCH:
                        writer.write(batch, counts, dry=all_or_nothing and counts.refused > 0)
                        batch = []
                        if progress is not None:
                            progress(counts.read)
                writer.write(batch, counts, dry=all_or_nothing and counts.refused > 0)
                if progress is not None:
                    progress(counts.read)
                if all_or_nothing and counts.refused:
                    raise _Undo
        except _Undo:
            counts.imported = 0
        run.imported = counts.imported
        run.already_present = counts.already_present
        run.refused = counts.refused
        run.finished_at = timezone.now()
        run.save(update_fields=["imported", "already_present", "refused", "finished_at"])
        bulk.insert_rows(
            CallImportRefusal,
            ("organisation_id", "run_id", "line", "reason"),
            [(organisation.pk, run.pk, refused.line, refused.reason[:300]) for refused in kept],
        )
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=run,
            summary=f"Call records imported from {file_name or 'a file'}: {run.summary}"[:300],
            changes={
                "format": mapping.name,
                "imported": run.imported,
                "already_present": run.already_present,
                "refused": run.refused,
                "all_or_nothing": all_or_nothing,
            },
        )
    return run


# --- the staged path (PostgreSQL, the generic format) -----------------------------------------
# A file of the generic format without a double quote is plain CSV that PostgreSQL's ``COPY``
# reads exactly as ``formats.read`` does: the file's bytes are copied into a table of text
# columns, and the rows whose every value is in the plainest form the rules allow (ISO 8601
# times of this century, printable ASCII names, a UK number or none) are checked and converted
# in SQL.  Every other row, and every row SQL would not accept, is checked by ``formats.check``
# row by row, so a refused row has the same reason and line as on the plain path.  A file that
# is not that plain (a quote, a blank line, bytes that are not UTF-8) is read by the plain path.
_SHAPES = "{%s}" % ",".join(  # noqa: UP031
    f'"0000-00-00{separator}00:00:00{fraction}{zone}"'
    for separator in "T "
    for fraction in ("", ".000", ".000000")
    for zone in ("", "Z", "+00:00", "-00:00")
)
# Printable ASCII, starting with a letter or digit (not a formula) and not ending with a space.
_NAME = "^[A-Za-z0-9]([ -~]*[!-~])?$"
RAW_COLUMNS = formats.GENERIC_HEADER


class _NotPlain(Exception):
    """The file is not plain enough for ``COPY``: the plain path reads it."""


def _stageable(stream: IO[bytes], mapping: formats.Mapping) -> bool:
    if connection.vendor != "postgresql" or mapping is not formats.GENERIC_MAPPING:
        return False
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _time_sql(column: str) -> str:
    """SQL for the instant of the text ``column`` when it is a plain ISO 8601 time (with an
    offset, or London wall-clock time that happens exactly once), else NULL.  Every cast runs
    only after the text's shape (each digit made 0) and each field's range are checked
    (``CASE`` keeps the order; comparisons of digits in the "C" collation).  Cheaper than a
    regular expression, which costs PostgreSQL several times the cast."""
    wall = f"{column}::timestamp"
    as_utc = f"({wall} AT TIME ZONE 'UTC')"
    winter = f"(({as_utc}) AT TIME ZONE 'Europe/London' = {wall})"
    summer = f"(({as_utc} - interval '1 hour') AT TIME ZONE 'Europe/London' = {wall})"

    def part(start: int, length: int) -> str:
        return f'substr({column}, {start}, {length}) COLLATE "C"'

    days = (
        f"CASE substr({column}, 6, 2) WHEN '02' THEN "
        f"CASE WHEN mod(substr({column}, 3, 2)::int, 4) = 0 THEN '29' ELSE '28' END "
        "WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30' "
        "WHEN '11' THEN '30' ELSE '31' END"
    )
    offset = f"substr({column}, length({column}) - 5, 1) IN ('+', '-')"
    return (
        f"CASE WHEN translate({column}, '0123456789', '0000000000') = ANY('{_SHAPES}') "
        f"AND left({column}, 2) = '20' THEN "
        f"CASE WHEN {part(6, 2)} BETWEEN '01' AND '12' AND {part(12, 2)} <= '23' "
        f"AND {part(15, 1)} <= '5' AND {part(18, 1)} <= '5' THEN "
        f"CASE WHEN {part(9, 2)} BETWEEN '01' AND {days} THEN "
        f"CASE WHEN {offset} THEN "
        f"CASE WHEN substr(right({column}, 5), 1, 2) COLLATE \"C\" <= '14' "
        f"AND substr(right({column}, 2), 1, 1) COLLATE \"C\" <= '5' "
        f"THEN {column}::timestamptz END "
        f"WHEN right({column}, 1) = 'Z' THEN {column}::timestamptz "
        f"WHEN {winter} <> {summer} THEN "
        f"CASE WHEN {winter} THEN {as_utc} ELSE {as_utc} - interval '1 hour' END "
        "END END END END"
    )


def _staged_select() -> str:
    """The statement that checks and converts the plain rows of the raw table (``{raw}``)."""
    caller = (
        "CASE WHEN caller_number IS NULL THEN '' "
        "WHEN translate(caller_number, '0123456789', '0000000000') IN "
        "('00000000000', '0000000000') AND left(caller_number, 1) = '0' "
        "AND substr(caller_number, 2, 1) <> '0' THEN '+44' || substr(caller_number, 2) "
        "WHEN translate(caller_number, '0123456789', '0000000000') IN "
        "('+000000000000', '+00000000000') AND left(caller_number, 3) = '+44' "
        "AND substr(caller_number, 4, 1) <> '0' THEN caller_number END"
    )
    # Only fixed text and column names: the one value (the latest time) is a parameter.
    return (
        "SELECT line, call_id, queue, o, a, e, "  # noqa: S608
        "floor(extract(epoch FROM coalesce(a, e) - o))::int, "
        "coalesce(floor(extract(epoch FROM e - a))::int, 0), outcome, coalesce(agent, ''), "
        "caller, outcome = 'transferred' "
        f"FROM (SELECT line, call_id, queue, outcome, agent, answered_at, {caller} AS caller, "
        f"{_time_sql('offered_at')} AS o, {_time_sql('answered_at')} AS a, "
        # OFFSET 0 keeps the subquery a subquery: each time is worked out once per row, not
        # once per mention in the conditions below.
        f"{_time_sql('ended_at')} AS e FROM {{raw}} OFFSET 0) AS parsed "
        "WHERE o IS NOT NULL AND e IS NOT NULL AND (answered_at IS NULL OR a IS NOT NULL) "
        "AND caller IS NOT NULL "
        "AND call_id ~ '^[!-~]+$' AND length(call_id) <= 200 "
        f"AND queue ~ '{_NAME}' AND length(queue) <= 200 "
        f"AND (agent IS NULL OR (agent ~ '{_NAME}' AND length(agent) <= 150)) "
        "AND outcome IN ('answered', 'abandoned', 'voicemail', 'transferred') "
        "AND NOT (outcome = 'answered' AND a IS NULL) "
        "AND NOT (a IS NOT NULL AND outcome IN ('abandoned', 'voicemail')) "
        "AND e >= o AND (a IS NULL OR (o <= a AND a <= e)) "
        "AND e - o <= interval '24 hours' AND o <= %s"
    )


def _import_staged(
    stream: IO[bytes],
    writer: _Writer,
    counts: _Counts,
    *,
    latest: datetime.datetime,
    all_or_nothing: bool,
    progress: Progress | None,
) -> bool:
    """Import a plain file of the generic format set-based (see above); ``False`` when the
    file is not plain, nothing changed then and nothing reported."""
    import psycopg

    quote = connection.ops.quote_name
    raw = quote("telephony_import_raw")
    try:
        with transaction.atomic():
            stream.seek(0)
            stream.readline()  # the header, checked by ``formats.read``
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{raw}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {raw} (line bigint GENERATED ALWAYS AS IDENTITY "
                    "(START WITH 2), "
                    + ", ".join(f"{quote(column)} text" for column in RAW_COLUMNS)
                    + ") ON COMMIT DROP"
                )
            lines, ended, crlf = _copy_raw(stream, raw, progress)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {raw}")  # noqa: S608
                (copied,) = cursor.fetchone()
            if copied != lines:  # a blank line, or "\\." (the end of COPY's data) on its own
                raise _NotPlain
    except (_NotPlain, psycopg.Error, DatabaseError):
        return False
    counts.read = lines
    stage = writer._staging()
    stage_columns = ", ".join(quote(column) for column in STAGE_COPIED if column != "staff_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {stage.table} ({stage_columns}) "
            + _staged_select().replace("{raw}", raw),
            [latest],
        )
        # Temporary tables have no statistics until analysed: without them the planner takes
        # the tables for small ones and joins them row by row.
        cursor.execute(f"ANALYZE {raw}")
        cursor.execute(f"ANALYZE {stage.table}")
    _check_the_rest(raw, stage, writer, lines=lines, ended=ended, crlf=crlf, latest=latest)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {stage.table}")  # noqa: S608
        (valid,) = cursor.fetchone()
    fresh = writer.ready_stage()  # the first row of each call id not stored yet
    counts.already_present += valid - fresh
    if not (all_or_nothing and counts.refused):
        counts.imported += writer.write_ready()
    return True


def _copy_raw(stream: IO[bytes], raw: str, progress: Progress | None) -> tuple[int, bool, bool]:
    """Copy the rest of ``stream`` into ``raw``; returns how many lines it holds, whether the
    last one ends with a line break and whether lines end with CR LF (``COPY`` takes one line
    ending for the whole file).  ``_NotPlain`` at the first double quote."""
    newlines = 0
    crlf = False
    last = b"\n"
    statement = f"COPY {raw} ({', '.join(RAW_COLUMNS)}) FROM STDIN (FORMAT csv, ENCODING 'UTF8')"
    with bulk.bound_cursor() as cursor, cursor.copy(statement) as copy:
        while chunk := stream.read(1 << 20):
            if b'"' in chunk:
                raise _NotPlain
            shown = newlines // BATCH
            newlines += chunk.count(b"\n")
            if progress is not None:  # the rows read so far, a batch at a time
                for batch in range(shown + 1, newlines // BATCH + 1):
                    progress(batch * BATCH)
            crlf = crlf or b"\r" in chunk
            last = chunk[-1:]
            copy.write(chunk)
    ended = last == b"\n"
    return newlines + (0 if ended else 1), ended, crlf


def _check_the_rest(
    raw: str,
    stage: bulk.Staging,
    writer: _Writer,
    *,
    lines: int,
    ended: bool,
    crlf: bool,
    latest: datetime.datetime,
) -> None:
    """The rows of ``raw`` SQL did not accept, checked by ``formats.check`` in the file's
    order: refused with their line and reason, or copied into the staging table."""
    import psycopg

    last_line = lines + 1  # the header is line 1
    with psycopg.ServerCursor(connection.connection, "telephony_import_rest") as cursor:
        cursor.execute(
            f"SELECT line, {', '.join(RAW_COLUMNS)} FROM {raw} AS raw "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {stage.table} AS staged "
            "WHERE staged.line = raw.line) ORDER BY line"
        )
        while found := cursor.fetchmany(BATCH):
            checked = []
            for line, *cells in found:
                values = [cell or "" for cell in cells]
                # The line as ``formats.read`` measures it: with its line break.
                length = len(",".join(values))
                if line != last_line or ended:
                    length += 2 if crlf else 1
                if length > formats.MAX_LINE:
                    writer.refuse(
                        formats.Refused(
                            line, f"the line is longer than {formats.MAX_LINE} characters"
                        )
                    )
                    continue
                try:
                    call = formats.check(
                        formats.RawCall(line, *values[:8]),  # type: ignore[arg-type]
                        formats.GENERIC_MAPPING,
                        latest=latest,
                    )
                except formats.Invalid as reason:
                    writer.refuse(formats.Refused(line, str(reason)))
                    continue
                checked.append(call)
            stage.copy(
                [column for column in STAGE_COPIED if column != "staff_id"],
                [
                    (
                        call.line,
                        call.call_id,
                        call.queue,
                        call.offered_at,
                        call.answered_at,
                        call.ended_at,
                        call.wait_seconds,
                        call.talk_seconds,
                        call.outcome,
                        call.agent,
                        call.caller_number,
                        call.outcome == CallOutcome.TRANSFERRED,
                    )
                    for call in checked
                ],
            )


def _chain(
    pending: list[formats.RawCall | formats.Refused],
    rows: Iterator[formats.RawCall | formats.Refused],
) -> Iterator[formats.RawCall | formats.Refused]:
    yield from pending
    yield from rows


def _lock(organisation: Organisation, source: str) -> None:
    """One import at a time per organisation and source (PostgreSQL; SQLite has one writer)."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(
        hashlib.sha256(f"telephony:{organisation.pk}:{source}".encode()).digest()[:8],
        "big",
        signed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


class _Writer:
    """Writes batches of checked calls: queues, customers and agents looked up per batch."""

    def __init__(
        self,
        organisation: Organisation,
        run: CallImportRun,
        mapping: formats.Mapping,
        *,
        by: User | None,
        refuse: Callable[[formats.Refused], None],
    ) -> None:
        self.organisation = organisation
        self.run = run
        self.refuse = refuse
        self.new_queues = 0
        self.source = mapping.source
        self.by = by
        self.queues: dict[str, tuple[int, int | None, int]] = {
            name: (pk, service_id, access_point_id)
            for name, pk, service_id, access_point_id in CallQueue.objects.for_organisation(
                organisation
            )
            .filter(source=self.source)
            .values_list("name", "pk", "service_id", "access_point_id")
        }
        self.agents: dict[str, int | None] = {}
        self._telephone: AccessPoint | None = None
        self._stage: bulk.Staging | None = None

    def write(self, batch: list[formats.Call], counts: _Counts, *, dry: bool) -> None:
        if not batch:
            return
        unique: dict[str, formats.Call] = {}
        for call in batch:
            if call.call_id in unique:
                counts.already_present += 1  # the same call twice in the file: the first counts
            else:
                unique[call.call_id] = call
        present = self._present(list(unique))
        counts.already_present += len(present)
        new = [call for call_id, call in unique.items() if call_id not in present]
        if dry or not new:
            return
        self._add_queues({call.queue for call in new})
        if any(call.queue not in self.queues for call in new):
            for call in new:
                if call.queue not in self.queues:
                    self.refuse(
                        formats.Refused(
                            call.line,
                            f"queue {call.queue[:40]!r} is new, and this file already added "
                            f"{MAX_NEW_QUEUES} new queues: check the file's queue column",
                        )
                    )
            new = [call for call in new if call.queue in self.queues]
            if not new:
                return
        agents = self._agents({call.agent for call in new if call.agent})
        if connection.vendor == "postgresql":
            self._write_staged(new, agents)
            counts.imported += len(new)
            return
        customers = self._customers({call.caller_number for call in new if call.caller_number})
        contact_ids = contact_services.record_telephone_contacts(
            self.organisation,
            by=self.by,
            calls=[
                contact_services.TelephoneContact(
                    customer_id=customers.get(call.caller_number),
                    received_at=call.offered_at,
                    answered_at=call.answered_at,
                    ended_at=call.ended_at,
                    service_id=self.queues[call.queue][1],
                    access_point_id=self.queues[call.queue][2],
                    staff_id=agents.get(call.agent),
                    transferred=call.outcome == CallOutcome.TRANSFERRED,
                )
                for call in new
            ],
        )
        # New calls only (looked up above, under the import's lock): COPY on PostgreSQL.
        bulk.copy_rows(
            CallRecord,
            CALL_COLUMNS,
            [
                (
                    self.organisation.pk,
                    contact_id,
                    self.source,
                    call.call_id,
                    self.queues[call.queue][0],
                    self.run.pk,
                    call.offered_at,
                    call.answered_at,
                    call.ended_at,
                    call.wait_seconds,
                    call.talk_seconds,
                    call.outcome,
                    agents.get(call.agent),
                    call.agent,
                    call.caller_number,
                )
                for contact_id, call in zip(contact_ids, new, strict=True)
            ],
        )
        counts.imported += len(new)

    def _write_staged(self, new: list[formats.Call], agents: dict[str, int | None]) -> None:
        """PostgreSQL: ``new`` (calls not yet stored, their queues known) copied into the
        import's staging table, then written set-based: each call's queue (service, access
        point) and customer looked up by join, the contacts inserted by ``contacts.services``
        and the call records from the same rows, in the file's order."""
        stage = self._staging()
        stage.copy(
            STAGE_COPIED,
            [
                (
                    call.line,
                    call.call_id,
                    call.queue,
                    call.offered_at,
                    call.answered_at,
                    call.ended_at,
                    call.wait_seconds,
                    call.talk_seconds,
                    call.outcome,
                    agents.get(call.agent),
                    call.agent,
                    call.caller_number,
                    call.outcome == CallOutcome.TRANSFERRED,
                )
                for call in new
            ],
        )
        quote = connection.ops.quote_name
        staged = stage.table
        queue_table = quote(CallQueue._meta.db_table)
        owners, owner_params = self._owners(staged)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {staged} AS staged SET queue_id = queue.id, "  # noqa: S608
                "service_id = queue.service_id, access_point_id = queue.access_point_id "
                f"FROM {queue_table} AS queue WHERE queue.organisation_id = %s "
                "AND queue.source = %s AND queue.name = staged.queue",
                [self.organisation.pk, self.source],
            )
            cursor.execute(
                f"UPDATE {staged} AS staged SET customer_id = owned.owner "  # noqa: S608
                f"FROM ({owners}) AS owned WHERE owned.number = staged.caller_number",
                owner_params,
            )
        contact_services.record_staged_telephone_contacts(
            self.organisation, by=self.by, stage=stage
        )
        columns = ", ".join(quote(column) for column in CALL_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(CallRecord._meta.db_table)} ({columns}) "  # noqa: S608
                "SELECT %s, contact_id, %s, external_id, queue_id, %s, received_at, "
                "answered_at, ended_at, wait_seconds, talk_seconds, outcome, staff_id, "
                f"agent_name, caller_number FROM {staged} ORDER BY line",
                [self.organisation.pk, self.source, self.run.pk],
            )
        stage.clear()

    def ready_stage(self) -> int:
        """The staged path: the first row of each call id in the staging table (every valid
        row of the file) that this organisation does not have yet from this source, with its
        queue, agent and customer looked up by join, into a table of its own; returns how
        many."""
        stage = self._staging()
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT agent_name FROM {stage.table} "  # noqa: S608
                "WHERE agent_name <> ''"
            )
            agents = self._agents({name for (name,) in cursor.fetchall()})
        known = sorted((name, user_id) for name, user_id in agents.items() if user_id is not None)
        owners, owner_params = self._owners(stage.table)
        ready = quote("telephony_import_ready")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")  # sorting a million call ids
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{ready}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {ready} ON COMMIT DROP AS "  # noqa: S608
                "SELECT staged.line, staged.external_id, staged.queue, staged.received_at, "
                "staged.answered_at, staged.ended_at, staged.wait_seconds, "
                "staged.talk_seconds, staged.outcome, agent.id AS staff_id, "
                "staged.agent_name, staged.caller_number, staged.transferred, "
                "queue.id AS queue_id, queue.service_id, queue.access_point_id, "
                "owned.owner AS customer_id, NULL::bigint AS contact_id "
                f"FROM (SELECT DISTINCT ON (external_id) * FROM {stage.table} "
                "ORDER BY external_id, line) AS staged "
                f"LEFT JOIN {quote(CallQueue._meta.db_table)} AS queue "
                "ON queue.organisation_id = %s AND queue.source = %s "
                "AND queue.name = staged.queue "
                "LEFT JOIN unnest(%s::text[], %s::bigint[]) AS agent (name, id) "
                "ON agent.name = staged.agent_name "
                f"LEFT JOIN ({owners}) AS owned ON owned.number = staged.caller_number "
                f"WHERE NOT EXISTS (SELECT 1 FROM {quote(CallRecord._meta.db_table)} AS stored "
                "WHERE stored.organisation_id = %s AND stored.source = %s "
                "AND stored.external_id = staged.external_id)",
                [
                    self.organisation.pk,
                    self.source,
                    bulk.array_text([name for name, _ in known]),
                    bulk.array_text([user_id for _, user_id in known]),
                    *owner_params,
                    self.organisation.pk,
                    self.source,
                ],
            )
            fresh: int = cursor.rowcount
        return fresh

    def write_ready(self) -> int:
        """The staged path: the rows ``ready_stage`` kept written as contacts and call records,
        in the file's order, after creating their new queues (a row whose queue is new once
        the file has added ``MAX_NEW_QUEUES`` is refused); returns how many."""
        quote = connection.ops.quote_name
        ready = quote("telephony_import_ready")
        queue_table = quote(CallQueue._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT queue FROM {ready} WHERE queue_id IS NULL"  # noqa: S608
            )
            missing = {name for (name,) in cursor.fetchall()}
        if missing:
            self._add_queues(missing)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ready} AS staged SET queue_id = queue.id, "  # noqa: S608
                    "service_id = queue.service_id, access_point_id = queue.access_point_id "
                    f"FROM {queue_table} AS queue WHERE staged.queue_id IS NULL "
                    "AND queue.organisation_id = %s AND queue.source = %s "
                    "AND queue.name = staged.queue",
                    [self.organisation.pk, self.source],
                )
                cursor.execute(
                    f"DELETE FROM {ready} WHERE queue_id IS NULL "  # noqa: S608
                    "RETURNING line, queue"
                )
                for line, queue in sorted(cursor.fetchall()):
                    self.refuse(
                        formats.Refused(
                            line,
                            f"queue {queue[:40]!r} is new, and this file already added "
                            f"{MAX_NEW_QUEUES} new queues: check the file's queue column",
                        )
                    )
        written = contact_services.record_staged_telephone_contacts(
            self.organisation,
            by=self.by,
            stage=bulk.Staging(table=ready, columns=READY_COLUMNS, types=()),
        )
        columns = ", ".join(quote(column) for column in CALL_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(CallRecord._meta.db_table)} ({columns}) "  # noqa: S608
                "SELECT %s, contact_id, %s, external_id, queue_id, %s, received_at, "
                "answered_at, ended_at, wait_seconds, talk_seconds, outcome, staff_id, "
                f"agent_name, caller_number FROM {ready} ORDER BY line",
                [self.organisation.pk, self.source, self.run.pk],
            )
        return written

    def _owners(self, staged: str) -> tuple[str, Any]:
        """SQL (and its parameters) for the number and its one owner (a customer not merged)
        of each caller's number in the table ``staged``, where exactly one customer of the
        organisation has it: the ORM's own query for the organisation's phones."""
        sql: str
        params: Any
        sql, params = (
            Phone.objects.for_organisation(self.organisation)
            .filter(
                customer__merged_into__isnull=True,
                # The staging table's name: a plain name checked by ``bulk.staging``.
                number__in=RawSQL(  # noqa: S611  # nosec B611
                    f"SELECT caller_number FROM {staged} WHERE caller_number <> ''",  # noqa: S608
                    [],
                ),
            )
            .values("number")
            .annotate(owners=Count("customer_id", distinct=True), owner=Min("customer_id"))
            .filter(owners=1)
            .values("number", "owner")
            .query.sql_with_params()
        )
        return sql, params

    def _staging(self) -> bulk.Staging:
        if self._stage is None:
            self._stage = bulk.staging(
                "telephony_import_stage",
                [
                    ("line", CallImportRefusal, "line"),
                    ("external_id", CallRecord, "external_id"),
                    ("queue", CallQueue, "name"),
                    ("received_at", CallRecord, "offered_at"),
                    ("answered_at", CallRecord, "answered_at"),
                    ("ended_at", CallRecord, "ended_at"),
                    ("wait_seconds", CallRecord, "wait_seconds"),
                    ("talk_seconds", CallRecord, "talk_seconds"),
                    ("outcome", CallRecord, "outcome"),
                    ("staff_id", CallRecord, "agent"),
                    ("agent_name", CallRecord, "agent_name"),
                    ("caller_number", CallRecord, "caller_number"),
                    ("transferred", CallImportRun, "all_or_nothing"),  # a boolean
                    ("queue_id", CallRecord, "queue"),
                    ("service_id", Contact, "service"),
                    ("access_point_id", Contact, "access_point"),
                    ("customer_id", Contact, "customer"),
                    ("contact_id", CallRecord, "contact"),
                ],
            )
        return self._stage

    def _present(self, call_ids: list[str]) -> set[str]:
        """Which of ``call_ids`` this organisation already has from this source."""
        return {
            external_id
            for (external_id,) in _any_of(
                CallRecord.objects.for_organisation(self.organisation)
                .filter(source=self.source)
                .values_list("external_id"),
                "external_id",
                call_ids,
            )
        }

    def _add_queues(self, names: set[str]) -> None:
        missing = sorted(names - set(self.queues))
        if not missing:
            return
        if self._telephone is None:
            self._telephone = telephone_access_point(self.organisation, by=self.by)
        for name in missing:
            if self.new_queues >= MAX_NEW_QUEUES:
                return
            self.new_queues += 1
            queue = CallQueue.objects.create(
                organisation=self.organisation,
                source=self.source,
                name=name,
                access_point=self._telephone,
            )
            audit.record(
                organisation=self.organisation,
                by=self.by,
                action=AuditAction.CREATED,
                obj=queue,
                summary=f"Call queue {name} first seen in an import, to be mapped"[:300],
            )
            self.queues[name] = (queue.pk, None, self._telephone.pk)

    def _customers(self, numbers: set[str]) -> dict[str, int]:
        """Number -> the one customer (not merged) who has it; numbers two customers share, or
        nobody has, are left out."""
        if not numbers:
            return {}
        owners: dict[str, set[int]] = {}
        for number, customer_id in _any_of(
            Phone.objects.for_organisation(self.organisation)
            .filter(customer__merged_into__isnull=True)
            .values_list("number", "customer_id"),
            "number",
            sorted(numbers),
        ):
            owners.setdefault(number, set()).add(customer_id)
        return {number: next(iter(ids)) for number, ids in owners.items() if len(ids) == 1}

    def _agents(self, names: set[str]) -> dict[str, int | None]:
        """Agent name -> the staff user of this organisation with that username (as written, or
        with the organisation's ``@slug``), case-insensitively; ``None`` when there is none."""
        unknown = [name for name in names if name not in self.agents]
        if unknown:
            if len(self.agents) > AGENT_CACHE:
                self.agents.clear()
            suffix = f"@{self.organisation.slug}"
            wanted = {name.lower(): name for name in unknown}
            wanted.update({f"{name.lower()}{suffix}": name for name in unknown})
            for name in unknown:
                self.agents[name] = None
            for user_id, username in (
                User.objects.filter(organisation=self.organisation, is_active=True)
                .annotate(lowered=Lower("username"))
                .filter(lowered__in=sorted(wanted))
                .values_list("pk", "username")
            ):
                original = wanted.get(username.lower())
                if original is not None:
                    self.agents[original] = user_id
        return {name: self.agents.get(name) for name in names}


def _any_of(queryset: Any, column: str, values: list[str]) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` (a ``values_list``) whose ``column`` is one of ``values``.

    On PostgreSQL the values go as one array parameter: an ``IN`` list of thousands of
    placeholders costs more to build and parse than the statement takes to run."""
    if connection.vendor == "postgresql":
        values = RawSQL("SELECT unnest(%s::text[])", [bulk.array_text(values)])  # type: ignore[assignment]
    return bulk.fetch_rows(queryset.filter(**{f"{column}__in": values}))


STAGE_COPIED = (
    "line",
    "external_id",
    "queue",
    "received_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "outcome",
    "staff_id",
    "agent_name",
    "caller_number",
    "transferred",
)
READY_COLUMNS = (
    "line",
    "contact_id",
    "customer_id",
    "received_at",
    "answered_at",
    "ended_at",
    "service_id",
    "access_point_id",
    "staff_id",
    "transferred",
)
CALL_COLUMNS = (
    "organisation_id",
    "contact_id",
    "source",
    "external_id",
    "queue_id",
    "run_id",
    "offered_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "outcome",
    "agent_id",
    "agent_name",
    "caller_number",
)

"""Every write of the telephony app: importing call records and mapping queues.

``import_calls`` is the one door for call records: ``onestop calls import`` and the
administrators' upload page both call it.  It runs in one transaction, reading the file in
batches of ``BATCH`` rows (memory stays flat whatever the file's size): each batch's call ids
already stored (this organisation and source) are counted as already present, new queues are
created on the organisation's telephone access point, callers are matched to customers by
number, and the new calls are written as contacts (``contacts.services``) and call records in
one statement each.  Every refused row is counted and kept with its line number and reason
(spooled to a temporary file while the rows are read, so memory stays flat however many are
refused, and written after them in batches); with ``all_or_nothing`` a single refused row undoes
every row written, never the refusals.  Imports of the same
organisation and source run one at a time (a lock), so two uploads of one file cannot both
write a call.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.contacts import services as contact_services
from onestop.core import audit, bulk
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers.models import Phone
from onestop.directory import services as directory_services
from onestop.directory.models import AccessPoint, AccessPointKind, Service, Team
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
REFUSAL_LENGTH = 300  # CallImportRefusal.reason's max_length
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
    skipped: int = 0


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


def add_queue(
    organisation: Organisation,
    *,
    by: User | None,
    source: str,
    name: str,
    access_point: AccessPoint,
    service: Service | None = None,
    team: Team | None = None,
) -> CallQueue:
    """Add a queue before any of its calls is imported, mapped at once (the demo council's
    queues, so its calls carry their teams from the first import); an import adds the queues it
    meets that are not there yet."""
    with transaction.atomic():
        queue = CallQueue.objects.create(
            organisation=organisation,
            source=source,
            name=name,
            access_point=access_point,
        )
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=queue,
            summary=f"Call queue {name} added"[:300],
        )
        return map_queue(queue, by=by, service=service, access_point=access_point, team=team)


def map_queue(
    queue: CallQueue,
    *,
    by: User | None,
    service: Service | None,
    access_point: AccessPoint,
    team: Team | None = None,
) -> CallQueue:
    """Map a queue to a service, a telephone access point and the team that answers it (none:
    no team).  The calls already imported from it follow the service and access point (their
    contacts' change with the queue's) but keep the team the queue had when each was imported,
    so a past period's per-team figures stay as they were; calls imported from now on carry
    the new team."""
    organisation_id = queue.organisation_id
    for chosen, name in ((service, "service"), (access_point, "access_point"), (team, "team")):
        if chosen is not None and chosen.organisation_id != organisation_id:
            raise ServiceError(
                TelephonyError.WRONG_ORGANISATION, _("Choose one of your own"), field=name
            )
    if access_point.kind != AccessPointKind.TELEPHONE:
        raise ServiceError(
            TelephonyError.NOT_A_TELEPHONE_ACCESS_POINT,
            _("Select a telephone access point"),
            field="access_point",
        )
    with transaction.atomic():
        before = {
            "service": queue.service_id,
            "access_point": queue.access_point_id,
            "team": queue.team_id,
        }
        queue.service = service
        queue.access_point = access_point
        queue.team = team
        queue.save(update_fields=["service", "access_point", "team", "updated_at"])
        moved = contact_services.reassign_telephone_contacts(
            queue.organisation,
            by=by,
            contact_ids=CallRecord.objects.for_organisation(organisation_id)
            .filter(queue=queue)
            .values("contact_id"),
            service=service,
            access_point=access_point,
        )
        after = {
            "service": queue.service_id,
            "access_point": queue.access_point_id,
            "team": queue.team_id,
        }
        audit.record(
            organisation=organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=queue,
            summary=f"Call queue {queue.name} mapped ({moved} calls moved)"[:300],
            changes=audit.changed_fields(before, after),
        )
    return queue


def record_refusals_download(
    run: CallImportRun, *, by: User, ip_address: str | None = None
) -> None:
    """Audit a download of every refused row of ``run`` (their reasons can quote what the file
    held, a caller's number among it): an export of personal data."""
    with transaction.atomic():
        audit.record(
            organisation=run.organisation_id,
            by=by,
            action=AuditAction.EXPORTED,
            obj=run,
            summary=f"Refused rows of call import {run.pk} downloaded as CSV: {run.refused} rows",
            changes={"run": run.pk, "rows": run.refused},
            ip_address=ip_address,
        )


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
    with _RefusalSpool() as spool:

        def refuse(refused: formats.Refused) -> None:
            counts.refused += 1
            spool.add(refused)
            if on_refused is not None:
                on_refused(refused)

        return _import_rows(
            organisation,
            mapping,
            first,
            rows,
            counts,
            spool,
            refuse,
            by=by,
            file_name=file_name,
            all_or_nothing=all_or_nothing,
            progress=progress,
        )


class _RefusalSpool:
    """Every refused row of one import, in a temporary file (memory stays flat however many
    rows are refused: a million-row file of the wrong format refuses them all), read back in
    batches once the rows are written, so the refusals are stored even when all or nothing
    undoes the calls."""

    def __enter__(self) -> _RefusalSpool:
        self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file)
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def add(self, refused: formats.Refused) -> None:
        self.writer.writerow([refused.line, refused.reason[:REFUSAL_LENGTH]])

    def store(self, run: CallImportRun) -> None:
        """Write the spooled refusals as ``CallImportRefusal`` rows, ``BATCH`` at a time."""
        self.file.flush()
        self.file.seek(0)
        batch: list[tuple[int, int, int, str]] = []
        for line, reason in csv.reader(self.file):
            batch.append((run.organisation_id, run.pk, int(line), reason))
            if len(batch) >= BATCH:
                _insert_refusals(batch)
                batch = []
        _insert_refusals(batch)


def _insert_refusals(batch: list[tuple[int, int, int, str]]) -> None:
    bulk.insert_rows(CallImportRefusal, ("organisation_id", "run_id", "line", "reason"), batch)


def _import_rows(
    organisation: Organisation,
    mapping: formats.Mapping,
    first: formats.RawCall | formats.Refused | formats.Skipped | None,
    rows: Iterator[formats.RawCall | formats.Refused | formats.Skipped],
    counts: _Counts,
    spool: _RefusalSpool,
    refuse: Callable[[formats.Refused], None],
    *,
    by: User | None,
    file_name: str,
    all_or_nothing: bool,
    progress: Progress | None,
) -> CallImportRun:
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
                batch: list[formats.Call] = []
                pending = [first] if first is not None else []
                for row in _chain(pending, rows):
                    counts.read += 1
                    if isinstance(row, formats.Skipped):
                        counts.skipped += 1
                        continue
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
        run.skipped = counts.skipped
        run.finished_at = timezone.now()
        run.save(update_fields=["imported", "already_present", "refused", "skipped", "finished_at"])
        spool.store(run)
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
                "skipped": run.skipped,
                "all_or_nothing": all_or_nothing,
            },
        )
    return run


def _chain(
    pending: list[formats.RawCall | formats.Refused | formats.Skipped],
    rows: Iterator[formats.RawCall | formats.Refused | formats.Skipped],
) -> Iterator[formats.RawCall | formats.Refused | formats.Skipped]:
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
        # Name -> (id, service, access point, team): read under the import's lock, so every
        # call of the run carries the team its queue has while it is imported.
        rows = (
            CallQueue.objects.for_organisation(organisation)
            .filter(source=self.source)
            .values_list("name", "pk", "service_id", "access_point_id", "team_id")
        )
        self.queues: dict[str, tuple[int, int | None, int, int | None]] = {
            name: (pk, service_id, access_point_id, team_id)
            for name, pk, service_id, access_point_id, team_id in rows
        }
        self.agents: dict[str, int | None] = {}
        self._telephone: AccessPoint | None = None

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
        organisation_id, run_id, source, queues = (
            self.organisation.pk,
            self.run.pk,
            self.source,
            self.queues,
        )
        bulk.copy_rows(
            CallRecord,
            CALL_COLUMNS,
            [
                (
                    organisation_id,
                    contact_id,
                    source,
                    call.call_id,
                    queues[call.queue][0],
                    run_id,
                    call.offered_at,
                    call.answered_at,
                    call.ended_at,
                    call.wait_seconds,
                    call.talk_seconds,
                    call.outcome,
                    agents.get(call.agent),
                    call.agent,
                    call.caller_number,
                    queues[call.queue][3],
                )
                for contact_id, call in zip(contact_ids, new, strict=True)
            ],
        )
        counts.imported += len(new)

    def _present(self, call_ids: list[str]) -> set[str]:
        """Which of ``call_ids`` this organisation already has from this source."""
        return bulk.present_values(
            CallRecord.objects.for_organisation(self.organisation).filter(source=self.source),
            "external_id",
            call_ids,
        )

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
            self.queues[name] = (queue.pk, None, self._telephone.pk, None)

    def _customers(self, numbers: set[str]) -> dict[str, int]:
        """Number -> the one customer (not merged) who has it; numbers two customers share, or
        nobody has, are left out."""
        if not numbers:
            return {}
        owners: dict[str, set[int]] = {}
        for number, customer_id in _any_of(
            Phone.objects.for_organisation(self.organisation)
            .filter(customer__merged_into__isnull=True)
            .order_by()
            .values_list("number", "customer_id"),
            "number",
            sorted(numbers),
        ):
            owners.setdefault(number, set()).add(customer_id)
        return {number: next(iter(ids)) for number, ids in owners.items() if len(ids) == 1}

    def _agents(self, names: set[str]) -> dict[str, int | None]:
        """Agent name -> the staff user of this organisation with that username (as written, or
        with or without the organisation's ``@slug``), case-insensitively; ``None`` when there
        is none.  Every spelling is looked up on its own: ``jo``, ``JO`` and ``jo@council`` in
        one batch are each matched (a username as written wins over one with ``@slug`` added
        or taken away)."""
        unknown = [name for name in names if name not in self.agents]
        if unknown:
            if len(self.agents) > AGENT_CACHE:
                self.agents.clear()
            suffix = f"@{self.organisation.slug}".lower()
            candidates: dict[str, tuple[str, ...]] = {}
            for name in unknown:
                lowered = name.lower()
                bare = lowered.removesuffix(suffix)
                candidates[name] = (lowered, f"{lowered}{suffix}", bare) if bare else (lowered,)
            wanted = sorted({key for keys in candidates.values() for key in keys})
            found: dict[str, int] = {}
            for user_id, lowered in (
                User.objects.filter(organisation=self.organisation, is_active=True)
                .annotate(lowered=Lower("username"))
                .filter(lowered__in=wanted)
                .order_by("pk")
                .values_list("pk", "lowered")
            ):
                found.setdefault(lowered, user_id)
            for name, keys in candidates.items():
                self.agents[name] = next((found[key] for key in keys if key in found), None)
        return {name: self.agents.get(name) for name in names}


def _any_of(queryset: Any, column: str, values: list[str]) -> list[tuple[Any, ...]]:
    """The rows of ``queryset`` (a ``values_list``) whose ``column`` is one of ``values``.

    On PostgreSQL the values go as one array parameter (``column = ANY(array)``, see
    ``bulk.AnyText``): an ``IN`` list of thousands of placeholders costs more to build and
    parse than the statement takes to run."""
    if connection.vendor == "postgresql":
        return bulk.fetch_rows(queryset.filter(bulk.AnyText(F(column), values)))
    return bulk.fetch_rows(queryset.filter(**{f"{column}__in": values}))


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
    "team_id",
)

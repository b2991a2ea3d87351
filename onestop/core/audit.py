"""The audit trail: who created, changed, viewed or exported what, from where.

One append-only chain per organisation.  Each record's hash covers its own fields and the
previous record's hash, so editing or deleting any row breaks every later link; the chain head
row (locked while appending) makes concurrent appends queue rather than fork.  Services call
``record`` inside their own transaction, so the audit row commits or rolls back with the change.

The database refuses to update or delete records, to rewind the head or to truncate either
table (migration ``core.0003``); records leave only through ``purge`` (retention), which on
PostgreSQL is the owner's ``SECURITY DEFINER`` function ``core_audit_purge``.  Signed
checkpoints of the heads, kept outside the database (``core.audit_checkpoint``), show records
cut from the tail by someone who could get past all of that.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from django.db import DatabaseError, connection, transaction
from django.db.models import Field, Min, Model
from django.utils import timezone

from onestop.core.models import AuditAction, AuditChainHead, AuditRecord, Organisation, User
from onestop.core.text import HIDDEN, REPLACEMENT_CHARACTER

GENESIS_HASH = "0" * 64

# The records ``record`` holds back inside ``deferred()`` (None: written at once).
_pending: ContextVar[list[AuditRecord] | None] = ContextVar("onestop_audit_pending", default=None)


def _canonical_text(record: AuditRecord, sequence: object, previous_hash: object) -> str:
    payload = {
        "organisation": record.organisation_id,
        "sequence": sequence,
        "at": record.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": record.actor_id,
        "actor_label": record.actor_label,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "summary": record.summary,
        "changes": record.changes,
        "ip_address": record.ip_address,
        "previous_hash": previous_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)


def _canonical(record: AuditRecord) -> bytes:
    return _canonical_text(record, record.sequence, record.previous_hash).encode()


def compute_hash(record: AuditRecord) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


def object_type_of(obj: Model | type[Model]) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def record(
    *,
    organisation: Organisation | int,
    by: User | None,
    action: AuditAction,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditRecord:
    """Append one record to the organisation's chain, inside the caller's transaction."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or str(obj.pk)
    entry = _entry(
        organisation_id=organisation_id,
        by=by,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        changes=changes or {},
        ip_address=ip_address,
    )
    pending = _pending.get()
    if pending is not None:
        entry.at = timezone.now()
        pending.append(entry)
        return entry
    return _write(entry, asynchronous=False)


@contextmanager
def deferred() -> Iterator[None]:
    """Inside a transaction that is all or nothing: the records ``record`` appends while the
    block runs are written when it ends, together (one statement on PostgreSQL, whatever their
    number), in the order and with the times they were recorded, each linked to the one
    before exactly as ``record`` links them (``verify`` checks them the same way).

    For a batch of work that is rolled back whole when any part fails (the IMAP poller's
    messages, ``core.batch.without_savepoints``): a part rolled back alone to a savepoint
    would leave its records here, so no block inside may be rolled back and then carried on
    from.  ``record`` answers the record unsaved (no id, sequence or hash yet).  When the
    block raises, nothing is written (the transaction is being rolled back).  Nested: the outer
    block writes them."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.deferred() belongs inside transaction.atomic()")
    if _pending.get() is not None:
        yield
        return
    pending: list[AuditRecord] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    write_many(pending)


def write_many(entries: list[AuditRecord]) -> None:
    """Append ``entries`` (their own fields and ``at`` set, as ``deferred`` holds them) to
    their organisations' chains in this order: one statement on PostgreSQL
    (``core_audit_append_many``, migrations ``core.0009`` and ``core.0011``), three each on
    SQLite."""
    if not entries:
        return
    if connection.vendor != "postgresql":
        for entry in entries:
            _append(entry)
        return
    _append_many_in_one_statement(entries)


def _entry(
    *,
    organisation_id: int,
    by: User | None,
    action: AuditAction,
    object_type: str,
    object_id: str,
    summary: str,
    changes: dict[str, Any],
    ip_address: str | None,
) -> AuditRecord:
    """A record's own fields, cut to their columns' lengths; the chain's come when written."""
    return AuditRecord(
        organisation_id=organisation_id,
        actor=by,
        actor_label=(by.username if by is not None else "system")[:200],
        action=action,
        object_type=object_type[:100],
        object_id=object_id[:100],
        summary=summary[:300],
        changes=changes,
        ip_address=ip_address,
    )


def _write(entry: AuditRecord, *, asynchronous: bool) -> AuditRecord:
    """Append ``entry`` to its organisation's chain: one statement on PostgreSQL, three (in
    an atomic block of their own) on SQLite; ``asynchronous``: ``_append_in_one_statement``."""
    if connection.vendor == "postgresql":
        return _append_in_one_statement(entry, asynchronous=asynchronous)
    return _append(entry)


def _append(entry: AuditRecord) -> AuditRecord:
    """Lock the head, insert ``entry`` after it and move the head: three statements."""
    organisation_id = entry.organisation_id
    # Inside the caller's transaction no savepoint of its own: a failed append fails the
    # caller's write too, and three statements (lock, insert, move the head) are all it costs.
    with transaction.atomic(savepoint=False):
        # Lock the head so two writers of the same organisation cannot both extend one link.
        locked = AuditChainHead.objects.select_for_update(of=("self",))
        head = locked.filter(organisation_id=organisation_id).first()
        if head is None:  # the organisation's first record
            AuditChainHead.objects.get_or_create(
                organisation_id=organisation_id, defaults={"hash": GENESIS_HASH}
            )
            head = locked.get(organisation_id=organisation_id)
        entry.sequence = head.sequence + 1
        if entry.at is None:  # held back by ``deferred``: the time it was recorded
            entry.at = timezone.now()
        entry.previous_hash = head.hash
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
        head.sequence = entry.sequence
        head.hash = entry.hash
        head.save(update_fields=["sequence", "hash"])
    return entry


_APPEND_SQL = "SELECT * FROM core_audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
_AT, _CHANGES, _IP_ADDRESS = (
    cast("Field[Any, Any]", AuditRecord._meta.get_field(name))
    for name in ("at", "changes", "ip_address")
)


def _append_in_one_statement(entry: AuditRecord, *, asynchronous: bool) -> AuditRecord:
    """``_append`` on PostgreSQL in one statement: the function ``core_audit_append``
    (migration ``core.0006``) locks the head, inserts the record and moves the head.

    The record's canonical JSON (what ``compute_hash`` hashes) is written here with two holes,
    the previous hash and the sequence, which only the locked head knows: the function fills
    them in and hashes the text, so the hash is the one ``verify`` recomputes.  The holes are
    marked by a random token nobody can put into the record's own text.  ``asynchronous``
    (a list read that is its transaction's only write) lets the commit skip the WAL flush.
    """
    entry.at = timezone.now()
    before, after = _holes(entry)
    with connection.cursor() as cursor:
        cursor.execute(
            _APPEND_SQL,
            [
                entry.organisation_id,
                _AT.get_db_prep_save(entry.at, connection),
                entry.actor_id,
                entry.actor_label,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.summary,
                _CHANGES.get_db_prep_save(entry.changes, connection),
                _IP_ADDRESS.get_db_prep_save(entry.ip_address, connection),
                before,
                after,
                asynchronous,
            ],
        )
        entry.pk, entry.sequence, entry.previous_hash, entry.hash = cursor.fetchone()
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


_APPEND_MANY_SQL = (
    "SELECT * FROM core_audit_append_many(%s::bigint[], %s::timestamptz[], %s::bigint[], "
    "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
    "%s::text[], %s::text[])"
)


def _holes(entry: AuditRecord) -> tuple[str, str]:
    """The record's canonical JSON before and after the chain's part (see
    ``_append_in_one_statement``)."""
    token = secrets.token_hex(16)
    text = _canonical_text(entry, f"{token}s", f"{token}p")
    hole = f'"previous_hash":"{token}p","sequence":"{token}s"'
    before, found, after = text.partition(hole)
    if not found or text.count(token) != 2:
        raise AssertionError("the audit record's canonical text lost its place for the chain")
    return before + '"previous_hash":', after


def _append_many_in_one_statement(entries: list[AuditRecord]) -> None:
    """``_append_in_one_statement`` for many records, one round trip: ``core_audit_append_many``
    (migration ``core.0011``) locks each organisation's head once, hashes and inserts the
    records in turn as ``core_audit_append`` does, and moves the head once per run of one
    organisation's records; the head's trigger checks every record it passes."""
    from onestop.core.bulk import array_text

    holes = [_holes(entry) for entry in entries]
    encoder = cast("Any", _CHANGES).encoder
    columns: list[list[Any]] = [
        [entry.organisation_id for entry in entries],
        [_AT.get_db_prep_save(entry.at, connection) for entry in entries],
        [entry.actor_id for entry in entries],
        [entry.actor_label for entry in entries],
        [str(entry.action) for entry in entries],
        [entry.object_type for entry in entries],
        [entry.object_id for entry in entries],
        [entry.summary for entry in entries],
        [json.dumps(entry.changes, cls=encoder) for entry in entries],
        [entry.ip_address for entry in entries],
        [before for before, _after in holes],
        [after for _before, after in holes],
    ]
    with connection.cursor() as cursor:
        # Each column as the text of its array (``core.bulk.array_text``: one escaping pass in
        # C), not as a list psycopg would spell out value by value, with a regular expression
        # per quote, into the statement (the records' JSON is mostly quotes).
        cursor.execute(_APPEND_MANY_SQL, [array_text(column) for column in columns])
        rows = cursor.fetchall()
    if len(rows) != len(entries):
        raise AssertionError("core_audit_append_many did not append every record")
    for entry, (pk, sequence, previous_hash, hash_) in zip(entries, rows, strict=True):
        entry.pk, entry.sequence, entry.previous_hash, entry.hash = (
            pk,
            sequence,
            previous_hash,
            hash_,
        )
        entry._state.adding = False
        entry._state.db = connection.alias


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for every field whose value changed (for ``changes``)."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def plain(value: Any) -> Any:
    """``value`` as the trail's JSON holds it: dates, times and date-times as ISO text, a model
    as its id, lists and tuples item by item (``changes`` written by ``record_change``)."""
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def record_change(
    obj: Model,
    *,
    by: User | None,
    action: AuditAction,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditRecord:
    """``record`` for an action on ``obj``, an organisation's row: its organisation, type and
    id come from it, and each value of ``changes`` is made ``plain``.  The one helper services
    use for their own audit records (inside their transaction, like ``record``)."""
    return record(
        organisation=obj.organisation_id,  # type: ignore[attr-defined]
        by=by,
        action=action,
        obj=obj,
        summary=summary,
        changes={name: plain(value) for name, value in (changes or {}).items()},
    )


@dataclass(frozen=True)
class ChainBreak:
    organisation_id: int
    sequence: int
    reason: str

    def __str__(self) -> str:
        return f"organisation {self.organisation_id}: record {self.sequence}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    organisation_id: int
    records: int
    broken: ChainBreak | None
    purged_through: int = 0


def _verify_chain(organisation_id: int) -> ChainReport:
    head = AuditChainHead.objects.filter(organisation_id=organisation_id).first()
    # A retention purge removed the oldest records: the chain starts after its anchor.
    purged_through = head.purged_through if head is not None else 0
    expected_previous = head.purged_hash if head is not None else GENESIS_HASH
    expected_sequence = purged_through + 1
    count = 0
    rows: Iterator[AuditRecord] = (
        AuditRecord.objects.for_organisation(organisation_id).order_by("sequence").iterator(2000)
    )
    for row in rows:
        count += 1
        if row.sequence != expected_sequence:
            return ChainReport(
                organisation_id,
                count,
                ChainBreak(organisation_id, expected_sequence, "missing (deleted)"),
                purged_through,
            )
        if row.previous_hash != expected_previous:
            return ChainReport(
                organisation_id,
                count,
                ChainBreak(organisation_id, row.sequence, "does not follow the record before it"),
                purged_through,
            )
        if compute_hash(row) != row.hash:
            return ChainReport(
                organisation_id,
                count,
                ChainBreak(organisation_id, row.sequence, "was edited after it was written"),
                purged_through,
            )
        expected_previous = row.hash
        expected_sequence += 1
    if head is not None and (
        head.sequence != expected_sequence - 1 or head.hash != expected_previous
    ):
        return ChainReport(
            organisation_id,
            count,
            ChainBreak(
                organisation_id, expected_sequence, "missing at the end of the chain (deleted)"
            ),
            purged_through,
        )
    return ChainReport(organisation_id, count, None, purged_through)


def verify() -> list[ChainReport]:
    """Recompute every organisation's chain; each report names its first broken link, if any."""
    organisation_ids = sorted(
        set(Organisation.objects.values_list("pk", flat=True))
        | set(AuditChainHead.objects.values_list("organisation_id", flat=True))
    )
    return [_verify_chain(organisation_id) for organisation_id in organisation_ids]


def viewed(obj: Model, *, by: User, ip_address: str | None = None, summary: str = "") -> None:
    """Record that ``by`` looked at personal data in ``obj``."""
    record(
        organisation=obj.organisation_id,  # type: ignore[attr-defined]
        by=by,
        action=AuditAction.VIEWED,
        obj=obj,
        summary=summary,
        ip_address=ip_address,
    )


class PurgeRefused(ValueError):
    """A retention purge asked for records younger than the retention period allows."""


def retention_days() -> int:
    """The database's minimum retention of audit records (``core_audit_retention``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT minimum_days FROM core_audit_retention")
        row = cursor.fetchone()
    return int(row[0])


def purge(*, organisation: Organisation | int, before: datetime, by: User | None) -> int:
    """Remove the oldest records of one chain, those before ``before`` (retention).

    Only a prefix of the chain goes (up to the first record at or after ``before``) and only if
    ``before`` is at least the retention period ago; the head keeps the last removed record's
    sequence and hash so ``verify`` starts there, and the purge is itself recorded.  On
    PostgreSQL the owner's ``SECURITY DEFINER`` function ``core_audit_purge`` does the deleting,
    so the application's role needs no DELETE on the audit table.  Returns how many went.
    """
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    with transaction.atomic():
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT core_audit_purge(%s, %s)", [organisation_id, before])
                    row = cursor.fetchone()
            except DatabaseError as error:
                if "are kept for" in str(error):
                    raise PurgeRefused(str(error).splitlines()[0]) from error
                raise
            deleted = int(row[0])
        else:
            deleted = _purge_without_roles(organisation_id, before)
        if deleted:
            head = AuditChainHead.objects.get(organisation_id=organisation_id)
            record(
                organisation=organisation_id,
                by=by,
                action=AuditAction.DELETED,
                object_type=object_type_of(AuditRecord),
                summary=(
                    f"{deleted} audit records before {before.astimezone(UTC):%Y-%m-%d %H:%M} UTC "
                    "purged (retention)"
                ),
                changes={"purged_through": head.purged_through, "purged_hash": head.purged_hash},
            )
    return deleted


def _purge_without_roles(organisation_id: int, before: datetime) -> int:
    """``core_audit_purge`` for SQLite, which has no roles or functions: the same rules."""
    minimum_days = retention_days()
    latest = timezone.now() - timedelta(days=minimum_days)
    if before > latest:
        raise PurgeRefused(
            f"audit records are kept for {minimum_days} days: purge only before {latest}"
        )
    head = (
        AuditChainHead.objects.select_for_update().filter(organisation_id=organisation_id).first()
    )
    if head is None:
        return 0
    records = AuditRecord.objects.for_organisation(organisation_id)
    first_kept = records.filter(at__gte=before).aggregate(first=Min("sequence"))["first"]
    through = first_kept - 1 if first_kept is not None else head.sequence
    if through <= head.purged_through:
        return 0
    last_hash = records.values_list("hash", flat=True).get(sequence=through)
    with purge_window("retention purge"):
        AuditChainHead.objects.filter(pk=head.pk).update(
            purged_through=through, purged_hash=last_hash
        )
        deleted, _by_model = records.filter(sequence__lte=through).delete()
    return deleted


# --- list reads and searches ---------------------------------------------------------------------
LIST_READ_ID_LIMIT = 100
"""Up to this many ids are written out; a longer list is recorded as its SHA-256 digest."""
_QUERY_VALUE_LENGTH = 200


def _query_text(value: object) -> str:
    """A query value as text the database will take (PostgreSQL refuses NUL in text and jsonb)."""
    return HIDDEN.sub(REPLACEMENT_CHARACTER, str(value))[:_QUERY_VALUE_LENGTH]


def ids_digest(ids: Iterable[object]) -> str:
    """SHA-256 of the ids as text, one per line in the order they were shown."""
    return hashlib.sha256("\n".join(str(value) for value in ids).encode()).hexdigest()


def record_list_read(
    user: User,
    *,
    what: str,
    ids: Iterable[object],
    query: Mapping[str, object] | None = None,
    action: AuditAction = AuditAction.LISTED,
    ip_address: str | None = None,
) -> AuditRecord | None:
    """Record that ``user`` read a list of personal data: one record per request.

    ``what`` names the rows (``"cases.case"``), ``query`` the search text and filters as given
    (``None``, ``False`` and ``""`` left out), ``ids`` the rows shown, in order.  The record
    keeps the count and the ids, or their ``ids_digest`` when there are more than
    ``LIST_READ_ID_LIMIT``; one INSERT into the chain, whatever the number of rows.  A user of
    no organisation reads no organisation's rows (the scoped managers answer nothing), so
    nothing is recorded for them.
    """
    if user.organisation_id is None:
        return None
    shown = [str(value) for value in ids]
    filters = {
        _query_text(name): _query_text(value)
        for name, value in (query or {}).items()
        if value is not None and value is not False and value != ""  # 0 is a filter
    }
    changes: dict[str, Any] = {"query": filters, "count": len(shown)}
    if len(shown) > LIST_READ_ID_LIMIT:
        changes["ids_sha256"] = ids_digest(shown)
    else:
        changes["ids"] = shown
    described = ", ".join(f"{name}={value}" for name, value in filters.items())
    entry = _entry(
        organisation_id=user.organisation_id,
        by=user,
        action=action,
        object_type=what,
        object_id="",
        # The kind is the record's type ("Case" on the trail's page); the summary says how
        # many and how they were chosen, in words, never the model label ("cases.case").
        summary=f"{len(shown)} {action}" + (f", filtered by {described}" if described else ""),
        changes=changes,
        ip_address=ip_address,
    )
    # Alone (no caller's transaction), the record is its transaction's only write: one
    # autocommit statement, which commits without waiting for the WAL flush.  A PostgreSQL
    # crash can lose the newest list reads' records (at most 3 x wal_writer_delay), never half
    # of one nor a link of the chain; a caller's own transaction (with writes of its own)
    # keeps its setting.
    return _write(entry, asynchronous=not connection.in_atomic_block)


@contextmanager
def purge_window(opened_by: str) -> Iterator[None]:
    """Let this connection delete audit records and heads while the block runs: the retention
    purge on SQLite, and the test runner's database reset.

    On SQLite a row in ``core_audit_purge_window`` opens it.  On PostgreSQL it turns on
    ``onestop.audit_purge`` for the session, which the triggers honour only for the tables'
    owner (the role that ran the migrations), never for the application's role.  Either way
    ``verify`` still reports any gap, and a checkpoint any missing tail.
    """
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # Nested windows (a purge inside a test's window) restore what was there.
            cursor.execute(
                "SELECT coalesce(current_setting('onestop.audit_purge', true), ''),"
                " set_config('onestop.audit_purge', 'on', false)"
            )
            opened = cursor.fetchone()[0]
        else:
            cursor.execute(
                "INSERT INTO core_audit_purge_window (opened_by) VALUES (%s)", [opened_by[:200]]
            )
            opened = cursor.lastrowid
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SELECT set_config('onestop.audit_purge', %s, false)", [opened])
            else:
                cursor.execute("DELETE FROM core_audit_purge_window WHERE rowid = %s", [opened])

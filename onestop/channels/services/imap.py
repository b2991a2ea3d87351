"""Shared mailboxes read over IMAP: their settings, and the poller that feeds
``receive_message`` from them.

Exactly once.  Messages are fetched in batches (``UID FETCH`` of a set of UIDs, not one round
trip each) and received a few at a time (``TAKE_BATCH``) in one transaction that also moves the
mailbox's ``last_uid`` past the last of them (the row locked, so two pollers cannot both take
them).  Only after that commits are they moved to the processed folder (or marked read).  A poller
killed between the two leaves a message in the folder with a UID at or below ``last_uid``: the
next poll moves it without receiving it again.  When the folder's UIDVALIDITY changes (the
server renumbered it), the UIDs are worthless: the poller starts again from UID 1, and every
message still in the folder goes through ``receive_message``, whose check of the raw bytes
(SHA-256, per mailbox) recognises those already kept and changes nothing.

Failure.  A server that cannot be reached or refuses the credential marks the mailbox
*failing*, with the error, and the next attempt waits longer each time (1, 2, 4 … minutes, at
most an hour); the first poll that works marks it reading again.  Both changes are audited.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
import select
import socket
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.channels import imap, mail
from onestop.channels.errors import ChannelError, MailRefused
from onestop.channels.models import (
    ImapCredential,
    ImapSecurity,
    ImapStatus,
    InboundMessage,
    Mailbox,
    MailboxImap,
    MessageOutcome,
)
from onestop.channels.services import (
    MessageBatch,
    find_mailbox,
    max_bytes,
    prepare_batch,
    receive_message,
)
from onestop.core import audit, references
from onestop.core import batch as core_batch
from onestop.core.errors import ServiceError, ServiceErrors
from onestop.core.models import AuditAction, Organisation, User

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60  # seconds between polls of a mailbox that works
MAX_BACKOFF = 3600
HOST = re.compile(r"\A(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\Z")
FOLDER_LIMIT = 200
TENANT = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9.-]{0,99}\Z")
CLIENT_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")
THUMBPRINT = re.compile(r"\A[0-9A-Fa-f]{40}(?:[0-9A-Fa-f]{24})?\Z")
# The settings, in the order the form shows them (so every problem is listed as the page reads).
FIELDS = (
    "is_enabled",
    "host",
    "port",
    "security",
    "folder",
    "processed_folder",
    "username",
    "credential",
    "secret",
    "tenant",
    "client_id",
    "certificate",
    "certificate_thumbprint",
)


def interval() -> int:
    """Seconds between polls of a mailbox (``ONESTOP_IMAP_INTERVAL``, 60 by default)."""
    return max(0, int(getattr(settings, "ONESTOP_IMAP_INTERVAL", DEFAULT_INTERVAL)))


def backoff(failures: int) -> datetime.timedelta:
    """How long a failing mailbox waits before the next try: 1, 2, 4 … minutes, at most 1 hour."""
    return datetime.timedelta(seconds=min(MAX_BACKOFF, 60 * 2 ** max(0, min(failures - 1, 12))))


# --- settings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImapInput:
    host: str
    port: int
    security: str
    folder: str
    processed_folder: str
    username: str
    credential: str
    secret: str
    tenant: str = ""
    client_id: str = ""
    certificate_thumbprint: str = ""
    is_enabled: bool = True
    certificate: str = ""  # Microsoft 365: file:/path of a PEM or PFX certificate


def _invalid(message: str, field_name: str) -> ServiceError:
    return ServiceError(ChannelError.INVALID_IMAP, message, field=field_name)


def _folder(text: str, field_name: str, *, required: bool) -> str:
    folder = text.strip()
    if not folder:
        if required:
            raise _invalid(_("Enter the folder new mail arrives in, usually INBOX"), field_name)
        return ""
    if len(folder) > FOLDER_LIMIT:
        raise _invalid(
            _("The folder name must be %(limit)s characters or fewer") % {"limit": FOLDER_LIMIT},
            field_name,
        )
    if not folder.isascii():
        raise _invalid(
            _("The folder name must use only letters A to Z, digits and punctuation"),
            field_name,
        )
    if mail.clean_line(folder, FOLDER_LIMIT) != folder or any(c in folder for c in '"\\*%'):
        raise _invalid(
            _("The folder name must not contain control characters, quotes, \\, * or %"),
            field_name,
        )
    return folder


def clean_imap(values: ImapInput, *, organisation: str) -> ImapInput:
    """``values`` checked, or ``ServiceErrors`` naming every field to fix at once, each with its
    message (nothing is saved)."""
    cleaned, problems = _checked(values, organisation=organisation)
    if problems:
        raise ServiceErrors(problems)
    return cleaned


def imap_problems(
    values: ImapInput, *, organisation: str, skip: Collection[str] = ()
) -> list[ServiceError]:
    """Every problem ``clean_imap`` finds in ``values``, in the order of the fields, but those
    on the fields named in ``skip`` (a form refused them itself: their values are stand-ins)."""
    return [
        problem
        for problem in _checked(values, organisation=organisation)[1]
        if problem.field not in skip
    ]


def _checked(values: ImapInput, *, organisation: str) -> tuple[ImapInput, list[ServiceError]]:
    """``values`` cleaned, and every problem with them (each a ``ServiceError`` on its field)."""
    problems: list[ServiceError] = []
    host = values.host.strip().lower()
    if not HOST.match(host) or ".." in host:
        problems.append(_invalid(_("Enter the server's name, like outlook.office365.com"), "host"))
    if not 1 <= values.port <= 65535:
        problems.append(_invalid(_("Enter a port between 1 and 65535, usually 993"), "port"))
    if values.security not in ImapSecurity.values:
        problems.append(_invalid(_("Select how the connection is encrypted"), "security"))
    folder = processed = ""
    try:
        folder = _folder(values.folder, "folder", required=True)
    except ServiceError as problem:
        problems.append(problem)
    try:
        processed = _folder(values.processed_folder, "processed_folder", required=False)
    except ServiceError as problem:
        problems.append(problem)
    if processed and processed == folder:
        problems.append(
            _invalid(
                _("The processed folder must not be the folder new mail arrives in"),
                "processed_folder",
            )
        )
    username = values.username.strip()
    if (
        not username
        or len(username) > 254
        or not username.isascii()
        or mail.clean_line(username, 254) != username
    ):
        problems.append(
            _invalid(
                _("Enter the user name the server knows the mailbox by, like waste@council.gov.uk"),
                "username",
            )
        )
    if values.credential not in ImapCredential.values:
        problems.append(_invalid(_("Select how OneStop signs in"), "credential"))
    secret = values.secret.strip()
    certificate = (
        values.certificate.strip() if values.credential == ImapCredential.MICROSOFT else ""
    )
    # With a certificate file the secret is its password, and a key without one needs none.
    secret_valid = not (secret or not certificate) or imap.valid_secret_reference(
        secret, organisation
    )
    if not secret_valid:
        where = {"prefix": imap.env_prefix(organisation), "folder": imap.secrets_dir(organisation)}
        problems.append(
            _invalid(
                _(
                    "Enter where the secret is kept: env:%(prefix)sNAME for an environment "
                    "variable, or file: and the full path of a file in %(folder)s/ (what you "
                    "typed was not kept, in case it was the secret itself)"
                )
                % where
                if secret
                else _(
                    "Enter where the secret is kept: env:%(prefix)sNAME for an environment "
                    "variable, or file: and the full path of a file in %(folder)s/"
                )
                % where,
                "secret",
            )
        )
    tenant = values.tenant.strip()
    client_id = values.client_id.strip()
    thumbprint = values.certificate_thumbprint.strip().replace(":", "").upper()
    if values.credential == ImapCredential.MICROSOFT:
        if not TENANT.match(tenant):
            problems.append(
                _invalid(
                    _(
                        "Enter the Microsoft Entra tenant ID or domain, like "
                        "council.onmicrosoft.com"
                    ),
                    "tenant",
                )
            )
        if not CLIENT_ID.match(client_id):
            problems.append(_invalid(_("Enter the application (client) ID"), "client_id"))
        if certificate and secret_valid:
            try:
                thumbprint = _certificate_thumbprint(certificate, secret, organisation=organisation)
            except ServiceError as problem:
                problems.append(problem)
        elif certificate:  # the file cannot be opened without its password: check its name
            if not imap.valid_certificate_reference(certificate, organisation):
                problems.append(_certificate_reference_problem(organisation))
        elif thumbprint and not THUMBPRINT.match(thumbprint):
            problems.append(
                _invalid(
                    _(
                        "Enter the certificate's thumbprint as 40 hexadecimal characters (SHA-1) "
                        "or 64 (SHA-256)"
                    ),
                    "certificate_thumbprint",
                )
            )
    else:
        tenant, client_id, thumbprint = "", "", ""
    cleaned = ImapInput(
        host=host,
        port=values.port,
        security=values.security,
        folder=folder,
        processed_folder=processed,
        username=username,
        credential=values.credential,
        secret=secret,
        tenant=tenant,
        client_id=client_id,
        certificate_thumbprint=thumbprint,
        is_enabled=values.is_enabled,
        certificate=certificate,
    )
    order = {name: index for index, name in enumerate(FIELDS)}
    problems.sort(key=lambda problem: order.get(problem.field or "", len(order)))
    return cleaned, problems


def _certificate_reference_problem(organisation: str) -> ServiceError:
    return _invalid(
        _(
            "Enter where the certificate is: file: and the full path of a PEM or PFX file "
            "in %(folder)s/"
        )
        % {"folder": imap.secrets_dir(organisation)},
        "certificate",
    )


def _certificate_thumbprint(certificate: str, password: str, *, organisation: str) -> str:
    """The SHA-1 thumbprint (as the Microsoft Entra admin centre shows it) of the certificate
    in the file ``certificate`` names, opened with ``password``; ``ServiceError`` on the field
    to fix when it cannot be used (missing, wrong password, expired …)."""
    if not imap.valid_certificate_reference(certificate, organisation):
        raise _certificate_reference_problem(organisation)
    try:
        return imap.load_certificate(certificate, password, organisation).sha1_thumbprint
    except imap.CertificateFailure as failure:
        raise _invalid(str(failure), failure.field) from None
    except imap.ImapFailure as failure:  # the password's variable or file is not there
        raise _invalid(str(failure), "secret") from None


def save_imap(
    organisation: Organisation,
    *,
    by: User | None,
    mailbox: Mailbox,
    values: ImapInput,
) -> MailboxImap:
    """Set how ``mailbox`` is read over IMAP (audited).  Pointing it at another server, user or
    folder starts the reading again from the folder's first message (what was already kept is
    recognised and not raised twice)."""
    if mailbox.organisation_id != organisation.pk:
        raise ServiceError(ChannelError.WRONG_ORGANISATION, _("There is no such mailbox"))
    values = clean_imap(values, organisation=organisation.slug)
    with transaction.atomic():
        source = (
            MailboxImap.objects.for_organisation(organisation)
            .select_for_update()
            .filter(mailbox=mailbox)
            .first()
        )
        before = {name: getattr(source, name) for name in FIELDS} if source else {}
        if source is None:
            source = MailboxImap(organisation=organisation, mailbox=mailbox)
        for name in FIELDS:
            setattr(source, name, getattr(values, name))
        if before and any(
            before[name] != getattr(values, name) for name in ("host", "port", "username", "folder")
        ):
            source.uidvalidity = None
            source.last_uid = 0
        # A change is tried at once, whatever the backoff of the old settings, and the page
        # no longer shows how the old settings failed: not read yet, until it is tried.
        source.next_poll_at = None
        if before and any(before[name] != getattr(values, name) for name in FIELDS):
            source.status = ImapStatus.NEW
            source.failures = 0
            source.last_error = ""
        source.save()
        after = {name: getattr(source, name) for name in FIELDS}
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CHANGED if before else AuditAction.CREATED,
            obj=source,
            summary=f"IMAP reading of mailbox {mailbox.address} "
            + ("changed" if before else "set up"),
            changes=audit.changed_fields(before, after) if before else after,
        )
    return source


# --- polling ----------------------------------------------------------------------------------
@dataclass
class PollResult:
    mailbox: str
    received: int = 0
    already_kept: int = 0
    left_in_folder: int = 0
    filed_away: int = 0
    error: str = ""
    resynced: bool = False
    outcomes: dict[str, int] = field(default_factory=dict)


def due_sources(now: datetime.datetime | None = None) -> list[MailboxImap]:
    """Every enabled IMAP mailbox whose next poll is due, of every active organisation."""
    now = now or timezone.now()
    rows = MailboxImap.objects.unscoped("the worker reads every organisation's mailboxes")
    return list(
        rows.filter(
            is_enabled=True,
            mailbox__is_active=True,
            mailbox__organisation__is_active=True,
        )
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .select_related("mailbox", "organisation")
        .order_by("next_poll_at", "pk")
    )


def connection_for(source: MailboxImap) -> imap.Connection:
    return imap.Connection(
        host=source.host,
        port=source.port,
        security=source.security,
        username=source.username,
        credential=source.credential,
        secret=source.secret,
        folder=source.folder,
        tenant=source.tenant,
        client_id=source.client_id,
        certificate_thumbprint=source.certificate_thumbprint,
        certificate=source.certificate,
        organisation=source.organisation.slug,
    )


def _recipient(raw: bytes, mailbox: Mailbox) -> str:
    """The address the message reached the mailbox by: a ``+tag`` form of the mailbox's address
    found in ``Delivered-To``, ``X-Original-To``, ``To`` or ``Cc`` (a signed reply address
    threads on its case, and its signature cannot be forged), else the mailbox's address."""
    local, _at, domain = mailbox.address.partition("@")
    prefix, suffix = f"{local}+".encode(), f"@{domain}".encode()
    head = raw[: mail.MAX_HEADER_BYTES]
    if prefix not in head.lower():
        return mailbox.address
    headers = BytesHeaderParser(policy=compat32).parsebytes(head)
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        for value in headers.get_all(name, []):
            for candidate in re.findall(
                rb"[^\s<>,\"']+@[^\s<>,\"']+", str(value).encode(errors="replace")
            ):
                lowered = candidate.lower()
                if lowered.startswith(prefix) and lowered.endswith(suffix):
                    return str(candidate.decode("ascii", "replace"))
    return mailbox.address


def _mark(source: MailboxImap, *, error: str, now: datetime.datetime) -> None:
    """Record how the poll went: failing with ``error``, or reading; audited when it changes."""
    with transaction.atomic():
        row = (
            MailboxImap.objects.for_organisation(source.organisation_id)
            .select_for_update()
            .get(pk=source.pk)
        )
        was = row.status
        if error:
            row.status = ImapStatus.FAILING
            row.failures += 1
            row.last_error = error[:300]
            row.next_poll_at = now + backoff(row.failures)
        else:
            row.status = ImapStatus.OK
            row.failures = 0
            row.last_error = ""
            row.next_poll_at = now + datetime.timedelta(seconds=interval())
            row.last_polled_at = now
        row.save(
            update_fields=[
                "status",
                "failures",
                "last_error",
                "next_poll_at",
                "last_polled_at",
                "updated_at",
            ]
        )
        if row.status != was:
            audit.record(
                organisation=row.organisation_id,
                by=None,
                action=AuditAction.CHANGED,
                obj=row,
                summary=(
                    f"IMAP reading of mailbox {source.mailbox.address} failing: {error}"
                    if error
                    else f"IMAP reading of mailbox {source.mailbox.address} working"
                )[:300],
                changes={"status": [was, row.status], "error": error[:300]},
            )
    for name in ("status", "failures", "last_error", "next_poll_at", "last_polled_at"):
        setattr(source, name, getattr(row, name))


def _resync(source: MailboxImap, uidvalidity: int) -> None:
    with transaction.atomic():
        row = (
            MailboxImap.objects.for_organisation(source.organisation_id)
            .select_for_update()
            .get(pk=source.pk)
        )
        old = row.uidvalidity
        row.uidvalidity = uidvalidity
        row.last_uid = 0
        row.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
        if old is not None:
            audit.record(
                organisation=row.organisation_id,
                by=None,
                action=AuditAction.CHANGED,
                obj=row,
                summary=f"IMAP folder of mailbox {source.mailbox.address} renumbered "
                "(UIDVALIDITY changed): read again from the start",
                changes={"uidvalidity": [old, uidvalidity]},
            )
    source.uidvalidity, source.last_uid = uidvalidity, 0


#: Messages received in one transaction.  Each transaction costs a commit (a disk flush), the
#: lock of the mailbox's row, and about 50 statements whatever its size (the configuration
#: read once, a block of ids per table, one COPY per table, the audit records, the counters);
#: more per transaction is faster, but holds the organisation's reference counters longer (a
#: case raised at the desk meanwhile waits for the commit) and redoes more after a crash (a
#: rolled-back batch is simply read again).  As many as one fetch brings (``FETCH_BATCH``):
#: against 25, a third less CPU and about half the time per message (``docs/channels.md``).
TAKE_BATCH = imap.FETCH_BATCH


def _take(
    source: MailboxImap, items: list[tuple[int, bytes | None]], result: PollResult
) -> list[int]:
    """Receive ``items`` (``(uid, raw)`` in UID order) and move ``last_uid`` past them in one
    transaction: the UIDs received (to be filed away once it has committed).  Messages another
    poller had already taken are skipped.  ``raw`` None: too big to take, left in the folder.

    First the quick way: the batch's messages without a savepoint each (``core.batch.
    without_savepoints``: about ten statements fewer per message).  When anything goes wrong
    in it (a message that cannot raise its case, a redelivery met at the same moment, a bug),
    the whole batch is rolled back, nothing of it kept, and taken again the careful way, each
    message in a savepoint of its own as ``receive_message`` makes it.  Either way the batch
    and its ``last_uid`` commit together, so each message is received exactly once."""
    try:
        taken, counts, last_uid = _take_batch(source, items, quick=True)
    except Exception as error:  # redone the careful way, which raises what is really wrong
        logger.info(
            "IMAP batch of mailbox %s taken again message by message: %s",
            source.mailbox.address,
            type(error).__name__,
        )
        taken, counts, last_uid = _take_batch(source, items, quick=False)
    if last_uid is None:
        return []
    # Counted only once committed: a batch rolled back is read again and counted then.
    result.received += counts.received
    result.already_kept += counts.already_kept
    result.left_in_folder += counts.left_in_folder
    for outcome, number in counts.outcomes.items():
        result.outcomes[outcome] = result.outcomes.get(outcome, 0) + number
    source.last_uid = last_uid
    return taken


def _take_batch(
    source: MailboxImap, items: list[tuple[int, bytes | None]], *, quick: bool
) -> tuple[list[int], PollResult, int | None]:
    """``_take``'s transaction: the UIDs received, their counts and the new ``last_uid``
    (None: nothing taken, another poller had them or the folder was renumbered).

    The mailbox is looked up once for the batch, inside the transaction (``find_mailbox``, as
    ``receive_message`` would for each message): a mailbox made inactive meanwhile refuses the
    whole batch, and nothing of it is kept."""
    taken: list[int] = []
    counts = PollResult(mailbox=source.mailbox.address)
    # The batch's configuration (case type, routing, standards, calendar, templates) is read
    # once for its messages (``core.batch``), inside its transaction.
    with transaction.atomic(), core_batch.batch():
        row = (
            MailboxImap.objects.for_organisation(source.organisation_id)
            .select_for_update()
            .get(pk=source.pk)
        )
        if row.uidvalidity != source.uidvalidity:
            return [], counts, None
        fresh = [(uid, raw) for uid, raw in items if uid > row.last_uid]
        if not fresh:
            return [], counts, None
        mailbox = find_mailbox(source.mailbox.address)
        with contextlib.ExitStack() as quickly:
            batch: MessageBatch | None = None
            if quick:
                # All or nothing: no savepoint per message, the audit records written together
                # at the end, references taken in one block per counter, and the batch's
                # lookups made once (``prepare_batch``).
                quickly.enter_context(core_batch.without_savepoints())
                quickly.enter_context(audit.deferred())
                quickly.enter_context(references.reserved(len(fresh)))
                # Each table's rows written together (one INSERT per table for the batch).
                quickly.enter_context(core_batch.deferred_inserts(len(fresh)))
                batch = prepare_batch(mailbox, [raw for _uid, raw in fresh if raw is not None])
            for uid, raw in fresh:
                if raw is None:
                    counts.left_in_folder += 1
                    continue
                try:
                    message = receive(raw, mailbox, batch)
                except MailRefused as refusal:
                    if refusal.code != ChannelError.TOO_BIG:
                        raise
                    counts.left_in_folder += 1
                    continue
                taken.append(uid)
                if message.pk is None or message.outcome == MessageOutcome.DUPLICATE:
                    counts.already_kept += 1
                else:
                    counts.received += 1
                counts.outcomes[message.outcome] = counts.outcomes.get(message.outcome, 0) + 1
        row.last_uid = fresh[-1][0]
        row.left_in_folder += counts.left_in_folder
        row.save(update_fields=["last_uid", "left_in_folder", "updated_at"])
    return taken, counts, row.last_uid


def receive(raw: bytes, mailbox: Mailbox, batch: MessageBatch | None = None) -> InboundMessage:
    """``receive_message`` as the pipe calls it, for the address the message reached
    (``mailbox``: the one ``find_mailbox`` answered for its address, already checked;
    ``batch``: what ``prepare_batch`` read for the quick way's batch)."""
    return receive_message(
        raw,
        recipient=_recipient(raw, mailbox),
        envelope_sender=None,
        mailbox=mailbox,
        batch=batch,
    )


def poll(
    source: MailboxImap, *, by: User | None = None, now: datetime.datetime | None = None
) -> PollResult:
    """Read every new message of ``source``'s folder into the mailbox, then file them away.

    ``by`` is None: the worker reads mail as the public sends it."""
    now = now or timezone.now()
    result = PollResult(mailbox=source.mailbox.address)
    limit = max_bytes()
    try:
        with imap.Client(connection_for(source)) as client:
            uidvalidity = client.select(source.folder)
            if source.uidvalidity != uidvalidity:
                result.resynced = source.uidvalidity is not None
                _resync(source, uidvalidity)
            if source.processed_folder:
                client.ensure_folder(source.processed_folder)
            # Received (committed) before a crash, but not yet moved: move them now.
            if source.last_uid:
                leftover = client.uid_search(
                    "UID", f"1:{source.last_uid}", "NOT", "LARGER", str(limit)
                )
                if not source.processed_folder:
                    unseen = set(client.uid_search("UID", f"1:{source.last_uid}", "UNSEEN"))
                    leftover = [uid for uid in leftover if uid in unseen]
                client.file_away(leftover, source.processed_folder)
                result.filed_away += len(leftover)
            listing = client.sizes_after(source.last_uid)
            for batch in imap.chunks(listing):
                wanted = [uid for uid, size in batch if size <= limit]
                bodies = client.fetch(wanted)
                items: list[tuple[int, bytes | None]] = []
                for uid, size in batch:
                    raw = bodies.get(uid) if size <= limit else None
                    if size <= limit and raw is None:
                        continue  # gone meanwhile (expunged by someone else): nothing to take
                    items.append((uid, raw))
                taken: list[int] = []
                for group in imap.chunks(items, TAKE_BATCH):
                    taken.extend(_take(source, group, result))
                client.file_away(taken, source.processed_folder)
                result.filed_away += len(taken)
    except (imap.ImapFailure, MailRefused) as failure:
        # MailRefused: the mailbox stopped taking mail while it was read (made inactive, or
        # its domain verified by another organisation): nothing of that message was kept.
        result.error = failure.message if isinstance(failure, MailRefused) else str(failure)
        logger.warning("IMAP mailbox %s failing: %s", source.mailbox.address, result.error)
        _mark(source, error=result.error, now=now)
        return result
    _mark(source, error="", now=now)
    return result


def poll_due(
    *,
    by: User | None = None,
    now: datetime.datetime | None = None,
    keep_going: Callable[[], bool] | None = None,
) -> list[PollResult]:
    """Poll every IMAP mailbox that is due (the worker's step, ``onestop mail-poll``), starting
    no further mailbox once ``keep_going()`` answers ``False`` (the worker is stopping).

    An unexpected error in one mailbox (a bug meeting one message) is logged and marks that
    mailbox failing; the others are still read, and the worker goes on to its other steps.  A
    database that fails is not hidden: it stops the step, and the worker's next run tries again.
    """
    results = []
    for source in due_sources(now):
        if keep_going is not None and not keep_going():
            break
        try:
            results.append(poll(source, by=by, now=now))
        except DatabaseError:
            raise
        except Exception:
            logger.exception("Reading the IMAP mailbox %s failed unexpectedly", source.pk)
            error = "An unexpected error stopped the reading (logged for the operators)"
            _mark(source, error=error, now=now or timezone.now())
            results.append(PollResult(mailbox=source.mailbox.address, error=error))
    return results


# --- watching (IMAP IDLE) ---------------------------------------------------------------------
#: RFC 2177: a server may end an IDLE after 30 minutes, so it is renewed well before.
IDLE_RENEW = 25 * 60


@dataclass
class _Idling:
    client: imap.Client
    connection: imap.Connection
    since: float


class Watcher:
    """``onestop mail-poll --watch``: polls the mailboxes that are due, as ``poll_due`` does,
    and between polls waits in IMAP IDLE on every working mailbox whose server offers it, so new
    mail is read within seconds instead of at the next scheduled poll.

    One connection per idling mailbox, all waited on at once (``select``), in one thread.  Any
    line the server sends while idling (new mail, a message gone, a keep-alive) ends that
    mailbox's IDLE and makes it due at once; the next step polls it and idles again.  A server
    without IDLE, or one that fails, is read on the schedule as before (``poll_due``), so the
    schedule is the fallback and the safety net: IDLE only ever makes mail come sooner.

    ``wake``, when given, is a socket also waited on: a byte written to its pair (by a signal
    handler, say) ends the wait at once.  A handler must never raise instead: the signal may come
    while the database is being queried, and an exception there leaves the connection mid-command.
    """

    def __init__(self, wake: socket.socket | None = None) -> None:
        self.idling: dict[int, _Idling] = {}
        self.wake = wake

    def close(self) -> None:
        for pk in list(self.idling):
            self._stop(pk)

    def _stop(self, pk: int) -> None:
        entry = self.idling.pop(pk, None)
        if entry is not None:
            entry.client.close()

    def _idle_sources(self) -> list[MailboxImap]:
        rows = MailboxImap.objects.unscoped("the worker watches every organisation's mailboxes")
        return list(
            rows.filter(
                is_enabled=True,
                status=ImapStatus.OK,
                uidvalidity__isnull=False,  # polled at least once
                mailbox__is_active=True,
                mailbox__organisation__is_active=True,
            ).select_related("mailbox", "organisation")
        )

    def _start_idling(self, now: float) -> list[int]:
        """IDLE on every working mailbox that can: the ids of those found with new mail
        instead (made due at once)."""
        arrived: list[int] = []
        sources = {source.pk: source for source in self._idle_sources()}
        for pk, entry in list(self.idling.items()):
            source = sources.get(pk)
            if (
                source is None
                or connection_for(source) != entry.connection
                or now - entry.since > IDLE_RENEW
            ):
                self._stop(pk)  # disabled, failing, changed, or due for renewal
        for pk, source in sources.items():
            if pk in self.idling:
                continue
            connection = connection_for(source)
            client = imap.Client(connection)
            try:
                client.open()
                client.select(source.folder)
                if not client.offers_idle:
                    client.close()  # read on the schedule
                    continue
                # Mail that came between the last poll and this session's SELECT would not be
                # announced in the IDLE: look for it first.  What comes after this search is
                # (the server tells a session of changes since it last reported).
                waiting = client.uid_search("UID", f"{source.last_uid + 1}:*")
                if any(uid > source.last_uid for uid in waiting):
                    client.close()
                    arrived.append(pk)
                    continue
                client.idle_start()
            except imap.ImapFailure as failure:
                # The next scheduled poll meets the same failure and records it on the mailbox.
                logger.info(
                    "IMAP IDLE on mailbox %s not started: %s", source.mailbox.address, failure
                )
                client.close()
                continue
            self.idling[pk] = _Idling(client=client, connection=connection, since=now)
        _make_due(arrived)
        return arrived

    def wait(self, seconds: float) -> list[int]:
        """Wait up to ``seconds`` for any idling mailbox to hear from its server: the ids of
        those that did (made due at once, for the next ``poll_due``)."""
        by_fileno: dict[int, int] = {}
        buffered: list[int] = []
        for pk, entry in list(self.idling.items()):
            try:
                by_fileno[entry.client.fileno()] = pk
                if entry.client.idle_buffered():
                    buffered.append(pk)
            except (imap.ImapFailure, OSError):
                self._stop(pk)
                by_fileno = {fileno: other for fileno, other in by_fileno.items() if other != pk}
        readable: list[int] = [fileno for fileno, pk in by_fileno.items() if pk in buffered]
        if not readable:
            waited = list(by_fileno) + ([self.wake.fileno()] if self.wake is not None else [])
            try:
                readable, _w, _x = select.select(waited, [], [], max(0.0, seconds))
            except (OSError, ValueError):
                readable = []
        woken = []
        for fileno in readable:
            if fileno not in by_fileno:
                continue  # the wake socket: the caller looks at why
            pk = by_fileno[fileno]
            # A session lost is polled now too, and idled again with a new connection.
            with contextlib.suppress(imap.ImapFailure):
                self.idling[pk].client.idle_line()
            self._stop(pk)
            woken.append(pk)
        _make_due(woken)
        return woken

    def idle(self, seconds: float) -> list[int]:
        """(Re)start IDLE where it can run, then wait up to ``seconds`` for a server to say its
        folder changed: the ids of the mailboxes made due by it."""
        arrived = self._start_idling(time.monotonic())
        if arrived:
            return arrived  # no waiting: the next poll reads them
        return self.wait(seconds)


def _make_due(pks: list[int]) -> None:
    """Make these mailboxes due at once (their server said their folder changed)."""
    if pks:
        MailboxImap.objects.unscoped("IMAP IDLE said new mail has come").filter(pk__in=pks).update(
            next_poll_at=None
        )


def seconds_to_next_poll(now: datetime.datetime | None = None, *, most: float = 60.0) -> float:
    """Seconds until the next enabled mailbox is due (at least 1, at most ``most``)."""
    now = now or timezone.now()
    rows = MailboxImap.objects.unscoped("the worker reads every organisation's mailboxes").filter(
        is_enabled=True, mailbox__is_active=True, mailbox__organisation__is_active=True
    )
    upcoming = (
        rows.filter(next_poll_at__isnull=False)
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first()
    )
    if rows.filter(next_poll_at__isnull=True).exists():
        return 1.0
    if upcoming is None:
        return most
    seconds: float = (upcoming - now).total_seconds()
    return max(1.0, min(most, seconds))

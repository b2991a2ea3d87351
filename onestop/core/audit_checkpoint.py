"""Signed checkpoints of the audit chain heads, kept outside the database.

The database guards the audit trail against the application's role, but whoever owns the
tables (or restores an old backup) can still cut records from the end of a chain and rewind its
head, or empty both tables: the chain that remains is then consistent and ``audit verify`` alone
says "ok".  A checkpoint records, for every organisation, the head's sequence and hash, how many
records there were and when the last was written, signed with HMAC-SHA256 under a key the
database never holds.  ``onestop audit checkpoint --out FILE`` appends one JSON line to FILE
(ship it to a log store the database's administrators cannot change); ``onestop audit verify
--checkpoint FILE`` checks every line's signature and reports any record a checkpoint saw that
is now missing or different.  Records a retention purge removed (up to the head's
``purged_through``) are not missing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.utils import timezone

from onestop.core.models import AuditChainHead, AuditRecord, Organisation

FORMAT = "onestop-audit-checkpoint/1"
MINIMUM_KEY_BYTES = 32


class CheckpointError(Exception):
    """A key or checkpoint file that cannot be used; the message is one plain sentence."""


@dataclass(frozen=True)
class Finding:
    """Something a checkpoint saw that the database no longer holds."""

    organisation_id: int
    slug: str
    message: str

    def __str__(self) -> str:
        return f"{self.slug}: {self.message}"


def load_key(path: str) -> bytes:
    """The signing key: the contents of ``path`` (at least 32 bytes, surrounding space cut)."""
    if not path:
        raise CheckpointError(
            "No checkpoint key: set ONESTOP_AUDIT_CHECKPOINT_KEY_FILE or pass --key-file."
        )
    try:
        key = Path(path).read_bytes().strip()
    except OSError as error:
        raise CheckpointError(
            f"Cannot read the checkpoint key file {path}: {error.strerror}."
        ) from error
    if len(key) < MINIMUM_KEY_BYTES:
        raise CheckpointError(
            f"The checkpoint key in {path} is too short: at least {MINIMUM_KEY_BYTES} bytes "
            "(e.g. `openssl rand -hex 32`)."
        )
    return key


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _sign(body: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def take(key: bytes) -> dict[str, Any]:
    """A signed checkpoint of every organisation's chain head as it stands now."""
    slugs = dict(Organisation.objects.values_list("pk", "slug"))
    chains = []
    for head in AuditChainHead.objects.order_by("organisation_id"):
        records = AuditRecord.objects.for_organisation(head.organisation_id)
        last_at = records.filter(sequence=head.sequence).values_list("at", flat=True).first()
        chains.append(
            {
                "organisation": head.organisation_id,
                "slug": slugs.get(head.organisation_id, ""),
                "sequence": head.sequence,
                "hash": head.hash,
                "records": records.count(),
                "purged_through": head.purged_through,
                "last_at": (
                    last_at.astimezone(UTC).isoformat(timespec="microseconds") if last_at else None
                ),
            }
        )
    body: dict[str, Any] = {
        "format": FORMAT,
        "taken_at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        "chains": chains,
    }
    return {**body, "signature": _sign(body, key)}


def as_line(checkpoint: dict[str, Any]) -> str:
    """A checkpoint as the one JSON line a checkpoint file or log holds."""
    return json.dumps(checkpoint, sort_keys=True, separators=(",", ":"))


def write(path: str, key: bytes) -> dict[str, Any]:
    """Append a new checkpoint to ``path`` as one JSON line; returns it."""
    checkpoint = take(key)
    try:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(as_line(checkpoint) + "\n")
    except OSError as error:
        raise CheckpointError(
            f"Cannot write the checkpoint file {path}: {error.strerror}."
        ) from error
    return checkpoint


def read(path: str, key: bytes) -> list[dict[str, Any]]:
    """Every checkpoint in ``path``, each line's signature checked."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CheckpointError(
            f"Cannot read the checkpoint file {path}: {error.strerror}."
        ) from error
    except UnicodeDecodeError as error:
        raise CheckpointError(f"The checkpoint file {path} is not UTF-8 text.") from error
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        checkpoints.append(_parse(line, key, f"{path} line {number}"))
    if not checkpoints:
        raise CheckpointError(f"The checkpoint file {path} holds no checkpoint.")
    return checkpoints


def _parse(line: str, key: bytes, where: str) -> dict[str, Any]:
    try:
        checkpoint = json.loads(line)
    except ValueError as error:
        raise CheckpointError(f"{where} is not a checkpoint (not JSON).") from error
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        raise CheckpointError(f"{where} is not a checkpoint (unknown format).")
    body = {name: value for name, value in checkpoint.items() if name != "signature"}
    signature = checkpoint.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(body, key)):
        raise CheckpointError(
            f"{where}: the signature does not match (a different key, or the file was changed)."
        )
    chains = checkpoint.get("chains")
    if not isinstance(chains, list) or not all(_well_formed(chain) for chain in chains):
        raise CheckpointError(f"{where} is not a checkpoint (malformed chains).")
    return checkpoint


def _well_formed(chain: Any) -> bool:
    return (
        isinstance(chain, dict)
        and isinstance(chain.get("organisation"), int)
        and isinstance(chain.get("sequence"), int)
        and isinstance(chain.get("hash"), str)
        and isinstance(chain.get("slug"), str)
    )


def compare(checkpoints: list[dict[str, Any]]) -> list[Finding]:
    """What the checkpoints saw that the database no longer holds, one finding per chain.

    Only each chain's furthest checkpointed record needs looking up: when it is still there
    with the same hash, every record before it is too, or ``verify`` reports the broken link.
    """
    furthest: dict[int, tuple[dict[str, Any], str]] = {}
    for checkpoint in checkpoints:
        for chain in checkpoint["chains"]:
            seen = furthest.get(chain["organisation"])
            if seen is None or chain["sequence"] > seen[0]["sequence"]:
                furthest[chain["organisation"]] = (chain, checkpoint["taken_at"])
    heads = {head.organisation_id: head for head in AuditChainHead.objects.all()}
    findings = []
    for organisation_id, (chain, taken_at) in sorted(furthest.items()):
        finding = _compare_chain(chain, heads.get(organisation_id), taken_at)
        if finding is not None:
            slug = chain["slug"] or f"organisation-{organisation_id}"
            findings.append(Finding(organisation_id, slug, finding))
    return findings


def _compare_chain(chain: dict[str, Any], head: AuditChainHead | None, taken_at: str) -> str | None:
    sequence: int = chain["sequence"]
    if sequence == 0:
        return None
    if head is None:
        return (
            f"{_records(1, sequence)} missing: the checkpoint of {taken_at} saw the chain up to "
            f"record {sequence} and the chain is gone (head deleted or table truncated)"
        )
    if head.sequence < sequence:
        return (
            f"{_records(head.sequence + 1, sequence)} missing: the checkpoint of {taken_at} saw "
            f"the chain up to record {sequence}, the head is now at {head.sequence} (rewound)"
        )
    if sequence <= head.purged_through:
        return None  # removed by a retention purge, which verify's anchor accounts for
    stored = (
        AuditRecord.objects.for_organisation(head.organisation_id)
        .filter(sequence=sequence)
        .values_list("hash", flat=True)
        .first()
    )
    if stored is None:
        return f"record {sequence} missing: the checkpoint of {taken_at} saw it"
    if stored != chain["hash"]:
        return (
            f"record {sequence} differs from the checkpoint of {taken_at} (rewritten, and "
            "every record after it with it)"
        )
    return None


def _records(first: int, last: int) -> str:
    return f"record {first}" if first == last else f"records {first}-{last}"

"""Where the bytes live: ``ONESTOP_DOCUMENTS_DIR/<organisation id>/<unguessable name>``.

Outside the web root (nothing serves the folder; only ``views.download`` reads it, after the
access check).  Names come from ``secrets.token_urlsafe`` (256 bits), never from what the sender
called the file.  Folders are made ``0700`` and files ``0600`` and written exclusively (an
existing name is never overwritten).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

NAME_BYTES = 32


def new_name() -> str:
    return secrets.token_urlsafe(NAME_BYTES)


def path_of(organisation_id: int, storage_name: str) -> Path:
    if not storage_name or "/" in storage_name or storage_name.startswith("."):
        raise ValueError("not a storage name")
    return Path(settings.ONESTOP_DOCUMENTS_DIR) / str(int(organisation_id)) / storage_name


def write(
    organisation_id: int, storage_name: str, data: bytes, *, path: Path | None = None
) -> Path:
    path = path or path_of(organisation_id, storage_name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def remove(organisation_id: int, storage_name: str) -> None:
    path_of(organisation_id, storage_name).unlink(missing_ok=True)


# --- files held for a form that is not sent yet (a photo on a report's question pages) ----------
HELD_FOLDER = "held"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def held_path(organisation_id: int, token: str) -> Path:
    if not _TOKEN.fullmatch(token):
        raise ValueError("not a held file's token")
    return Path(settings.ONESTOP_DOCUMENTS_DIR) / HELD_FOLDER / str(int(organisation_id)) / token


def remove_held_older_than(organisation_id: int, seconds: float) -> int:
    """Remove the organisation's held files last written more than ``seconds`` ago; how many."""
    folder = Path(settings.ONESTOP_DOCUMENTS_DIR) / HELD_FOLDER / str(int(organisation_id))
    if not folder.is_dir():
        return 0
    cutoff = time.time() - seconds
    removed = 0
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another process removed it first
            if _TOKEN.fullmatch(path.name) and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed

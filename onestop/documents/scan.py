"""The optional virus scan: ClamAV's ``clamd``, spoken to with its INSTREAM command.

``ONESTOP_CLAMD_SOCKET`` names a Unix socket (``/run/clamav/clamd.ctl``) or ``host:port``.
Unset, nothing is scanned.  Set, every upload is streamed to clamd in chunks and refused when
clamd answers ``FOUND``, and also when clamd cannot be reached or answers anything but ``OK``
(fail closed: a scanner that is down must not let files through unscanned).
"""

from __future__ import annotations

import socket
import struct

from django.conf import settings
from django.utils.translation import gettext as _

from onestop.documents.errors import DocumentError, DocumentRefused

CHUNK = 64 * 1024
REPLY_LIMIT = 4096


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/") or ":" not in address:
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.settimeout(timeout)
        unix.connect(address)
        return unix
    host, _sep, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def instream(data: bytes, address: str, *, timeout: float) -> str:
    """clamd's answer for ``data`` (``stream: OK``, ``stream: Eicar-Signature FOUND``, …)."""
    with _connect(address, timeout) as connection:
        connection.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), CHUNK):
            chunk = data[start : start + CHUNK]
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
        reply = b""
        while b"\0" not in reply and len(reply) < REPLY_LIMIT:
            received = connection.recv(REPLY_LIMIT)
            if not received:
                break
            reply += received
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def scan(data: bytes, *, field: str = "file") -> None:
    """Refuse ``data`` when the configured clamd finds something or cannot say it is clean."""
    address = str(settings.ONESTOP_CLAMD_SOCKET or "")
    if not address:
        return
    try:
        answer = instream(data, address, timeout=float(settings.ONESTOP_CLAMD_TIMEOUT_SECONDS))
    except (OSError, ValueError):
        answer = ""
    if answer.endswith("FOUND"):
        raise DocumentRefused(
            DocumentError.VIRUS_FOUND,
            _("The selected file contains a virus and cannot be attached"),
            field=field,
        )
    if not answer.endswith("OK"):
        raise DocumentRefused(
            DocumentError.SCAN_UNAVAILABLE,
            _("The selected file could not be checked for viruses just now: try again later"),
            field=field,
        )

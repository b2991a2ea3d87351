"""A tiny clamd for the tests: it speaks ClamAV's INSTREAM protocol over a real socket.

``zINSTREAM\\0``, then chunks (a 4-byte big-endian length and the bytes) until a zero length;
the answer is ``stream: Eicar-Signature FOUND\\0`` when the EICAR test string is in the stream,
else ``stream: OK\\0``.  ``received`` keeps what each connection streamed.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.documents.files import EICAR


def _read_exactly(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        received = connection.recv(count - len(data))
        if not received:
            raise ConnectionError("the client went away")
        data += received
    return data


class _Handler(socketserver.BaseRequestHandler):
    server: UnixClamd | TcpClamd

    def handle(self) -> None:
        command = _read_exactly(self.request, len(b"zINSTREAM\0"))
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        stream = b""
        while True:
            (length,) = struct.unpack("!L", _read_exactly(self.request, 4))
            if length == 0:
                break
            stream += _read_exactly(self.request, length)
        self.server.received.append(stream)
        answer = b"stream: Eicar-Signature FOUND\0" if EICAR in stream else b"stream: OK\0"
        self.request.sendall(answer)


class UnixClamd(socketserver.ThreadingUnixStreamServer):
    received: list[bytes]


class TcpClamd(socketserver.ThreadingTCPServer):
    received: list[bytes]


@contextmanager
def running(server: socketserver.BaseServer) -> Iterator[list[bytes]]:
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def unix_clamd(folder: Path) -> Iterator[tuple[str, list[bytes]]]:
    path = str(folder / "clamd.ctl")
    with running(UnixClamd(path, _Handler)) as received:
        yield path, received


@contextmanager
def tcp_clamd() -> Iterator[tuple[str, list[bytes]]]:
    server = TcpClamd(("127.0.0.1", 0), _Handler)
    host, port = server.socket.getsockname()[:2]
    with running(server) as received:
        yield f"{host}:{port}", received


def unused_address() -> str:
    """A TCP address nothing listens on (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        host, port = probe.getsockname()
    return f"{host}:{port}"

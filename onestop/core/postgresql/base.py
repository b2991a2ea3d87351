"""Django's PostgreSQL backend with a health check that asks the connection's socket, not the
server.

With persistent connections (``CONN_MAX_AGE``), Django checks a connection before the first
query of each request when ``CONN_HEALTH_CHECKS`` is on, by running ``SELECT 1``: a round trip
to the server on every request, as long as the page's own reads on the residents' simplest
pages.  A connection the server has ended (a restart, ``pg_terminate_backend``, an idle
timeout) has had its end sent down the socket: the server's last message and the close, which
make the socket readable.  A connection that is idle between requests has nothing to read.  So
the check here asks the operating system, without waiting, whether the socket has anything to
read: nothing means the connection is as the last request left it, and is used; anything at all
(the server's goodbye, or a notice it sent for some other reason) and Django's own check runs,
``SELECT 1``, which closes the connection if the server has gone, so the request opens a new one
instead of failing.  A connection inside a transaction, closed or broken is judged by Django's
check too.  What this cannot see is a server that vanished without a word (a cable cut): then,
as with any check made before the query, the request's query fails and Django closes the
connection at the end of that request.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus, TransactionStatus


def quiet(connection: Any) -> bool:
    """Whether the psycopg ``connection`` is open, idle and has nothing waiting to be read:
    the server has said nothing since its last answer."""
    if connection.closed or connection.broken:
        return False
    pgconn = connection.pgconn
    if pgconn.status != ConnStatus.OK or pgconn.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        readable, _writable, _failed = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError):  # no socket any more
        return False
    return not readable


class DatabaseWrapper(base.DatabaseWrapper):
    health_check_enabled: bool  # set by Django's connect() (its stubs leave them out)
    health_check_done: bool

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is None
            or self.pool
            or not self.health_check_enabled
            or self.health_check_done
        ):
            super().close_if_health_check_failed()
            return
        if not quiet(self.connection) and not self.is_usable():
            self.close()
        self.health_check_done = True

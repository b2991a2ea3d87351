"""Database helpers for the few hot paths that run compiled SQL on PostgreSQL themselves."""

from __future__ import annotations

from typing import Any


def load_times_natively(cursor: Any) -> None:
    """Make a psycopg cursor read ``timestamp with time zone`` columns with psycopg's own loader
    (written in C in psycopg-binary) instead of Django's Python subclass of it, which costs more
    than a small statement itself when a page reads hundreds of times.

    Both give aware date-times in the session's time zone, which Django sets to UTC; only this
    cursor changes, not the connection.  PostgreSQL only (``connection.vendor``)."""
    import psycopg
    from psycopg.pq import Format

    timestamptz = psycopg.adapters.types["timestamptz"].oid
    cursor.adapters.register_loader(
        timestamptz, psycopg.adapters.get_loader(timestamptz, Format.TEXT)
    )

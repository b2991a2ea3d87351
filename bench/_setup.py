"""What every benchmark does first: choose the database and set Django up (not a benchmark)."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(database: str, name: str, sqlite_file: str, *, debug_off: bool = False) -> None:
    """Point Django at the PostgreSQL database ``name`` on the local socket (created if
    missing) or at ``var/<sqlite_file>``, then set Django up without its query log
    (production's cost).  ``debug_off`` also starts the settings with ``ONESTOP_DEBUG=0``."""
    os.environ.setdefault("ONESTOP_DEV", "1")
    if debug_off:
        os.environ["ONESTOP_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "onestop.settings"
    if database == "postgresql":
        import psycopg

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise SystemExit(f"{name!r} is not a plain PostgreSQL database name")
        with psycopg.connect("dbname=postgres", autocommit=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if found is None:
                connection.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"postgresql:///{name}"
    else:
        (ROOT / "var").mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / sqlite_file}"
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False

"""A per-address limit on reports, kept in Django's cache.

Each client address may send ``ONESTOP_PORTAL_REPORTS_PER_HOUR`` reports (default 10) in a
window of ``ONESTOP_PORTAL_REPORT_WINDOW_SECONDS`` (default an hour) that starts with its first
report.  Reports that were saved and reports the honeypot refused both count; a form sent back
with mistakes does not, so a resident correcting errors is never locked out.

The count lives in the cache: with the default local-memory cache each server process counts
on its own, so a council running several processes sets ``ONESTOP_CACHE_URL`` to a Redis server
for the limit to hold across them (``tests/core/test_cache.py``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULT_PER_HOUR = 10
DEFAULT_WINDOW_SECONDS = 3600


def limit() -> int:
    return int(getattr(settings, "ONESTOP_PORTAL_REPORTS_PER_HOUR", DEFAULT_PER_HOUR))


def window_seconds() -> int:
    return int(getattr(settings, "ONESTOP_PORTAL_REPORT_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def _key(address: str | None) -> str:
    # Hashed so the cache holds no addresses in the clear.
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    return f"portal:reports:{digest}"


def is_limited(address: str | None) -> bool:
    """True when ``address`` has used up its reports for the current window."""
    return int(cache.get(_key(address), 0)) >= limit()


def count(address: str | None) -> None:
    """One more report from ``address`` (the window starts with the first)."""
    key = _key(address)
    if not cache.add(key, 1, timeout=window_seconds()):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window_seconds())

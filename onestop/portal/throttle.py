"""A per-address limit on reports, kept in Django's cache.

Each client address may send ``ONESTOP_PORTAL_REPORTS_PER_HOUR`` reports (default 10) in a
window of ``ONESTOP_PORTAL_REPORT_WINDOW_SECONDS`` (default an hour) that starts with its first
report.  Reports that were saved and reports the honeypot refused both count; a form sent back
with mistakes does not, so a resident correcting errors is never locked out.

A submission **reserves** its place before anything is saved: one atomic increment
(``cache.add`` for the first, ``cache.incr`` after), compared with ``limit()``, so reports sent
in parallel from one address cannot all pass a check made before any of them was counted.  A
reservation the submission did not use (the form had mistakes, or the address was already over
the limit) is given back with ``release``.

The count lives in the cache: with the default local-memory cache each server process counts
on its own, so a council running several processes sets ``ONESTOP_CACHE_URL`` to a Redis server
for the limit to hold across them (``tests/core/test_cache.py``).
"""

from __future__ import annotations

import contextlib
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


def _increment(address: str | None) -> int:
    """One more report from ``address``, atomically; the window starts with the first."""
    key = _key(address)
    if cache.add(key, 1, timeout=window_seconds()):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this starts a new window
        cache.add(key, 1, timeout=window_seconds())
        return 1


def reserve(address: str | None) -> bool:
    """Count one more report from ``address`` and say whether it is within the limit.  A
    refused reservation is given back at once, so the count stays at the limit."""
    if _increment(address) > limit():
        release(address)
        return False
    return True


def release(address: str | None) -> None:
    """Give back a reservation the submission did not use."""
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(_key(address))


def count(address: str | None) -> None:
    """One more report from ``address`` without asking (for tools and tests)."""
    _increment(address)


def is_limited(address: str | None) -> bool:
    """True when ``address`` has used up its reports for the current window."""
    return int(cache.get(_key(address), 0)) >= limit()

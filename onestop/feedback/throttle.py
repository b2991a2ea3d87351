"""A per-address limit on the public feedback form, kept in Django's cache (as ``/report/``'s).

Each client address may send ``ONESTOP_FEEDBACK_PER_HOUR`` forms (default 10) in a window of
``ONESTOP_FEEDBACK_WINDOW_SECONDS`` (default an hour) that starts with its first.  A submission
reserves its place before anything is saved (one atomic increment), so forms sent in parallel
cannot all pass; a form sent back with mistakes gives its place back, so a resident correcting
errors is never locked out.  Forms the honeypot refused count.  With several server processes,
``ONESTOP_CACHE_URL`` points the cache at Redis so the limit holds across them.
"""

from __future__ import annotations

import contextlib
import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULT_PER_HOUR = 10
DEFAULT_WINDOW_SECONDS = 3600


def limit() -> int:
    return int(getattr(settings, "ONESTOP_FEEDBACK_PER_HOUR", DEFAULT_PER_HOUR))


def window_seconds() -> int:
    return int(getattr(settings, "ONESTOP_FEEDBACK_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def _key(address: str | None) -> str:
    # Hashed so the cache holds no addresses in the clear.
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    return f"feedback:public:{digest}"


def _increment(address: str | None) -> int:
    key = _key(address)
    if cache.add(key, 1, timeout=window_seconds()):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this starts a new window
        cache.add(key, 1, timeout=window_seconds())
        return 1


def reserve(address: str | None) -> bool:
    """Count one more form from ``address`` and say whether it is within the limit."""
    if _increment(address) > limit():
        release(address)
        return False
    return True


def release(address: str | None) -> None:
    """Give back a reservation the submission did not use."""
    with contextlib.suppress(ValueError):
        cache.decr(_key(address))

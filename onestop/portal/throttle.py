"""Per-address limits on the portal (reports, tracking, sign-in links), kept in Django's cache.

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
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

DEFAULT_PER_HOUR = 10
DEFAULT_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Kind:
    """One limit: its cache key's prefix, the setting that changes its allowance (with the
    default) and the setting of its window.  ``REPORTS`` is the report form's; the track page
    and "Your requests" have their own (issue 18), so one never uses up another."""

    name: str
    setting: str
    default: int
    window_setting: str = "ONESTOP_PORTAL_REPORT_WINDOW_SECONDS"


REPORTS = Kind("reports", "ONESTOP_PORTAL_REPORTS_PER_HOUR", DEFAULT_PER_HOUR)
#: Photos held for a report's question pages before it is sent (each is a file on disk).
HELD_PHOTOS = Kind("held-photos", "ONESTOP_PORTAL_PHOTOS_PER_HOUR", 20)
#: Looking a reference up on the track page (found or not), per client address.
TRACK = Kind("track", "ONESTOP_PORTAL_TRACK_PER_HOUR", 20)
#: Adding information to a tracked request, per client address.
ADD_INFORMATION = Kind("add-information", "ONESTOP_PORTAL_ADD_INFORMATION_PER_HOUR", 10)
#: Asking for a sign-in link for "Your requests": per client address, and per e-mail address.
SIGN_IN_ADDRESS = Kind("sign-in-address", "ONESTOP_PORTAL_SIGN_IN_LINKS_PER_HOUR", 10)
SIGN_IN_EMAIL = Kind("sign-in-email", "ONESTOP_PORTAL_SIGN_IN_LINKS_PER_EMAIL_PER_HOUR", 3)


def limit(kind: Kind = REPORTS) -> int:
    return int(getattr(settings, kind.setting, kind.default))


def window_seconds(kind: Kind = REPORTS) -> int:
    return int(getattr(settings, kind.window_setting, DEFAULT_WINDOW_SECONDS))


def _key(address: str | None, kind: Kind = REPORTS) -> str:
    # Hashed so the cache holds no addresses in the clear.
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    return f"portal:{kind.name}:{digest}"


def _increment(address: str | None, kind: Kind = REPORTS) -> int:
    """One more use from ``address``, atomically; the window starts with the first."""
    key = _key(address, kind)
    if cache.add(key, 1, timeout=window_seconds(kind)):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: this starts a new window
        cache.add(key, 1, timeout=window_seconds(kind))
        return 1


def reserve(address: str | None, kind: Kind = REPORTS) -> bool:
    """Count one more use from ``address`` and say whether it is within the limit.  A
    refused reservation is given back at once, so the count stays at the limit."""
    if _increment(address, kind) > limit(kind):
        release(address, kind)
        return False
    return True


def release(address: str | None, kind: Kind = REPORTS) -> None:
    """Give back a reservation the submission did not use."""
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(_key(address, kind))


def count(address: str | None, kind: Kind = REPORTS) -> None:
    """One more use from ``address`` without asking (for tools and tests)."""
    _increment(address, kind)


def is_limited(address: str | None, kind: Kind = REPORTS) -> bool:
    """True when ``address`` has used up its allowance for the current window."""
    return int(cache.get(_key(address, kind), 0)) >= limit(kind)

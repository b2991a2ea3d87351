"""The organisations' rows the residents' pages keep for a few seconds.

Every public page of an organisation reads its row (name, whether it offers Welsh, the
version of its public content, ``core.language.active_organisation``), and ``/`` lists the
organisations' sites.  On the lightest pages, whose templates render in about a millisecond,
that round trip to the database was a large part of the request, so a resident's GET takes
them from Django's cache when read there in the last ``ONESTOP_PUBLIC_CACHE_SECONDS`` (0: never).

Every change to an organisation made through OneStop drops them (``forget``: from
``Organisation.save`` and ``core.services.public_content_changed``), so the process that made
the change, and every process when Django's cache is Redis (``ONESTOP_CACHE_URL``), sees it on
the next page.  With each process's own memory, other processes see it within those seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

ROW_KEY = "onestop-public-organisation:{slug}"
#: How long what the residents' pages show is kept under an organisation's public version.
#: Freshness does not depend on it (the keys hold the version, which every write to what the
#: pages show moves on, and the date): it only bounds how long memory holds copies no key asks
#: for any more.
VERSIONED_SECONDS = 6 * 60 * 60
SITES_KEY = "onestop-public-sites"

Kept = TypeVar("Kept")


def kept(key: str, read: Callable[[], Kept | None], seconds: int | None = None) -> Kept | None:
    """What ``read()`` answers, from the cache under ``key`` when it is there (kept for
    ``seconds``, by default ``ONESTOP_PUBLIC_CACHE_SECONDS``; 0: never); an answer of ``None``
    (nothing found) is not kept."""
    if seconds is None:
        seconds = settings.ONESTOP_PUBLIC_CACHE_SECONDS
    if seconds <= 0:
        return read()
    found: Kept | None = cache.get(key)
    if found is None:
        found = read()
        if found is not None:
            cache.set(key, found, seconds)
    return found


def forget(slugs: Iterable[str]) -> None:
    """Drop the kept rows of the organisations ``slugs`` names, and the list of sites, now and
    again when the current transaction commits (a page read between the two would otherwise
    keep the rows as they were before the change)."""
    keys = [SITES_KEY, *(ROW_KEY.format(slug=slug) for slug in slugs)]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


class Versioned(Protocol):
    """An organisation's row, as ``of_version`` reads it (``core.models`` imports this module)."""

    @property
    def pk(self) -> Any: ...

    @property
    def public_version(self) -> int: ...


def of_version(organisation: Versioned, part: str, read: Callable[[], Kept], *key: str) -> Kept:
    """``read()``, kept in Django's cache under the organisation's id and **public version**
    (and ``key``: the date, the page's language) and answered from there until either moves
    on: every service that changes what the residents' pages show moves the version on
    (``core.services.public_content_changed``).  ``organisation`` must be the row read for
    this request, so that its ``public_version`` is current."""
    name = ":".join(
        ["onestop-public", part, str(organisation.pk), str(organisation.public_version), *key]
    )
    found: Kept | None = cache.get(name)
    if found is None:
        found = read()
        cache.set(name, found, VERSIONED_SECONDS)
    return found

"""The history queries: a customer's full history (contacts, cases, messages), newest first, one
page at a time.

Read-only, like ``queries.py`` (kept in its own module so the desk search there and this history
can change independently).  The history is a small union of **sources**: each source answers two
questions for one kind of record (``core.sources.HistorySource``):

- ``timeline(user, customer)``: a queryset of ``(history_kind, id, history_at)`` rows of the
  records the user may see, pinned to the user's organisation, or ``None`` when the user may see
  none of that kind;
- ``entries(user, ids)``: the page's records of that kind, as ``HistoryEntry``, in one query.

The page is one ``UNION ALL`` of the sources' rows ordered by time (newest first, then kind and
id so ties are stable) with ``LIMIT``/``OFFSET`` in SQL, one ``COUNT`` of the same union for the
page numbers, then one query per kind present on the page.

The sources are registered in ``core.sources`` by the apps that own the records (``contacts``
and ``cases`` from their ``AppConfig.ready``), so this module imports neither.  Complaints and
appointments register a source when those capabilities arrive; nothing here changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.core.paginator import Page, Paginator

from onestop.core.models import User
from onestop.core.scoping import UnscopedQueryError
from onestop.core.sources import HistoryEntry, HistorySource, history_sources
from onestop.customers.models import Customer

PAGE_SIZE = 25
# Page numbers longer than this are past the end of any history (and never reach SQL).
_PAGE_NUMBER = re.compile(r"^[0-9]{1,9}$")


# --- the page -----------------------------------------------------------------------------------
def page_number(text: str | None) -> int:
    """The page asked for: a whole number from 1; anything else (``abc``, ``-1``, ``0``, ``²``)
    is page 1; a number too long to be a page is past the end (the last page)."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    if not _PAGE_NUMBER.match(text):
        return 999_999_999
    return max(1, int(text))


def history_of(
    user: User,
    customer: Customer,
    page: int = 1,
    *,
    page_size: int = PAGE_SIZE,
    sources: Sequence[HistorySource] | None = None,
) -> Page[HistoryEntry]:
    """The customer's history the user may see, newest first; a page past the end is the last.

    Every part is pinned to the user's organisation (a partner's user never reaches another
    organisation's customer: ``get_customer_for`` answers 404 first).  Reading it is audited by
    the caller's ``open_customer``.
    """
    if sources is None:
        sources = history_sources()
    parts = [part for source in sources if (part := source.timeline(user, customer)) is not None]
    for part in parts:
        if not part.is_scoped():
            raise UnscopedQueryError("Every history source must be pinned to organisations.")
    if not parts:
        return Paginator([], page_size).get_page(1)
    rows = parts[0]
    if len(parts) > 1:
        rows = rows.union(*parts[1:], all=True)
    ordered = rows.unscoped("every part of the union is pinned to the user's organisation")
    ordered = ordered.order_by("-history_at", "history_kind", "-id")
    found = Paginator(ordered, page_size).get_page(page)
    by_kind: dict[str, list[int]] = {}
    for kind, pk, _at in found.object_list:
        by_kind.setdefault(kind, []).append(pk)
    fetched = {
        source.kind: source.entries(user, by_kind[source.kind])
        for source in sources
        if source.kind in by_kind
    }
    found.object_list = [
        fetched[kind][pk] for kind, pk, _at in found.object_list if pk in fetched.get(kind, {})
    ]
    return found

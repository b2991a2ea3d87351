"""Page addresses a view builds many times over, each reversed once (``reverse``).

Django's ``reverse`` walks the URL patterns on every call: tens of microseconds each, which on
"Check your answers" (a link to every question page) cost more than the page's reads.  The
address of a view and its arguments depends only on the URL configuration and the script
prefix the site is served under, so the answer is kept for those (the most recent few thousand
kept, so a process's memory stays bounded whatever addresses it is asked for)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse

KEPT = 4096


def reverse(viewname: str, *args: str | int) -> str:
    """``django.urls.reverse(viewname, args=args)``, as that would answer now."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF  # a request's own, else the site's
    return _reversed(urlconf, get_script_prefix(), viewname, args)


@lru_cache(maxsize=KEPT)
def _reversed(urlconf: str, prefix: str, viewname: str, args: tuple[str | int, ...]) -> str:
    # ``prefix`` is part of the key: ``django_reverse`` reads the same prefix itself.
    return django_reverse(viewname, urlconf=urlconf, args=args)

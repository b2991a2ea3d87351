"""The residents' site's links, registered by the capabilities that own the pages.

Beside ``navigation.py`` (the staff shell's links), for the public side: each app that has a page
for residents registers its link here from its ``AppConfig.ready()``, so the portal's start page
and the footer of every public page show it without the portal (or ``core``) importing that app.
A link's URL name takes the organisation's slug as its one argument, like
``feedback:public`` (``/feedback/o/<organisation>/``).

    public_links.register(PublicLink(
        key="feedback", label=_("Complain, comment or compliment"),
        url_name="feedback:public", places=(START, FOOTER),
        description=_("Tell us what went wrong, what went well, or what we could do better"),
    ))

A message sent outside the site (an e-mail, a text message, a letter) links to these pages with
the whole address: ``public_url`` (``ONESTOP_PUBLIC_URL``) before the path, as ``absolute_link``
writes it for a registered page and the sign-in and survey links write it for theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

# Where a link shows: the start page's "What you can do online" list, every public footer, or
# the header's home link (the organisation's name, on pages that belong to no app, such as
# the site-wide error pages: the first link registered there).
START = "start"
FOOTER = "footer"
HOME = "home"
PLACES = frozenset({START, FOOTER, HOME})
#: The key of the residents' track page (registered by the portal): a message about a case
#: links to it (``cases.queries.message_context``'s ``track_link``).
TRACK = "portal-track"


@dataclass(frozen=True)
class PublicLink:
    key: str
    label: str | Promise
    url_name: str
    places: tuple[str, ...] = (START, FOOTER)
    description: str | Promise = ""
    # Lower first; links of equal position keep the order they were registered in.
    position: int = 100


@dataclass(frozen=True)
class ResolvedLink:
    key: str
    label: str
    href: str
    description: str


_LINKS: dict[str, PublicLink] = {}


def register(link: PublicLink) -> None:
    """Add ``link`` (or replace the link registered under its key: ``ready()`` may run twice)."""
    unknown = set(link.places) - PLACES
    if unknown:
        raise ValueError(f"Unknown public link places {sorted(unknown)} for {link.key!r}")
    _LINKS[link.key] = link


def unregister(key: str) -> None:
    _LINKS.pop(key, None)


def registered(place: str) -> list[PublicLink]:
    ordered = sorted(enumerate(_LINKS.values()), key=lambda item: (item[1].position, item[0]))
    return [link for _order, link in ordered if place in link.places]


def links_for(organisation_slug: str, place: str) -> list[ResolvedLink]:
    """The links for ``place`` on ``organisation_slug``'s pages.  A link whose page is not
    installed (its URL name does not resolve) is left out rather than breaking every page."""
    resolved = []
    for link in registered(place):
        try:
            href = reverse(link.url_name, args=[organisation_slug])
        except NoReverseMatch:
            continue
        resolved.append(ResolvedLink(link.key, str(link.label), href, str(link.description)))
    return resolved


def public_url() -> str:
    """Where residents reach this OneStop (``ONESTOP_PUBLIC_URL``), without a trailing slash:
    the start of every link a message carries."""
    return str(getattr(settings, "ONESTOP_PUBLIC_URL", "http://localhost:8000")).rstrip("/")


def absolute_link(key: str, organisation_slug: str, *, language: str = "") -> str:
    """The whole address of the page registered under ``key`` for ``organisation_slug``, for a
    message: ``public_url()`` before its path and, for a Welsh message (``language`` ``cy``),
    the language toggle's ``?lang=cy`` (the page follows the organisation's Welsh offer).  ""
    when no page is registered under ``key`` or its page is not installed."""
    link = _LINKS.get(key)
    if link is None or not organisation_slug:
        return ""
    try:
        path = reverse(link.url_name, args=[organisation_slug])
    except NoReverseMatch:
        return ""
    # Here, not at the top: the apps import this module while Django loads them, before
    # ``core.language``'s models may be imported.
    from onestop.core.language import LANGUAGE_PARAMETER, WELSH

    address = public_url() + path
    if language == WELSH:
        return f"{address}?{LANGUAGE_PARAMETER}=cy"
    return address

"""The language of a page: Welsh or English on the residents' pages of an organisation that
offers Welsh, English everywhere else.

A resident chooses with the GOV.UK language toggle, links that add ``?lang=cy`` or ``?lang=en``
to the page's address.  The choice is remembered in Django's language cookie
(``settings.LANGUAGE_COOKIE_NAME``): a functional cookie holding only ``cy`` or ``en-gb``, no
identifier, so it needs no consent and no banner.  Without a choice, a browser that asks for
Welsh first (``Accept-Language``) gets Welsh.  An organisation that does not offer Welsh gets
English whatever is asked, and staff pages are English (their words are not translated).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from onestop.core import public_rows
from onestop.core.models import Organisation
from onestop.core.prepared import PreparedRead

WELSH = "cy"
ENGLISH = "en-gb"
LANGUAGE_PARAMETER = "lang"
# What ``?lang=`` may say, and the language each means.
CHOICES = {"cy": WELSH, "en": ENGLISH, "en-gb": ENGLISH}
# Set on the request when the resident chose with the toggle (the cookie is written then).
CHOSEN_ATTRIBUTE = "onestop_language_chosen"
# Set on the request by ``core.middleware.PublicLanguageMiddleware``: the active organisation
# a public page's address names (``None`` when it names none), read once for the request.
ORGANISATION_ATTRIBUTE = "onestop_public_organisation"


def in_page_language(english: str, welsh: str) -> str:
    """What a resident reads of words kept in both languages: ``welsh`` when the page is in
    Welsh and the Welsh was given, else ``english`` (Welsh left empty falls back to English)."""
    return welsh if welsh and translation.get_language() == WELSH else english


def chosen(request: HttpRequest) -> str | None:
    """The language the toggle asked for on this request, if it asked for one."""
    return CHOICES.get(str(request.GET.get(LANGUAGE_PARAMETER, ""))[:10].lower())


def public_language(request: HttpRequest, organisation: Organisation | None) -> str:
    """The language of a public page of ``organisation`` (``None``: of no organisation)."""
    if organisation is not None and not organisation.offers_welsh:
        return ENGLISH
    asked = chosen(request)
    if asked is not None:
        return asked
    remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if remembered in (WELSH, ENGLISH):
        return remembered
    preferred = translation.get_language_from_request(request)
    return WELSH if preferred == WELSH else ENGLISH


# The read every public page of an organisation makes (``PublicLanguageMiddleware``), its SQL
# built once (``core.prepared``): the row itself is read afresh on every request.
_ACTIVE_ORGANISATION = PreparedRead(
    Organisation, lambda slug: Organisation.objects.filter(slug=slug, is_active=True)[:1]
)


def active_organisation(slug: str, *, kept: bool = False) -> Organisation | None:
    """The active organisation ``slug`` names (its first 60 characters); ``None`` when none is
    active under that slug.  Read from the database now, or with ``kept`` (a resident's GET of
    a page) as a process read it in the last few seconds (``core.public_rows``)."""
    slug = str(slug)[:60]
    if not kept:
        return _ACTIVE_ORGANISATION.first(slug)
    return public_rows.kept(
        public_rows.ROW_KEY.format(slug=slug), lambda: _ACTIVE_ORGANISATION.first(slug)
    )


def organisation_read(request: HttpRequest | None, slug: str) -> Organisation | None:
    """The organisation the middleware read for this request, if it read the active one
    ``slug`` names (a view then need not read it again); ``None`` otherwise."""
    read = getattr(request, ORGANISATION_ATTRIBUTE, None)
    if isinstance(read, Organisation) and read.is_active and read.slug == slug:
        return read
    return None


def use_language(request: HttpRequest, language: str) -> None:
    """Render the rest of this request in ``language``; remember it if the toggle chose it."""
    translation.activate(language)
    request.LANGUAGE_CODE = language
    if chosen(request) == language:
        setattr(request, CHOSEN_ATTRIBUTE, language)


def use_public_language(request: HttpRequest, organisation: Organisation | None) -> str:
    """For a public view of one organisation whose address has no organisation slug (the
    middleware handles those that have one): choose and use the page's language."""
    language = public_language(request, organisation)
    use_language(request, language)
    return language


def toggle_url(request: HttpRequest, language: str) -> str:
    """This page's address in ``language`` (``?lang=``), keeping the rest of its query (a
    search, ``?from=check``)."""
    query = request.GET.copy()
    query[LANGUAGE_PARAMETER] = "cy" if language == WELSH else "en"
    return f"?{query.urlencode()}"


def remember(request: HttpRequest, response: HttpResponse) -> None:
    """Write the language cookie when the toggle chose a language on this request."""
    language: Any = getattr(request, CHOSEN_ATTRIBUTE, None)
    if language is None:
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",  # as settings.LANGUAGE_COOKIE_SAMESITE (the stubs want a literal)
    )

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onestop.core import language
from onestop.core.decorators import public
from onestop.core.middleware import ORGANISATION_KEYWORDS, SAFE_METHODS, is_public
from onestop.core.models import Organisation

logger = logging.getLogger(__name__)

# An address longer than this, or deeper, is nobody's public page: its error page is plain.
_ADDRESS_LIMIT = 2_000
_SEGMENTS_LIMIT = 12
_SLUG_LIMIT = 60


@public
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def _slug_of_address(path: str, *, unresolved: str = "") -> str | None:
    """The organisation slug of the residents' page ``path`` is, or is under: the nearest
    address at or above it that names a view (``/o/vale/no-such-page/`` is under the start page
    ``/o/vale/``); ``None`` when that view is not public or names no organisation.
    ``unresolved``: an address known to name no view (the request's own, when resolving it
    failed), not resolved again."""
    segments = [segment for segment in path.split("/") if segment]
    if len(path) > _ADDRESS_LIMIT or len(segments) > _SEGMENTS_LIMIT:
        return None
    for end in range(len(segments), 0, -1):
        address = "/" + "/".join(segments[:end]) + "/"
        if address == unresolved:
            continue
        try:
            match = resolve(address)
        except Resolver404:
            continue
        if not is_public(match.func):
            return None
        slugs = [match.kwargs[key] for key in ORGANISATION_KEYWORDS if key in match.kwargs]
        slug = slugs[0] if slugs else None
        return slug if isinstance(slug, str) and len(slug) <= _SLUG_LIMIT else None
    return None


def _public_organisation(
    request: HttpRequest, *, may_read: bool = True, exception: Exception | None = None
) -> Organisation | None:
    """The active organisation whose residents' page the error is on, with the page's language
    chosen for it; ``None`` (a plain page) for a staff page, an unknown or closed organisation
    and any other address.  When a public view of an organisation answered, the middleware has
    read it (and chosen the language) already; otherwise the address is read here, once, unless
    ``may_read`` is false (the server error page asks nothing more of the database)."""
    if hasattr(request, language.ORGANISATION_ATTRIBUTE):
        read = getattr(request, language.ORGANISATION_ATTRIBUTE)
        return read if isinstance(read, Organisation) else None
    if not may_read:
        return None
    # No view answered the request's address (the handler's own resolving failed, so no view
    # was found): resolving it again would fail again, trying every pattern.
    unresolved = (
        request.path_info
        if isinstance(exception, Resolver404) and request.resolver_match is None
        else ""
    )
    slug = _slug_of_address(request.path_info, unresolved=unresolved)
    if slug is None:
        return None
    # As the language middleware reads it: a GET may take the row kept a few seconds.
    organisation = language.active_organisation(slug, kept=request.method in SAFE_METHODS)
    if organisation is not None:
        language.use_public_language(request, organisation)
    return organisation


def _error_page(
    request: HttpRequest,
    template: str,
    status: int,
    *,
    may_read: bool = True,
    exception: Exception | None = None,
) -> HttpResponse:
    """A site-wide error page; under a public organisation's address it carries that
    organisation's footer (the complaints route, its information pages) and language toggle,
    in the page's language.  Finding the organisation never stops the error page itself."""
    try:
        organisation = _public_organisation(request, may_read=may_read, exception=exception)
    except Exception:
        logger.exception("error page: the organisation of %s could not be read", request.path[:200])
        organisation = None
    return render(request, template, {"organisation": organisation}, status=status)


@public
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "core/404.html", 404, exception=exception)


@public
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "core/400.html", 400)


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form without a valid CSRF token (expired session, cookies off, a forged post)."""
    return _error_page(request, "core/csrf_failure.html", 403)


@public
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "core/403.html", 403)


@public
def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, "core/500.html", 500, may_read=False)

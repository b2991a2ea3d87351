"""The staff door and the tenant: every non-public view needs a verified member of staff, and
the organisation comes only from the signed-in identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from onestop.core import language
from onestop.core.decorators import PUBLIC_ATTRIBUTE

API_NAMESPACE = "api"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where a member of staff signed in with an administrator's temporary password must go first.
# (A URL name, not a password.)
CHANGE_OWN_PASSWORD_VIEW = "trust:password-change"  # noqa: S105  # nosec B105
# Session key holding when the password step succeeded (seconds since the epoch, UTC).
SIGNED_IN_AT = "onestop_signed_in_at"


def _session_too_old(request: HttpRequest) -> bool:
    """Sessions end after ``SESSION_MAXIMUM_SECONDS`` however active they are (ASVS 7.3.2)."""
    signed_in_at = request.session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int | float):
        return True
    return timezone.now().timestamp() - signed_in_at > settings.SESSION_MAXIMUM_SECONDS


def is_public(view_func: Callable[..., Any]) -> bool:
    if getattr(view_func, PUBLIC_ATTRIBUTE, False):
        return True
    # Class-based views expose their class on the function as_view() returns.
    view_class = getattr(view_func, "view_class", None)
    return bool(getattr(view_class, PUBLIC_ATTRIBUTE, False))


# Session key holding when the session was last saved for activity (seconds since the epoch).
RENEWED_AT = "onestop_renewed_at"


class SessionRenewalMiddleware:
    """Renews a session's idle limit (``SESSION_COOKIE_AGE``) on activity (a request that used
    the session), writing the session
    at most once every ``SESSION_RENEW_SECONDS`` rather than on every request.

    A session expires ``SESSION_COOKIE_AGE`` after it was last saved; saving it on every request
    (``SESSION_SAVE_EVERY_REQUEST``) cost every page a write and a commit.  Here a request marks
    the session changed only when its last renewal is that many seconds old, so the idle limit
    is never longer than ``SESSION_COOKIE_AGE`` and at most that many seconds shorter.  Sits just
    after ``SessionMiddleware``, which saves a changed session on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or session.is_empty():
            return response  # no session, or one just ended: nothing to keep alive
        if not session.accessed:
            # A page that used nothing of the session (a resident's information page) is not
            # activity on it, and reading it here would cost that page a query.  Every staff
            # page reads it (who is signed in).
            return response
        now = timezone.now().timestamp()
        renewed_at = session.get(RENEWED_AT)
        if (
            not isinstance(renewed_at, int | float)
            or not 0 <= now - renewed_at < settings.SESSION_RENEW_SECONDS
        ):
            session[RENEWED_AT] = now
        return response


class OrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        response = self.get_response(request)
        # Pages made for a signed-in member of staff hold personal data: never cache them
        # anywhere.  Every staff page asks who the user is (``process_view``); a resident's
        # page that never asked shows nothing of a user, and asking now would read the session
        # on every visit of a resident who has one (Django's AuthenticationMiddleware keeps the
        # user it found as ``_cached_user``).
        if user is not None and hasattr(request, "_cached_user") and user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if is_public(view_func):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == API_NAMESPACE:
            return None  # the API authenticates every endpoint itself (401, not a redirect)
        user = request.user
        verified = user.is_authenticated and user.is_verified()  # type: ignore[attr-defined]
        if verified and not _session_too_old(request):
            return self._temporary_password(request, user)
        if verified:
            logout(request)
        sign_in = reverse(settings.LOGIN_URL)
        return HttpResponseRedirect(f"{sign_in}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _temporary_password(request: HttpRequest, user: Any) -> HttpResponse | None:
        """A member of staff still on an administrator's temporary password chooses their own
        before any other staff page (signing out stays open: it is public)."""
        if not getattr(user, "must_change_password", False):
            return None
        match = request.resolver_match
        if match is not None and match.view_name == CHANGE_OWN_PASSWORD_VIEW:
            return None
        target = reverse(CHANGE_OWN_PASSWORD_VIEW)
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


# The URL keywords that name a public page's organisation (``/report/<organisation_slug>/``,
# ``/performance/<organisation>/``), in the order they are looked for.
ORGANISATION_KEYWORDS = ("organisation_slug", "organisation")


class PublicLanguageMiddleware:
    """The page's language (``core.language``): on a public page of an organisation named in
    its address, Welsh or English as the resident chose (``?lang=``, then the language cookie,
    then ``Accept-Language``) when the organisation offers Welsh, else English; English on
    every staff page and every public page of no organisation.  A page no view answers (a 404
    of an unknown address) follows the resident's choice.  It does Django's
    ``LocaleMiddleware``'s work too (the language for the request, ``Content-Language`` and
    ``Vary: Accept-Language`` on the response), so the language is chosen once a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Until a view is found (``process_view`` chooses again for it).
        chosen = language.public_language(request, None)
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        language.remember(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if not is_public(view_func):
            language.use_language(request, language.ENGLISH)
            return
        slug = next((view_kwargs[key] for key in ORGANISATION_KEYWORDS if key in view_kwargs), None)
        if not isinstance(slug, str):
            # Sign-in, the API and other pages of no organisation are English; a residents' page
            # of one organisation without the slug in its address chooses in its view
            # (core.language.use_public_language).
            language.use_language(request, language.ENGLISH)
            return
        # The whole row, kept on the request: the view reads its organisation from there
        # (cases.queries.public_organisation) rather than asking the database twice.
        # A resident's GET may use the row as read in the last few seconds; what they send
        # (a POST) is checked against the row as it is now.
        organisation = language.active_organisation(slug, kept=request.method in SAFE_METHODS)
        setattr(request, language.ORGANISATION_ATTRIBUTE, organisation)
        language.use_language(request, language.public_language(request, organisation))

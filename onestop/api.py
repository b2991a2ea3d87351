"""The documented REST API at ``/api/v1/`` (OpenAPI 3 at ``/api/v1/docs``).

Each capability app owns its endpoints in ``<app>/api.py`` as a ninja ``Router``; this module
only assembles them and turns errors into RFC 9457 problem details.  Authentication: a signed-in,
two-factor-verified staff session (API tokens arrive with the channels capability).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import SessionAuth

from onestop.core.errors import ServiceError


class VerifiedStaffSession(SessionAuth):
    """A staff session whose second factor has been verified (as for staff pages)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not user.is_verified():
            return None
        return user


api = NinjaAPI(
    title="OneStop API",
    version="1",
    urls_namespace="api",
    auth=VerifiedStaffSession(),
    docs_url="/docs",
)


def _problem(
    request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    body = {
        "type": f"https://onestop.invalid/problems/{code}",
        "title": code,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _problem(request, 404, "not_found", "No such object.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _problem(request, 403, "forbidden", "Your role does not allow this.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _problem(request, 401, "unauthenticated", "Sign in with your second factor first.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _problem(request, 422, "invalid", "The request is not valid.", errors=exc.errors)


@api.exception_handler(ServiceError)
def _rejected(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _problem(request, 400, str(exc.code), exc.message, field=exc.field)


# Routers of the capability apps (one line each).
api.add_router("/directory/", "onestop.directory.api.router")
api.add_router("/customers/", "onestop.customers.api.router")
api.add_router("/contacts/", "onestop.contacts.api.router")
api.add_router("/cases/", "onestop.cases.api.router")

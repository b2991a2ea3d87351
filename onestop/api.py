"""The documented REST API at ``/api/v1/`` (OpenAPI 3 at ``/api/v1/docs``).

Each capability app owns its endpoints in ``<app>/api.py`` as a ninja ``Router``; this module
only assembles them and turns errors into RFC 9457 problem details.  Authentication: a signed-in,
two-factor-verified staff session (API tokens arrive with the channels capability).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth
from pydantic import BaseModel

from onestop.core import problems
from onestop.core.errors import ServiceError
from onestop.core.text import has_control_characters, refusal_message

logger = logging.getLogger(__name__)


class VerifiedStaffSession(SessionAuth):
    """A staff session whose second factor has been verified (as for staff pages)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not user.is_verified():
            return None
        return user


class OneStopAPI(NinjaAPI):
    """The API, whose OpenAPI document says what every error is: a problem document."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problems.SCHEMA
        problem = {problems.CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    if str(status).isdigit() and int(status) >= 400:
                        response["content"] = problem
                responses.setdefault(
                    "default", {"description": "Problem details (RFC 9457)", "content": problem}
                )
        return schema


api = OneStopAPI(
    title="OneStop API",
    version="1",
    urls_namespace="api",
    auth=VerifiedStaffSession(),
    docs_url="/docs",
)


def _problem(
    request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    response = api.create_response(
        request, problems.body(status, code, detail, **extra), status=status
    )
    response["Content-Type"] = problems.CONTENT_TYPE
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


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _problem(request, 413, "too_large", problems.DETAILS[413])


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    logging.getLogger(f"django.security.{type(exc).__name__}").warning(str(exc))
    return _problem(request, 400, "bad_request", problems.DETAILS[400])


@api.exception_handler(MultiPartParserError)
def _unreadable_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _problem(request, 400, "bad_request", problems.DETAILS[400])


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    return _problem(request, status, problems.code_for(status), str(exc.message))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Whatever else went wrong: logged with its traceback, answered without it."""
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return _problem(request, 500, "server_error", problems.DETAILS[500])


class RefusedText(Exception):
    """Strings in the request holding characters ``core.text`` refuses, by location."""

    def __init__(self, locations: list[tuple[str | int, ...]]) -> None:
        super().__init__(locations)
        self.locations = locations


class OutOfRange(Exception):
    """Whole numbers in the request that no database column can hold, by location."""

    def __init__(self, locations: list[tuple[str | int, ...]]) -> None:
        super().__init__(locations)
        self.locations = locations


# What a 64-bit integer column holds (PostgreSQL bigint, SQLite INTEGER): a larger id or count
# cannot name anything, and SQLite's driver would fail on it with an OverflowError (a 500).
_STORABLE_INTEGERS = range(-(2**63), 2**63)


def _leaves(
    value: Any, location: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every plain value in ``value`` (a parameter after validation) with where it is; a dict's
    string keys count as values of their own."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _leaves(getattr(value, name), (*location, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield (*location, key), key
            yield from _leaves(item, (*location, str(key)))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _leaves(item, (*location, index))
    else:
        yield location, value


def _plain_text_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Every string an endpoint receives, in its path, query or body, after validation and
    before the endpoint runs: one with NUL, control, bidirectional or zero-width characters is
    refused (422, ``invalid``), as every form refuses it; nothing reaches a service or the
    database (PostgreSQL cannot store a NUL).  A whole number beyond what a 64-bit column holds
    is refused the same way (422)."""

    @functools.wraps(view)
    def checked(request: HttpRequest, **values: Any) -> Any:
        leaves = [leaf for name, value in values.items() for leaf in _leaves(value, (name,))]
        refused = [
            where
            for where, leaf in leaves
            if isinstance(leaf, str) and has_control_characters(leaf)
        ]
        if refused:
            raise RefusedText(refused)
        too_large = [
            where
            for where, leaf in leaves
            if isinstance(leaf, int)
            and not isinstance(leaf, bool)
            and leaf not in _STORABLE_INTEGERS
        ]
        if too_large:
            raise OutOfRange(too_large)
        return view(request, **values)

    return checked


api.add_decorator(_plain_text_only, mode="operation")


@api.exception_handler(OutOfRange)
def _out_of_range(request: HttpRequest, exc: OutOfRange) -> HttpResponse:
    errors = [
        {"loc": list(location), "msg": "Enter a smaller number", "type": "out_of_range"}
        for location in exc.locations
    ]
    return _problem(
        request, 422, "invalid", "A number is too large to name anything.", errors=errors
    )


@api.exception_handler(RefusedText)
def _refused_text(request: HttpRequest, exc: RefusedText) -> HttpResponse:
    errors = [
        {
            "loc": list(location),
            "msg": refusal_message(str(location[-1])),
            "type": "control_characters",
        }
        for location in exc.locations
    ]
    return _problem(
        request,
        422,
        "invalid",
        "Remove the special characters: only ordinary text is allowed.",
        errors=errors,
    )


# Routers of the capability apps (one line each).
api.add_router("/directory/", "onestop.directory.api.router")
api.add_router("/customers/", "onestop.customers.api.router")
api.add_router("/contacts/", "onestop.contacts.api.router")
api.add_router("/cases/", "onestop.cases.api.router")

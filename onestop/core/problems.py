"""Problem details (RFC 9457): the one shape every error of the REST API takes.

``problem`` builds one; ``ProblemDetailsMiddleware`` makes sure that whatever goes wrong under
``/api/`` (an unknown URL, a method not allowed, a body over the size limit, a server error, a
page Django or a library answered itself) reaches the client as a problem document with the same
status, never an HTML page or a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

API_PATH_PREFIX = "/api/"
CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://onestop.invalid/problems/"

# Codes for statuses answered without a more specific one.
CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}
DETAILS: dict[int, str] = {
    400: "The request could not be read.",
    401: "Sign in with your second factor first.",
    403: "Your role does not allow this.",
    404: "No such object.",
    405: "This method is not allowed here.",
    413: "The request body is larger than the limit.",
    429: "Too many requests: try again later.",
    500: "Something went wrong on our side; it has been logged.",
}


def code_for(status: int) -> str:
    return CODES.get(status, "server_error" if status >= 500 else "error")


def detail_for(status: int) -> str:
    if status in DETAILS:
        return DETAILS[status]
    try:
        return f"{HTTPStatus(status).phrase}."
    except ValueError:
        return "The request failed."


def body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"{TYPE_BASE}{code}",
        "title": code,
        "status": status,
        "detail": detail,
        **extra,
    }


def problem(status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    """A problem document response."""
    return HttpResponse(
        json.dumps(body(status, code, detail, **extra), cls=DjangoJSONEncoder),
        status=status,
        content_type=CONTENT_TYPE,
    )


# The OpenAPI schema of a problem document (other members, such as ``errors``, ``field`` or
# ``duplicates``, may follow).
SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details: every error of the API.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}


def _is_problem(content: bytes) -> bool:
    try:
        parsed = json.loads(content)
    except ValueError:
        return False
    return isinstance(parsed, dict) and all(
        isinstance(parsed.get(name), kind)
        for name, kind in (("type", str), ("title", str), ("status", int), ("detail", str))
    )


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


class ProblemDetailsMiddleware:
    """Turn any error response under ``/api/`` that is not already a problem document into one
    with the same status (keeping headers such as ``Allow`` and ``Retry-After``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api(request)
            or str(response.get("Content-Type", "")).startswith(CONTENT_TYPE)
            or not isinstance(response, HttpResponse)
        ):
            return response
        status = response.status_code
        if not _is_problem(response.content):
            response.content = json.dumps(body(status, code_for(status), detail_for(status)))
        # An endpoint that wrote a problem document as plain JSON keeps its body.
        response["Content-Type"] = CONTENT_TYPE
        return response

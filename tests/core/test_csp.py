"""The policy header built once (``core.csp``) is the header django-csp's own middleware builds
for the same request and response, whatever the page did with its nonce, whatever the settings
say, and a response with a policy of its own is still django-csp's to build."""

from __future__ import annotations

import re
from typing import cast

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from onestop.core.csp import PLACEHOLDER, CSPMiddleware
from tests import factories

NONCE_IN_POLICY = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


def _headers(
    middleware_class: type[DjangoCSPMiddleware],
    *,
    use_nonce: bool,
    path: str = "/o/vale/privacy/",
    nonce: str | None = None,
    before: dict[str, object] | None = None,
) -> tuple[dict[str, str], HttpRequest]:
    """The policy headers ``middleware_class`` puts on one response to a GET of ``path``."""
    request = RequestFactory().get(path)

    def view(request: HttpRequest) -> HttpResponse:
        if nonce is not None:
            request._csp_nonce = nonce  # type: ignore[attr-defined]
        response = HttpResponse(f"nonce {request.csp_nonce}" if use_nonce else "no nonce")  # type: ignore[attr-defined]
        for name, value in (before or {}).items():
            setattr(response, name, value)
        return response

    response = cast(HttpResponse, middleware_class(view)(request))
    return {
        header: response[header] for header in (HEADER, HEADER_REPORT_ONLY) if header in response
    }, request


@pytest.mark.parametrize("use_nonce", [True, False])
def test_the_header_is_django_csps_for_a_page_with_and_without_its_nonce(use_nonce: bool) -> None:
    nonce = "c2FtZSBub25jZQ==" if use_nonce else None  # the same nonce for both, to compare
    ours, _ = _headers(CSPMiddleware, use_nonce=use_nonce, nonce=nonce)
    theirs, _ = _headers(DjangoCSPMiddleware, use_nonce=use_nonce, nonce=nonce)

    assert ours == theirs
    assert ("'nonce-c2FtZSBub25jZQ=='" in ours[HEADER]) is use_nonce
    assert PLACEHOLDER not in ours[HEADER]
    assert HEADER_REPORT_ONLY not in ours  # none configured


def test_each_response_gets_its_own_nonce(db: None) -> None:
    factories.organisation(slug="vale", name="Vale Council")
    client = Client()

    first = client.get("/o/vale/privacy/")
    second = client.get("/o/vale/privacy/")

    nonces = [NONCE_IN_POLICY.findall(response[HEADER]) for response in (first, second)]
    assert [len(found) for found in nonces] == [1, 1]
    assert nonces[0] != nonces[1]
    for response, (nonce,) in zip((first, second), nonces, strict=True):
        assert f'nonce="{nonce}"' in response.content.decode()  # the page's scripts carry it


def test_a_change_of_settings_changes_the_header_as_django_csp_would() -> None:
    policy = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}
    report_only = {
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
        "DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "https://tiles.example"]},
    }
    before, _ = _headers(CSPMiddleware, use_nonce=True, nonce="Zmlyc3Q=")
    with override_settings(
        CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only
    ):
        ours, _ = _headers(CSPMiddleware, use_nonce=True, nonce="Zmlyc3Q=")
        theirs, _ = _headers(DjangoCSPMiddleware, use_nonce=True, nonce="Zmlyc3Q=")
        excluded, _ = _headers(CSPMiddleware, use_nonce=False, path="/healthz")
        excluded_theirs, _ = _headers(DjangoCSPMiddleware, use_nonce=False, path="/healthz")
    after, _ = _headers(CSPMiddleware, use_nonce=True, nonce="Zmlyc3Q=")

    assert ours == theirs
    assert set(ours[HEADER_REPORT_ONLY].split("; ")) == {
        "default-src 'self'",
        "img-src 'self' https://tiles.example",
    }
    assert excluded == excluded_theirs
    assert HEADER_REPORT_ONLY not in excluded
    assert after == before  # the settings back, the header back
    assert ours != before


@pytest.mark.parametrize(
    "own",
    [
        {"_csp_update": {"img-src": ["https://tiles.example"]}},
        {"_csp_replace": {"script-src": None}},
        {"_csp_config": {"default-src": ["'none'"]}},
        {"_csp_exempt": True},
    ],
)
def test_a_response_with_a_policy_of_its_own_gets_it(own: dict[str, object]) -> None:
    ours, _ = _headers(CSPMiddleware, use_nonce=False, before=own)
    theirs, _ = _headers(DjangoCSPMiddleware, use_nonce=False, before=own)

    assert ours == theirs


def test_a_header_the_view_set_is_kept() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("file")
        response[HEADER] = "default-src 'none'; sandbox"
        return response

    response = cast(HttpResponse, CSPMiddleware(view)(RequestFactory().get("/documents/1/")))

    assert response[HEADER] == "default-src 'none'; sandbox"


def test_asking_for_the_nonce_after_the_header_is_written_is_an_error() -> None:
    _, request = _headers(CSPMiddleware, use_nonce=False)

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)  # type: ignore[attr-defined]

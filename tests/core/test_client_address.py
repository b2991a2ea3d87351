"""The address a request came from (``core.http.request_address``): the connection's own
unless OneStop is told how many reverse proxies stand in front of it; then read through them,
never believing what the client itself wrote into ``X-Forwarded-For``."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from onestop.core.http import client_address, request_address

PROXY = "127.0.0.1"


def _request(forwarded: str | None = None, remote: str = PROXY) -> HttpRequest:
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_without_a_trusted_proxy_the_header_is_never_believed() -> None:
    request = _request("203.0.113.9")
    assert request_address(request) == PROXY


@override_settings(ONESTOP_TRUSTED_PROXIES=1)
def test_behind_one_proxy_each_resident_is_told_apart() -> None:
    first = _request("203.0.113.9")
    second = _request("198.51.100.4")
    assert request_address(first) == "203.0.113.9"
    assert request_address(second) == "198.51.100.4"
    # The sign-in lockout and the audit trail resolve it the same way.
    assert get_client_ip_address(first) == client_address(first) == "203.0.113.9"


@override_settings(ONESTOP_TRUSTED_PROXIES=1)
def test_what_the_client_wrote_to_the_left_is_ignored() -> None:
    request = _request("10.0.0.1, 1.2.3.4, 203.0.113.9")
    assert request_address(request) == "203.0.113.9"


@override_settings(ONESTOP_TRUSTED_PROXIES=2)
def test_behind_two_proxies_the_second_entry_from_the_right() -> None:
    request = _request("1.2.3.4, 203.0.113.9, 10.0.0.5", remote="10.0.0.6")
    assert request_address(request) == "203.0.113.9"


@override_settings(ONESTOP_TRUSTED_PROXIES=1)
@pytest.mark.parametrize(
    "forwarded",
    [None, "", " , ", "not-an-address", "203.0.113.9:443", "<script>", "1.2.3.4\x00", "9" * 5000],
)
def test_a_missing_short_or_malformed_header_falls_back_to_the_connection(
    forwarded: str | None,
) -> None:
    assert request_address(_request(forwarded)) == PROXY


@override_settings(ONESTOP_TRUSTED_PROXIES=2)
def test_a_request_that_skipped_a_proxy_is_not_believed() -> None:
    assert request_address(_request("203.0.113.9", remote="10.0.0.6")) == "10.0.0.6"


@override_settings(ONESTOP_TRUSTED_PROXIES=1)
def test_ipv6_addresses_are_read_and_written_canonically() -> None:
    request = _request("2001:DB8:0:0:0:0:0:1")
    assert request_address(request) == "2001:db8::1"

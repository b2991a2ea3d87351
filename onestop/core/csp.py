"""The Content Security Policy header, built once rather than on every response.

django-csp's ``CSPMiddleware`` builds the policy's text from the settings on every response,
twice (the policy and the report-only one), which cost the residents' lightest pages about a
twentieth of their time.  The text depends only on the settings and on whether the page used
its nonce, so this middleware builds it with django-csp's own ``build_policy`` once per
setting and puts each response's nonce in.  A response that asks for its own policy (django-csp's
decorators) is handled by django-csp as before.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# Stands for the nonce in the text built once (never a real nonce: those are base64).
PLACEHOLDER = "onestop-csp-nonce"
# Set by django-csp's decorators on a response with a policy of its own.
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")


@cache
def _policies(with_nonce: bool) -> tuple[str, str]:
    """The policy's text and the report-only one's, from the settings (with ``PLACEHOLDER``
    where the nonce goes, when ``with_nonce``)."""
    nonce = PLACEHOLDER if with_nonce else None
    return build_policy(nonce=nonce), build_policy(nonce=nonce, report_only=True)


@cache
def _excluded_prefixes(setting: str) -> tuple[str, ...]:
    policy: Any = getattr(settings, setting, None) or {}
    return tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting in _SETTINGS:
        _policies.cache_clear()
        _excluded_prefixes.cache_clear()


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if any(getattr(response, name, None) is not None for name in _OWN_POLICY) or (
            settings.DEBUG and response.status_code in (404, 500)
        ):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        policy, report_only = _policies(nonce is not None)
        for header, text, exempt, setting in (
            (HEADER, policy, "_csp_exempt", _SETTINGS[0]),
            (HEADER_REPORT_ONLY, report_only, "_csp_exempt_ro", _SETTINGS[1]),
        ):
            if (
                text
                and getattr(response, exempt, False) is False
                and header not in response
                and not request.path_info.startswith(_excluded_prefixes(setting))
            ):
                response[header] = text.replace(PLACEHOLDER, nonce) if nonce else text
        if nonce is None:
            # As django-csp: asking for the nonce after the header is written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

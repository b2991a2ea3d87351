"""Stable error codes of sign-in and the audit trail (shown in error summaries)."""

from __future__ import annotations

from enum import StrEnum


class TrustError(StrEnum):
    WRONG_CREDENTIALS = "wrong_credentials"
    WRONG_CODE = "wrong_code"
    TOO_MANY_CODES = "too_many_codes"
    NO_ORGANISATION = "no_organisation"
    ALREADY_ENROLLED = "already_enrolled"
    NOT_YOURS = "not_yours"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105  # nosec B105
    WEAK_PASSWORD = "weak_password"  # noqa: S105  # nosec B105

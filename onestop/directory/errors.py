"""Stable error codes of the directory, shown in problem details and error summaries."""

from __future__ import annotations

from enum import StrEnum


class DirectoryError(StrEnum):
    UNKNOWN_LGSL_CODE = "unknown_lgsl_code"
    INVALID_BOUNDARY = "invalid_boundary"
    DUPLICATE_NAME = "duplicate_name"
    CLOSES_BEFORE_OPENS = "closes_before_opens"
    OVERLAPPING_SESSION = "overlapping_session"
    WRONG_ORGANISATION = "wrong_organisation"
    ALREADY_MEMBER = "already_member"
    UNKNOWN_ROLE = "unknown_role"
    INVALID_IMPORT = "invalid_import"
    WEAK_PASSWORD = "weak_password"  # noqa: S105  # nosec B105
    OWN_ACCOUNT = "own_account"
    INVALID_DOMAIN = "invalid_domain"
    INVALID_USERNAME = "invalid_username"
    DOMAIN_TAKEN = "domain_taken"
    DOMAIN_NOT_PROVEN = "domain_not_proven"
    DNS_UNAVAILABLE = "dns_unavailable"

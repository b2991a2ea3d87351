"""Stable error codes of customers, shown in problem details and error summaries."""

from __future__ import annotations

from enum import StrEnum


class CustomerError(StrEnum):
    NAME_REQUIRED = "name_required"
    INVALID_DATE_OF_BIRTH = "invalid_date_of_birth"
    INVALID_POSTCODE = "invalid_postcode"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    INVALID_UPRN = "invalid_uprn"
    INVALID_CHOICE = "invalid_choice"
    TOO_LONG = "too_long"
    STALE_VERSION = "stale_version"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    WRONG_ORGANISATION = "wrong_organisation"
    SAME_CUSTOMER = "same_customer"
    ALREADY_MERGED = "already_merged"
    MERGE_EXPIRED = "merge_expired"
    ALREADY_UNMERGED = "already_unmerged"
    INVALID_REVIEW_DATE = "invalid_review_date"
    UNKNOWN_ROLE = "unknown_role"
    NOTHING_TO_ERASE = "nothing_to_erase"

"""Stable error codes of contacts, shown in problem details and error summaries."""

from __future__ import annotations

from enum import StrEnum


class ContactError(StrEnum):
    INVALID_CHOICE = "invalid_choice"
    TIMES_OUT_OF_ORDER = "times_out_of_order"
    IN_THE_FUTURE = "in_the_future"
    CALLBACK_NEEDS_PHONE = "callback_needs_phone"
    WRONG_ORGANISATION = "wrong_organisation"
    TOO_LONG = "too_long"
    STALE_VERSION = "stale_version"
    ALREADY_DONE = "already_done"
    MERGED_CUSTOMER = "merged_customer"
    REASON_REQUIRED = "reason_required"
    RESTRICTED_CHANNEL = "restricted_channel"

"""Stable error codes of the telephony app."""

from __future__ import annotations

from enum import StrEnum


class TelephonyError(StrEnum):
    UNKNOWN_FORMAT = "unknown_format"
    UNREADABLE_FILE = "unreadable_file"
    WRONG_ORGANISATION = "wrong_organisation"
    NOT_A_TELEPHONE_ACCESS_POINT = "not_a_telephone_access_point"


class ImportUnreadable(Exception):  # it is not an error of the code
    """The file cannot be read at all (not a row: the whole file): nothing was changed."""

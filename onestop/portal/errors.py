"""Stable error codes of the portal, shown in error summaries."""

from __future__ import annotations

from enum import StrEnum


class PortalError(StrEnum):
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    NOT_OFFERED_ONLINE = "not_offered_online"
    NAME_REQUIRED = "name_required"
    INVALID_POSITION = "invalid_position"
    REQUIRED = "required"
    NOT_OPEN = "not_open"
    CHOICES_MISMATCH = "choices_mismatch"
    INVALID_LAYOUT = "invalid_layout"
    POINT_NOT_ASKED = "point_not_asked"
    MISTYPED_REFERENCE = "mistyped_reference"
    INVALID_KEYWORDS = "invalid_keywords"

"""Stable error codes of documents, shown in problem details and error summaries."""

from __future__ import annotations

from enum import StrEnum

from onestop.core.errors import ServiceError


class DocumentError(StrEnum):
    REQUIRED = "required"
    EMPTY = "empty"
    TOO_BIG = "too_big"
    TOO_MANY = "too_many"
    BAD_NAME = "bad_name"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    ARCHIVE = "archive"
    EXECUTABLE = "executable"
    HIDDEN_CONTENT = "hidden_content"
    DAMAGED = "damaged"
    IMAGE_TOO_LARGE = "image_too_large"
    VIRUS_FOUND = "virus_found"
    SCAN_UNAVAILABLE = "scan_unavailable"
    UNKNOWN_OWNER = "unknown_owner"


class DocumentRefused(ServiceError):
    """An upload refused: nothing was stored (no row, no file)."""

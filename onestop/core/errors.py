"""Stable error codes of the kernel, shown in problem details and error summaries."""

from __future__ import annotations

from enum import StrEnum


class ServiceError(Exception):
    """A rejected request: nothing was changed.  ``field`` names the input to fix, if any."""

    def __init__(self, code: StrEnum, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

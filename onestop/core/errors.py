"""Stable error codes of the kernel, shown in problem details and error summaries."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ServiceError(Exception):
    """A rejected request: nothing was changed.  ``field`` names the input to fix, if any."""

    def __init__(self, code: StrEnum, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class ServiceErrors(ServiceError):
    """Several refusals of one request, every one to fix, each on its field (a settings form
    whose service checks all its fields): nothing was changed.  It reads as its first refusal
    where one is expected; ``pages.attach_error`` shows them all."""

    def __init__(self, errors: Sequence[ServiceError]) -> None:
        if not errors:
            raise ValueError("ServiceErrors needs at least one refusal")
        first = errors[0]
        super().__init__(first.code, first.message, field=first.field)
        self.errors = tuple(errors)

"""Stable error codes of notify, shown in problem details and error summaries."""

from __future__ import annotations

from enum import StrEnum


class NotifyError(StrEnum):
    TASK_DONE = "task_done"
    UNKNOWN_PLACEHOLDER = "unknown_placeholder"
    INVALID_TEMPLATE = "invalid_template"
    NOT_RETRYABLE = "not_retryable"
    NOT_CANCELLABLE = "not_cancellable"
    INVALID_BULK_MESSAGE = "invalid_bulk_message"
    NOT_SENDABLE = "not_sendable"

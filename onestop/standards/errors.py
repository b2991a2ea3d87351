"""Stable error codes of the standards capability."""

from __future__ import annotations

from enum import StrEnum


class StandardsError(StrEnum):
    CLOSURE_DAY_EXISTS = "closure_day_exists"
    CLOSURE_DAY_NOT_WORKING_DAY = "closure_day_not_working_day"
    CLOSURE_DAY_OUT_OF_RANGE = "closure_day_out_of_range"
    REASON_REQUIRED = "reason_required"

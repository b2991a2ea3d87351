"""Stable error codes of cases, shown in problem details and error summaries."""

from __future__ import annotations

from enum import StrEnum

from onestop.core.errors import ServiceError


class CaseError(StrEnum):
    UNKNOWN_TYPE = "unknown_type"
    INACTIVE_TYPE = "inactive_type"
    MISSING_ATTRIBUTE = "missing_attribute"
    INVALID_ATTRIBUTE = "invalid_attribute"
    UNKNOWN_ATTRIBUTE = "unknown_attribute"
    INVALID_TRANSITION = "invalid_transition"
    STALE_UPDATE = "stale_update"
    ALREADY_CLOSED = "already_closed"
    REOPEN_PERIOD_PASSED = "reopen_period_passed"
    NOT_REOPENABLE = "not_reopenable"
    WRONG_ORGANISATION = "wrong_organisation"
    NOT_A_TEAM_MEMBER = "not_a_team_member"
    LINK_TO_ITSELF = "link_to_itself"
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_CUSTOMER = "unknown_customer"
    ALREADY_LINKED = "already_linked"
    NOT_STATUTORY = "not_statutory"
    ALREADY_EXTENDED = "already_extended"
    REASON_REQUIRED = "reason_required"
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    NOT_RELEASED = "not_released"
    MISSING_STANDARD = "missing_standard"
    MISSING_CONSTITUENT = "missing_constituent"
    OUTCOME_REQUIRED = "outcome_required"
    TOO_MANY = "too_many"
    NO_RECIPIENT = "no_recipient"
    INVALID_POINT = "invalid_point"
    POINT_OUTSIDE_AREA = "point_outside_area"


class InvalidTransition(ServiceError):
    """A status change the lifecycle does not allow; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(CaseError.INVALID_TRANSITION, message, field="status")

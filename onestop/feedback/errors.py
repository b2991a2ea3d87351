"""Stable error codes of feedback (comments, compliments and complaints)."""

from __future__ import annotations

from enum import StrEnum


class FeedbackError(StrEnum):
    TOO_LONG = "too_long"
    REQUIRED = "required"
    CONTROL_CHARACTERS = "control_characters"
    WRONG_ORGANISATION = "wrong_organisation"
    NOT_A_COMPLAINT = "not_a_complaint"
    CLOSED = "closed"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    NOT_ACKNOWLEDGED = "not_acknowledged"
    ALREADY_EXTENDED = "already_extended"
    EXTENSION_TOO_LONG = "extension_too_long"
    ALREADY_RESPONDED = "already_responded"
    NOT_RESPONDED = "not_responded"
    NO_FURTHER_STAGE = "no_further_stage"
    OUTCOME_PER_POINT = "outcome_per_point"
    AMOUNT_REQUIRED = "amount_required"
    UNKNOWN_PRESET = "unknown_preset"
    NAMED_PERSON = "named_person"
    # The ombudsman, learning actions and the satisfaction survey.
    DATE_ORDER = "date_order"
    FINDING_NOT_USED = "finding_not_used"
    NOT_DECIDED = "not_decided"
    ALREADY_COMPLIED = "already_complied"
    NOT_UPHELD = "not_upheld"
    LEARNING_DONE = "learning_done"
    INVALID_AMOUNT = "invalid_amount"
    ALREADY_CLASSIFIED = "already_classified"  # fb-public: the feedback mailbox
    # Restrictions, contributions, councillors' feedback, stage owners (procedure).
    SELF_APPROVAL = "self_approval"
    NOT_PROPOSED = "not_proposed"
    NOT_IN_FORCE = "not_in_force"
    BAD_DATE = "bad_date"
    NO_RESTRICTION = "no_restriction"
    NO_LEAD_SERVICE = "no_lead_service"
    CONTRIBUTIONS_OUTSTANDING = "contributions_outstanding"
    ALREADY_CONTRIBUTED = "already_contributed"
    NOT_CONTRIBUTOR = "not_contributor"
    OWNER_RANK = "owner_rank"
    SAME_OWNER = "same_owner"

"""Every write to cases: typed functions, one transaction each, timeline event and audit inside.

``by`` is the acting member of staff (``None``: the system, e.g. the escalation sweep or the demo
loader).  A rejected request raises ``ServiceError`` (``CaseError`` codes) and changes nothing.
Deadlines come only from ``standards.clock``; each is stored on a ``CaseClock`` row with the
standard and calendar version that produced it.  Messages the case means to send are composed
by ``notify.services.compose`` as ``notify.Message`` rows inside the same transaction (the
outbox), where the notifications worker takes them.

The functions live in modules by noun (``clocks``, ``attributes``, ``case_types``,
``lifecycle``, ``links``, ``statutory``, ``escalation`` (the sweep); shared helpers in
``_common``); callers import them from here: ``from onestop.cases import services``.  Only
public names are exported; deadline arithmetic is ``cases.deadlines``.
"""

from __future__ import annotations

from onestop.cases.services._common import (
    ATTRIBUTE_COUNT_LIMIT,
    ATTRIBUTE_TEXT_LIMIT,
    BULK_LIMIT,
    TEXT_LIMIT,
    TITLE_LIMIT,
)
from onestop.cases.services.attributes import check_attribute_definitions, clean_attributes
from onestop.cases.services.case_types import CaseTypeInput, save_case_type
from onestop.cases.services.escalation import escalate_due_cases
from onestop.cases.services.lifecycle import (
    add_note,
    assign_case,
    bulk_reassign,
    change_status,
    claim_case,
    close_case,
    raise_case,
    record_case_viewed,
    record_customer_message,
    reopen_case,
    resolve_case,
    update_case,
)
from onestop.cases.services.links import (
    add_contribution_task,
    complete_contribution_task,
    link_cases,
)
from onestop.cases.services.points import Point, clean_point
from onestop.cases.services.statutory import (
    EIR_EXTENDED_WORKING_DAYS,
    FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS,
    SUBJECT_ACCESS_EXTRA_MONTHS,
    extend_deadline,
    publish_response,
    record_clarification,
    record_exemptions,
    verify_identity,
)

__all__ = [
    "ATTRIBUTE_COUNT_LIMIT",
    "ATTRIBUTE_TEXT_LIMIT",
    "BULK_LIMIT",
    "EIR_EXTENDED_WORKING_DAYS",
    "FOI_PUBLIC_INTEREST_EXTRA_WORKING_DAYS",
    "SUBJECT_ACCESS_EXTRA_MONTHS",
    "TEXT_LIMIT",
    "TITLE_LIMIT",
    "CaseTypeInput",
    "Point",
    "add_contribution_task",
    "add_note",
    "assign_case",
    "bulk_reassign",
    "change_status",
    "check_attribute_definitions",
    "claim_case",
    "clean_attributes",
    "clean_point",
    "close_case",
    "complete_contribution_task",
    "escalate_due_cases",
    "extend_deadline",
    "link_cases",
    "publish_response",
    "raise_case",
    "record_case_viewed",
    "record_clarification",
    "record_customer_message",
    "record_exemptions",
    "reopen_case",
    "resolve_case",
    "save_case_type",
    "update_case",
    "verify_identity",
]

"""The audit records of list reads and searches, as tuples a test can compare exactly."""

from __future__ import annotations

from typing import Any

from onestop.core.models import AuditAction, AuditRecord, Organisation

READ_ACTIONS = (AuditAction.LISTED, AuditAction.SEARCHED, AuditAction.EXPORTED)


def list_reads(organisation: Organisation) -> list[tuple[str, str, str, dict[str, Any]]]:
    """``(who, action, what, changes)`` of every list-read record of ``organisation``, in order."""
    return list(
        AuditRecord.objects.for_organisation(organisation)
        .filter(action__in=READ_ACTIONS)
        .order_by("sequence")
        .values_list("actor_label", "action", "object_type", "changes")
    )

"""Writes and audited reads of the standards part of performance (perf-standards)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from onestop.core import audit
from onestop.core.models import AuditAction, Organisation, User
from onestop.core.reporting import Period
from onestop.performance.models import Comparator


def add_comparator(
    organisation: Organisation,
    *,
    by: User | None,
    comparator: str,
    measure: str,
    period_first: datetime.date,
    period_last: datetime.date,
    value: Decimal,
    unit: str,
    source: str,
) -> Comparator:
    """Enter another authority's figure (as published) beside the council's own."""
    with transaction.atomic():
        row = Comparator(
            organisation=organisation,
            comparator=comparator.strip(),
            measure=measure,
            period_first=period_first,
            period_last=period_last,
            value=value,
            unit=unit,
            source=source.strip(),
        )
        row.save(force_insert=True)
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=row,
            summary=f"Comparator {row.comparator} {row.measure} {row.value}",
        )
    return row


def record_records_read(
    organisation: Organisation,
    *,
    by: User,
    period: Period,
    figure: str,
    standard: str,
    listed: int,
    ip_address: str | None = None,
) -> None:
    """Audit one showing of the cases behind a compliance figure."""
    with transaction.atomic():
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.LISTED,
            object_type="performance.records",
            object_id="standards-compliance",
            summary=f"{figure} {standard} {period.first.isoformat()} to {period.last.isoformat()}",
            changes={"listed": listed, "figure": figure, "standard": standard},
            ip_address=ip_address,
        )


def record_individual_read(
    organisation: Organisation,
    *,
    by: User,
    officer: User,
    period: Period,
    ip_address: str | None = None,
) -> None:
    """Audit one showing of a person's own figures against the standards."""
    with transaction.atomic():
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.VIEWED,
            obj=officer,
            summary=f"Performance of {officer.get_username()} {period.first.isoformat()} to "
            f"{period.last.isoformat()}",
            ip_address=ip_address,
        )

"""Reads of cases.  ``open_cases_for_customer`` is the contract the customer page relies on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onestop.core.models import User


@dataclass(frozen=True)
class CustomerCaseSummary:
    reference: str
    title: str
    status_label: str
    due_at: datetime | None
    is_overdue: bool
    url: str


def open_cases_for_customer(user: User, customer_id: int) -> list[CustomerCaseSummary]:
    """The customer's open cases the user may see, soonest deadline first."""
    return []

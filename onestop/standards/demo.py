"""The demo council's service standards and calendars (filled in by the standards capability)."""

from __future__ import annotations

from onestop.core.models import Organisation


def load_demo(organisation: Organisation) -> None:
    """Load the seeds' standards for ``organisation``; idempotent."""

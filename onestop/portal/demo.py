"""The demo council's portal data (called by ``onestop demo``; idempotent)."""

from __future__ import annotations

from onestop.core.models import Organisation


def load_demo(council: Organisation) -> None:
    """Nothing yet."""

"""The performance tests reuse the cases world (services, teams, case types, officers)."""

from __future__ import annotations

from tests.cases.conftest import councillor, world

__all__ = ["councillor", "world"]

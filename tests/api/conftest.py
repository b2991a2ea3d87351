"""The API tests use the cases world (an organisation with services, teams and case types)."""

from __future__ import annotations

from tests.cases.conftest import World, councillor, world

__all__ = ["World", "councillor", "world"]

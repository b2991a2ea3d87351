"""The contacts' world: the customers' people plus the council's standards and an office."""

from __future__ import annotations

import pytest

from onestop.core.models import Organisation
from onestop.directory.models import AccessPoint
from onestop.standards.demo import load_demo as load_standards
from tests.customers.conftest import People, manager, people  # noqa: F401 - shared fixtures
from tests.directory import factories as directory_factories

__all__ = ["People"]


@pytest.fixture
def standards(council: Organisation) -> None:
    load_standards(council)


@pytest.fixture
def office(council: Organisation) -> AccessPoint:
    return directory_factories.access_point(council, "Aylesbury One-Stop Shop")

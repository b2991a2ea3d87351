"""The contacts' world: the customers' people plus the council's standards and an office."""

from __future__ import annotations

from onestop.core.models import Organisation
from onestop.directory.models import AccessPoint
from onestop.standards.demo import load_demo as load_standards
from tests.customers.conftest import People, manager, people  # noqa: F401 - shared fixtures
from tests.directory import factories as directory_factories
from tests.shared import shared_fixture

__all__ = ["People"]


@shared_fixture
def standards(council: Organisation) -> None:
    load_standards(council)


@shared_fixture
def office(council: Organisation) -> AccessPoint:
    return directory_factories.access_point(council, "Aylesbury One-Stop Shop")

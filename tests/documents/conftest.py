"""The documents world: a council with a missed-bin case for a customer, and staff in the roles
the permission matrix needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onestop.cases.models import Case, CaseKind
from onestop.core.models import Organisation, RoleCode, User
from onestop.customers.models import Customer
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.customers import factories as customer_factories
from tests.shared import shared_fixture


@dataclass
class Place:
    organisation: Organisation
    customer: Customer
    case: Case
    officer: User


@shared_fixture
def place(council: Organisation) -> Place:
    case_factories.standards(council)
    waste = case_factories.service(council, "Waste and Recycling")
    crews = case_factories.team(waste, "Collection crews")
    case_factories.case_type(
        council, "missed-bin", kind=CaseKind.SERVICE_REQUEST, service=waste, team=crews
    )
    customer = customer_factories.customer(council, "Jane", "Smith", postcode="HP20 1AA")
    case = case_factories.raise_case(council, customer=customer, attributes={})
    officer = core_factories.staff(council, RoleCode.BACK_OFFICE_OFFICER, username="officer")
    return Place(council, customer, case, officer)


@shared_fixture
def councillor(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.COUNCILLOR, username="councillor")


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, settings: Any) -> Path:
    """Each test's documents in a folder of its own, to count what was (not) stored."""
    folder = tmp_path / "documents"
    settings.ONESTOP_DOCUMENTS_DIR = folder
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())

"""The telephony world: a council with a waste service, its telephone access point, an agent
and customers with phone numbers; and helpers that build call record files."""

from __future__ import annotations

import io
from dataclasses import dataclass

from onestop.core.models import Organisation, RoleCode, User
from onestop.customers import services as customer_services
from onestop.customers.models import Customer
from onestop.directory import services as directory_services
from onestop.directory.models import AccessPoint, AccessPointKind, Service
from tests import factories
from tests.shared import shared_fixture

HEADER = "call_id,queue,offered_at,answered_at,ended_at,outcome,agent,caller_number\n"


@dataclass
class CallWorld:
    organisation: Organisation
    waste: Service
    telephone: AccessPoint
    agent: User
    sam: Customer
    pat: Customer
    twin_a: Customer
    twin_b: Customer


def _person(organisation: Organisation, given: str, phone: str) -> Customer:
    return customer_services.create_customer(
        organisation,
        by=None,
        details=customer_services.CustomerDetails(given_name=given, family_name="Example"),
        contact_details=customer_services.ContactDetails(phones=(phone,)),
    )


@shared_fixture
def call_world(council: Organisation) -> CallWorld:
    waste = directory_services.create_service(council, by=None, name="Waste and recycling")
    telephone = directory_services.create_access_point(
        council, by=None, kind=AccessPointKind.TELEPHONE, name="Contact centre telephone"
    )
    agent = factories.staff(council, RoleCode.ADVISOR, username="jo.agent@test-council")
    return CallWorld(
        organisation=council,
        waste=waste,
        telephone=telephone,
        agent=agent,
        sam=_person(council, "Sam", "07700 900123"),
        pat=_person(council, "Pat", "01296 585858"),
        twin_a=_person(council, "Alex", "07700 900456"),
        twin_b=_person(council, "Ali", "07700 900456"),
    )


def csv_file(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO((header + "".join(row + "\n" for row in rows)).encode("utf-8"))


def row(
    call_id: str = "c1",
    queue: str = "Waste",
    offered: str = "2026-03-02T09:00:00+00:00",
    answered: str = "2026-03-02T09:00:20+00:00",
    ended: str = "2026-03-02T09:05:20+00:00",
    outcome: str = "answered",
    agent: str = "",
    caller: str = "",
) -> str:
    return ",".join([call_id, queue, offered, answered, ended, outcome, agent, caller])

"""The demo council's customers: a few dozen fictional people, businesses and groups.

Names are invented, phone numbers are from Ofcom's drama ranges (07700 900xxx, 01632 960xxx)
and e-mail addresses use example.com, so no real person appears.  Idempotent: a customer whose
name and date of birth already exist is not created again.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from onestop.core.models import Organisation, RoleCode
from onestop.customers import services
from onestop.customers.models import Customer, CustomerKind, MarkerKind

GIVEN = [
    "Jane",
    "John",
    "Amira",
    "Mohammed",
    "Siân",
    "Gareth",
    "Priya",
    "Tomasz",
    "Grace",
    "Oliver",
    "Fatima",
    "Liam",
    "Chloe",
    "Hamza",
    "Eilidh",
    "Kwame",
    "Margaret",
    "David",
    "Aisha",
    "Harry",
    "Zofia",
    "Ravi",
    "Bethan",
    "Samuel",
    "Ellie",
    "Connor",
    "Yusuf",
    "Ruth",
    "Daniel",
    "Megan",
]
FAMILY = [
    "Smith",
    "Jones",
    "Khan",
    "Hussain",
    "Evans",
    "Williams",
    "Patel",
    "Nowak",
    "Brown",
    "Taylor",
    "Ahmed",
    "O'Brien",
    "Davies",
    "Ali",
    "MacDonald",
    "Mensah",
    "Thompson",
    "Roberts",
    "Begum",
    "Wilson",
    "Kowalska",
    "Sharma",
    "Hughes",
    "Okafor",
    "Wright",
    "Murphy",
    "Rahman",
    "Green",
    "Clarke",
    "Lewis",
]
STREETS = ["High Street", "Buckingham Road", "Walton Street", "Bicester Road", "Oxford Road"]
POSTCODES = ["HP19 8FF", "HP20 1UA", "HP21 7QW", "HP19 9BX", "HP20 2SA", "HP22 5AP"]
LANGUAGES = {4: "cy", 7: "pl", 10: "ur", 14: "bfi"}
FORMATS = {5: "large-print", 9: "easy-read", 16: "braille", 21: "audio"}
BUSINESSES = ["Aylesbury Kebab House", "Vale Community Allotments Group", "Kingsbury Florists"]


def _person(
    index: int, town: str = "Aylesbury"
) -> tuple[services.CustomerDetails, services.ContactDetails]:
    born = datetime.date(1940 + (index * 7) % 62, 1 + index % 12, 1 + (index * 5) % 28)
    details = services.CustomerDetails(
        kind=CustomerKind.PERSON,
        given_name=GIVEN[index % len(GIVEN)],
        family_name=FAMILY[(index * 3) % len(FAMILY)],
        date_of_birth=born,
        language=LANGUAGES.get(index, "en"),
        format=FORMATS.get(index, ""),
        needs_interpreter=index in (7, 10, 14),
        interpreter_language={7: "Polish", 10: "Urdu", 14: "BSL"}.get(index, ""),
        preferred_channel=["telephone", "email", "letter", "sms", ""][index % 5],
        consents_to_email_updates=index % 3 == 0,
        consents_to_sms_updates=index % 4 == 0,
    )
    contact = services.ContactDetails(
        address=services.AddressDetails(
            line_1=f"{index + 2} {STREETS[index % len(STREETS)]}",
            town=town,
            postcode=POSTCODES[index % len(POSTCODES)] if town == "Aylesbury" else "MK18 1AB",
            uprn=766_000_000 + index if index % 2 == 0 else None,
        ),
        phones=[f"07700 900{index:03d}"] if index % 3 else [f"01632 960{index:03d}"],
        emails=[f"resident{index}@example.com"] if index % 2 else [],
    )
    return details, contact


# The partner housing association's tenants (in Buckingham, where the shared one-stop shop is).
TENANTS = range(30, 40)


def load_tenants(organisation: Organisation) -> list[Customer]:
    """Ten tenants of the housing association (once)."""
    existing = set(
        Customer.objects.for_organisation(organisation).values_list("display_name", "date_of_birth")
    )
    created: list[Customer] = []
    for index in TENANTS:
        details, contact = _person(index, town="Buckingham")
        if (services.display_name_of(details), details.date_of_birth) in existing:
            continue
        created.append(
            services.create_customer(
                organisation, by=None, details=details, contact_details=contact
            )
        )
    return created


def load_demo(organisation: Organisation) -> list[Customer]:
    """About three dozen customers (30 people, 3 businesses or groups) with warnings."""
    existing = {
        (name, born)
        for name, born in Customer.objects.for_organisation(organisation).values_list(
            "display_name", "date_of_birth"
        )
    }
    created: list[Customer] = []
    for index in range(30):
        details, contact = _person(index)
        if (services.display_name_of(details), details.date_of_birth) in existing:
            continue
        created.append(
            services.create_customer(
                organisation, by=None, details=details, contact_details=contact
            )
        )
    for index, name in enumerate(BUSINESSES):
        details = services.CustomerDetails(
            kind=CustomerKind.GROUP if "Group" in name else CustomerKind.BUSINESS,
            business_name=name,
        )
        if (name, None) in existing:
            continue
        created.append(
            services.create_customer(
                organisation,
                by=None,
                details=details,
                contact_details=services.ContactDetails(
                    address=services.AddressDetails(
                        line_1=f"Unit {index + 1}, Market Square",
                        town="Aylesbury",
                        postcode="HP20 1TN",
                    ),
                    phones=[f"01632 960{900 + index}"],
                ),
            )
        )
    _warnings(created)
    return created


def _warnings(created: list[Customer]) -> None:
    """Warnings on three of the people created now (the seeds' PVP register, Northampton 003)."""
    people = [customer for customer in created if customer.kind == CustomerKind.PERSON]
    if len(people) < 12:
        return
    today = timezone.localdate()
    services.add_marker(
        people[3],
        by=None,
        kind=MarkerKind.POTENTIALLY_VIOLENT,
        guidance="See in pairs in an interview room near the exit; do not visit alone",
        reason="Shouted and threw a chair at the front desk (incident report IR-2025-031)",
        source="Incident report, Customer Service Centre",
        review_on=today + datetime.timedelta(days=120),
        visible_to_roles=[RoleCode.TEAM_LEADER, RoleCode.MANAGER],
    )
    services.add_marker(
        people[8],
        by=None,
        kind=MarkerKind.LONE_WORKER_RISK,
        guidance="Two officers for any home visit",
        reason="Dog kept loose at the property",
        source="Environmental health visit notes",
        review_on=today + datetime.timedelta(days=30),
        visible_to_roles=[],
    )
    services.add_marker(
        people[11],
        by=None,
        kind=MarkerKind.SAFEGUARDING,
        guidance="Pass any concern to the safeguarding lead the same day",
        reason="Adult at risk: known to adult social care",
        source="Adult social care referral",
        review_on=today + datetime.timedelta(days=1),
        visible_to_roles=[RoleCode.MANAGER],
    )

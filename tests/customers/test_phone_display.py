"""Phone numbers as people read them: UK numbers in national format, and each number's line type
as ``phonenumbers.number_type`` classifies it (not the stored default of "mobile")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.contacts import services as contact_services
from onestop.contacts.models import Callback
from onestop.core.models import Organisation, User
from onestop.customers import normalise
from onestop.customers.models import Phone, PhoneKind
from tests.customers import factories
from tests.customers.conftest import People

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]


@pytest.mark.parametrize(
    ("e164", "line"),
    [
        ("+447700900001", normalise.LineType.MOBILE),  # Ofcom drama range, mobile block
        ("+441632960001", normalise.LineType.LANDLINE),  # drama range, geographic block
        ("+442079460123", normalise.LineType.LANDLINE),
        ("+448081570000", normalise.LineType.FREEPHONE),
        ("+447911123456", normalise.LineType.MOBILE),
        ("+441296585858", normalise.LineType.LANDLINE),
        ("+33612345678", normalise.LineType.MOBILE),
        ("+12015550123", normalise.LineType.LANDLINE_OR_MOBILE),
        ("not a number", normalise.LineType.OTHER),
    ],
)
def test_the_line_type_is_phonenumbers_own(e164: str, line: str) -> None:
    assert normalise.line_type(e164) == line


def test_the_customer_page_shows_national_numbers_and_their_line_types(
    client_for: ClientFor, advisor: User, council: Organisation
) -> None:
    customer = factories.customer(council, "Lena", "Hart", phone="01632 960001")
    stored = Phone.objects.for_organisation(council).get(customer=customer)
    assert (stored.number, stored.kind) == ("+441632960001", PhoneKind.MOBILE)
    Phone.objects.create(
        organisation=council,
        customer=customer,
        number="+447700900002",
        digits="07700900002",
        reversed_digits="20000900770",
        kind=PhoneKind.WORK,
    )
    page = client_for(advisor).get(f"/customers/{customer.pk}/").content.decode()
    assert "01632 960001 (Landline)" in page
    assert "07700 900002 (Mobile, work)" in page
    assert "+44" not in page


def test_the_desk_panel_shows_the_line_type(
    client_for: ClientFor, advisor: User, people: People
) -> None:
    page = client_for(advisor).get(f"/desk/customers/{people.john.pk}/").content.decode()
    assert "01296 585858 (Landline)" in page


def test_call_backs_show_the_number_in_national_format(
    client_for: ClientFor, advisor: User, people: People, council: Organisation
) -> None:
    contact_services.log_contact(
        council,
        by=advisor,
        customer=people.jane,
        values=contact_services.ContactInput(
            outcome="callback-promised", callback_phone="07700 900123", notes="Bins"
        ),
    )
    assert Callback.objects.for_organisation(council).get().phone == "+447700900123"
    page = client_for(advisor).get("/desk/callbacks/").content.decode()
    assert "07700 900123" in page
    assert "+447700900123" not in page

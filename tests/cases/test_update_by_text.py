"""An update by text goes only to a number ``phonenumbers`` knows as a mobile, shown to staff in
national format (a phone's stored kind defaults to "mobile" whatever the line is)."""

from __future__ import annotations

from onestop.cases.queries import UPDATE_CHANNEL_SMS, update_recipient
from tests.cases import factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories


def test_a_text_goes_only_to_a_number_that_is_a_mobile(world: World) -> None:
    organisation = world.organisation
    landline_only = customer_factories.customer(organisation, "Lena", "Hart", phone="01632 960001")
    mobile = customer_factories.customer(organisation, "Mo", "Bile", phone="07700 900009")
    assert update_recipient(factories.raise_case(organisation, customer=landline_only)) is None
    recipient = update_recipient(factories.raise_case(organisation, customer=mobile))
    assert recipient is not None
    assert (recipient.channel, recipient.address) == (UPDATE_CHANNEL_SMS, "+447700900009")
    assert recipient.shown_address == "07700 900009"

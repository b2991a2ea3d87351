"""Merging two records of the same customer changes no figure: every report of a period built
before the merge is, byte for byte, the report built after it (the contacts, cases, clocks and
call-backs moved to the kept record are the same records, counted once each)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from onestop.cases.models import Case
from onestop.contacts import services as contact_services
from onestop.contacts.models import Callback, Contact, Outcome
from onestop.contacts.services import ContactInput
from onestop.core import reporting
from onestop.customers import services as customer_services
from tests.cases import factories as case_factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories
from tests.performance.standards_story import LONDON, NOW, at

MARCH = reporting.Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
REPORTS = ("volumes", "standards-compliance", "backlog")

pytestmark = pytest.mark.django_db


def _reports(world: World) -> dict[str, bytes]:
    request = reporting.ReportRequest(world.organisation, MARCH)
    with time_machine.travel(NOW, tick=False):
        return {
            name: reporting.as_csv(reporting.report_named(name).build(request)) for name in REPORTS
        }


def test_merging_a_customers_two_records_changes_no_figure(world: World) -> None:
    kept = customer_factories.customer(world.organisation, "Sam", "Resident", phone="01296 585858")
    duplicate = customer_factories.customer(
        world.organisation, "Samuel", "Resident", email="sam@example.org"
    )
    for customer, day, outcome in (
        (kept, 2, Outcome.RESOLVED),
        (duplicate, 3, Outcome.RESOLVED),
        (duplicate, 4, Outcome.CALLBACK_PROMISED),
    ):
        with time_machine.travel(at(day), tick=False):
            contact_services.log_contact(
                world.organisation,
                by=world.officer,
                customer=customer,
                values=ContactInput(
                    received_at=datetime.datetime(2026, 3, day, 9, tzinfo=LONDON),
                    outcome=outcome,
                    notes="Asked about a missed bin",
                    callback_phone="01296 585858" if outcome == Outcome.CALLBACK_PROMISED else "",
                ),
            )
    for customer, day in ((kept, 5), (duplicate, 6), (duplicate, 9)):
        with time_machine.travel(at(day), tick=False):
            case_factories.raise_case(world.organisation, by=world.leader, customer=customer)
    before = _reports(world)
    # The records behind the figures belong to both customers before the merge.
    contacts = Contact.objects.for_organisation(world.organisation)
    cases = Case.objects.for_organisation(world.organisation)
    assert contacts.filter(customer=duplicate).count() == 2
    assert cases.filter(customer=duplicate).count() == 2
    assert Callback.objects.for_organisation(world.organisation).count() == 1

    customer_services.merge_customers(kept, duplicate, by=world.leader)

    assert contacts.filter(customer=duplicate).count() == 0
    assert contacts.filter(customer=kept).count() == 3
    assert cases.filter(customer=kept).count() == 3
    after = _reports(world)
    assert after == before
    # The reports do count these records (the comparison is not of empty reports).
    assert b"organisation,test-council,Test District Council,3," in after["volumes"]
    assert after["backlog"].splitlines()[-1].startswith(b"all,3,")

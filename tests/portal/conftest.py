"""The portal world: the cases world (a council with a missed-bin type routed by postcode) with
missed bins published online, and an empty rate-limit cache for every test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from onestop.cases.models import Case
from onestop.contacts.models import Contact
from onestop.core.models import Organisation
from onestop.customers.models import Customer
from onestop.portal import services
from onestop.portal.models import Layout, WebForm
from tests.cases.conftest import World, councillor, world
from tests.shared import shared_fixture

__all__ = ["councillor", "world"]  # the cases world's fixtures, used here

GUIDANCE = "Leave the bin out until we collect it."


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@shared_fixture
def missed_bins_online(world: World) -> WebForm:
    """Missed bins online as one page (its five questions would otherwise ask one per page)."""
    return services.save_web_form(
        world.missed_bin,
        by=None,
        is_published=True,
        guidance=GUIDANCE,
        position=10,
        layout=Layout.ONE_PAGE,
    )


@dataclass(frozen=True)
class Counts:
    cases: int
    customers: int
    contacts: int


def counts(organisation: Organisation) -> Counts:
    return Counts(
        cases=Case.objects.for_organisation(organisation).count(),
        customers=Customer.objects.for_organisation(organisation).count(),
        contacts=Contact.objects.for_organisation(organisation).count(),
    )


NOTHING = Counts(cases=0, customers=0, contacts=0)

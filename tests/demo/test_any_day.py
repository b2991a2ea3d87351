"""The demo's story loads whatever day it is loaded on: its history is laid on working days
counted back from today, so a weekend moves two steps onto the same Friday, which must still
come in the story's order (found on a Monday: the customer's restriction was approved that
Friday morning, before their last contact of the afternoon, which it then refused)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from onestop.core.models import Organisation
from onestop.feedback.procedure_models import ContactRestriction, RestrictionStatus

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.mark.parametrize(
    "now",
    [
        # Nine days before each is a Saturday, and a Sunday: the weekend's steps fall on Friday.
        datetime.datetime(2026, 12, 7, 0, 10, tzinfo=UTC),
        datetime.datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
    ],
    ids=["monday", "tuesday"],
)
def test_the_demo_loads_on_a_day_whose_history_meets_a_weekend(now: datetime.datetime) -> None:
    with time_machine.travel(now, tick=True):
        call_command("demo", stdout=StringIO())
    council = Organisation.objects.get(slug="demo-council")
    restrictions = ContactRestriction.objects.for_organisation(council)
    assert restrictions.filter(status=RestrictionStatus.ACTIVE).count() == 1

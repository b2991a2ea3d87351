"""The demo council's call queues come mapped (to services and teams) and it has weeks of call
records, each carrying its queue's team."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from onestop.core.models import Organisation
from onestop.telephony.models import CallImportRun, CallOutcome, CallQueue, CallRecord

pytestmark = pytest.mark.django_db


def test_the_demo_has_mapped_queues_and_weeks_of_calls() -> None:
    output = StringIO()
    call_command("demo", stdout=output)
    council = Organisation.objects.get(slug="demo-council")
    queues = CallQueue.objects.for_organisation(council)
    assert queues.count() == 5
    assert not queues.filter(service__isnull=True).exists()
    # Mapped to the teams that answer them before the calls were imported: every call carries
    # its queue's team (per-team figures, issue 17).
    assert dict(queues.values_list("name", "team__name")) == {
        "Council Tax": "Council Tax team",
        "Benefits": "Benefits team",
        "Waste and Recycling": "Advisors",
        "Housing Needs": "Housing Needs",
        "Switchboard": "Advisors",
    }
    calls = CallRecord.objects.for_organisation(council)
    total = calls.count()
    assert total > 500
    outcomes = set(calls.values_list("outcome", flat=True))
    assert outcomes == set(CallOutcome.values)
    oldest = calls.order_by("offered_at").first()
    assert oldest is not None
    assert timezone.now() - oldest.offered_at > datetime.timedelta(days=21)
    assert calls.filter(contact__service__isnull=True).count() == 0
    assert calls.filter(team__isnull=True).count() == 0
    assert calls.exclude(team=F("queue__team")).count() == 0
    assert calls.filter(agent__isnull=False).exists()
    assert calls.filter(contact__customer__isnull=False).exists()
    assert f"{total} telephone calls imported from 5 call queues" in output.getvalue()
    # Loading the demo again adds nothing.
    call_command("demo", stdout=StringIO())
    assert CallRecord.objects.for_organisation(council).count() == total
    assert CallImportRun.objects.for_organisation(council).count() == 1

"""The demo council's cases load, idempotently."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from onestop.cases.demo import CASES, TYPES, load_demo
from onestop.cases.models import Case, CaseType, Source, Status
from onestop.core.models import Organisation


def test_the_demo_loads_types_and_cases_once(db: None) -> None:
    call_command("demo", stdout=StringIO())
    council = Organisation.objects.get(slug="demo-council")
    load_demo(council)
    load_demo(council)
    assert CaseType.objects.for_organisation(council).count() == len(TYPES)
    cases = Case.objects.for_organisation(council)
    # The e-mail and web channels' demos raise cases of their own.
    assert cases.exclude(source__in=[Source.EMAIL, Source.WEB]).count() == len(CASES)
    assert cases.filter(status=Status.CLOSED).count() == 5
    assert cases.filter(published_at__isnull=False).count() == 1
    assert (
        cases.filter(
            kind="councillor-enquiry", councillor__username="councillor@demo-council"
        ).count()
        == 3
    )

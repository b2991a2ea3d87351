"""The demo council's quarterly returns: a submitted one for the last whole quarter and a draft
for this one, by the manager (head of Customer Services)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from onestop.core.models import Organisation
from onestop.performance.models import QuarterlyReturn, ReturnStatus
from tests.conftest import LoadedDemo
from tests.performance.returns_world import last_whole_quarter

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_submitted_return_and_a_draft(loaded_demo: LoadedDemo) -> None:
    council = Organisation.objects.get(slug="demo-council")
    returns = list(QuarterlyReturn.objects.for_organisation(council).order_by("first"))
    assert [(item.service.name, item.status) for item in returns] == [
        ("Customer Services", ReturnStatus.SUBMITTED),
        ("Customer Services", ReturnStatus.DRAFT),
    ]
    submitted = returns[0]
    assert submitted.first == last_whole_quarter().first
    assert submitted.submitted_by is not None
    assert submitted.submitted_by.username == "manager@demo-council"
    assert len(submitted.action_lines) == 2
    assert {figure["report"] for figure in submitted.figures} >= {"telephony"}
    call_command("demo", stdout=StringIO())
    assert QuarterlyReturn.objects.for_organisation(council).count() == 2

"""The demo council's complaint reports: its complaints counted as a recount of the records says,
on the page and from the command."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from onestop.core.models import Organisation, User
from onestop.feedback.models import Feedback, Kind
from onestop.feedback.queries import reports
from tests.conftest import LoadedDemo


def test_the_demo_councils_reports_count_its_complaints(
    loaded_demo: LoadedDemo, client_for: Callable[[User], Client]
) -> None:
    council = Organisation.objects.get(slug="demo-council")
    today = timezone.localdate()
    period = reports.Period(today - datetime.timedelta(days=365), today)
    complaints = (
        Feedback.objects.for_organisation(council)
        .filter(kind=Kind.COMPLAINT, received_at__gte=period.starts, received_at__lt=period.ends)
        .count()
    )
    assert complaints >= 4
    officer = User.objects.get(username="complaints@demo-council")
    first, last = period.first, period.last
    page = client_for(officer).get(
        "/feedback/reports/complaints-monthly/?"
        f"start_day={first.day}&start_month={first.month}&start_year={first.year}"
        f"&end_day={last.day}&end_month={last.month}&end_year={last.year}"
    )
    assert page.status_code == 200
    assert 'data-measure="received:complaint" data-service=""><a class="govuk-link"' in (
        page.content.decode()
    )
    output = io.StringIO()
    call_command(
        "report",
        "complaints-annual",
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
        "--format",
        "csv",
        "--organisation",
        "demo-council",
        stdout=output,
    )
    rows = list(csv.DictReader(io.StringIO(output.getvalue())))
    received = sum(
        int(row["value"]) for row in rows if row["measure"].startswith("stage-received:")
    )
    escalated = reports.count(reports.ReportScope(council, period), "stage-received:2")
    assert received == complaints + escalated

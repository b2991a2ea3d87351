"""Report files kept for download: written on schedule by the worker (last month's monthly
reports, last quarter's quarterly ones, last financial year's annual ones, once each, for every
organisation) and on demand from ``/performance/reports/``; who may list, write and download
them; bad and hostile input to the form."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from onestop.contacts.models import Contact
from onestop.core.models import AuditAction, AuditRecord, Organisation, RoleCode, User
from onestop.performance.models import Cadence, ReportFile
from onestop.performance.services import report_files
from tests import factories as core_factories
from tests.matrix import covers

ClientFor = Callable[[User], Client]
MAY_THIRD = datetime.datetime(2026, 5, 3, 6, 0, tzinfo=datetime.UTC)


def _contact(organisation: Organisation, when: str) -> None:
    Contact(
        organisation=organisation,
        received_at=datetime.datetime.fromisoformat(when).replace(tzinfo=datetime.UTC),
        outcome="resolved",
    ).save()


def test_the_periods_due() -> None:
    due = report_files.periods_due(datetime.date(2026, 4, 1))
    assert (due[Cadence.MONTH].first, due[Cadence.MONTH].last) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 31),
    )
    assert (due[Cadence.QUARTER].first, due[Cadence.QUARTER].last) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )
    assert (due[Cadence.YEAR].first, due[Cadence.YEAR].last) == (
        datetime.date(2025, 4, 1),
        datetime.date(2026, 3, 31),
    )
    january = report_files.periods_due(datetime.date(2027, 1, 2))
    assert january[Cadence.MONTH].first == datetime.date(2026, 12, 1)
    assert january[Cadence.QUARTER].first == datetime.date(2026, 10, 1)
    assert january[Cadence.YEAR].first == datetime.date(2025, 4, 1)


def test_the_worker_writes_each_scheduled_file_once(
    council: Organisation, partner: Organisation, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.ONESTOP_SCHEDULED_REPORTS = False
    with time_machine.travel(MAY_THIRD, tick=False):
        call_command("report-files")  # the schedule is off: nothing
    assert not ReportFile.objects.unscoped("test").exists()
    settings.ONESTOP_SCHEDULED_REPORTS = True
    _contact(council, "2026-04-15T10:00")
    _contact(council, "2026-03-31T23:30")  # 00:30 on 1 April, UK time
    _contact(council, "2026-03-31T22:59")  # 23:59 on 31 March, UK time
    _contact(partner, "2026-04-16T10:00")
    monkeypatch.setattr(
        report_files, "SCHEDULE", {"volumes": (Cadence.MONTH, Cadence.YEAR), "nothing": ("month",)}
    )
    with time_machine.travel(MAY_THIRD, tick=False):
        call_command("report-files")  # queues the task (run at once in tests)
        assert report_files.due_files(datetime.date(2026, 5, 3)) == []
        call_command("report-files")  # nothing due: nothing queued, nothing written
    kept = ReportFile.objects.unscoped("test").order_by("organisation_id", "cadence", "file_format")
    assert [
        (item.organisation_id, item.report, item.cadence, item.first_day, item.file_format)
        for item in kept
    ] == [
        (org.pk, "volumes", cadence, first, fmt)
        for org in (council, partner)
        for cadence, first in (
            (Cadence.MONTH, datetime.date(2026, 4, 1)),
            (Cadence.YEAR, datetime.date(2025, 4, 1)),
        )
        for fmt in ("csv", "pdf", "xlsx")
    ]
    april = kept.get(organisation=council, cadence=Cadence.MONTH, file_format="csv")
    rows = list(csv.DictReader(io.StringIO(bytes(april.content).decode())))
    assert rows[0]["dimension"] == "organisation"
    assert (rows[0]["contacts"], rows[0]["resolved_first_contact"]) == ("2", "2")
    year = kept.get(organisation=council, cadence=Cadence.YEAR, file_format="csv")
    year_rows = list(csv.DictReader(io.StringIO(bytes(year.content).decode())))
    assert year_rows[0]["contacts"] == "1"  # the year to 31 March: 23:59 on 31 March
    assert (
        bytes(kept.get(organisation=partner, cadence=Cadence.MONTH, file_format="pdf").content)[:4]
        == b"%PDF"
    )
    assert all(item.requested_by_id is None for item in kept)


# --- the page ------------------------------------------------------------------------------------
def _form(**values: str) -> dict[str, str]:
    data = {
        "report": "volumes",
        "start_day": "1",
        "start_month": "4",
        "start_year": "2026",
        "end_day": "30",
        "end_month": "4",
        "end_year": "2026",
        "file_format": "csv",
        "service": "",
    }
    data.update(values)
    return data


@covers("performance:report-files", "performance:report-file")
def test_write_list_and_download_on_demand(
    council: Organisation, partner: Organisation, team_leader: User, client_for: ClientFor
) -> None:
    _contact(council, "2026-04-15T10:00")
    client = client_for(team_leader)
    page = client.get("/performance/reports/")
    assert page.status_code == 200
    assert b'data-testid="no-report-files"' in page.content
    response = client.post("/performance/reports/", _form())
    assert response.status_code == 302
    kept = ReportFile.objects.for_organisation(council).get()
    assert (kept.report, kept.cadence, kept.requested_by_id) == (
        "volumes",
        Cadence.ON_DEMAND,
        team_leader.pk,
    )
    listed = client.get("/performance/reports/")
    assert f"/performance/reports/{kept.pk}/" in listed.content.decode()
    assert b"volumes-2026-04-01-2026-04-30.csv" in listed.content
    download = client.get(f"/performance/reports/{kept.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="volumes-2026-04-01-2026-04-30.csv"'
    )
    out = io.StringIO()
    call_command(
        "report", "volumes", "--from", "2026-04-01", "--to", "2026-04-30", "--format", "csv",
        "--organisation", council.slug, stdout=out,
    )  # fmt: skip
    assert download.content.decode() == out.getvalue()
    trail = AuditRecord.objects.for_organisation(council)
    assert trail.filter(object_type="performance.reportfile", action=AuditAction.EXPORTED).count()
    assert trail.filter(object_type="performance.reportfile", action=AuditAction.LISTED).count()
    # Another organisation's staff: not found; an advisor: not allowed; an auditor reads only.
    partner_manager = core_factories.staff(partner, RoleCode.MANAGER)
    assert client_for(partner_manager).get(f"/performance/reports/{kept.pk}/").status_code == 404
    assert b"volumes-2026" not in client_for(partner_manager).get("/performance/reports/").content
    advisor = core_factories.staff(council, RoleCode.ADVISOR)
    assert client_for(advisor).get("/performance/reports/").status_code == 403
    assert client_for(advisor).get(f"/performance/reports/{kept.pk}/").status_code == 403
    auditor = core_factories.staff(council, RoleCode.AUDITOR)
    assert client_for(auditor).get(f"/performance/reports/{kept.pk}/").status_code == 200
    auditor_page = client_for(auditor).get("/performance/reports/")
    assert b'data-testid="report-file-form"' not in auditor_page.content
    assert client_for(auditor).post("/performance/reports/", _form()).status_code == 403
    assert Client().get("/performance/reports/").status_code == 302


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"end_day": "1", "start_day": "30"}, "The last day must be the same as or after"),
        ({"end_year": "2028"}, "A report covers at most"),
        ({"start_month": "13"}, "The first day"),
        ({"report": "no-such-report"}, 'href="#id_report"'),
        ({"report": "<script>alert(1)</script>"}, 'href="#id_report"'),
        ({"file_format": "exe"}, 'href="#id_file_format"'),
        ({"service": "no-such-service"}, 'href="#id_service"'),
        ({"service": "x" * 10_000}, 'href="#id_service"'),
        ({"start_year": "2026\x00"}, "The first day"),
    ],
)
def test_bad_input_is_refused_and_kept(
    council: Organisation,
    team_leader: User,
    client_for: ClientFor,
    values: dict[str, Any],
    message: str,
) -> None:
    response = client_for(team_leader).post("/performance/reports/", _form(**values))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert "<script>alert" not in body
    assert "<title>Error: Performance reports" in body
    assert ReportFile.objects.for_organisation(council).count() == 0

"""The audit trail pages: who may see them, what they show, filters, pagination, CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from onestop.core import audit
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from tests.govuk_dates import date_input
from tests.matrix import covers

Clients = Callable[[User], Client]


@pytest.fixture
def trails(
    council: Organisation, partner: Organisation, advisor: User, clock: time_machine.Traveller
) -> None:
    audit.record(
        organisation=council,
        by=advisor,
        action=AuditAction.VIEWED,
        object_type="customers.customer",
        object_id="41",
        summary='=HYPERLINK("http://evil.example")',
        ip_address="10.0.0.1",
    )
    audit.record(
        organisation=partner,
        by=None,
        action=AuditAction.VIEWED,
        object_type="customers.customer",
        object_id="partner-secret",
    )


def csv_rows(client: Client, query: str = "") -> list[list[str]]:
    response = client.get(f"/audit/export.csv{query}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body)))


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/audit/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Faudit%2F"


@pytest.mark.parametrize("path", ["/audit/", "/audit/export.csv"])
@covers("trust:audit", "trust:audit-export")
def test_staff_without_audit_view_are_refused(
    client_for: Clients, advisor: User, path: str
) -> None:
    client = client_for(advisor)
    before = AuditRecord.objects.for_user(advisor).count()

    response = client.get(path)

    assert response.status_code == 403
    assert AuditRecord.objects.for_user(advisor).count() == before


@pytest.mark.usefixtures("trails")
def test_an_auditor_sees_the_council_trail_newest_first(client_for: Clients, auditor: User) -> None:
    response = client_for(auditor).get("/audit/")

    records = list(response.context["page"].object_list)
    assert response.status_code == 200
    assert [record.sequence for record in records] == sorted(
        (record.sequence for record in records), reverse=True
    )
    assert {record.organisation_id for record in records} == {auditor.organisation_id}
    assert "partner-secret" not in response.content.decode()


@pytest.mark.usefixtures("trails")
def test_a_partner_auditor_sees_only_their_own_organisation(
    client_for: Clients, partner_auditor: User, council: Organisation
) -> None:
    client = client_for(partner_auditor)

    page = client.get("/audit/")
    rows = csv_rows(client)

    records = list(page.context["page"].object_list)
    assert {record.organisation_id for record in records} == {partner_auditor.organisation_id}
    assert "customers.customer 41" not in page.content.decode()
    assert [row[5] for row in rows[1:] if row[9] == "customers.customer"] == ["partner-secret"]
    assert (
        AuditRecord.objects.for_organisation(council).filter(action=AuditAction.EXPORTED).count()
        == 0
    )


@pytest.mark.usefixtures("trails")
def test_filters_narrow_the_trail(client_for: Clients, auditor: User) -> None:
    response = client_for(auditor).get(
        "/audit/",
        {
            "actor": "ADVISOR",
            "action": "viewed",
            "object_type": "customers.customer",
            **date_input("date_from", "2/3/2026"),
            **date_input("date_to", "02/03/2026"),
        },
    )

    records = list(response.context["page"].object_list)
    assert [(record.actor_label, record.object_id) for record in records] == [("advisor", "41")]


@pytest.mark.usefixtures("trails")
def test_a_date_range_outside_the_records_finds_nothing(client_for: Clients, auditor: User) -> None:
    response = client_for(auditor).get("/audit/", date_input("date_from", "3/3/2026"))

    assert response.context["page"].paginator.count == 0
    assert "No entries match these filters." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (date_input("date_from", "31/2/2026"), "The date from must be a real date"),
        (date_input("date_to", "yesterday"), "The date to must include a month and year"),
        (date_input("date_to", "1/x/2026"), "The date to must be a real date"),
        (date_input("date_to", "1//2026"), "The date to must include a month"),
        (
            {**date_input("date_from", "5/3/2026"), **date_input("date_to", "4/3/2026")},
            "The date to must be the same as or after the date from",
        ),
        ({"action": "<script>"}, "Select an action from the list"),
    ],
)
def test_bad_filters_give_a_govuk_error_not_a_crash(
    client_for: Clients, auditor: User, query: dict[str, str], message: str
) -> None:
    response = client_for(auditor).get("/audit/", query)

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert response.context["page"] is None


def test_the_trail_is_paginated_by_fifty(
    client_for: Clients, auditor: User, council: Organisation
) -> None:
    for number in range(60):
        audit.record(
            organisation=council, by=None, action=AuditAction.VIEWED, object_type=f"t.{number}"
        )
    client = client_for(auditor)
    total = AuditRecord.objects.for_user(auditor).count()

    first = client.get("/audit/", {"action": "viewed"})
    second = client.get("/audit/", {"action": "viewed", "page": "2"})
    nonsense = client.get("/audit/", {"page": "lots"})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert 'href="?action=viewed&amp;page=2"' in first.content.decode()
    assert 'class="govuk-pagination"' in first.content.decode()
    assert nonsense.context["page"].number == 1
    assert nonsense.context["page"].paginator.count == total


def test_browsing_the_trail_is_not_audited(client_for: Clients, auditor: User) -> None:
    client = client_for(auditor)
    before = AuditRecord.objects.for_user(auditor).count()

    client.get("/audit/")
    client.get("/audit/", {"page": "2"})

    assert AuditRecord.objects.for_user(auditor).count() == before


@pytest.mark.usefixtures("trails")
def test_export_writes_the_filtered_rows_and_is_audited(client_for: Clients, auditor: User) -> None:
    rows = csv_rows(client_for(auditor), "?object_type=customers.customer")

    assert rows[0] == [
        "Sequence",
        "Time",
        "Who",
        "Action",
        "Type of record",
        "Record",
        "Summary",
        "Address",
        "Hash",
        "Type code",
    ]
    # The kind as people call it, and the stored code last for scripts that filter on it.
    assert [row[1:8] + row[9:] for row in rows[1:]] == [
        [
            "2026-03-02T09:00:00+00:00",
            "advisor",
            "viewed",
            "Customer",
            "41",
            '\'=HYPERLINK("http://evil.example")',
            "10.0.0.1",
            "customers.customer",
        ]
    ]
    exported = AuditRecord.objects.for_user(auditor).filter(action=AuditAction.EXPORTED)
    assert list(exported.values_list("actor_label", "changes")) == [
        ("auditor", {"filters": {"object_type": "customers.customer"}})
    ]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_export_neutralises_formula_cells(
    client_for: Clients, auditor: User, council: Organisation, value: str
) -> None:
    audit.record(
        organisation=council,
        by=None,
        action=AuditAction.CHANGED,
        object_type="directory.export",
        summary=value,
    )

    rows = csv_rows(client_for(auditor), "?object_type=directory.export")

    assert rows[1][6] == f"'{value}"


def test_export_with_bad_filters_is_refused_and_not_audited(
    client_for: Clients, auditor: User
) -> None:
    response = client_for(auditor).get("/audit/export.csv", date_input("date_from", "not a date"))

    assert response.status_code == 400
    assert AuditRecord.objects.for_user(auditor).filter(action=AuditAction.EXPORTED).count() == 0


def test_export_time_is_shown_in_london_time_in_summer(
    client_for: Clients, auditor: User, council: Organisation, clock: time_machine.Traveller
) -> None:
    clock.move_to("2026-07-01 12:00:00+00:00")
    audit.record(
        organisation=council, by=None, action=AuditAction.CHANGED, object_type="directory.export"
    )

    rows = csv_rows(client_for(auditor), "?object_type=directory.export")

    assert rows[1][1] == "2026-07-01T13:00:00+01:00"

"""The ``volumes`` report: known contacts and visitors in April 2026 (the clocks went forward on
29 March: 00:30 on 1 April UK time is 23:30 on 31 March UTC), with contacts just outside the
month at both ends and another organisation's contact that must not count; every figure of the
CSV checked exactly, the service filter, the drill-down lists holding exactly the records each
figure counts, and bad input."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from onestop.contacts.models import Contact, ContactReason, VisitorTicket
from onestop.core import reporting
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.directory.models import AccessPoint, Service
from onestop.feedback.queries.reports import NO_SERVICE
from onestop.performance.queries import volumes
from tests import factories as core_factories
from tests.directory import factories as directory_factories
from tests.matrix import covers

UTC = datetime.UTC
APRIL = reporting.Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
ClientFor = Callable[[User], Client]


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class April:
    organisation: Organisation
    partner: Organisation
    a: Service
    b: Service
    office: AccessPoint
    reason: ContactReason
    contacts: dict[str, Contact]
    visitors: dict[str, VisitorTicket]


def _contact(organisation: Organisation, when: str, **fields: Any) -> Contact:
    found = Contact(organisation=organisation, received_at=utc(when), **fields)
    found.save()
    return found


def _visitor(
    organisation: Organisation, point: AccessPoint, ticket: str, arrived: str, **times: str
) -> VisitorTicket:
    found = VisitorTicket(
        organisation=organisation,
        access_point=point,
        ticket=ticket,
        arrived_at=utc(arrived),
        due_at=utc(arrived) + datetime.timedelta(minutes=15),
        **{name: utc(value) for name, value in times.items()},
    )
    found.save()
    return found


@pytest.fixture
def april(council: Organisation, partner: Organisation) -> April:
    a = directory_factories.service(council, "Council Tax")
    b = directory_factories.service(council, "Waste and Recycling")
    office = directory_factories.access_point(council)
    reason = ContactReason(organisation=council, label="Moving home")
    reason.save()
    made: dict[str, Contact] = {}
    # In April (UK time).
    made["c1"] = _contact(
        council, "2026-03-31T23:30", channel="telephone", service=a, outcome="resolved",
        reason=reason, avoidable="not-avoidable",
    )  # fmt: skip
    made["c2"] = _contact(
        council, "2026-04-01T09:15", channel="face-to-face", service=a, access_point=office,
        outcome="request-raised", reason=reason, avoidable="unclear",
    )  # fmt: skip
    made["c3"] = _contact(
        council, "2026-04-01T09:40", channel="face-to-face", service=b, access_point=office,
        outcome="resolved", about_reference="SR-26-AAAAA", avoidable="progress-chasing",
    )  # fmt: skip
    made["c4"] = _contact(
        council, "2026-04-13T14:00", channel="email", repeat_of=made["c2"],
        avoidable="progress-chasing",
    )  # fmt: skip
    made["c5"] = _contact(
        council, "2026-04-30T22:59", channel="telephone", direction="out", service=b
    )
    # Outside April, or another organisation's.
    made["x1"] = _contact(
        council, "2026-04-30T23:30", channel="telephone", service=a, avoidable="failure-to-act"
    )
    made["x2"] = _contact(
        council, "2026-03-31T22:59", channel="telephone", outcome="resolved", avoidable="repeat"
    )
    made["x3"] = _contact(
        partner, "2026-04-10T10:00", channel="telephone", outcome="resolved",
        avoidable="wrong-channel",
    )  # fmt: skip
    visitors = {
        "v1": _visitor(council, office, "A1", "2026-04-01T08:00", seen_at="2026-04-01T08:15"),
        "v2": _visitor(council, office, "A2", "2026-04-01T08:05", seen_at="2026-04-01T08:20:01"),
        "v3": _visitor(council, office, "A3", "2026-04-01T08:10", left_at="2026-04-01T08:30"),
        "v4": _visitor(council, office, "A4", "2026-04-30T22:50"),
        "x5": _visitor(council, office, "A0", "2026-03-31T22:50", seen_at="2026-03-31T22:55"),
    }
    return April(council, partner, a, b, office, reason, made, visitors)


def _csv(april: April, *extra: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command(
        "report", "volumes", "--from", "2026-04-01", "--to", "2026-04-30", "--format", "csv",
        "--organisation", april.organisation.slug, *extra, stdout=out,
    )  # fmt: skip
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _figures(rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
    return {
        (row["dimension"], row["value"]): (
            row["contacts"],
            row["inbound"],
            row["resolved_first_contact"],
            row["first_contact_resolution"],
            row["repeats"],
        )
        for row in rows
    }


def test_every_figure_of_the_csv(april: April) -> None:
    rows = _csv(april)
    assert list(rows[0]) == [
        "dimension", "value", "label", "contacts", "inbound", "resolved_first_contact",
        "first_contact_resolution", "repeats", "assessed", "avoidable", "avoidable_share",
    ]  # fmt: skip
    a, b, office, reason = april.a.pk, april.b.pk, april.office.pk, april.reason.pk
    assert [(row["dimension"], row["value"]) for row in rows] == [
        ("organisation", "test-council"),
        ("channel", "email"), ("channel", "face-to-face"), ("channel", "telephone"),
        ("direction", "in"), ("direction", "out"),
        ("service", str(a)), ("service", str(b)), ("service", "none"),
        ("access-point", str(office)), ("access-point", "none"),
        ("reason", str(reason)), ("reason", "none"),
        ("outcome", "request-raised"), ("outcome", "resolved"), ("outcome", "none"),
        ("hour", "0"), ("hour", "10"), ("hour", "15"), ("hour", "23"),
        ("weekday", "1"), ("weekday", "3"), ("weekday", "4"),
        ("week", "2026-03-30"), ("week", "2026-04-13"), ("week", "2026-04-27"),
        ("month", "2026-04-01"),
    ]  # fmt: skip
    assert _figures(rows) == {
        ("organisation", "test-council"): ("5", "4", "2", "0.5000", "2"),
        ("channel", "email"): ("1", "1", "0", "0.0000", "1"),
        ("channel", "face-to-face"): ("2", "2", "1", "0.5000", "1"),
        ("channel", "telephone"): ("2", "1", "1", "1.0000", "0"),
        ("direction", "in"): ("4", "4", "2", "0.5000", "2"),
        ("direction", "out"): ("1", "0", "0", "", "0"),
        ("service", str(a)): ("2", "2", "1", "0.5000", "0"),
        ("service", str(b)): ("2", "1", "1", "1.0000", "1"),
        ("service", "none"): ("1", "1", "0", "0.0000", "1"),
        ("access-point", str(office)): ("2", "2", "1", "0.5000", "1"),
        ("access-point", "none"): ("3", "2", "1", "0.5000", "1"),
        ("reason", str(reason)): ("2", "2", "1", "0.5000", "0"),
        ("reason", "none"): ("3", "2", "1", "0.5000", "2"),
        ("outcome", "request-raised"): ("1", "1", "0", "0.0000", "0"),
        ("outcome", "resolved"): ("2", "2", "2", "1.0000", "1"),
        ("outcome", "none"): ("2", "1", "0", "0.0000", "1"),
        ("hour", "0"): ("1", "1", "1", "1.0000", "0"),
        ("hour", "10"): ("2", "2", "1", "0.5000", "1"),
        ("hour", "15"): ("1", "1", "0", "0.0000", "1"),
        ("hour", "23"): ("1", "0", "0", "", "0"),
        ("weekday", "1"): ("1", "1", "0", "0.0000", "1"),
        ("weekday", "3"): ("3", "3", "2", "0.6667", "1"),
        ("weekday", "4"): ("1", "0", "0", "", "0"),
        ("week", "2026-03-30"): ("3", "3", "2", "0.6667", "1"),
        ("week", "2026-04-13"): ("1", "1", "0", "0.0000", "1"),
        ("week", "2026-04-27"): ("1", "0", "0", "", "0"),
        ("month", "2026-04-01"): ("5", "4", "2", "0.5000", "2"),
    }
    labels = {(row["dimension"], row["value"]): row["label"] for row in rows}
    assert labels[("service", str(a))] == "Council Tax"
    assert labels[("reason", str(reason))] == "Moving home"
    assert labels[("hour", "0")] == "00:00-00:59"
    assert labels[("weekday", "3")] == "Wednesday"
    assert labels[("service", "none")] == "Not recorded"


def test_the_service_filter_and_an_unknown_service(april: April) -> None:
    rows = _csv(april, "--service", april.a.slug)
    assert _figures(rows)[("organisation", "test-council")] == ("2", "2", "1", "0.5000", "0")
    assert _figures(_csv(april, "--service", "none"))[("organisation", "test-council")] == (
        "1", "1", "0", "0.0000", "1",
    )  # fmt: skip
    with pytest.raises(CommandError, match="has no service 'no-such-service'"):
        _csv(april, "--service", "no-such-service")


def _avoidable(rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
    return {
        (row["dimension"], row["value"]): (
            row["assessed"],
            row["avoidable"],
            row["avoidable_share"],
        )
        for row in rows
    }


def test_avoidable_contact_per_channel_and_service(april: April) -> None:
    """c1 not avoidable, c2 unclear, c3 and c4 chasing progress, c5 not assessed; the contacts
    outside April and the partner's are assessed too and must not count."""
    found = _avoidable(_csv(april))
    a, b, office = april.a.pk, april.b.pk, april.office.pk
    assert found[("organisation", "test-council")] == ("4", "3", "0.7500")
    assert {key: value for key, value in found.items() if key[0] == "channel"} == {
        ("channel", "email"): ("1", "1", "1.0000"),
        ("channel", "face-to-face"): ("2", "2", "1.0000"),
        ("channel", "telephone"): ("1", "0", "0.0000"),
    }
    assert {key: value for key, value in found.items() if key[0] == "service"} == {
        ("service", str(a)): ("2", "1", "0.5000"),
        ("service", str(b)): ("1", "1", "1.0000"),
        ("service", "none"): ("1", "1", "1.0000"),
    }
    assert found[("direction", "out")] == ("0", "0", "")
    assert found[("access-point", str(office))] == ("2", "2", "1.0000")
    assert found[("hour", "0")] == ("1", "0", "0.0000")
    narrowed = _avoidable(_csv(april, "--service", april.b.slug))
    assert narrowed[("organisation", "test-council")] == ("1", "1", "1.0000")


def test_avoidable_contact_by_kind_and_its_records(april: April) -> None:
    built = reporting.report_named("volumes").build(
        reporting.ReportRequest(april.organisation, APRIL)
    )
    table = next(table for table in built.tables if table.name == "avoidable")
    assert list(table.columns) == ["avoidable", "label", "contacts", "share_of_assessed"]
    assert [(row[0], row[2], None if row[3] is None else str(row[3])) for row in table.rows] == [
        ("progress-chasing", 2, "0.5000"),
        ("repeat", 0, "0.0000"),
        ("failure-to-act", 0, "0.0000"),
        ("unclear", 1, "0.2500"),
        ("wrong-channel", 0, "0.0000"),
        ("not-avoidable", 1, "0.2500"),
        ("none", 1, None),
    ]
    assert table.rows[0][1] == "Chasing progress on something already asked for"
    assert table.rows[-1][1] == "Not assessed"
    wanted = {
        "progress-chasing": {april.contacts["c3"].pk, april.contacts["c4"].pk},
        "unclear": {april.contacts["c2"].pk},
        "not-avoidable": {april.contacts["c1"].pk},
        "none": {april.contacts["c5"].pk},
        "repeat": set(),
    }
    for row, links in zip(table.rows, table.links, strict=True):
        link = links[2]
        assert link is not None
        query = dict(parse_qsl(link.split("?", 1)[1]))
        assert (query["dimension"], query["value"]) == ("avoidable", row[0])
        found = volumes.contacts_behind(
            volumes.Scope(april.organisation, APRIL), "avoidable", str(row[0]), query["measure"]
        )
        assert found.count() == row[2]
        if row[0] in wanted:
            assert set(found.values_list("pk", flat=True)) == wanted[str(row[0])]
    with pytest.raises(ValueError, match=r"^x$"):
        volumes.contacts_behind(
            volumes.Scope(april.organisation, APRIL), "avoidable", "x", "contacts"
        )


def test_the_avoidable_records_page(april: April, client_for: ClientFor, team_leader: User) -> None:
    response = client_for(team_leader).get(
        _url(dimension="organisation", value="test-council", measure="avoidable")
    )
    body = response.content.decode()
    assert 'data-counted="3"' in body
    assert body.count("Chasing progress on something already asked for") == 2
    assert "Our letter, bill, form or web page was not clear" in body
    bad = client_for(team_leader).get(_url(dimension="avoidable", value="x", measure="contacts"))
    assert bad.status_code == 400


def test_the_partner_sees_only_its_own(april: April) -> None:
    out = io.StringIO()
    call_command(
        "report", "volumes", "--from", "2026-04-01", "--to", "2026-04-30", "--format", "csv",
        "--organisation", april.partner.slug, stdout=out,
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert _figures(rows)[("organisation", "test-housing")] == ("1", "1", "1", "1.0000", "0")


def test_visitors_wait_to_be_seen(april: April) -> None:
    built = reporting.report_named("volumes").build(
        reporting.ReportRequest(april.organisation, APRIL)
    )
    table = next(table for table in built.tables if table.name == "visitors")
    assert [list(row) for row in table.rows] == [
        [str(april.office.pk), "Customer Service Centre", 4, 2, 1, volumes.rate(1, 4), 1, 1,
         volumes.seconds(datetime.timedelta(seconds=900.5)),
         volumes.seconds(datetime.timedelta(seconds=901))],
        ["all", "All access points", 4, 2, 1, volumes.rate(1, 4), 1, 1,
         volumes.seconds(datetime.timedelta(seconds=900.5)),
         volumes.seconds(datetime.timedelta(seconds=901))],
    ]  # fmt: skip
    assert str(table.rows[0][5]) == "0.2500"
    assert str(table.rows[0][8]) == "900.5"


def test_each_figure_lists_exactly_its_records(april: April) -> None:
    """Every linked figure of the report counts exactly the records its list holds."""
    built = reporting.report_named("volumes").build(
        reporting.ReportRequest(april.organisation, APRIL)
    )
    table = built.tables[0]
    checked = 0
    for row, links in zip(table.rows, table.links, strict=True):
        for value, link in zip(row, links, strict=True):
            if link is None:
                continue
            query = dict(parse_qsl(link.split("?", 1)[1]))
            scope = volumes.Scope(april.organisation, APRIL)
            found = volumes.contacts_behind(
                scope, query["dimension"], query["value"], query["measure"]
            )
            assert found.count() == value, (row, query)
            checked += 1
    assert checked == 6 * len(table.rows)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="GROUPING SETS: the one-statement path"
)


def _normalised(found: volumes.Counted) -> dict[str, list[tuple[Any, ...]]]:
    """Each dimension's (key, counts), keys as the report shows them (the two paths' drivers
    give the hour as a number of different types and the week as an aware or a naive time)."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    for dimension, items in found.items():
        made = []
        for item in items:
            key: Any = item.get("key")
            if dimension in ("week", "month"):
                key = volumes._as_date(key)
            elif dimension in ("hour", "weekday"):
                key = int(key)
            made.append(
                (
                    key,
                    *(
                        item[name]
                        for name in (
                            "contacts", "inbound", "resolved", "repeats", "assessed", "avoidable"
                        )
                    ),
                )
            )  # fmt: skip
        result[dimension] = sorted(made, key=lambda row: (row[0] is None, str(row[0])))
    return result


@postgresql_only
@pytest.mark.parametrize("service", ["all", "a", "none"])
def test_one_statement_gives_the_per_dimension_figures(april: April, service: str) -> None:
    """PostgreSQL reads the month's contacts once (GROUPING SETS); every count equals the one
    statement a dimension path's, which SQLite uses, for the whole council and a service."""
    chosen = {"all": None, "a": april.a, "none": NO_SERVICE}[service]
    rows = volumes.contacts_in(volumes.Scope(april.organisation, APRIL, chosen))
    one = _normalised(volumes._counted_in_one_statement(rows))
    each = _normalised(volumes._counted_per_dimension(rows))
    assert one == each
    assert (
        sum(count for _key, count, *_rest in one["channel"])
        == {"all": 5, "a": 2, "none": 1}[service]
    )
    # assessed and avoidable: (4, 3) for the council, (2, 1) for service a, (1, 1) for none.
    assert one["organisation"][0][5:] == {"all": (4, 3), "a": (2, 1), "none": (1, 1)}[service]


def test_the_report_reads_the_contacts_in_one_statement_on_postgresql(
    april: April, django_assert_num_queries: Any
) -> None:
    """The figures and the kinds of avoidable contact: one statement for the counts on
    PostgreSQL (twelve on SQLite), one for the names of the services, access points and
    reasons."""
    scope = volumes.Scope(april.organisation, APRIL)
    expected = {"postgresql": 2, "sqlite": 13}[connection.vendor]
    with django_assert_num_queries(expected):
        rows, kinds = volumes.volumes_and_kinds(scope)
    assert len(rows) == 27
    # The same figures as each read on its own.
    assert rows == volumes.volumes(scope)
    assert kinds == volumes.avoidable_kinds(scope)


def test_a_month_with_no_contacts(april: April) -> None:
    empty = reporting.Period(datetime.date(2025, 4, 1), datetime.date(2025, 4, 30))
    rows = volumes.volumes(volumes.Scope(april.organisation, empty))
    assert [(row.dimension, row.value, row.contacts, row.inbound) for row in rows] == [
        ("organisation", "test-council", 0, 0)
    ]


# --- the drill-down page -------------------------------------------------------------------------
def _url(**query: str) -> str:
    from urllib.parse import urlencode

    base = {"from": "2026-04-01", "to": "2026-04-30"}
    return f"/performance/records/volumes/?{urlencode(base | query)}"


@covers("performance:records")
@pytest.mark.parametrize("who", ["anonymous", "advisor", "team-leader", "partner", "auditor"])
def test_who_may_see_the_records(
    april: April, client_for: ClientFor, who: str, auditor: User, advisor: User
) -> None:
    url = _url(dimension="channel", value="face-to-face", measure="contacts")
    if who == "anonymous":
        response = Client().get(url)
        assert response.status_code == 302
        return
    user = {
        "advisor": advisor,
        "auditor": auditor,
        "team-leader": core_factories.staff(april.organisation, RoleCode.TEAM_LEADER),
        "partner": core_factories.staff(april.partner, RoleCode.MANAGER),
    }[who]
    response = client_for(user).get(url)
    if who == "advisor":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    if who == "partner":
        # The partner's own contacts: none face to face in April.
        assert 'data-testid="records-list"' not in body
        return
    assert 'data-counted="2"' in body
    record = AuditRecord.objects.unscoped("test").filter(object_type="contacts.contact").last()
    assert record is not None
    assert record.changes["ids"] == [str(april.contacts["c2"].pk), str(april.contacts["c3"].pk)]


@pytest.mark.parametrize(
    "query",
    [
        {"dimension": "channel", "value": "x", "measure": "nothing"},
        {"dimension": "hour", "value": "99", "measure": "contacts"},
        {"dimension": "hour", "value": "ten", "measure": "contacts"},
        {"dimension": "week", "value": "2026-04-01", "measure": "contacts"},  # a Wednesday
        {"dimension": "service", "value": "1 OR 1=1", "measure": "contacts"},
        {"dimension": "<script>", "value": "x", "measure": "contacts"},
        {"dimension": "channel", "value": "email", "measure": "contacts", "from": "2026-13-01"},
        {"dimension": "channel", "value": "email", "measure": "contacts", "to": "2025-01-01"},
        {"dimension": "channel", "value": "email", "measure": "contacts", "to": "2029-01-01"},
        {"dimension": "channel", "value": "email", "measure": "contacts", "service": "\x00"},
        {"dimension": "channel", "value": "e" * 5000, "measure": "contacts"},
    ],
)
def test_hostile_links_are_refused_plainly(
    april: April, client_for: ClientFor, team_leader: User, query: dict[str, str]
) -> None:
    response = client_for(team_leader).get(_url(**query))
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"<script>" not in response.content


def test_the_list_is_paginated(april: April, client_for: ClientFor, team_leader: User) -> None:
    for minute in range(55):
        _contact(april.organisation, f"2026-04-20T10:{minute:02d}", channel="sms")
    client = client_for(team_leader)
    first = client.get(_url(dimension="channel", value="sms", measure="contacts"))
    assert first.content.decode().count('<tr class="govuk-table__row">') == 50 + 1
    second = client.get(_url(dimension="channel", value="sms", measure="contacts", page="2"))
    assert second.content.decode().count('<tr class="govuk-table__row">') == 5 + 1
    assert 'data-counted="55"' in second.content.decode()


def test_visitor_records(april: April, client_for: ClientFor, team_leader: User) -> None:
    query = urlencode(
        {
            "from": "2026-04-01",
            "to": "2026-04-30",
            "access_point": "all",
            "measure": "seen-within-15-minutes",
        }
    )
    response = client_for(team_leader).get(f"/performance/records/visitors/?{query}")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-counted="1"' in body
    assert ">A1<" in body


def test_the_day_the_clocks_go_back_counts_its_repeated_hour_once_per_contact(
    council: Organisation,
) -> None:
    """25 October 2026: 01:00-01:59 happens twice (BST, then GMT).  Each contact belongs to the
    UK day, hour, weekday, week and month it was received in."""
    for when in (
        "2026-09-30T23:30",  # 00:30 BST on Thursday 1 October: October
        "2026-10-24T23:30",  # 00:30 BST on Sunday 25 October
        "2026-10-25T00:30",  # 01:30 BST
        "2026-10-25T01:30",  # 01:30 GMT, the hour again
        "2026-10-25T02:30",  # 02:30 GMT
        "2026-10-31T23:30",  # 23:30 GMT on Saturday 31 October: still October
        "2026-11-01T00:00",  # midnight GMT: November, not counted
    ):
        _contact(council, when, channel="telephone")
    october = reporting.Period(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    rows = volumes.volumes(volumes.Scope(council, october))
    counted = {(row.dimension, row.value): row.contacts for row in rows}

    assert counted[("organisation", council.slug)] == 6
    assert {key: count for key, count in counted.items() if key[0] == "hour"} == {
        ("hour", "0"): 2,
        ("hour", "1"): 2,
        ("hour", "2"): 1,
        ("hour", "23"): 1,
    }
    assert {key: count for key, count in counted.items() if key[0] == "weekday"} == {
        ("weekday", "4"): 1,
        ("weekday", "6"): 1,
        ("weekday", "7"): 4,
    }
    assert {key: count for key, count in counted.items() if key[0] == "week"} == {
        ("week", "2026-09-28"): 1,
        ("week", "2026-10-19"): 4,
        ("week", "2026-10-26"): 1,
    }
    assert {key: count for key, count in counted.items() if key[0] == "month"} == {
        ("month", "2026-10-01"): 6
    }

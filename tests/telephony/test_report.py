"""The ``telephony`` report (issue 17): every figure exact from known calls, a call counted on
the London day it was offered (midnight either side, on both clock-change days), ``--to``
included, zero offered, a queue never mapped, a service's own standard, the partner's calls not
counted, ``--service``, the CSV's contract, and the calls behind each figure (scoped, audited)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from onestop.core import reporting
from onestop.core.models import AuditAction, Organisation, RoleCode, User
from onestop.directory import services as directory_services
from onestop.directory.models import Service
from onestop.standards import services as standard_services
from onestop.standards.models import Channel
from onestop.telephony import reports, services
from onestop.telephony.models import CallQueue
from onestop.telephony.queries import measures
from tests import factories
from tests.list_reads import list_reads
from tests.matrix import covers
from tests.telephony.conftest import CallWorld, csv_file, row

ClientFor = Callable[[User], Client]
D = datetime.date
pytestmark = pytest.mark.django_db
COLUMNS = (
    "queue,offered,answered,abandoned,answered_within_target,service_level,abandonment_rate,"
    "average_speed_of_answer_seconds,longest_wait_seconds"
)


def _standard(
    organisation: Organisation, seconds: int = 20, service: Service | None = None
) -> None:
    standard_services.save_standard(
        organisation,
        by=None,
        code="answer-calls",
        title="Answer calls within 20 seconds",
        applies_to=Channel.TELEPHONE,
        start_event="call-offered",
        stop_event="call-answered",
        amount=seconds,
        unit="seconds",
        target_percent=Decimal("90"),
        service_id=service.pk if service is not None else None,
    )


def _call(call_id: str, queue: str, offered: str, outcome: str = "answered", wait: int = 10) -> str:
    start = datetime.datetime.fromisoformat(offered)
    answered = start + datetime.timedelta(seconds=wait)
    ended = answered + datetime.timedelta(seconds=60)
    if outcome in ("abandoned", "voicemail"):
        return row(call_id, queue, offered, "", answered.isoformat(), outcome)
    return row(call_id, queue, offered, answered.isoformat(), ended.isoformat(), outcome)


def _import(organisation: Organisation, *rows: str) -> None:
    run = services.import_calls(organisation, csv_file(*rows), by=None, file_name="calls.csv")
    assert run.refused == 0, list(run.refusals.values_list("reason", flat=True))


def _map(world: CallWorld, name: str, service: Service) -> CallQueue:
    queue = CallQueue.objects.for_organisation(world.organisation).get(name=name)
    return services.map_queue(queue, by=None, service=service, access_point=world.telephone)


def _spring(world: CallWorld, partner: Organisation) -> Service:
    """Calls around Sunday 29 March 2026 (the clocks go forward at 01:00 GMT)."""
    _standard(world.organisation)
    _import(
        world.organisation,
        _call("before", "Waste", "2026-03-28T23:59:59+00:00", wait=1),  # 23:59:59 GMT on 28th
        _call("first", "Waste", "2026-03-29T00:00:00+00:00", wait=20),  # midnight: in
        _call("ten", "Waste", "2026-03-29T09:00:00+00:00", wait=21),  # 10:00 BST
        _call("last", "Waste", "2026-03-29T22:59:59+00:00", "abandoned", 45),  # 23:59:59 BST
        _call("after", "Waste", "2026-03-29T23:00:00+00:00", wait=1),  # midnight BST: 30th
        _call("vm", "Switchboard", "2026-03-29T09:10:00+00:00", "voicemail", 90),
        _call("xfer", "Switchboard", "2026-03-29T09:20:00+00:00", "transferred", 5),
        _call("other", "Council tax", "2026-03-27T12:00:00+00:00", wait=3),
    )
    tax = directory_services.create_service(world.organisation, by=None, name="Council tax")
    _map(world, "Waste", world.waste)
    _map(world, "Council tax", tax)
    # The partner's own calls on the same day, in a queue of the same name: never counted.
    factories.staff(partner, RoleCode.MANAGER, username="partner.manager")
    _import(partner, _call("p1", "Waste", "2026-03-29T09:00:00+00:00", "abandoned", 500))
    return tax


def _build(
    organisation: Organisation, first: D, last: D, service: str = ""
) -> reporting.ReportOutput:
    request = reporting.ReportRequest(organisation, reporting.Period(first, last), service)
    return reporting.report_named("telephony").build(request)


def _rows(output: reporting.ReportOutput, index: int = 0) -> list[list[str]]:
    table = output.tables[index]
    return [["" if value is None else str(value) for value in line] for line in table.rows]


SPRING = [
    ["Council tax", "0", "0", "0", "0", "", "", "", ""],
    ["Switchboard", "2", "1", "0", "1", "0.5000", "0.0000", "5.0", "5.0"],
    ["Waste", "3", "2", "1", "1", "0.3333", "0.3333", "20.5", "45.0"],
    ["all", "5", "3", "1", "2", "0.4000", "0.2000", "15.3", "45.0"],
]


def test_every_figure_on_the_day_the_clocks_go_forward(
    call_world: CallWorld, partner: Organisation
) -> None:
    _spring(call_world, partner)
    output = _build(call_world.organisation, D(2026, 3, 29), D(2026, 3, 29))
    assert [table.name for table in output.tables] == ["queues", "days", "hours", "half-hours"]
    assert ",".join(output.tables[0].columns) == COLUMNS
    assert _rows(output) == SPRING
    assert _rows(output, 1) == [["2026-03-29", *SPRING[-1][1:]]]
    hours = {line[0]: line[1:] for line in _rows(output, 2)}
    assert len(hours) == 24
    # 00:00 GMT, 10:00, 10:10 and 10:20 BST, 23:59:59 BST.
    assert hours["00:00"] == ["1", "1", "0", "1", "1.0000", "0.0000", "20.0", "20.0"]
    assert hours["10:00"] == ["3", "2", "0", "1", "0.3333", "0.0000", "13.0", "21.0"]
    assert hours["23:00"] == ["1", "0", "1", "0", "0.0000", "1.0000", "", "45.0"]
    assert hours["01:00"] == ["0", "0", "0", "0", "", "", "", ""]
    halves = {line[0]: line[1] for line in _rows(output, 3)}
    assert len(halves) == 48
    assert (halves["10:00"], halves["10:30"], halves["23:30"]) == ("3", "0", "1")
    assert sum(int(value) for value in halves.values()) == 5


def test_the_last_day_is_included_and_the_day_after_midnight_is_not(
    call_world: CallWorld, partner: Organisation
) -> None:
    _spring(call_world, partner)
    output = _build(call_world.organisation, D(2026, 3, 27), D(2026, 3, 30))
    days = {line[0]: line[1] for line in _rows(output, 1)}
    assert days == {"2026-03-27": "1", "2026-03-28": "1", "2026-03-29": "5", "2026-03-30": "1"}
    assert _rows(output)[-1][:2] == ["all", "8"]


def test_the_day_the_clocks_go_back_has_25_hours_of_calls(call_world: CallWorld) -> None:
    _standard(call_world.organisation)
    _import(
        call_world.organisation,
        _call("before", "Waste", "2026-10-24T22:59:59+00:00"),  # 23:59:59 BST on 24th
        _call("midnight", "Waste", "2026-10-24T23:00:00+00:00"),  # 00:00 BST on 25th
        _call("bst", "Waste", "2026-10-25T00:30:00+00:00", wait=30),  # 01:30 BST
        _call("gmt", "Waste", "2026-10-25T01:30:00+00:00", wait=15),  # 01:30 GMT
        _call("late", "Waste", "2026-10-25T23:59:59+00:00", "abandoned", 7),  # 23:59:59 GMT
        _call("after", "Waste", "2026-10-26T00:00:00+00:00"),  # 26th
    )
    output = _build(call_world.organisation, D(2026, 10, 25), D(2026, 10, 25))
    assert _rows(output) == [
        ["Waste", "4", "3", "1", "2", "0.5000", "0.2500", "18.3", "30.0"],
        ["all", "4", "3", "1", "2", "0.5000", "0.2500", "18.3", "30.0"],
    ]
    hours = {line[0]: line[1] for line in _rows(output, 2)}
    assert (hours["00:00"], hours["01:00"], hours["23:00"]) == ("1", "2", "1")
    halves = {line[0]: line[1] for line in _rows(output, 3)}
    assert halves["01:30"] == "2"


def test_a_service_keeps_only_its_queues_and_none_the_queues_never_mapped(
    call_world: CallWorld, partner: Organisation
) -> None:
    _spring(call_world, partner)
    organisation = call_world.organisation
    waste = _build(organisation, D(2026, 3, 29), D(2026, 3, 29), call_world.waste.slug)
    assert _rows(waste) == [SPRING[2], ["all", *SPRING[2][1:]]]
    assert waste.service_name == "Waste and recycling"
    unmapped = _build(organisation, D(2026, 3, 29), D(2026, 3, 29), "none")
    assert _rows(unmapped) == [SPRING[1], ["all", *SPRING[1][1:]]]
    for hostile in ("nowhere", "=1+1", "x\x00y", "9" * 300):
        with pytest.raises(reporting.ReportError, match="test-council has no service"):
            _build(organisation, D(2026, 3, 29), D(2026, 3, 29), hostile)


def test_a_services_own_standard_sets_its_queues_threshold(
    call_world: CallWorld, partner: Organisation
) -> None:
    _spring(call_world, partner)
    _standard(call_world.organisation, seconds=21, service=call_world.waste)
    output = _build(call_world.organisation, D(2026, 3, 29), D(2026, 3, 29))
    rows = _rows(output)
    assert rows[2][:6] == ["Waste", "3", "2", "1", "2", "0.6667"]
    assert rows[3][:6] == ["all", "5", "3", "1", "3", "0.6000"]
    assert any("(21 s)" in line for line in output.tables[0].definitions)


def test_without_an_answer_time_standard_the_service_level_is_not_given(
    call_world: CallWorld,
) -> None:
    _import(call_world.organisation, _call("a", "Waste", "2026-03-02T09:00:00+00:00", wait=4))
    output = _build(call_world.organisation, D(2026, 3, 2), D(2026, 3, 2))
    assert _rows(output) == [
        ["Waste", "1", "1", "0", "", "", "0.0000", "4.0", "4.0"],
        ["all", "1", "1", "0", "", "", "0.0000", "4.0", "4.0"],
    ]
    assert any("no answer-time standard" in line for line in output.tables[0].definitions)


def test_no_calls_at_all_gives_zeros_and_empty_rates(council: Organisation) -> None:
    output = _build(council, D(2026, 3, 1), D(2026, 3, 31))
    assert _rows(output) == [["all", "0", "0", "0", "", "", "", "", ""]]
    assert len(output.tables[1].rows) == 31


def test_rounding_is_half_up_from_the_exact_counts() -> None:
    assert measures.rate(1, 32) == Decimal("0.0313")  # 0.03125
    assert measures.rate(1, 3) == Decimal("0.3333")
    assert measures.rate(2, 3) == Decimal("0.6667")
    assert measures.rate(0, 0) is None
    assert measures.Counts(answered=4, answered_wait=1_000_000).average_speed_of_answer == Decimal(
        "0.3"
    )
    assert measures.Counts(answered=4, answered_wait=9_000_000).average_speed_of_answer == Decimal(
        "2.3"
    )
    assert measures.Counts(offered=0).service_level is None


def test_the_command_writes_the_csv_contract(
    call_world: CallWorld, partner: Organisation, tmp_path: object
) -> None:
    _spring(call_world, partner)
    stdout = io.StringIO()
    call_command(
        "report",
        "telephony",
        "--from",
        "2026-03-29",
        "--to",
        "2026-03-29",
        "--format",
        "csv",
        "--organisation",
        "test-council",
        stdout=stdout,
        stderr=io.StringIO(),
    )
    lines = list(csv.reader(io.StringIO(stdout.getvalue())))
    assert ",".join(lines[0]) == COLUMNS
    assert lines[1:] == SPRING


def test_each_figure_links_to_the_calls_it_counts(
    call_world: CallWorld, partner: Organisation, team_leader: User, client_for: ClientFor
) -> None:
    _spring(call_world, partner)
    output = _build(call_world.organisation, D(2026, 3, 29), D(2026, 3, 29))
    client = client_for(team_leader)
    queues = output.tables[0]
    expected = {
        # (row, column): the calls listed
        (2, 1): {"first", "ten", "last"},
        (2, 3): {"last"},
        (2, 4): {"first"},
        (2, 8): {"last", "first", "ten"},
        (1, 2): {"xfer"},
        (3, 1): {"first", "ten", "last", "vm", "xfer"},
        (3, 5): {"first", "xfer"},
    }
    for (line, column), calls in expected.items():
        link = queues.links[line][column]
        assert link is not None
        response = client.get(link)
        assert response.status_code == 200, link
        listed = response.context["calls"]
        assert {call.external_id for call in listed} == calls, (line, column)
        if column <= 4:
            assert response.context["counted"] == queues.rows[line][column]
    longest_link = queues.links[2][8]
    assert longest_link is not None
    longest = client.get(longest_link).context["calls"]
    assert longest[0].external_id == "last"  # the longest wait first
    assert queues.links[0][0] is None
    hour_link = output.tables[2].links[10][1]
    assert hour_link is not None
    assert {call.external_id for call in client.get(hour_link).context["calls"]} == {
        "ten",
        "vm",
        "xfer",
    }
    half_link = output.tables[3].links[47][1]
    assert half_link is not None
    assert [call.external_id for call in client.get(half_link).context["calls"]] == ["last"]
    reads = list_reads(call_world.organisation)
    assert len(reads) == len(expected) + 3
    who, action, what, changes = reads[0]
    assert (who, action, what) == ("team.leader", AuditAction.LISTED, "telephony.callrecord")
    assert changes["count"] == 3


@covers("telephony:calls")
def test_the_calls_list_is_for_those_who_read_performance_in_their_own_organisation(
    call_world: CallWorld,
    partner: Organisation,
    advisor: User,
    auditor: User,
    client_for: ClientFor,
) -> None:
    _spring(call_world, partner)
    waste = CallQueue.objects.for_organisation(call_world.organisation).get(name="Waste")
    url = f"/calls/list/?from=2026-03-29&to=2026-03-29&measure=offered&queue={waste.pk}"
    assert Client().get(url)["Location"].startswith("/sign-in/")
    assert client_for(advisor).get(url).status_code == 403
    assert list_reads(call_world.organisation) == []
    # Another organisation's queue is not in the partner manager's report: refused, nothing shown.
    partner_manager = User.objects.get(username="partner.manager")
    refused = client_for(partner_manager).get(url)
    assert refused.status_code == 400
    assert b"does not name a figure" in refused.content
    # The partner's own list holds only its own call.
    own = client_for(partner_manager).get("/calls/list/?from=2026-03-29&to=2026-03-29")
    assert [call.external_id for call in own.context["calls"]] == ["p1"]
    # A read-only auditor may read the list.
    response = client_for(auditor).get(url)
    assert response.status_code == 200
    assert {call.external_id for call in response.context["calls"]} == {"first", "ten", "last"}


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-03-29",
        "from=2026-03-29&to=2026-03-01",
        "from=x&to=y",
        "from=2026-03-29&to=2026-03-29&measure=everything",
        "from=2026-03-29&to=2026-03-29&queue=-1",
        "from=2026-03-29&to=2026-03-29&queue=" + "9" * 5000,
        "from=2026-03-29&to=2026-03-29&day=2026-04-01",
        "from=2026-03-29&to=2026-03-29&hour=24",
        "from=2026-03-29&to=2026-03-29&hour=1&half=15",
        "from=2026-03-29&to=2026-03-29&service=%3D1%2B1",
        "from=2026-03-29&to=2026-03-29&service=%00",
    ],
)
def test_a_link_that_names_no_figure_is_refused_plainly(
    call_world: CallWorld,
    partner: Organisation,
    team_leader: User,
    client_for: ClientFor,
    query: str,
) -> None:
    _spring(call_world, partner)
    response = client_for(team_leader).get(f"/calls/list/?{query}")
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert list_reads(call_world.organisation) == []


def _back_links(html: str) -> list[str]:
    return [
        unescape(href)
        for href in re.findall(
            r'<a[^>]* href="([^"]*)"[^>]*>(?:Back to the telephone report|Go back to the report)<',
            html,
        )
    ]


@pytest.mark.parametrize(
    ("dates", "period"),
    [
        ("from=2026-03-01&to=2026-03-31", "kind=month&month=3&year=2026"),
        ("from=2026-01-01&to=2026-03-31", "kind=quarter&month=1&year=2026"),
        ("from=2026-01-01&to=2026-12-31", "kind=year&year_kind=calendar&month=1&year=2026"),
        ("from=2025-04-01&to=2026-03-31", "kind=year&year_kind=financial&month=4&year=2025"),
    ],
)
def test_the_calls_list_links_back_to_the_report_with_its_filters(
    call_world: CallWorld,
    partner: Organisation,
    team_leader: User,
    client_for: ClientFor,
    dates: str,
    period: str,
) -> None:
    _spring(call_world, partner)
    client = client_for(team_leader)
    slug = call_world.waste.slug
    response = client.get(f"/calls/list/?{dates}&measure=offered&queue=all&service={slug}")
    assert response.status_code == 200
    report = f"/performance/report/telephony/?{period}&service={slug}"
    assert _back_links(response.content.decode()) == [report]
    assert 'class="govuk-back-link"' in response.content.decode()
    back = client.get(report)
    assert back.status_code == 200
    assert back.context["form"].is_valid()


def test_a_refused_calls_list_links_back_to_the_report(
    call_world: CallWorld, partner: Organisation, team_leader: User, client_for: ClientFor
) -> None:
    _spring(call_world, partner)
    client = client_for(team_leader)
    refused = client.get("/calls/list/?from=2026-03-01&to=2026-03-31&measure=everything")
    assert refused.status_code == 400
    report = "/performance/report/telephony/?kind=month&month=3&year=2026"
    assert _back_links(refused.content.decode()) == [report, report]
    unreadable = client.get("/calls/list/?from=x&to=y")
    assert _back_links(unreadable.content.decode()) == ["/performance/report/telephony/"] * 2
    # A period the report's form cannot ask for (the command's own dates) opens its default.
    day = client.get("/calls/list/?from=2026-03-29&to=2026-03-29")
    assert _back_links(day.content.decode()) == ["/performance/report/telephony/"]


def test_a_calls_list_opened_from_the_dashboard_links_back_to_the_dashboard_as_it_was(
    call_world: CallWorld, partner: Organisation, team_leader: User, client_for: ClientFor
) -> None:
    """Every call figure of the dashboard, this period's, the previous one's and last year's,
    lists its own period's calls and links back to the dashboard the user was on, with each of
    its filters (the calls list itself knows only the period and the service)."""
    _spring(call_world, partner)
    client = client_for(team_leader)
    dashboard = "/performance/?kind=month&month=3&year=2026&team=&channel=telephone"
    html = client.get(dashboard).content.decode()
    lists = [unescape(href) for href in re.findall(r'href="(/calls/list/\?[^"]*)"', html)]
    periods = {parse_qs(urlsplit(link).query)["from"][0] for link in lists}
    assert periods == {"2026-03-01", "2026-02-01", "2025-03-01"}
    back_to = "/performance/?kind=month&month=3&year=2026&channel=telephone"

    for link in lists:
        assert parse_qs(urlsplit(link).query)["back"] == ["dashboard"]
        listed = client.get(link).content.decode()
        back = re.findall(r'<a[^>]* href="([^"]*)"[^>]*>Back to the dashboard<', listed)
        assert [unescape(href) for href in back] == [back_to], link
        assert "Back to the telephone report" not in listed
    refused = client.get(lists[0].replace("measure=", "measure=x")).content.decode()
    assert [
        unescape(href)
        for href in re.findall(
            r'<a[^>]* href="([^"]*)"[^>]*>(?:Back to|Go back to) the dashboard<', refused
        )
    ] == [back_to, back_to]
    assert client.get(back_to).status_code == 200


@pytest.mark.parametrize(
    ("carried", "back_to"),
    [
        ("", "/performance/"),
        ("kind=month&month=3&year=2026", "/performance/?kind=month&month=3&year=2026"),
        # Only short, plainly named fields, each encoded again: never another address.
        ("//evil.example/&year=2026", "/performance/?year=2026"),
        ('kind="><script>&x-y=1', "/performance/?kind=%22%3E%3Cscript%3E"),
        ("year=" + "9" * 100, "/performance/?year=" + "9" * 60),
        ("&".join(f"field_{letter}=1" for letter in "abcdefghijklmnopqrst"), None),
    ],
)
def test_the_way_back_to_the_dashboard_keeps_only_its_plain_fields(
    call_world: CallWorld,
    partner: Organisation,
    team_leader: User,
    client_for: ClientFor,
    carried: str,
    back_to: str | None,
) -> None:
    _spring(call_world, partner)
    query = urlencode(
        {"from": "2026-03-01", "to": "2026-03-31", "measure": "offered", "queue": "all",
         "back": "dashboard", "dashboard": carried}
    )  # fmt: skip
    listed = client_for(team_leader).get(f"/calls/list/?{query}")
    assert listed.status_code == 200
    back = re.findall(
        r'<a[^>]* href="([^"]*)"[^>]*>Back to the dashboard<', listed.content.decode()
    )
    assert len(back) == 1
    href = unescape(back[0])
    if back_to is None:  # too many fields: the first twelve
        assert len(parse_qs(urlsplit(href).query)) == 12
    else:
        assert href == back_to


def test_links_keep_the_service(call_world: CallWorld, partner: Organisation) -> None:
    _spring(call_world, partner)
    output = _build(call_world.organisation, D(2026, 3, 29), D(2026, 3, 29), call_world.waste.slug)
    link = output.tables[0].links[-1][1]
    assert link is not None
    query = parse_qs(urlsplit(link).query)
    assert query["service"] == [call_world.waste.slug]
    assert query["queue"] == [measures.ALL]
    assert reports.CODE in reporting.registered_reports()


def test_the_calls_list_says_bst_or_gmt_for_the_hour_the_clocks_go_back(
    call_world: CallWorld, team_leader: User, client_for: ClientFor
) -> None:
    _import(
        call_world.organisation,
        _call("before", "Waste", "2026-10-25T00:30:00+00:00"),  # 01:30 BST
        _call("after", "Waste", "2026-10-25T01:30:00+00:00"),  # 01:30 GMT
        _call("later", "Waste", "2026-10-25T02:30:00+00:00"),  # 02:30 GMT, not repeated
    )
    response = client_for(team_leader).get("/calls/list/?from=2026-10-25&to=2026-10-25")
    assert response.status_code == 200
    cells = re.findall(
        r'<td class="govuk-table__cell">(\d+ October 2026 at [^<]*)</td>', response.content.decode()
    )
    assert cells == [
        "25 October 2026 at 1:30am BST",
        "25 October 2026 at 1:30am GMT",
        "25 October 2026 at 2:30am",
    ]

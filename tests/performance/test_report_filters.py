"""The report pages apply each filter that means something for the report (issue 17): volumes
by service, channel and access point (a contact has no team), the backlog by service and team
(a case has no channel or access point of its own), telephony by service only; each page says
which filters narrow it and which chosen ones do not, and every narrowed figure links to as
many records."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html import unescape

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from onestop.cases import services as case_services
from onestop.cases.models import Case
from onestop.core.models import RoleCode, User
from tests import factories as core_factories
from tests.cases.conftest import World
from tests.performance import standards_story
from tests.performance.standards_story import NOW
from tests.performance.test_volumes import April, april  # noqa: F401 - the fixture

Clients = Callable[[User], Client]
APRIL_QUERY = {"kind": "month", "month": "4", "year": "2026"}
MARCH = {"kind": "month", "month": "3", "year": "2026"}
PERIOD_FIELDS = {"kind", "year_kind", "month", "year"}
HIDDEN = r'<span class="govuk-visually-hidden">.*?</span>'


def _table(html: str, testid: str) -> list[list[tuple[str, str | None]]]:
    """A table of the page: each row's cells as (text, link)."""
    body = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    body = body.split("<tbody", 1)[1]
    rows = []
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S):
        cells: list[tuple[str, str | None]] = []
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S):
            cell = re.sub(HIDDEN, "", cell)  # a link's context for screen readers
            link = re.search(r'href="([^"]*)">(.*?)</a>', cell, re.S)
            if link:
                cells.append((unescape(link[2]), unescape(link[1])))
            else:
                cells.append((unescape(cell), None))
        rows.append(cells)
    return rows


def _counted(client: Client, url: str | None) -> int:
    assert url is not None
    page = client.get(url)
    assert page.status_code == 200, url
    found = re.search(r'data-counted="(\d+)"', page.content.decode())
    return int(found[1]) if found else 0


def _lines(html: str, testid: str) -> list[str]:
    return [unescape(line) for line in re.findall(rf'data-testid="{testid}">(.*?)</p>', html)]


def _manager(world_of: April) -> User:
    return core_factories.staff(world_of.organisation, RoleCode.MANAGER, username="manager")


def test_volumes_are_narrowed_by_channel_and_access_point(
    april: April,  # noqa: F811 - the fixture imported above
    client_for: Clients,
) -> None:
    client = client_for(_manager(april))
    url = reverse("performance:report", args=["volumes"])
    # Face to face: c2 (unclear) and c3 (chasing progress, resolved), both at the office.
    html = client.get(url, {**APRIL_QUERY, "channel": "face-to-face"}).content.decode()
    rows = _table(html, "table-volumes-0")
    total = [text for text, _link in rows[0]]
    assert total == [
        "organisation", "test-council", "Test District Council",
        "2", "2", "1", "50.0%", "1", "2", "2", "100.0%",
    ]  # fmt: skip
    assert [cells[1][0] for cells in rows if cells[0][0] == "channel"] == ["face-to-face"]
    for cells in rows:
        for text, link in cells:
            if link is not None:
                assert _counted(client, link) == int(text), (cells[0][0], cells[1][0], link)
    assert _lines(html, "applied") == [
        "Service, channel and access point narrow this report. "
        "The files to download hold the same figures."
    ]
    assert _lines(html, "not-applied") == []
    # The service and the access point together: c2 only.
    both = client.get(
        url, {**APRIL_QUERY, "service": april.a.slug, "access_point": str(april.office.pk)}
    ).content.decode()
    assert [text for text, _link in _table(both, "table-volumes-0")[0]][3:] == [
        "1", "1", "0", "0.0%", "0", "1", "1", "100.0%",
    ]  # fmt: skip
    # The visitors: face to face at the office, every one; by e-mail, none.
    visitors = _table(html, "table-volumes-7")
    assert [text for text, _link in visitors[-1]][:7] == [
        "all",
        "All access points",
        "4",
        "2",
        "1",
        "25.0%",
        "1",
    ]
    everywhere = visitors[-1][2][1]
    assert everywhere is not None
    assert _counted(client, everywhere) == 4
    # The page's CSV holds the same figures, its heading naming the channel.
    csv_link = re.search(r'href="([^"]*format=csv)"', html)
    assert csv_link is not None
    csv_text = client.get(unescape(csv_link[1])).content.decode()
    assert "channel=face-to-face" in unescape(csv_link[1])
    assert csv_text.splitlines()[1] == (
        "organisation,test-council,Test District Council,2,2,1,0.5000,1,2,2,1.0000"
    )
    email = client.get(url, {**APRIL_QUERY, "channel": "email"}).content.decode()
    assert [text for text, _link in _table(email, "table-volumes-7")[-1]][2:4] == ["0", "0"]
    assert [text for text, _link in _table(email, "table-volumes-0")[0]][3:5] == ["1", "1"]


def test_volumes_at_an_access_point_link_its_visitors_from_the_row_all(
    april: April,  # noqa: F811 - the fixture imported above
    client_for: Clients,
) -> None:
    client = client_for(_manager(april))
    url = reverse("performance:report", args=["volumes"])
    html = client.get(url, {**APRIL_QUERY, "access_point": str(april.office.pk)}).content.decode()
    everywhere = _table(html, "table-volumes-7")[-1][2][1]
    assert everywhere is not None
    assert f"access_point={april.office.pk}" in everywhere
    assert _counted(client, everywhere) == 4


def test_the_team_filter_does_not_narrow_volumes_and_the_page_says_why(
    april: April,  # noqa: F811 - the fixture imported above
    client_for: Clients,
) -> None:
    from tests.directory import factories as directory_factories

    team = directory_factories.team(april.a, "Revenues")
    client = client_for(_manager(april))
    html = client.get(
        reverse("performance:report", args=["volumes"]), {**APRIL_QUERY, "team": str(team.pk)}
    ).content.decode()
    assert [text for text, _link in _table(html, "table-volumes-0")[0]][3] == "5"
    assert _lines(html, "not-applied") == [
        "The team filter does not narrow this report: a contact belongs to no team."
    ]


def _move_to_north(world: World, case: Case) -> None:
    with time_machine.travel(standards_story.at(26), tick=False):
        case.refresh_from_db()
        case_services.assign_case(case, by=world.leader, assignee=None, team=world.north_crews)


def test_the_backlog_is_narrowed_by_team(world: World, client_for: Clients) -> None:
    """At the end of March C, D, E and F are open, all with the collection crews; D is moved to
    the north crews on 26 March (the backlog reads the team a case had then)."""
    story = standards_story.tell(world)
    _move_to_north(world, story.cases["D"])
    client = client_for(world.head)
    url = reverse("performance:report", args=["backlog"])
    with time_machine.travel(NOW, tick=False):
        everyone = client.get(url, MARCH).content.decode()
        north = client.get(url, {**MARCH, "team": str(world.north_crews.pk)}).content.decode()
        crews = client.get(
            url, {**MARCH, "team": str(world.crews.pk), "channel": "telephone"}
        ).content.decode()
        town = client.get(url, {**MARCH, "team": str(world.town_crews.pk)}).content.decode()
        assert [row[0][0] for row in _table(everyone, "table-backlog-0")] == [
            "Collection crews", "North crews", "all",
        ]  # fmt: skip
        assert [(row[0][0], row[1][0]) for row in _table(north, "table-backlog-0")] == [
            ("North crews", "1"),
            ("all", "1"),
        ]
        assert [(row[0][0], row[1][0]) for row in _table(crews, "table-backlog-0")] == [
            ("Collection crews", "3"),
            ("all", "3"),
        ]
        all_row = _table(crews, "table-backlog-0")[-1]
        assert _counted(client, all_row[1][1]) == 3
        assert f"team={world.crews.pk}" in str(all_row[1][1])
        assert [(row[0][0], row[1][0]) for row in _table(town, "table-backlog-0")] == [("all", "0")]
        # The trend: the team's cases at each month end.
        assert _table(north, "table-backlog-1")[-1][1][0] == "1"
        # The page's CSV holds the same figures; a team not the organisation's is refused.
        link = re.search(r'href="([^"]*format=csv)"', north)
        assert link is not None
        csv_rows = client.get(unescape(link[1])).content.decode().splitlines()
        assert [line.split(",")[:2] for line in csv_rows[1:]] == [
            ["North crews", "1"],
            ["all", "1"],
        ]
        refused = client.get(
            reverse("performance:download", args=["backlog"]),
            {"from": "2026-03-01", "to": "2026-03-31", "format": "csv", "team": "999999"},
        )
        assert refused.status_code == 400
        assert b"There is no such team." in refused.content
    assert _lines(crews, "applied") == [
        "Service and team narrow this report. The files to download hold the same figures."
    ]
    assert _lines(crews, "not-applied") == [
        "The channel filter does not narrow this report: it counts cases, and a case has no "
        "channel of its own."
    ]


def test_telephony_says_which_filters_do_not_narrow_it(world: World, client_for: Clients) -> None:
    client = client_for(world.head)
    html = client.get(
        reverse("performance:report", args=["telephony"]),
        {**MARCH, "team": str(world.crews.pk), "channel": "email"},
    ).content.decode()
    assert _lines(html, "applied") == [
        "Service narrows this report. The files to download hold the same figures."
    ]
    assert _lines(html, "not-applied") == [
        "The team filter does not narrow this report: it counts calls by queue; each team's "
        "calls are in the compliance report's per-team figures (the team recorded on each call).",
        "The channel filter does not narrow this report: every call is a telephone call.",
    ]


def _offered(html: str) -> list[str]:
    """The names of the filter form's fields, in the page's order."""
    form = html.split('data-testid="dashboard-filters"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'<(?:select|input)[^>]* name="([a-z_]+)"', form)


@pytest.mark.parametrize(
    ("code", "filters"),
    [
        ("telephony", ["service"]),
        ("volumes", ["service", "channel", "access_point"]),
        ("backlog", ["service", "team"]),
        ("standards-compliance", ["service", "team", "channel", "access_point"]),
    ],
)
def test_a_report_page_offers_only_the_filters_that_narrow_it(
    world: World, client_for: Clients, code: str, filters: list[str]
) -> None:
    html = client_for(world.head).get(reverse("performance:report", args=[code]), MARCH)
    offered = [name for name in _offered(html.content.decode()) if name not in PERIOD_FIELDS]
    assert offered == filters


def test_the_dashboard_offers_all_four_filters(world: World, client_for: Clients) -> None:
    html = client_for(world.head).get(reverse("performance:dashboard"), MARCH).content.decode()
    offered = [name for name in _offered(html) if name not in PERIOD_FIELDS]
    assert offered == ["service", "team", "channel", "access_point"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("performance:dashboard"),
        *(reverse("performance:report", args=[code]) for code in ("volumes", "telephony")),
    ],
)
def test_every_filter_has_a_label_of_its_own(world: World, client_for: Clients, url: str) -> None:
    """Two boxes both labelled "Year" (which kind of year, and the year itself) left a screen
    reader's user, and everyone else, to guess which was which (WCAG 2.4.6)."""
    html = client_for(world.head).get(url, MARCH).content.decode()
    form = html.split('data-testid="dashboard-filters"', 1)[1].split("</form>", 1)[0]
    labels = [
        " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split())
        for text in re.findall(r"<label[^>]*>(.*?)</label>", form, re.S)
    ]

    assert "Type of year" in labels
    assert len(labels) == len(set(labels)) >= len(PERIOD_FIELDS)


# --- the command ---------------------------------------------------------------------------------
def _command(*arguments: str) -> list[str]:
    out = io.StringIO()
    call_command("report", *arguments, "--format", "csv", stdout=out)
    return out.getvalue().splitlines()


def test_the_command_narrows_volumes_by_channel_and_access_point(
    april: April,  # noqa: F811 - the fixture imported above
) -> None:
    period = ("--from", "2026-04-01", "--to", "2026-04-30", "--organisation", "test-council")
    assert _command("volumes", *period, "--channel", "face-to-face")[1] == (
        "organisation,test-council,Test District Council,2,2,1,0.5000,1,2,2,1.0000"
    )
    assert (
        _command(
            "volumes", *period, "--service", april.a.slug, "--access-point", str(april.office.pk)
        )[1]
        == "organisation,test-council,Test District Council,1,1,0,0.0000,0,1,1,1.0000"
    )
    with pytest.raises(CommandError, match=r"volumes is not narrowed by --team \(it takes "):
        _command("volumes", *period, "--team", "1")
    with pytest.raises(CommandError, match="has no access point '999999'"):
        _command("volumes", *period, "--access-point", "999999")
    with pytest.raises(CommandError, match="there is no channel 'pigeon'"):
        _command("volumes", *period, "--channel", "pigeon")


def test_the_command_narrows_the_backlog_by_team(world: World) -> None:
    story = standards_story.tell(world)
    _move_to_north(world, story.cases["D"])
    period = ("--from", "2026-03-01", "--to", "2026-03-31", "--organisation", "test-council")
    with time_machine.travel(NOW, tick=False):
        rows = _command("backlog", *period, "--team", str(world.north_crews.pk))
        everyone = _command("backlog", *period)
        with pytest.raises(CommandError, match="backlog is not narrowed by --channel"):
            _command("backlog", *period, "--channel", "email")
    assert [line.split(",")[:2] for line in rows[1:]] == [["North crews", "1"], ["all", "1"]]
    assert [line.split(",")[:2] for line in everyone[1:]] == [
        ["Collection crews", "3"],
        ["North crews", "1"],
        ["all", "4"],
    ]

"""The manager's dashboard as a summary and each report on its own page: headline figures with
their trend (the period before, the same period last year), one chart and table per measure,
rates as percentages, every filter narrowing every measure it applies to (and the page saying
which it does not), every figure linking to as many records."""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable
from html import unescape

import time_machine
from django.test import Client
from django.urls import reverse

from onestop.contacts.models import Contact
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.performance import demo as performance_demo
from onestop.performance.services import standards as performance_services
from tests import factories as core_factories
from tests.cases.conftest import World
from tests.matrix import covers
from tests.performance import standards_story
from tests.performance.standards_story import NOW
from tests.performance.test_volumes import April, april  # noqa: F401 - the fixture

Clients = Callable[[User], Client]
MARCH = {"kind": "month", "month": "3", "year": "2026"}
APRIL_QUERY = {"kind": "month", "month": "4", "year": "2026"}
HIDDEN = r'<span class="govuk-visually-hidden">.*?</span>'


def _headlines(html: str, table: str = "headlines") -> dict[str, list[tuple[str, str | None]]]:
    """A headline table: by label, each period's figure and its link (then the change)."""
    body = html.split(f'data-testid="{table}"', 1)[1].split("</table>", 1)[0]
    found: dict[str, list[tuple[str, str | None]]] = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\" data-measure=.*?</tr>", body, re.S):
        label = unescape(re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)[1])  # type: ignore[index]
        cells: list[tuple[str, str | None]] = []
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S):
            link = re.search(r'href="([^"]*)">(.*?)</a>', cell, re.S)
            if link:
                cells.append((unescape(link[2]), unescape(link[1])))
            else:
                cells.append((unescape(cell), None))
        found[label] = cells
    return found


def _figures(html: str, label: str, table: str = "headlines") -> list[str]:
    return [text for text, _url in _headlines(html, table)[label]]


def _counted(client: Client, url: str | None) -> int:
    assert url is not None
    page = client.get(url)
    assert page.status_code == 200, url
    return int(re.search(r'data-counted="(\d+)"', page.content.decode())[1])  # type: ignore[index]


def test_the_dashboard_is_a_summary_with_a_chart_and_table_per_measure(
    world: World, client_for: Clients
) -> None:
    standards_story.tell(world)
    client = client_for(world.head)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("performance:dashboard"), MARCH).content.decode()
    for measure in ("compliance", "contacts", "backlog", "telephony"):
        assert f'data-testid="measure-{measure}"' in html
    # Compliance as a percentage to one place, never a decimal share.
    # March: answer-letters met 2 of 4 decided; C's clock is overdue.
    assert _figures(html, "answer-letters", "trend") == ["50.0%", "", "", "1", ""]
    assert "0.5000" not in html
    assert '<td class="govuk-table__cell">50.0%</td>' in html
    # The reports' full tables are on their own pages, not here.
    assert 'data-testid="table-standards-compliance-0"' not in html
    assert "/performance/report/standards-compliance/?kind=month" in html
    # The backlog with its trend: C, D, E and F open at the end of 31 March, none in February.
    assert _figures(html, "Open cases at the end of the period") == ["4", "0", "0", "+4"]
    # Only C's answer (its primary clock) was overdue then; D's is due 10 April, F's paused.
    assert _figures(html, "Open cases overdue at the end of the period") == ["1", "0", "0", "+1"]
    with time_machine.travel(NOW, tick=False):
        for label, expected in (
            ("Open cases at the end of the period", 4),
            ("Open cases overdue at the end of the period", 1),
        ):
            assert _counted(client, _headlines(html)[label][0][1]) == expected
        assert _counted(client, _headlines(html, "trend")["answer-letters"][3][1]) == 1
    # One audit record per report whose figures were shown.
    shown = AuditRecord.objects.for_organisation(world.organisation).filter(action="viewed")
    assert sorted(shown.values_list("object_id", flat=True)) == [
        "backlog",
        "standards-compliance",
        "telephony",
        "volumes",
    ]


def test_the_team_filter_narrows_the_backlog_and_says_what_it_does_not_narrow(
    world: World, client_for: Clients
) -> None:
    standards_story.tell(world)
    client = client_for(world.head)
    with time_machine.travel(NOW, tick=False):
        html = client.get(
            reverse("performance:dashboard"), {**MARCH, "team": str(world.north_crews.pk)}
        ).content.decode()
    # The story's cases are all with the collection crews: none with the north crews.
    assert _figures(html, "Open cases at the end of the period") == ["0", "0", "0", "0"]
    lines = re.findall(r'data-testid="not-applied">(.*?)</p>', html)
    assert [unescape(line) for line in lines] == [
        "The team filter does not narrow contacts and first-contact resolution.",
        "The team filter does not narrow telephone calls.",
    ]


def test_channel_and_access_point_narrow_the_contacts_and_their_trend(
    april: April,  # noqa: F811 - the fixture imported above
    client_for: Clients,
) -> None:
    manager = core_factories.staff(april.organisation, RoleCode.MANAGER, username="manager")
    client = client_for(manager)
    url = reverse("performance:dashboard")
    everything = client.get(url, APRIL_QUERY).content.decode()
    # c1 to c5 in April; x2 on 31 March (UK time) in the period before.
    assert _figures(everything, "Contacts") == ["5", "1", "0", "+4"]
    assert _figures(everything, "First-contact resolution") == [
        "50.0%",
        "100.0%",
        "",
        "-50.0 points",
    ]
    assert _figures(everything, "Repeat contacts (chasing progress)") == ["2", "0", "0", "+2"]
    phone = client.get(url, {**APRIL_QUERY, "channel": "telephone"}).content.decode()
    assert _figures(phone, "Contacts") == ["2", "1", "0", "+1"]
    assert _figures(phone, "First-contact resolution") == ["100.0%", "100.0%", "", "0.0 points"]
    lines = [unescape(line) for line in re.findall(r'data-testid="not-applied">(.*?)</p>', phone)]
    assert lines == [
        "The channel filter does not narrow the backlog of open cases.",
        "The channel filter does not narrow telephone calls.",
    ]
    for label in ("Contacts", "Contacts from customers (inbound)", "Resolved at first contact"):
        expected = _figures(phone, label)[0]
        assert _counted(client, _headlines(phone)[label][0][1]) == int(expected), label
    office = client.get(
        url, {**APRIL_QUERY, "access_point": str(april.office.pk), "service": april.a.slug}
    ).content.decode()
    assert _figures(office, "Contacts") == ["1", "0", "0", "+1"]
    assert _counted(client, _headlines(office)["Contacts"][0][1]) == 1


def test_avoidable_contact_on_the_dashboard_with_its_records(
    april: April,  # noqa: F811 - the fixture imported above
    client_for: Clients,
) -> None:
    """April: c1 not avoidable, c2 unclear, c3 and c4 chasing progress, c5 not assessed; x2
    (31 March, UK time) asked again, in the period before."""
    manager = core_factories.staff(april.organisation, RoleCode.MANAGER, username="manager")
    client = client_for(manager)
    url = reverse("performance:dashboard")
    html = client.get(url, APRIL_QUERY).content.decode()
    assert _figures(html, "Contacts assessed for avoidable contact") == ["4", "1", "0", "+3"]
    assert _figures(html, "Avoidable contacts") == ["3", "1", "0", "+2"]
    assert _figures(html, "Avoidable contact (share of contacts assessed)") == [
        "75.0%",
        "100.0%",
        "",
        "-25.0 points",
    ]
    for label, expected in (
        ("Avoidable contacts", 3),
        ("Contacts assessed for avoidable contact", 4),
    ):
        assert _counted(client, _headlines(html)[label][0][1]) == expected
        assert _counted(client, _headlines(html)[label][1][1]) == 1
    kinds = html.split('data-testid="table-dashboard-avoidable"', 1)[1].split("</table>", 1)[0]
    cells = [
        unescape(re.sub(r"<[^>]+>", "", re.sub(HIDDEN, "", cell)))  # a link's hidden context
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", kinds, re.S)
    ]
    assert [tuple(cells[index : index + 3]) for index in range(0, len(cells), 3)] == [
        ("Chasing progress on something already asked for", "2", "50.0%"),
        ("Asking again: the earlier contact did not settle it", "0", "0.0%"),
        ("Something we did not do, or did not do right", "0", "0.0%"),
        ("Our letter, bill, form or web page was not clear", "1", "25.0%"),
        ("Wrong place or channel: sent the wrong way", "0", "0.0%"),
        ("Not avoidable: the customer needed to contact us", "1", "25.0%"),
        ("Not assessed", "1", ""),
    ]
    links = [unescape(link) for link in re.findall(r'href="([^"]*)"', kinds)]
    assert len(links) == 7
    for link, expected in zip(links, (2, 0, 0, 1, 0, 1, 1), strict=True):
        if expected:
            assert _counted(client, link) == expected
        else:
            assert "The figure counts 0 records" in client.get(link).content.decode()
    # Narrowed to face to face: c2 and c3, both avoidable.
    face = client.get(url, {**APRIL_QUERY, "channel": "face-to-face"}).content.decode()
    assert _figures(face, "Avoidable contacts") == ["2", "0", "0", "+2"]
    assert _figures(face, "Avoidable contact (share of contacts assessed)")[0] == "100.0%"
    assert _counted(client, _headlines(face)["Avoidable contacts"][0][1]) == 2


@covers("performance:report")
def test_each_report_has_its_own_page(
    world: World, client_for: Clients, partner_advisor: User, auditor: User
) -> None:
    standards_story.tell(world)
    url = reverse("performance:report", args=["standards-compliance"])
    assert Client().get(url).status_code == 302
    assert client_for(world.officer).get(url, MARCH).status_code == 403
    assert client_for(partner_advisor).get(url, MARCH).status_code == 403
    assert (
        client_for(world.head)
        .get(reverse("performance:report", args=["no-such-report"]), MARCH)
        .status_code
        == 404
    )
    with time_machine.travel(NOW, tick=False):
        page = client_for(auditor).get(url, {**MARCH, "team": str(world.crews.pk)})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="table-standards-compliance-0"' in html
    assert "figure=overdue" in html
    assert "50.0%" in html
    assert "0.5000" not in html
    assert 'data-testid="not-applied"' not in html
    assert "/performance/reports/standards-compliance/download/?from=2026-03-01" in html
    with time_machine.travel(NOW, tick=False):
        volumes = client_for(world.head).get(
            reverse("performance:report", args=["volumes"]), {**MARCH, "team": str(world.crews.pk)}
        )
    assert "The team filter does not narrow this report: a contact belongs to no team." in (
        unescape(volumes.content.decode())
    )
    bad = client_for(world.head).get(url, {**MARCH, "month": "13"})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.content.decode()


def test_the_partners_dashboard_holds_only_their_figures(
    world: World, partner: Organisation, client_for: Clients
) -> None:
    standards_story.tell(world, partner)
    leader = User.objects.get(username="partner.leader")
    with time_machine.travel(NOW, tick=False):
        html = client_for(leader).get(reverse("performance:dashboard"), MARCH).content.decode()
    # Their one case P, open since 2 March; none of the council's four.
    assert _figures(html, "Open cases at the end of the period") == ["1", "0", "0", "+1"]


def _table(html: str, testid: str) -> tuple[str, list[str], list[list[tuple[str, str | None]]]]:
    """A page's table by its test id: its caption, its column headers and its rows (each cell's
    text and link)."""
    body = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    caption = unescape(re.search(r"<caption[^>]*>(.*?)</caption>", body, re.S)[1])  # type: ignore[index]
    headers = [unescape(text) for text in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', body)]
    rows = []
    for row in re.findall(r"<tbody.*?</tbody>", body, re.S)[0].split("</tr>")[:-1]:
        cells: list[tuple[str, str | None]] = []
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S):
            link = re.search(r'href="([^"]*)"', cell)
            cell = re.sub(HIDDEN, "", cell)  # a link's hidden context
            text = unescape(re.sub(r"<[^>]+>", "", cell))
            cells.append((text, unescape(link[1]) if link else None))
        rows.append(cells)
    return caption, headers, rows


def test_comparator_authorities_sit_beside_the_councils_own_figures(
    april: April,  # noqa: F811 - the fixture imported above
    client_for: Clients,
) -> None:
    """The demo's comparator rows (Northampton 2011's volumes, MORI 1998's table) beside April's
    contacts from customers by channel: c1 by telephone, c2 and c3 face to face, c4 by e-mail
    (c5 is outbound); the partner's own comparator row is not shown."""
    performance_demo.load_demo(april.organisation)
    performance_services.add_comparator(
        april.partner,
        by=None,
        comparator="Partner's own",
        measure="calls",
        period_first=datetime.date(2020, 1, 1),
        period_last=datetime.date(2020, 12, 31),
        value=decimal.Decimal(5),
        unit="count",
        source="Partner",
    )
    manager = core_factories.staff(april.organisation, RoleCode.MANAGER, username="manager")
    client = client_for(manager)
    html = client.get(reverse("performance:dashboard"), APRIL_QUERY).content.decode()
    caption, headers, rows = _table(html, "table-dashboard-comparators-channels")
    assert caption == (
        "Contacts from customers by channel this period, beside other authorities' "
        "published figures"
    )
    assert headers == [
        "Channel",
        "This council, this period",
        "Authority",
        "Their figure",
        "Their period",
        "Source",
    ]
    source = performance_demo.NORTHAMPTON_SOURCE
    northampton = "Northampton Borough Council"
    assert [[text for text, _url in row] for row in rows] == [
        ["Telephone", "1", northampton, "359,218", "2011", source],
        ["Face to face", "2", northampton, "67,000", "2011", source],
        ["E-mail", "1", northampton, "21,567", "2011", source],
        ["Web form", "0", northampton, "5,377", "2011", source],
    ]
    # Each of the council's figures links to exactly the contacts it counts.
    for row, expected in zip(rows, (1, 2, 1, 0), strict=True):
        url = row[1][1]
        assert url is not None
        assert "measure=inbound" in url
        if expected:
            assert _counted(client, url) == expected
        else:
            assert "The figure counts 0 records" in client.get(url).content.decode()
    rows_then = rows
    caption, headers, rows = _table(html, "table-dashboard-comparators-other")
    assert caption == "Other authorities' published figures with no measure of this council's own"
    assert headers == ["Measure", "Authority", "Their figure", "Their period", "Source"]
    texts = [[text for text, _url in row] for row in rows]
    # 19 + 16 + 19 + 14 MORI rows and Northampton's website visits, by measure, highest first.
    assert len(texts) == 69
    ease = "Easy to contact the right person (MORI, % of residents)"
    assert texts[0] == ["Easy to contact the right person (MORI, % of residents)", "Gateshead",
                        "78%", "1998", performance_demo.MORI_SOURCE]  # fmt: skip
    assert [row[:3] for row in texts[:2]] == [[ease, "Gateshead", "78%"], [ease, "Kingston", "76%"]]
    helpful = [row[1:3] for row in texts if row[0] == "Staff were helpful (MORI, % of residents)"]
    assert helpful[:3] == [["Gateshead", "84%"], ["Birmingham", "80%"], ["Sunderland", "79%"]]
    assert helpful[-1] == ["Sandwell", "64%"]
    assert ["Visits to the website", northampton, "926,529", "2011", source] in texts
    assert "Partner's own" not in html
    # The volumes report's page shows the same table; narrowed to a channel, only its row.
    volumes = client.get(reverse("performance:report", args=["volumes"]), APRIL_QUERY)
    assert _table(volumes.content.decode(), "table-dashboard-comparators-channels")[2] == rows_then
    phone = client.get(reverse("performance:dashboard"), {**APRIL_QUERY, "channel": "telephone"})
    assert [
        [text for text, _url in row]
        for row in _table(phone.content.decode(), "table-dashboard-comparators-channels")[2]
    ] == [["Telephone", "1", northampton, "359,218", "2011", source]]
    # The same month for a council with no comparator figures says so.
    partner_manager = core_factories.staff(april.partner, RoleCode.MANAGER, username="pm")
    partner_html = (
        client_for(partner_manager).get(reverse("performance:dashboard"), APRIL_QUERY)
    ).content.decode()
    assert 'data-testid="table-dashboard-comparators-other"' not in partner_html
    assert "Partner&#x27;s own" in partner_html


def _contact_at(organisation: Organisation, when: str, **fields: str) -> None:
    Contact(
        organisation=organisation,
        received_at=datetime.datetime.fromisoformat(when).replace(tzinfo=datetime.UTC),
        **fields,
    ).save()


CONTACT_LABELS = (
    "Contacts",
    "Contacts from customers (inbound)",
    "Resolved at first contact",
    "First-contact resolution",
)


def test_the_trend_against_the_period_before_and_the_same_period_last_year(
    council: Organisation, partner: Organisation, client_for: Clients
) -> None:
    """Contacts (times in UTC; UK time is an hour ahead from 29 March 2026, 30 March 2025 and
    28 March 2027) in the months, quarters and financial years around April 2026, each period's
    figures and the change on the period before exact."""
    resolved = {"outcome": "resolved"}
    for when, fields in (
        # April 2026: A (00:30 on 1 April, UK time), B, C and D (outbound).
        ("2026-03-31T23:30", resolved),
        ("2026-04-10T10:00", resolved),
        ("2026-04-20T10:00", {"outcome": "request-raised"}),
        ("2026-04-21T10:00", {"direction": "out"}),
        # March 2026: E, F (23:59 on 31 March, UK time); January 2026: M.
        ("2026-03-05T10:00", resolved),
        ("2026-03-31T22:59", resolved),
        ("2026-01-15T10:00", {}),
        # April 2025: G to K (K at 23:59 on 30 April, UK time); R at 00:00 on 1 May, UK time.
        ("2025-04-02T10:00", resolved),
        ("2025-04-03T10:00", {}),
        ("2025-04-04T10:00", {}),
        ("2025-04-05T10:00", {}),
        ("2025-04-30T22:59", {}),
        ("2025-04-30T23:00", resolved),
        # June 2026 (L), June 2025 (N), February 2027 (O); P at 00:30 on 1 April 2027, UK time.
        ("2026-06-15T10:00", resolved),
        ("2025-06-15T10:00", resolved),
        ("2027-02-10T10:00", resolved),
        ("2027-03-31T23:30", resolved),
    ):
        _contact_at(council, when, **fields)
    _contact_at(partner, "2026-04-10T10:00", **resolved)  # another organisation's
    manager = core_factories.staff(council, RoleCode.MANAGER, username="manager")
    client = client_for(manager)
    url = reverse("performance:dashboard")

    def shown(query: dict[str, str]) -> tuple[str, str, dict[str, list[str]]]:
        html = client.get(url, query).content.decode()
        period = unescape(re.search(r'data-testid="period">(.*?)</p>', html)[1])  # type: ignore[index]
        caption = unescape(re.search(r'id="headlines-caption">(.*?)</caption>', html)[1])  # type: ignore[index]
        return period, caption, {label: _figures(html, label) for label in CONTACT_LABELS}

    # The month: April 2026 (A-D), March 2026 (E, F), April 2025 (G-K).
    period, caption, figures = shown(APRIL_QUERY)
    assert period == "From 1 April 2026 to 30 April 2026, both included."
    assert caption == (
        "This period, the period before (1 March 2026 to 31 March 2026) and the same period "
        "last year (1 April 2025 to 30 April 2025)"
    )
    assert figures == {
        "Contacts": ["4", "2", "5", "+2"],
        "Contacts from customers (inbound)": ["3", "2", "5", "+1"],
        "Resolved at first contact": ["2", "2", "1", "0"],
        "First-contact resolution": ["66.7%", "100.0%", "20.0%", "-33.3 points"],
    }
    # The quarter holding April: April-June 2026 (A-D, L), January-March 2026 (E, F, M),
    # April-June 2025 (G-K, R, N).
    period, caption, figures = shown({"kind": "quarter", "month": "4", "year": "2026"})
    assert period == "From 1 April 2026 to 30 June 2026, both included."
    assert caption == (
        "This period, the period before (1 January 2026 to 31 March 2026) and the same period "
        "last year (1 April 2025 to 30 June 2025)"
    )
    assert figures == {
        "Contacts": ["5", "3", "7", "+2"],
        "Contacts from customers (inbound)": ["4", "3", "7", "+1"],
        "Resolved at first contact": ["3", "2", "3", "+1"],
        "First-contact resolution": ["75.0%", "66.7%", "42.9%", "+8.3 points"],
    }
    # The financial year holding April 2026: April 2026 to March 2027 (A-D, L, O; not P); the
    # year before is also the same period last year (G-K, R, N, E, F, M).
    period, caption, figures = shown(
        {"kind": "year", "year_kind": "financial", "month": "4", "year": "2026"}
    )
    assert period == "From 1 April 2026 to 31 March 2027, both included."
    assert caption == (
        "This period, the period before (1 April 2025 to 31 March 2026) and the same period "
        "last year (1 April 2025 to 31 March 2026)"
    )
    assert figures == {
        "Contacts": ["6", "10", "10", "-4"],
        "Contacts from customers (inbound)": ["5", "10", "10", "-5"],
        "Resolved at first contact": ["4", "5", "5", "-1"],
        "First-contact resolution": ["80.0%", "50.0%", "50.0%", "+30.0 points"],
    }
    # The same financial year asked for by a month in its last quarter (February 2027).
    assert shown({"kind": "year", "year_kind": "financial", "month": "2", "year": "2027"})[2] == (
        figures
    )
    # Each figure links to exactly its records, in its own period.
    html = client.get(url, {"kind": "year", "year_kind": "financial", "month": "4", "year": "2026"})
    table = _headlines(html.content.decode())
    for label in CONTACT_LABELS[:3]:
        for (text, link), _period in zip(table[label][:3], range(3), strict=True):
            assert _counted(client, link) == int(text), label

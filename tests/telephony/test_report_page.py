"""The telephone report's own page (``/performance/report/telephony/``), as the user trial read it:
every percentage rounded once, half up, from the exact counts (7 abandoned of 13 offered is
53.8%, not the 53.9% of the file's 0.5385 rounded again); no empty figure is a link, and each
figure's link names its queue (or day, hour) and its measure for those who cannot see the
table's headings."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from onestop.core import reporting
from onestop.core.models import Organisation, User
from onestop.core.templatetags.govuk import percent
from onestop.performance.views import dashboard
from onestop.telephony import services
from tests.telephony.conftest import CallWorld, csv_file, row
from tests.telephony.test_report import _standard

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db
DECEMBER = {"kind": "month", "year_kind": "calendar", "month": "12", "year": "2026"}


def _calls(queue: str, answered: int, abandoned: int, *, day: int) -> list[str]:
    """``answered`` calls answered after 10 s, then ``abandoned`` calls given up after 10 s."""
    rows = []
    start = datetime.datetime(2026, 12, day, 9, 0, tzinfo=datetime.UTC)
    for number in range(answered + abandoned):
        offered = start + datetime.timedelta(minutes=number)
        waited = offered + datetime.timedelta(seconds=10)
        ended = waited + datetime.timedelta(seconds=60)
        call_id = f"{queue}-{number}"
        if number < answered:
            times = (offered.isoformat(), waited.isoformat(), ended.isoformat(), "answered")
        else:
            times = (offered.isoformat(), "", waited.isoformat(), "abandoned")
        rows.append(row(call_id, queue, *times))
    return rows


def _trial(organisation: Organisation) -> None:
    """Trial Bins Line: 13 offered, 6 answered (all within 20 s), 7 abandoned.  Trial Rates
    Line: 16 offered, 15 answered within 20 s, 1 abandoned (6.25%: half up is 6.3%)."""
    _standard(organisation)
    rows = [
        *_calls("Trial Bins Line", 6, 7, day=1),
        *_calls("Trial Rates Line", 15, 1, day=2),
    ]
    run = services.import_calls(organisation, csv_file(*rows), by=None, file_name="calls.csv")
    assert run.refused == 0


@dataclass
class Cell:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text inside)


class _Tables(HTMLParser):
    """Each ``<table data-testid="table-...">``'s body rows: every cell's text and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[Cell]]] = {}
        self.anchors: list[tuple[str, str]] = []  # every <a> of the page: (href, its text)
        self._table: str | None = None
        self._in_body = False
        self._cell: Cell | None = None
        self._anchor: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        testid = found.get("data-testid") or ""
        if tag == "table" and testid.startswith("table-"):
            self._table = testid.removeprefix("table-")
            self.tables[self._table] = []
        elif tag == "tbody" and self._table is not None:
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table is not None:
            self.tables[self._table].append([])
        elif tag == "td" and self._in_body and self._table is not None:
            self._cell = Cell()
            self.tables[self._table][-1].append(self._cell)
        elif tag == "a":
            self._anchor = []
            self._href = found.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
            self._in_body = False
        elif tag == "td":
            self._cell = None
        elif tag == "a" and self._anchor is not None:
            text = " ".join("".join(self._anchor).split())
            self.anchors.append((self._href, text))
            if self._cell is not None:
                self._cell.links.append((self._href, text))
            self._anchor = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.text += data
        if self._anchor is not None:
            self._anchor.append(data)


def _page(client: Client, code: str = "telephony") -> _Tables:
    response = client.get(reverse("performance:report", args=[code]), DECEMBER)
    assert response.status_code == 200
    parsed = _Tables()
    parsed.feed(response.content.decode())
    return parsed


def _shown(cell: Cell) -> str:
    """What a sighted reader sees: the figure, without the visually hidden context."""
    return cell.text.split("\n")[0].strip() if cell.text else ""


def test_rates_on_the_page_are_rounded_once_from_the_exact_counts(
    call_world: CallWorld, team_leader: User, client_for: ClientFor
) -> None:
    _trial(call_world.organisation)
    page = _page(client_for(team_leader))
    queues = {
        line[0].text.strip(): [_figure(cell) for cell in line]
        for line in page.tables["telephony-0"]
    }
    # queue, offered, answered, abandoned, within, service level, abandonment rate, ASA, longest
    assert queues["Trial Bins Line"][1:] == ["13", "6", "7", "6", "46.2%", "53.8%", "10.0", "10.0"]
    assert queues["Trial Rates Line"][1:] == [
        "16",
        "15",
        "1",
        "15",
        "93.8%",
        "6.3%",
        "10.0",
        "10.0",
    ]
    assert queues["all"][1:] == ["29", "21", "8", "21", "72.4%", "27.6%", "10.0", "10.0"]


def _figure(cell: Cell) -> str:
    """A cell's figure: a link's visible text (its hidden context removed) or the cell's text."""
    if not cell.links:
        return cell.text.strip()
    return cell.links[0][1].split(", ", 1)[0]


def _share(part: int, whole: int) -> reporting.Share:
    found = reporting.share(part, whole)
    assert found is not None
    return found


def test_a_share_keeps_its_exact_counts_and_every_page_rounds_from_them() -> None:
    share = reporting.share(7, 13)
    assert share == Decimal("0.5385")  # the files' decimal is unchanged
    assert str(share) == "0.5385"
    assert percent(share) == "53.8%"
    assert percent(Decimal("0.5385")) == "53.9%"  # a bare decimal is all a page can round
    assert percent(reporting.share(1, 16)) == "6.3%"  # 6.25: half up
    assert percent(reporting.share(1, 2000)) == "0.1%"  # 0.05: half up, from 0.0005
    assert reporting.share(1, 32) == Decimal("0.0313")
    # Every report page's cells: rate columns and columns already in per cent ("(%)").
    assert dashboard.display(reporting.share(7, 13), "compliance") == "53.8%"
    assert dashboard.display(reporting.share(7, 13), "first_contact_resolution") == "53.8%"
    assert dashboard.display(_share(7, 13).scaled(100), "Compliance (%)") == "53.8%"
    assert dashboard.display(_share(1, 16).scaled(100), "Compliance (%)") == "6.3%"
    assert _share(7, 13).scaled(100) == Decimal("53.85")
    # The change against the period before, in points, from the exact shares.
    assert dashboard._change(reporting.share(7, 13), reporting.share(0, 1), rate=True) == (
        "+53.8 points"
    )


def test_no_empty_figure_is_a_link_and_each_link_names_its_row_and_measure(
    call_world: CallWorld, team_leader: User, client_for: ClientFor
) -> None:
    _trial(call_world.organisation)
    client = client_for(team_leader)
    page = _page(client)
    assert page.anchors
    assert [anchor for anchor in page.anchors if not anchor[1]] == []  # no empty link at all
    queues = {line[0].text.strip(): line for line in page.tables["telephony-0"]}
    bins = queues["Trial Bins Line"]
    assert bins[1].links[0][1] == "13, Offered, Trial Bins Line"
    assert bins[3].links[0][1] == "7, Abandoned, Trial Bins Line"
    assert bins[6].links[0][1] == "53.8%, Abandonment rate, Trial Bins Line"
    assert bins[8].links[0][1] == "10.0, Longest wait seconds, Trial Bins Line"
    assert queues["all"][1].links[0][1] == "29, Offered, all"
    for line in page.tables["telephony-0"]:
        name = line[0].text.strip()
        for cell in line[1:]:
            assert len(cell.links) == 1
            assert cell.links[0][1].endswith(f", {name}")
    # A day with no calls: its counts (0) link to an empty list, its rates are empty and no link.
    third = next(line for line in page.tables["telephony-1"] if line[0].text == "2026-12-03")
    assert third[1].links[0][1] == "0, Offered, 2026-12-03"
    assert [(cell.text, cell.links) for cell in third[5:]] == [("", [])] * 4
    hour = next(line for line in page.tables["telephony-2"] if line[0].text == "09:00")
    assert hour[1].links[0][1] == "29, Offered, 09:00"
    # The other reports' pages use the same table: no empty link there either.
    for code in ("standards-compliance", "volumes", "backlog"):
        other = _page(client, code)
        assert [anchor for anchor in other.anchors if not anchor[1]] == [], code

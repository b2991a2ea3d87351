"""Every chart on the dashboard and on every report's page is accessible and has its data table
beside it (issue 17: "each measure as an accessible SVG chart with its data table"): a walker
over the registered reports, so a report added later is checked too."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from django.test import Client
from django.urls import reverse

from onestop.core import reporting
from onestop.core.models import RoleCode, User
from tests import factories as core_factories
from tests.performance.test_volumes import April, april  # noqa: F401 - the fixture

APRIL_QUERY = {"kind": "month", "month": "4", "year": "2026"}
SVG = re.compile(r"<svg\b([^>]*)>(.*?)</svg>", re.S)


def _charts(html: str, page: str) -> list[str]:
    """Check every chart of a page; the ids of its charts.  An ``<svg>`` that is not hidden from
    assistive technology (the key's colour squares are) must be a chart: ``role="img"``, labelled
    by its ``<title>`` (not empty) and its description, inside a figure that the chart's own data
    table follows at once, captioned as the chart is titled."""
    found = []
    for match in SVG.finditer(html):
        attributes, body = match[1], match[2]
        if 'aria-hidden="true"' in attributes:
            continue
        assert 'role="img"' in attributes, page
        chart = re.search(r'aria-labelledby="chart-title-(\S+) chart-desc-\1"', attributes)
        assert chart is not None, (page, attributes)
        name = chart[1]
        title = re.search(rf'<title id="chart-title-{re.escape(name)}">(.*?)</title>', body, re.S)
        assert title is not None, (page, name)
        assert title[1].strip(), (page, name)
        assert f'<desc id="chart-desc-{name}">' in body, (page, name)
        after = html[match.end() :]
        figure_end = after.index("</figure>") + len("</figure>")
        assert "<svg" not in after[: after.index("</figure>")].replace(
            '<svg width="12" height="12" aria-hidden="true"', ""
        ), (page, name)
        table = after[figure_end:].lstrip()
        assert table.startswith('<div class="onestop-table-wrapper"'), (page, name)
        assert table.index(f'data-testid="table-{name}"') < table.index("</table>"), (page, name)
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
        assert caption is not None, (page, name)
        assert unescape(caption[1]) == unescape(title[1]), (page, name)
        assert "<tbody" in table[: table.index("</table>")], (page, name)
        found.append(name)
    return found


def test_every_chart_has_a_title_and_its_data_table_beside_it(
    april: April,  # noqa: F811 - the fixture imported above
    client_for: Callable[[User], Client],
) -> None:
    manager = core_factories.staff(april.organisation, RoleCode.MANAGER, username="manager")
    client = client_for(manager)
    dashboard = client.get(reverse("performance:dashboard"), APRIL_QUERY)
    assert dashboard.status_code == 200
    charted = {"dashboard": _charts(dashboard.content.decode(), "dashboard")}
    pages = {}
    for code in reporting.registered_reports():
        page = client.get(reverse("performance:report", args=[code]), APRIL_QUERY)
        assert page.status_code == 200, code
        pages[code] = page.content.decode()
        charted[code] = _charts(pages[code], code)
    # A table with no rows has no chart: this council has no telephone queue, so the dashboard's
    # calls by queue is a table saying so.
    assert charted["dashboard"] == [
        "dashboard-compliance",
        "dashboard-contacts",
        "dashboard-avoidable",
        "dashboard-backlog",
    ]
    # The measures that had no chart: visitors' waits, calls by queue and by half hour, and the
    # complaint reports' volumes, stages, outcomes and timeliness.
    assert charted["volumes"] == [f"volumes-{index}" for index in range(1, 8)]
    assert '<title id="chart-title-volumes-7">Visitors: wait to be seen</title>' in pages["volumes"]
    assert (
        '<title id="chart-title-telephony-3">Calls by half hour of the day (all queues)'
        in (pages["telephony"])
    )
    assert (
        '<title id="chart-title-complaints-monthly-2">Complaints by stage and timeliness'
        in (pages["complaints-monthly"])
    )
    assert charted["telephony"] == [
        "telephony-0",
        "telephony-1",
        "telephony-2",
        "telephony-3",
    ]
    assert charted["complaints-monthly"] == [
        "complaints-monthly-0",
        "complaints-monthly-1",
        "complaints-monthly-2",
        "complaints-monthly-3",
    ]
    assert charted["feedback-quarterly"] == ["feedback-quarterly-0"]
    assert charted["complaints-annual"] == ["complaints-annual-0", "complaints-annual-1"]
    assert charted["backlog"] == ["backlog-1"]
    assert charted["standards-compliance"] == ["standards-compliance-2"]
    assert charted["quarterly-return"] == []  # no return started: a table with no rows

"""The queue page's table: each row's texts worked out once in the view (``queue_lines``) print
exactly what the row's template used to work out itself, and the page reads its teams once."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from onestop.cases import queries
from onestop.cases.models import Status
from onestop.cases.views import queue_lines, queue_table_rows
from onestop.core.models import User
from tests.cases import factories
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
UTC = datetime.UTC

# The row as queues.html wrote it before its texts were worked out in the view (with the
# deadline in GOV.UK style, as the date filters write it since): the oracle.
ROW_TEMPLATE = """{% load i18n govuk %}{% for row in rows %}<a href="{% url 'cases:case' row.reference %}">{{ row.reference }}</a><br>{{ row.title }}|{{ row.type_name }}|{{ row.status_label }}|{% if row.assignee_name %}{{ row.assignee_name }}{% else %}{% translate "Unassigned" %}{% endif %}|{% if row.due_at %}{{ row.due_at|govuk_datetime }}{% else %}{% translate "No deadline" %}{% endif %} {% include "cases/_badge.html" with case=row overdue=row.overdue at_risk=row.at_risk %}
{% endfor %}"""  # noqa: E501
LINE_TEMPLATE = """{% for line in lines %}<a href="{{ line.href }}">{{ line.reference }}</a><br>{{ line.title }}|{{ line.type_name }}|{{ line.status }}|{{ line.assignee }}|{{ line.due }} {{ line.badges }}
{% endfor %}"""  # noqa: E501


def _row(number: int, **changes: object) -> queries.QueueRow:
    values: dict[str, object] = {
        "pk": number,
        "reference": f"SR-26-{number:05d}",
        "title": 'Bin <not> emptied & "left"',
        "status": Status.IN_PROGRESS,
        "status_label": dict(Status.choices)[Status.IN_PROGRESS],
        "type_name": "Missed <bin>",
        "assignee_name": "Olive O'Officer",
        "due_at": datetime.datetime(2026, 3, 16, 23, 59, 59, tzinfo=UTC),
        "is_clock_paused": False,
        "overdue": False,
        "at_risk": False,
    }
    values.update(changes)
    return queries.QueueRow(**values)  # type: ignore[arg-type]


ROWS = [
    _row(1),
    _row(2, overdue=True),
    _row(3, at_risk=True, is_clock_paused=True),
    _row(4, overdue=True, is_clock_paused=True),
    _row(5, is_clock_paused=True, assignee_name=""),
    _row(6, due_at=None, status=Status.NEW, status_label=dict(Status.choices)[Status.NEW]),
    # Either side of the clocks going forward and back, and just before midnight UTC in summer
    # (the next day in London): the local day, hour and translated month of each.
    _row(7, due_at=datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)),
    _row(8, due_at=datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    _row(9, due_at=datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    _row(10, due_at=datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    _row(11, due_at=datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC), at_risk=True),
    _row(12, due_at=datetime.datetime(2026, 6, 30, 22, 30, tzinfo=UTC), at_risk=True),
    _row(13, status=Status.WAITING_FOR_CUSTOMER, status_label=dict(Status.choices)[
        Status.WAITING_FOR_CUSTOMER], due_at=datetime.datetime(2026, 12, 1, 9, 5, tzinfo=UTC)),
]  # fmt: skip


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("zone", ["Europe/London", "UTC", "America/New_York"])
def test_the_lines_print_what_the_rows_template_printed(language: str, zone: str) -> None:
    engine = engines["django"]
    with translation.override(language), timezone.override(zone):
        before = engine.from_string(ROW_TEMPLATE).render({"rows": ROWS})
        after = engine.from_string(LINE_TEMPLATE).render({"lines": queue_lines(ROWS)})
    assert after == before
    assert before.count("<a href=") == len(ROWS)


# The table's body as queues.html wrote it with a loop over the lines: the oracle of
# ``queue_table_rows``.
TABLE_TEMPLATE = """{% for line in lines %}
        <tr class="govuk-table__row">
          <td class="govuk-table__cell"><a class="govuk-link" href="{{ line.href }}">{{ line.reference }}</a><br>{{ line.title }}</td>
          <td class="govuk-table__cell">{{ line.type_name }}</td>
          <td class="govuk-table__cell">{{ line.status }}</td>
          <td class="govuk-table__cell">{{ line.assignee }}</td>
          <td class="govuk-table__cell">{{ line.due }} {{ line.badges }}</td>
        </tr>
        {% endfor %}"""  # noqa: E501

HOSTILE_ROWS = [
    _row(20, title="<script>alert(1)</script> & 'quoted' \"double\"", type_name="Type & <b>"),
    _row(21, reference="SR-26-<'&\">", assignee_name="A <b>bold</b> & 'name'"),
    _row(22, title="Cymraeg: \u0175\u0177 \U0001f600 {braces} {0} %s", assignee_name="{title}"),
]


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_the_table_rows_are_what_the_templates_loop_printed(language: str, zone: str) -> None:
    engine = engines["django"]
    with translation.override(language), timezone.override(zone):
        lines = queue_lines([*ROWS, *HOSTILE_ROWS])
        before = engine.from_string(TABLE_TEMPLATE).render({"lines": lines})
        after = queue_table_rows(lines)
    assert after == before
    assert "<script>" not in after
    assert after.count("<tr ") == len(ROWS) + len(HOSTILE_ROWS)


def test_no_lines_no_table_rows() -> None:
    assert queue_table_rows([]) == ""


def test_no_rows_no_lines() -> None:
    assert queue_lines([]) == []


def test_the_queue_page_reads_its_teams_once(world: World, client_for: ClientFor) -> None:
    case = factories.raise_case(world.organisation)
    client = client_for(world.leader)
    client.get("/queues/")  # the session's first renewal and the compiled shape, out of the way
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/queues/?team={world.crews.pk}")
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    assert (page.context["team"].pk, page.context["team"].label) == (
        world.crews.pk,
        "Collection crews",
    )
    teams = [query for query in captured if 'FROM "directory_team"' in query["sql"]]
    assert len(teams) == 1
    for team in (world.north_crews, world.town_crews):
        assert f'<option value="{team.pk}">{team}</option>' in page.content.decode()
    assert f'<option value="{world.crews.pk}" selected>' in page.content.decode()


def test_the_filter_selects_show_every_choice_read_by_id_and_label(
    world: World, client_for: ClientFor
) -> None:
    world.officer.first_name, world.officer.last_name = "Olive", "O'Officer"
    world.officer.save()
    client = client_for(world.leader)
    client.get("/queues/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get(f"/queues/?team={world.crews.pk}").content.decode()
    for team in (world.crews, world.north_crews, world.information_team, world.members_team):
        assert f">{team.name}</option>" in html
    for case_type in (world.missed_bin, world.foi, world.councillor_enquiry):
        assert f'<option value="{case_type.pk}">{case_type.name}</option>' in html
    assert f'<option value="{world.officer.pk}">Olive O&#x27;Officer</option>' in html
    other = world.other_officer
    assert f'<option value="{other.pk}">{escape(other.display_name)}</option>' in html
    # Each select's one statement reads the id and what its label needs, nothing else.
    for table, columns in (
        ("directory_team", {"id", "name"}),
        ("cases_casetype", {"id", "name"}),
        ("core_user", {"id", "username", "first_name", "last_name"}),
    ):
        reads = [
            query["sql"]
            for query in captured
            if query["sql"].startswith(f'SELECT "{table}"."') and "ORDER BY" in query["sql"]
        ]
        assert len(reads) == 1, table
        selected = reads[0].split(" FROM ")[0]
        read = {
            part.split(" AS ")[0].split(".")[-1].strip('" ') for part in selected[7:].split(",")
        }
        assert read == columns

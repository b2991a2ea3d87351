"""Every standard in the compliance report, the dashboard's drill-down and the public page: the
cases' clocks of the standards story plus six call-backs promised on 2 March 2026 (five made in
time, one late; contacts register them in ``standards.measures``), with each source's definition
printed and the records behind a call-back figure listed, scoped to the organisation."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onestop.contacts import services as contact_services
from onestop.contacts.models import Callback
from onestop.core import reporting
from onestop.core.models import Organisation, User
from onestop.performance import reports_standards
from onestop.performance.queries import compliance
from onestop.standards import measures
from onestop.standards import services as standards_services
from onestop.standards.models import Channel
from tests.cases.conftest import World
from tests.performance import standards_story
from tests.performance.standards_story import NOW, at

Clients = Callable[[User], Client]
MARCH = reporting.month_of(datetime.date(2026, 3, 1))


def _callbacks(world: World, advisor: User) -> list[Callback]:
    standards_services.save_standard(
        world.organisation,
        by=None,
        code="call-back",
        title="Call back within 1 working day",
        applies_to=Channel.CALL_BACK,
        start_event="call-back-promised",
        stop_event="call-returned",
        amount=1,
        unit="working_days",
        target_percent=Decimal(100),
    )
    made: list[Callback] = []
    for index in range(6):
        with time_machine.travel(at(2, hour=9, minute=index), tick=False):
            contact = contact_services.log_contact(
                world.organisation,
                by=advisor,
                customer=None,
                values=contact_services.ContactInput(
                    service=world.waste,
                    outcome="callback-promised",
                    callback_phone="07700 900123",
                    notes="Missed bin",
                ),
            )
        callback = Callback.objects.for_organisation(world.organisation).get(contact=contact)
        # Five made on Tuesday 3 March (in time), the last on Wednesday 4 March (late).
        with time_machine.travel(at(3 if index < 5 else 4, hour=15), tick=False):
            contact_services.complete_callback(callback, by=advisor)
        made.append(callback)
    return made


@pytest.fixture
def told(world: World, advisor: User, partner: Organisation) -> list[Callback]:
    standards_story.tell(world, partner)
    return _callbacks(world, advisor)


def test_the_csv_has_a_row_for_the_call_back_standard_beside_the_cases_standards(
    world: World, client_for: Clients, told: list[Callback]
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.head).get(
            reverse("performance:download", args=["standards-compliance"]),
            {"from": "2026-03-01", "to": "2026-03-31", "format": "csv"},
        )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_key = {(row[0], row[1]): row[2:10] for row in rows[1:]}
    assert by_key[("call-back", "waste-and-recycling")] == [
        "6", "5", "1", "0", "0.8333", "1.0000", "0", "0",
    ]  # fmt: skip
    assert by_key[("call-back", "all")] == by_key[("call-back", "waste-and-recycling")]
    # The cases' figures are unchanged.
    assert by_key[("answer-letters", "waste-and-recycling")] == [
        "5", "2", "1", "2", "0.5000", "1.0000", "1", "1",
    ]  # fmt: skip


def test_each_source_prints_its_definition(world: World, told: list[Callback]) -> None:
    with time_machine.travel(NOW, tick=False):
        tables = reports_standards.tables(
            world.organisation,
            MARCH,
            filters=compliance.Filters(),
        )
    definitions = list(tables[0].definitions)
    starts = [text.split(":")[0] for text in definitions if ":" in text]
    assert {"Call-backs", "Visitors", "Calls", "Complaints"} <= set(starts)
    assert any("A record with no service counts only" in text for text in definitions)


def test_the_drill_down_lists_the_call_backs_behind_a_figure(
    world: World, client_for: Clients, told: list[Callback], partner_advisor: User
) -> None:
    url = reverse("performance:standards-records")
    query = {"from": "2026-03-01", "to": "2026-03-31", "figure": "missed", "standard": "call-back"}
    with time_machine.travel(NOW, tick=False):
        page = client_for(world.head).get(url, query)
        by_team = client_for(world.head).get(url, {**query, "in_team": str(world.crews.pk)})
        refused = client_for(partner_advisor).get(url, query)
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="other-records-summary" data-counted="1"' in text
    assert f"Call-back {told[5].pk}" in text
    assert f"Call-back {told[0].pk}" not in text
    assert "Done late" in text
    # The advisor who promised the call-backs is in no team: none is behind the crews' row.
    assert "other-records" not in by_team.content.decode()
    assert refused.status_code == 403


def test_the_public_page_says_how_the_council_did_on_call_backs(
    world: World, told: list[Callback]
) -> None:
    with time_machine.travel(NOW, tick=False):
        page = Client().get(reverse("performance:public", args=[world.organisation.slug]))
    text = page.content.decode()
    assert "Call back within 1 working day" in text
    # 5 of 6 met would tell that 1 was not: withheld by difference.
    assert "Of 6 that fell due, we met all but fewer than 5 within 1 working day." in text
    assert "83%" not in text


def test_every_capability_registers_its_compliance_source() -> None:
    assert [source.kind for source in measures.compliance_sources()] == [
        "contacts.callback",
        "contacts.visitor",
        "feedback.complaint-stage",
        "telephony.call",
    ]


def test_a_pick_of_an_unknown_figure_is_refused() -> None:
    deadline = measures.Deadline(due="due_at", done="completed_at")
    with pytest.raises(ValueError, match="rm -rf"):
        deadline.figure("rm -rf", NOW)

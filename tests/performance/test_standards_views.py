"""The dashboard, its downloads, the cases behind a figure, people's figures, comparators and
the public page: who may see what (404 outside the organisation, 403 without the permission),
hostile query strings, and the public page's numbers equal to the managers'."""

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

from onestop.core import reporting
from onestop.core.models import AuditRecord, User
from onestop.performance.models import Comparator
from onestop.performance.queries import compliance
from onestop.performance.views import public_standards
from tests.cases.conftest import World
from tests.matrix import covers
from tests.performance import standards_story
from tests.performance.standards_story import NOW

Clients = Callable[[User], Client]
MARCH_QUERY = {"kind": "month", "month": "3", "year": "2026"}
HOSTILE = [
    {"kind": "<script>alert(1)</script>", "month": "3", "year": "2026"},
    {"kind": "month", "month": "13", "year": "2026"},
    {"kind": "month", "month": "3", "year": "99999999999999999999"},
    {"kind": "month", "month": "3", "year": "2026", "service": "' OR 1=1 --"},
    {"kind": "month", "month": "3", "year": "2026", "team": "\x00"},
    {"kind": "month", "month": "3", "year": "2026", "access_point": "9" * 300},
    {"kind": "month", "month": "3", "year": "2026", "channel": "=HYPERLINK(1)"},
    {"kind": "year", "year_kind": "weekly", "month": "1", "year": "2026"},
]


@covers("performance:dashboard")
def test_the_dashboard_by_role(
    world: World, client_for: Clients, partner_advisor: User, auditor: User
) -> None:
    url = reverse("performance:dashboard")
    assert Client().get(url).status_code == 302
    assert client_for(world.officer).get(url).status_code == 403
    assert client_for(partner_advisor).get(url).status_code == 403
    for allowed in (world.head, world.leader, auditor):
        page = client_for(allowed).get(url, MARCH_QUERY)
        assert page.status_code == 200
        text = page.content.decode()
        assert 'role="img"' in text
        assert '<title id="chart-title-dashboard-compliance">' in text
        assert "From 1 March 2026 to 31 March 2026, both included." in text


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_strings_get_an_error_summary_and_change_nothing(
    world: World, client_for: Clients, query: dict[str, str]
) -> None:
    before = Comparator.objects.for_organisation(world.organisation).count()
    page = client_for(world.head).get(reverse("performance:dashboard"), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "govuk-error-summary" in text
    assert "<script>alert(1)</script>" not in text
    assert Comparator.objects.for_organisation(world.organisation).count() == before


def test_the_dashboard_shows_the_story_with_links_to_its_records(
    world: World, client_for: Clients
) -> None:
    standards_story.tell(world)
    with time_machine.travel(NOW, tick=False):
        page = client_for(world.head).get(reverse("performance:dashboard"), MARCH_QUERY)
        text = page.content.decode()
        assert "figure=overdue" in text
        records = client_for(world.head).get(
            reverse("performance:standards-records"),
            {
                "from": "2026-03-01",
                "to": "2026-03-31",
                "figure": "met",
                "standard": "answer-letters",
            },
        )
    assert records.status_code == 200
    assert 'data-counted="2"' in records.content.decode()
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(object_type="performance.records")
        .count()
        == 1
    )


@covers("performance:standards-records")
@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-03-01", "to": "2026-03-31", "figure": "rm -rf"},
        {"from": "yesterday", "to": "2026-03-31", "figure": "met"},
        {"from": "2026-03-31", "to": "2026-03-01", "figure": "met"},
        {"from": "2020-01-01", "to": "2026-03-01", "figure": "met"},
    ],
)
def test_the_records_page_refuses_bad_input_in_one_line(
    world: World, client_for: Clients, partner_advisor: User, query: dict[str, str]
) -> None:
    url = reverse("performance:standards-records")
    assert client_for(partner_advisor).get(url, query).status_code == 403
    page = client_for(world.head).get(url, query)
    assert page.status_code == 400
    assert 'data-testid="refused"' in page.content.decode()


@covers("performance:download")
@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_downloads_are_audited_and_refused_without_the_permission(
    world: World, client_for: Clients, file_format: str
) -> None:
    url = reverse("performance:download", args=["standards-compliance"])
    query = {"from": "2026-03-01", "to": "2026-03-31", "format": file_format}
    assert client_for(world.officer).get(url, query).status_code == 403
    response = client_for(world.head).get(url, query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="standards-compliance-2026-03-01-2026-03-31.{file_format}"'
    )
    assert (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(object_id="standards-compliance", action="exported")
        .count()
        == 1
    )
    bad = client_for(world.head).get(url, {**query, "service": "no-such-service"})
    assert bad.status_code == 400
    assert "test-council has no service &#x27;no-such-service&#x27;" in bad.content.decode()
    assert (
        client_for(world.head)
        .get(reverse("performance:download", args=["no-such-report"]), query)
        .status_code
        == 404
    )


def test_the_csv_has_the_contract_columns_first(world: World, client_for: Clients) -> None:
    standards_story.tell(world)
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.head).get(
            reverse("performance:download", args=["standards-compliance"]),
            {"from": "2026-03-01", "to": "2026-03-31", "format": "csv"},
        )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:8] == [
        "standard", "service", "measured", "met", "missed", "open", "compliance", "target",
    ]  # fmt: skip
    assert rows[0][8:10] == ["open_not_yet_due", "open_overdue"]
    by_key = {(row[0], row[1]): row for row in rows[1:]}
    assert by_key[("answer-letters", "waste-and-recycling")][2:10] == [
        "5", "2", "1", "2", "0.5000", "1.0000", "1", "1",
    ]  # fmt: skip
    assert by_key[("acknowledge-email", "all")][2:10] == [
        "6", "1", "2", "3", "0.2000", "1.0000", "1", "2",
    ]  # fmt: skip


@covers("performance:people", "performance:person")
def test_individual_figures_own_and_team_only(
    world: World, client_for: Clients, partner_advisor: User, auditor: User, councillor: User
) -> None:
    own = reverse("performance:person", args=[world.officer.pk])
    other = reverse("performance:person", args=[world.other_officer.pk])
    partner_person = reverse("performance:person", args=[partner_advisor.pk])
    # An officer sees their own figures, not a colleague's (403), nor another organisation's
    # person (404).
    assert client_for(world.officer).get(own, MARCH_QUERY).status_code == 200
    assert client_for(world.officer).get(other, MARCH_QUERY).status_code == 403
    assert client_for(world.officer).get(partner_person).status_code == 404
    assert (
        client_for(world.officer).get(reverse("performance:person", args=["1 OR 1=1"])).status_code
        == 404
    )
    # A team leader sees the officers of their teams.
    assert client_for(world.leader).get(own, MARCH_QUERY).status_code == 200
    assert client_for(world.leader).get(other, MARCH_QUERY).status_code == 200
    # A manager (in the same team) and an auditor see teams, not people.
    assert client_for(world.head).get(own).status_code == 403
    assert client_for(auditor).get(own).status_code == 403
    # A councillor has no figures of their own here.
    assert client_for(councillor).get(reverse("performance:people")).status_code == 403
    listing = client_for(world.leader).get(reverse("performance:people")).content.decode()
    assert world.officer.display_name in listing
    assert world.other_officer.display_name in listing
    alone = client_for(world.officer).get(reverse("performance:people")).content.decode()
    assert world.other_officer.display_name not in alone


def test_an_officer_sees_their_exact_figures(world: World, client_for: Clients) -> None:
    standards_story.tell(world)
    with time_machine.travel(NOW, tick=False):
        rows = compliance.compliance_by(
            world.organisation,
            standards_story_march(),
            now=NOW,
            by="officer",
            only=[world.officer.pk, world.other_officer.pk],
        )
        page = client_for(world.officer).get(
            reverse("performance:person", args=[world.officer.pk]), MARCH_QUERY
        )
    figures = {
        (row.group_id, row.code): (row.counts.met, row.counts.missed, row.counts.overdue)
        for row in rows
    }
    assert figures == {
        (world.officer.pk, "answer-letters"): (1, 1, 0),
        (world.officer.pk, "acknowledge-email"): (1, 1, 0),
        (world.other_officer.pk, "answer-letters"): (0, 0, 1),
        (world.other_officer.pk, "acknowledge-email"): (0, 0, 1),
    }
    assert 'data-standard="answer-letters"' in page.content.decode()


def standards_story_march() -> reporting.Period:
    return reporting.month_of(datetime.date(2026, 3, 1))


@covers("performance:comparators")
def test_an_administrator_adds_a_comparator_and_bad_input_changes_nothing(
    world: World, client_for: Clients, administrator: User, partner_administrator: User
) -> None:
    url = reverse("performance:comparators")
    good = {
        "comparator": "Gateshead", "measure": "mori-helpfulness", "period_first": "1998-01-01",
        "period_last": "1998-12-31", "value": "84", "unit": "percent", "source": "MORI (1998)",
    }  # fmt: skip
    assert client_for(world.head).post(url, good).status_code == 403
    assert client_for(world.head).get(url).status_code == 200
    bad = client_for(administrator).post(url, {**good, "period_last": "1997-01-01", "value": "x"})
    assert bad.status_code == 400
    assert "govuk-error-summary" in bad.content.decode()
    assert 'value="Gateshead"' in bad.content.decode()
    assert Comparator.objects.for_organisation(world.organisation).count() == 0
    for hostile in (
        {"comparator": "x" * 5000},
        {"source": "\x00\x1b[31m"},
        {"measure": "<script>"},
        {"value": "1e400"},
        {"period_first": "2026-02-30"},
        {"unit": "furlongs"},
    ):
        refused = client_for(administrator).post(url, {**good, **hostile})
        assert refused.status_code == 400, hostile
        assert "govuk-error-summary" in refused.content.decode()
        assert "<script>" not in refused.content.decode()
    assert Comparator.objects.for_organisation(world.organisation).count() == 0
    assert client_for(administrator).post(url, good).status_code == 302
    row = Comparator.objects.for_organisation(world.organisation).get()
    assert (row.comparator, row.value) == ("Gateshead", Decimal("84.00"))
    assert client_for(partner_administrator).post(url, good).status_code == 302
    assert Comparator.objects.for_organisation(world.organisation).count() == 1


def test_the_public_page_says_the_managers_numbers_in_plain_english(
    world: World, client_for: Clients
) -> None:
    standards_story.tell(world)
    with time_machine.travel(NOW, tick=False):
        page = Client().get(reverse("performance:public", args=[world.organisation.slug]))
        managers = compliance.corporate(
            compliance.compliance(world.organisation, standards_story_march(), now=NOW)
        )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Last month: 1 March 2026 to 31 March 2026" in text
    # March: answer-letters met 2 of 4 decided: counts under 5 are suppressed, the rate withheld.
    letters = managers["answer-letters"].counts
    assert (letters.met, letters.decided) == (2, 4)
    assert "Fewer than 5 fell due: too few to say how we did." in text
    assert "of fewer than 5" not in text
    assert "Our target is 100%." in text
    # Last quarter (January to March) holds the same story, all in March: the same sentences.
    assert "Last quarter: 1 January 2026 to 31 March 2026" in text
    month, quarter = text.split("Last quarter: 1 January 2026 to 31 March 2026")
    assert quarter.count("Fewer than 5 fell due: too few to say how we did.") == month.count(
        "Fewer than 5 fell due: too few to say how we did."
    )
    assert "answer-letters (within 10 working days)</dt>" in text
    assert "(10 working days)" not in text
    assert "officer" not in text.lower()
    assert Client().get(reverse("performance:public", args=["no-such-council"])).status_code == 404


def test_the_public_figures_are_kept_ten_minutes_and_the_page_says_when_worked_out(
    world: World,
) -> None:
    address = reverse("performance:public", args=[world.organisation.slug])
    with time_machine.travel(NOW, tick=False) as clock:
        before = Client().get(address).content.decode()
        standards_story.tell(world)  # the council's standards and a month of cases, after
        clock.shift(datetime.timedelta(minutes=9))
        kept = Client().get(address).content.decode()
        clock.shift(datetime.timedelta(minutes=2))
        later = Client().get(address).content.decode()

    assert "Fewer than 5 fell due" not in before
    assert "We worked out these figures at midday on 10 April 2026." in before
    assert kept == before.replace(_nonce(before), _nonce(kept))
    assert "Fewer than 5 fell due: too few to say how we did." in later
    assert "We worked out these figures at 12:11pm on 10 April 2026." in later


def _nonce(html: str) -> str:
    start = html.index('nonce="') + len('nonce="')
    return html[start : html.index('"', start)]


def test_a_closed_organisations_public_page_is_not_found(world: World) -> None:
    address = reverse("performance:public", args=[world.organisation.slug])
    assert Client().get(address).status_code == 200

    world.organisation.is_active = False
    world.organisation.save()

    assert Client().get(address).status_code == 404  # as every other public page


def test_the_public_sentence_when_counts_are_large_enough() -> None:
    row = compliance.ComplianceRow(
        "answer-letters", "Answer letters", compliance.Counts(412, 30, 8, 3), Decimal("0.9500")
    )
    assert row.counts.decided == 450
    assert public_standards.sentence(row, "10 working days") == (
        "We met 412 of 450 within 10 working days (92%)."
    )
    small = compliance.ComplianceRow("x", "x", compliance.Counts(3, 10, 0, 0), None)
    assert public_standards.sentence(small, "1 working day") == (
        "We met fewer than 5 of 13 within 1 working day."
    )
    # The ones not met, 1 to 4, would be told by difference: neither the met count nor the rate.
    for counts in (compliance.Counts(8, 2, 0, 0), compliance.Counts(446, 0, 4, 0)):
        close = compliance.ComplianceRow("x", "x", counts, None)
        assert public_standards.sentence(close, "1 working day") == (
            f"Of {counts.decided} that fell due, we met all but fewer than 5 within 1 working day."
        )
    all_met = compliance.ComplianceRow("x", "x", compliance.Counts(12, 0, 0, 3), None)
    assert public_standards.sentence(all_met, "1 working day") == (
        "We met 12 of 12 within 1 working day (100%)."
    )
    for met, missed in ((0, 4), (4, 0), (1, 3)):
        few = compliance.ComplianceRow("x", "x", compliance.Counts(met, missed, 0, 0), None)
        assert public_standards.sentence(few, "1 working day") == (
            "Fewer than 5 fell due: too few to say how we did."
        )


def test_the_public_heading_says_the_time_limit_once() -> None:
    from django.utils import translation

    assert public_standards.heading(
        "Acknowledge complaints within 5 working days", "5 working days"
    ) == ("Acknowledge complaints within 5 working days")
    assert public_standards.heading("Answer letters", "10 working days") == (
        "Answer letters (within 10 working days)"
    )
    assert public_standards.heading("Greet visitors", "") == "Greet visitors"
    # A title that says its limit in its own words is not followed by the clock's words.
    assert public_standards.heading(
        "Answer subject access requests within one month", "1 calendar month"
    ) == ("Answer subject access requests within one month")
    assert public_standards.heading(
        "Ateb llythyrau o fewn 10 diwrnod gwaith", "10 working days"
    ) == ("Ateb llythyrau o fewn 10 diwrnod gwaith")
    assert public_standards.heading("Answer letters without delay", "10 working days") == (
        "Answer letters without delay (within 10 working days)"
    )
    with translation.override("cy"):
        assert public_standards.heading("Answer letters", "10 working days") == (
            "Answer letters (o fewn 10 working days)"
        )


def test_the_residents_start_page_links_to_the_public_page() -> None:
    from onestop.core import public_links

    found = public_links.links_for("vale", public_links.START)
    assert ("performance", "How we are doing", "/performance/vale/") in [
        (link.key, link.label, link.href) for link in found
    ]
    assert "performance" not in [
        link.key for link in public_links.links_for("vale", public_links.FOOTER)
    ]

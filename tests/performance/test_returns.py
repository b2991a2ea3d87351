"""The quarterly return (issue 17): started with its figures pre-filled from the registered
reports (exact), commentary and actions saved and validated, submitted and then locked (a POST,
even crafted, changes nothing), reopened by a manager with a reason, every change audited; other
organisations' returns are not found; hostile and oversized text refused; the collated
``quarterly-return`` report's rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from onestop.core import reporting
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, Organisation, RoleCode, User
from onestop.performance.models import QuarterlyReturn, ReturnStatus
from onestop.performance.queries import returns as queries
from onestop.performance.services import returns as services
from tests import factories
from tests.matrix import covers
from tests.performance.returns_world import ReturnWorld, returns_world

__all__ = ["returns_world"]  # the fixture used here

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db
ONLY_TELEPHONY = override_settings(ONESTOP_QUARTERLY_RETURN_REPORTS=("telephony", "no-such"))
TELEPHONY_ALL = ["all", 3, 2, 1, 1, "0.3333", "0.3333", "20.0", "50.0"]
LIST = "/performance/returns/"
START = "/performance/returns/start/"


def _started(world: ReturnWorld) -> QuarterlyReturn:
    return services.start_return(world.head, world.service, world.quarter.first)


def _state(item: QuarterlyReturn) -> tuple[str, str, str, object, str]:
    item.refresh_from_db()
    return (item.status, item.commentary, item.actions, item.figures, item.reopened_reason)


def _audits(world: ReturnWorld, item: QuarterlyReturn) -> list[tuple[str, str, str]]:
    return list(
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(object_type="performance.quarterlyreturn", object_id=str(item.pk))
        .order_by("sequence")
        .values_list("actor_label", "action", "summary")
    )


@ONLY_TELEPHONY
def test_a_return_starts_with_the_figures_of_the_configured_reports(
    returns_world: ReturnWorld,
) -> None:
    item = _started(returns_world)
    assert item.status == ReturnStatus.DRAFT
    assert (item.first, item.last) == (returns_world.quarter.first, returns_world.quarter.last)
    [figures] = item.figures
    assert figures["report"] == "telephony"
    assert figures["columns"][:9] == [
        "queue",
        "offered",
        "answered",
        "abandoned",
        "answered_within_target",
        "service_level",
        "abandonment_rate",
        "average_speed_of_answer_seconds",
        "longest_wait_seconds",
    ]
    assert figures["rows"] == [["Customer Services", *TELEPHONY_ALL[1:]], TELEPHONY_ALL]
    assert queries.headline_figures(item.figures)["telephony:service_level"] == "0.3333"
    with pytest.raises(ServiceError, match="started already"):
        _started(returns_world)


def test_the_prefilled_reports_are_those_registered_in_the_configured_order() -> None:
    with override_settings(ONESTOP_QUARTERLY_RETURN_REPORTS=("nothing", "telephony")):
        assert queries.prefilled_reports() == ("telephony",)
    with override_settings(ONESTOP_QUARTERLY_RETURN_REPORTS=()):
        assert queries.prefilled_reports() == ()


@ONLY_TELEPHONY
def test_saved_then_submitted_then_locked_even_against_a_crafted_post(
    returns_world: ReturnWorld, client_for: ClientFor
) -> None:
    item = _started(returns_world)
    client = client_for(returns_world.head)
    page = f"/performance/returns/{item.pk}/"
    assert client.get(page).status_code == 200
    saved = client.post(page, {"commentary": "So far so good", "actions": "One\n\n Two \n"})
    assert saved.status_code == 302
    assert _state(item)[:3] == (ReturnStatus.DRAFT, "So far so good", "One\nTwo")
    # Submitting needs the commentary.
    empty = client.post(page, {"commentary": "", "actions": "", "action": "submit"})
    assert empty.status_code == 400
    assert b"Enter your commentary before you submit the return" in empty.content
    submitted = client.post(
        page, {"commentary": "Done", "actions": "Hire two advisors", "action": "submit"}
    )
    assert submitted.status_code == 302
    before = _state(item)
    assert before[0] == ReturnStatus.SUBMITTED
    assert item.submitted_by == returns_world.head
    assert item.submitted_at is not None
    # Locked: the page shows no form; any POST is refused and changes nothing.
    shown = client.get(page)
    assert b'name="commentary"' not in shown.content
    assert b"It is locked" in shown.content
    for crafted in (
        {"commentary": "Changed", "actions": "", "action": "save"},
        {"commentary": "Changed", "actions": "", "action": "submit"},
        {"commentary": "Changed"},
    ):
        refused = client.post(page, crafted)
        assert refused.status_code == 400
        assert b"has been submitted and cannot be changed" in refused.content
    assert _state(item) == before
    with pytest.raises(ServiceError):
        services.save_return(item, by=returns_world.head, commentary="x", actions="")
    assert _state(item) == before
    assert [(who, action) for who, action, _summary in _audits(returns_world, item)] == [
        ("head.of.service", AuditAction.CREATED),
        ("head.of.service", AuditAction.CHANGED),
        ("head.of.service", AuditAction.CHANGED),
    ]
    assert _audits(returns_world, item)[-1][2].endswith("submitted")


@ONLY_TELEPHONY
def test_a_manager_reopens_a_submitted_return_with_a_reason(
    returns_world: ReturnWorld, client_for: ClientFor
) -> None:
    item = _started(returns_world)
    services.save_return(item, by=returns_world.head, commentary="Done", actions="", submit=True)
    reopen = f"/performance/returns/{item.pk}/reopen/"
    # The head of service collates too (a manager), but the reason is required.
    collator = client_for(returns_world.collator)
    assert collator.get(reopen).status_code == 200
    for bad in ("", "   ", "x" * 1001, "bad\u202ereason"):
        refused = collator.post(reopen, {"reason": bad})
        assert refused.status_code == 400, bad
        assert b"govuk-error-summary" in refused.content
    assert _state(item)[0] == ReturnStatus.SUBMITTED
    assert (
        collator.post(reopen, {"reason": "The abandoned calls were miscounted"}).status_code == 302
    )
    assert _state(item)[0] == ReturnStatus.DRAFT
    assert item.reopened_reason == "The abandoned calls were miscounted"
    record = (
        AuditRecord.objects.for_organisation(returns_world.organisation)
        .filter(object_type="performance.quarterlyreturn")
        .order_by("-sequence")
        .first()
    )
    assert record is not None
    assert record.changes["reason"] == "The abandoned calls were miscounted"
    assert record.actor_label == "corporate.manager"
    # A draft cannot be reopened; the head of service may change it again.
    assert collator.post(reopen, {"reason": "Again"}).status_code == 400
    head = client_for(returns_world.head)
    page = head.get(f"/performance/returns/{item.pk}/")
    assert b"The abandoned calls were miscounted" in page.content
    assert head.post(f"/performance/returns/{item.pk}/", {"commentary": "Fixed"}).status_code == 302
    assert _state(item)[1] == "Fixed"


@ONLY_TELEPHONY
@pytest.mark.parametrize(
    ("commentary", "actions", "message"),
    [
        ("x" * 5001, "", b"Commentary must be 5,000 characters or fewer"),
        ("nul\x00here", "", b"Commentary"),
        ("right\u202eto left", "", b"Commentary"),
        ("ok", "\n".join(f"action {n}" for n in range(21)), b"Enter 20 actions or fewer"),
        ("ok", "y" * 501, b"Each action must be 500 characters or fewer"),
        ("ok", "x" * 11000, b"Enter 20 actions or fewer"),
    ],
)
def test_hostile_or_oversized_text_is_refused_and_changes_nothing(
    returns_world: ReturnWorld,
    client_for: ClientFor,
    commentary: str,
    actions: str,
    message: bytes,
) -> None:
    item = _started(returns_world)
    before = _state(item)
    response = client_for(returns_world.head).post(
        f"/performance/returns/{item.pk}/",
        {"commentary": commentary, "actions": actions, "action": "submit"},
    )
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert message in response.content
    assert _state(item) == before


@ONLY_TELEPHONY
def test_markup_and_formulas_are_kept_as_text(
    returns_world: ReturnWorld, client_for: ClientFor
) -> None:
    item = _started(returns_world)
    hostile = '<script>alert(1)</script> =HYPERLINK("http://x")'
    services.save_return(
        item, by=returns_world.head, commentary=hostile, actions="=1+1\n@SUM(A1)", submit=True
    )
    page = client_for(returns_world.head).get(f"/performance/returns/{item.pk}/")
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;" in page.content
    output = _collated(returns_world.organisation, returns_world.quarter)
    assert output.tables[1].rows[0][3] == hostile
    actions_csv = reporting.as_csv(
        reporting.ReportOutput(
            code="x", title="x", request=output.request, tables=[output.tables[2]]
        )
    ).decode()
    assert "'=1+1" in actions_csv
    assert "'@SUM(A1)" in actions_csv


def _collated(
    organisation: Organisation, quarter: reporting.Period, service: str = ""
) -> reporting.ReportOutput:
    return reporting.report_named("quarterly-return").build(
        reporting.ReportRequest(organisation, quarter, service)
    )


@ONLY_TELEPHONY
def test_the_collated_report_has_a_row_per_service(returns_world: ReturnWorld) -> None:
    item = _started(returns_world)
    services.save_return(
        item,
        by=returns_world.head,
        commentary="Calls answered faster",
        actions="Hire two advisors\nChange the message",
        submit=True,
    )
    item.refresh_from_db()
    assert item.submitted_at is not None
    stdout = io.StringIO()
    call_command(
        "report",
        "quarterly-return",
        "--from",
        returns_world.quarter.first.isoformat(),
        "--to",
        returns_world.quarter.last.isoformat(),
        "--format",
        "csv",
        stdout=stdout,
        stderr=io.StringIO(),
    )
    lines = list(csv.reader(io.StringIO(stdout.getvalue())))
    label = f"{returns_world.quarter.first.isoformat()} to {returns_world.quarter.last.isoformat()}"
    submitted_at = item.submitted_at.astimezone(reporting.LONDON).strftime("%Y-%m-%d %H:%M")
    assert lines == [
        [
            "service",
            "status",
            "submitted_by",
            "submitted_at",
            "telephony:offered",
            "telephony:answered",
            "telephony:abandoned",
            "telephony:answered_within_target",
            "telephony:service_level",
            "telephony:abandonment_rate",
            "telephony:average_speed_of_answer_seconds",
            "telephony:longest_wait_seconds",
            "quarter",
        ],
        [
            "Customer Services",
            "submitted",
            "head.of.service",
            submitted_at,
            "3",
            "2",
            "1",
            "1",
            "0.3333",
            "0.3333",
            "20.0",
            "50.0",
            label,
        ],
        ["Waste and recycling", "not started", "", "", "", "", "", "", "", "", "", "", label],
    ]
    output = _collated(returns_world.organisation, returns_world.quarter)
    assert [list(row) for row in output.tables[1].rows] == [
        ["Customer Services", label, "submitted", "Calls answered faster"]
    ]
    assert [list(row) for row in output.tables[2].rows] == [
        ["Customer Services", label, 1, "Hire two advisors"],
        ["Customer Services", label, 2, "Change the message"],
    ]
    only = _collated(returns_world.organisation, returns_world.quarter, returns_world.other.slug)
    assert [row[:2] for row in only.tables[0].rows] == [["Waste and recycling", "not started"]]
    with pytest.raises(reporting.ReportError, match="has no service"):
        _collated(returns_world.organisation, returns_world.quarter, "=nowhere")
    # A draft is collated with its status and without a submitter.
    services.reopen_return(item, by=returns_world.collator, reason="Recount")
    draft = _collated(returns_world.organisation, returns_world.quarter)
    assert draft.tables[0].rows[0][:4] == ["Customer Services", "draft", None, None]


@ONLY_TELEPHONY
def test_the_partners_returns_are_apart(
    returns_world: ReturnWorld, partner: Organisation, client_for: ClientFor
) -> None:
    item = _started(returns_world)
    outsider = factories.staff(partner, RoleCode.MANAGER, username="partner.manager")
    client = client_for(outsider)
    before = _state(item)
    assert client.get(f"/performance/returns/{item.pk}/").status_code == 404
    assert client.post(f"/performance/returns/{item.pk}/", {"commentary": "x"}).status_code == 404
    assert (
        client.post(f"/performance/returns/{item.pk}/reopen/", {"reason": "x"}).status_code == 404
    )
    assert b"Customer Services" not in client.get(LIST).content
    collated = _collated(partner, returns_world.quarter)
    assert collated.tables[0].rows == []
    assert _state(item) == before


@covers(
    "performance:returns",
    "performance:return-start",
    "performance:returns-collated",
    "performance:return",
    "performance:return-reopen",
)
@ONLY_TELEPHONY
def test_who_may_do_what_with_the_returns(
    returns_world: ReturnWorld,
    partner: Organisation,
    advisor: User,
    team_leader: User,
    auditor: User,
    client_for: ClientFor,
) -> None:
    item = _started(returns_world)
    page = f"/performance/returns/{item.pk}/"
    reopen = f"{page}reopen/"
    quarter = returns_world.quarter.first.isoformat()
    collated = f"/performance/returns/collated/?quarter={quarter}&format=csv"
    urls = (LIST, START, collated, page, reopen)
    for url in urls:
        assert Client().get(url)["Location"].startswith("/sign-in/")
    before = _state(item)
    for user in (advisor, team_leader, auditor):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.username, url)
        assert client.post(page, {"commentary": "x"}).status_code == 403
        assert client.post(START, {"service": returns_world.other.pk}).status_code == 403
    # The collator (a manager of no team) reads every return, changes none, reopens, collates.
    collator = client_for(returns_world.collator)
    listing = collator.get(f"{LIST}?quarter={quarter}")
    assert listing.status_code == 200
    assert [str(row[0]) for row in listing.context["rows"]] == [
        "Customer Services",
        "Waste and recycling",
    ]
    assert collator.get(page).status_code == 200
    assert collator.post(page, {"commentary": "x"}).status_code == 403
    assert collator.get(START).status_code == 403
    download = collator.get(collated)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert download.content.startswith(b"service,status,submitted_by,submitted_at")
    assert (
        AuditRecord.objects.for_organisation(returns_world.organisation)
        .filter(object_id="quarterly-return", action=AuditAction.EXPORTED)
        .count()
        == 1
    )
    assert _state(item) == before
    # The head of service starts their own service's return only.
    head = client_for(returns_world.head)
    assert head.get(f"{LIST}?quarter={quarter}").status_code == 200
    assert head.get(START).status_code == 200
    refused = head.post(START, {"service": returns_world.other.pk, "quarter": quarter})
    assert refused.status_code == 400
    again = head.post(START, {"service": returns_world.service.pk, "quarter": quarter})
    assert again.status_code == 400
    assert b"started already" in again.content
    assert (
        head.post(START, {"service": returns_world.service.pk, "quarter": "2001-01-01"}).status_code
        == 400
    )
    assert QuarterlyReturn.objects.for_organisation(returns_world.organisation).count() == 1


def test_only_a_total_row_is_collated_never_a_row_that_might_be_taken_for_one() -> None:
    figures: list[dict[str, Any]] = [
        {"report": "telephony", "columns": ["queue", "offered"], "rows": [["a", 3], ["all", 5]]},
        {"report": "one-row", "columns": ["what", "count"], "rows": [["contacts", 7]]},
        {
            "report": "volumes",
            "columns": ["dimension", "value", "contacts"],
            "rows": [["channel", "telephone", 4], ["channel", "email", 2]],
        },
        {"report": "empty", "columns": ["x", "y"], "rows": []},
    ]
    assert queries.headline_figures(figures) == {"telephony:offered": 5, "one-row:count": 7}

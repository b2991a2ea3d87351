"""Learning actions on upheld complaints, tracked to completion, and the learning log per
service: refused on a complaint not upheld at all, bad input refused with nothing changed, the
pages over the permission matrix, and the log's figures recounted from the records."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, RoleCode, User
from onestop.feedback.models import Feedback, LearningAction, LearningStatus, PointOutcome
from onestop.feedback.queries import after as after_queries
from onestop.feedback.services import learning
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.feedback.after_support import answered, complaint, date_fields
from tests.feedback.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]
DAY = datetime.date
NOW = "2026-06-10 10:00+01:00"


def _actions(feedback: Feedback) -> list[tuple[Any, ...]]:
    return list(
        LearningAction.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .order_by("pk")
        .values_list("action", "owner_id", "due_on", "status", "evidence", "what_changed",
                     "completed_on", "service_id")
    )  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_a_learning_action_is_tracked_to_completion(world: World) -> None:
    feedback = answered(world, PointOutcome.NOT_UPHELD, PointOutcome.PARTLY_UPHELD)
    row = learning.add_action(
        feedback,
        by=world.officer,
        action="Crews check the street list each morning",
        owner=world.leader,
        due_on=DAY(2026, 7, 1),
    )
    learning.update_action(
        row, by=world.leader, progress=learning.Progress(LearningStatus.IN_PROGRESS)
    )
    learning.update_action(
        row,
        by=world.leader,
        progress=learning.Progress(
            LearningStatus.DONE,
            evidence="Briefing sheet signed by all crews",
            what_changed="Round sheets are checked before each round",
            completed_on=DAY(2026, 6, 10),
        ),
    )
    assert _actions(feedback) == [
        (
            "Crews check the street list each morning", world.leader.pk, DAY(2026, 7, 1),
            "done", "Briefing sheet signed by all crews",
            "Round sheets are checked before each round", DAY(2026, 6, 10), world.waste.pk,
        )
    ]  # fmt: skip
    assert list(
        AuditRecord.objects.filter(organisation=world.organisation, summary__contains="learning")
        .order_by("pk")
        .values_list("summary", flat=True)
    ) == [
        f"Complaint {feedback.reference}: learning action added",
        f"Complaint {feedback.reference}: learning action in-progress",
        f"Complaint {feedback.reference}: learning action done",
    ]
    with pytest.raises(ServiceError, match="already done"):
        learning.update_action(
            row, by=world.leader, progress=learning.Progress(LearningStatus.PLANNED)
        )


@time_machine.travel(NOW, tick=False)
def test_a_complaint_not_upheld_at_all_is_refused_a_learning_action(world: World) -> None:
    not_upheld = answered(world, PointOutcome.NOT_UPHELD, PointOutcome.NOT_UPHELD)
    unanswered = complaint(world)
    for feedback in (not_upheld, unanswered):
        with pytest.raises(ServiceError) as refused:
            learning.add_action(
                feedback, by=world.officer, action="Train", owner=world.leader,
                due_on=DAY(2026, 7, 1),
            )  # fmt: skip
        assert refused.value.message == (
            "Learning actions are for complaints upheld or partly upheld: no point of "
            f"{feedback.reference} was upheld"
        )
        assert _actions(feedback) == []


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"action": ""}, "action", "Enter what will change"),
        ({"action": "Train\u202ethe crews"}, "action", "special characters"),
        ({"action": "x" * 2001}, "action", "2000 characters or fewer"),
        ({"due_on": DAY(2026, 6, 9)}, "due_on", "today or in the future"),
        ({"due_on": None}, "due_on", "Enter the date it is due"),
        ({"owner": None}, "owner", "Select who owns the action"),
    ],
)
def test_a_bad_learning_action_is_refused(
    world: World, values: dict[str, Any], field: str, words: str
) -> None:
    feedback = answered(world)
    arguments: dict[str, Any] = {
        "action": "Train the crews",
        "owner": world.leader,
        "due_on": DAY(2026, 7, 1),
    } | values
    with pytest.raises(ServiceError) as refused:
        learning.add_action(feedback, by=world.officer, **arguments)
    assert refused.value.field == field
    assert words in refused.value.message
    assert _actions(feedback) == []


@time_machine.travel(NOW, tick=False)
def test_an_owner_from_another_organisation_is_refused(world: World, partner: Any) -> None:
    feedback = answered(world)
    stranger = core_factories.staff(partner, RoleCode.MANAGER, username="their.manager")
    with pytest.raises(ServiceError, match="Select who owns the action"):
        learning.add_action(
            feedback, by=world.officer, action="Train", owner=stranger, due_on=DAY(2026, 7, 1)
        )
    assert _actions(feedback) == []


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("progress", "field", "words"),
    [
        ({"what_changed": ""}, "what_changed", "Enter what changed"),
        ({"evidence": ""}, "evidence", "Enter the evidence"),
        ({"completed_on": None}, "completed_on", "Enter the date it was completed"),
        ({"completed_on": DAY(2026, 6, 11)}, "completed_on", "today or in the past"),
        ({"completed_on": DAY(2026, 6, 9)}, "completed_on", "on or after the action was set"),
        ({"status": "finished"}, "status", "Select the status from the list"),
        ({"evidence": "x" * 10_001}, "evidence", "10000 characters or fewer"),
    ],
)
def test_marking_done_needs_what_changed_the_evidence_and_a_date_in_order(
    world: World, progress: dict[str, Any], field: str, words: str
) -> None:
    feedback = answered(world)
    row = learning.add_action(
        feedback, by=world.officer, action="Train", owner=world.leader, due_on=DAY(2026, 7, 1)
    )
    before = _actions(feedback)
    values: dict[str, Any] = {
        "status": LearningStatus.DONE,
        "evidence": "Training records",
        "what_changed": "Crews trained",
        "completed_on": DAY(2026, 6, 10),
    } | progress
    with pytest.raises(ServiceError) as refused:
        learning.update_action(row, by=world.leader, progress=learning.Progress(**values))
    assert refused.value.field == field
    assert words in refused.value.message
    assert _actions(feedback) == before


# --- the pages ----------------------------------------------------------------------------------
@covers("feedback:learning", "feedback:learning-progress")
@time_machine.travel(NOW, tick=False)
def test_the_learning_pages(
    world: World, client_for: ClientFor, auditor: User, partner: Any
) -> None:
    feedback = answered(world)
    url = f"/feedback/{feedback.reference}/learning/"
    posted = {
        "learning-action": "Check the street list",
        "learning-owner": str(world.leader.pk),
        **date_fields("learning", "due_on", DAY(2026, 7, 1)),
    }
    stranger = core_factories.staff(partner, RoleCode.COMPLAINTS_OFFICER, username="their.co")
    assert Client().post(url, posted).status_code == 302
    assert client_for(stranger).post(url, posted).status_code == 404
    assert client_for(auditor).post(url, posted).status_code == 403
    assert client_for(world.leader).post(url, posted).status_code == 403
    foreign_owner = core_factories.staff(partner, RoleCode.MANAGER, username="their.manager")
    refused = client_for(world.officer).post(
        url, {**posted, "learning-owner": str(foreign_owner.pk)}
    )
    assert refused.status_code == 400
    assert "Select owner from the list" in refused.content.decode()
    backwards = client_for(world.officer).post(
        url, {**posted, **date_fields("learning", "due_on", DAY(2026, 6, 1))}
    )
    assert backwards.status_code == 400
    assert "today or in the future" in backwards.content.decode()
    assert _actions(feedback) == []
    assert client_for(world.officer).post(url, posted).status_code == 302
    row = LearningAction.objects.for_organisation(world.organisation).get(feedback=feedback)

    progress_url = f"/feedback/{feedback.reference}/learning/{row.pk}/"
    done = {
        "progress-status": "done",
        "progress-evidence": "Signed briefing sheet",
        "progress-what_changed": "Lists checked daily",
        **date_fields("progress", "completed_on", DAY(2026, 6, 10)),
    }
    other = answered(world)
    assert (
        client_for(world.officer)
        .post(f"/feedback/{other.reference}/learning/{row.pk}/", done)
        .status_code
        == 404
    )
    assert client_for(auditor).post(progress_url, done).status_code == 403
    missing = client_for(world.officer).post(progress_url, {**done, "progress-what_changed": ""})
    assert missing.status_code == 400
    assert "Enter what changed, to mark it done" in missing.content.decode()
    assert client_for(world.officer).post(progress_url, done).status_code == 302
    assert _actions(feedback)[0][3:7] == (
        "done", "Signed briefing sheet", "Lists checked daily", DAY(2026, 6, 10)
    )  # fmt: skip
    record = client_for(world.officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert "Lists checked daily" in record
    assert "Learning action done" in record


@time_machine.travel(NOW, tick=False)
def test_a_complaint_not_upheld_offers_no_learning_and_its_page_refuses(
    world: World, client_for: ClientFor
) -> None:
    feedback = answered(world, PointOutcome.NOT_UPHELD)
    record = client_for(world.officer).get(f"/feedback/{feedback.reference}/").content.decode()
    assert 'data-testid="learning-add"' not in record
    refused = client_for(world.officer).post(
        f"/feedback/{feedback.reference}/learning/",
        {
            "learning-action": "Train",
            "learning-owner": str(world.leader.pk),
            **date_fields("learning", "due_on", DAY(2026, 7, 1)),
        },
    )
    assert refused.status_code == 400
    assert "Learning actions are for complaints upheld or partly upheld" in (
        refused.content.decode()
    )
    assert _actions(feedback) == []


@covers("feedback:learning-log", "feedback:learning-log-service")
@time_machine.travel(NOW, tick=False)
def test_the_learning_log_per_service(
    world: World, client_for: ClientFor, partner: Any, auditor: User
) -> None:
    waste_one, waste_two = answered(world), answered(world)
    housing = answered(world, service=world.housing)
    rows = [
        learning.add_action(f, by=world.officer, action=text, owner=world.leader,
                            due_on=DAY(2026, 7, day))
        for f, text, day in (
            (waste_one, "Check street lists", 3),
            (waste_two, "Replace broken bins within 5 days", 1),
            (housing, "Call back within 2 days", 2),
        )
    ]  # fmt: skip
    learning.update_action(
        rows[0],
        by=world.leader,
        progress=learning.Progress("done", "Sheet", "Lists checked", DAY(2026, 6, 10)),
    )
    logs = after_queries.learning_log(world.officer)
    assert [
        (log.service.name if log.service else None, log.done, [r.pk for r in log.actions])
        for log in logs
    ] == [
        ("Housing", 0, [rows[2].pk]),
        ("Waste and Recycling", 1, [rows[1].pk, rows[0].pk]),
    ]
    assert Client().get("/feedback/learning/").status_code == 302
    back_office = core_factories.staff(world.organisation, RoleCode.BACK_OFFICE_OFFICER)
    assert client_for(back_office).get("/feedback/learning/").status_code == 403
    page = client_for(auditor).get("/feedback/learning/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Waste and Recycling: 1 of 2 actions done" in body
    assert "Housing: 0 of 1 action done" in body
    assert f'href="/feedback/{housing.reference}/"' in body
    one = client_for(world.officer).get(f"/feedback/learning/service/{world.waste.pk}/")
    assert one.status_code == 200
    text = one.content.decode()
    assert waste_one.reference in text
    assert housing.reference not in text
    theirs = case_factories.service(partner, "Their waste")
    assert (
        client_for(world.officer).get(f"/feedback/learning/service/{theirs.pk}/").status_code == 404
    )
    assert (
        client_for(world.officer).get("/feedback/learning/service/99999999999999999/").status_code
        == 404
    )
    stranger = core_factories.staff(partner, RoleCode.COMPLAINTS_OFFICER, username="their.co")
    assert (
        waste_one.reference not in client_for(stranger).get("/feedback/learning/").content.decode()
    )

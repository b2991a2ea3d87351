"""``contacts.0007``, ``feedback.0006`` and ``telephony.0006`` (issue 17: the team a call-back, a
complaint stage and a call belong to) go back and forward on the real database: going back drops
the columns, going forward fills the call-backs and stages made before from the memberships as
they stand (the rule the services apply when a record is made) and leaves the rest empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onestop.contacts import services as contact_services
from onestop.contacts.models import Callback
from onestop.core.models import User
from onestop.feedback import services as feedback_services
from onestop.feedback.models import ComplaintStage, Kind
from tests.cases.conftest import World, world
from tests.performance.standards_story import at

__all__ = ["world"]  # fixtures used here

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("contacts", "0006_contact_avoidable"),
    ("feedback", "0005_restrictions_contributions_councillors"),
    ("telephony", "0005_callrecord_one_per_contact_with_organisation"),
]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def at_the_latest() -> Iterator[None]:
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_teams_go_back_and_are_filled_going_forward(
    world: World, advisor: User, at_the_latest: None
) -> None:
    with time_machine.travel(at(2, hour=9), tick=False):
        for by in (world.officer, advisor):
            contact_services.log_contact(
                world.organisation,
                by=by,
                customer=None,
                values=contact_services.ContactInput(
                    service=world.waste,
                    outcome="callback-promised",
                    callback_phone="07700 900123",
                    notes="Bin",
                ),
            )
        complaints = [
            feedback_services.record_feedback(
                world.organisation,
                by=None,
                customer=None,
                values=feedback_services.FeedbackInput(
                    kind=Kind.COMPLAINT,
                    what_happened="My bin was missed.",
                    service=world.waste,
                    points=("Bin not emptied",),
                ),
            )
            for _number in range(2)
        ]
    with time_machine.travel(at(3), tick=False):
        feedback_services.acknowledge(complaints[0], by=world.head)

    _migrate(BEFORE)
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(
                cursor, Callback._meta.db_table
            )
        ]
    assert "team_id" not in columns
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    callbacks = dict(
        Callback.objects.for_organisation(world.organisation).values_list("assigned_to", "team")
    )
    assert callbacks == {world.officer.pk: world.crews.pk, advisor.pk: None}
    stages = dict(
        ComplaintStage.objects.for_organisation(world.organisation).values_list("feedback", "team")
    )
    assert stages == {complaints[0].pk: world.crews.pk, complaints[1].pk: None}

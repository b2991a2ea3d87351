"""The team a queue is mapped to, and the team each call keeps (issue 17: per-team figures from
calls): an administrator maps a queue to one of the organisation's teams on the queue page (a
team of another organisation is refused with a GOV.UK error and changes nothing); the import
records on each call the team its queue has then, and mapping the queue again later leaves the
calls already imported as they were."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from onestop.directory.models import Team
from onestop.telephony import services
from onestop.telephony.models import CallQueue, CallRecord
from tests.cases import factories as case_factories
from tests.telephony.conftest import CallWorld, csv_file, row

ClientFor = Callable[[User], Client]
pytestmark = pytest.mark.django_db


def _import(world: CallWorld, *rows: str) -> None:
    run = services.import_calls(world.organisation, csv_file(*rows), by=None, file_name="c.csv")
    assert run.refused == 0


def _teams(world: CallWorld) -> dict[str, int | None]:
    return dict(
        CallRecord.objects.for_organisation(world.organisation).values_list("external_id", "team")
    )


@pytest.fixture
def crews(call_world: CallWorld) -> Team:
    return case_factories.team(call_world.waste, "Collection crews")


def test_each_call_keeps_the_team_its_queue_had_when_it_was_imported(
    call_world: CallWorld, crews: Team
) -> None:
    town = case_factories.team(call_world.waste, "Town crews")
    _import(call_world, row("before"))  # the queue is new: no team yet
    queue = CallQueue.objects.for_organisation(call_world.organisation).get()
    services.map_queue(
        queue, by=None, service=call_world.waste, access_point=call_world.telephone, team=crews
    )
    _import(call_world, row("crews-1"), row("crews-2"))
    services.map_queue(
        queue, by=None, service=call_world.waste, access_point=call_world.telephone, team=town
    )
    _import(call_world, row("town-1"))
    assert _teams(call_world) == {
        "before": None,
        "crews-1": crews.pk,
        "crews-2": crews.pk,
        "town-1": town.pk,
    }
    # Unmapped from any team: later calls have none, earlier ones keep theirs.
    services.map_queue(queue, by=None, service=call_world.waste, access_point=call_world.telephone)
    _import(call_world, row("after"))
    assert _teams(call_world)["after"] is None
    assert _teams(call_world)["town-1"] == town.pk
    changes = [
        record.changes.get("team")
        for record in AuditRecord.objects.filter(
            organisation=call_world.organisation, object_type="telephony.callqueue"
        ).order_by("id")
        if record.changes and "team" in record.changes
    ]
    assert changes == [[None, crews.pk], [crews.pk, town.pk], [town.pk, None]]


def test_a_team_of_another_organisation_is_refused_by_the_service(
    call_world: CallWorld, partner: Organisation
) -> None:
    _import(call_world, row("c1"))
    queue = CallQueue.objects.for_organisation(call_world.organisation).get()
    partner_team = case_factories.team(case_factories.service(partner, "Repairs"), "Repairs team")
    with pytest.raises(ServiceError) as refused:
        services.map_queue(
            queue,
            by=None,
            service=call_world.waste,
            access_point=call_world.telephone,
            team=partner_team,
        )
    assert refused.value.field == "team"
    queue.refresh_from_db()
    assert (queue.service_id, queue.team_id) == (None, None)


def test_an_administrator_maps_a_queue_to_a_team_on_the_page(
    call_world: CallWorld, crews: Team, administrator: User, client_for: ClientFor
) -> None:
    _import(call_world, row("c1"))
    queue = CallQueue.objects.for_organisation(call_world.organisation).get()
    client = client_for(administrator)
    form = client.get(f"/calls/queues/{queue.pk}/").content.decode()
    assert "Team that answers the queue" in form
    assert "Collection crews (Waste and recycling)" in form
    response = client.post(
        f"/calls/queues/{queue.pk}/",
        {
            "service": call_world.waste.pk,
            "access_point": call_world.telephone.pk,
            "team": crews.pk,
        },
    )
    assert response.status_code == 302
    queue.refresh_from_db()
    assert (queue.service_id, queue.team_id) == (call_world.waste.pk, crews.pk)
    listing = client.get("/calls/queues/").content.decode()
    assert "Collection crews" in listing
    # The call imported before the mapping keeps no team; the next carries the crews.
    _import(call_world, row("c2"))
    assert _teams(call_world) == {"c1": None, "c2": crews.pk}


def test_the_page_refuses_another_organisations_team_and_changes_nothing(
    call_world: CallWorld,
    crews: Team,
    administrator: User,
    partner: Organisation,
    partner_administrator: User,
    client_for: ClientFor,
) -> None:
    _import(call_world, row("c1"))
    queue = CallQueue.objects.for_organisation(call_world.organisation).get()
    services.map_queue(
        queue, by=None, service=call_world.waste, access_point=call_world.telephone, team=crews
    )
    partner_team = case_factories.team(case_factories.service(partner, "Repairs"), "Repairs team")
    posted = {
        "service": call_world.waste.pk,
        "access_point": call_world.telephone.pk,
        "team": partner_team.pk,
    }
    response = client_for(administrator).post(f"/calls/queues/{queue.pk}/", posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Select a team" in page
    assert "Repairs team" not in page  # another organisation's teams are not offered
    # The partner's administrator cannot reach the council's queue at all.
    assert (
        client_for(partner_administrator).post(f"/calls/queues/{queue.pk}/", posted).status_code
        == 404
    )
    queue.refresh_from_db()
    assert queue.team_id == crews.pk

"""The demo council's call queues (mapped to its services and teams) and four weeks of call
records, as the telephone system would export them (called by ``onestop demo``; idempotent: the
queues are added and mapped by name first, so every call carries its queue's team, and the calls
only imported when the council has none yet).

The calls are made up but deterministic for a given day: a seeded generator, the same number
of calls every working day (more on Mondays, the peak), answered within a few seconds to a few
minutes, some abandoned, a few to voicemail or transferred.  Everything here is for
demonstration only."""

from __future__ import annotations

import datetime
import io
import random

from django.utils import timezone

from onestop.core.models import Organisation
from onestop.directory.models import AccessPoint, AccessPointKind, Service, Team
from onestop.standards import clock
from onestop.telephony import formats, services
from onestop.telephony.models import CallQueue, CallRecord

SOURCE = formats.GENERIC
WEEKS = 4
# queue name in the telephone system, the service its calls are for, calls on an ordinary day,
# the team that answers it (Waste and Recycling has no team: the contact centre's advisors do)
QUEUES = (
    ("Council Tax", "Council Tax", 14, "Council Tax team"),
    ("Benefits", "Housing Benefits", 8, "Benefits team"),
    ("Waste and Recycling", "Waste and Recycling", 12, "Advisors"),
    ("Housing Needs", "Housing Needs", 4, "Housing Needs"),
    ("Switchboard", "Customer Services", 6, "Advisors"),
)
AGENTS = ("advisor", "team.leader", "manager")
# Two demo customers' numbers, a third's landline, a number nobody has, and withheld.
CALLERS = ("07700 900001", "07700 900002", "01632 960003", "07700 900999", "")


def _calls(council: Organisation, today: datetime.date) -> str:
    """The demo's call records in the generic format, for the ``WEEKS`` before ``today``."""
    # Seeded, so the demo is the same every time; not for secrets.
    generator = random.Random(16)  # noqa: S311  # nosec B311
    lines = [",".join(formats.GENERIC_HEADER)]
    first = today - datetime.timedelta(weeks=WEEKS)
    day = first
    while day < today:
        if day.weekday() < 5:
            peak = 1.6 if day.weekday() == 0 else 1.0
            for queue, _service, per_day, _team in QUEUES:
                lines.extend(
                    _call(generator, day, queue, number) for number in range(int(per_day * peak))
                )
        day += datetime.timedelta(days=1)
    return "\n".join(lines) + "\n"


def _call(generator: random.Random, day: datetime.date, queue: str, number: int) -> str:
    local = datetime.datetime.combine(
        day, datetime.time(8, 30), tzinfo=clock.LONDON
    ) + datetime.timedelta(seconds=generator.randrange(0, 9 * 3600))
    offered = local.astimezone(datetime.UTC)
    roll = generator.random()
    wait = int(generator.expovariate(1 / 25))
    if roll < 0.08:
        outcome, answered = "abandoned", None
        ended = offered + datetime.timedelta(seconds=wait + 5)
    elif roll < 0.11:
        outcome, answered = "voicemail", None
        ended = offered + datetime.timedelta(seconds=wait + 60)
    else:
        outcome = "transferred" if roll < 0.15 else "answered"
        answered = offered + datetime.timedelta(seconds=wait)
        ended = answered + datetime.timedelta(seconds=60 + generator.randrange(0, 420))
    agent = generator.choice(AGENTS) if answered is not None else ""
    caller = generator.choice(CALLERS)
    call_id = f"demo-{day:%Y%m%d}-{queue[:3].lower()}-{number:03d}"
    return ",".join(
        [
            call_id,
            queue,
            offered.isoformat(timespec="seconds"),
            answered.isoformat(timespec="seconds") if answered else "",
            ended.isoformat(timespec="seconds"),
            outcome,
            agent,
            caller,
        ]
    )


def load_demo(council: Organisation) -> None:
    telephone = (
        AccessPoint.objects.for_organisation(council)
        .filter(kind=AccessPointKind.TELEPHONE)
        .order_by("name")
        .first()
    )
    if telephone is None:
        telephone = services.telephone_access_point(council, by=None)
    services_by_name = {
        service.name: service for service in Service.objects.for_organisation(council)
    }
    teams_by_name = {
        (team.service.name, team.name): team
        for team in Team.objects.for_organisation(council).select_related("service")
    }

    def team_of(team_name: str) -> Team | None:
        found = [team for (_service, name), team in teams_by_name.items() if name == team_name]
        return found[0] if len(found) == 1 else None

    # The queues first, mapped to their services and teams, so every call the import writes
    # carries its queue's team (as the telephone system's own import would, once mapped).
    for queue_name, service_name, _per_day, team_name in QUEUES:
        queue = (
            CallQueue.objects.for_organisation(council)
            .filter(source=SOURCE, name=queue_name)
            .first()
        )
        service = services_by_name.get(service_name)
        team = team_of(team_name)
        if queue is None:
            services.add_queue(
                council,
                by=None,
                source=SOURCE,
                name=queue_name,
                access_point=telephone,
                service=service,
                team=team,
            )
        elif service is not None and (queue.service_id, queue.team_id) != (
            service.pk,
            team.pk if team else None,
        ):
            services.map_queue(queue, by=None, service=service, access_point=telephone, team=team)
    if not CallRecord.objects.for_organisation(council).exists():
        services.import_calls(
            council,
            io.BytesIO(_calls(council, timezone.localdate()).encode("utf-8")),
            by=None,
            file_name="demo-call-records.csv",
        )

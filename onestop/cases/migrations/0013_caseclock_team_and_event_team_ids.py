import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000
TEAM_EVENTS = ("raised", "assigned")


def fill_event_team_ids(apps, schema_editor):
    """Each ``raised`` and ``assigned`` event written before teams were recorded by id gets the
    id of the team it names (``data["team"]``) where exactly one team of the case's organisation
    has that name now.  The rest keep the name only: a name no team has any more (the team was
    renamed or removed) or one several teams share (teams of different services may share a
    name); for those the per-team figures use the case's team now (``performance.queries.
    backlog``)."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Team = apps.get_model("directory", "Team")
    named: dict[tuple[int, str], list[int]] = {}
    for pk, organisation_id, name in Team.objects.values_list("pk", "organisation_id", "name"):
        named.setdefault((organisation_id, name), []).append(pk)
    last = 0
    while True:
        rows = list(
            CaseEvent.objects.filter(pk__gt=last, code__in=TEAM_EVENTS)
            .order_by("pk")
            .only("pk", "organisation_id", "data")[:BATCH]
        )
        if not rows:
            return
        changed = []
        for event in rows:
            data = event.data if isinstance(event.data, dict) else {}
            if "team_id" in data:
                continue
            teams = named.get((event.organisation_id, str(data.get("team", ""))), [])
            if len(teams) == 1:
                event.data = {**data, "team_id": teams[0]}
                changed.append(event)
        CaseEvent.objects.bulk_update(changed, ["data"])
        last = rows[-1].pk


def drop_event_team_ids(apps, schema_editor):
    """Going back: the events keep the team's name only, as before."""
    CaseEvent = apps.get_model("cases", "CaseEvent")
    last = 0
    while True:
        rows = list(
            CaseEvent.objects.filter(pk__gt=last, code__in=TEAM_EVENTS)
            .order_by("pk")
            .only("pk", "data")[:BATCH]
        )
        if not rows:
            return
        changed = []
        for event in rows:
            if isinstance(event.data, dict) and "team_id" in event.data:
                event.data = {key: value for key, value in event.data.items() if key != "team_id"}
                changed.append(event)
        CaseEvent.objects.bulk_update(changed, ["data"])
        last = rows[-1].pk


def fill_clock_teams(apps, schema_editor):
    """Each clock stopped before the team was recorded on it gets the team its case had when
    it stopped, from the case's history by the backlog's rule: the ``team_id`` of the last
    ``raised`` or ``assigned`` event at or before the stop (filled above where it could be),
    else the case's team now.  Running clocks stay empty: they count for the case's team now."""
    CaseClock = apps.get_model("cases", "CaseClock")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    last = 0
    while True:
        rows = list(
            CaseClock.objects.filter(pk__gt=last, stopped_at__isnull=False, team__isnull=True)
            .order_by("pk")
            .values_list("pk", "case_id", "stopped_at", "case__team_id")[:BATCH]
        )
        if not rows:
            return
        history: dict[int, list[tuple[object, object]]] = {}
        for case_id, at, data in (
            CaseEvent.objects.filter(case_id__in={row[1] for row in rows}, code__in=TEAM_EVENTS)
            .order_by("at", "pk")
            .values_list("case_id", "at", "data")
        ):
            team = data.get("team_id") if isinstance(data, dict) else None
            history.setdefault(case_id, []).append((at, team))
        by_team: dict[int, list[int]] = {}
        for pk, case_id, stopped_at, team_now in rows:
            team = None
            for at, recorded in history.get(case_id, []):
                if at > stopped_at:
                    break
                team = recorded
            by_team.setdefault(int(team) if team else team_now, []).append(pk)
        for team, ids in by_team.items():
            CaseClock.objects.filter(pk__in=ids).update(team_id=team)
        last = rows[-1][0]


class Migration(migrations.Migration):
    """Issue 17: the per-team figures of a past instant use the team a case had then.  The
    ``raised`` and ``assigned`` events now record the team's id (``team_id``) beside its name;
    the events written before are filled by name (``fill_event_team_ids``).  A clock records the
    team the case had when it stopped (``CaseClock.team``); the clocks stopped before are filled
    from the history (``fill_clock_teams``).  Going back drops the column and the ids."""

    dependencies = [
        ("cases", "0012_casetype_name_cy"),
        ("directory", "0004_welsh_words_for_residents"),
    ]

    operations = [
        migrations.RunPython(fill_event_team_ids, drop_event_team_ids, elidable=False),
        migrations.AddField(
            model_name="caseclock",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.team",
            ),
        ),
        migrations.RunPython(fill_clock_teams, migrations.RunPython.noop, elidable=False),
    ]

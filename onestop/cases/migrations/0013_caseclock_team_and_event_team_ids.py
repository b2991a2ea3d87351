from django.db import migrations

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


class Migration(migrations.Migration):
    """Issue 17: the per-team figures of a past instant use the team a case had then.  The
    ``raised`` and ``assigned`` events now record the team's id (``team_id``) beside its name;
    the events written before are filled by name (``fill_event_team_ids``)."""

    dependencies = [
        ("cases", "0012_casetype_name_cy"),
        ("directory", "0004_welsh_words_for_residents"),
    ]

    operations = [
        migrations.RunPython(fill_event_team_ids, drop_event_team_ids, elidable=False),
    ]

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def _team_of(memberships, user_id, service_id):
    """A copy of ``directory.queries.team_of`` (a migration imports no app code): the user's one
    team of the service; else, when none of theirs is, their only team; else none."""
    teams = memberships.get(user_id, [])
    of_service = [
        team for team, service in teams if service_id is not None and service == service_id
    ]
    candidates = of_service or [team for team, _service in teams]
    return candidates[0] if len(set(candidates)) == 1 else None


def fill_teams(apps, schema_editor):
    """Each call-back made before teams were recorded is given its advisor's team for the
    contact's service, as the memberships stand at the upgrade (the moment it was promised is
    long gone); those the rule cannot place (no team, or several) stay empty: no team."""
    Callback = apps.get_model("contacts", "Callback")
    TeamMembership = apps.get_model("directory", "TeamMembership")
    memberships = {}
    for user_id, team_id, service_id in TeamMembership.objects.values_list(
        "user_id", "team_id", "team__service_id"
    ):
        memberships.setdefault(user_id, []).append((team_id, service_id))
    last = 0
    while True:
        rows = list(
            Callback.objects.filter(pk__gt=last, team__isnull=True)
            .order_by("pk")
            .values_list("pk", "assigned_to_id", "contact__service_id")[:BATCH]
        )
        if not rows:
            return
        by_team = {}
        for pk, user_id, service_id in rows:
            team = _team_of(memberships, user_id, service_id)
            if team is not None:
                by_team.setdefault(team, []).append(pk)
        for team, ids in by_team.items():
            Callback.objects.filter(pk__in=ids).update(team_id=team)
        last = rows[-1][0]


class Migration(migrations.Migration):
    """The team a call-back belongs to (issue 17: per-team figures from call-backs), recorded
    when it is promised; existing call-backs are filled by the same rule (``fill_teams``)."""

    dependencies = [
        ("contacts", "0006_contact_avoidable"),
        ("directory", "0004_welsh_words_for_residents"),
    ]

    operations = [
        migrations.AddField(
            model_name="callback",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.team",
            ),
        ),
        migrations.RunPython(fill_teams, migrations.RunPython.noop),  # the column goes back
    ]

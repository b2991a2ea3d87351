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
    """Each complaint stage with an owner is given the owner's team for the complaint's (lead)
    service, as the memberships stand at the upgrade; a stage with no owner, or whose owner the
    rule cannot place (no team, or several), stays empty: no team."""
    ComplaintStage = apps.get_model("feedback", "ComplaintStage")
    TeamMembership = apps.get_model("directory", "TeamMembership")
    memberships = {}
    for user_id, team_id, service_id in TeamMembership.objects.values_list(
        "user_id", "team_id", "team__service_id"
    ):
        memberships.setdefault(user_id, []).append((team_id, service_id))
    last = 0
    while True:
        rows = list(
            ComplaintStage.objects.filter(pk__gt=last, team__isnull=True)
            .order_by("pk")
            .values_list("pk", "owner_id", "feedback__lead_service_id", "feedback__service_id")[
                :BATCH
            ]
        )
        if not rows:
            return
        by_team = {}
        for pk, owner_id, lead_service_id, service_id in rows:
            team = _team_of(memberships, owner_id, lead_service_id or service_id)
            if team is not None:
                by_team.setdefault(team, []).append(pk)
        for team, ids in by_team.items():
            ComplaintStage.objects.filter(pk__in=ids).update(team_id=team)
        last = rows[-1][0]


class Migration(migrations.Migration):
    """The team handling a complaint's stage (issue 17: per-team figures from complaint stages),
    recorded when the stage is given its owner; existing stages are filled by the same rule
    (``fill_teams``)."""

    dependencies = [
        ("directory", "0004_welsh_words_for_residents"),
        ("feedback", "0005_restrictions_contributions_councillors"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaintstage",
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

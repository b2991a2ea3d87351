"""The escalation sweep's next time moves from ``Case.next_escalation_at`` to ``EscalationDue``.

A sweep rewrites the next time of every case it escalates (tens of thousands at once).  As an
indexed column of the wide case table, each such update wrote an entry in every index of the
table; in a narrow table of its own it writes three.  Existing times are copied (cases with
nothing left have no row: the services write one when they schedule the case again).
"""

import django.db.models.deletion
from django.db import migrations, models

COPY = """
INSERT INTO cases_escalationdue (organisation_id, case_id, next_at)
SELECT organisation_id, id, next_escalation_at FROM cases_case
WHERE next_escalation_at IS NOT NULL
"""
COPY_BACK = """
UPDATE cases_case SET next_escalation_at = (
    SELECT d.next_at FROM cases_escalationdue d WHERE d.case_id = cases_case.id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_drop_redundant_indexes"),
        ("core", "0002_auditrecord_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="EscalationDue",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("next_at", models.DateTimeField(blank=True, null=True)),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalation_due",
                        to="cases.case",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["organisation", "next_at", "case"],
                "indexes": [
                    models.Index(fields=["organisation", "next_at"], name="escalationdue_org_next")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "organisation"), name="escalationdue_unique_case"
                    )
                ],
            },
        ),
        migrations.RunSQL(COPY, COPY_BACK),
        migrations.RemoveIndex(model_name="case", name="case_org_escalation"),
        migrations.RemoveField(model_name="case", name="next_escalation_at"),
    ]

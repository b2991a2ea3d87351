import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0008_drop_redundant_organisation_indexes"),
        ("core", "0005_auditrecord_list_read_actions"),
        ("customers", "0005_role_equality_edit_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=255)),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("storage_name", models.CharField(max_length=64)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("staff", "Added by staff"),
                            ("web", "Sent with an online report"),
                        ],
                        default="staff",
                        max_length=10,
                    ),
                ),
                ("uploaded_at", models.DateTimeField()),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="cases.case",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="customers.customer",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organisation",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-uploaded_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("case__isnull", False), ("customer__isnull", True)),
                            models.Q(("case__isnull", True), ("customer__isnull", False)),
                            _connector="OR",
                        ),
                        name="document_has_one_owner",
                    ),
                    models.UniqueConstraint(
                        fields=("organisation", "storage_name"), name="document_org_storage_name"
                    ),
                ],
            },
        ),
    ]

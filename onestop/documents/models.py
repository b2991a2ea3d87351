"""Documents and photos attached to a case or a customer.

The bytes live outside the web root (``ONESTOP_DOCUMENTS_DIR``) under an unguessable name
(``storage_name``); the row keeps what staff see (the cleaned file name, type and size), who
added it and from where.  Each document belongs to exactly one owner: a case or a customer,
named by string so that this app imports neither (``documents.owners`` has the access rules).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned


class DocumentSource(models.TextChoices):
    STAFF = "staff", _("Added by staff")
    WEB = "web", _("Sent with an online report")


class Document(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=64)
    source = models.CharField(
        max_length=10, choices=DocumentSource.choices, default=DocumentSource.STAFF
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(case__isnull=False, customer__isnull=True)
                    | models.Q(case__isnull=True, customer__isnull=False)
                ),
                name="document_has_one_owner",
            ),
            models.UniqueConstraint(
                fields=["organisation", "storage_name"], name="document_org_storage_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

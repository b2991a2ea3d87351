"""C2 Customers: one record per person, business or community group in an organisation.

The skeleton below is the contract other apps build on (``Customer`` and its primary key);
the customers capability adds names, addresses, phones, e-mails, markers and equality data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned, Timestamped


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    BUSINESS = "business", _("Business")
    GROUP = "group", _("Community group")


class Customer(OrganisationOwned, Timestamped):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(
        max_length=20, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    display_name = models.CharField(max_length=300)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "display_name"], name="customer_org_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

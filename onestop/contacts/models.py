"""C3 Contacts: every interaction on every channel.

The skeleton below is the contract other apps build on (``Contact``, its customer and time);
the contacts capability adds channels, reasons, outcomes, times and the advisor desk.
"""

from __future__ import annotations

from django.db import models

from onestop.core.models import OrganisationOwned
from onestop.customers.models import Customer


class Contact(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "-received_at"]
        indexes = [
            models.Index(fields=["organisation", "received_at"], name="contact_org_received"),
            models.Index(
                fields=["organisation", "customer", "received_at"], name="contact_org_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk}"

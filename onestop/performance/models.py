"""The performance app's own records (figures are computed from the other apps' raw records)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned, Timestamped
from onestop.directory.models import Service

# --- the quarterly return (perf-telephony) -------------------------------------------------------


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class QuarterlyReturn(OrganisationOwned, Timestamped):
    """A service's quarterly return: the figures pre-filled from the registered reports (a copy
    taken when it was started and on every save while a draft, kept as submitted), the head of
    service's commentary and actions (one a line), then submitted and locked.  A manager may
    reopen a submitted return with a reason (``reopened_reason`` keeps the last; the audit trail
    every one)."""

    id = models.BigAutoField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    first = models.DateField(help_text="The quarter's first day.")
    last = models.DateField(help_text="The quarter's last day.")
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    # [{"report": code, "title": ..., "columns": [...], "rows": [[...], ...]}, ...]: each
    # pre-filled report's first table for the service and the quarter, values as text.
    figures = models.JSONField(default=list, blank=True)
    figures_at = models.DateTimeField(null=True, blank=True)
    commentary = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["organisation", "-first", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "first"], name="quarterlyreturn_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "first"], name="quarterlyreturn_org_first"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.first.isoformat()}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReturnStatus.SUBMITTED

    @property
    def action_lines(self) -> list[str]:
        return [line.strip() for line in self.actions.splitlines() if line.strip()]


# --- end of the quarterly return ------------------------------------------------------------------

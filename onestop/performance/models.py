"""The performance app's own records (figures are computed from the other apps' raw records)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned, Timestamped
from onestop.directory.models import Service


# --- perf-volumes: report files generated on schedule and on demand ------------------------------
class Cadence(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Annual (financial year)")
    ON_DEMAND = "on-demand", _("On demand")


class ReportFile(OrganisationOwned):
    """One written report file (any registered report), kept for download: the worker writes
    the monthly, quarterly and annual files once each (the unique rule), staff write any
    report on demand.  The file's bytes are kept here: a report is a few kilobytes of counts."""

    id = models.BigAutoField(primary_key=True)
    report = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    first_day = models.DateField()
    last_day = models.DateField()
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    file_format = models.CharField(max_length=10)
    service = models.CharField(max_length=200, blank=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-generated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "report", "first_day", "last_day", "file_format"],
                condition=~Q(cadence="on-demand"),
                name="reportfile_scheduled_once",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "generated_at"], name="reportfile_org_generated")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.first_day} to {self.last_day} ({self.file_format})"

    @property
    def file_name(self) -> str:
        return f"{self.report}-{self.first_day}-{self.last_day}.{self.file_format}"


# --- end perf-volumes ----------------------------------------------------------------------------
# --- perf-standards: comparator authorities --------------------------------------------------


class Comparator(OrganisationOwned, Timestamped):
    """Another authority's figure for a measure over a period, entered as data (a survey's table,
    a benchmark club's return) and shown beside the council's own; never computed here.

    ``measure`` is a short code the pages group by (``mori-helpfulness``, ``calls``, or a
    standard's code); ``value`` is as published (a percentage or a count, ``unit`` says which).
    """

    class Unit(models.TextChoices):
        PERCENT = "percent", _("Per cent")
        COUNT = "count", _("Count")

    id = models.BigAutoField(primary_key=True)
    comparator = models.CharField(max_length=120)
    measure = models.SlugField(max_length=60)
    period_first = models.DateField()
    period_last = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["organisation", "measure", "-value", "comparator"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_last__gte=models.F("period_first")),
                name="comparator_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "measure", "period_first"], name="comparator_org")
        ]

    def __str__(self) -> str:
        return f"{self.comparator} {self.measure} {self.value}"


# --- end perf-standards ------------------------------------------------------------------------

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

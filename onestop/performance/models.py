"""The performance app's own records (figures are computed from the other apps' raw records)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned, Timestamped


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

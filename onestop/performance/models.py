"""The performance app's own records (figures are computed from the other apps' raw records)."""

from __future__ import annotations

# --- perf-standards: comparator authorities --------------------------------------------------
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned, Timestamped


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

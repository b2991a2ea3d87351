"""Comparator authorities' figures an organisation entered, as data (``performance.Comparator``)."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.core.models import Organisation
from onestop.performance.models import Comparator


def comparators_of(organisation: Organisation) -> QuerySet[Comparator]:
    """The organisation's comparator rows, by measure and then the highest value first."""
    return Comparator.objects.for_organisation(organisation).order_by("measure", "-value")

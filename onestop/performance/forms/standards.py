"""The dashboard's period and filters (GET), and an administrator's comparator row (POST)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Channel
from onestop.core import reporting
from onestop.core.forms import GovukForm

KINDS = (("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")))
YEAR_KINDS = (
    ("calendar", _("Calendar (January to December)")),
    ("financial", _("Financial (April to March)")),
)
MONTHS = [(number, datetime.date(2000, number, 1).strftime("%B")) for number in range(1, 13)]


class PeriodForm(GovukForm):
    kind = forms.ChoiceField(label=_("Period"), choices=KINDS)
    year_kind = forms.ChoiceField(
        label=_("Type of year"),
        help_text=_("Only when the period is Year"),
        choices=YEAR_KINDS,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=_("Month (the period holding it)"), choices=MONTHS, coerce=int
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    service = forms.ChoiceField(label=_("Service"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    access_point = forms.ChoiceField(label=_("Access point"), required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        services: list[tuple[str, str]],
        teams: list[tuple[str, str]],
        access_points: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        everything: list[tuple[str, Any]] = [("", _("All"))]
        for name, choices in (
            ("service", services),
            ("team", teams),
            ("channel", list(Channel.choices)),
            ("access_point", access_points),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = [*everything, *choices]

    def period(self) -> reporting.Period:
        data = self.cleaned_data
        day = datetime.date(data["year"], data["month"], 1)
        if data["kind"] == "month":
            return reporting.month_of(day)
        if data["kind"] == "quarter":
            return reporting.quarter_of(day)
        return reporting.year_of(day, financial=data.get("year_kind") == "financial")


class ComparatorForm(GovukForm):
    comparator = forms.CharField(label=_("Comparator authority"), max_length=120)
    measure = forms.SlugField(
        label=_("Measure code"), max_length=60, help_text=_("For example mori-helpfulness")
    )
    period_first = forms.DateField(label=_("First day (YYYY-MM-DD)"))
    period_last = forms.DateField(label=_("Last day (YYYY-MM-DD)"))
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, min_value=0)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=(("percent", _("Per cent")), ("count", _("Count")))
    )
    source = forms.CharField(label=_("Source"), max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("period_first"), data.get("period_last")
        if first and last and last < first:
            self.add_error(
                "period_last", _("The last day must be the same as or after the first day")
            )
        return data

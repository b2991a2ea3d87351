from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukDateField, GovukFormMixin, PlainTextFormMixin
from onestop.standards.models import UnitChoice


class ClosureDayForm(PlainTextFormMixin, forms.Form):
    day = GovukDateField(label=_("Date"), help_text=_("For example, 29 12 2026"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class WhenDueForm(GovukFormMixin, forms.Form):
    start = GovukDateField(label=_("Date received"), help_text=_("For example, 23 12 2026"))
    start_time = forms.TimeField(
        label=_("Time received"),
        help_text=_("For example, 10:00 or 14:30"),
        input_formats=["%H:%M", "%H.%M", "%H"],
        error_messages={
            "required": _("Enter the time received"),
            "invalid": _("Enter the time received as a real time, like 14:30"),
        },
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    standard = forms.TypedChoiceField(label=_("Standard"), coerce=int, required=False, choices=[])
    amount = forms.IntegerField(label=_("Amount"), min_value=0, required=False)
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("", _("Choose a unit")), *list(UnitChoice.choices)],
        required=False,
    )

    def __init__(self, *args: Any, standards: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [  # type: ignore[attr-defined]
            ("", _("None: use the amount and unit below")),
            *standards,
        ]
        # Long standard names must not widen the select past a phone's screen (375 px).
        self.fields["standard"].widget.attrs["class"] = "govuk-select govuk-!-width-full"
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("start"), data.get("start_time")
        if isinstance(day, datetime.date) and isinstance(time, datetime.time):
            data["start"] = timezone.make_aware(datetime.datetime.combine(day, time))
        if not data.get("standard") and (data.get("amount") is None or not data.get("unit")):
            raise forms.ValidationError(_("Choose a standard, or enter an amount and a unit"))
        return data


class StandardForm(PlainTextFormMixin, forms.Form):
    """Change a standard's promise: title, time limit and target share."""

    title = forms.CharField(label=_("Title"), max_length=200)
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"),
        max_length=200,
        required=False,
        help_text=_(
            "Shown when a resident reads the charter in Welsh; empty shows the English. Start "
            "with what we do, like “Ateb llythyrau o fewn 10 diwrnod gwaith”"
        ),
    )
    amount = forms.IntegerField(
        label=_("Time limit"),
        min_value=1,
        max_value=100_000,
        required=False,
        help_text=_("Leave empty for a share-only standard, like resolving at first contact."),
    )
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", _("No time limit")), *UnitChoice.choices], required=False
    )
    target_percent = forms.DecimalField(
        label=_("Target share (%)"), min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "title_cy"):
            self.fields[name].widget.attrs["class"] = "govuk-input"
        self.fields["title_cy"].widget.attrs["lang"] = "cy"
        for name in ("amount", "target_percent"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-5"
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        self.fields["unit"].widget.attrs["class"] = "govuk-select"

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        amount, unit = cleaned.get("amount"), cleaned.get("unit")
        if amount is not None and not unit:
            self.add_error("unit", _("Choose the unit of the time limit"))
        if amount is None and unit:
            self.add_error("amount", _("Enter the time limit, or choose no time limit"))
        return cleaned


class TargetForm(PlainTextFormMixin, forms.Form):
    """A target share in force from a year on (targets rise year by year)."""

    year = forms.IntegerField(label=_("From year"), min_value=2000, max_value=2060)
    target_percent = forms.DecimalField(
        label=_("Target share (%)"), min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("year", "target_percent"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-5"
            self.fields[name].widget.attrs["inputmode"] = "numeric"

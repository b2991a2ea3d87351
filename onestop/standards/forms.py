from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.standards.models import UnitChoice


class ClosureDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), help_text=_("For example, 2026-12-29"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class WhenDueForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Received at"), help_text=_("For example, 2026-12-23 10:00")
    )
    standard = forms.TypedChoiceField(label=_("Standard"), coerce=int, required=False, choices=[])
    amount = forms.IntegerField(label=_("Amount"), min_value=0, required=False)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", ""), *list(UnitChoice.choices)], required=False
    )

    def __init__(self, *args: Any, standards: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [("", ""), *standards]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("standard") and (data.get("amount") is None or not data.get("unit")):
            raise forms.ValidationError(_("Choose a standard, or enter an amount and a unit"))
        return data

"""The complaint reports' filters: the period (first and last day) and a service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukDateField, GovukForm
from onestop.feedback.queries import reports


class ReportFilterForm(GovukForm):
    start = GovukDateField(label=_("From"), error_name=_("The first day"))
    end = GovukDateField(label=_("To (included)"), error_name=_("The last day"))
    service = forms.ChoiceField(label=_("Service"), required=False, choices=())

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [
            ("", _("All services")),
            *services,
            (reports.NO_SERVICE, _("No service recorded")),
        ]
        self.style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            try:
                cleaned["period"] = reports.make_period(start, end)
            except reports.PeriodError as error:
                self.add_error("end", forms.ValidationError(str(error), code="period"))
        return cleaned

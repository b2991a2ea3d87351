"""The form that writes any registered report on demand: report, period, format, service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core import reporting
from onestop.core.forms import GovukDateField, GovukForm
from onestop.feedback.queries.reports import NO_SERVICE

FORMAT_LABELS = {
    "csv": _("CSV"),
    "xlsx": _("XLSX (spreadsheet)"),
    "pdf": _("PDF"),
}


class ReportFileForm(GovukForm):
    report = forms.ChoiceField(label=_("Report"), choices=())
    start = GovukDateField(label=_("From"), error_name=_("The first day"))
    end = GovukDateField(label=_("To (included)"), error_name=_("The last day"))
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=list(FORMAT_LABELS.items()),
        widget=forms.RadioSelect,
    )
    service = forms.ChoiceField(label=_("Service"), required=False, choices=())

    def __init__(self, *args: Any, services: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        report = self.fields["report"]
        assert isinstance(report, forms.ChoiceField)  # noqa: S101
        report.choices = [
            (code, str(definition.title))
            for code, definition in reporting.registered_reports().items()
        ]
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)  # noqa: S101
        service.choices = [
            ("", _("All services")),
            *services,
            (NO_SERVICE, _("No service recorded")),
        ]
        self.style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            try:
                cleaned["period"] = reporting.make_period(start, end)
            except reporting.PeriodError as error:
                self.add_error("end", forms.ValidationError(str(error), code="period"))
        code, file_format = cleaned.get("report"), cleaned.get("file_format")
        if code and file_format:
            definition = reporting.registered_reports()[code]
            if file_format not in definition.formats:
                self.add_error(
                    "file_format",
                    forms.ValidationError(
                        _("%(report)s is written as %(formats)s only")
                        % {
                            "report": definition.title,
                            "formats": ", ".join(f.upper() for f in definition.formats),
                        },
                        code="format",
                    ),
                )
        return cleaned

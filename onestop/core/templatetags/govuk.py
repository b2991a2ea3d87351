"""Template helpers for GOV.UK Design System form markup."""

from __future__ import annotations

import datetime

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from onestop.core import dates

register = template.Library()

_ERROR_MODIFIERS = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
}


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    """Render the widget linked to its hint and error message, marked when it has an error.

    ``aria-describedby`` names the hint (``<id>-hint``) and the error (``<id>-error``) that
    ``core/includes/field.html`` prints, so screen readers announce both with the input.
    """
    widget_id = field.id_for_label
    attrs: dict[str, str | bool] = {}
    described_by = []
    if field.help_text:
        described_by.append(f"{widget_id}-hint")
    if field.errors:
        described_by.append(f"{widget_id}-error")
        classes = str(field.field.widget.attrs.get("class", "")).split()
        modifiers = [_ERROR_MODIFIERS[name] for name in classes if name in _ERROR_MODIFIERS]
        attrs["class"] = " ".join([*classes, *modifiers])
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter(name="govuk_date")
def govuk_date_filter(value: datetime.date | datetime.datetime | None) -> str:
    """``{{ case.received_at|govuk_date }}``: "1 December 2026"."""
    return dates.govuk_date(value)


@register.filter(name="govuk_datetime")
def govuk_datetime_filter(value: datetime.datetime | None) -> str:
    """``{{ entry.at|govuk_datetime }}``: "1 December 2026 at 2:05pm"."""
    return dates.govuk_datetime(value)


@register.filter(name="govuk_time")
def govuk_time_filter(value: datetime.datetime | datetime.time | None) -> str:
    """``{{ session.opens|govuk_time }}``: "9am", "2:05pm"."""
    return dates.govuk_time(value) if value is not None else ""

"""The base of every form: the plain-text rule, and GOV.UK Design System classes for widgets.

Every form of the project inherits ``PlainTextFormMixin`` (``GovukFormMixin`` includes it; a walker
test checks every form class), so every text input refuses NUL, control, bidirectional and
zero-width characters with a field error (``core.text``), including fields a form adds after
``__init__``.  ``core/includes/field.html`` (with the ``govuk_widget`` filter) renders the label,
hint, error message and the error modifier; ``GovukFormMixin`` gives each widget its base class.
"""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from onestop.core.text import guard_plain_text, has_control_characters, refusal_message

WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.TextInput: "govuk-input",
    forms.EmailInput: "govuk-input",
    forms.PasswordInput: "govuk-input",
    forms.URLInput: "govuk-input",
    forms.NumberInput: "govuk-input",
    forms.DateInput: "govuk-input",
}
# Short inputs get a fixed width unless the form chose one.
DEFAULT_WIDTHS: dict[type[forms.Widget], str] = {
    forms.NumberInput: "govuk-input--width-10",
    forms.DateInput: "govuk-input--width-10",
}


class PlainTextFormMixin:
    """Put before ``forms.Form``: every text input gets the plain-text check when the form is
    cleaned (so fields added or replaced in ``__init__`` are covered too)."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        guard_plain_text(self.fields)
        super().full_clean()  # type: ignore[misc]


class GovukFormMixin(PlainTextFormMixin):
    """Call ``self._style()`` at the end of ``__init__``: adds each widget's GOV.UK base class
    (and a default width for numbers and dates), keeping classes the form set itself."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget_type = type(field.widget)
            base = WIDGET_CLASSES.get(widget_type)
            if base is None:
                continue
            classes = str(field.widget.attrs.get("class", "")).split()
            if base not in classes:
                classes.insert(0, base)
            width = DEFAULT_WIDTHS.get(widget_type)
            if width and not any("--width-" in name for name in classes):
                classes.append(width)
            field.widget.attrs["class"] = " ".join(classes)


def query_text(query: QueryDict, name: str, *, limit: int, label: str) -> tuple[str, str]:
    """A search box's text read straight from the query string (``?q=``), by the same rule as
    every form: ``(text, "")``, or ``("", message)`` when it holds refused characters (the page
    shows the message as the box's error and searches for nothing)."""
    text = query.get(name, "")[:limit]
    if has_control_characters(text):
        return "", refusal_message(label)
    return text, ""

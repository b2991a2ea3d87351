"""What a form's fields are, as pages and checks use them: for tests that a form built one way
(copied from fields built once) is the form built another (afresh)."""

from __future__ import annotations

from typing import Any

from django import forms


def described(form: forms.BaseForm) -> list[Any]:
    """Everything of each field a page or a check uses."""
    return [
        (
            name,
            type(field).__name__,
            str(field.label),
            str(field.help_text),
            field.required,
            sorted((key, str(text)) for key, text in field.error_messages.items()),
            type(field.widget).__name__,
            sorted(field.widget.attrs.items()),
            [
                (type(check).__name__, str(getattr(check, "message", "")))
                for check in field.validators
            ],
            [(str(value), str(label)) for value, label in getattr(field, "choices", [])],
        )
        for name, field in form.fields.items()
    ]

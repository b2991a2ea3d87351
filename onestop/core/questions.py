"""Questions as data, and the form fields that ask them.

A case type's questions (``CaseType.attributes``) are stored as a list of
``{"code", "label", "kind", "required", "choices"}``; a form for a reader of another language
may add ``choice_labels``, the words shown for each choice (the answer stored stays the
choice).  The staff raise form and the residents' report form both ask them.  The pieces
here are what those forms share, so neither imports the other's app (``portal`` does not
import ``cases.forms``).  Surveys and complaint forms can ask
questions of the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukDateField


class AttributeKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple-choice", _("Multiple choice")
    LOCATION = "location", _("Location")


def attribute_field_name(code: str) -> str:
    """The form field name of the question ``code``."""
    return f"attribute_{code}"


def question_field(question: dict[str, Any]) -> forms.Field:
    """The form field asking ``question``, with errors that name the question."""
    field = _question_input(question)
    label = question["label"]
    field.error_messages["required"] = _("Answer “%(label)s”") % {"label": label}
    field.error_messages["invalid_choice"] = _("Choose an answer to “%(label)s” from the list") % {
        "label": label
    }
    return field


def _question_input(question: dict[str, Any]) -> forms.Field:
    label = question["label"]
    required = bool(question.get("required"))
    values = list(question.get("choices", []))
    labels = question.get("choice_labels")
    shown = labels if isinstance(labels, list) and len(labels) == len(values) else values
    choices = list(zip(values, shown, strict=True))
    kind = question.get("kind", AttributeKind.TEXT)
    if kind == AttributeKind.NUMBER:
        # A text input, as the GOV.UK Design System asks: a browser's number input drops
        # letters without a word ("lots" arrives empty), so the mistake could be neither
        # refused nor kept; typed as text, it gets "Enter a number" and stays in the box.
        return forms.DecimalField(
            label=label,
            required=required,
            max_digits=14,
            widget=forms.TextInput(
                attrs={
                    "inputmode": "decimal",
                    "spellcheck": "false",
                    "class": "govuk-input--width-10",
                }
            ),
        )
    if kind == AttributeKind.DATE:
        return GovukDateField(label=label, required=required)
    if kind == AttributeKind.CHOICE:
        return forms.ChoiceField(
            label=label, required=required, choices=choices, widget=forms.RadioSelect
        )
    if kind == AttributeKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            label=label, required=required, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    max_length = 200 if kind == AttributeKind.LOCATION else 2_000
    return forms.CharField(label=label, required=required, max_length=max_length)


def add_question_fields(form: forms.BaseForm, questions: Sequence[dict[str, Any]]) -> None:
    """Add a field to ``form`` for each question, in order."""
    for question in questions:
        form.fields[attribute_field_name(question["code"])] = question_field(question)


def answers(form: forms.BaseForm, questions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The answers ``form`` cleaned, by question code; unanswered questions are left out and
    dates are ISO strings (as the services store them)."""
    found: dict[str, Any] = {}
    for question in questions:
        value = form.cleaned_data.get(attribute_field_name(question["code"]))
        if value in (None, "", []):
            continue
        found[question["code"]] = value.isoformat() if hasattr(value, "isoformat") else value
    return found

"""Questions as data, and the form fields that ask them.

A case type's questions (``CaseType.attributes``) are stored as a list of
``{"code", "label", "kind", "required", "choices"}``; a date question may add ``dates``, the
dates it accepts (``DateRange``: today or in the past, today or in the future; left out, any
date), and a form for a reader of another language may add ``choice_labels``, the words shown
for each choice (the answer stored stays the choice).  Whatever its ``dates``, a date question
refuses a year nobody means (before ``EARLIEST_DATE`` or more than ``YEARS_AHEAD`` years
ahead): ``date_problem`` says so, for the forms and for ``cases.services.clean_attributes``.

The staff raise form and the residents' report form both ask them.  The pieces here are what
those forms share, so neither imports the other's app (``portal`` does not import
``cases.forms``).  Surveys and complaint forms can ask questions of the same shape.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core.dates import govuk_date
from onestop.core.forms import GovukDateField


class AttributeKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple-choice", _("Multiple choice")
    LOCATION = "location", _("Location")


class DateRange(models.TextChoices):
    """The dates a date question accepts (``"dates"`` in its definition)."""

    ANY = "any", _("Any date")
    TODAY_OR_PAST = "past", _("Today or in the past")
    TODAY_OR_FUTURE = "future", _("Today or in the future")


#: Whatever a date question accepts, no date before this one (a year typed as 0026 or 1026)...
EARLIEST_DATE = datetime.date(1900, 1, 1)
#: ... nor after the end of the year this many years from now (a year typed as 2062 for 2026).
YEARS_AHEAD = 5


def date_range_of(question: dict[str, Any]) -> str:
    """The dates ``question`` accepts (``DateRange``); any date when it does not say, or says
    something unknown (a definition saved before questions had a range)."""
    dates = question.get("dates")
    return str(dates) if dates in DateRange.values else DateRange.ANY


def latest_date(today: datetime.date) -> datetime.date:
    """The last date any date question accepts on ``today``: the end of the year
    ``YEARS_AHEAD`` years on."""
    return datetime.date(today.year + YEARS_AHEAD, 12, 31)


def date_problem(
    dates: str, value: datetime.date, *, name: str, today: datetime.date
) -> tuple[str, str] | None:
    """Why the date question named ``name`` (as its messages name it), accepting ``dates``,
    refuses ``value`` on ``today``: ``(message, code)`` in the GOV.UK "Dates" pattern's words,
    or ``None`` when it accepts it.  The question's own range comes first (a missed collection
    typed as 2062 is told it must be in the past), then the years nobody means."""
    if dates == DateRange.TODAY_OR_PAST and value > today:
        return str(_("%(name)s must be today or in the past") % {"name": name}), "past"
    if dates == DateRange.TODAY_OR_FUTURE and value < today:
        return str(_("%(name)s must be today or in the future") % {"name": name}), "future"
    if value < EARLIEST_DATE:
        return str(
            _("%(name)s must be the same as or after %(date)s")
            % {"name": name, "date": govuk_date(EARLIEST_DATE)}
        ), "too_early"
    latest = latest_date(today)
    if value > latest:
        return str(
            _("%(name)s must be the same as or before %(date)s")
            % {"name": name, "date": govuk_date(latest)}
        ), "too_late"
    return None


class QuestionDateField(GovukDateField):
    """A date question's field: the GOV.UK date input, refusing what ``date_problem`` refuses."""

    def __init__(self, *, dates: str = DateRange.ANY, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dates = dates

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        problem = date_problem(self.dates, value, name=self._name(), today=timezone.localdate())
        if problem is not None:
            self._refuse(*problem)


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
        return QuestionDateField(label=label, required=required, dates=date_range_of(question))
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

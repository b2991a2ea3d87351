"""A date question accepts the dates its case type says (any, today or in the past, today or
in the future) and, whatever it says, no year nobody means (before 1900, or more than five
years ahead); refused in the GOV.UK "Dates" pattern's words, in English and in Welsh."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django import forms
from django.utils import translation

from onestop.core.forms import GovukForm
from onestop.core.questions import (
    DateRange,
    QuestionDateField,
    add_question_fields,
    date_problem,
    date_range_of,
    latest_date,
)
from tests.govuk_dates import date_input

TODAY = "2026-12-07 10:00+00:00"
FIELD = "attribute_collection-day"
TOO_EARLY = "Collection day must be the same as or after 1 January 1900"
TOO_LATE = "Collection day must be the same as or before 31 December 2031"
PAST = "Collection day must be today or in the past"
FUTURE = "Collection day must be today or in the future"


def _form(typed: str, *, dates: str | None = None, language: str = "en-gb") -> forms.Form:
    question: dict[str, Any] = {"code": "collection-day", "label": "Collection day", "kind": "date"}
    if dates is not None:
        question["dates"] = dates
    with translation.override(language):
        form = GovukForm(data=date_input(FIELD, typed))
        add_question_fields(form, [question])
        form.is_valid()
    return form


def _errors(form: forms.Form, language: str = "en-gb") -> list[str]:
    with translation.override(language):
        return [str(error) for error in form.errors.get(FIELD, [])]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("dates", "typed", "errors"),
    [
        # the question's own range
        (DateRange.TODAY_OR_PAST, "7/12/2026", []),
        (DateRange.TODAY_OR_PAST, "1/12/2026", []),
        (DateRange.TODAY_OR_PAST, "8/12/2026", [PAST]),
        # a missed collection four years ahead: its own range speaks first
        (DateRange.TODAY_OR_PAST, "1/12/2030", [PAST]),
        (DateRange.TODAY_OR_FUTURE, "7/12/2026", []),
        (DateRange.TODAY_OR_FUTURE, "8/12/2027", []),
        (DateRange.TODAY_OR_FUTURE, "6/12/2026", [FUTURE]),
        (DateRange.ANY, "1/12/2030", []),
        (None, "1/1/1990", []),
        # the years nobody means, whatever the range
        (None, "31/12/2031", []),
        (None, "1/1/2032", [TOO_LATE]),
        (DateRange.ANY, "1/1/9999", [TOO_LATE]),
        (None, "1/1/1900", []),
        (None, "31/12/1899", [TOO_EARLY]),
        (DateRange.TODAY_OR_PAST, "1/1/0001", [TOO_EARLY]),
        (DateRange.TODAY_OR_FUTURE, "1/1/2099", [TOO_LATE]),
        # malformed, as before: the GOV.UK messages for a date that is not one
        (DateRange.TODAY_OR_PAST, "31/2/2026", ["Collection day must be a real date"]),
        (DateRange.ANY, "1/1/99999", ["Collection day must be a real date"]),
        (DateRange.ANY, "1/1/26", ["Year must include 4 numbers"]),
        (DateRange.ANY, "1/13/2026", ["Collection day must be a real date"]),
        (DateRange.ANY, "<script>/1/2026", ["Collection day must be a real date"]),
        (DateRange.ANY, "", []),
    ],
)  # fmt: skip
def test_a_date_question_accepts_only_its_dates(
    dates: str | None, typed: str, errors: list[str]
) -> None:
    assert _errors(_form(typed, dates=dates)) == errors


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("dates", "typed", "error"),
    [
        ("past", "8/12/2026", "Rhaid i Collection day fod heddiw neu yn y gorffennol"),
        ("future", "6/12/2026", "Rhaid i Collection day fod heddiw neu yn y dyfodol"),
        ("any", "31/12/1899", "Rhaid i Collection day fod ar 1 Ionawr 1900 neu ar ôl hynny"),
        ("any", "1/1/2032", "Rhaid i Collection day fod ar 31 Rhagfyr 2031 neu cyn hynny"),
    ],
)  # fmt: skip
def test_the_refusals_are_in_welsh_on_a_welsh_page(dates: str, typed: str, error: str) -> None:
    form = _form(typed, dates=dates, language="cy")
    assert _errors(form, "cy") == [error]


@time_machine.travel(TODAY, tick=False)
def test_the_refused_date_marks_every_box_and_the_summary_links_to_the_day() -> None:
    form = _form("8/12/2026", dates=DateRange.TODAY_OR_PAST)
    field = form.fields[FIELD]
    assert isinstance(field, QuestionDateField)
    assert form[FIELD].id_for_label == f"id_{FIELD}_day"
    assert form.errors.as_data()[FIELD][0].code == "past"


@pytest.mark.parametrize(
    ("question", "dates"),
    [
        ({"kind": "date"}, DateRange.ANY),
        ({"kind": "date", "dates": "past"}, DateRange.TODAY_OR_PAST),
        ({"kind": "date", "dates": "future"}, DateRange.TODAY_OR_FUTURE),
        ({"kind": "date", "dates": "sideways"}, DateRange.ANY),
        ({"kind": "date", "dates": ["past"]}, DateRange.ANY),
        ({"kind": "date", "dates": None}, DateRange.ANY),
    ],
)
def test_a_question_saved_before_ranges_or_with_nonsense_accepts_any_date(
    question: dict[str, Any], dates: str
) -> None:
    assert date_range_of(question) == dates


def test_the_latest_date_is_the_end_of_the_fifth_year_ahead() -> None:
    assert latest_date(datetime.date(2026, 1, 1)) == datetime.date(2031, 12, 31)
    assert latest_date(datetime.date(2028, 2, 29)) == datetime.date(2033, 12, 31)
    today = datetime.date(2026, 12, 7)
    assert date_problem(DateRange.ANY, today, name="X", today=today) is None

"""Dates the GOV.UK way: one date input (day, month, year) wherever a date is typed, refused in
the "Dates" pattern's words, and "1 December 2026" / "1 December 2026 at 2:05pm" wherever one
is shown."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.template import Context, Template

from onestop.core import dates
from onestop.core.forms import GovukDateField, GovukForm
from onestop.customers import forms as customer_forms
from onestop.directory import forms as directory_forms
from onestop.standards import forms as standard_forms
from onestop.trust import forms as trust_forms
from tests.govuk_dates import date_input

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (datetime.date(2026, 12, 1), "1 December 2026"),
        (datetime.datetime(2026, 12, 1, 14, 5, tzinfo=LONDON), "1 December 2026"),
        # 23:30 UTC on 30 June is already 1 July in London.
        (datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC), "1 July 2026"),
        (None, ""),
    ],
)
def test_a_date_is_shown_without_a_leading_zero_and_with_the_month_in_full(
    value: datetime.date | None, shown: str
) -> None:
    assert dates.govuk_date(value) == shown


@pytest.mark.parametrize(
    ("hour", "minute", "shown"),
    [
        (14, 5, "1 December 2026 at 2:05pm"),
        (10, 0, "1 December 2026 at 10am"),
        (12, 0, "1 December 2026 at midday"),
        (0, 0, "1 December 2026 at midnight"),
        (0, 30, "1 December 2026 at 12:30am"),
        (12, 30, "1 December 2026 at 12:30pm"),
    ],
)
def test_a_time_is_shown_in_govuk_style(hour: int, minute: int, shown: str) -> None:
    moment = datetime.datetime(2026, 12, 1, hour, minute, tzinfo=LONDON)
    assert dates.govuk_datetime(moment) == shown


def test_the_template_filters_are_core_s() -> None:
    template = Template(
        "{% load govuk %}{{ day|govuk_date }}|{{ moment|govuk_datetime }}|{{ moment|govuk_time }}"
    )
    moment = datetime.datetime(2026, 3, 2, 9, 7, tzinfo=datetime.UTC)
    shown = template.render(Context({"day": datetime.date(2026, 3, 2), "moment": moment}))
    assert shown == "2 March 2026|2 March 2026 at 9:07am|9:07am"


class _BirthForm(GovukForm):
    date_of_birth = GovukDateField(label="Date of birth", past=True, birthday=True)
    review = GovukDateField(label="Review date (optional)", required=False, future=True)


@pytest.mark.parametrize(
    ("typed", "message", "boxes"),
    [
        ("", "Enter date of birth", ("day", "month", "year")),
        ("12//1980", "Date of birth must include a month", ("month",)),
        ("/3/1980", "Date of birth must include a day", ("day",)),
        ("12/3/", "Date of birth must include a year", ("year",)),
        ("//1980", "Date of birth must include a day and month", ("day", "month")),
        ("12//", "Date of birth must include a month and year", ("month", "year")),
        ("/3/", "Date of birth must include a day and year", ("day", "year")),
        ("31/2/1980", "Date of birth must be a real date", ("day", "month", "year")),
        ("0/3/1980", "Date of birth must be a real date", ("day", "month", "year")),
        ("12/13/1980", "Date of birth must be a real date", ("day", "month", "year")),
        ("12/3/80", "Year must include 4 numbers", ("year",)),
        ("1/1/2999", "Date of birth must be in the past", ("day", "month", "year")),
        # Hostile and oversized boxes: a plain "real date" message, never a crash.
        ("1\x00/3/1980", "Date of birth must be a real date", ("day", "month", "year")),
        ("9" * 10_000 + "/3/1980", "Date of birth must be a real date", ("day", "month", "year")),
        ("١٢/3/1980", "Date of birth must be a real date", ("day", "month", "year")),
        ("<b>1</b>/3/1980", "Date of birth must be a real date", ("day", "month", "year")),
    ],
)
@time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=LONDON), tick=False)
def test_a_refused_date_gets_the_govuk_message_and_marks_its_boxes(
    typed: str, message: str, boxes: tuple[str, ...]
) -> None:
    form = _BirthForm(data=date_input("date_of_birth", typed))
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]
    html = form["date_of_birth"].as_widget()
    for part in ("day", "month", "year"):
        found = re.search(f'<input class="([^"]*)" id="id_date_of_birth_{part}"', html)
        assert found is not None
        assert ("govuk-input--error" in found.group(1)) == (part in boxes), part
    assert form["date_of_birth"].id_for_label == f"id_date_of_birth_{boxes[0]}"


@time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=LONDON), tick=False)
def test_a_good_date_is_cleaned_and_an_optional_one_may_be_left_empty() -> None:
    form = _BirthForm(data=date_input("date_of_birth", "02/3/1980"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"date_of_birth": datetime.date(1980, 3, 2), "review": None}
    future = _BirthForm(
        data={**date_input("date_of_birth", "2/3/1980"), **date_input("review", "1/12/2026")}
    )
    assert future.errors["review"] == ["Review date must be in the future"]


def test_the_date_input_is_govuk_markup_in_a_fieldset() -> None:
    form = _BirthForm(initial={"date_of_birth": datetime.date(1980, 3, 2)})
    html = Template('{% include "core/includes/field.html" with field=field %}').render(
        Context({"field": form["date_of_birth"]})
    )
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of birth' in html
    assert 'class="govuk-date-input" id="id_date_of_birth"' in html
    assert html.count('class="govuk-date-input__item"') == 3
    assert 'name="date_of_birth_day" type="text" value="2"' in html
    assert 'name="date_of_birth_month" type="text" value="3"' in html
    assert 'name="date_of_birth_year" type="text" value="1980"' in html
    assert 'autocomplete="bday-month"' in html
    assert "govuk-input--width-4" in html
    assert 'aria-describedby="id_date_of_birth-hint"' in html


# Every form where a date is typed asks for it with the one date input.
DATE_FIELDS: list[tuple[type[forms.Form], str]] = [
    (customer_forms.CustomerDetailsForm, "date_of_birth"),
    (customer_forms.PreviousNameForm, "used_until"),
    (customer_forms.MarkerForm, "review_on"),
    (customer_forms.MarkerReviewForm, "review_on"),
    (trust_forms.AuditFilterForm, "date_from"),
    (trust_forms.AuditFilterForm, "date_to"),
    (standard_forms.ClosureDayForm, "day"),
    (standard_forms.WhenDueForm, "start"),
    (directory_forms.OpeningExceptionForm, "date"),
]


@pytest.mark.parametrize(
    ("form_class", "name"), DATE_FIELDS, ids=[f"{f.__name__}.{n}" for f, n in DATE_FIELDS]
)
def test_every_typed_date_is_the_govuk_date_field(form_class: type[forms.Form], name: str) -> None:
    field = form_class.base_fields[name]
    assert isinstance(field, GovukDateField)


def test_a_date_question_is_asked_with_the_govuk_date_input() -> None:
    from onestop.core.questions import question_field

    field = question_field({"code": "day", "label": "Collection day", "kind": "date"})
    assert isinstance(field, GovukDateField)


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        # 25 October 2026: the clocks go back at 02:00 BST, so 01:00 to 01:59 happens twice.
        ((2026, 10, 24, 23, 59), "25 October 2026 at 12:59am"),
        ((2026, 10, 25, 0, 0), "25 October 2026 at 1am BST"),
        ((2026, 10, 25, 0, 30), "25 October 2026 at 1:30am BST"),
        ((2026, 10, 25, 0, 59), "25 October 2026 at 1:59am BST"),
        ((2026, 10, 25, 1, 0), "25 October 2026 at 1am GMT"),
        ((2026, 10, 25, 1, 30), "25 October 2026 at 1:30am GMT"),
        ((2026, 10, 25, 1, 59), "25 October 2026 at 1:59am GMT"),
        ((2026, 10, 25, 2, 0), "25 October 2026 at 2am"),
        # 29 March 2026: the clocks go forward; no time happens twice.
        ((2026, 3, 29, 0, 59), "29 March 2026 at 12:59am"),
        ((2026, 3, 29, 1, 0), "29 March 2026 at 2am"),
        ((2026, 7, 1, 0, 30), "1 July 2026 at 1:30am"),
    ],
)
def test_a_time_in_the_hour_the_clocks_go_back_says_bst_or_gmt(
    utc: tuple[int, int, int, int, int], shown: str
) -> None:
    value = datetime.datetime(*utc, tzinfo=datetime.UTC)
    assert dates.govuk_datetime(value) == shown
    rendered = Template("{% load govuk %}{{ value|govuk_datetime }}|{{ value|govuk_time }}")
    assert rendered.render(Context({"value": value})) == f"{shown}|{shown.split(' at ')[1]}"


def test_a_naive_time_or_a_time_of_day_has_no_zone() -> None:
    assert dates.govuk_time(datetime.time(1, 30)) == "1:30am"
    assert dates.repeated_hour_zone(datetime.datetime(2026, 10, 25, 1, 30)) == ""  # noqa: DTZ001

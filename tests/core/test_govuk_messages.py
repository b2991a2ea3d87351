"""``core.forms.govuk_messages`` and ``apply_govuk_messages`` remember their words for each field
class, name, label and language (every form is cleaned with them on every request): what they
remember must never be another class's, label's or language's words."""

from __future__ import annotations

from django import forms
from django.utils import translation

from onestop.core.forms import GovukForm, govuk_messages


class _Form(GovukForm):
    name = forms.CharField(label="Name")
    days = forms.IntegerField(label="Days", required=False)


GOVUK_WORDS = {
    "en-gb": ("Enter name", "Days must be a whole number"),
    # The GOV.UK words in Welsh (onestop/locale/cy); the labels are this form's own, in English.
    "cy": ("Rhowch name", "Rhaid i Days fod yn rhif cyfan"),
}


def test_each_language_gets_the_govuk_words_not_djangos() -> None:
    for language in ("en-gb", "cy", "en-gb"):  # each after the other has been remembered
        with translation.override(language):
            django_words = str(forms.Field.default_error_messages["required"])
            form = _Form(data={"name": "", "days": "x"})
            assert not form.is_valid()
        required, whole_number = GOVUK_WORDS[language]
        assert form.errors["name"] == [required], language
        assert form.errors["days"] == [whole_number], language
        assert django_words not in str(form.errors)


def test_the_words_follow_the_class_and_the_label() -> None:
    text, number = forms.CharField(label="Days"), forms.IntegerField(label="Days")
    assert govuk_messages("days", text)["invalid"] == "Enter days in the correct format"
    assert govuk_messages("days", number)["invalid"] == "Days must be a whole number"
    number.label = "Weeks"
    assert govuk_messages("days", number)["required"] == "Enter weeks"
    assert govuk_messages("days", forms.IntegerField())["required"] == "Enter days"


def test_each_caller_gets_its_own_copy() -> None:
    field = forms.CharField(label="Name")
    govuk_messages("name", field)["required"] = "changed"
    assert govuk_messages("name", field)["required"] == "Enter name"


def test_a_form_that_changes_a_label_gets_that_labels_words() -> None:
    form = _Form(data={"name": ""})
    form.fields["name"].label = "Full name"
    assert not form.is_valid()
    assert form.errors["name"] == ["Enter full name"]

"""GOV.UK form fields link their hint and error to the input for screen readers."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class _NameForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="As on your council tax bill",
        max_length=5,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )


def test_a_field_with_an_error_is_described_by_its_hint_and_error() -> None:
    form = _NameForm(data={"name": "far too long"})
    html = render_to_string("core/includes/field.html", {"field": form["name"]})
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'id="id_name-error" class="govuk-error-message"' in html
    assert "govuk-form-group--error" in html


def test_a_valid_field_is_described_by_its_hint_only() -> None:
    form = _NameForm(data={"name": "Ann"})
    html = render_to_string("core/includes/field.html", {"field": form["name"]})
    assert 'aria-describedby="id_name-hint"' in html
    assert "govuk-input--error" not in html

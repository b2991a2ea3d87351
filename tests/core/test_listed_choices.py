"""A listed choice (``core.forms.ListedChoiceField``) reads its options once as ``(key, label)``
pairs for both the select and the check of the value sent, and accepts and refuses exactly what
Django's ``ModelChoiceField`` accepts and refuses for the same records."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from onestop.core.forms import GovukForm, Listed, ListedChoiceField
from onestop.core.models import Organisation


class _Listed(GovukForm):
    organisation = ListedChoiceField(label="Organisation", required=False, empty_label="Any")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, ListedChoiceField)
        field.set_listed(Organisation.objects.order_by("name").values_list("pk", "name"))


class _Plain(GovukForm):
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.order_by("name"), required=False
    )


@pytest.mark.django_db
def test_the_options_are_read_once_for_the_check_the_select_and_the_view(
    council: Organisation, partner: Organisation
) -> None:
    with CaptureQueriesContext(connection) as queries:
        form = _Listed(data={"organisation": str(partner.pk)})
        assert form.is_valid()
        html = render_to_string("core/includes/field.html", {"field": form["organisation"]})
        field = form.fields["organisation"]
        assert isinstance(field, ListedChoiceField)
        assert field.listed(council.pk) == Listed(council.pk, council.name)
        assert field.listed(None) is None
        assert field.listed(-1) is None
    assert form.cleaned_data["organisation"] == Listed(partner.pk, partner.name)
    assert str(form.cleaned_data["organisation"]) == partner.name
    assert f'<option value="{partner.pk}" selected>{partner}</option>' in html
    assert f'<option value="{council.pk}">{council}</option>' in html
    assert '<option value="">Any</option>' in html
    assert len(queries) == 1


@pytest.mark.django_db
def test_the_select_is_the_one_a_model_choice_shows(
    council: Organisation, partner: Organisation
) -> None:
    for value in ("", str(council.pk)):
        listed = _Listed(data={"organisation": value})
        plain = _Plain(data={"organisation": value})
        plain_field = plain.fields["organisation"]
        assert isinstance(plain_field, forms.ModelChoiceField)
        plain_field.empty_label = "Any"
        plain_field.widget.choices = plain_field.choices
        assert render_to_string(
            "core/includes/field.html", {"field": listed["organisation"]}
        ) == render_to_string("core/includes/field.html", {"field": plain["organisation"]})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["", " ", "abc", "1e9", "-1", "0", "99999999999999999999", "1" * 5000, "\x00", "1\x00",
     "{pk}", " {pk} ", "{pk}.0", "{pk}0", "test-council", "+{pk}", "{pk}\n"],
    ids=["empty", "space", "word", "exponent", "negative", "zero", "huge", "oversized", "nul",
         "nul-after", "pk", "padded-pk", "decimal-pk", "unknown-pk", "slug", "plus-pk",
         "newline-pk"],
)  # fmt: skip
def test_a_listed_choice_accepts_and_refuses_what_a_model_choice_does(
    council: Organisation, partner: Organisation, value: str
) -> None:
    value = value.replace("{pk}", str(council.pk))
    listed, plain = _Listed(data={"organisation": value}), _Plain(data={"organisation": value})
    assert listed.is_valid() == plain.is_valid(), value
    codes: Any = [error.code for error in listed.errors.as_data().get("organisation", [])]
    assert codes == [error.code for error in plain.errors.as_data().get("organisation", [])]
    if plain.is_valid():
        chosen = plain.cleaned_data["organisation"]
        expected = None if chosen is None else Listed(chosen.pk, chosen.name)
        assert listed.cleaned_data["organisation"] == expected


def test_the_options_are_what_djangos_choices_setters_make_of_them() -> None:
    """``set_listed`` sets the field's and the widget's choices without the setters' second
    and third walk over them: the lists must be what the setters would have made."""
    from django.utils.choices import normalize_choices

    field = ListedChoiceField(label="Team", required=False, empty_label="Any")
    pairs = [(3, "Crews <north>"), (1, "Bins & streets"), (2, "Ysgolion")]
    field.set_listed(pairs)

    expected = normalize_choices([("", "Any"), *pairs])
    assert field.choices == expected
    assert field.widget.choices == expected
    copied = field.__deepcopy__({})
    assert copied.choices == expected
    assert copied.widget.choices == expected

"""A listed model choice (``core.forms.ListedModelChoiceField``) reads its queryset once for
both the select and the check of the value sent, and accepts and refuses exactly what Django's
``ModelChoiceField`` does."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from onestop.core.forms import GovukForm, ListedModelChoiceField
from onestop.core.models import Organisation


class _Listed(GovukForm):
    organisation = ListedModelChoiceField(
        label="Organisation", queryset=Organisation.objects.order_by("name"), required=False
    )
    by_slug = ListedModelChoiceField(
        label="By slug",
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        required=False,
    )


class _Plain(GovukForm):
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.order_by("name"), required=False
    )
    by_slug = forms.ModelChoiceField(
        label="By slug",
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        required=False,
    )


@pytest.mark.django_db
def test_the_choices_are_read_once_for_the_check_the_select_and_the_view(
    council: Organisation, partner: Organisation
) -> None:
    with CaptureQueriesContext(connection) as queries:
        form = _Listed(data={"organisation": str(partner.pk)})
        assert form.is_valid()
        html = render_to_string("core/includes/field.html", {"field": form["organisation"]})
        field = form.fields["organisation"]
        assert isinstance(field, ListedModelChoiceField)
        assert field.choice_objects() == [council, partner]
    assert form.cleaned_data["organisation"] == partner
    assert f'<option value="{partner.pk}" selected>{partner}</option>' in html
    assert f'<option value="{council.pk}">{council}</option>' in html
    assert len(queries) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["", " ", "abc", "1e9", "-1", "0", "99999999999999999999", "1" * 5000, "\x00", "1\x00",
     "{pk}", " {pk} ", "{pk}.0", "{pk}0", "test-council", "TEST-COUNCIL", "test-council "],
    ids=["empty", "space", "word", "exponent", "negative", "zero", "huge", "oversized", "nul",
         "nul-after", "pk", "padded-pk", "decimal-pk", "unknown-pk", "slug", "upper-slug",
         "padded-slug"],
)  # fmt: skip
def test_a_listed_choice_accepts_and_refuses_what_a_model_choice_does(
    council: Organisation, partner: Organisation, value: str
) -> None:
    value = value.replace("{pk}", str(council.pk))
    for name in ("organisation", "by_slug"):
        listed, plain = _Listed(data={name: value}), _Plain(data={name: value})
        assert listed.is_valid() == plain.is_valid(), (name, value)
        codes: Any = [error.code for error in listed.errors.as_data().get(name, [])]
        assert codes == [error.code for error in plain.errors.as_data().get(name, [])]
        if plain.is_valid():
            assert listed.cleaned_data[name] == plain.cleaned_data[name]


@pytest.mark.django_db
def test_objects_given_are_the_options_and_the_check_without_a_read(
    council: Organisation, partner: Organisation
) -> None:
    kept = list(Organisation.objects.filter(pk=partner.pk))  # as a cache would hand them back

    with CaptureQueriesContext(connection) as queries:
        form = _Listed(data={"organisation": str(partner.pk)})
        field = form.fields["organisation"]
        assert isinstance(field, ListedModelChoiceField)
        field.use_objects(kept)
        assert form.is_valid()
        html = render_to_string("core/includes/field.html", {"field": form["organisation"]})
        refused = _Listed(data={"organisation": str(council.pk)})
        refused_field = refused.fields["organisation"]
        assert isinstance(refused_field, ListedModelChoiceField)
        refused_field.use_objects(kept)
        assert not refused.is_valid()  # not among the objects given, though in the queryset
    assert len(queries) == 0
    assert form.cleaned_data["organisation"] == partner
    assert f'<option value="{partner.pk}" selected>{partner}</option>' in html
    assert f'value="{council.pk}"' not in html
    assert refused.errors["organisation"] == ["Select organisation from the list"]

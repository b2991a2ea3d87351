"""GOV.UK form fields link their hint and error to the input for screen readers."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from onestop.core import forms as core_forms
from onestop.core.forms import SELECT_TEMPLATE, GovukForm, GovukFormMixin
from onestop.core.models import Organisation


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


class _EveryKindForm(forms.Form):
    """A text input, radios, checkboxes, a single checkbox and a hidden field, each with an
    error, and a form-wide error."""

    name = forms.CharField(label="Name", max_length=5)
    channel = forms.ChoiceField(
        label="Channel", choices=[("phone", "Phone"), ("email", "Email")], widget=forms.RadioSelect
    )
    topics = forms.MultipleChoiceField(
        label="Topics",
        choices=[("bins", "Bins"), ("roads", "Roads")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="I agree")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Something is wrong with the form as a whole")


class _NoVisibleFieldForm(forms.Form):
    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Nothing to do")


class _Page(HTMLParser):
    """The ids on a page and the targets of the error summary's links, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and str(found.get("href") or "").startswith("#"):
            self.links.append(str(found["href"])[1:])


def _page(form: forms.Form) -> _Page:
    html = str(render_to_string("core/includes/error_summary.html", {"form": form}))
    html += "".join(
        render_to_string("core/includes/field.html", {"field": field})
        for field in form.visible_fields()
    )
    html += "".join(str(field) for field in form.hidden_fields())
    page = _Page()
    page.feed(html)
    return page


def test_every_error_summary_link_targets_an_element_on_the_page() -> None:
    form = _EveryKindForm(
        data={"f-name": "far too long", "f-channel": "post", "f-topics": ["x"], "f-version": "v"},
        prefix="f",
    )
    assert set(form.errors) == {"__all__", "name", "channel", "topics", "agree", "version"}
    page = _page(form)
    assert page.links == [
        "id_f-name",  # the form-wide error: the first visible input
        "id_f-name",
        "id_f-channel",  # the first radio
        "id_f-topics",  # the first checkbox
        "id_f-agree",
        "id_f-name",  # the hidden field's: nothing to see there, so the first visible input
    ]
    assert set(page.links) <= page.ids


def test_a_field_error_links_to_the_fields_input_id() -> None:
    page = _page(_NameForm(data={"name": "far too long"}))
    assert page.links == ["id_name"]
    assert "id_name" in page.ids


def test_a_form_wide_error_without_visible_fields_is_plain_text() -> None:
    form = _NoVisibleFieldForm(data={})
    html = render_to_string("core/includes/error_summary.html", {"form": form})
    assert "Nothing to do" in html
    assert "href=" not in html


class _OrganisationForm(GovukFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.order_by("name")


@pytest.mark.django_db
def test_model_choices_are_read_in_one_ordinary_statement(
    council: Organisation, partner: Organisation
) -> None:
    form = _OrganisationForm()
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("core/includes/field.html", {"field": form["organisation"]})
        render_to_string("core/includes/field.html", {"field": form["organisation"]})
    assert f'<option value="{council.pk}">{council}</option>' in html
    assert f'<option value="{partner.pk}">{partner}</option>' in html
    # Not a server-side cursor (DECLARE, FETCH, CLOSE on PostgreSQL), and read once.
    assert [query["sql"].split()[0] for query in queries] == ["SELECT"]


def test_a_select_renders_exactly_as_djangos_own_template_would() -> None:
    choices = [("", "Any"), ("1", 'Crews <North> & "South"'), ("2", "Town")]
    ours = forms.Select(choices=choices, attrs={"class": "govuk-select", "id": "id_team"})
    ours.template_name = SELECT_TEMPLATE
    django_own = forms.Select(choices=choices, attrs={"class": "govuk-select", "id": "id_team"})
    html = ours.render("team", "1")
    assert html == django_own.render("team", "1")
    assert '<option value="1" selected>Crews &lt;North&gt; &amp; &quot;South&quot;</option>' in html
    grouped = [("Group <1>", [("a", "A")]), ("b", "B")]
    ours_grouped = forms.Select(choices=grouped)
    ours_grouped.template_name = SELECT_TEMPLATE
    assert ours_grouped.render("x", "a") == forms.Select(choices=grouped).render("x", "a")


class _TaggedSelect(forms.Select):
    """Options carrying attributes of every kind (text to escape, true, false)."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"].update({"data-note": 'a "b" <c>', "data-on": True, "data-off": False})
        return option


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_select_options_filter_writes_what_djangos_option_templates_write(
    language: str,
) -> None:
    choices: list[Any] = [
        ("", gettext_lazy("Any")),
        (1, 1234),  # a number label is localised as {{ }} would
        ("<x>", mark_safe("<b>safe</b>")),  # a safe label stays as it is
        ("s", 'Tom & Jerry\'s "quotes"'),
        (None, "none as the value"),
        (gettext_lazy("January"), [("7", "Seven"), (mark_safe("8&amp;"), "Eight")]),
    ]
    for widget_class in (forms.Select, forms.SelectMultiple, _TaggedSelect):
        ours = widget_class(choices=choices, attrs={"class": "govuk-select", "id": "id_x"})
        ours.template_name = SELECT_TEMPLATE
        django_own = widget_class(choices=choices, attrs={"class": "govuk-select", "id": "id_x"})
        for value in ("", "7", ["s", "7"], "<x>", None):
            with translation.override(language):
                assert ours.render("x", value) == django_own.render("x", value), (
                    widget_class,
                    value,
                )


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_plain_select_writes_what_djangos_select_writes(language: str) -> None:
    """``core.forms.Select`` (every plain select of a GOV.UK form) writes its options in one
    pass over its choices: the same bytes as Django's own templates, for text to escape, safe
    text, numbers, lazy text, an empty value, groups, and a value chosen twice (only the first
    option is selected, as Django selects it)."""
    choices: list[Any] = [
        ("", gettext_lazy("Any")),
        (1, 1234),
        ("<x>", mark_safe("<b>safe</b>")),
        ("s", 'Tom & Jerry\'s "quotes"'),
        (None, "none as the value"),
        (gettext_lazy("January"), [("7", "Seven"), (mark_safe("8&amp;"), "Eight")]),
        ("7", "Seven again"),
    ]
    ours = core_forms.Select(choices=choices, attrs={"class": "govuk-select", "id": "id_x"})
    django_own = forms.Select(choices=choices, attrs={"class": "govuk-select", "id": "id_x"})
    for value in ("", "7", ["s", "7"], "<x>", None, "1", "not a choice"):
        with translation.override(language):
            assert ours.render("x", value) == django_own.render("x", value), value


def test_a_govuk_form_gives_its_plain_selects_the_one_pass_select() -> None:
    class _Form(GovukForm):
        colour = forms.ChoiceField(choices=[("r", "Red"), ("b", "Blue")], required=False)
        many = forms.MultipleChoiceField(choices=[("r", "Red")], required=False)

    form = _Form({"colour": "b"})
    assert type(form.fields["colour"].widget) is core_forms.Select
    assert form["colour"].widget_type == "select"
    assert type(form.fields["many"].widget) is forms.SelectMultiple  # left as Django's
    html = render_to_string("core/includes/field.html", {"field": form["colour"]})
    assert '<option value="b" selected>Blue</option>' in html
    assert 'class="govuk-select"' in html

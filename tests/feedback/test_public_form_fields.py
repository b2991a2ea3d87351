"""The complaints route's form fields are built once per language (``forms._public_fields``)
and copied for each form: every form, and every question page's cut-down form, gets fields of
its own that are the same as those built the way each form used to build them; the service
question alone reads the services; the check page's GET words the answers without checking
them again."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from onestop.core.forms import GovukForm
from onestop.core.text import guard_text_fields
from onestop.feedback import forms, queries
from onestop.feedback.forms import public as steps
from onestop.feedback.views import public as views
from tests.feedback.conftest import World
from tests.form_fields import described

BAD = {
    "kind": "rant",
    "about": "",
    "service": "999999",
    "staff_named": "\x00",
    "what_happened": "x" * 20_000,
    "wanted": "fine",
    "given_name": "",
    "family_name": "Walker",
    "email": "robin@example.org",
    "phone": "",
    "leave_blank": "",
}
PAGES = [
    ("kind", {"kind": "comment"}),
    ("about", {"about": "service"}),
    ("service", {"service": ""}),
    ("what-happened", {"what_happened": "The bin lorry blocked my drive."}),
    ("wanted", {"wanted": ""}),
    ("reply", {"email": "", "phone": ""}),
    ("name", {"given_name": "", "family_name": ""}),
]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forms._public_fields.cache_clear()
    cache.clear()
    yield
    forms._public_fields.cache_clear()
    cache.clear()


def _built_afresh(form: forms.PublicFeedbackForm) -> forms.PublicFeedbackForm:
    """``form`` with its fields replaced by ones built as every form built them before:
    the declared fields copied, styled, then the services offered, no ``maxlength``, the
    plain-text and length checks, styled again; then cut down to ``form``'s own."""
    holder = GovukForm()
    holder.fields = copy.deepcopy(forms.PublicFeedbackForm.declared_fields)
    holder.style()
    services = form.fields.get("service")
    if services is not None:
        holder.fields["service"].use_objects(services.choice_objects())  # type: ignore[attr-defined]
    forms._no_maxlength(holder)
    guard_text_fields(holder)
    holder.style()
    form.fields = {name: field for name, field in holder.fields.items() if name in form.fields}
    step = getattr(form, "step", None)
    if step is not None and len(step.fields) == 1 and step.hint:  # a question page's hint
        form.fields[step.fields[0]].help_text = str(step.hint)
    return form


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_a_copied_form_is_the_form_built_afresh(world: World, language: str) -> None:
    services = queries.public_services(world.organisation)
    with translation.override(language):
        copied = forms.PublicFeedbackForm(services=services)
        afresh = _built_afresh(forms.PublicFeedbackForm(services=services))
        assert described(copied) == described(afresh)
        assert str(copied) == str(afresh)
        assert "Waste and Recycling" in str(copied["service"])
        refused_copied = forms.PublicFeedbackForm(BAD, services=services)
        refused_afresh = _built_afresh(forms.PublicFeedbackForm(BAD, services=services))
        assert not refused_copied.is_valid()
        assert not refused_afresh.is_valid()
        assert refused_copied.errors == refused_afresh.errors
        assert len(refused_copied.errors) >= 4


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_each_question_page_has_its_own_fields_as_built_afresh(world: World, language: str) -> None:
    services = queries.public_services(world.organisation)
    with translation.override(language):
        for step in steps.STEPS:
            form = steps.PublicStepForm(step=step, services=services)
            assert list(form.fields) == [*step.fields, forms.HONEYPOT]
            afresh = _built_afresh(steps.PublicStepForm(step=step, services=services))
            assert described(form) == described(afresh), step.slug
            refused = steps.PublicStepForm(BAD, step=step, services=services)
            refused_afresh = _built_afresh(steps.PublicStepForm(BAD, step=step, services=services))
            assert refused.is_valid() == refused_afresh.is_valid()
            assert refused.errors == refused_afresh.errors


def test_each_form_has_fields_of_its_own(world: World) -> None:
    services = queries.public_services(world.organisation)
    first = forms.PublicFeedbackForm(services=services)
    second = forms.PublicFeedbackForm(services=services)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].widget is not second.fields[name].widget
        assert first.fields[name].error_messages is not second.fields[name].error_messages
    before = described(second)

    first.fields["what_happened"].widget.attrs["class"] = "changed"
    first.fields["what_happened"].error_messages["required"] = "changed"
    first.fields["what_happened"].validators.clear()
    first.fields["kind"].choices = [("changed", "changed")]  # type: ignore[attr-defined]
    first.fields["service"].use_objects([])  # type: ignore[attr-defined]
    first.fields["wanted"].help_text = "changed"
    del first.fields["email"]

    assert described(forms.PublicFeedbackForm(services=services)) == before
    assert described(second) == before
    # A question page's hint is its own form's, never the next form's.
    steps.PublicStepForm(step=steps.STEP_BY_SLUG["wanted"])
    assert str(forms.PublicFeedbackForm().fields["wanted"].help_text) == ""


def test_the_fields_are_built_once_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    original = guard_text_fields

    def counting(form: Any) -> None:
        built.append(str(translation.get_language()))
        original(form)

    monkeypatch.setattr(forms, "guard_text_fields", counting)
    for _round in range(3):
        forms.PublicFeedbackForm()
        steps.PublicStepForm(step=steps.STEPS[0])
    with translation.override("cy"):
        forms.PublicFeedbackForm()
        steps.PublicStepForm(step=steps.STEPS[1])
        welsh = forms.PublicFeedbackForm().fields["what_happened"].validators

    assert built == ["en-gb", "cy"]
    english = forms.PublicFeedbackForm().fields["what_happened"].validators
    assert [str(getattr(check, "message", "")) for check in english] != [
        str(getattr(check, "message", "")) for check in welsh
    ]


def _base(world: World) -> str:
    return f"/feedback/o/{world.organisation.slug}/"


def test_only_the_service_question_reads_the_services(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    original = queries.public_services

    def counting(organisation: Any) -> Any:
        read.append("services")
        return original(organisation)

    monkeypatch.setattr(queries, "public_services", counting)
    client = Client()
    for slug, answers in PAGES[:2]:
        assert client.get(f"{_base(world)}{slug}/").status_code == 200
        assert client.post(f"{_base(world)}{slug}/", answers).status_code == 302
    assert read == []
    page = client.get(f"{_base(world)}service/")
    assert page.status_code == 200
    assert "Waste and Recycling" in page.content.decode()
    assert read == ["services"]
    assert client.post(f"{_base(world)}service/", {"service": str(world.waste.pk)}).status_code == (
        302
    )


def test_the_check_pages_get_checks_nothing_and_its_post_shows_every_mistake(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    for slug, answers in PAGES:
        assert client.post(f"{_base(world)}{slug}/", answers).status_code == 302
    cleaned: list[bool] = []
    original = forms.PublicFeedbackForm.full_clean

    def counting(form: forms.PublicFeedbackForm) -> None:
        cleaned.append(form.is_bound)
        original(form)

    monkeypatch.setattr(forms.PublicFeedbackForm, "full_clean", counting)
    page = client.get(f"{_base(world)}check/")
    assert page.status_code == 200
    assert "govuk-error-summary" not in page.content.decode()
    assert "The bin lorry blocked my drive." in page.content.decode()
    assert cleaned == []

    # A mistake only the whole form finds (a name given in the session, tampered with: a
    # family name without a given one) is shown on the POST, linked to its page.
    session = client.session
    kept = session[views.ANSWERS_KEY][str(world.organisation.pk)]
    session[views.ANSWERS_KEY] = {str(world.organisation.pk): {**kept, "family_name": "Walker"}}
    session.save()
    refused = client.post(f"{_base(world)}check/")
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "govuk-error-summary" in body
    assert f'href="{_base(world)}name/?from=check"' in body
    assert cleaned == [True]

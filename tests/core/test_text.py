"""One rule for hidden characters (``core.text``), applied by every form, the API and mail
(issue 11, item 7)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pytest
from django import forms
from django.test import Client

import onestop
from onestop.channels import mail
from onestop.core.forms import PlainTextFormMixin
from onestop.core.models import User
from onestop.core.text import HIDDEN, has_control_characters, hidden_ranges, is_hidden
from onestop.directory.models import Service
from tests.govuk_dates import date_input

ClientFor = Callable[[User], Client]

REFUSED = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200b", "\u200e",
           "\ufeff", "\u2028", "\u2029", "\ud800", "\ufffd", "\xad", "\U000e0041"]  # fmt: skip
ALLOWED = ["Sam", "Zoë O\u2019Brien", "\t", "\n", "\r\n", "\u200c", "\u200d", "👩\u200d👧",
           "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "क्\u200dष", "😀"]  # fmt: skip


def test_the_character_class_is_the_rule_for_every_code_point() -> None:
    expected = hidden_ranges()
    found = []
    start = None
    for code_point in range(0x110000):
        hit = HIDDEN.fullmatch(chr(code_point)) is not None
        if hit and start is None:
            start = code_point
        elif not hit and start is not None:
            found.append((start, code_point - 1))
            start = None
    assert found == expected, "regenerate core.text.HIDDEN from hidden_ranges()"


@pytest.mark.parametrize("text", REFUSED)
def test_controls_and_invisible_characters_are_refused(text: str) -> None:
    assert has_control_characters(f"a{text}b")


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_text_joiners_and_line_breaks_are_allowed(text: str) -> None:
    assert not has_control_characters(text)
    assert not any(is_hidden(character) for character in text)


def test_mail_removes_the_same_characters_but_keeps_joiners_and_replacement_marks() -> None:
    assert mail.clean_line("Sam\x00 \u202eRes\u200bident", 200) == "Sam Resident"
    assert mail.clean_line("👩\u200d👧 family", 200) == "👩\u200d👧 family"
    assert mail.clean_text("Line\x1b[2J one\r\n\ufffd bytes\u2028") == "Line[2J one\n\ufffd bytes"


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(onestop.__path__, "onestop."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    pending: list[type[forms.BaseForm]] = [forms.Form, forms.ModelForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("onestop."):
                found.append(subclass)
    return found


def test_every_form_of_the_project_applies_the_rule() -> None:
    classes = _form_classes()
    assert len(classes) > 40
    missing = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes
        if not issubclass(cls, PlainTextFormMixin)
    ]
    assert missing == [], "inherit core.forms.PlainTextFormMixin (or GovukFormMixin)"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["\x00", "Bins\u202efdp.exe", "Bi\u200bns", "\x1b[31mBins"])
def test_a_staff_page_refuses_hidden_characters_with_a_field_error(
    administrator: User, client_for: ClientFor, bad: str
) -> None:
    before = Service.objects.for_user(administrator).count()
    response = client_for(administrator).post(
        "/directory/services/new/", {"name": bad, "description": "Weekly"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Remove the special characters from “Service name”" in page
    assert Service.objects.for_user(administrator).count() == before


@pytest.mark.django_db
def test_a_form_that_did_not_use_the_govuk_mixin_refuses_them_too(
    administrator: User, client_for: ClientFor
) -> None:
    form_class = importlib.import_module("onestop.standards.forms").ClosureDayForm
    form = form_class(data={**date_input("day", "25/12/2026"), "reason": "Christmas\u202e"})
    assert not form.is_valid()
    assert any("special characters" in message for message in form.errors.get("reason", []))


def test_passwords_are_left_to_djangos_own_check() -> None:
    form_class = importlib.import_module("onestop.trust.forms").SignInForm
    form = form_class(data={"username": "sam", "password": "pass\u200bword-long"})
    form.full_clean()
    assert "password" not in form.errors


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["%00", "a%E2%80%AEb", "%1B%5B2J"])
def test_a_search_box_read_from_the_query_string_refuses_them_with_a_field_error(
    administrator: User, client_for: ClientFor, bad: str
) -> None:
    response = client_for(administrator).get(f"/directory/services/?q={bad}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-message" in page
    assert "Remove the special characters from “Search by name or LGSL code”" in page


@pytest.mark.django_db
def test_a_case_type_named_in_the_query_string_with_a_nul_is_no_case_type(
    team_leader: User, client_for: ClientFor
) -> None:
    assert client_for(team_leader).get("/cases/new/?type=%00").status_code == 200

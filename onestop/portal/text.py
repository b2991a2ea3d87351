"""Checks on text residents and staff type into the portal's forms.

Django already refuses NUL characters in form fields; this refuses every other control
character too (except tab and line breaks in longer text), with one clear message that names
the input, so a pasted escape sequence or a bot's binary noise never reaches a case.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

# Line breaks and tabs are ordinary in a description; every other control character is not.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_control_characters(value: str) -> bool:
    return any(
        unicodedata.category(character) == "Cc" and character not in ALLOWED_CONTROLS
        for character in value
    )


class PlainTextValidator:
    """Refuses NUL and other control characters, naming the input."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(
                _("Remove the special characters from “%(label)s”: only ordinary text is allowed")
                % {"label": self.label},
                code="control_characters",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator) and other.label == self.label

    def __hash__(self) -> int:
        return hash(self.label)


def guard_text_fields(form: forms.Form) -> None:
    """Give every text input of ``form`` the plain-text check instead of Django's NUL-only one
    (so a NUL byte gets one clear message rather than two), and its length limit (the field's
    current ``max_length``) with a message in the GOV.UK style."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField):
            continue
        label = str(field.label or "")
        field.validators = [
            validator
            for validator in field.validators
            if not isinstance(validator, ProhibitNullCharactersValidator | MaxLengthValidator)
        ]
        field.validators.append(PlainTextValidator(label))
        if field.max_length is not None:
            field.validators.append(
                MaxLengthValidator(
                    field.max_length,
                    # Already formatted: escape "%" so Django's own formatting leaves it alone.
                    message=(
                        _("“%(label)s” must be %(limit)s characters or fewer")
                        % {"label": label, "limit": field.max_length}
                    ).replace("%", "%%"),
                )
            )

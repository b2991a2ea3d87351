"""Checks on text residents and staff type into the portal's forms.

Django already refuses NUL characters in form fields; this refuses every other control
character too (except tab and line breaks in longer text), and the invisible format characters
that disguise text: the bidirectional controls (U+202A to U+202E, U+2066 to U+2069) that make
"gpj.exe" look like "exe.jpg", zero-width spaces (U+200B), direction marks (U+200E, U+200F), the
byte-order mark (U+FEFF) and the rest of Unicode category Cf, as well as U+FFFD, the character a
body that is not UTF-8 decodes to.  One clear message names the input, so a pasted escape
sequence, a bot's binary noise or a disguised name never reaches a case.

The zero-width non-joiner and joiner (U+200C, U+200D) are the only format characters allowed:
Persian, the Indian scripts and emoji need them to be written correctly, and they do not reorder
or hide text.  A name made only of spaces and such characters counts as empty (``visible``).
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

# Line breaks and tabs are ordinary in a description; every other control character is not.
ALLOWED_CONTROLS = frozenset("\t\n\r")
# Joiners shape Persian, Indian scripts and emoji; every other format character (Cf) is refused.
ALLOWED_FORMATS = frozenset("\u200c\u200d")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf"})
REPLACEMENT_CHARACTER = "\ufffd"  # what bytes that are not UTF-8 decode to


def _refused(character: str) -> bool:
    if character in ALLOWED_CONTROLS or character in ALLOWED_FORMATS:
        return False
    return character == REPLACEMENT_CHARACTER or (
        unicodedata.category(character) in REFUSED_CATEGORIES
    )


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a control character, an invisible format character (Cf, such
    as a bidirectional override or a zero-width space) or U+FFFD."""
    return any(_refused(character) for character in value)


def visible(value: str) -> str:
    """``value`` without surrounding spaces, or "" when nothing but spaces and format
    characters is left (a name of zero-width joiners is no name)."""
    value = value.strip()
    if all(character.isspace() or unicodedata.category(character) == "Cf" for character in value):
        return ""
    return value


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

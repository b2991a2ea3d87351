"""Input of the sign-in pages and the audit trail filters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.audit_labels import record_kind_choices
from onestop.core.forms import GovukDateField, PlainTextFormMixin
from onestop.core.models import AuditAction

USERNAME_MAX_LENGTH = 150
PASSWORD_MAX_LENGTH = 128
TOTP_PATTERN = re.compile(r"^[0-9]{6}$")
RECOVERY_CODE_PATTERN = re.compile(r"^[a-z2-7]{8}$")


def _govuk_input(*, classes: str = "govuk-input", **attributes: Any) -> dict[str, Any]:
    return {"class": classes, "spellcheck": "false", **attributes}


class SignInForm(PlainTextFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=USERNAME_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": _("Enter your username"),
            "max_length": _("Username must be %(limit_value)d characters or fewer"),
        },
        help_text=_(
            "Usually your name with your organisation after the @, like j.smith@your-council"
        ),
        widget=forms.TextInput(attrs=_govuk_input(autocomplete="username", autocapitalize="none")),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        error_messages={
            "required": _("Enter your password"),
            "max_length": _("Password must be %(limit_value)d characters or fewer"),
        },
        widget=forms.PasswordInput(attrs=_govuk_input(autocomplete="current-password")),
    )

    def clean_username(self) -> str:
        """The organisation's part (after the last @) is a lower-case slug: typed in any case."""
        username: str = self.cleaned_data["username"]
        name, at, organisation = username.rpartition("@")
        return f"{name}{at}{organisation.lower()}" if at else username


def normalise_code(raw: str) -> str:
    """Codes as people type them: spaces and hyphens dropped, letters lower-cased."""
    return re.sub(r"[\s-]", "", raw).lower()


class CodeForm(PlainTextFormMixin, forms.Form):
    """A 6-digit code from the authenticator app or, on the sign-in page, a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app"),
            "max_length": _("Enter the 6-digit code from your authenticator app"),
        },
        widget=forms.TextInput(
            attrs=_govuk_input(
                classes="govuk-input govuk-input--width-10",
                autocomplete="one-time-code",
                inputmode="text",
                autocapitalize="none",
            )
        ),
    )

    def __init__(self, *args: Any, allow_recovery_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_recovery_code = allow_recovery_code
        if allow_recovery_code:
            self.fields["code"].help_text = _(
                "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
            )
        else:
            self.fields["code"].help_text = _(
                "Enter the 6-digit code your authenticator app shows after you add OneStop."
            )
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if TOTP_PATTERN.match(code):
            return code
        if self.allow_recovery_code and RECOVERY_CODE_PATTERN.match(code):
            return code
        if self.allow_recovery_code:
            raise forms.ValidationError(
                _("Enter a 6-digit code or an 8-character recovery code"), code="invalid"
            )
        raise forms.ValidationError(_("Enter a 6-digit code, like 123456"), code="invalid")

    @property
    def is_recovery_code(self) -> bool:
        return bool(RECOVERY_CODE_PATTERN.match(self.cleaned_data.get("code", "")))


class AuditFilterForm(PlainTextFormMixin, forms.Form):
    actor = forms.CharField(
        label=_("Who"),
        help_text=_("Username, or 'system'"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_govuk_input()),
    )
    action = forms.ChoiceField(
        label=_("What they did"),
        choices=[("", _("Any action")), *AuditAction.choices],
        required=False,
        error_messages={"invalid_choice": _("Select an action from the list")},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    object_type = forms.ChoiceField(
        label=_("Kind of record"),
        choices=lambda: [("", _("Any kind of record")), *record_kind_choices()],
        required=False,
        error_messages={"invalid_choice": _("Select a kind of record from the list")},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    date_from = GovukDateField(label=_("From"), error_name=_("The date from"), required=False)
    date_to = GovukDateField(label=_("To"), error_name=_("The date to"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from: dt.date | None = cleaned.get("date_from")
        date_to: dt.date | None = cleaned.get("date_to")
        if date_from is not None and date_to is not None and date_to < date_from:
            self.add_error("date_to", _("The date to must be the same as or after the date from"))
        return cleaned


class PasswordChangeForm(PlainTextFormMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "govuk-input"}
        ),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 12 characters; a few unrelated words work well."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "govuk-input"}),
    )
    confirm_password = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "govuk-input"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        new, again = cleaned.get("new_password"), cleaned.get("confirm_password")
        if new and again and new != again:
            self.add_error("confirm_password", _("Enter the same new password twice"))
        return cleaned

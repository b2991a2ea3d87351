"""The mailbox form (the service checks it again: ``services.clean_mailbox``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import CaseType
from onestop.core.forms import PlainTextFormMixin


class MailboxForm(PlainTextFormMixin, forms.Form):
    address = forms.CharField(
        label=_("Address"),
        max_length=254,
        widget=forms.EmailInput,
        help_text=_(
            "The shared address residents write to, like waste@council.gov.uk. Mail to "
            "waste+anything@ reaches it too."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    case_type = forms.ModelChoiceField(
        label=_("New mail raises"),
        queryset=CaseType.objects.none(),
        empty_label=_("Select a case type"),
        help_text=_(
            "Only case types without required questions can be chosen: an e-mail cannot "
            "answer them."
        ),
        error_messages={
            "required": _("Select what new mail raises"),
            "invalid_choice": _("Select one of your organisation's case types from the list"),
        },
    )
    is_active = forms.BooleanField(
        label=_("Taking mail"),
        required=False,
        help_text=_("Untick to refuse mail to this address (senders are told it does not exist)."),
    )

    def __init__(self, *args: Any, case_types: QuerySet[CaseType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_type"].queryset = case_types  # type: ignore[attr-defined]
        self.fields["address"].error_messages["required"] = _("Enter the mailbox's address")
        self.fields["name"].error_messages["required"] = _("Enter a name for the mailbox")
        for name in ("address", "name"):
            self.fields[name].widget.attrs.update(
                {"class": "govuk-input", "spellcheck": "false", "autocomplete": "off"}
            )
        self.fields["case_type"].widget.attrs["class"] = "govuk-select"

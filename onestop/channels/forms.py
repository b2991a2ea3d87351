"""The mailbox form (the service checks it again: ``services.clean_mailbox``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import CaseType
from onestop.channels.imap import env_prefix, secrets_dir
from onestop.channels.models import ImapCredential, ImapSecurity
from onestop.channels.services import imap as imap_services
from onestop.core.forms import GovukForm, PlainTextFormMixin


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
    files_feedback = forms.BooleanField(
        label=_("This is our feedback mailbox"),
        required=False,
        help_text=_(
            "Mail to it is recorded as comments, compliments and complaints instead of raising "
            "cases; a reply quoting a feedback reference is added to that feedback. One mailbox "
            "can be the feedback mailbox."
        ),
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


DEFAULT_PORT = 993  # a stand-in when the port was refused (its checks are skipped)


class ImapForm(GovukForm):
    """How a mailbox is read over IMAP (the service checks it again: ``services.imap.clean_imap``).

    The secret itself is never typed here: only where it is kept."""

    is_enabled = forms.BooleanField(
        label=_("Read this mailbox over IMAP"),
        required=False,
        help_text=_("Untick to stop reading it; what was read stays."),
    )
    host = forms.CharField(
        label=_("Server"),
        max_length=253,
        help_text=_("outlook.office365.com for Microsoft 365, imap.gmail.com for Google"),
    )
    port = forms.IntegerField(
        label=_("Port"),
        min_value=1,
        max_value=65535,
        error_messages={
            "required": _("Enter the port, usually 993"),
            "invalid": _("Enter the port as a number, usually 993"),
            "min_value": _("Enter a port between 1 and 65535, usually 993"),
            "max_value": _("Enter a port between 1 and 65535, usually 993"),
        },
    )
    security = forms.ChoiceField(
        label=_("Encryption"),
        choices=ImapSecurity.choices,
        help_text=_("The server's certificate is always checked."),
        error_messages={
            "required": _("Select how the connection is encrypted"),
            "invalid_choice": _("Select how the connection is encrypted"),
        },
    )
    folder = forms.CharField(label=_("Folder new mail arrives in"), max_length=200)
    processed_folder = forms.CharField(
        label=_("Folder to move mail to once it is taken (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example OneStop/Processed. Leave blank to mark taken mail as read."),
    )
    username = forms.CharField(label=_("User name"), max_length=254)
    credential = forms.ChoiceField(
        label=_("How OneStop signs in"),
        choices=ImapCredential.choices,
        error_messages={
            "required": _("Select how OneStop signs in"),
            "invalid_choice": _("Select how OneStop signs in"),
        },
    )
    secret = forms.CharField(
        label=_("Where the secret is kept"),
        max_length=420,
        required=False,  # not with a certificate file without password: clean_imap checks
        help_text=_(
            "Never the secret itself: env:ONESTOP_IMAP_<ORGANISATION>__NAME for an environment "
            "variable, or file:/path for a file in your organisation's folder of IMAP secrets "
            "on the server (your system administrator puts it there). The password, the client "
            "secret, the certificate's private key followed by the certificate (Microsoft 365) or "
            "the service account's JSON key (Google)."
        ),
    )
    tenant = forms.CharField(
        label=_("Microsoft 365 tenant (Microsoft 365 only)"), max_length=100, required=False
    )
    client_id = forms.CharField(
        label=_("Application (client) ID (Microsoft 365 only)"), max_length=100, required=False
    )
    certificate = forms.CharField(
        label=_("Certificate file (Microsoft 365 with a certificate only)"),
        max_length=300,
        required=False,
        help_text=_(
            "file: and the full path of the application's certificate with its private key, "
            "a PEM file or a PFX (PKCS#12) file, in your organisation's folder of IMAP "
            "secrets. The secret above is then where the file's password is kept (leave it "
            "blank when the file has no password). The thumbprint is worked out from it."
        ),
    )
    certificate_thumbprint = forms.CharField(
        label=_("Certificate thumbprint (Microsoft 365 with a certificate only)"),
        max_length=95,
        required=False,
        help_text=_(
            "SHA-1 or SHA-256, as the Microsoft Entra admin centre shows it, when the secret "
            "is the certificate's private key. Leave blank for a client secret or a "
            "certificate file."
        ),
    )

    def __init__(self, *args: Any, organisation: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if organisation:
            self.fields["secret"].help_text = _(
                "Never the secret itself: env:%(prefix)sNAME for an environment variable, or "
                "file:%(folder)s/… for a file your system administrator put there. The password, "
                "the client secret, the certificate's private key followed by the certificate "
                "(Microsoft 365) or the service account's JSON key (Google)."
            ) % {"prefix": env_prefix(organisation), "folder": secrets_dir(organisation)}
        messages = {
            "host": _("Enter the server's name, like outlook.office365.com"),
            "folder": _("Enter the folder new mail arrives in, usually INBOX"),
            "username": _("Enter the user name the server knows the mailbox by"),
            "secret": _("Enter where the secret is kept"),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message
        for name in (
            "host",
            "folder",
            "processed_folder",
            "username",
            "secret",
            "tenant",
            "client_id",
            "certificate",
            "certificate_thumbprint",
        ):
            self.fields[name].widget.attrs.update({"spellcheck": "false", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        """Every problem at once: the service's checks (``services.imap.imap_problems``) of the
        fields this form accepted, beside its own refusals of the others, each on its field."""
        data = super().clean() or {}
        if not self.organisation:
            return data
        values = imap_services.ImapInput(
            host=str(data.get("host") or ""),
            port=data.get("port") or DEFAULT_PORT,
            security=str(data.get("security") or ""),
            folder=str(data.get("folder") or ""),
            processed_folder=str(data.get("processed_folder") or ""),
            username=str(data.get("username") or ""),
            credential=str(data.get("credential") or ""),
            secret=str(data.get("secret") or ""),
            tenant=str(data.get("tenant") or ""),
            client_id=str(data.get("client_id") or ""),
            certificate_thumbprint=str(data.get("certificate_thumbprint") or ""),
            is_enabled=bool(data.get("is_enabled")),
            certificate=str(data.get("certificate") or ""),
        )
        for problem in imap_services.imap_problems(
            values, organisation=self.organisation, skip=set(self.errors)
        ):
            self.add_error(problem.field, problem.message)
        return data

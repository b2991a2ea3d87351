"""Page input of the track page and "Your requests" (issue 18): shapes only; the services and
queries decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukForm, service_check
from onestop.core.text import guard_text_fields
from onestop.customers import services as customer_services
from onestop.customers.models import Format, PreferredChannel
from onestop.documents import services as document_services
from onestop.documents import uploads
from onestop.documents.errors import DocumentRefused
from onestop.portal import queries_track, services_track
from onestop.portal.errors import PortalError


def _no_maxlength(form: forms.Form) -> None:
    # The limit is checked with a clear error; a maxlength would silently cut text.
    for field in form.fields.values():
        field.widget.attrs.pop("maxlength", None)


class TrackForm(GovukForm):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=queries_track.REFERENCE_LIMIT,
        help_text=_("It is in the message we sent you, like SR-26-4K7Q0"),
        error_messages={"required": _("Enter your reference")},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input govuk-input--width-10",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    detail = forms.CharField(
        label=_("Email address, phone number or postcode"),
        max_length=queries_track.DETAIL_LIMIT,
        help_text=_("The one you gave us with your request"),
        error_messages={"required": _("Enter the email address, phone number or postcode")},
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_text_fields(self)
        _no_maxlength(self)

    def clean_reference(self) -> str:
        reference = str(self.cleaned_data["reference"])
        if queries_track.is_mistyped(reference):
            raise ValidationError(
                _(
                    "Check your reference: a character is mistyped or missing. It ends with "
                    "a letter, a number or one of * ~ $ ="
                ),
                code=PortalError.MISTYPED_REFERENCE,
            )
        return reference


class AddInformationForm(GovukForm):
    text = forms.CharField(
        label=_("Add more information"),
        max_length=services_track.INFORMATION_LIMIT,
        help_text=_("Anything that will help us, like what has changed since you told us"),
        widget=forms.Textarea,
        error_messages={"required": _("Enter the information you want to add")},
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"class": "govuk-file-upload", "accept": "image/*"}),
    )

    def __init__(
        self,
        *args: Any,
        request: HttpRequest | None = None,
        with_photo: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        if with_photo:
            self.fields["photo"].help_text = _("A JPG or PNG picture, smaller than %(size)s") % {
                "size": document_services.size_limit_text()
            }
        else:  # feedback keeps no documents: text only
            del self.fields["photo"]
        guard_text_fields(self)
        _no_maxlength(self)

    def clean_photo(self) -> document_services.CheckedFile | None:
        """Checked by content and size like every upload (``documents``), before any write."""
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return document_services.check_uploaded_file(
                upload,
                name=uploads.sent_name(self.request, upload),
                field="photo",
                pictures_only=True,
            )
        except DocumentRefused as refusal:
            raise ValidationError(refusal.message, code=str(refusal.code)) from None


class SignInLinkForm(GovukForm):
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The one you gave us with your requests"),
        error_messages={"required": _("Enter your email address")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_text_fields(self)
        _no_maxlength(self)

    def clean_email(self) -> str:
        return str(service_check(customer_services.clean_email, self.cleaned_data["email"]))


class PreferencesForm(GovukForm):
    preferred_channel = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=[
            (value, label)
            for value, label in PreferredChannel.choices
            if value != PreferredChannel.FACE_TO_FACE
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    consents_to_email_updates = forms.BooleanField(
        label=_("Send me updates on my requests by email"), required=False
    )
    consents_to_sms_updates = forms.BooleanField(
        label=_("Send me updates on my requests by text message"), required=False
    )
    format = forms.ChoiceField(
        label=_("Letters in"),
        choices=Format.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def preferences(self) -> services_track.ContactPreferences:
        data = self.cleaned_data
        return services_track.ContactPreferences(
            preferred_channel=data["preferred_channel"],
            format=data["format"],
            consents_to_email_updates=data["consents_to_email_updates"],
            consents_to_sms_updates=data["consents_to_sms_updates"],
        )

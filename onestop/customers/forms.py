"""Page input of customers, with GOV.UK classes and the services' own validation messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.core import forms as core_forms
from onestop.core.errors import ServiceError
from onestop.core.forms import GovukDateField, GovukFormMixin, service_check
from onestop.core.models import RoleCode
from onestop.customers import services
from onestop.customers.models import (
    EQUALITY_FIELDS,
    CustomerKind,
    EqualityMonitoring,
    Format,
    Language,
    MarkerKind,
    PhoneKind,
    PreferredChannel,
)


class PostcodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "govuk-input--width-10", "autocomplete": "postal-code"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return service_check(services.clean_postcode, text) if text else ""


class PhoneField(core_forms.PhoneField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(check=services.clean_phone, **kwargs)


class EmailField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        self.widget.attrs.update({"spellcheck": "false", "autocomplete": "email"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return service_check(services.clean_email, text) if text else ""


class CustomerDetailsForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type of customer"), choices=CustomerKind.choices)
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=40)
    given_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    family_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    business_name = forms.CharField(
        label=_("Business or group name"),
        required=False,
        max_length=300,
        help_text=_("Only for a business or community group"),
    )
    date_of_birth = GovukDateField(
        label=_("Date of birth (optional)"), required=False, past=True, birthday=True
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred way to contact"), choices=PreferredChannel.choices, required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices, required=False)
    needs_interpreter = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    interpreter_language = forms.CharField(
        label=_("Interpreter language (optional)"), required=False, max_length=150
    )
    consents_to_email_updates = forms.BooleanField(
        label=_("Agrees to updates by email"), required=False
    )
    consents_to_sms_updates = forms.BooleanField(
        label=_("Agrees to updates by text message"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_name", "family_name"):
            self.fields[name].widget.attrs["spellcheck"] = "false"
        self.fields["given_name"].widget.attrs["autocomplete"] = "off"
        self.fields["family_name"].widget.attrs["autocomplete"] = "off"
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            services.clean_details(self.details(data), today=timezone.localdate())
        except ServiceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data

    def details(self, data: dict[str, Any] | None = None) -> services.CustomerDetails:
        values = data if data is not None else self.cleaned_data
        return services.CustomerDetails(
            **{name: values.get(name) or default for name, default in _DETAIL_DEFAULTS.items()}
        )


_DETAIL_DEFAULTS: dict[str, Any] = {
    "kind": CustomerKind.PERSON,
    "title": "",
    "given_name": "",
    "family_name": "",
    "business_name": "",
    "date_of_birth": None,
    "preferred_channel": "",
    "language": Language.ENGLISH,
    "format": "",
    "needs_interpreter": False,
    "interpreter_language": "",
    "consents_to_email_updates": False,
    "consents_to_sms_updates": False,
}


class CustomerCreateForm(CustomerDetailsForm):
    line_1 = forms.CharField(label=_("Address line 1 (optional)"), required=False, max_length=200)
    line_2 = forms.CharField(label=_("Address line 2 (optional)"), required=False, max_length=200)
    town = forms.CharField(label=_("Town or city (optional)"), required=False, max_length=100)
    postcode = PostcodeField(label=_("Postcode (optional)"), required=False)
    uprn = forms.IntegerField(
        label=_("UPRN (optional)"),
        required=False,
        min_value=1,
        max_value=999_999_999_999,
        help_text=_("The property's Unique Property Reference Number"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-20"}),
        error_messages={"invalid": _("A UPRN is a number of up to 12 digits, like 766049420")},
    )
    phone = PhoneField(label=_("Phone number (optional)"), required=False)
    email = EmailField(label=_("Email address (optional)"), required=False)
    not_a_duplicate = forms.BooleanField(
        label=_("None of these is the same customer: create a new record"), required=False
    )

    field_order = [
        "kind",
        "title",
        "given_name",
        "family_name",
        "business_name",
        "date_of_birth",
        "line_1",
        "line_2",
        "town",
        "postcode",
        "uprn",
        "phone",
        "email",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        address_given = any(data.get(name) for name in ("line_1", "line_2", "town", "postcode"))
        if address_given and not data.get("line_1") and "line_1" not in self.errors:
            self.add_error("line_1", _("Enter the first line of the address"))
        if address_given and not data.get("postcode") and "postcode" not in self.errors:
            self.add_error("postcode", _("Enter the postcode"))
        return data

    def contact_details(self) -> services.ContactDetails:
        data = self.cleaned_data
        address = None
        if data.get("line_1"):
            address = services.AddressDetails(
                line_1=data["line_1"],
                line_2=data.get("line_2") or "",
                town=data.get("town") or "",
                postcode=data["postcode"],
                uprn=data.get("uprn"),
            )
        return services.ContactDetails(
            address=address,
            phones=[data["phone"]] if data.get("phone") else [],
            emails=[data["email"]] if data.get("email") else [],
        )


class CustomerEditForm(CustomerDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddressForm(GovukFormMixin, forms.Form):
    line_1 = forms.CharField(label=_("Address line 1"), max_length=200)
    line_2 = forms.CharField(label=_("Address line 2 (optional)"), required=False, max_length=200)
    town = forms.CharField(label=_("Town or city (optional)"), required=False, max_length=100)
    postcode = PostcodeField(label=_("Postcode"))
    uprn = CustomerCreateForm.base_fields["uprn"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def address(self) -> services.AddressDetails:
        data = self.cleaned_data
        return services.AddressDetails(
            line_1=data["line_1"],
            line_2=data["line_2"],
            town=data["town"],
            postcode=data["postcode"],
            uprn=data["uprn"],
        )


class PhoneForm(GovukFormMixin, forms.Form):
    number = PhoneField(label=_("Phone number"))
    kind = forms.ChoiceField(label=_("Type"), choices=PhoneKind.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class EmailForm(GovukFormMixin, forms.Form):
    address = EmailField(label=_("Email address"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class PreviousNameForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Previous name"), max_length=300)
    used_until = GovukDateField(label=_("Used until (optional)"), required=False, past=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


ROLE_CHOICES = [(code.value, code.label) for code in RoleCode]


class MarkerForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type of warning"), choices=MarkerKind.choices)
    guidance = forms.CharField(
        label=_("What staff should do"),
        max_length=300,
        help_text=_("Shown to everyone, for example: see in pairs, do not visit alone"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown only to the roles chosen below"),
    )
    source = forms.CharField(label=_("Source of the information"), max_length=200)
    review_on = GovukDateField(label=_("Review date"))
    visible_to_roles = forms.MultipleChoiceField(
        label=_("Roles that may see the reason"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "govuk-select", "size": 5}),
        help_text=_("Leave empty to allow every role that may see warning details"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class MarkerReviewForm(GovukFormMixin, forms.Form):
    review_on = GovukDateField(label=_("Next review date"), required=False)
    end = forms.BooleanField(label=_("End this warning"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("end") and not data.get("review_on") and "review_on" not in self.errors:
            self.add_error("review_on", _("Enter the next review date, or end the warning"))
        return data


class EqualityForm(GovukFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, enum in EQUALITY_FIELDS.items():
            label = getattr(EqualityMonitoring._meta.get_field(name), "verbose_name", name)
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[("", _("Not answered")), *enum.choices],
                required=False,
            )
        self._style()


class EqualityEraseForm(GovukFormMixin, forms.Form):
    questions = forms.MultipleChoiceField(
        label=_("Answers to erase"),
        choices=[
            (name, getattr(EqualityMonitoring._meta.get_field(name), "verbose_name", name))
            for name in EQUALITY_FIELDS
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select the answers to erase"),
            "invalid_choice": _("Select the answers to erase from the list"),
        },
    )
    confirm = forms.BooleanField(
        label=_("I confirm these answers should be erased"),
        help_text=_("For example, the customer asked, or the answers were recorded in error."),
        error_messages={"required": _("Confirm that the answers should be erased")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class MergeForm(GovukFormMixin, forms.Form):
    other = forms.CharField(
        label=_("Reference of the record to merge into this one"),
        max_length=20,
        help_text=_("For example, CU-26-00044. Everything on that record moves to this one"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

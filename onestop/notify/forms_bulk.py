"""The form of a message to many customers (``/outbox/bulk/new/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukDateField, GovukForm
from onestop.notify import queries_bulk
from onestop.notify.models import Channel
from onestop.notify.services.bulk import TITLE_LIMIT
from onestop.notify.services.templates import BODY_LIMIT, SUBJECT_LIMIT

GROUP_KINDS = [
    (queries_bulk.CASE_TYPE, _("Customers with open cases of a type")),
    (queries_bulk.POSTCODE, _("Customers whose current address is in a postcode area")),
    (queries_bulk.VISIT, _("Customers who came to a place on a day")),
]
WORDS = [
    ("template", _("Use our template for messages to many customers, with my message in it")),
    ("own", _("Write the whole message myself")),
]


class BulkMessageForm(GovukForm):
    title = forms.CharField(
        label=_("Name"),
        max_length=TITLE_LIMIT,
        help_text=_("Only staff see this, like “Snow: Wellingborough office closed”"),
        error_messages={
            "required": _("Enter a name"),
            "max_length": _("Name must be %(limit_value)s characters or fewer"),
        },
    )
    group_kind = forms.ChoiceField(
        label=_("Who is it for?"),
        choices=GROUP_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select who the message is for"),
            "invalid_choice": _("Select who the message is for"),
        },
    )
    case_type = forms.ChoiceField(
        label=_("Type of case (customers with open cases of a type)"),
        required=False,
        error_messages={"invalid_choice": _("Select the type of case from the list")},
    )
    postcode = forms.CharField(
        label=_("Postcode area, district or sector (customers by postcode)"),
        required=False,
        max_length=10,
        help_text=_("For example, NN, NN1 or NN1 5"),
        error_messages={"max_length": _("Postcode must be %(limit_value)s characters or fewer")},
    )
    access_point = forms.ChoiceField(
        label=_("Place (customers who came to a place)"),
        required=False,
        error_messages={"invalid_choice": _("Select the place from the list")},
    )
    visit_date = GovukDateField(label=_("Day of the visit"), required=False)
    words = forms.ChoiceField(
        label=_("Words"),
        choices=WORDS,
        widget=forms.RadioSelect,
        initial="template",
        error_messages={
            "required": _("Select which words to use"),
            "invalid_choice": _("Select which words to use"),
        },
    )
    subject = forms.CharField(
        label=_("Subject (when you write the whole message)"),
        required=False,
        max_length=SUBJECT_LIMIT,
        help_text=_("The e-mail's subject or the letter's heading"),
        error_messages={"max_length": _("Subject must be %(limit_value)s characters or fewer")},
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "With our template this fills ((text)). Writing the whole message, you can use "
            "((customer_name)) and ((organisation)). A text message may be 918 characters."
        ),
        error_messages={
            "required": _("Enter the message"),
            "max_length": _("Message must be %(limit_value)s characters or fewer"),
        },
    )
    channels = forms.MultipleChoiceField(
        label=_("Send it by"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Channel.EMAIL, Channel.SMS],
        help_text=_(
            "Each customer gets it once, by the first of these they can be sent updates by: "
            "their preferred channel first. E-mail and text messages need their agreement."
        ),
        error_messages={
            "required": _("Select at least one way to send it"),
            "invalid_choice": _("Select e-mail, text message or letter"),
        },
    )

    def __init__(
        self,
        *args: Any,
        case_types: list[tuple[str, str]],
        access_points: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, blank, choices in (
            ("case_type", _("Select a type of case"), case_types),
            ("access_point", _("Select a place"), access_points),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101
            field.choices = [("", blank), *choices]

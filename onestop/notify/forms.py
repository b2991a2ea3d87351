"""Page input of notify, rendered with GOV.UK classes (``core/includes/field.html``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukForm
from onestop.notify.models import Channel, MessageStatus
from onestop.notify.services.templates import BODY_LIMIT, SUBJECT_LIMIT

PROBLEMS = [("", _("Any")), ("failed", _("Failed")), ("stuck", _("Stuck"))]


class OutboxFilterForm(GovukForm):
    problem = forms.ChoiceField(label=_("Problem"), choices=PROBLEMS, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *MessageStatus.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("Any")), *Channel.choices, ("none", _("No channel"))],
        required=False,
    )


class TemplateForm(GovukForm):
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=SUBJECT_LIMIT,
        help_text=_("The e-mail's subject or the letter's heading"),
        error_messages={"max_length": _("The subject must be %(limit_value)s characters or fewer")},
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={
            "required": _("Enter the message"),
            "max_length": _("The message must be %(limit_value)s characters or fewer"),
        },
    )

    notify_template_id = forms.CharField(
        label=_("GOV.UK Notify template id (optional)"),
        required=False,
        max_length=60,
        help_text=_(
            "Only with GOV.UK Notify: the id of a template of your own in Notify, sent these "
            "placeholders by name instead of OneStop's words. Leave empty to send OneStop's "
            "words."
        ),
        error_messages={
            "max_length": _(
                "Enter the GOV.UK Notify template id as Notify shows it, like "
                "f33517ff-2a88-4f6e-b855-c550268ce08a"
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        sms: bool = False,
        letter: bool = False,
        placeholders: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if letter:
            del self.fields["notify_template_id"]
        self.fields["body"].help_text = _("Placeholders you can use: %(names)s") % {
            "names": placeholders
        }
        self.fields["body"].widget.attrs["rows"] = 12
        if sms:
            del self.fields["subject"]


class PreviewForm(GovukForm):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=30,
        help_text=_("Preview the message with this case's details, like SR-26-00011"),
        error_messages={
            "required": _("Enter the case reference"),
            "max_length": _("The case reference must be %(limit_value)s characters or fewer"),
        },
    )

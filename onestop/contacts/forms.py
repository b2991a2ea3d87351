"""Page input of the desk: logging a contact in one form, and the visitor queue."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import (
    Avoidable,
    Channel,
    Contact,
    ContactReason,
    Direction,
    Outcome,
)
from onestop.contacts.services import ContactInput
from onestop.core import sources
from onestop.core.forms import GovukFormMixin, PhoneField, PlainTextFormMixin
from onestop.customers import services as customer_services
from onestop.directory.models import AccessPoint, Service


class MomentField(forms.CharField):
    """A hidden, server-written ISO time (when the desk opened the contact)."""

    widget = forms.HiddenInput

    def clean(self, value: Any) -> datetime.datetime | None:
        text = str(value or "").strip()[:40]
        if not text:
            return None
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("The start time is not a real time"), code="invalid") from None
        if timezone.is_naive(moment):
            raise ValidationError(_("The start time is not a real time"), code="invalid")
        return moment


class LogContactForm(GovukFormMixin, forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "autofocus": True}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (value, label)
            for value, label in Outcome.choices
            if value != Outcome.REQUEST_NOT_COMPLETED
        ],
        initial=Outcome.RESOLVED,
    )
    reason = forms.ModelChoiceField(
        label=_("Reason for contact"),
        queryset=ContactReason.objects.none(),
        required=False,
        empty_label=_("Choose a reason"),
        help_text=_("Choose a reason, or say what the contact was about in the notes"),
    )
    service = forms.ModelChoiceField(
        label=_("Service (optional)"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Not recorded"),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    access_point = forms.ModelChoiceField(
        label=_("Where (optional)"),
        queryset=AccessPoint.objects.none(),
        required=False,
        empty_label=_("Not recorded"),
    )
    repeat_of = forms.ModelChoiceField(
        label=_("Chasing an earlier contact (optional)"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("No, this is new"),
        help_text=_("Choose the earlier contact if the customer is chasing progress"),
    )
    about_reference = forms.CharField(
        label=_("About an open request (optional)"),
        required=False,
        max_length=20,
        help_text=_("The reference of the request or case being chased, like SR-26-4K7Q0"),
    )
    avoidable = forms.ChoiceField(
        label=_("Could this contact have been avoided? (optional)"),
        choices=Avoidable.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Leave it unanswered if you cannot tell. A contact chasing progress is recorded as "
            "chasing progress unless you choose another answer"
        ),
    )
    callback_phone = PhoneField(
        check=customer_services.clean_phone, label=_("Number to call back"), required=False
    )
    callback_note = forms.CharField(
        label=_("Call-back note (optional)"), required=False, max_length=500
    )
    received_at = MomentField(required=False)
    # Only when the customer's contact is restricted (``core.sources.contact_rules``).
    restriction_reason = forms.CharField(
        label=_("Why you took this contact by a restricted channel (if you did)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rules_shown = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        reasons: QuerySet[ContactReason],
        services: QuerySet[Service],
        access_points: QuerySet[AccessPoint],
        earlier: list[Contact],
        rules: Sequence[sources.ContactRule] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if rules:
            self.fields["rules_shown"].initial = " ".join(rule.key for rule in rules)
        else:
            del self.fields["restriction_reason"], self.fields["rules_shown"]
        self.fields["reason"].queryset = reasons  # type: ignore[attr-defined]
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["access_point"].queryset = access_points  # type: ignore[attr-defined]
        earlier_field = self.fields["repeat_of"]
        earlier_field.queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            organisation_id__in=sorted({contact.organisation_id for contact in earlier}) or [0],
            pk__in=[contact.pk for contact in earlier],
        )
        earlier_field.label_from_instance = lambda contact: (  # type: ignore[attr-defined]
            f"{timezone.localtime(contact.received_at):%d %b %Y %H:%M} "
            f"{contact.get_channel_display()} {contact.get_outcome_display()}"
        )
        self._style()

    def contact_input(self) -> ContactInput:
        """The contact to log.  "Request raised" is logged as "request not completed": the
        case raised next (``cases.services.raise_case``) completes it in its own transaction, so
        leaving the case form never leaves a "request raised" contact without a case."""
        data = self.cleaned_data
        received = data.get("received_at")
        now = timezone.now()
        live = data["channel"] in (Channel.TELEPHONE, Channel.FACE_TO_FACE)
        return ContactInput(
            channel=data["channel"],
            direction=data["direction"],
            reason=data.get("reason"),
            service=data.get("service"),
            access_point=data.get("access_point"),
            received_at=received or now,
            answered_at=(received or now) if live else None,
            ended_at=now if live else None,
            outcome=Outcome.REQUEST_NOT_COMPLETED
            if data["outcome"] == Outcome.REQUEST_RAISED
            else data["outcome"],
            notes=data.get("notes") or "",
            repeat_of=data.get("repeat_of"),
            about_reference=data.get("about_reference") or "",
            avoidable=data.get("avoidable") or "",
            callback_phone=data.get("callback_phone") or "",
            callback_note=data.get("callback_note") or "",
            rules_shown=tuple((data.get("rules_shown") or "").split()[:20]),
            restriction_reason=data.get("restriction_reason") or "",
        )


class TicketForm(GovukFormMixin, forms.Form):
    customer_reference = forms.CharField(
        label=_("Customer reference (optional)"), required=False, max_length=20
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReasonForm(PlainTextFormMixin, forms.Form):
    """A reason for contact, for one service or for every service."""

    label = forms.CharField(label=_("Reason"), max_length=200)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Every service"),
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["label"].widget.attrs["class"] = "govuk-input"
        self.fields["service"].widget.attrs["class"] = "govuk-select"

"""The quarterly return's forms: start a return (service and quarter), the commentary and
actions, and a manager's reason for reopening a submitted return.  The limits are the
services' (``services.returns``), checked again there."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.core import reporting
from onestop.core.forms import GovukForm
from onestop.directory.models import Service
from onestop.performance.services import returns as services


def quarter_label(quarter: reporting.Period) -> str:
    return f"{quarter.first:%B %Y} to {quarter.last:%B %Y}"


class StartForm(GovukForm):
    service = forms.ChoiceField(
        label=_("Service"),
        error_messages={
            "required": _("Select the service"),
            "invalid_choice": _("Select the service"),
        },
    )
    quarter = forms.ChoiceField(
        label=_("Quarter"),
        error_messages={
            "required": _("Select the quarter"),
            "invalid_choice": _("Select the quarter"),
        },
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service],
        quarters: list[reporting.Period],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._services = {str(service.pk): service for service in services}
        service = self.fields["service"]
        quarter = self.fields["quarter"]
        assert isinstance(service, forms.ChoiceField)  # noqa: S101 - declared above
        assert isinstance(quarter, forms.ChoiceField)  # noqa: S101 - declared above
        service.choices = [(key, item.name) for key, item in self._services.items()]
        quarter.choices = [(item.first.isoformat(), quarter_label(item)) for item in quarters]

    def clean_service(self) -> Service:
        return self._services[str(self.cleaned_data["service"])]

    def clean_quarter(self) -> datetime.date:
        return datetime.date.fromisoformat(str(self.cleaned_data["quarter"]))


class ReturnForm(GovukForm):
    commentary = forms.CharField(
        label=_("Commentary"),
        help_text=_(
            "How the service did this quarter against its standards, and why. Up to 5,000 "
            "characters."
        ),
        required=False,
        max_length=services.COMMENTARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"max_length": _("Commentary must be 5,000 characters or fewer")},
    )
    actions = forms.CharField(
        label=_("Actions"),
        help_text=_("What the service will do next: one action a line, up to 20 actions."),
        required=False,
        max_length=services.ACTIONS_LIMIT * (services.ACTION_LIMIT + 1),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": _("Enter 20 actions or fewer, one a line")},
    )


class ReopenForm(GovukForm):
    reason = forms.CharField(
        label=_("Why are you reopening this return?"),
        help_text=_("The head of service will see this. Up to 1,000 characters."),
        max_length=services.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Enter why the return is being reopened"),
            "max_length": _("The reason must be 1,000 characters or fewer"),
        },
    )

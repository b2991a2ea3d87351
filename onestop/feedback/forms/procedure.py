"""Page input for issue 15's procedural steps: restrictions on a customer's contact, stage
owners, contributions to a cross-service complaint, a councillor's feedback.  Forms parse and
check shapes; ``services.restrictions`` and ``services.procedure`` enforce the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Channel
from onestop.core.forms import GovukDateField, ListedModelChoiceField
from onestop.core.models import User
from onestop.directory.models import Service, Team
from onestop.feedback.forms import StaffChoiceField, _StepForm
from onestop.feedback.models import CHOSEN_KINDS, TEXT_LIMIT
from onestop.feedback.services import restrictions
from onestop.feedback.services.procedure import CouncillorFeedback


class RestrictionForm(_StepForm):
    reason = forms.CharField(
        label=_("Why the restriction is needed"),
        help_text=_("The customer is sent this reason"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
    )
    single_point = StaffChoiceField(
        label=_("Single point of contact (optional)"),
        help_text=_("The only member of staff who deals with the customer"),
        queryset=User.objects.none(),
        required=False,
    )
    allowed_channels = forms.MultipleChoiceField(
        label=_("The only ways the customer may contact us (optional)"),
        help_text=_("For example, letter and e-mail for written contact only"),
        choices=[(value, Channel(value).label) for value in restrictions.RESTRICTABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    max_contacts = forms.IntegerField(
        label=_("At most how many contacts (optional)"),
        min_value=1,
        max_value=restrictions.FREQUENCY_LIMIT,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    per_days = forms.IntegerField(
        label=_("In how many days (optional)"),
        min_value=1,
        max_value=restrictions.FREQUENCY_LIMIT,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    starts_on = GovukDateField(label=_("Starts on"))
    review_on = GovukDateField(label=_("Review by"))

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["single_point"].queryset = staff  # type: ignore[attr-defined]

    def values(self) -> restrictions.RestrictionInput:
        data = self.cleaned_data
        return restrictions.RestrictionInput(
            reason=data.get("reason") or "",
            starts_on=data.get("starts_on"),
            review_on=data.get("review_on"),
            single_point=data.get("single_point"),
            allowed_channels=tuple(data.get("allowed_channels") or ()),
            max_contacts=data.get("max_contacts"),
            per_days=data.get("per_days"),
        )


class ReasonForm(_StepForm):
    reason = forms.CharField(label=_("Why"), max_length=TEXT_LIMIT, widget=forms.Textarea)


class OwnerForm(_StepForm):
    owner = StaffChoiceField(label=_("New owner"), queryset=User.objects.none())
    reason = forms.CharField(
        label=_("Why the owner changes"), max_length=TEXT_LIMIT, widget=forms.Textarea
    )

    def __init__(self, *args: Any, staff: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [person.pk for person in staff]
        organisation_ids = sorted({person.organisation_id or 0 for person in staff}) or [0]
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=ids, organisation_id__in=organisation_ids
        ).order_by("last_name", "first_name", "pk")


class _ServiceField(ListedModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ContributionRequestForm(_StepForm):
    service = _ServiceField(label=_("Service asked to contribute"), queryset=Service.objects.none())
    team = _ServiceField(label=_("Team (optional)"), queryset=Team.objects.none(), required=False)
    question = forms.CharField(
        label=_("What the service is asked"), max_length=TEXT_LIMIT, widget=forms.Textarea
    )
    due_on = GovukDateField(label=_("Contribution due by"), future=False)

    def __init__(
        self, *args: Any, services: QuerySet[Service], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class ContributionForm(_StepForm):
    text = forms.CharField(
        label=_("The service's contribution"), max_length=TEXT_LIMIT, widget=forms.Textarea
    )


class CouncillorForm(_StepForm):
    given_name = forms.CharField(label=_("Your constituent's first name"), max_length=100)
    family_name = forms.CharField(label=_("Your constituent's last name"), max_length=100)
    email = forms.CharField(
        label=_("Their email address (optional)"), max_length=254, required=False
    )
    phone = forms.CharField(label=_("Their phone number (optional)"), max_length=30, required=False)
    kind = forms.ChoiceField(
        label=_("What kind of feedback is it"), choices=CHOSEN_KINDS, widget=forms.RadioSelect
    )
    service = _ServiceField(
        label=_("Service (optional)"), queryset=Service.objects.none(), required=False
    )
    what_happened = forms.CharField(
        label=_("What happened"), max_length=TEXT_LIMIT, widget=forms.Textarea
    )
    wanted = forms.CharField(
        label=_("What they want done (optional)"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]

    def values(self) -> CouncillorFeedback:
        data = self.cleaned_data
        return CouncillorFeedback(
            kind=data["kind"],
            what_happened=data.get("what_happened") or "",
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            service=data.get("service"),
            wanted=data.get("wanted") or "",
            email=data.get("email") or "",
            phone=data.get("phone") or "",
        )

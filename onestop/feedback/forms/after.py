"""Page input for the ombudsman's involvement, learning actions and the satisfaction survey.
Forms check shapes (a real date, a number, a choice from the list); ``services.ombudsman``,
``services.learning`` and ``services.survey`` enforce the rules (dates in order, a finding the
ombudsman uses, a complaint upheld)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.core.forms import GovukDateField
from onestop.core.models import User
from onestop.feedback.forms import StaffChoiceField, _StepForm
from onestop.feedback.models import (
    TEXT_LIMIT,
    Agreement,
    LearningStatus,
    Ombudsman,
    OmbudsmanFinding,
    Satisfaction,
)
from onestop.feedback.services import learning, survey
from onestop.feedback.services import ombudsman as ombudsman_services


class OmbudsmanEnquiryForm(_StepForm):
    ombudsman = forms.ChoiceField(label=_("Which ombudsman"), choices=(), widget=forms.RadioSelect)
    their_reference = forms.CharField(
        label=_("The ombudsman's reference (optional)"),
        max_length=ombudsman_services.REFERENCE_LIMIT,
        required=False,
    )
    enquiry_on = GovukDateField(label=_("Date of the ombudsman's enquiry"))

    def __init__(self, *args: Any, offered: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ombudsman"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(value, Ombudsman(value).label) for value in offered]
        if offered:
            field.initial = offered[0]


class OmbudsmanDecisionForm(_StepForm):
    decision_on = GovukDateField(label=_("Date of the decision"))
    finding = forms.ChoiceField(label=_("Finding"), choices=(), widget=forms.RadioSelect)
    remedy = forms.CharField(
        label=_("Remedy the council must carry out (optional)"),
        help_text=_("For example, an apology, a payment, a review of the service"),
        max_length=ombudsman_services.REMEDY_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    remedy_amount = forms.DecimalField(
        label=_("Amount to pay, in pounds (optional)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
        ),
    )
    comply_by = GovukDateField(
        label=_("Date the council must comply by (optional)"),
        help_text=_("Staff are reminded 5 working days before. For example, 27 3 2026"),
        required=False,
    )

    def __init__(self, *args: Any, findings: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["finding"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(value, OmbudsmanFinding(value).label) for value in findings]

    def decision(self) -> ombudsman_services.Decision:
        data = self.cleaned_data
        return ombudsman_services.Decision(
            decision_on=data.get("decision_on"),
            finding=data.get("finding", ""),
            remedy=data.get("remedy", ""),
            remedy_amount=data.get("remedy_amount"),
            comply_by=data.get("comply_by"),
        )


class ComplianceForm(_StepForm):
    complied_on = GovukDateField(label=_("Date the remedy was carried out"))


class LearningForm(_StepForm):
    action = forms.CharField(
        label=_("What will change"),
        help_text=_("The lesson learnt and the change the service will make"),
        max_length=learning.ACTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = GovukDateField(label=_("Date it is due"))

    def __init__(self, *args: Any, owners: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, StaffChoiceField)  # noqa: S101
        field.queryset = owners if owners is not None else User.objects.none()


class LearningProgressForm(_StepForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=LearningStatus.choices, widget=forms.RadioSelect
    )
    evidence = forms.CharField(
        label=_("Evidence (needed to mark it done)"),
        help_text=_("Where the change can be seen: a new procedure, training records, a letter"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    what_changed = forms.CharField(
        label=_("What changed (needed to mark it done)"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    completed_on = GovukDateField(
        label=_("Date it was completed (needed to mark it done)"), required=False
    )

    def progress(self) -> learning.Progress:
        data = self.cleaned_data
        return learning.Progress(
            status=data.get("status", ""),
            evidence=data.get("evidence", ""),
            what_changed=data.get("what_changed", ""),
            completed_on=data.get("completed_on"),
        )


class SurveyForm(_StepForm):
    """The complainant's four questions (a public page)."""

    overall = forms.ChoiceField(
        label=_("Overall, how satisfied are you with how we handled your complaint?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how satisfied you are with how we handled your complaint"),
            "invalid_choice": _("Select how satisfied you are from the list"),
        },
    )
    fairly = forms.ChoiceField(
        label=_("Do you feel we handled your complaint fairly?"),
        choices=Agreement.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether we handled your complaint fairly"),
            "invalid_choice": _("Select whether we handled your complaint fairly from the list"),
        },
    )
    informed = forms.ChoiceField(
        label=_("Did we keep you informed while we looked into it?"),
        choices=Agreement.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether we kept you informed"),
            "invalid_choice": _("Select whether we kept you informed from the list"),
        },
    )
    comments = forms.CharField(
        label=_("Is there anything else you want to tell us? (optional)"),
        help_text=_("Do not include personal or financial information"),
        max_length=survey.COMMENTS_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def answers(self) -> survey.Answers:
        data = self.cleaned_data
        return survey.Answers(
            overall=data.get("overall", ""),
            fairly=data.get("fairly", ""),
            informed=data.get("informed", ""),
            comments=data.get("comments", ""),
        )

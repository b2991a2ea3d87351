"""Page input for cases.  Forms parse and check shapes; services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import (
    AttributeKind,
    CaseType,
    LinkKind,
    NoteKind,
    Outcome,
    Status,
)
from onestop.core.models import User
from onestop.directory.models import Team

WORKING_STATUSES = [
    (value, label)
    for value, label in Status.choices
    if value not in {Status.RESOLVED, Status.CLOSED}
]


class GovukForm(forms.Form):
    """GOV.UK classes on every widget; ``core/includes/field.html`` adds error modifiers."""

    _CLASSES: dict[type[forms.Widget], str] = {
        forms.Select: "govuk-select",
        forms.Textarea: "govuk-textarea",
        forms.TextInput: "govuk-input",
        forms.NumberInput: "govuk-input govuk-input--width-10",
        forms.DateInput: "govuk-input govuk-input--width-10",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            css = self._CLASSES.get(type(field.widget))
            if css:
                field.widget.attrs.setdefault("class", css)
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 4


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class VersionedForm(GovukForm):
    """Carries the case version the page showed, so a stale change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


def attribute_field_name(code: str) -> str:
    return f"attribute_{code}"


class RaiseCaseForm(GovukForm):
    title = forms.CharField(
        label=_("Summary"),
        max_length=200,
        help_text=_("A short description, like “Missed blue bin, 12 High Street”"),
    )
    description = forms.CharField(
        label=_("Details"), required=False, max_length=10_000, widget=forms.Textarea
    )
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)
    ward = forms.CharField(label=_("Ward"), required=False, max_length=100)

    def __init__(self, *args: Any, case_type: CaseType, councillor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        if councillor or case_type.kind == "councillor-enquiry":
            self.fields["constituent_name"] = forms.CharField(
                label=_("Constituent's name"),
                max_length=200,
                required=True,
                help_text=_("The resident you are raising this enquiry for"),
            )
        for question in case_type.attributes:
            self.fields[attribute_field_name(question["code"])] = _question_field(question)
        self.style()

    def answers(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for question in self.case_type.attributes:
            value = self.cleaned_data.get(attribute_field_name(question["code"]))
            if value in (None, "", []):
                continue
            found[question["code"]] = value.isoformat() if hasattr(value, "isoformat") else value
        return found


def _question_field(question: dict[str, Any]) -> forms.Field:
    label = question["label"]
    required = bool(question.get("required"))
    choices = [(choice, choice) for choice in question.get("choices", [])]
    kind = question.get("kind", AttributeKind.TEXT)
    if kind == AttributeKind.NUMBER:
        return forms.DecimalField(label=label, required=required, max_digits=14)
    if kind == AttributeKind.DATE:
        return forms.DateField(
            label=label, required=required, help_text=_("For example, 2026-03-27")
        )
    if kind == AttributeKind.CHOICE:
        return forms.ChoiceField(
            label=label, required=required, choices=[("", _("Choose")), *choices]
        )
    if kind == AttributeKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            label=label, required=required, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    max_length = 200 if kind == AttributeKind.LOCATION else 2_000
    return forms.CharField(label=label, required=required, max_length=max_length)


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"), choices=WORKING_STATUSES)


class AssignForm(VersionedForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    assignee = StaffChoiceField(
        label=_("Officer"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to put the case in the team's queue"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, teams: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)  # noqa: S101
        team_field.queryset = teams
        people_field = self.fields["assignee"]
        assert isinstance(people_field, forms.ModelChoiceField)  # noqa: S101
        people_field.queryset = people


class NoteForm(GovukForm):
    kind = forms.ChoiceField(
        label=_("Kind of note"), choices=NoteKind.choices, initial=NoteKind.INTERNAL
    )
    text = forms.CharField(label=_("Note"), max_length=10_000, widget=forms.Textarea)


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("Choose")), *Outcome.choices])
    resolution = forms.CharField(label=_("Resolution"), max_length=10_000, widget=forms.Textarea)
    finish = forms.ChoiceField(
        label=_("Finish as"),
        choices=[(Status.RESOLVED, _("Resolved")), (Status.CLOSED, _("Closed"))],
        initial=Status.CLOSED,
    )


class ReasonForm(GovukForm):
    reason = forms.CharField(label=_("Reason"), max_length=2_000, widget=forms.Textarea)


class LinkForm(GovukForm):
    kind = forms.ChoiceField(label=_("This case is"), choices=LinkKind.choices)
    other = forms.CharField(
        label=_("Reference of the other case"), max_length=20, help_text=_("Like SR-26-0001B")
    )


class TaskForm(GovukForm):
    team = forms.ModelChoiceField(label=_("Contributing team"), queryset=Team.objects.none())
    description = forms.CharField(
        label=_("What they need to do"), max_length=10_000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = teams


class TaskDoneForm(GovukForm):
    response = forms.CharField(label=_("Response"), max_length=10_000, widget=forms.Textarea)


class ExemptionsForm(GovukForm):
    exemptions = forms.CharField(
        label=_("Exemptions or exceptions applied"),
        max_length=2_000,
        help_text=_("Separate them with commas, like s40(2), s43(2)"),
    )

    def values(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["exemptions"].split(",")]


class PublishForm(GovukForm):
    summary = forms.CharField(
        label=_("Summary for the disclosure log"),
        max_length=10_000,
        widget=forms.Textarea,
        help_text=_("What was asked and released; no personal data"),
    )


class ClarificationForm(GovukForm):
    note = forms.CharField(label=_("What the requester clarified"), max_length=200)


class QueueFilterForm(GovukForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any open status")), *Status.choices], required=False
    )
    case_type = forms.ModelChoiceField(
        label=_("Type"), queryset=CaseType.objects.none(), required=False
    )
    assignee = StaffChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )
    due_within = forms.IntegerField(
        label=_("Due within (days)"), min_value=0, max_value=366, required=False
    )
    ward = forms.CharField(label=_("Ward"), max_length=100, required=False)
    mine = forms.BooleanField(label=_("Only my cases"), required=False)

    def __init__(self, *args: Any, teams: Any, types: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("team", teams), ("case_type", types), ("assignee", people)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
            field.queryset = queryset
            field.empty_label = str(_("Any"))

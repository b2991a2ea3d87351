"""Page input of feedback.  Forms parse and check shapes; ``services`` enforce the rules."""

from __future__ import annotations

import copy
import functools
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Channel
from onestop.core.forms import GovukForm, ListedModelChoiceField
from onestop.core.models import User
from onestop.core.text import guard_text_fields
from onestop.customers.models import EQUALITY_FIELDS, EqualityMonitoring
from onestop.directory.models import Service
from onestop.feedback import services
from onestop.feedback.models import (
    CHOSEN_KINDS,
    TEXT_LIMIT,
    About,
    AlternativeRoute,
    Characteristic,
    ComplaintPoint,
    Kind,
    PointOutcome,
    Preset,
    Remedy,
)
from onestop.feedback.procedures import PRESETS

DESK_CHANNELS = (
    Channel.FACE_TO_FACE,
    Channel.TELEPHONE,
    Channel.LETTER,
    Channel.EMAIL,
    Channel.COUNCILLOR_REFERRAL,
)


def _no_maxlength(form: forms.Form) -> None:
    for field in form.fields.values():
        # The limit is checked with a clear error; a maxlength would silently cut text.
        field.widget.attrs.pop("maxlength", None)


class _StepForm(GovukForm):
    """A step's form: no ``maxlength`` in the markup (the limit is a field error, so nothing
    typed is cut off), the hidden-character rule on every text field, GOV.UK classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_maxlength(self)
        guard_text_fields(self)
        self.style()


class PublicServiceChoiceField(ListedModelChoiceField):
    """A service as residents read it: its name in the page's language (``public_name``), the
    services in the order of those names."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.public_name)

    def choice_objects(self) -> list[Any]:
        return sorted(super().choice_objects(), key=lambda obj: str(obj.public_name).casefold())


class StaffChoiceField(ListedModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class RecordForm(GovukForm):
    """Staff take feedback (at the desk, or from a letter, e-mail or phone call)."""

    kind = forms.ChoiceField(
        label=_("What kind of feedback is it"),
        choices=CHOSEN_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what kind of feedback it is"),
            "invalid_choice": _("Select what kind of feedback it is from the list"),
        },
    )
    channel = forms.ChoiceField(
        label=_("How did it reach us"),
        choices=[(value, Channel(value).label) for value in DESK_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how it reached us"),
            "invalid_choice": _("Select how it reached us from the list"),
        },
    )
    about = forms.ChoiceField(
        label=_("What is it about"),
        choices=About.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what it is about"),
            "invalid_choice": _("Select what it is about from the list"),
        },
    )
    service = ListedModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False
    )
    lead_service = ListedModelChoiceField(
        label=_("Lead service, if it is about several (optional)"),
        help_text=_("The service that coordinates one answer; the others contribute"),
        queryset=Service.objects.none(),
        required=False,
    )
    staff_member = StaffChoiceField(
        label=_("Member of staff (optional)"), queryset=User.objects.none(), required=False
    )
    staff_named = forms.CharField(
        label=_("Name of the member of staff as the customer gave it (optional)"),
        max_length=services.NAME_LIMIT,
        required=False,
    )
    what_happened = forms.CharField(
        label=_("What happened"), max_length=TEXT_LIMIT, widget=forms.Textarea
    )
    wanted = forms.CharField(
        label=_("What do they want done (optional)"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea,
    )
    points = forms.CharField(
        label=_("Points of complaint (optional)"),
        help_text=_("One a line. Without any, what happened is the one point"),
        max_length=services.POINT_LIMIT * services.POINTS_LIMIT,
        required=False,
        widget=forms.Textarea,
    )
    unequal_treatment = forms.BooleanField(label=_("They were treated unequally"), required=False)
    characteristic = forms.ChoiceField(
        label=_("Protected characteristic (if treated unequally)"),
        choices=[("", _("None")), *Characteristic.choices],
        required=False,
    )
    impolite_treatment = forms.BooleanField(label=_("They were treated impolitely"), required=False)

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service],
        staff: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["lead_service"].queryset = services  # type: ignore[attr-defined]
        self.fields["staff_member"].queryset = staff  # type: ignore[attr-defined]
        _no_maxlength(self)
        guard_text_fields(self)
        self.style()

    def values(self) -> services.FeedbackInput:
        data = self.cleaned_data
        return services.FeedbackInput(
            kind=data["kind"],
            channel=data["channel"],
            about=data["about"],
            service=data.get("service"),
            lead_service=data.get("lead_service"),
            staff_member=data.get("staff_member"),
            staff_named=data.get("staff_named", ""),
            what_happened=data["what_happened"],
            wanted=data.get("wanted", ""),
            points=tuple(line for line in data.get("points", "").splitlines() if line.strip()),
            unequal_treatment=bool(data.get("unequal_treatment")),
            characteristic=data.get("characteristic", ""),
            impolite_treatment=bool(data.get("impolite_treatment")),
        )


class ConfirmForm(GovukForm):
    """An action with nothing to fill in (acknowledge, close, pass on): a button."""


class ExtendForm(_StepForm):
    days = forms.IntegerField(
        label=_("How many more working days"),
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    reason = forms.CharField(
        label=_("Why more time is needed"),
        help_text=_("The customer is told this reason"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
    )


class EscalateForm(_StepForm):
    reason = forms.CharField(
        label=_("Why the customer is not satisfied"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
    )


class OutsideForm(_StepForm):
    route = forms.ChoiceField(
        label=_("Where the complaint belongs instead"),
        choices=AlternativeRoute.choices,
        widget=forms.RadioSelect,
    )
    signposting = forms.CharField(
        label=_("What the customer is told"),
        help_text=_("Where to go and how; the customer is sent this"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
    )


class RespondForm(GovukForm):
    """The answer to the current stage: findings, one outcome (and remedy) per point, the next
    route of appeal."""

    findings = forms.CharField(
        label=_("What was found"), max_length=TEXT_LIMIT, widget=forms.Textarea
    )

    def __init__(
        self,
        *args: Any,
        points: Sequence[ComplaintPoint] = (),
        appeal_route: str = "",
        outstanding: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.points = points
        if outstanding:
            # Other services' contributions still due (a cross-service complaint).
            self.fields["outstanding_reason"] = forms.CharField(
                label=_("Why you are answering without every contribution"),
                help_text=_("%(count)s contribution(s) from other services are outstanding")
                % {"count": outstanding},
                max_length=TEXT_LIMIT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for point in points:
            name = f"point_{point.pk}"
            self.fields[f"{name}_outcome"] = forms.ChoiceField(
                label=_("Outcome of point %(position)s: %(summary)s")
                % {"position": point.position, "summary": point.summary},
                choices=PointOutcome.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Select an outcome for point %(position)s")
                    % {"position": point.position}
                },
            )
            self.fields[f"{name}_remedy"] = forms.ChoiceField(
                label=_("Remedy for point %(position)s") % {"position": point.position},
                choices=Remedy.choices,
                initial=Remedy.NONE,
            )
            self.fields[f"{name}_amount"] = forms.DecimalField(
                label=_("Amount of financial redress for point %(position)s, in pounds (optional)")
                % {"position": point.position},
                required=False,
                min_value=Decimal("0"),
                max_digits=10,
                decimal_places=2,
                widget=forms.TextInput(
                    attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
                ),
            )
            self.fields[f"{name}_detail"] = forms.CharField(
                label=_("What the remedy is, for point %(position)s (optional)")
                % {"position": point.position},
                max_length=2_000,
                required=False,
            )
        self.fields["appeal_route"] = forms.CharField(
            label=_("What the customer can do if not satisfied"),
            max_length=2_000,
            initial=appeal_route,
            widget=forms.Textarea,
        )
        _no_maxlength(self)
        guard_text_fields(self)
        self.style()

    def decisions(self) -> dict[int, services.PointDecision]:
        data = self.cleaned_data
        return {
            point.pk: services.PointDecision(
                outcome=data.get(f"point_{point.pk}_outcome", ""),
                remedy=data.get(f"point_{point.pk}_remedy", Remedy.NONE),
                remedy_detail=data.get(f"point_{point.pk}_detail", ""),
                amount=data.get(f"point_{point.pk}_amount"),
            )
            for point in self.points
        }


class ProcedureForm(GovukForm):
    preset = forms.ChoiceField(
        label=_("Complaints procedure"),
        choices=[(value, Preset(value).label) for value in PRESETS],
        widget=forms.RadioSelect,
    )


HONEYPOT = "leave_blank"


class PublicFeedbackForm(GovukForm):
    """A resident's comment, compliment, complaint or suggestion ("On the Record")."""

    kind = forms.ChoiceField(
        label=_("What do you want to tell us"),
        choices=[
            (Kind.COMPLAINT, _("A complaint: something went wrong")),
            (Kind.COMPLIMENT, _("A compliment: something went well")),
            (Kind.COMMENT, _("A comment")),
            (Kind.SUGGESTION, _("A suggestion")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what you want to tell us"),
            "invalid_choice": _("Select what you want to tell us from the list"),
        },
    )
    about = forms.ChoiceField(
        label=_("What is it about"),
        choices=[
            (About.SERVICE, _("A service")),
            (About.STAFF, _("A member of staff")),
            (About.TREATMENT, _("How you were treated")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select what it is about"),
            "invalid_choice": _("Select what it is about from the list"),
        },
    )
    service = PublicServiceChoiceField(
        label=_("Which service (optional)"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("I am not sure"),
    )
    staff_named = forms.CharField(
        label=_("Name of the member of staff (if it is about one)"),
        max_length=services.NAME_LIMIT,
        required=False,
    )
    what_happened = forms.CharField(
        label=_("What happened"),
        help_text=_("Tell us what happened, when and where"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        error_messages={"required": _("Enter what happened")},
    )
    wanted = forms.CharField(
        label=_("What would you like us to do (optional)"),
        max_length=TEXT_LIMIT,
        required=False,
        widget=forms.Textarea,
    )
    given_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    family_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        help_text=_("We will only use this to reply to you"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "autocomplete": "tel",
                "class": "govuk-input govuk-input--width-20",
            }
        ),
    )
    leave_blank = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args: Any,
        services: Sequence[Service] | None = None,
        only: Collection[str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``services``: the organisation's services, as ``queries.public_services`` keeps
        them (the options, and what a service sent is checked against).  ``only``: the fields
        this form has (all of them when not given), in the form's order."""
        built = _public_fields(get_language() or "")
        # Copied by Django's own form (as it copies a form class's declared fields), so each
        # form has fields of its own and those built once are never changed.
        self.base_fields = (  # type: ignore[misc]  # this form's, not the class's
            built if only is None else {name: built[name] for name in built if name in only}
        )
        super().__init__(*args, **kwargs)
        if services is not None and "service" in self.fields:
            self.fields["service"].use_objects(list(services))  # type: ignore[attr-defined]

    def is_bot(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "given_name" in self.errors or "family_name" in self.errors:
            return data
        refused = services.name_problem(
            data.get("given_name", "").strip(),
            data.get("family_name", "").strip(),
            reply_to=bool(data.get("email") or data.get("phone")),
        )
        if refused is not None:
            self.add_error(refused.field, refused.message)
        return data

    def values(self) -> services.PublicFeedback:
        data = self.cleaned_data
        return services.PublicFeedback(
            kind=data["kind"],
            about=data["about"],
            service=data.get("service"),
            staff_named=data.get("staff_named", ""),
            what_happened=data["what_happened"],
            wanted=data.get("wanted", ""),
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            # The page's language (Welsh where the organisation offers it and it was chosen).
            language="cy" if get_language() == "cy" else "en",
        )


@functools.lru_cache(maxsize=8)
def _public_fields(language: str) -> dict[str, forms.Field]:
    """``PublicFeedbackForm``'s fields as built for ``language`` (their labels, the plain-text
    and length checks' messages and the blank service's words are that language's): no
    ``maxlength`` in the markup, the plain-text and length checks, the GOV.UK classes.  Built
    once a language rather than for every form: each form copies them."""
    holder = GovukForm()  # holds the fields while they are built (its own are none)
    holder.fields = copy.deepcopy(PublicFeedbackForm.declared_fields)
    holder.style()  # as ``GovukForm`` gives every form's fields, before the rest
    _no_maxlength(holder)
    guard_text_fields(holder)
    holder.style()
    return holder.fields


class PublicEqualityForm(GovukForm):
    """Optional equality monitoring on a page of its own after the form, stored with the
    customer's record as the customers capability keeps it (never on the feedback)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, enum in EQUALITY_FIELDS.items():
            label = getattr(EqualityMonitoring._meta.get_field(name), "verbose_name", name)
            self.fields[name] = forms.ChoiceField(
                label=str(label).capitalize(),
                choices=[("", _("Prefer not to say")), *enum.choices],
                required=False,
                error_messages={
                    "invalid_choice": _("Select an answer from the list"),
                },
            )
        self.style()

"""Page input for cases.  Forms parse and check shapes; services enforce the rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import (
    ALLOWED_TRANSITIONS,
    STAFF_NOTE_KINDS,
    AttributeKind,
    CaseKind,
    CaseType,
    EscalationAction,
    LinkKind,
    NoteKind,
    Outcome,
    Status,
    outcomes_for,
)
from onestop.core.forms import GovukForm, Listed, ListedChoiceField
from onestop.core.models import User
from onestop.core.questions import DateRange, add_question_fields, answers, date_range_of
from onestop.directory.models import Service, Team

WORKING_STATUSES = [
    (value, label)
    for value, label in Status.choices
    if value not in {Status.RESOLVED, Status.CLOSED}
]


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class VersionedForm(GovukForm):
    """Carries the case version the page showed, so a stale change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


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

    def __init__(
        self,
        *args: Any,
        case_type: CaseType,
        councillor: bool,
        councillors: Any = None,
        has_customer: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        self.on_behalf = not councillor and case_type.kind == CaseKind.COUNCILLOR_ENQUIRY
        self.has_customer = has_customer
        if self.on_behalf:
            # Staff raise a Member enquiry for a named councillor and constituent.
            self.fields["councillor"] = StaffChoiceField(
                label=_("Councillor"),
                queryset=councillors if councillors is not None else User.objects.none(),
                empty_label=str(_("Choose the councillor")),
                help_text=_("The Member the enquiry is for: they follow it in My enquiries"),
            )
        if councillor or case_type.kind == CaseKind.COUNCILLOR_ENQUIRY:
            self.fields["constituent_name"] = forms.CharField(
                label=_("Constituent's name"),
                max_length=200,
                required=not self.on_behalf,  # staff: or the customer's record
                help_text=_("The resident you are raising this enquiry for"),
            )
        if self.on_behalf and not has_customer:
            self.fields["customer_reference"] = forms.CharField(
                label=_("Constituent's customer reference (optional)"),
                max_length=20,
                required=False,
                help_text=_("If the constituent has a customer record, its reference"),
            )
        add_question_fields(self, case_type.attributes)
        self.style()

    def answers(self) -> dict[str, Any]:
        return answers(self, self.case_type.attributes)


class StatusForm(VersionedForm):
    """The case's current status, preselected, and only the working statuses it may move to
    (finishing has its own form, with an outcome)."""

    status = forms.ChoiceField(label=_("Status"), choices=WORKING_STATUSES)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {**kwargs["initial"], "status": current}
        super().__init__(*args, **kwargs)
        self.current = current
        allowed = ALLOWED_TRANSITIONS.get(current, frozenset())
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [
            (
                value,
                _("%(status)s (current status)") % {"status": label} if value == current else label,
            )
            for value, label in WORKING_STATUSES
            if value == current or value in allowed
        ]

    @property
    def can_move(self) -> bool:
        return any(value != self.current for value, _label in self.fields["status"].choices)  # type: ignore[attr-defined]

    def clean_status(self) -> str:
        status = str(self.cleaned_data["status"])
        if status == self.current:
            raise forms.ValidationError(_("Choose a status different from the current one"))
        return status


class AssignForm(VersionedForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    assignee = StaffChoiceField(
        label=_("Officer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: the team's queue"),
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


def _where(recipient: Any) -> str:
    """ "e-mail: sam@example.com": how and where a message to ``recipient`` goes ("" when it
    has no address, such as a councillor reading their enquiries page)."""
    if not recipient.address:
        return ""
    return f"{recipient.channel_label}: {recipient.shown_address}"


def _to_whom(recipient: Any) -> dict[str, str]:
    where = _where(recipient)
    return {"name": recipient.name, "where": where or str(recipient.channel_label)}


class NoteForm(GovukForm):
    kind = forms.ChoiceField(
        label=_("Kind of note"),
        choices=[(kind.value, kind.label) for kind in STAFF_NOTE_KINDS],
        initial=NoteKind.INTERNAL,
    )
    text = forms.CharField(label=_("Note"), max_length=10_000, widget=forms.Textarea)

    def __init__(self, *args: Any, recipient: Any = None, why: str = "", **kwargs: Any) -> None:
        """``recipient``: ``cases.queries.update_recipient`` of the case, named in the update's
        label (to whom, by which channel); without one, only an internal note is offered and
        ``why`` (``cases.queries.no_recipient_reason``) says why."""
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        if recipient is None:
            field.widget.choices = [(NoteKind.INTERNAL.value, NoteKind.INTERNAL.label)]
            field.help_text = _("Nobody can be sent an update on this case: %(why)s") % {
                "why": why or _("there is nobody to send it to")
            }
            return
        where = _where(recipient)
        label = (
            _("Update to %(name)s by %(where)s") % {"name": recipient.name, "where": where}
            if where
            else _("Update to %(name)s on %(channel)s")
            % {"name": recipient.name, "channel": recipient.channel_label}
        )
        field.choices = [
            (NoteKind.INTERNAL.value, NoteKind.INTERNAL.label),
            (NoteKind.UPDATE_TO_CUSTOMER.value, label),
        ]


class CloseForm(VersionedForm):
    """``kind``: the case's kind; only the outcomes such a case can have are offered
    (``models.outcomes_for``; the service refuses any other)."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose an outcome")), *Outcome.choices],
        error_messages={"invalid_choice": _("Choose an outcome from the list")},
    )
    resolution = forms.CharField(label=_("Resolution"), max_length=10_000, widget=forms.Textarea)
    finish = forms.ChoiceField(
        label=_("Finish as"),
        choices=[(Status.RESOLVED, _("Resolved")), (Status.CLOSED, _("Closed"))],
        error_messages={"required": _("Select whether the case is resolved or closed")},
        initial=Status.CLOSED,
    )

    def __init__(
        self, *args: Any, kind: str = "", recipient: Any = None, why: str = "", **kwargs: Any
    ) -> None:
        """``recipient``: ``cases.queries.update_recipient`` of the case for its resolution;
        with one, ``tell_customer`` offers to send it to them (ticked at first), without one
        the resolution's hint says ``why`` not (``cases.queries.no_recipient_reason``)."""
        super().__init__(*args, **kwargs)
        if kind:
            field = self.fields["outcome"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101
            offered = outcomes_for(kind)
            field.choices = [
                ("", _("Choose an outcome")),
                *[(outcome.value, outcome.label) for outcome in offered],
            ]
        if recipient is None:
            self.fields["resolution"].help_text = _(
                "Nobody can be sent the resolution: %(why)s"
            ) % {"why": why or _("there is nobody to send it to")}
            return
        self.fields["tell_customer"] = forms.BooleanField(
            label=_("Send the resolution to %(name)s by %(where)s") % _to_whom(recipient),
            help_text=_(
                "They read the resolution exactly as you write it: leave out internal notes "
                "and staff names"
            ),
            required=False,
            initial=True,
        )
        self.style()


class ReopenForm(GovukForm):
    """``recipient``: whom the reopening will be sent to (the customer was sent the
    resolution): the reason's hint says they read it as written."""

    reason = forms.CharField(label=_("Reason"), max_length=2_000, widget=forms.Textarea)

    def __init__(self, *args: Any, recipient: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if recipient is not None:
            self.fields["reason"].help_text = _(
                "%(name)s was sent the resolution, so they will be sent this reason exactly as "
                "you write it, with the new deadline, by %(where)s"
            ) % _to_whom(recipient)


class ReasonForm(GovukForm):
    reason = forms.CharField(label=_("Reason"), max_length=2_000, widget=forms.Textarea)


class ExtendForm(ReasonForm):
    """A statutory request's extension, which the requester is sent with the reason as written
    (``services.extend_deadline``).  ``recipient``: ``cases.queries.update_recipient`` of the
    case for ``Event.EXTENSION``, named in the reason's hint; without one the hint says ``why``
    not (``cases.queries.no_recipient_reason``) and, for a case with a customer, that staff get
    a task to tell them another way."""

    def __init__(
        self,
        *args: Any,
        recipient: Any = None,
        why: str = "",
        has_customer: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        if recipient is not None:
            field.help_text = _(
                "%(name)s will be sent this reason exactly as you write it, with the new "
                "deadline, by %(where)s"
            ) % _to_whom(recipient)
        elif has_customer:
            field.help_text = _(
                "Nobody can be sent the extension: %(why)s. A task will be opened to tell them "
                "another way"
            ) % {"why": why}
        else:
            field.help_text = _("Nobody can be sent the extension: %(why)s") % {"why": why}


class LinkForm(GovukForm):
    kind = forms.ChoiceField(
        label=_("This case is"),
        choices=LinkKind.choices,
        error_messages={"required": _("Select how this case relates to the other")},
    )
    other = forms.CharField(
        label=_("Reference of the other case"), max_length=20, help_text=_("Like SR-26-00011")
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

    def clean_exemptions(self) -> list[str]:
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
    """The queue's filters.  Its three selects are shown on every queue page, so each reads its
    options once as ``(key, label)`` pairs and checks the value sent against them
    (``ListedChoiceField``, ``queries.queue_filter_choices``)."""

    team = ListedChoiceField(label=_("Team"), required=False, empty_label=_("Any"))
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any open status")), *Status.choices], required=False
    )
    case_type = ListedChoiceField(label=_("Type"), required=False, empty_label=_("Any"))
    assignee = ListedChoiceField(label=_("Assigned to"), required=False, empty_label=_("Any"))
    due_within = forms.IntegerField(
        label=_("Due within (days)"), min_value=0, max_value=366, required=False
    )
    ward = forms.CharField(label=_("Ward"), max_length=100, required=False)
    mine = forms.BooleanField(label=_("Only my cases"), required=False)

    def __init__(
        self,
        *args: Any,
        teams: Iterable[tuple[int, str]],
        types: Iterable[tuple[int, str]],
        people: Iterable[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, pairs in (("team", teams), ("case_type", types), ("assignee", people)):
            field = self.fields[name]
            assert isinstance(field, ListedChoiceField)  # noqa: S101
            field.set_listed(pairs)

    def team_with_id(self, team_id: int | None) -> Listed | None:
        """The team with ``team_id`` among the select's teams (``None``: not one of them)."""
        field = self.fields["team"]
        assert isinstance(field, ListedChoiceField)  # noqa: S101
        return field.listed(team_id)


# --- case-type administration -------------------------------------------------------------------
QUESTION_ROW_LIMIT = 50  # services.ATTRIBUTE_COUNT_LIMIT
ROUTING_ROW_LIMIT = 100
ESCALATION_ROW_LIMIT = 20
BLANK_ROWS = 1  # one blank row of each part; "Add another" (ADD_ANOTHER) shows one more
ADD_ANOTHER = "add"  # the button's name; its value is the group given one more row
ROW_LIMITS = {
    "question": QUESTION_ROW_LIMIT,
    "routing": ROUTING_ROW_LIMIT,
    "escalation": ESCALATION_ROW_LIMIT,
}
CHOICE_LIMIT = 50
CHOICE_LENGTH = 100
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_QUESTION_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
_ROW_KEY = re.compile(r"(question|routing|escalation)_(\d{1,7})_")
_CHOICE_KINDS = frozenset({AttributeKind.CHOICE, AttributeKind.MULTIPLE_CHOICE})


def _posted_rows(data: Any, group: str) -> int:
    """How many rows of ``group`` the submitted form has (its highest row number + 1)."""
    highest = -1
    for key in data or ():
        match = _ROW_KEY.match(str(key))
        if match and match.group(1) == group:
            highest = max(highest, int(match.group(2)))
    return highest + 1


class CaseTypeForm(GovukForm):
    """A case type with its questions, routing and escalation rows (N filled + blank rows).

    ``cleaned_data`` gives the plain fields; ``questions``, ``routing`` and ``escalation`` give
    the rows, in the shapes ``services.CaseTypeInput`` takes."""

    name = forms.CharField(label=_("Name"), max_length=200)
    name_cy = forms.CharField(
        label=_("Name in Welsh (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "What residents read on the pages in Welsh and in messages to a customer who asked "
            "for Welsh; empty shows the English"
        ),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=60,
        help_text=_("Lower case letters, digits and hyphens, like missed-bin; it cannot change"),
    )
    kind = forms.ChoiceField(
        label=_("Kind of case"), choices=CaseKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10_000, widget=forms.Textarea
    )
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    default_team = forms.ModelChoiceField(
        label=_("Owning team"),
        queryset=Team.objects.none(),
        help_text=_("Cases go to this team's queue unless a routing rule below matches"),
    )
    primary_standard = forms.ChoiceField(
        label=_("Standard for the deadline"),
        help_text=_("Its clock gives the deadline the queue is ordered by"),
    )
    other_standards = forms.MultipleChoiceField(
        label=_("Other standards whose clocks start"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reopen_within_days = forms.IntegerField(
        label=_("Reopening period (days)"),
        min_value=0,
        max_value=3_650,
        initial=28,
        help_text=_("How long after closing a case can be reopened"),
    )
    is_active = forms.BooleanField(
        label=_("In use: staff can raise cases of this type"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        services: Any,
        teams: Any,
        standards: list[tuple[str, str]],
        rows: tuple[int, int, int] = (0, 0, 0),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._queryset("service", services)
        self._queryset("default_team", teams)
        primary = self.fields["primary_standard"]
        assert isinstance(primary, forms.ChoiceField)  # noqa: S101
        primary.choices = [("", _("Choose")), *standards]
        others = self.fields["other_standards"]
        assert isinstance(others, forms.ChoiceField)  # noqa: S101
        others.choices = standards
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code cannot change")
        self.fields["name_cy"].widget.attrs["lang"] = "cy"
        self.too_many: list[str] = []
        # "Add another" (the MOJ pattern without JavaScript): the page comes back with what was
        # typed, one more blank row in that part, nothing checked and nothing saved.
        self.adding = str(self.data.get(ADD_ANOTHER, ""))[:20] if self.is_bound else ""
        counts = {}
        for (group, limit), filled in zip(ROW_LIMITS.items(), rows, strict=True):
            posted = _posted_rows(self.data, group) if self.is_bound else 0
            if posted > limit:
                self.too_many.append(group)
            wanted = max(posted, filled + BLANK_ROWS) + (1 if group == self.adding else 0)
            counts[group] = min(limit, wanted)
        if self.adding not in counts:
            self.adding = ""
        for index in range(counts["question"]):
            self._question_fields(index, existing=index < rows[0])
        for index in range(counts["routing"]):
            self._routing_fields(index, teams)
        for index in range(counts["escalation"]):
            self._escalation_fields(index)
        self.row_counts = counts
        self.questions: list[dict[str, Any]] = []
        self.routing: list[tuple[str, str, Team]] = []
        self.escalation: list[tuple[int, str]] = []
        self.style()

    def _queryset(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = queryset

    def _question_fields(self, index: int, *, existing: bool) -> None:
        prefix = f"question_{index}_"
        self.fields[prefix + "label"] = forms.CharField(
            label=_("Question"), max_length=200, required=False
        )
        self.fields[prefix + "code"] = forms.CharField(
            label=_("Code"),
            max_length=60,
            required=False,
            help_text=_("Letters, digits, hyphens; made from the question if left empty"),
        )
        self.fields[prefix + "kind"] = forms.ChoiceField(
            label=_("Kind of answer"),
            choices=AttributeKind.choices,
            initial=AttributeKind.TEXT,
            required=False,
        )
        self.fields[prefix + "choices"] = forms.CharField(
            label=_("Choices"),
            required=False,
            max_length=CHOICE_LIMIT * (CHOICE_LENGTH + 2),
            widget=forms.Textarea,
            help_text=_("For single and multiple choice: one choice a line"),
        )
        self.fields[prefix + "dates"] = forms.ChoiceField(
            label=_("Dates accepted"),
            choices=DateRange.choices,
            initial=DateRange.ANY,
            required=False,
            help_text=_(
                "For a date question: for example, a missed collection is today or in the past"
            ),
        )
        self.fields[prefix + "order"] = forms.IntegerField(
            label=_("Order"), min_value=1, max_value=999, required=False
        )
        self.fields[prefix + "required"] = forms.BooleanField(
            label=_("An answer is required"), required=False
        )
        if existing:
            self.fields[prefix + "remove"] = forms.BooleanField(
                label=_("Remove this question"), required=False
            )

    def _routing_fields(self, index: int, teams: Any) -> None:
        prefix = f"routing_{index}_"
        self.fields[prefix + "ward"] = forms.CharField(
            label=_("Ward"), max_length=100, required=False
        )
        self.fields[prefix + "postcode"] = forms.CharField(
            label=_("Postcode area"), max_length=10, required=False, help_text=_("Like HP20")
        )
        self.fields[prefix + "team"] = forms.ModelChoiceField(
            label=_("Team"), queryset=teams, required=False, empty_label=_("Choose a team")
        )

    def _escalation_fields(self, index: int) -> None:
        prefix = f"escalation_{index}_"
        self.fields[prefix + "percent"] = forms.IntegerField(
            label=_("Percent of the time used"), min_value=1, max_value=500, required=False
        )
        self.fields[prefix + "action"] = forms.ChoiceField(
            label=_("Action"),
            choices=[("", _("Choose")), *EscalationAction.choices],
            required=False,
        )

    def unchecked(self) -> CaseTypeForm:
        """The form shown again after "Add another": no errors, since nothing was submitted."""
        self._errors = forms.utils.ErrorDict()
        return self

    # rows for the template: lists of bound fields
    def _rows(self, group: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
        rows = []
        for index in range(self.row_counts[group]):
            prefix = f"{group}_{index}_"
            rows.append(
                {
                    "number": index + 1,
                    "fields": [
                        self[prefix + name] for name in names if prefix + name in self.fields
                    ],
                }
            )
        return rows

    def question_rows(self) -> list[dict[str, Any]]:
        return self._rows(
            "question",
            ("label", "code", "kind", "choices", "dates", "order", "required", "remove"),
        )

    def routing_rows(self) -> list[dict[str, Any]]:
        return self._rows("routing", ("ward", "postcode", "team"))

    def escalation_rows(self) -> list[dict[str, Any]]:
        return self._rows("escalation", ("percent", "action"))

    def basic_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in (
                "name",
                "name_cy",
                "code",
                "kind",
                "description",
                "service",
                "default_team",
            )
        ]

    def deadline_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in ("primary_standard", "other_standards", "reopen_within_days", "is_active")
        ]

    # checking
    def clean_code(self) -> str:
        code = str(self.cleaned_data.get("code") or "").strip()
        if not _CODE.fullmatch(code):
            raise forms.ValidationError(
                _("Enter a code of lower case letters, digits and hyphens, like missed-bin")
            )
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        limits = {
            "question": _("Give at most %(limit)s questions") % {"limit": QUESTION_ROW_LIMIT},
            "routing": _("Give at most %(limit)s routing rules") % {"limit": ROUTING_ROW_LIMIT},
            "escalation": _("Give at most %(limit)s escalation rules")
            % {"limit": ESCALATION_ROW_LIMIT},
        }
        for group in self.too_many:
            self.add_error(None, limits[group])
        primary = cleaned.get("primary_standard")
        others = [code for code in cleaned.get("other_standards") or [] if code != primary]
        cleaned["standard_codes"] = [primary, *others] if primary else []
        self.questions = self._clean_questions()
        self.routing = self._clean_routing()
        self.escalation = self._clean_escalation()
        return cleaned

    def _value(self, name: str) -> Any:
        return self.cleaned_data.get(name)

    def _clean_questions(self) -> list[dict[str, Any]]:
        found: list[tuple[int, int, dict[str, Any]]] = []
        seen: set[str] = set()
        for index in range(self.row_counts["question"]):
            prefix = f"question_{index}_"
            label = str(self._value(prefix + "label") or "").strip()
            code = str(self._value(prefix + "code") or "").strip()
            text = str(self._value(prefix + "choices") or "")
            if self._value(prefix + "remove") or not (label or code or text.strip()):
                continue
            if not label:
                self.add_error(prefix + "label", _("Enter the question"))
                continue
            code = code or slugify(label)[:60]
            if not _QUESTION_CODE.fullmatch(code):
                self.add_error(
                    prefix + "code", _("Enter a code of letters, digits and hyphens, like bin")
                )
                continue
            if code in seen:
                self.add_error(prefix + "code", _("Another question has this code"))
                continue
            seen.add(code)
            kind = self._value(prefix + "kind") or AttributeKind.TEXT
            choices = list(
                dict.fromkeys(line.strip() for line in text.splitlines() if line.strip())
            )
            if kind in _CHOICE_KINDS:
                if not choices:
                    self.add_error(prefix + "choices", _("Give the choices, one a line"))
                    continue
                if len(choices) > CHOICE_LIMIT or any(len(c) > CHOICE_LENGTH for c in choices):
                    self.add_error(
                        prefix + "choices",
                        _("Give at most %(count)s choices of up to %(length)s characters each")
                        % {"count": CHOICE_LIMIT, "length": CHOICE_LENGTH},
                    )
                    continue
            else:
                choices = []
            order = self._value(prefix + "order")
            question = {
                "code": code,
                "label": label,
                "kind": kind,
                "required": bool(self._value(prefix + "required")),
                "choices": choices,
            }
            dates = self._value(prefix + "dates") or DateRange.ANY
            if kind == AttributeKind.DATE and dates != DateRange.ANY:
                question["dates"] = dates
            found.append((order if order is not None else 1_000 + index, index, question))
        return [question for _order, _index, question in sorted(found, key=lambda row: row[:2])]

    def _clean_routing(self) -> list[tuple[str, str, Team]]:
        found: list[tuple[str, str, Team]] = []
        areas: set[tuple[str, str]] = set()
        for index in range(self.row_counts["routing"]):
            prefix = f"routing_{index}_"
            ward = str(self._value(prefix + "ward") or "").strip()
            postcode = str(self._value(prefix + "postcode") or "").strip()
            team = self._value(prefix + "team")
            if not (ward or postcode or team):
                continue
            area = (re.sub(r"[^A-Z0-9]", "", postcode.upper())[:8], ward)
            if postcode and not area[0]:
                self.add_error(prefix + "postcode", _("Enter a postcode area, like HP20"))
            elif area == ("", ""):
                self.add_error(prefix + "ward", _("Enter a ward or a postcode area"))
            elif area in areas:
                self.add_error(prefix + "ward", _("Another routing rule has this area"))
            elif team is None:
                self.add_error(prefix + "team", _("Choose the team"))
            else:
                areas.add(area)
                found.append((area[0], ward, team))
        return found

    def _clean_escalation(self) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        for index in range(self.row_counts["escalation"]):
            prefix = f"escalation_{index}_"
            percent = self._value(prefix + "percent")
            action = self._value(prefix + "action")
            if percent is None and not action:
                continue
            if percent is None:
                self.add_error(prefix + "percent", _("Enter the percent of the time used"))
            elif not action:
                self.add_error(prefix + "action", _("Choose the action"))
            elif (percent, action) in found:
                self.add_error(prefix + "percent", _("Another rule does the same"))
            else:
                found.append((percent, action))
        return found


def case_type_initial(case_type: CaseType) -> dict[str, Any]:
    """The edit form's starting values: the type, its questions, routing and escalation."""
    codes = list(case_type.standard_codes)
    initial: dict[str, Any] = {
        "name": case_type.name,
        "name_cy": case_type.name_cy,
        "code": case_type.code,
        "kind": case_type.kind,
        "description": case_type.description,
        "service": case_type.service_id,
        "default_team": case_type.default_team_id,
        "primary_standard": codes[0] if codes else "",
        "other_standards": codes[1:],
        "reopen_within_days": case_type.reopen_within_days,
        "is_active": case_type.is_active,
    }
    for index, question in enumerate(case_type.attributes):
        prefix = f"question_{index}_"
        initial[prefix + "label"] = question.get("label", "")
        initial[prefix + "code"] = question.get("code", "")
        initial[prefix + "kind"] = question.get("kind", AttributeKind.TEXT)
        initial[prefix + "choices"] = "\n".join(str(c) for c in question.get("choices", []))
        initial[prefix + "dates"] = date_range_of(question)
        initial[prefix + "order"] = index + 1
        initial[prefix + "required"] = bool(question.get("required"))
    for index, rule in enumerate(case_type.routing_rules.all()):
        prefix = f"routing_{index}_"
        initial[prefix + "ward"] = rule.ward
        initial[prefix + "postcode"] = rule.postcode_prefix
        initial[prefix + "team"] = rule.team_id
    for index, escalation in enumerate(case_type.escalation_rules.all()):
        prefix = f"escalation_{index}_"
        initial[prefix + "percent"] = escalation.percent
        initial[prefix + "action"] = escalation.action
    return initial

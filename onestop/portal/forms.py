"""Page input of the portal.  Forms parse and check shapes; services enforce the rules.

The resident's form asks what the staff raise form asks (the case type's questions, through
``core.questions``; summary, details, postcode) in residents' words, with where and "your
details" added, and every text input refusing control characters (``core.text``).
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onestop.cases import services as case_services
from onestop.cases.models import CaseType
from onestop.core.errors import ServiceError
from onestop.core.forms import GovukForm, apply_govuk_messages, service_check
from onestop.core.questions import AttributeKind, add_question_fields, answers, attribute_field_name
from onestop.core.text import guard_plain_text, guard_text_fields, visible
from onestop.customers import services as customer_services
from onestop.documents import services as document_services
from onestop.documents import uploads
from onestop.documents.errors import DocumentRefused
from onestop.portal import services
from onestop.portal.models import GUIDANCE_LIMIT, HINT_LIMIT, KEYWORDS_LIMIT, Layout
from onestop.portal.models import NAME_LIMIT as FORM_NAME_LIMIT

HONEYPOT = "leave_blank"
POINT_INPUT_LIMIT = 30
POINT_FIELDS = ("latitude", "longitude")


def _service_check(check: Callable[[str], str], value: str) -> str:
    """Run a customers check (postcode, e-mail, phone) as a form field's validation."""
    return str(service_check(check, value)) if value else ""


class ReportForm(GovukForm):
    """A resident's report of a problem of ``case_type`` (no ward: residents rarely know it;
    routing uses the postcode)."""

    title = forms.CharField(
        label=_("What is the problem"),
        max_length=services.TITLE_LIMIT,
        help_text=_("A few words saying what the problem is"),
        error_messages={"required": _("Enter what the problem is")},
    )
    description = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=services.DESCRIPTION_LIMIT,
        widget=forms.Textarea,
        help_text=_("Anything that will help us sort it out"),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("The postcode where the problem is, like HP19 8FF"),
        error_messages={"required": _("Enter the postcode where the problem is")},
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "postal-code"}
        ),
    )

    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"class": "govuk-file-upload", "accept": "image/*"}),
    )

    def __init__(
        self,
        *args: Any,
        case_type: CaseType,
        request: HttpRequest | None = None,
        questions: list[dict[str, Any]] | None = None,
        blueprint: Blueprint | None = None,
        only: Collection[str] | None = None,
        **kwargs: Any,
    ) -> None:
        # The questions in the page's language (``WebForm.questions_in``), else as stored;
        # ``blueprint``: their fields, when the page looked them up already (``blueprint_of``).
        # ``only``: just these fields, for a page that shows some and checks none (an empty
        # page of a long form: copying every field of the form for it took longer than that).
        self.questions = questions if questions is not None else list(case_type.attributes)
        if blueprint is None:
            blueprint = _blueprint(self.questions)
        fields = blueprint.fields
        if only is not None:
            fields = {name: field for name, field in fields.items() if name in only}
        # Copied by Django's own form (as it copies a form class's declared fields), so each
        # form has fields of its own and the blueprint is never changed.
        self.base_fields = fields  # type: ignore[misc]  # this form's, not the class's
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        self.request = request
        self.asks_where = blueprint.asks_where
        # Where the case type asks for a location, the point on the map too (optional; the
        # map fills these in, and without JavaScript they can be typed or left empty).
        self.point_question = blueprint.point_question

    def full_clean(self) -> None:
        """Checked as every form is (``core.forms.PlainTextFormMixin``), less giving the fields
        the plain-text check and the GOV.UK messages: they came from the blueprint with both
        already given, and giving them again would change nothing (a form is made and checked
        in one request, so in one language)."""
        forms.BaseForm.full_clean(self)

    def names_of(self, name: str) -> list[str]:
        """The inputs that answer the question ``name``: a location question's point too."""
        return names_of(name, self.point_question)

    # sections of the page, in order
    def question_fields(self) -> list[forms.BoundField]:
        return [self[attribute_field_name(question["code"])] for question in self.questions]

    def point_fields(self) -> list[forms.BoundField]:
        """The latitude and longitude inputs (none when no question asks for a location)."""
        return [self["latitude"], self["longitude"]] if self.point_question else []

    def problem_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("title", "description", "photo") if name in self.fields]

    def where_fields(self) -> list[forms.BoundField]:
        return [self["postcode"], *([self["location"]] if self.asks_where else [])]

    def you_fields(self) -> list[forms.BoundField]:
        return [self["given_name"], self["family_name"], self["email"], self["phone"]]

    def answers(self) -> dict[str, Any]:
        return answers(self, self.questions)

    def is_bot(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean_given_name(self) -> str:
        return visible(self.cleaned_data["given_name"])

    def clean_family_name(self) -> str:
        return visible(self.cleaned_data["family_name"])

    def clean_postcode(self) -> str:
        return _service_check(customer_services.clean_postcode, self.cleaned_data["postcode"])

    def clean_email(self) -> str:
        return _service_check(customer_services.clean_email, self.cleaned_data["email"])

    def clean_photo(self) -> document_services.CheckedFile | None:
        """The photo checked like every upload (``documents``), before anything is saved."""
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return document_services.check_uploaded_file(
                upload,
                name=uploads.sent_name(self.request, upload),
                field="photo",
                pictures_only=True,
            )
        except DocumentRefused as refusal:
            raise ValidationError(refusal.message, code=str(refusal.code)) from None

    def clean_phone(self) -> str:
        return _service_check(customer_services.clean_phone, self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["point"] = self._point(data) if self.point_question else None
        if "given_name" in self.errors or "family_name" in self.errors:
            return data
        refused = services.name_problem(
            data.get("given_name", ""),
            data.get("family_name", ""),
            reply_to=bool(data.get("email") or data.get("phone")),
        )
        if refused is not None:
            self.add_error(refused.field, refused.message)
        return data

    def _point(self, data: dict[str, Any]) -> case_services.Point | None:
        if "latitude" in self.errors or "longitude" in self.errors:
            return None
        try:
            return case_services.clean_point(
                data.get("latitude", ""),
                data.get("longitude", ""),
                organisation=self.case_type.organisation,
            )
        except ServiceError as refusal:
            self.add_error(refusal.field or "latitude", refusal.message)
            return None

    def report(self, *, language: str = "en") -> services.Report:
        data = self.cleaned_data
        return services.Report(
            title=data["title"],
            postcode=data["postcode"],
            description=data["description"],
            location=data.get("location", ""),
            answers=self.answers(),
            given_name=data["given_name"],
            family_name=data["family_name"],
            email=data["email"],
            phone=data["phone"],
            language=language,
            point=data.get("point"),
        )


@dataclass(frozen=True)
class Blueprint:
    """A report form's fields as built for some questions in one language: each
    ``ReportForm`` copies them rather than building them again."""

    fields: dict[str, forms.Field]
    asks_where: bool
    point_question: str


# Built once for what they are built from, the page's language, the questions in it (their
# words, kinds and choices) and the upload limit's words: an edited question, a Welsh word
# changed or another limit is another key, so a blueprint is never out of date.  Each process
# keeps the last BLUEPRINT_LIMIT it built (old versions of a form fall out).
BLUEPRINT_LIMIT = 64
_blueprints: OrderedDict[tuple[str, str, str], Blueprint] = OrderedDict()
_blueprints_lock = threading.Lock()


def blueprint_of(questions: list[dict[str, Any]]) -> Blueprint:
    """The fields of a report form asking ``questions`` in the page's language, as its forms
    copy them (built once, ``_blueprint``); never to be changed."""
    return _blueprint(questions)


def _blueprint(questions: list[dict[str, Any]]) -> Blueprint:
    language = get_language() or ""
    key = (language, document_services.size_limit_text(), json.dumps(questions, sort_keys=True))
    found = _blueprints.get(key)
    if found is None:
        found = _build(questions)
        with _blueprints_lock:
            _blueprints[key] = found
            while len(_blueprints) > BLUEPRINT_LIMIT:
                _blueprints.popitem(last=False)
    return found


def _build(questions: list[dict[str, Any]]) -> Blueprint:
    """The report form's fields for ``questions`` in the active language: ReportForm's own
    fields, then each question's, the point on the map, where, and "your details", in the
    page's order, with the plain-text check, the length limits, the GOV.UK classes and the
    GOV.UK error messages (what ``PlainTextFormMixin.full_clean`` would give them)."""
    form = GovukForm()  # holds the fields while they are built (its own are none)
    form.fields = copy.deepcopy(ReportForm.base_fields)
    form.fields["photo"].help_text = _(
        "A JPG or PNG picture of the problem, smaller than %(size)s"
    ) % {"size": document_services.size_limit_text()}
    add_question_fields(form, questions)
    location = next((q for q in questions if q.get("kind") == AttributeKind.LOCATION), None)
    asks_where = location is None
    point_question = attribute_field_name(location["code"]) if location is not None else ""
    if point_question:
        for name, label in (("latitude", _("Latitude")), ("longitude", _("Longitude"))):
            form.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=POINT_INPUT_LIMIT,
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input govuk-input--width-10",
                        "inputmode": "decimal",
                        "spellcheck": "false",
                        "autocomplete": "off",
                    }
                ),
            )
    if asks_where:
        form.fields["location"] = forms.CharField(
            label=_("Where exactly (optional)"),
            help_text=_("For example, “outside number 12” or “by the bus stop”"),
            max_length=services.LOCATION_LIMIT,
            required=False,
        )
    form.fields["given_name"] = forms.CharField(
        label=_("First name"),
        max_length=services.NAME_LIMIT,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    form.fields["family_name"] = forms.CharField(
        label=_("Last name"),
        max_length=services.NAME_LIMIT,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    form.fields["email"] = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        help_text=_("We will only use this to reply to you about this report"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    form.fields["phone"] = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        help_text=_("For international numbers include the country code"),
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "autocomplete": "tel",
                "class": "govuk-input govuk-input--width-20",
            }
        ),
    )
    # A field people never see: bots that fill in every input are refused (see views).
    form.fields[HONEYPOT] = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    for field in form.fields.values():
        # The limit is checked with a clear error; a maxlength would silently cut text.
        field.widget.attrs.pop("maxlength", None)
    # The page's order, so the GOV.UK error summary lists the mistakes as the page shows them.
    form.order_fields(
        [
            *(
                name
                for question in questions
                for name in names_of(attribute_field_name(question["code"]), point_question)
            ),
            "title",
            "description",
            "photo",
            "postcode",
            *(["location"] if asks_where else []),
            "given_name",
            "family_name",
            "email",
            "phone",
            HONEYPOT,
        ]
    )
    guard_text_fields(form)
    form.style()
    guard_plain_text(form.fields)
    apply_govuk_messages(form.fields)
    return Blueprint(
        fields=form.fields,
        asks_where=asks_where,
        point_question=point_question,
    )


def names_of(name: str, point_question: str) -> list[str]:
    """The inputs that answer the question ``name`` when ``point_question`` is the location
    question (none: ""): a location question's point too."""
    return [name, "latitude", "longitude"] if name == point_question else [name]


class WebFormForm(GovukForm):
    """Staff: whether residents can report a case type online, and what they are told."""

    is_published = forms.BooleanField(
        label=_("Residents can report this online"),
        required=False,
        help_text=_("It appears in the list of online forms and its page can be opened"),
    )
    guidance = forms.CharField(
        label=_("Guidance for residents (optional)"),
        required=False,
        max_length=GUIDANCE_LIMIT,
        widget=forms.Textarea,
        help_text=_("Plain text shown above the form, like when to report and what happens next"),
    )
    position = forms.IntegerField(
        label=_("Position in the list"),
        min_value=1,
        max_value=services.POSITION_LIMIT,
        initial=100,
        help_text=_("Lower numbers come first"),
    )
    layout = forms.ChoiceField(
        label=_("How the form is laid out"),
        choices=Layout.choices,
        initial=Layout.AUTOMATIC,
        required=False,  # left out: unchanged (automatic for a new form)
        widget=forms.RadioSelect,
    )
    hint = forms.CharField(
        label=_("Hint (optional)"),
        required=False,
        max_length=HINT_LIMIT,
        help_text=_("One line under the form's name in the residents' list, like what it covers"),
    )
    hint_cy = forms.CharField(
        label=_("Hint in Welsh (optional)"), required=False, max_length=HINT_LIMIT
    )
    keywords = forms.CharField(
        label=_("Search keywords (optional)"),
        required=False,
        max_length=KEYWORDS_LIMIT,
        help_text=_(
            "Other words residents use for it, separated by commas, like rubbish, wheelie bin. "
            "The residents' search finds the form by them; they are not shown"
        ),
    )
    keywords_cy = forms.CharField(
        label=_("Search keywords in Welsh (optional)"),
        required=False,
        max_length=KEYWORDS_LIMIT,
        widget=forms.TextInput(attrs={"lang": "cy"}),
    )
    guidance_cy = forms.CharField(
        label=_("Guidance in Welsh (optional)"),
        required=False,
        max_length=GUIDANCE_LIMIT,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, case_type: CaseType | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        for question in case_type.attributes if case_type is not None else []:
            code = question["code"]
            self.fields[f"label_cy_{code}"] = forms.CharField(
                label=_("“%(label)s” in Welsh (optional)") % {"label": question["label"]},
                required=False,
                max_length=FORM_NAME_LIMIT,
            )
            if question.get("choices"):
                self.fields[f"choices_cy_{code}"] = forms.CharField(
                    label=_("Answers to “%(label)s” in Welsh (optional)")
                    % {"label": question["label"]},
                    required=False,
                    widget=forms.Textarea,
                    help_text=_("One a line, in this order: %(choices)s")
                    % {"choices": ", ".join(str(choice) for choice in question["choices"])},
                )
        guard_text_fields(self)
        for name in ("guidance", "guidance_cy", "keywords", "keywords_cy"):
            self.fields[name].widget.attrs.pop("maxlength", None)
        self.style()

    def words(self) -> services.WebFormWords:
        data = self.cleaned_data
        questions: dict[str, Any] = {}
        for question in self.case_type.attributes if self.case_type is not None else []:
            code = question["code"]
            choices = [
                line.strip()
                for line in str(data.get(f"choices_cy_{code}", "")).splitlines()
                if line.strip()
            ]
            label = data.get(f"label_cy_{code}", "")
            if label or choices:
                questions[code] = {"label": label, "choices": choices}
        return services.WebFormWords(
            hint=data["hint"],
            hint_cy=data["hint_cy"],
            guidance_cy=data["guidance_cy"],
            questions_cy=questions,
            keywords=data["keywords"],
            keywords_cy=data["keywords_cy"],
        )


def web_form_initial(web_form: Any) -> dict[str, Any]:
    """The staff form's starting values from a saved web form (``None``: a new one)."""
    if web_form is None:
        return {}
    initial: dict[str, Any] = {
        "is_published": web_form.is_published,
        "guidance": web_form.guidance,
        "position": web_form.position,
        "layout": web_form.layout,
        "hint": web_form.hint,
        "hint_cy": web_form.hint_cy,
        "guidance_cy": web_form.guidance_cy,
        "keywords": web_form.keywords,
        "keywords_cy": web_form.keywords_cy,
    }
    words = web_form.questions_cy if isinstance(web_form.questions_cy, dict) else {}
    for code, welsh in words.items():
        if isinstance(welsh, dict):
            initial[f"label_cy_{code}"] = welsh.get("label", "")
            initial[f"choices_cy_{code}"] = "\n".join(welsh.get("choices", []) or [])
    return initial

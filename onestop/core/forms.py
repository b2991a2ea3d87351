"""The base of every form: the plain-text rule, GOV.UK Design System classes for widgets, the
GOV.UK base form, and fields that run a service's own check.

Every form of the project inherits ``PlainTextFormMixin`` (``GovukFormMixin`` includes it; a walker
test checks every form class), so every text input refuses NUL, control, bidirectional and
zero-width characters with a field error (``core.text``), including fields a form adds after
``__init__``.  ``core/includes/field.html`` (with the ``govuk_widget`` filter) renders the label,
hint, error message and the error modifier; ``GovukFormMixin`` gives each widget its base class.
An app reuses another app's input rules through these pieces and that app's ``services``
(``CheckedField(check=customer_services.clean_postcode)``), never by importing its ``forms``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ServiceError
from onestop.core.templatetags.govuk import option_elements
from onestop.core.text import guard_plain_text, has_control_characters, refusal_message

WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.TextInput: "govuk-input",
    forms.EmailInput: "govuk-input",
    forms.PasswordInput: "govuk-input",
    forms.URLInput: "govuk-input",
    forms.NumberInput: "govuk-input",
    forms.DateInput: "govuk-input",
}
# Short inputs get a fixed width unless the form chose one.
DEFAULT_WIDTHS: dict[type[forms.Widget], str] = {
    forms.NumberInput: "govuk-input--width-10",
    forms.DateInput: "govuk-input--width-10",
}


# The label Django gives a select's blank choice unless a form names it.
DJANGO_BLANK_LABEL = "---------"

# Django's select markup with its options written by one filter (``govuk.select_options``) rather
# than one template per option: a tenth of the cost for a select of a few hundred teams.
SELECT_TEMPLATE = "core/widgets/select.html"


class Select(forms.Select):
    """Django's select as ``SELECT_TEMPLATE`` writes it, its options written in one pass over
    its choices (``govuk.option_elements``) rather than from ``optgroups``: the queue page's
    filters show a few hundred teams and people on every page.  ``GovukFormMixin`` gives it to
    every field whose widget is a plain ``forms.Select``; the markup is Django's, to the byte
    (``tests/core/test_govuk_fields.py``).  Named ``Select`` so templates see the same
    ``widget_type``."""

    template_name = SELECT_TEMPLATE

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # ``forms.Widget``'s context (name, value, attributes) without ``ChoiceWidget``'s
        # optgroups, which this widget never reads.
        context: dict[str, Any] = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        widget["options"] = mark_safe(  # noqa: S308  # nosec B308 B703  # every part escaped
            option_elements(self.choices, widget["value"], multiple=self.allow_multiple_selected)
        )
        return context


class ListedModelChoices(forms.models.ModelChoiceIterator[Any]):
    """A select's model choices read with one ordinary statement (and kept for the form's life),
    not through ``QuerySet.iterator()``, Django's default: on PostgreSQL that is a server-side
    cursor, declared ``WITH HOLD`` outside a transaction, three round trips for a few options."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        objects = (
            self.field.choice_objects()
            if isinstance(self.field, ListedModelChoiceField)
            else self.queryset
        )
        for obj in objects:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A model choice whose queryset is read once for the form's life and serves both the
    select's options (``ListedModelChoices``) and the check of the value sent, which
    ``ModelChoiceField`` makes by reading the chosen row again (``get``).  For a select the
    page shows whatever was sent, such as a filter form's: one statement instead of two (and
    the view can find the chosen object among ``choice_objects`` instead of a third).  The
    value is read by the key field's own ``to_python``, as ``get`` would read it."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        key = self.to_field_name or "pk"
        found = None
        if self.queryset is not None:
            model = self.queryset.model
            if isinstance(value, model):
                value = getattr(value, key)
            field = model._meta.pk if key == "pk" else model._meta.get_field(key)
            try:
                wanted = field.to_python(value)
            except ValidationError:
                wanted = None
            if wanted is not None:
                objects = self.choice_objects()
                found = next((obj for obj in objects if getattr(obj, key) == wanted), None)
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found

    def choice_objects(self) -> list[Any]:
        """The queryset's objects, read once (the select's options are the same list), or the
        objects ``use_objects`` gave."""
        given: list[Any] | None = getattr(self, "_given_objects", None)
        if given is not None:
            return given
        return [] if self.queryset is None else list(self.queryset)

    def use_objects(self, objects: list[Any]) -> None:
        """Offer ``objects`` (of the queryset's model, read already: kept under a version, say)
        instead of reading the queryset: the options, and what a value sent is checked against."""
        self._given_objects = list(objects)


@dataclass(frozen=True, slots=True)
class Listed:
    """One option of a ``ListedChoiceField``: the record's key and the label the select shows."""

    pk: int
    label: str

    def __str__(self) -> str:
        return self.label


class ListedChoiceField(forms.ChoiceField):
    """A select of records read once as ``(key, label)`` pairs (``values_list``), not as model
    objects, serving both the select's options and the check of the value sent; the cleaned
    value is the ``Listed`` chosen, or ``None`` for the blank choice.  For a select every page
    of a kind shows, such as the queue's filters (a council's few hundred teams and staff): no
    model object is made for an option and the chosen row is not read again, as
    ``ModelChoiceField`` would.  A value is accepted and refused as ``ModelChoiceField`` accepts
    and refuses a key (the key field's ``int``, surrounding spaces allowed; NUL refused), with
    the same error codes (``tests/core/test_listed_choices.py``)."""

    def __init__(self, *, empty_label: str | Promise = "", **kwargs: Any) -> None:
        super().__init__(choices=(), **kwargs)
        self.empty_label = empty_label
        self._by_key: dict[int, Listed] = {}

    def set_listed(self, pairs: Iterable[tuple[int, str]]) -> None:
        """The options, in order: ``(key, label)`` pairs."""
        self._by_key = {int(key): Listed(int(key), str(label)) for key, label in pairs}
        choices: list[tuple[int | str, str | Promise]] = [
            ("", self.empty_label),
            *((key, o.label) for key, o in self._by_key.items()),
        ]
        # Already the list of (value, label) pairs Django's ``normalize_choices`` makes, so it
        # is set as it is: the ``choices`` setters of the field and of its widget would each
        # walk it again, option by option (the queue page's 600 options, a third of its form).
        self._choices = self.widget._choices = choices

    def listed(self, key: int | None) -> Listed | None:
        """The option whose key is ``key`` (``None``: not one of them)."""
        return None if key is None else self._by_key.get(key)

    def to_python(self, value: Any) -> Listed | None:
        if value in self.empty_values:
            return None
        text = str(value)
        ProhibitNullCharactersValidator()(text)
        try:
            key: int | None = int(text)
        except ValueError:
            key = None
        found = self.listed(key)
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # the choice was checked by ``to_python``


def _label_words(name: str, field: forms.Field) -> str:
    """A field's label as it reads inside a sentence: "Email address" -> "email address"; an
    initialism keeps its capitals ("UPRN", "NHS number")."""
    label = str(field.label or pretty_name(name)).strip().rstrip(":?")
    label = label.removesuffix(str(_("(optional)"))).strip()
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField)


# The words of ``_stock_messages`` and ``govuk_messages``, worked out once for each field class,
# name, label and language: every form runs ``apply_govuk_messages`` on every field each time it
# is cleaned (the queue page's filter form: 13 translations a field, half a millisecond a page).
# A form built from records (a case type's questions) has labels of its own, so the cache is
# emptied when it reaches ``_WORDS_LIMIT`` entries.
_WORDS: dict[tuple[Any, ...], dict[str, str]] = {}
_WORDS_LIMIT = 4096


def _remembered(key: tuple[Any, ...], work_out: Callable[[], dict[str, str]]) -> dict[str, str]:
    words = _WORDS.get(key)
    if words is None:
        if len(_WORDS) >= _WORDS_LIMIT:
            _WORDS.clear()
        words = _WORDS[key] = work_out()
    return dict(words)  # the caller's own copy


def _stock_messages(field: forms.Field) -> dict[str, str]:
    """Django's own messages for the field's class (what a form gets when it says nothing)."""
    return _remembered(
        ("stock", type(field), get_language()), lambda: _work_out_stock_messages(type(field))
    )


def _work_out_stock_messages(field_class: type[forms.Field]) -> dict[str, str]:
    stock: dict[str, str] = {}
    for cls in reversed(field_class.__mro__):
        defaults = getattr(cls, "default_error_messages", {})
        stock.update({key: str(text) for key, text in defaults.items()})
    return stock


def govuk_messages(name: str, field: forms.Field) -> dict[str, str]:
    """The GOV.UK words for a field's errors, each naming the field: "Enter <label>" when it is
    missing ("Select <label>" for a choice), "<Label> must be ..." when it is the wrong shape.
    A "%" of the label is doubled: Django formats these messages with their values.  They
    depend only on the name, the label, the field's class and the language."""
    label = None if field.label is None else str(field.label)
    return _remembered(
        ("govuk", name, label, type(field), get_language()),
        lambda: _work_out_govuk_messages(name, field),
    )


def _work_out_govuk_messages(name: str, field: forms.Field) -> dict[str, str]:
    words = _label_words(name, field).replace("%", "%%")
    named = {"label": words}
    label = {"label": words[:1].upper() + words[1:]}
    from_list = str(_("Select %(label)s from the list")) % named
    if isinstance(field, forms.FloatField | forms.DecimalField):
        invalid = str(_("%(label)s must be a number")) % label
    elif isinstance(field, forms.IntegerField):
        invalid = str(_("%(label)s must be a whole number")) % label
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        invalid = str(_("%(label)s must be a real date")) % label
    else:
        invalid = str(_("Enter %(label)s in the correct format")) % named
    missing = _("Select %(label)s") if _is_choice(field) else _("Enter %(label)s")
    return {
        "required": str(missing) % named,
        "invalid": invalid,
        "invalid_choice": from_list,
        "invalid_pk_value": from_list,
        "invalid_list": from_list,
        "max_length": str(_("%(label)s must be %%(limit_value)d characters or fewer")) % label,
        "min_length": str(_("%(label)s must be %%(limit_value)d characters or more")) % label,
        "max_value": str(_("%(label)s must be %%(limit_value)s or less")) % label,
        "min_value": str(_("%(label)s must be %%(limit_value)s or more")) % label,
        "max_digits": str(_("%(label)s must be %%(max)s digits or fewer")) % label,
        "max_decimal_places": str(_("%(label)s must have %%(max)s decimal places or fewer"))
        % label,
    }


def apply_govuk_messages(fields: dict[str, forms.Field]) -> None:
    """Give every field the GOV.UK words for each error Django would otherwise word for itself
    ("This field is required.", "Enter a whole number.", a length or range check); a message
    the form chose itself is kept."""
    for name, field in fields.items():
        stock = _stock_messages(field)
        for key, text in govuk_messages(name, field).items():
            current = field.error_messages.get(key)
            if current is None and _validator_has_its_own_words(field, key):
                continue
            if current is None or str(current) == stock.get(key):
                field.error_messages[key] = text if key in _FORMATTED else text.replace("%%", "%")


# The messages Django formats with values (so a "%" in them is written "%%").
_FORMATTED = frozenset(
    {
        "invalid_choice",
        "invalid_pk_value",
        "max_length",
        "min_length",
        "max_value",
        "min_value",
        "max_digits",
        "max_decimal_places",
    }
)


def _validator_has_its_own_words(field: forms.Field, code: str) -> bool:
    """A validator of the field that raises ``code`` with a message of its own (the length
    check ``core.text.guard_text_fields`` adds): the field's message would override it."""
    for validator in field.validators:
        if getattr(validator, "code", None) == code:
            return str(getattr(validator, "message", "")) != str(
                getattr(type(validator), "message", "")
            )
    return False


class PlainTextFormMixin:
    """Put before ``forms.Form``: every text input gets the plain-text check when the form is
    cleaned (so fields added or replaced in ``__init__`` are covered too), and every error
    Django would word for itself ("This field is required.") names its field in GOV.UK words
    instead ("Enter postcode", "Select team"; ``apply_govuk_messages``)."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        guard_plain_text(self.fields)
        apply_govuk_messages(self.fields)
        super().full_clean()  # type: ignore[misc]


class GovukFormMixin(PlainTextFormMixin):
    """Call ``self._style()`` at the end of ``__init__``: adds each widget's GOV.UK base class
    (and a default width for numbers and dates), keeping classes the form set itself, reads
    model choices with ``ListedModelChoices`` and renders selects with ``SELECT_TEMPLATE``."""

    def _style(self) -> None:
        for field in self.fields.values():
            widget_type = type(field.widget)
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == DJANGO_BLANK_LABEL:
                    # No "---------": a required choice has no blank, an optional one says "None".
                    field.empty_label = None if field.required else str(_("None"))
                field.iterator = ListedModelChoices
                field.widget.choices = field.choices
            if widget_type is forms.Select:
                field.widget = _plain_select(field.widget)
            base = WIDGET_CLASSES.get(widget_type)
            if base is None:
                continue
            classes = str(field.widget.attrs.get("class", "")).split()
            if base not in classes:
                classes.insert(0, base)
            width = DEFAULT_WIDTHS.get(widget_type)
            if width and not any("--width-" in name for name in classes):
                classes.append(width)
            field.widget.attrs["class"] = " ".join(classes)


def _plain_select(widget: forms.Select) -> Select:
    """``widget`` as a ``Select``, with its attributes, choices and required flag."""
    select = Select(attrs=widget.attrs, choices=())
    select.choices = widget.choices  # a model field's iterator stays lazy
    select.is_required = widget.is_required
    select.is_localized = widget.is_localized
    return select


def query_text(query: QueryDict, name: str, *, limit: int, label: str) -> tuple[str, str]:
    """A search box's text read straight from the query string (``?q=``), by the same rule as
    every form: ``(text, "")``, or ``("", message)`` when it holds refused characters (the page
    shows the message as the box's error and searches for nothing)."""
    text = query.get(name, "")[:limit]
    if has_control_characters(text):
        return "", refusal_message(label)
    return text, ""


class GovukForm(GovukFormMixin, forms.Form):
    """GOV.UK classes on every widget; ``core/includes/field.html`` adds the error modifiers and
    renders checkboxes and radios as GOV.UK fieldsets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        self._style()
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 4


def service_check(check: Callable[[str], Any], text: str) -> Any:
    """``check(text)`` (a service's cleaning function), its ``ServiceError`` as a field error."""
    try:
        return check(text)
    except ServiceError as error:
        raise ValidationError(error.message, code=str(error.code)) from None


class CheckedField(forms.CharField):
    """Text whose cleaned value is what ``check`` (a service's cleaning function) makes of it;
    blank stays blank (``required`` decides whether blank is allowed)."""

    def __init__(self, *, check: Callable[[str], Any], **kwargs: Any) -> None:
        self.check = check
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        return service_check(self.check, text) if text else ""


class PhoneField(CheckedField):
    """A phone number, checked by ``check`` (``customers.services.clean_phone``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("For example, 01296 585858 or 07700 900123"))
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.update({"class": "govuk-input--width-20", "autocomplete": "tel"})


# --- dates: the GOV.UK date input -------------------------------------------------------------
DATE_PARTS = ("day", "month", "year")


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes in one fieldset
    (``core/widgets/date_input.html``; ``core/includes/field.html`` draws the fieldset).  Each
    box is posted as ``<name>_day``, ``<name>_month`` and ``<name>_year``; ``error_parts``
    (set by ``GovukDateField``) names the boxes to mark when the date is refused."""

    template_name = "core/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, birthday: bool = False) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {}
        for part in DATE_PARTS:
            part_attrs: dict[str, Any] = {"inputmode": "numeric", "spellcheck": "false"}
            if birthday:
                part_attrs["autocomplete"] = f"bday-{part}"
            widgets[part] = forms.TextInput(attrs=part_attrs)
        super().__init__(widgets, attrs)
        self.error_parts: tuple[str, ...] = ()

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        """The first box to mend (the error summary links to it), else the day."""
        first = self.error_parts[0] if self.error_parts else "day"
        return f"{id_}_{first}" if id_ else ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        for part, subwidget in zip(DATE_PARTS, context["widget"]["subwidgets"], strict=True):
            if id_:
                subwidget["attrs"]["id"] = f"{id_}_{part}"
            subwidget["part"] = part
            subwidget["label"] = {"day": _("Day"), "month": _("Month"), "year": _("Year")}[part]
            subwidget["width"] = (
                "govuk-input--width-4" if part == "year" else "govuk-input--width-2"
            )
            subwidget["error"] = part in self.error_parts
        return context


class GovukDateField(forms.Field):
    """A date typed in the GOV.UK date input, refused in the GOV.UK "Dates" pattern's words:
    "Enter date of birth", "Date of birth must include a month", "... must be a real date",
    "Year must include 4 numbers", and, with ``past`` or ``future``, "... must be in the
    past" / "... must be in the future".  ``error_name`` is how the messages name the date
    (default: the label without "(optional)")."""

    widget = GovukDateInput

    def __init__(
        self,
        *,
        past: bool = False,
        future: bool = False,
        birthday: bool = False,
        error_name: str | Promise | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", GovukDateInput(birthday=birthday))
        kwargs.setdefault(
            "help_text", _("For example, 27 3 1985") if birthday else _("For example, 27 3 2026")
        )
        super().__init__(**kwargs)
        self.past, self.future = past, future
        self.error_name = error_name

    def _name(self) -> str:
        if self.error_name:
            return str(self.error_name)
        return re.sub(r"\s*\(optional\)\s*$", "", str(self.label or _("Date")))

    def _refuse(self, message: str, code: str, parts: tuple[str, ...] = DATE_PARTS) -> NoReturn:
        assert isinstance(self.widget, GovukDateInput)  # noqa: S101
        self.widget.error_parts = parts
        raise ValidationError(message, code=code)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        parts = [str(part or "").strip() for part in (value or [])][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            return None
        name = self._name()
        missing = tuple(part for part, text in zip(DATE_PARTS, parts, strict=True) if not text)
        if missing:
            words = {
                ("day",): _("a day"),
                ("month",): _("a month"),
                ("year",): _("a year"),
                ("day", "month"): _("a day and month"),
                ("day", "year"): _("a day and year"),
                ("month", "year"): _("a month and year"),
            }[missing]
            self._refuse(
                _("%(name)s must include %(parts)s") % {"name": name, "parts": words},
                "incomplete",
                missing,
            )
        day, month, year = parts
        if not all(text.isascii() and text.isdigit() and len(text) <= 4 for text in parts):
            self._refuse(_("%(name)s must be a real date") % {"name": name}, "invalid")
        if len(year) != 4:
            self._refuse(str(_("Year must include 4 numbers")), "year", ("year",))
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            self._refuse(_("%(name)s must be a real date") % {"name": name}, "invalid")

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            self._refuse(_("Enter %(name)s") % {"name": _lower_first(self._name())}, "required")
        if value is None:
            return
        today = timezone.localdate()
        if self.past and value >= today:
            self._refuse(_("%(name)s must be in the past") % {"name": self._name()}, "past")
        if self.future and value <= today:
            self._refuse(_("%(name)s must be in the future") % {"name": self._name()}, "future")

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


def _lower_first(text: str) -> str:
    """ "Date of birth" as it reads mid-sentence ("Enter date of birth"); an acronym stays."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]

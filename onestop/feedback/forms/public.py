"""The public form ("On the Record") as GOV.UK question pages: one question a page, in order,
then "Check your answers".  Each page is ``PublicFeedbackForm`` cut down to its own fields, so
every page checks what the one-page form checked (lengths, hidden characters, choices); the
answers kept between pages are plain strings, and the check page sends them through the whole
``PublicFeedbackForm`` once more before anything is saved."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ServiceError
from onestop.customers import services as customer_services
from onestop.directory.models import Service
from onestop.feedback import services
from onestop.feedback.forms import HONEYPOT, PublicFeedbackForm
from onestop.feedback.models import About

Answers = Mapping[str, str]


def _always(answers: Answers) -> bool:
    return True


def _about_staff(answers: Answers) -> bool:
    return answers.get("about") == About.STAFF


@dataclass(frozen=True)
class Step:
    """One question page: its address (``slug``), the fields it asks, the question (the page's
    heading, and the key on the check page), and whether the answers so far ask it."""

    slug: str
    fields: tuple[str, ...]
    question: str | Promise
    hint: str | Promise = ""
    applies: Callable[[Answers], bool] = _always

    @property
    def title(self) -> str | Promise:
        """The question, under the name the shared check page reads (``core`` includes)."""
        return self.question


STEPS: tuple[Step, ...] = (
    Step("kind", ("kind",), _("What do you want to tell us?")),
    Step("about", ("about",), _("What is it about?")),
    Step(
        "service",
        ("service",),
        _("Which service is it about?"),
        _("Choose “I am not sure” if you do not know which service it is"),
    ),
    Step(
        "staff",
        ("staff_named",),
        _("What is the name of the member of staff?"),
        _(
            "If you do not know their name, leave this empty and tell us where and when you met"
            " them on the next page"
        ),
        applies=_about_staff,
    ),
    Step(
        "what-happened",
        ("what_happened",),
        _("What happened?"),
        _("Tell us what happened, when and where"),
    ),
    Step("wanted", ("wanted",), _("What would you like us to do?"), _("This is optional")),
    Step(
        "reply",
        ("email", "phone"),
        _("How can we reply to you?"),
        _(
            "Both are optional. Leave them empty if you do not want a reply. We need a way to"
            " reply to answer a complaint."
        ),
    ),
    Step(
        "name",
        ("given_name", "family_name"),
        _("What is your name?"),
        _("This is optional, unless you gave an email address or phone number"),
    ),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
FIELDS = tuple(name for step in STEPS for name in step.fields)
# Every question at once: what ``PublicStepForm`` asks when given no step (the form walkers).
EVERY_QUESTION = Step("every", FIELDS, _("Tell us what you think"))


def applicable(answers: Answers) -> list[Step]:
    """The steps the answers so far ask, in order."""
    return [step for step in STEPS if step.applies(answers)]


def is_answered(step: Step, answers: Answers) -> bool:
    return all(name in answers for name in step.fields)


def first_unanswered(answers: Answers) -> Step | None:
    return next((step for step in applicable(answers) if not is_answered(step, answers)), None)


def previous(step: Step, answers: Answers) -> Step | None:
    steps = applicable(answers)
    before = list(steps[: steps.index(step)]) if step in steps else []
    return before[-1] if before else None


def following(step: Step, answers: Answers) -> Step | None:
    steps = applicable(answers)
    return next((item for item in steps[steps.index(step) + 1 :]), None) if step in steps else None


def kept(answers: Mapping[str, Any]) -> dict[str, str]:
    """Answers as kept in the session: known fields, strings only (anything else in a tampered
    or stale session is dropped)."""
    return {
        name: value for name, value in answers.items() if name in FIELDS and isinstance(value, str)
    }


def for_sending(answers: Answers) -> dict[str, str]:
    """The answers of the steps that apply (a member of staff's name given before the resident
    changed "what is it about" is not sent), as ``PublicFeedbackForm`` data."""
    data = {name: answers.get(name, "") for step in applicable(answers) for name in step.fields}
    data[HONEYPOT] = ""
    return data


class PublicStepForm(PublicFeedbackForm):
    """One question page: ``PublicFeedbackForm``'s fields for ``step`` and the honeypot.  The
    name page refuses a reply address without a name, reading the address from the answers."""

    def __init__(
        self,
        *args: Any,
        step: Step = EVERY_QUESTION,
        answers: Answers | None = None,
        services: Sequence[Service] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, services=services, only={*step.fields, HONEYPOT}, **kwargs)
        self.step = step
        self.answers: Answers = answers or {}
        if len(step.fields) == 1 and step.hint:  # the page's hint is the one input's
            self.fields[step.fields[0]].help_text = str(step.hint)

    def clean(self) -> dict[str, Any]:
        data = forms.Form.clean(self) or {}
        self._check_reply_addresses(data)
        if "given_name" not in self.fields:
            return data
        if "given_name" in self.errors or "family_name" in self.errors:
            return data
        refused = services.name_problem(
            data.get("given_name", "").strip(),
            data.get("family_name", "").strip(),
            reply_to=bool(self.answers.get("email") or self.answers.get("phone")),
        )
        if refused is not None:
            self.add_error(refused.field, refused.message)
        return data

    def _check_reply_addresses(self, data: dict[str, Any]) -> None:
        """The reply page refuses an address the service would refuse on sending, now."""
        checks = (
            ("email", customer_services.clean_email),
            ("phone", customer_services.clean_phone),
        )
        for name, clean in checks:
            value = str(data.get(name) or "").strip()
            if name not in self.fields or name in self.errors or not value:
                continue
            try:
                clean(value, name)
            except ServiceError as error:
                self.add_error(name, error.message)

    def answers_given(self) -> dict[str, str]:
        """This page's answers as strings for the session (a service by its id)."""
        given: dict[str, str] = {}
        for name in self.step.fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, Service):
                given[name] = str(value.pk)
            else:
                given[name] = "" if value is None else str(value)
        return given

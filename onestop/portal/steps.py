"""A long report form asked one thing per page (the GOV.UK question pages pattern).

A case type with more than ``QUESTION_PAGES_AFTER`` questions is asked as pages: each of its
questions on its own page, then "Describe the problem", "Where is the problem" and "Your
details", then "Check your answers" sends it.  The answers are kept in the session as each page
is accepted, as the raw values the page posted, and every page is checked by binding the whole
``ReportForm`` to them (so the one-page form and the pages never disagree); a page shows only
its own mistakes.  The photo is asked on "Describe the problem", checked like every upload
when it is sent, and held aside (``documents.services.hold_file``) until the report is sent: the
session keeps only its name and token, never the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from onestop.core.dates import govuk_date
from onestop.core.questions import attribute_field_name
from onestop.customers import queries as customer_queries
from onestop.documents.services import HeldFile
from onestop.portal.forms import HONEYPOT, POINT_FIELDS, Blueprint, ReportForm, names_of
from onestop.portal.models import WebForm

SESSION_KEY = "onestop_portal_answers"  # {"<organisation id>:<type code>": {"done": [...], ...}}
# Kept per form and for only a few forms at once, so a session never grows without end.
SESSION_FORMS = 5
VALUE_LIMIT = 6_000  # longer than any input allows; a longer value is never kept
QUESTION_PREFIX = "question-"
PROBLEM = "problem"  # the slug of "Describe the problem"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple[str, ...]
    intro: str = ""


def steps_of(form: ReportForm) -> list[Step]:
    """The pages of ``form``, in order."""
    return _pages(
        form.questions,
        point_question=form.point_question,
        photo="photo" in form.fields,
        asks_where=form.asks_where,
    )


def steps_for(questions: list[dict[str, Any]], blueprint: Blueprint) -> list[Step]:
    """The pages of the report form asking ``questions`` in the page's language (``steps_of``
    that form), without building the form: from the fields its forms copy (``blueprint``,
    ``forms.blueprint_of(questions)``)."""
    return _pages(
        questions,
        point_question=blueprint.point_question,
        photo="photo" in blueprint.fields,
        asks_where=blueprint.asks_where,
    )


def _pages(
    questions: list[dict[str, Any]], *, point_question: str, photo: bool, asks_where: bool
) -> list[Step]:
    pages = [
        Step(
            slug=f"{QUESTION_PREFIX}{question['code']}",
            title=str(question["label"]),
            fields=tuple(names_of(attribute_field_name(question["code"]), point_question)),
        )
        for question in questions
    ]
    problem = ("title", "description", "photo") if photo else ("title", "description")
    pages.append(Step(PROBLEM, str(_("Describe the problem")), problem))
    where = ("postcode", "location") if asks_where else ("postcode",)
    pages.append(Step("where", str(_("Where is the problem")), where))
    pages.append(
        Step(
            "you",
            str(_("Your details")),
            ("given_name", "family_name", "email", "phone"),
            intro=str(
                _(
                    "You can report this without giving your details. If you want us to "
                    "reply, give your name and an email address or phone number."
                )
            ),
        )
    )
    return pages


def first_slug(questions: list[dict[str, Any]]) -> str:
    """The first page's slug (``steps_of``'s first) of a form asking ``questions``, found
    without building the form: the first question's page, else "Describe the problem"."""
    return f"{QUESTION_PREFIX}{questions[0]['code']}" if questions else PROBLEM


def _key(web_form: WebForm) -> str:
    return f"{web_form.organisation_id}:{web_form.case_type.code}"


def kept(request: HttpRequest, web_form: WebForm) -> dict[str, Any]:
    """This form's answers so far: ``{"done": [step slugs], "values": {input: [values]},
    "photo": the held photo (``documents.services.HeldFile``) or None}``."""
    everything = request.session.get(SESSION_KEY)
    mine = everything.get(_key(web_form)) if isinstance(everything, dict) else None
    if not isinstance(mine, dict):
        return {"done": [], "values": {}, "photo": None}
    done = [str(slug) for slug in mine.get("done", []) if isinstance(slug, str)]
    values = mine.get("values")
    return {
        "done": done,
        "values": dict(values) if isinstance(values, dict) else {},
        "photo": HeldFile.from_data(mine.get("photo")),
    }


def keep(request: HttpRequest, web_form: WebForm, answers: dict[str, Any] | None) -> None:
    """Keep ``answers`` for this form (``None`` forgets them: sent, or refused as a bot)."""
    everything = request.session.get(SESSION_KEY)
    everything = dict(everything) if isinstance(everything, dict) else {}
    everything.pop(_key(web_form), None)
    if answers is not None:
        photo = answers.get("photo")
        everything[_key(web_form)] = {
            **answers,
            "photo": photo.as_data() if isinstance(photo, HeldFile) else None,
        }
    request.session[SESSION_KEY] = dict(list(everything.items())[-SESSION_FORMS:])


def owns(name: str, key: str) -> bool:
    """Whether the posted input ``key`` belongs to the field ``name`` (a date posts three)."""
    return key == name or key in (f"{name}_day", f"{name}_month", f"{name}_year")


def as_data(values: Mapping[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, items in values.items():
        if isinstance(items, list):
            data.setlist(str(key), [str(item) for item in items])
    return data


def posted_values(step: Step, posted: QueryDict) -> dict[str, list[str]]:
    """What ``posted`` said for ``step``'s inputs (nothing else is kept)."""
    return {
        key: [value[:VALUE_LIMIT] for value in posted.getlist(key)]
        for key in posted
        if any(owns(name, key) for name in step.fields)
    }


def merged(step: Step, values: dict[str, Any], given: dict[str, list[str]]) -> dict[str, Any]:
    """``values`` with ``step``'s inputs replaced by ``given`` (a box left empty is gone)."""
    others = {
        key: items for key, items in values.items() if not any(owns(n, key) for n in step.fields)
    }
    return {**others, **given}


def only_errors_of(form: ReportForm, step: Step) -> None:
    """Leave on ``form`` only ``step``'s mistakes (later pages are not answered yet)."""
    errors = form.errors
    for name in [name for name in errors if name not in step.fields]:
        del errors[name]


def is_bot(posted: QueryDict) -> bool:
    return bool(str(posted.get(HONEYPOT, "")).strip())


def first_missing(pages: list[Step], done: list[str]) -> Step | None:
    return next((step for step in pages if step.slug not in done), None)


def shown_answer(form: ReportForm, name: str) -> str:
    """An answer as the check page shows it: a choice's words, a date written out, a phone
    number as people write it (``07700 900123``, not the ``+447700900123`` it is kept as)."""
    if name not in form.fields:
        return ""
    if name in POINT_FIELDS:  # one line for the two: "Point on the map: 51.501, -0.142"
        point = form.cleaned_data.get("point") if hasattr(form, "cleaned_data") else None
        if name == "longitude" or point is None:
            return ""
        return str(
            _("Point on the map: %(latitude)s, %(longitude)s")
            % {"latitude": point.latitude, "longitude": point.longitude}
        )
    value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
    if value in (None, "", []):
        return ""
    if name == "phone":
        return customer_queries.shown_phone(str(value))
    field = form.fields[name]
    choices = {str(key): str(label) for key, label in getattr(field, "choices", [])}
    if isinstance(value, list):
        return ", ".join(choices.get(str(item), str(item)) for item in value)
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return govuk_date(value)
    return choices.get(str(value), str(value))

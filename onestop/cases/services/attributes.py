"""A case type's questions: the definitions administrators give and the answers to them."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases.errors import CaseError
from onestop.cases.models import (
    AttributeKind,
    CaseType,
)
from onestop.cases.services._common import (
    ATTRIBUTE_COUNT_LIMIT,
    ATTRIBUTE_TEXT_LIMIT,
    _check_text,
    _refuse,
)
from onestop.core.questions import DateRange, date_problem, date_range_of


# --- reading the case type's questions ----------------------------------------------------------
def clean_attributes(
    case_type: CaseType, answers: dict[str, Any], *, kept: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The answers to the type's questions, checked and normalised; refused with the question.

    ``kept``: the answers already stored (changing a case): a date kept as it was is not checked
    again against today (a date "today or in the future" given last week is in the past now)."""
    if not isinstance(answers, dict):
        _refuse(CaseError.INVALID_ATTRIBUTE, _("Answers must be given as question and answer"))
    questions = {question["code"]: question for question in case_type.attributes}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        _refuse(
            CaseError.UNKNOWN_ATTRIBUTE,
            _("%(type)s does not ask “%(code)s”: remove it")
            % {"type": case_type.name, "code": str(unknown[0])[:60]},
            f"attribute_{str(unknown[0])[:60]}",
        )
    cleaned: dict[str, Any] = {}
    for code, question in questions.items():
        value = answers.get(code)
        empty = value is None or value == "" or value == []
        field = f"attribute_{code}"
        if empty:
            if question.get("required"):
                _refuse(
                    CaseError.MISSING_ATTRIBUTE,
                    _("Answer “%(label)s”") % {"label": question["label"]},
                    field,
                )
            continue
        cleaned[code] = _clean_answer(question, value, field)
        if question.get("kind") == AttributeKind.DATE and (kept or {}).get(code) != cleaned[code]:
            _check_date(question, cleaned[code], field)
    return cleaned


def _check_date(question: dict[str, Any], value: str, field: str) -> None:
    """Refuse a date outside what ``question`` accepts (``core.questions.date_problem``)."""
    problem = date_problem(
        date_range_of(question),
        datetime.date.fromisoformat(value),
        name=str(question["label"]),
        today=timezone.localdate(),
    )
    if problem is not None:
        _refuse(CaseError.INVALID_ATTRIBUTE, problem[0], field)


def _clean_answer(question: dict[str, Any], value: Any, field: str) -> Any:
    kind = question.get("kind", AttributeKind.TEXT)
    label = question["label"]
    choices = [str(choice) for choice in question.get("choices", [])]
    invalid = CaseError.INVALID_ATTRIBUTE
    if kind == AttributeKind.NUMBER:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            number = Decimal("NaN")
        if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            _refuse(invalid, _("“%(label)s” must be a number, like 3") % {"label": label}, field)
        return str(number)
    if kind == AttributeKind.DATE:
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            _refuse(
                invalid,
                _("“%(label)s” must be a real date, like 2026-03-27") % {"label": label},
                field,
            )
    if kind == AttributeKind.CHOICE:
        if str(value) not in choices:
            _refuse(
                invalid,
                _("Choose an answer to “%(label)s” from the list") % {"label": label},
                field,
            )
        return str(value)
    if kind == AttributeKind.MULTIPLE_CHOICE:
        values = value if isinstance(value, list) else [value]
        if not values or any(str(item) not in choices for item in values):
            _refuse(
                invalid, _("Choose answers to “%(label)s” from the list") % {"label": label}, field
            )
        return [str(item) for item in values]
    limit = 200 if kind == AttributeKind.LOCATION else ATTRIBUTE_TEXT_LIMIT
    return _check_text(str(value), field=str(label), limit=limit, error_field=field)


def check_attribute_definitions(attributes: Any) -> list[dict[str, Any]]:
    """Question definitions for a case type, checked (administrators edit these)."""
    if not isinstance(attributes, list) or len(attributes) > ATTRIBUTE_COUNT_LIMIT:
        _refuse(CaseError.INVALID_ATTRIBUTE, _("Give at most 50 questions as a list"), "attributes")
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    kinds = {kind.value for kind in AttributeKind}
    for item in attributes:
        code = str(item.get("code", "")) if isinstance(item, dict) else ""
        if not code or not code.replace("-", "").replace("_", "").isalnum() or code in seen:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Each question needs its own short code"),
                "attributes",
            )
        kind = item.get("kind", AttributeKind.TEXT)
        if kind not in kinds:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Unknown question kind %(kind)s") % {"kind": str(kind)[:30]},
                "attributes",
            )
        choices = [str(choice)[:100] for choice in item.get("choices", [])]
        if kind in {AttributeKind.CHOICE, AttributeKind.MULTIPLE_CHOICE} and not choices:
            _refuse(CaseError.INVALID_ATTRIBUTE, _("A choice question needs choices"), "attributes")
        dates = item.get("dates", DateRange.ANY)
        if dates not in DateRange.values:
            _refuse(
                CaseError.INVALID_ATTRIBUTE,
                _("Unknown dates %(dates)s: give any, past or future") % {"dates": str(dates)[:30]},
                "attributes",
            )
        seen.add(code)
        question = {
            "code": code[:60],
            "label": str(item.get("label") or code)[:200],
            "kind": kind,
            "required": bool(item.get("required", False)),
            "choices": choices,
        }
        # Only a date question limits its dates, and only when it does (the shape questions had
        # before they could: any date).
        if kind == AttributeKind.DATE and dates != DateRange.ANY:
            question["dates"] = dates
        cleaned.append(question)
    return cleaned

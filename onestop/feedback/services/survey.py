"""The complainant's satisfaction survey: sent when a complaint closes (through C7, the
``complaint-survey`` message, in the customer's language), answered once on a public page
without signing in (``/feedback/survey/<token>/``), kept with the complaint.  A survey sent in
Welsh links to the page in Welsh (``link_for``); the page follows the organisation's Welsh offer
and the language toggle as every residents' page does.

The link is the survey's organisation, id and a random nonce, signed with the project's secret
(``django.core.signing``, its own salt) and good for ``SURVEY_DAYS`` days.  A link that is
forged, altered, expired or already used finds nothing (``survey_for_token`` answers ``None``)
and the page says the same plain thing for each.  Answering claims the survey with one
conditional update (``answered_at IS NULL``), so two answers sent at once save one.
"""

from __future__ import annotations

import datetime
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core.models import AuditAction
from onestop.core.public_links import public_url
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import (
    Agreement,
    Feedback,
    Satisfaction,
    SatisfactionSurvey,
)
from onestop.feedback.services import _audit, _event, _refuse, _tell_customer, _text
from onestop.notify import queries as notify_queries
from onestop.notify.models import Event, Language

SALT = "onestop.feedback.survey"
SURVEY_DAYS = 60
COMMENTS_LIMIT = 2_000
TOKEN_LIMIT = 300


class EventCode:
    SENT = "survey-sent"
    ANSWERED = "survey-answered"


def token_for(survey: SatisfactionSurvey) -> str:
    return signing.dumps(
        {"o": survey.organisation_id, "s": survey.pk, "n": survey.nonce}, salt=SALT
    )


def link_for(survey: SatisfactionSurvey, *, language: str = Language.ENGLISH) -> str:
    """The survey's address; in a Welsh message it opens the survey in Welsh (``?lang=cy``,
    the language toggle's own parameter), as far as the organisation offers Welsh."""
    address = public_url() + reverse("feedback:survey", args=[token_for(survey)])
    return f"{address}?lang=cy" if language == Language.WELSH else address


def send_after_closure(feedback: Feedback, *, by: Any) -> SatisfactionSurvey | None:
    """Within the closing transaction: send the survey to the complainant, if there is one
    who can be reached (no task for staff is opened for a survey nobody can be sent) and none
    was sent before.  Private to ``services.close``, which holds the lock."""
    customer = feedback.customer
    if not feedback.is_complaint or customer is None:
        return None
    if (
        SatisfactionSurvey.objects.for_organisation(feedback.organisation_id)
        .filter(feedback=feedback)
        .exists()
    ):
        return None
    if notify_queries.route_to(customer, event=Event.COMPLAINT_SURVEY, large_print=False) is None:
        return None
    now = timezone.now()
    survey = SatisfactionSurvey(
        organisation_id=feedback.organisation_id,
        feedback=feedback,
        nonce=secrets.token_urlsafe(24),
        sent_at=now,
        expires_at=now + datetime.timedelta(days=SURVEY_DAYS),
    )
    survey.save(force_insert=True)
    survey.message_id = _tell_customer(
        feedback,
        Event.COMPLAINT_SURVEY,
        by=by,
        # The message is written in this language (notify's own choice), and so is the page.
        survey_link=link_for(survey, language=notify_queries.language_for(customer)),
        survey_closes=timezone.localtime(survey.expires_at).date(),
    )
    survey.save(update_fields=["message_id"])
    _event(feedback, EventCode.SENT, by, message=survey.message_id)
    _audit(
        feedback,
        by=by,
        action=AuditAction.CREATED,
        summary=f"Complaint {feedback.reference}: satisfaction survey sent",
        survey=survey.pk,
    )
    return survey


def survey_for_token(token: str) -> SatisfactionSurvey | None:
    """The unanswered, unexpired survey ``token`` opens; ``None`` for anything else (forged,
    altered, expired, used), so the page cannot tell them apart."""
    token = str(token or "")[:TOKEN_LIMIT]
    try:
        data = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=SURVEY_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    organisation_id, survey_id, nonce = data.get("o"), data.get("s"), data.get("n")
    if not isinstance(organisation_id, int) or not isinstance(survey_id, int):
        return None
    if not isinstance(nonce, str):
        return None
    survey: SatisfactionSurvey | None = (
        SatisfactionSurvey.objects.for_organisation(organisation_id)
        .filter(pk=survey_id, answered_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("feedback", "organisation")
        .first()
    )
    if survey is None or not hmac.compare_digest(survey.nonce, nonce):
        return None
    return survey


@dataclass(frozen=True)
class Answers:
    overall: str
    fairly: str
    informed: str
    comments: str = ""


def answer(survey: SatisfactionSurvey, *, answers: Answers) -> SatisfactionSurvey:
    """Keep the complainant's answers (by the public: ``by`` is nobody); once only."""
    if answers.overall not in Satisfaction.values:
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Select how satisfied you are with how we handled your complaint"),
            "overall",
        )
    if answers.fairly not in Agreement.values:
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Select whether we handled your complaint fairly"),
            "fairly",
        )
    if answers.informed not in Agreement.values:
        raise _refuse(FeedbackError.REQUIRED, _("Select whether we kept you informed"), "informed")
    comments = _text(
        answers.comments, label=_("your comments"), field_name="comments", limit=COMMENTS_LIMIT
    )
    with transaction.atomic():
        now = timezone.now()
        claimed = (
            SatisfactionSurvey.objects.for_organisation(survey.organisation_id)
            .filter(pk=survey.pk, answered_at__isnull=True, expires_at__gt=now)
            .update(
                answered_at=now,
                overall=answers.overall,
                fairly=answers.fairly,
                informed=answers.informed,
                comments=comments,
            )
        )
        if claimed != 1:
            raise _refuse(FeedbackError.CLOSED, _("This survey has already been answered"))
        feedback = survey.feedback
        _event(feedback, EventCode.ANSWERED, None, overall=answers.overall)
        _audit(
            feedback,
            by=None,
            action=AuditAction.CHANGED,
            summary=f"Complaint {feedback.reference}: satisfaction survey answered",
            survey=survey.pk,
            overall=answers.overall,
            fairly=answers.fairly,
            informed=answers.informed,
        )
    survey.refresh_from_db()
    return survey

"""Pages for what follows the council's last word: the ombudsman's enquiry, decision and the
council's compliance; learning actions and the learning log per service; the complainant's
satisfaction survey (public, reached by a signed single-use link).  Thin, as the other feedback
pages: reach objects through ``queries``, call one service, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import language, pages, permissions
from onestop.core.access import require
from onestop.core.decorators import public
from onestop.core.http import client_address, staff_user
from onestop.core.models import User
from onestop.feedback import queries, throttle
from onestop.feedback.forms import after as forms
from onestop.feedback.models import Feedback, LearningStatus, OmbudsmanCase
from onestop.feedback.queries import after as after_queries
from onestop.feedback.services import learning, ombudsman, survey
from onestop.feedback.views import GET_POST, Posted, _action
from onestop.feedback.views.public import readable_post

EVENT_LABELS = {
    ombudsman.EventCode.REFERRED: gettext_lazy("Ombudsman's enquiry recorded"),
    ombudsman.EventCode.DECIDED: gettext_lazy("Ombudsman's decision recorded"),
    ombudsman.EventCode.COMPLIED: gettext_lazy("Ombudsman's remedy carried out"),
    ombudsman.EventCode.REMINDED: gettext_lazy("Staff reminded of the ombudsman's remedy"),
    learning.EventCode.ADDED: gettext_lazy("Learning action added"),
    learning.EventCode.UPDATED: gettext_lazy("Learning action updated"),
    learning.EventCode.DONE: gettext_lazy("Learning action done"),
    survey.EventCode.SENT: gettext_lazy("Satisfaction survey sent"),
    survey.EventCode.ANSWERED: gettext_lazy("Satisfaction survey answered"),
}


def record_context(user: User, feedback: Feedback) -> dict[str, Any]:
    """What the complaint's page shows of this part: the ombudsman's cases, learning actions
    and the survey's answers, with the links the user may follow."""
    if not feedback.is_complaint:
        return {}
    can_ombudsman = permissions.can(user, permissions.COMPLAINT_OMBUDSMAN)
    can_learning = permissions.can(user, permissions.COMPLAINT_LEARNING)
    reference = feedback.reference
    cases = [
        (
            case,
            reverse("feedback:ombudsman-decision", args=[reference, case.pk])
            if can_ombudsman and case.complied_on is None
            else "",
            reverse("feedback:ombudsman-complied", args=[reference, case.pk])
            if can_ombudsman and case.comply_by is not None and case.complied_on is None
            else "",
        )
        for case in after_queries.ombudsman_cases_of(feedback)
    ]
    actions = [
        (
            row,
            reverse("feedback:learning-progress", args=[reference, row.pk])
            if can_learning and row.status != LearningStatus.DONE
            else "",
        )
        for row in after_queries.learning_of(feedback)
    ]
    return {
        "ombudsman_cases": cases,
        "ombudsman_add": reverse("feedback:ombudsman", args=[reference]) if can_ombudsman else "",
        "learning_actions": actions,
        "learning_add": reverse("feedback:learning", args=[reference])
        if can_learning and learning.is_upheld(feedback)
        else "",
        "survey": after_queries.survey_of(feedback),
    }


# --- the ombudsman -------------------------------------------------------------------------------
@require_http_methods(GET_POST)
def ombudsman_enquiry(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_OMBUDSMAN,
        form=lambda data, user, feedback: forms.OmbudsmanEnquiryForm(
            data, prefix="ombudsman", offered=ombudsman.offered(feedback)
        ),
        save=lambda user, feedback, data, form: ombudsman.record_enquiry(
            feedback,
            by=user,
            ombudsman=data["ombudsman"],
            enquiry_on=data["enquiry_on"],
            their_reference=data["their_reference"],
        ),
        title=_("Record the ombudsman's enquiry"),
        submit=_("Record the enquiry"),
        done=_("Ombudsman's enquiry recorded"),
        intro=_(
            "The ombudsman is offered by the council's nation and what the complaint is about."
        ),
    )


def _case_step(
    request: HttpRequest,
    reference: str,
    case_id: int,
    *,
    make: Any,
    save: Any,
    title: str,
    submit: str,
    done: str,
    intro: str = "",
) -> HttpResponse:
    """A step on one ombudsman case of a complaint (404 for a case of another complaint or
    organisation)."""
    found: dict[str, OmbudsmanCase] = {}

    def form(data: Posted, user: User, feedback: Feedback) -> Any:
        case = after_queries.get_ombudsman_case_for(
            user, feedback, case_id, permissions.COMPLAINT_OMBUDSMAN
        )
        found["case"] = case
        return make(data, case)

    return _action(
        request,
        reference,
        permissions.COMPLAINT_OMBUDSMAN,
        form=form,
        save=lambda user, feedback, data, bound: save(user, found["case"], data, bound),
        title=title,
        submit=submit,
        done=done,
        intro=intro,
    )


@require_http_methods(GET_POST)
def ombudsman_decision(request: HttpRequest, reference: str, case_id: str) -> HttpResponse:
    def make(data: Posted, case: OmbudsmanCase) -> forms.OmbudsmanDecisionForm:
        initial = {
            "decision_on": case.decision_on,
            "finding": case.finding,
            "remedy": case.remedy,
            "remedy_amount": case.remedy_amount,
            "comply_by": case.comply_by,
        }
        return forms.OmbudsmanDecisionForm(
            data,
            prefix="decision",
            initial=initial,
            findings=ombudsman.FINDINGS[case.ombudsman],
        )

    return _case_step(
        request,
        reference,
        int(case_id),
        make=make,
        save=lambda user, case, data, form: ombudsman.record_decision(
            case, by=user, decision=form.decision()
        ),
        title=_("Record the ombudsman's decision"),
        submit=_("Record the decision"),
        done=_("Ombudsman's decision recorded"),
        intro=_(
            "The finding in the ombudsman's own words, any remedy, and the date the council "
            "must comply by. Staff are reminded before that date."
        ),
    )


@require_http_methods(GET_POST)
def ombudsman_complied(request: HttpRequest, reference: str, case_id: str) -> HttpResponse:
    return _case_step(
        request,
        reference,
        int(case_id),
        make=lambda data, case: forms.ComplianceForm(data, prefix="complied"),
        save=lambda user, case, data, form: ombudsman.record_compliance(
            case, by=user, complied_on=data["complied_on"]
        ),
        title=_("Record the remedy as carried out"),
        submit=_("Record"),
        done=_("Remedy recorded as carried out"),
    )


# --- learning ------------------------------------------------------------------------------------
@require_http_methods(GET_POST)
def learning_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _action(
        request,
        reference,
        permissions.COMPLAINT_LEARNING,
        form=lambda data, user, feedback: forms.LearningForm(
            data, prefix="learning", owners=after_queries.learning_owners(user)
        ),
        save=lambda user, feedback, data, form: learning.add_action(
            feedback,
            by=user,
            action=data["action"],
            owner=data["owner"],
            due_on=data["due_on"],
        ),
        title=_("Add a learning action"),
        submit=_("Add the action"),
        done=_("Learning action added"),
        intro=_("For a complaint upheld or partly upheld: what the service will change."),
    )


@require_http_methods(GET_POST)
def learning_progress(request: HttpRequest, reference: str, action_id: str) -> HttpResponse:
    found: dict[str, Any] = {}

    def form(data: Posted, user: User, feedback: Feedback) -> forms.LearningProgressForm:
        row = after_queries.get_learning_for(
            user, feedback, int(action_id), permissions.COMPLAINT_LEARNING
        )
        found["row"] = row
        bound = forms.LearningProgressForm(
            data,
            prefix="progress",
            initial={"status": row.status, "evidence": row.evidence,
                     "what_changed": row.what_changed},
        )  # fmt: skip
        found["form"] = bound
        return bound

    return _action(
        request,
        reference,
        permissions.COMPLAINT_LEARNING,
        form=form,
        save=lambda user, feedback, data, bound: learning.update_action(
            found["row"], by=user, progress=found["form"].progress()
        ),
        title=_("Update the learning action"),
        submit=_("Save"),
        done=_("Learning action updated"),
        intro=_("Marking it done needs what changed, the evidence and the date."),
    )


def _log_page(request: HttpRequest, service_id: int | None) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.FEEDBACK_VIEW)
    service = after_queries.get_service_for(user, service_id) if service_id is not None else None
    logs = after_queries.learning_log(user, service)
    return render(
        request,
        "feedback/after/learning_log.html",
        {
            "logs": logs,
            "service": service,
            "services": queries.services_for(user),
        },
    )


@require_GET
def learning_log(request: HttpRequest) -> HttpResponse:
    return _log_page(request, None)


@require_GET
def learning_log_service(request: HttpRequest, service_id: int) -> HttpResponse:
    return _log_page(request, service_id)


# --- the satisfaction survey (public) ------------------------------------------------------------
def _link_language(request: HttpRequest) -> None:
    """A survey page that names no organisation (a link that cannot be used, the thanks) is in
    the language its address asks for (``?lang=cy`` from a Welsh message or a Welsh survey),
    else English, like every public page of no organisation."""
    language.use_language(request, language.chosen(request) or language.ENGLISH)


def _unusable(request: HttpRequest) -> HttpResponse:
    """The one page for a link that is forged, altered, expired or already used."""
    _link_language(request)
    return render(request, "feedback/after/survey_unusable.html", status=404)


def _thanks_address() -> str:
    """The thanks page, in Welsh after a survey answered in Welsh."""
    address = reverse("feedback:survey-thanks")
    return f"{address}?lang=cy" if translation.get_language() == language.WELSH else address


@public
@never_cache
@require_http_methods(GET_POST)
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    """The survey; every answer sent counts against the public form's per-address limit
    (``feedback/throttle.py``); a form sent back with mistakes gives its place back.  A link
    that cannot be used is refused before anything else: a forged or altered one by its
    signature alone (HMAC-SHA256: not found by trying), without reading the database."""
    found = survey.survey_for_token(token)
    if found is None:
        return _unusable(request)
    # Welsh or English as on the organisation's other pages (the address has no slug).
    language.use_public_language(request, found.organisation)
    context: dict[str, Any] = {"organisation": found.organisation, "feedback": found.feedback}
    if request.method != "POST":
        form = forms.SurveyForm(prefix="survey")
        return render(request, "feedback/after/survey.html", {**context, "form": form})
    address = client_address(request)
    if not throttle.reserve(address):
        return render(request, "feedback/after/survey_too_many.html", context, status=429)
    form = forms.SurveyForm(readable_post(request), prefix="survey")
    saved = pages.save_form(
        request,
        form,
        lambda data: survey.answer(found, answers=form.answers()),
        done=("", _thanks_address()),
    )
    if saved is not None:
        return saved
    throttle.release(address)  # mistakes never use up the allowance
    if survey.survey_for_token(token) is None:  # answered meanwhile, in another tab
        return _unusable(request)
    return render(request, "feedback/after/survey.html", {**context, "form": form}, status=400)


@public
@never_cache
@require_GET
def survey_thanks(request: HttpRequest) -> HttpResponse:
    _link_language(request)
    return render(request, "feedback/after/survey_thanks.html")

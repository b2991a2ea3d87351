"""The public form ("On the Record") as GOV.UK question pages, without signing in.

``/feedback/o/<organisation>/`` starts it; each question has its own page
(``/feedback/o/<organisation>/<question>/``), then "Check your answers" sends it.  The answers
are kept in the session, per organisation, as each page is accepted; a refused page shows what
was typed and keeps every earlier answer.  Abuse protection is the one-page form's: CSRF, the
honeypot on every page (answered like a form sent, nothing saved, counted), and the per-address
limit reserved when the check page sends (given back when it refuses).  Public pages live under
``/feedback/o/`` so that no staff page under ``/feedback/`` can ever take an organisation's
address; the old address ``/feedback/<organisation>/`` redirects when no staff page has it."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import addresses, pages
from onestop.core.decorators import public
from onestop.core.http import client_address
from onestop.core.models import Organisation
from onestop.customers import queries as customer_queries
from onestop.feedback import queries, services, throttle
from onestop.feedback.forms import HONEYPOT, PublicEqualityForm, PublicFeedbackForm
from onestop.feedback.forms import public as steps
from onestop.feedback.models import Feedback

GET_POST = ["GET", "POST"]
SESSION_KEY = "onestop_feedback_sent"  # the references this session sent (organisation:ref)
SESSION_KEEP = 20
ANSWERS_KEY = "onestop_feedback_answers"  # answers so far, per organisation
FROM_CHECK = "check"


def _organisation(slug: str, request: HttpRequest | None = None) -> Organisation:
    organisation = queries.public_organisation(slug, request)
    if organisation is None:
        raise Http404
    return organisation


def readable_post(request: HttpRequest) -> QueryDict:
    """The form's data; a body that cannot be read as UTF-8 counts as empty (every required
    input then missing), never a 500 or text saved garbled."""
    try:
        posted = request.POST
    except MultiPartParserError:
        return QueryDict()
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            request.body.decode("utf-8")
        except UnicodeDecodeError:
            return QueryDict()
    return posted


def _answers(request: HttpRequest, organisation: Organisation) -> dict[str, str]:
    everything = request.session.get(ANSWERS_KEY)
    if not isinstance(everything, dict):
        return {}
    mine = everything.get(str(organisation.pk))
    return steps.kept(mine) if isinstance(mine, dict) else {}


def _keep_answers(
    request: HttpRequest, organisation: Organisation, answers: dict[str, str]
) -> None:
    everything = request.session.get(ANSWERS_KEY)
    everything = dict(everything) if isinstance(everything, dict) else {}
    if answers:
        everything[str(organisation.pk)] = steps.kept(answers)
    else:
        everything.pop(str(organisation.pk), None)
    request.session[ANSWERS_KEY] = everything


def _step_url(organisation: Organisation, step: steps.Step, *, from_check: bool = False) -> str:
    url = addresses.reverse("feedback:public-question", organisation.slug, step.slug)
    return f"{url}?from={FROM_CHECK}" if from_check else url


def _check_url(organisation: Organisation) -> str:
    return addresses.reverse("feedback:public-check", organisation.slug)


def _too_many(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request, "feedback/public_too_many.html", {"organisation": organisation}, status=429
    )


def _refused_as_bot(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """The honeypot was filled: answered like a form sent, nothing kept; it counts."""
    if not throttle.reserve(client_address(request)):
        return _too_many(request, organisation)
    _keep_answers(request, organisation, {})
    return HttpResponseRedirect(reverse("feedback:public-sent", args=[organisation.slug]))


@public
@never_cache
@require_GET
def start(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = _organisation(organisation_slug, request)
    answers = _answers(request, organisation)
    first = steps.STEPS[0]
    return render(
        request,
        "feedback/public/start.html",
        {
            "organisation": organisation,
            "start_url": _step_url(organisation, first),
            "resume_url": _check_url(organisation) if answers else "",
        },
    )


@public
@never_cache
@require_GET
def legacy_address(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """The one-page form's old address: a redirect to the start page, for an organisation whose
    slug no staff page under ``/feedback/`` takes (those match first).  Temporary (302), so no
    browser keeps it once a staff page of that name is added."""
    organisation = _organisation(organisation_slug, request)
    return HttpResponseRedirect(reverse("feedback:public", args=[organisation.slug]))


@public
@never_cache
@require_http_methods(GET_POST)
def question(request: HttpRequest, organisation_slug: str, step: str) -> HttpResponse:
    organisation = _organisation(organisation_slug, request)
    found = steps.STEP_BY_SLUG.get(str(step))
    if found is None:
        raise Http404
    answers = _answers(request, organisation)
    missing = steps.first_unanswered(answers)
    asked = steps.applicable(answers)
    from_check = request.GET.get("from") == FROM_CHECK
    # A question is reached in order: not before the ones it follows, nor when the answers so
    # far do not ask it.
    if found not in asked:
        return HttpResponseRedirect(
            _step_url(organisation, missing) if missing else _check_url(organisation)
        )
    if missing is not None and asked.index(missing) < asked.index(found):
        return HttpResponseRedirect(_step_url(organisation, missing))
    # Only the service question offers the services.
    choices = queries.public_services(organisation) if "service" in found.fields else None
    if request.method != "POST":
        form = steps.PublicStepForm(
            step=found, answers=answers, services=choices, initial=dict(answers)
        )
        return _question_page(request, organisation, form, answers, from_check=from_check)
    form = steps.PublicStepForm(
        readable_post(request), step=found, answers=answers, services=choices
    )
    if form.is_bot():
        return _refused_as_bot(request, organisation)
    if not form.is_valid():
        return _question_page(request, organisation, form, answers, from_check=from_check)
    answers = {**answers, **form.answers_given()}
    _keep_answers(request, organisation, answers)
    return HttpResponseRedirect(_after(organisation, found, answers, from_check=from_check))


def _after(organisation: Organisation, step: steps.Step, answers: steps.Answers, *,
           from_check: bool) -> str:  # fmt: skip
    """Where an accepted page goes: the next question; from the check page, back to it, unless
    the change asks a question not answered yet (or makes an answer wrong, such as an email
    address given without a name), which comes first."""
    missing = steps.first_unanswered(answers)
    if from_check:
        if missing is not None:
            return _step_url(organisation, missing, from_check=True)
        wrong = _first_wrong(organisation, answers)
        if wrong is not None:
            return _step_url(organisation, wrong, from_check=True)
        return _check_url(organisation)
    following = steps.following(step, answers)
    if following is not None and not steps.is_answered(following, answers):
        return _step_url(organisation, following)
    return _step_url(organisation, missing) if missing else _check_url(organisation)


def _whole_form(organisation: Organisation, answers: steps.Answers) -> PublicFeedbackForm:
    return PublicFeedbackForm(
        steps.for_sending(answers), services=queries.public_services(organisation)
    )


def _first_wrong(organisation: Organisation, answers: steps.Answers) -> steps.Step | None:
    form = _whole_form(organisation, answers)
    if form.is_valid():
        return None
    return next(
        (step for step in steps.applicable(answers) if any(n in form.errors for n in step.fields)),
        None,
    )


def _question_page(
    request: HttpRequest,
    organisation: Organisation,
    form: steps.PublicStepForm,
    answers: steps.Answers,
    *,
    from_check: bool,
) -> HttpResponse:
    before = steps.previous(form.step, answers)
    if from_check:
        back = _check_url(organisation)
    elif before is not None:
        back = _step_url(organisation, before)
    else:
        back = reverse("feedback:public", args=[organisation.slug])
    fields = [form[name] for name in form.step.fields]
    return render(
        request,
        "feedback/public/question.html",
        {
            "organisation": organisation,
            "form": form,
            "step": form.step,
            "fields": fields,
            "single": fields[0] if len(fields) == 1 else None,
            "back": back,
            "honeypot": form[HONEYPOT],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _rows(
    organisation: Organisation, answers: steps.Answers, form: PublicFeedbackForm
) -> list[dict[str, Any]]:
    """The check page's summary list: each question asked, the answer as shown (as ``form``'s
    fields word it), its page."""
    rows = []
    for step in steps.applicable(answers):
        shown = []
        for name in step.fields:
            value = answers.get(name, "")
            field = form.fields[name]
            choices = {str(key): label for key, label in getattr(field, "choices", [])}
            if name == "phone":  # as people write it: 07700 900123 (``shown_phone``)
                value = customer_queries.shown_phone(value)
            shown.append(str(choices.get(value, value)) if value else "")
        rows.append(
            {
                "step": step,
                "answers": [text for text in shown if text],
                "change": _step_url(organisation, step, from_check=True),
            }
        )
    return rows


@public
@never_cache
@require_http_methods(GET_POST)
def check(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = _organisation(organisation_slug, request)
    answers = _answers(request, organisation)
    missing = steps.first_unanswered(answers)
    if missing is not None:  # not everything answered (or the session has expired)
        return HttpResponseRedirect(_step_url(organisation, missing))
    status = 200
    if request.method != "POST":
        # Unbound: it words the answers (a choice's label), and has no mistakes to show.
        form = PublicFeedbackForm(services=queries.public_services(organisation))
    else:
        posted = readable_post(request)
        if str(posted.get(HONEYPOT, "")).strip():
            return _refused_as_bot(request, organisation)
        address = client_address(request)
        if not throttle.reserve(address):
            return _too_many(request, organisation)
        form = _whole_form(organisation, answers)

        def submit(data: dict[str, Any]) -> Feedback:
            feedback = services.submit_public_feedback(
                organisation, values=form.values(), ip_address=address
            )
            sent = [str(item) for item in request.session.get(SESSION_KEY, [])]
            request.session[SESSION_KEY] = [*sent, f"{organisation.pk}:{feedback.reference}"][
                -SESSION_KEEP:
            ]
            _keep_answers(request, organisation, {})
            return feedback

        saved = pages.save_form(
            request,
            form,
            submit,
            done=lambda feedback: (
                "",
                reverse("feedback:public-done", args=[organisation.slug, feedback.reference]),
            ),
        )
        if saved is not None:
            return saved
        throttle.release(address)  # mistakes never use up the allowance
        status = 400
    errors = _check_errors(organisation, answers, form) if form.is_bound else []
    return render(
        request,
        "feedback/public/check.html",
        {
            "organisation": organisation,
            "rows": _rows(organisation, answers, form),
            "errors": errors,
            "back": _step_url(organisation, steps.applicable(answers)[-1]),
            "is_complaint": answers.get("kind") == "complaint",
        },
        status=status,
    )


def _check_errors(
    organisation: Organisation, answers: steps.Answers, form: PublicFeedbackForm
) -> list[dict[str, Any]]:
    """The check page's error summary for the answers it sent (``form`` bound to them): each
    mistake linked to its question's page."""
    errors = [
        {"text": error, "href": _step_url(organisation, step, from_check=True)}
        for step in steps.applicable(answers)
        for name in step.fields
        for error in form.errors.get(name, [])
    ]
    errors += [
        {"text": error, "href": _step_url(organisation, steps.STEPS[0], from_check=True)}
        for error in form.non_field_errors()
    ]
    return errors


@public
@never_cache
@require_GET
def sent(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """A plain thank-you with no reference (where a form the honeypot refused goes)."""
    organisation = _organisation(organisation_slug, request)
    return render(request, "feedback/public_sent.html", {"organisation": organisation})


def _sent_by_this_session(
    request: HttpRequest, organisation: Organisation, reference: str
) -> Feedback:
    key = f"{organisation.pk}:{str(reference)[:20]}"
    if key not in request.session.get(SESSION_KEY, []):
        raise Http404
    return queries.sent_feedback(organisation, reference)


@public
@never_cache
@require_GET
def done(request: HttpRequest, organisation_slug: str, reference: str) -> HttpResponse:
    organisation = _organisation(organisation_slug, request)
    feedback = _sent_by_this_session(request, organisation, reference)
    stage = queries.current_stage(feedback) if feedback.is_complaint else None
    return render(
        request,
        "feedback/public_sent.html",
        {"organisation": organisation, "feedback": feedback, "stage": stage},
    )


@public
@never_cache
@require_http_methods(GET_POST)
def equality(request: HttpRequest, organisation_slug: str, reference: str) -> HttpResponse:
    """Optional equality questions on their own page, for the session that sent the form and
    gave a name; the answers go to the customer's record, apart from the feedback."""
    organisation = _organisation(organisation_slug, request)
    feedback = _sent_by_this_session(request, organisation, reference)
    if feedback.customer_id is None:
        raise Http404
    form = PublicEqualityForm(readable_post(request) if request.method == "POST" else None)
    back = reverse("feedback:public-done", args=[organisation.slug, feedback.reference])
    saved = pages.save_form(
        request,
        form,
        lambda data: services.save_public_equality(feedback, answers=data),
        done=(_("Thank you for answering"), back),
    )
    if saved is not None:
        return saved
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "feedback/public_equality.html",
        {"organisation": organisation, "form": form, "back": back},
        status=status,
    )

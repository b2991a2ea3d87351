"""Residents' pages (the start page, information pages, report a problem: public) and the staff
page that publishes case types online.  Thin: parse the form, reach objects through
``queries``, call one service, render."""

from __future__ import annotations

import logging
from collections.abc import Collection
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onestop.cases.models import Case
from onestop.cases.queries import public_organisation
from onestop.core import addresses, pages, permissions
from onestop.core.access import require
from onestop.core.decorators import public
from onestop.core.http import client_address, staff_user
from onestop.core.language import WELSH, use_public_language
from onestop.core.models import Organisation
from onestop.customers.models import Language as CustomerLanguage
from onestop.documents import services as document_services
from onestop.documents import uploads
from onestop.portal import forms, queries, services, steps, throttle
from onestop.portal.models import WebForm

logger = logging.getLogger(__name__)

GET_POST = ["GET", "POST"]
UTF8 = frozenset({"utf-8", "utf8"})
# The references this browser session reported: only they open a confirmation page.
SESSION_KEY = "onestop_portal_reported"
SESSION_KEEP = 20


# --- residents (public): the site's root, each organisation's start and information pages ------
@public
@require_GET
def root(request: HttpRequest) -> HttpResponse:
    """``/``: the start page of the organisation ``ONESTOP_PUBLIC_ORGANISATION`` names, else
    the list of every organisation's site.  Either way it links to the staff sign-in."""
    slug = settings.ONESTOP_PUBLIC_ORGANISATION
    organisation = queries.configured_organisation(slug)
    if organisation is not None:
        # No slug in this address, so the middleware left it English: choose here.
        use_public_language(request, organisation)
        return _start(request, organisation)
    if slug:
        logger.warning("ONESTOP_PUBLIC_ORGANISATION names no active organisation: %s", slug)
    return render(request, "portal/sites.html", {"sites": queries.public_sites()})


@public
@require_GET
def start(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    return _start(request, public_organisation(organisation_slug, request))


def _start(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    page = queries.start_page(organisation)
    return render(request, "portal/start.html", {"organisation": organisation, "page": page})


@public
@require_GET
def contact(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    page = queries.contact_page(organisation)
    return render(request, "portal/contact.html", {"organisation": organisation, "page": page})


@public
@require_GET
def accessibility(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    page = queries.contact_page(organisation)
    return render(
        request,
        "portal/accessibility.html",
        {"organisation": organisation, "page": page, "statement": queries.ACCESSIBILITY},
    )


@public
@require_GET
def privacy(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    return render(
        request,
        "portal/privacy.html",
        {"organisation": organisation, "cookies": queries.essential_cookies()},
    )


@public
@require_GET
def cookies(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    return render(
        request,
        "portal/cookies.html",
        {"organisation": organisation, "cookies": queries.essential_cookies()},
    )


# --- residents (public): report a problem --------------------------------------------------------
@public
@require_GET
def report_index(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """Every published form by category, and a search box (``?q=``) that finds them."""
    organisation = public_organisation(organisation_slug, request)
    listed = queries.form_list(
        organisation, language=get_language(), search=str(request.GET.get("q", ""))
    )
    return render(
        request, "portal/report_index.html", {"organisation": organisation, "listed": listed}
    )


def _report_form(
    web_form: WebForm,
    *args: Any,
    request: HttpRequest | None = None,
    asked: tuple[list[dict[str, Any]], forms.Blueprint] | None = None,
    only: Collection[str] | None = None,
) -> forms.ReportForm:
    """The report form of ``web_form`` with its questions in the page's language (``asked``:
    those questions and their fields, when the page looked them up already; ``only``: just
    these fields, for a page that checks none)."""
    questions, blueprint = asked or (web_form.questions_in(get_language()), None)
    return forms.ReportForm(
        *args,
        case_type=web_form.case_type,
        request=request,
        questions=questions,
        blueprint=blueprint,
        only=only,
    )


def _form_context(organisation: Organisation, web_form: WebForm) -> dict[str, Any]:
    language = get_language()
    return {
        "organisation": organisation,
        "web_form": web_form,
        "form_name": web_form.name_in(language),
        "form_hint": web_form.hint_in(language),
        "guidance": web_form.guidance_in(language),
        "map_tiles": settings.ONESTOP_MAP_TILES,
        "map_attribution": settings.ONESTOP_MAP_ATTRIBUTION,
        # Read only where a page shows the map (the template calls it).
        "postcode_centres": partial(queries.postcode_centres, organisation),
    }


def _remember(request: HttpRequest, organisation_id: int, reference: str) -> None:
    reported = [str(item) for item in request.session.get(SESSION_KEY, [])]
    reported.append(f"{organisation_id}:{reference}")
    request.session[SESSION_KEY] = reported[-SESSION_KEEP:]


def _reported_here(request: HttpRequest, organisation_id: int, reference: str) -> bool:
    return f"{organisation_id}:{reference}" in request.session.get(SESSION_KEY, [])


@public
@never_cache
@require_http_methods(GET_POST)
@uploads.keep_sent_names
def report_form(request: HttpRequest, organisation_slug: str, type_code: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    web_form = queries.published_form(organisation, type_code)
    context = _form_context(organisation, web_form)
    if request.method != "POST" and web_form.asks_one_thing_per_page:
        # The first page's address, without building the form to find it.
        first = steps.first_slug(web_form.case_type.attributes)
        answers = steps.kept(request, web_form)
        return render(
            request,
            "portal/report_start.html",
            {
                **context,
                "start_url": _step_url(web_form, first),
                "resume_url": _check_url(web_form) if answers["done"] else "",
            },
        )
    if request.method != "POST":
        form = _report_form(web_form)
        return render(request, "portal/report_form.html", {**context, "form": form})
    address = client_address(request)
    if not throttle.reserve(address):
        return render(request, "portal/too_many.html", context, status=429)
    # Bound even when the body is empty or unreadable: every required input is then missing.
    form = _report_form(web_form, _posted(request), _files(request), request=request)
    if form.is_bot():  # refused silently, answered like a report; the reservation counts
        return HttpResponseRedirect(reverse("portal:report-received", args=[organisation.slug]))
    saved = pages.save_form(
        request,
        form,
        lambda data: _submit(request, web_form, form, address),
        done=lambda case: (
            "",
            reverse("portal:report-done", args=[organisation.slug, case.reference]),
        ),
    )
    if saved is not None:
        return saved
    throttle.release(address)  # mistakes never use up the allowance
    return render(request, "portal/report_form.html", {**context, "form": form}, status=400)


def _submit(
    request: HttpRequest,
    web_form: WebForm,
    form: forms.ReportForm,
    address: str | None,
    *,
    photo: document_services.CheckedFile | None = None,
) -> Case:
    """Raise the resident's case and remember, in their session, that they reported it here.
    The photo is the form's, or, from "Check your answers", the one held since its page."""
    case = services.submit_report(
        web_form,
        report=form.report(language=_customer_language()),
        ip_address=address,
        photo=photo or form.cleaned_data.get(PHOTO),
    )
    _remember(request, web_form.organisation_id, case.reference)
    return case


def _customer_language() -> str:
    """The language the resident is using, as the customer record writes it."""
    return CustomerLanguage.WELSH if get_language() == WELSH else CustomerLanguage.ENGLISH


# --- a long form, one thing per page (``steps``) --------------------------------------------
FROM_CHECK = "check"
PHOTO = "photo"
REMOVE_PHOTO = "remove_photo"


def _release_photo(web_form: WebForm, photo: document_services.HeldFile | None) -> None:
    if photo is not None:
        document_services.release_held_file(web_form.organisation_id, photo)


def _step_url(web_form: WebForm, step: steps.Step | str, *, from_check: bool = False) -> str:
    """The address of the page ``step`` (a page, or its slug)."""
    slug = step.slug if isinstance(step, steps.Step) else step
    url = addresses.reverse(
        "portal:report-step", web_form.organisation.slug, web_form.case_type.code, slug
    )
    return f"{url}?from={FROM_CHECK}" if from_check else url


def _check_url(web_form: WebForm) -> str:
    return addresses.reverse(
        "portal:report-check", web_form.organisation.slug, web_form.case_type.code
    )


def _paged_form(
    request: HttpRequest, organisation_slug: str, type_code: str
) -> tuple[Organisation, WebForm]:
    """The published form ``type_code``, when it is asked one thing per page (else 404)."""
    organisation = public_organisation(organisation_slug, request)
    web_form = queries.published_form(organisation, type_code)
    if not web_form.asks_one_thing_per_page:
        raise Http404
    return organisation, web_form


def _refused_as_bot(request: HttpRequest, web_form: WebForm) -> HttpResponse:
    """The honeypot was filled: answered like a report sent, nothing kept; it counts."""
    context = _form_context(web_form.organisation, web_form)
    if not throttle.reserve(client_address(request)):
        return render(request, "portal/too_many.html", context, status=429)
    _release_photo(web_form, steps.kept(request, web_form)["photo"])
    steps.keep(request, web_form, None)
    return HttpResponseRedirect(
        reverse("portal:report-received", args=[web_form.organisation.slug])
    )


@public
@never_cache
@require_http_methods(GET_POST)
@uploads.keep_sent_names
def report_step(
    request: HttpRequest, organisation_slug: str, type_code: str, step: str
) -> HttpResponse:
    """One page of a long form: its question, checked alone, kept in the session."""
    _organisation, web_form = _paged_form(request, organisation_slug, type_code)
    # The questions and their fields, looked up once for the page: its pages, without
    # building a form, and the one form it shows or checks.
    questions = web_form.questions_in(get_language())
    asked = (questions, forms.blueprint_of(questions))
    all_steps = steps.steps_for(*asked)
    found = next((page for page in all_steps if page.slug == str(step)[:80]), None)
    if found is None:
        raise Http404
    answers = steps.kept(request, web_form)
    missing = steps.first_missing(all_steps, answers["done"])
    # Pages are reached in order: not before the ones they follow are answered.
    if missing is not None and all_steps.index(missing) < all_steps.index(found):
        return HttpResponseRedirect(_step_url(web_form, missing))
    from_check = request.GET.get("from") == FROM_CHECK
    if request.method != "POST":
        if found.slug in answers["done"]:
            form = _report_form(web_form, steps.as_data(answers["values"]), asked=asked)
            form.is_valid()
            steps.only_errors_of(form, found)
        else:  # nothing to check: the page's own inputs only
            form = _report_form(web_form, asked=asked, only=(*found.fields, forms.HONEYPOT))
        return _step_page(
            request, web_form, all_steps, found, form, from_check=from_check, answers=answers
        )
    posted = _posted(request)
    if steps.is_bot(posted):
        return _refused_as_bot(request, web_form)
    values = steps.merged(found, answers["values"], steps.posted_values(found, posted))
    files = _files(request) if PHOTO in found.fields else None
    form = _report_form(web_form, steps.as_data(values), files, request=request, asked=asked)
    form.is_valid()
    steps.only_errors_of(form, found)
    if form.errors:
        return _step_page(
            request, web_form, all_steps, found, form, from_check=from_check, answers=answers
        )
    photo = answers["photo"]
    if PHOTO in found.fields:
        checked = form.cleaned_data.get(PHOTO)
        if checked is not None and not throttle.reserve(
            client_address(request), throttle.HELD_PHOTOS
        ):
            context = _form_context(web_form.organisation, web_form)
            return render(request, "portal/too_many.html", context, status=429)
        if checked is not None or posted.get(REMOVE_PHOTO):
            _release_photo(web_form, photo)
            photo = None
        if checked is not None:
            photo = document_services.hold_file(checked, organisation_id=web_form.organisation_id)
    done = [*answers["done"], *([] if found.slug in answers["done"] else [found.slug])]
    steps.keep(request, web_form, {"done": done, "values": values, "photo": photo})
    missing = steps.first_missing(all_steps, done)
    if from_check and missing is None:
        return HttpResponseRedirect(_check_url(web_form))
    following = all_steps[all_steps.index(found) + 1] if found is not all_steps[-1] else None
    if following is not None and following.slug not in done:
        return HttpResponseRedirect(_step_url(web_form, following))
    if missing is not None:
        return HttpResponseRedirect(_step_url(web_form, missing))
    return HttpResponseRedirect(_check_url(web_form))


def _step_page(
    request: HttpRequest,
    web_form: WebForm,
    all_steps: list[steps.Step],
    step: steps.Step,
    form: forms.ReportForm,
    *,
    from_check: bool,
    answers: dict[str, Any],
) -> HttpResponse:
    index = all_steps.index(step)
    if from_check:
        back = _check_url(web_form)
    elif index > 0:
        back = _step_url(web_form, all_steps[index - 1])
    else:
        back = reverse(
            "portal:report-form", args=[web_form.organisation.slug, web_form.case_type.code]
        )
    point = [form[name] for name in step.fields if name in forms.POINT_FIELDS]
    fields = [form[name] for name in step.fields if name not in forms.POINT_FIELDS]
    return render(
        request,
        "portal/report_step.html",
        {
            **_form_context(web_form.organisation, web_form),
            "form": form,
            "step": step,
            "fields": fields,
            "single": fields[0] if len(fields) == 1 else None,
            "point": point,
            "held_photo": answers["photo"] if PHOTO in step.fields else None,
            "back": back,
            "number": index + 1,
            "count": len(all_steps),
            "honeypot": form[forms.HONEYPOT],
        },
        status=400 if form.errors else 200,
    )


@public
@never_cache
@require_http_methods(GET_POST)
def report_check(request: HttpRequest, organisation_slug: str, type_code: str) -> HttpResponse:
    """ "Check your answers before sending your report", then send it."""
    organisation, web_form = _paged_form(request, organisation_slug, type_code)
    answers = steps.kept(request, web_form)
    form = _report_form(web_form, steps.as_data(answers["values"]))
    all_steps = steps.steps_of(form)  # the pages are the same whatever the answers
    missing = steps.first_missing(all_steps, answers["done"])
    if missing is not None:  # not everything answered (or the session has expired)
        return HttpResponseRedirect(_step_url(web_form, missing))
    status = 200
    if request.method == "POST":
        posted = _posted(request)
        if steps.is_bot(posted):
            return _refused_as_bot(request, web_form)
        address = client_address(request)
        if not throttle.reserve(address):
            return render(
                request, "portal/too_many.html", _form_context(organisation, web_form), status=429
            )

        def submit(data: dict[str, Any]) -> Case:
            case = _submit(request, web_form, form, address, photo=photo)
            _release_photo(web_form, answers["photo"])
            steps.keep(request, web_form, None)
            return case

        photo = (
            document_services.held_file(web_form.organisation_id, answers["photo"])
            if answers["photo"] is not None
            else None
        )
        if answers["photo"] is not None and photo is None:  # expired, or changed on disk
            throttle.release(address)
            steps.keep(request, web_form, {**answers, "photo": None})
            return _check_page(
                request,
                web_form,
                all_steps,
                form,
                {**answers, "photo": None},
                extra_errors=[_("The photo you added could not be kept: add it again")],
                status=400,
            )

        saved = pages.save_form(
            request,
            form,
            submit,
            done=lambda case: (
                "",
                reverse("portal:report-done", args=[organisation.slug, case.reference]),
            ),
        )
        if saved is not None:
            return saved
        throttle.release(address)  # mistakes never use up the allowance
        status = 400
    else:
        form.is_valid()
    return _check_page(request, web_form, all_steps, form, answers, status=status)


def _check_page(
    request: HttpRequest,
    web_form: WebForm,
    all_steps: list[steps.Step],
    form: forms.ReportForm,
    answers: dict[str, Any],
    *,
    status: int,
    extra_errors: list[str] | None = None,
) -> HttpResponse:
    problem = next(page for page in all_steps if page.slug == steps.PROBLEM)
    errors: list[dict[str, Any]] = [
        {"text": error, "href": _step_url(web_form, problem, from_check=True)}
        for error in extra_errors or []
    ]
    errors += [
        {"text": error, "href": _step_url(web_form, page, from_check=True)}
        for page in all_steps
        for name in page.fields
        for error in form.errors.get(name, [])
    ]
    errors += [
        {"text": error, "href": _step_url(web_form, all_steps[0], from_check=True)}
        for error in form.non_field_errors()
    ]
    photo = answers["photo"]
    rows = [
        {
            "step": page,
            "answers": [
                *(text for name in page.fields if (text := steps.shown_answer(form, name))),
                *(
                    [_("Photo: %(name)s") % {"name": photo.name}]
                    if photo is not None and PHOTO in page.fields
                    else []
                ),
            ],
            "change": _step_url(web_form, page, from_check=True),
        }
        for page in all_steps
    ]
    return render(
        request,
        "portal/report_check.html",
        {
            **_form_context(web_form.organisation, web_form),
            "rows": rows,
            "errors": errors,
            "back": _step_url(web_form, all_steps[-1]),
        },
        status=status,
    )


def _posted(request: HttpRequest) -> QueryDict:
    """The form's data.  A body that cannot be read as the page sent it counts as empty, so the
    sender gets the usual error summary (every required input missing) rather than a blank
    form, a 500 or a report saved with garbled text: a broken multipart body, or a form body
    that claims (or defaults to) UTF-8 but is not, which Django would otherwise decode as
    Latin-1."""
    try:
        posted = request.POST
    except MultiPartParserError:
        return QueryDict()
    encoding = (request.encoding or settings.DEFAULT_CHARSET).lower().replace("_", "-")
    if request.content_type == "application/x-www-form-urlencoded" and encoding in UTF8:
        try:
            request.body.decode("utf-8")
        except UnicodeDecodeError:
            return QueryDict()
    return posted


def _files(request: HttpRequest) -> MultiValueDict[str, UploadedFile[Any]]:
    """The form's files (none when the body could not be read, as for ``_posted``)."""
    try:
        return request.FILES
    except MultiPartParserError:
        return MultiValueDict()


@public
@never_cache
@require_GET
def report_received(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """A plain thank-you with no reference: where a submission the honeypot refused goes."""
    organisation = public_organisation(organisation_slug, request)
    return render(request, "portal/received.html", {"organisation": organisation})


@public
@never_cache
@require_GET
def report_done(request: HttpRequest, organisation_slug: str, reference: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    if not _reported_here(request, organisation.pk, str(reference)[: queries.REFERENCE_LIMIT]):
        raise Http404
    case = queries.reported_case(organisation, reference)
    return render(request, "portal/report_done.html", {"organisation": organisation, "case": case})


# --- staff: which case types residents can report online ----------------------------------------
_web_form_page = partial(pages.form_page, template="portal/web_form.html")


@require_GET
def web_forms(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.CASE_TYPE_MANAGE)
    return render(
        request,
        "portal/web_forms.html",
        {"rows": queries.web_form_rows(user), "organisation": user.organisation},
    )


@require_http_methods(GET_POST)
def web_form_edit(request: HttpRequest, case_type_id: int) -> HttpResponse:
    user = staff_user(request)
    case_type = queries.get_case_type_for(user, case_type_id)
    web_form = queries.web_form_of(case_type)
    initial = forms.web_form_initial(web_form)
    # Bound for every POST, even an empty one, so it gets the error summary, not a blank form.
    form = forms.WebFormForm(pages.posted(request), initial=initial, case_type=case_type)
    saved = pages.save_form(
        request,
        form,
        lambda data: services.save_web_form(
            case_type,
            by=user,
            is_published=data["is_published"],
            guidance=data["guidance"],
            position=data["position"],
            words=form.words(),
            layout=data["layout"] or None,
        ),
        done=(
            _("Online form for %(name)s saved") % {"name": case_type.name},
            reverse("portal:web-forms"),
        ),
    )
    if saved is not None:
        return saved
    return _web_form_page(
        request,
        form,
        title=_("Report online: %(name)s") % {"name": case_type.name},
        back=reverse("portal:web-forms"),
        submit=_("Save"),
        case_type=case_type,
    )

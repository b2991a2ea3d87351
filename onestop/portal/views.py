"""Residents' pages (the start page, information pages, report a problem: public) and the staff
page that publishes case types online.  Thin: parse the form, reach objects through
``queries``, call one service, render."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from onestop.cases.models import Case
from onestop.cases.queries import public_organisation
from onestop.core import pages, permissions
from onestop.core.access import require
from onestop.core.decorators import public
from onestop.core.http import client_address, staff_user
from onestop.core.models import Organisation
from onestop.documents import uploads
from onestop.portal import forms, queries, services, throttle
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
        return _start(request, organisation)
    if slug:
        logger.warning("ONESTOP_PUBLIC_ORGANISATION names no active organisation: %s", slug)
    return render(request, "portal/sites.html", {"sites": queries.public_sites()})


@public
@require_GET
def start(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    return _start(request, public_organisation(organisation_slug))


def _start(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    page = queries.start_page(organisation)
    return render(request, "portal/start.html", {"organisation": organisation, "page": page})


@public
@require_GET
def contact(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug)
    page = queries.contact_page(organisation)
    return render(request, "portal/contact.html", {"organisation": organisation, "page": page})


@public
@require_GET
def accessibility(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug)
    page = queries.contact_page(organisation)
    return render(
        request,
        "portal/accessibility.html",
        {"organisation": organisation, "page": page, "statement": queries.ACCESSIBILITY},
    )


@public
@require_GET
def privacy(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug)
    return render(
        request,
        "portal/privacy.html",
        {"organisation": organisation, "cookies": queries.essential_cookies()},
    )


@public
@require_GET
def cookies(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug)
    return render(
        request,
        "portal/cookies.html",
        {"organisation": organisation, "cookies": queries.essential_cookies()},
    )


# --- residents (public): report a problem --------------------------------------------------------
@public
@require_GET
def report_index(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug)
    return render(
        request,
        "portal/report_index.html",
        {"organisation": organisation, "forms": queries.published_forms(organisation)},
    )


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
    organisation = public_organisation(organisation_slug)
    web_form = queries.published_form(organisation, type_code)
    context = {"organisation": organisation, "web_form": web_form}
    if request.method != "POST":
        form = forms.ReportForm(case_type=web_form.case_type)
        return render(request, "portal/report_form.html", {**context, "form": form})
    address = client_address(request)
    if not throttle.reserve(address):
        return render(request, "portal/too_many.html", context, status=429)
    # Bound even when the body is empty or unreadable: every required input is then missing.
    form = forms.ReportForm(
        _posted(request), _files(request), case_type=web_form.case_type, request=request
    )
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
    request: HttpRequest, web_form: WebForm, form: forms.ReportForm, address: str | None
) -> Case:
    """Raise the resident's case and remember, in their session, that they reported it here."""
    case = services.submit_report(
        web_form,
        report=form.report(),
        ip_address=address,
        photo=form.cleaned_data.get("photo"),
    )
    _remember(request, web_form.organisation_id, case.reference)
    return case


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
    organisation = public_organisation(organisation_slug)
    return render(request, "portal/received.html", {"organisation": organisation})


@public
@never_cache
@require_GET
def report_done(request: HttpRequest, organisation_slug: str, reference: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug)
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
    initial = (
        {
            "is_published": web_form.is_published,
            "guidance": web_form.guidance,
            "position": web_form.position,
        }
        if web_form is not None
        else {}
    )
    # Bound for every POST, even an empty one, so it gets the error summary, not a blank form.
    form = forms.WebFormForm(pages.posted(request), initial=initial)
    saved = pages.save_form(
        request,
        form,
        lambda data: services.save_web_form(
            case_type,
            by=user,
            is_published=data["is_published"],
            guidance=data["guidance"],
            position=data["position"],
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

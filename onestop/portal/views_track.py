"""Residents' pages of issue 18 part B: track a request by reference and a second detail, add
information to it, and "Your requests" (a one-time sign-in link by e-mail).  Thin: parse the
form, reach objects through ``queries_track``, call one service, render.

The track page remembers, in the browser's session, the requests it opened (for an hour), so
the request's own page (``/o/<organisation>/track/<reference>/``) answers only the browser that
proved the reference; any other answers 404.  "Your requests" has a session of its own
(``ResidentSession``, its cookie limited to the organisation's "Your requests" pages), apart
from staff sign-in.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from onestop.cases.models import Case
from onestop.cases.queries import public_organisation
from onestop.core import pages
from onestop.core.decorators import public
from onestop.core.http import client_address
from onestop.core.models import Organisation
from onestop.documents import uploads
from onestop.feedback import services as feedback_services
from onestop.feedback.models import Feedback
from onestop.portal import forms_track, queries_track, services_track, throttle
from onestop.portal.models import ResidentSession
from onestop.portal.views import _files, _posted

GET_POST = ["GET", "POST"]
TRACKED_KEY = "onestop_portal_tracked"
TRACKED_KEEP = 20
RESIDENT_COOKIE = services_track.RESIDENT_COOKIE


# --- the browser session's tracked requests ------------------------------------------------------
def _remember(request: HttpRequest, organisation_id: int, reference: str) -> None:
    now = int(time.time())
    kept = [
        [str(key), int(at)]
        for key, at in request.session.get(TRACKED_KEY, [])
        if now - int(at) < queries_track.TRACKED_SECONDS
    ]
    kept.append([f"{organisation_id}:{reference}", now])
    request.session[TRACKED_KEY] = kept[-TRACKED_KEEP:]


def _tracked_here(request: HttpRequest, organisation_id: int, reference: str) -> bool:
    now = int(time.time())
    wanted = f"{organisation_id}:{reference}"
    return any(
        str(key) == wanted and now - int(at) < queries_track.TRACKED_SECONDS
        for key, at in request.session.get(TRACKED_KEY, [])
    )


def _too_many(request: HttpRequest, organisation: Organisation, title: str) -> HttpResponse:
    return render(
        request,
        "portal/too_many_tries.html",
        {"organisation": organisation, "title": title},
        status=429,
    )


# --- track ---------------------------------------------------------------------------------------
@public
@never_cache
@require_http_methods(GET_POST)
def track(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    context = {"organisation": organisation}
    if request.method != "POST":
        form = forms_track.TrackForm()
        return render(request, "portal/track.html", {**context, "form": form})
    form = forms_track.TrackForm(_posted(request))
    if not form.is_valid():  # nothing looked up: mistakes use up none of the allowance
        return render(request, "portal/track.html", {**context, "form": form}, status=400)
    address = client_address(request)
    if not throttle.reserve(address, throttle.TRACK):
        return _too_many(request, organisation, _("You have tried too many times"))
    found = queries_track.find_request(
        organisation, form.cleaned_data["reference"], form.cleaned_data["detail"]
    )
    if found is None:
        form.add_error(None, queries_track.not_found_message())
        return render(request, "portal/track.html", {**context, "form": form}, status=400)
    services_track.record_tracked(found, ip_address=address)
    _remember(request, organisation.pk, found.reference)
    return HttpResponseRedirect(
        reverse("portal:tracked", args=[organisation.slug, found.reference])
    )


@public
@never_cache
@require_http_methods(GET_POST)
@uploads.keep_sent_names
def tracked(request: HttpRequest, organisation_slug: str, reference: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    reference = queries_track.clean_reference(reference)
    if not _tracked_here(request, organisation.pk, reference):
        raise Http404
    found = queries_track.tracked_request(organisation, reference)
    if found is None:
        raise Http404
    here = reverse("portal:tracked", args=[organisation.slug, found.reference])
    return _request_page(request, organisation, found, here=here, resident=None)


def _request_page(
    request: HttpRequest,
    organisation: Organisation,
    found: Case | Feedback,
    *,
    here: str,
    resident: ResidentSession | None,
) -> HttpResponse:
    """A request's page (status, deadline, what happened so far) with the form to add more
    information to an open case or feedback; the form's POST files it (on a case through
    ``services_track.add_information``, with a photo if sent; on feedback through feedback's
    own service, text only: feedback keeps no documents)."""
    view = queries_track.view_of(found)
    context = {"organisation": organisation, "request_view": view, "resident": resident}
    with_photo = isinstance(found, Case)
    if request.method != "POST":
        form = forms_track.AddInformationForm(request=request, with_photo=with_photo)
        return render(request, "portal/tracked.html", {**context, "form": form})
    if not view.takes_information:
        return HttpResponse(status=405)
    address = client_address(request)
    form = forms_track.AddInformationForm(
        _posted(request), _files(request), request=request, with_photo=with_photo
    )
    if not form.is_valid():
        return render(request, "portal/tracked.html", {**context, "form": form}, status=400)
    if not throttle.reserve(address, throttle.ADD_INFORMATION):
        return _too_many(request, organisation, _("You have sent too much information"))

    def file_it(data: dict[str, Any]) -> object:
        if isinstance(found, Case):
            return services_track.add_information(
                found, text=data["text"], photo=data.get("photo"), ip_address=address
            )
        return feedback_services.add_public_information(
            found, text=data["text"], ip_address=address
        )

    saved = pages.save_form(
        request,
        form,
        file_it,
        done=(
            _("Thank you. We have added your information to %(reference)s")
            % {"reference": found.reference},
            here,
        ),
    )
    if saved is not None:
        return saved
    throttle.release(address, throttle.ADD_INFORMATION)
    return render(request, "portal/tracked.html", {**context, "form": form}, status=400)


# --- "Your requests" -----------------------------------------------------------------------------
def _cookie_path(organisation: Organisation) -> str:
    return reverse("portal:your-requests", args=[organisation.slug])


def _resident(request: HttpRequest, organisation: Organisation) -> ResidentSession | None:
    return queries_track.resident_session(organisation, request.COOKIES.get(RESIDENT_COOKIE, ""))


@public
@never_cache
@require_http_methods(GET_POST)
def your_requests(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """Signed in: the resident's requests.  Otherwise: the form asking for a sign-in link."""
    organisation = public_organisation(organisation_slug, request)
    resident = _resident(request, organisation)
    context = {"organisation": organisation}
    if resident is not None and request.method != "POST":
        return render(
            request,
            "portal/your_requests.html",
            {
                **context,
                "resident": resident,
                "rows": queries_track.requests_of(resident),
            },
        )
    if request.method != "POST":
        form = forms_track.SignInLinkForm()
        return render(request, "portal/your_requests_start.html", {**context, "form": form})
    form = forms_track.SignInLinkForm(_posted(request))
    if not form.is_valid():
        return render(
            request, "portal/your_requests_start.html", {**context, "form": form}, status=400
        )
    email = form.cleaned_data["email"]
    address = client_address(request)
    if not throttle.reserve(address, throttle.SIGN_IN_ADDRESS):
        return _too_many(request, organisation, _("You have asked for too many links"))
    if throttle.reserve(queries_track.email_key_of(email), throttle.SIGN_IN_EMAIL):
        services_track.ask_for_sign_in_link(organisation, email=email, ip_address=address)
    # The same answer whether or not the address is known, or its links were used up.
    return HttpResponseRedirect(reverse("portal:your-requests-sent", args=[organisation.slug]))


@public
@never_cache
@require_http_methods(["GET"])
def your_requests_sent(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    return render(request, "portal/your_requests_sent.html", {"organisation": organisation})


@public
@never_cache
@require_http_methods(GET_POST)
def your_requests_sign_in(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """GET shows a button (mail scanners that open links must not use the token up); its POST
    uses the token once and opens the resident's session."""
    organisation = public_organisation(organisation_slug, request)
    if request.method != "POST":
        token = str(request.GET.get("token", ""))[:100]
        return render(
            request,
            "portal/your_requests_sign_in.html",
            {"organisation": organisation, "token": token},
        )
    token = str(_posted(request).get("token", ""))
    signed_in = services_track.sign_in(
        organisation, token=token, ip_address=client_address(request)
    )
    if signed_in is None:
        return render(
            request,
            "portal/your_requests_sign_in.html",
            {"organisation": organisation, "failed": True},
            status=400,
        )
    response = HttpResponseRedirect(_cookie_path(organisation))
    response.set_cookie(
        RESIDENT_COOKIE,
        signed_in.key,
        max_age=services_track.SESSION_MINUTES * 60,
        path=_cookie_path(organisation),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@public
@never_cache
@require_POST
def your_requests_sign_out(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation = public_organisation(organisation_slug, request)
    resident = _resident(request, organisation)
    if resident is not None:
        services_track.sign_out(resident, ip_address=client_address(request))
    response = HttpResponseRedirect(_cookie_path(organisation))
    response.delete_cookie(RESIDENT_COOKIE, path=_cookie_path(organisation), samesite="Lax")
    return response


def _signed_in(
    request: HttpRequest, organisation_slug: str
) -> tuple[Organisation, ResidentSession]:
    organisation = public_organisation(organisation_slug, request)
    resident = _resident(request, organisation)
    if resident is None:
        raise Http404
    return organisation, resident


@public
@never_cache
@require_http_methods(GET_POST)
def your_requests_preferences(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    organisation, resident = _signed_in(request, organisation_slug)
    customers = queries_track.customers_with_email(organisation.pk, resident.email_key)
    first = customers[0] if customers else None
    initial = (
        {
            "preferred_channel": first.preferred_channel,
            "format": first.format,
            "consents_to_email_updates": first.consents_to_email_updates,
            "consents_to_sms_updates": first.consents_to_sms_updates,
        }
        if first is not None
        else {}
    )
    form = forms_track.PreferencesForm(
        _posted(request) if request.method == "POST" else None, initial=initial
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: services_track.save_contact_preferences(
            resident, form.preferences(), ip_address=client_address(request)
        ),
        done=(_("Your contact preferences are saved"), _cookie_path(organisation)),
    )
    if saved is not None:
        return saved
    status = 400 if form.is_bound else 200
    return render(
        request,
        "portal/your_requests_preferences.html",
        {"organisation": organisation, "resident": resident, "form": form},
        status=status,
    )


@public
@never_cache
@require_http_methods(GET_POST)
@uploads.keep_sent_names
def your_request(request: HttpRequest, organisation_slug: str, reference: str) -> HttpResponse:
    organisation, resident = _signed_in(request, organisation_slug)
    found = queries_track.request_of(resident, reference)
    if found is None:
        raise Http404
    here = reverse("portal:your-request", args=[organisation.slug, found.reference])
    return _request_page(request, organisation, found, here=here, resident=resident)

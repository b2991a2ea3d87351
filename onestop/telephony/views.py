"""Administrators' pages for call records: upload a file (and see what became of each import),
and map the telephone system's queues to services.  Thin: parse the form, reach records through
``queries``, call one service, render or redirect."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import pages
from onestop.core.access import require
from onestop.core.errors import ServiceError
from onestop.core.http import staff_user
from onestop.telephony import forms, queries, services
from onestop.telephony.errors import ImportUnreadable, TelephonyError
from onestop.telephony.formats import FormatError
from onestop.telephony.models import CallImportRun

GET_POST = ["GET", "POST"]
MANAGE = queries.MANAGE
_queue_page = partial(
    pages.form_page, template="core/form_page.html", back_label=gettext_lazy("Back to call queues")
)


@require_http_methods(GET_POST)
def import_page(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE)
    posted = pages.posted(request)
    form = forms.ImportForm(posted, request.FILES if posted is not None else None)

    def save(data: dict[str, object]) -> CallImportRun:
        upload = data["file"]
        try:
            return services.import_calls(
                user.organisation,  # type: ignore[arg-type]  # staff always have one
                upload,  # type: ignore[arg-type]  # an UploadedFile reads as bytes
                by=user,
                format_name=str(data["format"]),
                file_name=str(getattr(upload, "name", "") or ""),
                all_or_nothing=bool(data["all_or_nothing"]),
            )
        except (ImportUnreadable, FormatError) as error:
            raise ServiceError(
                TelephonyError.UNREADABLE_FILE,
                _("The selected file cannot be imported: %(reason)s") % {"reason": error},
                field="file",
            ) from None

    saved = pages.save_form(
        request,
        form,
        save,
        done=lambda run: (
            _("Import finished: %(summary)s") % {"summary": run.summary},
            reverse("telephony:run", args=[run.pk]),
        ),
    )
    if saved is not None:
        return saved
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "telephony/import.html",
        {
            "form": form,
            "runs": queries.runs_for(user),
            "submit": _("Import call records"),
            "back": reverse("telephony:queues"),
            "cancel": _("Map call queues"),
        },
        status=status,
    )


@require_GET
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    user = staff_user(request)
    run = queries.get_run_for(user, run_id)
    return render(
        request,
        "telephony/run.html",
        {"run": run, "refusals": queries.refusals_of(run), "shown": queries.REFUSALS_SHOWN},
    )


@require_GET
def queues(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE)
    return render(request, "telephony/queues.html", {"queues": queries.queues_for(user)})


@require_http_methods(GET_POST)
def queue_edit(request: HttpRequest, queue_id: int) -> HttpResponse:
    user = staff_user(request)
    queue = queries.get_queue_for(user, queue_id)
    form = forms.QueueForm(
        pages.posted(request),
        initial={"service": queue.service_id, "access_point": queue.access_point_id},
        services=queries.services_for_queues(user),
        access_points=queries.telephone_access_points_for(user),
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: services.map_queue(
            queue, by=user, service=data["service"], access_point=data["access_point"]
        ),
        done=(
            _("Call queue %(name)s mapped") % {"name": queue.name},
            reverse("telephony:queues"),
        ),
    )
    if saved is not None:
        return saved
    return _queue_page(
        request,
        form,
        title=_("Map the call queue %(name)s") % {"name": queue.name},
        back=reverse("telephony:queues"),
        submit=_("Save mapping"),
    )

"""Staff pages: an owner's documents (list and upload) and the download.

Thin: reach the owner or the document through ``queries`` (404 outside the user's reach, 403
without the permission), call one service, render.  Success goes back to the owner's page, where
the "Documents" section (``documents/includes/section.html``) lists what was added.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import pages, permissions
from onestop.core.access import action_for
from onestop.core.http import client_address, staff_user
from onestop.documents import forms, queries, sections, services, uploads


@require_http_methods(["GET", "POST"])
@uploads.keep_sent_names
def owner_documents(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    user = staff_user(request)
    action = action_for(
        request.method, read=permissions.DOCUMENT_VIEW, write=permissions.DOCUMENT_ATTACH
    )
    owner = queries.get_owner_for(user, kind, key, action)
    posted = pages.posted(request)
    form = forms.UploadForm(posted, request.FILES if posted is not None else None, request=request)
    saved = pages.save_form(
        request,
        form,
        lambda data: services.attach_document(
            owner.record, data["file"], by=user, ip_address=client_address(request)
        ),
        done=(_("Document added"), f"{owner.url}#documents"),
    )
    if saved is not None:
        return saved
    status = 400 if form.is_bound and form.errors else 200
    context = sections.section(request, user, owner, form)
    return render(request, "documents/documents.html", context, status=status)


@require_GET
def download(request: HttpRequest, document_id: int) -> FileResponse:
    user = staff_user(request)
    document = queries.get_document_for(user, document_id)
    try:
        handle = open(queries.path_of(document), "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404 from None
    services.record_document_downloaded(document, by=user, ip_address=client_address(request))
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

"""The post room (``/letters/``): the letters waiting to be printed, one PDF of them all, a
letter on its own, and marking them posted.  Thin: each reads through
``queries_notifyletters`` or calls one service; every read of letters is audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from onestop.core import audit, pages, permissions
from onestop.core.access import get_or_404, require
from onestop.core.http import client_address, staff_user
from onestop.core.models import AuditAction
from onestop.notify import letters as letter_pdf
from onestop.notify import queries as notify_queries
from onestop.notify import queries_notifyletters as queries
from onestop.notify.forms_notifyletters import PostedForm
from onestop.notify.models import Channel
from onestop.notify.services import letters as letter_services

POST_ROOM = permissions.LETTER_POST_ROOM
WHAT = "notify.message"


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def post_room(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, POST_ROOM)
    form = PostedForm(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: letter_services.mark_posted(user, data["letters"]),
        done=lambda count: (
            ngettext("%(count)s letter marked posted", "%(count)s letters marked posted", count)
            % {"count": count},
            reverse("letters:post-room"),
        ),
    )
    if saved is not None:
        return saved
    waiting = queries.waiting_letters_for(user)
    audit.record_list_read(
        user, what=WHAT, ids=[letter.pk for letter in waiting], ip_address=client_address(request)
    )
    today = timezone.localdate()
    context = {
        "form": form,
        "letters": waiting,
        "chosen": set(request.POST.getlist("letters")) if form.is_bound else None,
        "today": today,
        "enabled": letter_services.post_room_enabled(),
        "limit": letter_services.POST_ROOM_LIMIT,
        "confidential": queries.confidential_waiting_for(user),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "notify/post_room.html", context, status=status)


@require_GET
def post_room_pdf(request: HttpRequest) -> HttpResponse:
    """Every letter listed on the post room, in the list's order, as one PDF to print."""
    user = staff_user(request)
    waiting = queries.waiting_letters_for(user)
    if not waiting:
        messages.info(request, _("There are no letters waiting to be printed"))
        return redirect("letters:post-room")
    documents = [letter_pdf.render_document(letter) for letter in waiting]
    joined = letter_pdf.join(documents)
    assert joined is not None  # noqa: S101 - there is at least one letter
    audit.record_list_read(
        user,
        what=WHAT,
        ids=[letter.pk for letter in waiting],
        action=AuditAction.EXPORTED,
        ip_address=client_address(request),
    )
    return _pdf_response(
        letter_pdf.write_pdf(joined), f"letters-{timezone.localdate().isoformat()}.pdf"
    )


@require_GET
def letter_pdf_view(request: HttpRequest, message_id: int) -> HttpResponse:
    """One letter's PDF (any status), for a member of staff who may work the post room."""
    user = staff_user(request)
    letter = get_or_404(
        user,
        notify_queries.messages_for(user)
        .filter(channel=Channel.LETTER)
        .select_related("organisation", "case"),
        POST_ROOM,
        pk=message_id,
    )
    audit.viewed(letter, by=user, ip_address=client_address(request), summary="Letter PDF")
    return _pdf_response(letter_pdf.render_pdf(letter), f"letter-{letter.pk}.pdf")

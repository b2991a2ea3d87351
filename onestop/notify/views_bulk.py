"""Pages of messages to many customers (``/outbox/bulk/``): the list, a new one, its page (the
preview and "send" while a draft; progress afterwards) and cancel.  Thin: an access function,
one service, a template."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.core import audit, pages, permissions
from onestop.core.access import require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.notify import forms_bulk, queries_bulk, wording
from onestop.notify.models import (
    BulkMessage,
    BulkStatus,
    Channel,
    Event,
    MessageStatus,
    SkipReason,
)
from onestop.notify.services import bulk as bulk_services
from onestop.notify.services import compose


@require_GET
def bulk_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    rows = list(queries_bulk.bulk_messages_for(user)[: queries_bulk.LIST_PAGE])
    audit.record_list_read(
        user,
        what="notify.bulkmessage",
        ids=[row.pk for row in rows],
        ip_address=client_address(request),
    )
    return render(request, "notify/bulk_list.html", {"rows": rows, "limit": queries_bulk.LIST_PAGE})


@require_http_methods(["GET", "POST"])
def bulk_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.MESSAGE_BULK)
    organisation_id = user.organisation_id
    assert organisation_id is not None  # noqa: S101  # require() passed
    form = forms_bulk.BulkMessageForm(
        pages.posted(request),
        groups=queries_bulk.registered_group_choices(organisation_id),
        access_points=[
            (str(pk), name)
            for pk, name in queries_bulk.access_points(organisation_id).values_list("pk", "name")
        ],
    )
    saved = pages.save_form(
        request,
        form,
        lambda data: bulk_services.create_bulk(
            organisation_id,
            by=user,
            title=data["title"],
            group=form.group(data),
            use_template=data["words"] == "template",
            subject=data["subject"],
            message=data["message"],
            channels=data["channels"],
        ),
        done=lambda created: (
            _("Check who will get it, then send it"),
            reverse("notify:bulk", args=[created.pk]),
        ),
    )
    if saved is not None:
        return saved
    return pages.form_page(
        request,
        form,
        template="notify/bulk_new.html",
        title=_("New message to many customers"),
        back=reverse("notify:bulk-list"),
        submit=_("Continue"),
    )


def _sample(bulk: BulkMessage) -> list[dict[str, str]]:
    """How it will read by each channel chosen, in English, to a sample customer."""
    found = []
    organisation_name = bulk.organisation.name
    for channel in bulk.channels:
        if bulk.use_template:
            words = compose.wording_for(bulk.organisation_id, Event.BULK, channel, "en")
        else:
            subject = "" if channel == Channel.SMS else bulk.subject
            words = wording.Wording(subject, bulk.text, 0)
        values = {
            "customer_name": "Sam Resident",
            "text": bulk.text,
            "organisation": organisation_name,
        }
        found.append(
            {
                "channel": str(Channel(channel).label),
                "subject": wording.render(words.subject, values),
                "body": wording.render(words.body, values),
            }
        )
    return found


@require_GET
def bulk_detail(request: HttpRequest, bulk_id: int) -> HttpResponse:
    user = staff_user(request)
    bulk = queries_bulk.get_bulk_message_for(user, bulk_id)
    audit.viewed(bulk, by=user, summary=f"Message to many customers {bulk.pk} viewed")
    context: dict[str, Any] = {
        "bulk": bulk,
        "channel_labels": [str(Channel(name).label) for name in bulk.channels],
        "samples": _sample(bulk),
        "cancellable": bulk.status in (BulkStatus.DRAFT, BulkStatus.SENDING)
        or (bulk.status == BulkStatus.SENT and _unsent(bulk)),
    }
    if bulk.status == BulkStatus.DRAFT:
        preview = queries_bulk.preview(bulk.organisation_id, bulk.group, bulk.channels)
        context["preview"] = preview
        context["preview_channels"] = [
            (str(Channel(name).label), preview.by_channel[name]) for name in bulk.channels
        ]
        context["preview_skipped"] = [
            (str(reason.label), preview.skipped[reason]) for reason in SkipReason
        ]
    else:
        statuses = queries_bulk.status_counts(bulk)
        channels = queries_bulk.channel_counts(bulk)
        context["status_counts"] = [
            (str(status.label), statuses[status]) for status in MessageStatus if status in statuses
        ]
        context["channel_counts"] = [
            (str(Channel(name).label), channels[name]) for name in bulk.channels if name in channels
        ]
    return render(request, "notify/bulk_detail.html", context)


def _unsent(bulk: BulkMessage) -> bool:
    statuses = queries_bulk.status_counts(bulk)
    return any(statuses.get(status, 0) for status in bulk_services.UNSENT)


@require_POST
def bulk_send(request: HttpRequest, bulk_id: int) -> HttpResponse:
    user = staff_user(request)
    bulk = queries_bulk.get_bulk_message_for(user, bulk_id)
    here = reverse("notify:bulk", args=[bulk.pk])
    try:
        bulk_services.send(bulk, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(here)
    return pages.done(
        request, _("Sending: the messages are written and sent in the background"), here
    )


@require_POST
def bulk_cancel(request: HttpRequest, bulk_id: int) -> HttpResponse:
    user = staff_user(request)
    bulk = queries_bulk.get_bulk_message_for(user, bulk_id)
    here = reverse("notify:bulk", args=[bulk.pk])
    try:
        stopped = bulk_services.cancel(bulk, by=user)[1]
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(here)
    return pages.done(
        request,
        _("Cancelled: %(count)s messages not yet sent will not be sent") % {"count": stopped},
        here,
    )

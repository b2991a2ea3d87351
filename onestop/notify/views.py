"""Staff pages of notify.  Thin: reach the object through an access function, call one service,
render or redirect."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onestop.core import audit, pages, permissions, public_links, sources
from onestop.core.access import require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.core.models import User
from onestop.notify import forms, queries, wording
from onestop.notify.models import Channel, Event, Language, Message, MessageStatus, StaffTask
from onestop.notify.services import compose, tasks, templates
from onestop.notify.services import outbox as outbox_services


def _task_page(task: StaffTask) -> str:
    """Where a task is shown: its case, else its customer, else the outbox."""
    if task.case is not None:
        return reverse("cases:case", args=[task.case.reference])
    if task.customer_id is not None:
        return reverse("customers:detail", args=[task.customer_id])
    return reverse("core:home")


@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    user = staff_user(request)
    task = queries.get_task_for(user, task_id)
    try:
        tasks.complete_task(task, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(_task_page(task))
    return pages.done(request, _("Task marked as done"), _task_page(task))


# --- the outbox -----------------------------------------------------------------------------------
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = forms.OutboxFilterForm(request.GET or None)
    chosen = queries.OutboxFilter()
    if form.is_bound and form.is_valid():
        chosen = queries.OutboxFilter(**form.cleaned_data)
    found = queries.outbox_for(user, chosen)
    rows = list(found[: queries.OUTBOX_PAGE])
    audit.record_list_read(
        user,
        what="notify.message",
        ids=[message.pk for message in rows],
        query=dataclasses.asdict(chosen),
        ip_address=client_address(request),
    )
    now = timezone.now()
    return render(
        request,
        "notify/outbox.html",
        {
            "form": form,
            "rows": [
                {
                    "message": message,
                    "retryable": _retryable(message, now),
                    "cancellable": message.status in outbox_services.CANCELLABLE,
                }
                for message in rows
            ],
            "limit": queries.OUTBOX_PAGE,
            "is_local": getattr(settings, "ONESTOP_MESSAGE_SENDER", "local") == "local",
            "can_bulk": permissions.can(user, permissions.MESSAGE_BULK),
        },
    )


def _retryable(message: Message, now: datetime.datetime) -> bool:
    if not message.channel or not message.address:
        return False
    if message.status == MessageStatus.SENDING:
        return message.updated_at is not None and message.updated_at < now - queries.STUCK_AFTER
    return message.status in outbox_services.RETRYABLE


@require_GET
def outbox_message(request: HttpRequest, message_id: int) -> HttpResponse:
    user = staff_user(request)
    message = queries.get_message_for(user, message_id)
    audit.viewed(message, by=user, summary=f"Message {message.pk} viewed")
    now = timezone.now()
    return render(
        request,
        "notify/outbox_message.html",
        {
            "message": message,
            "history": queries.history_of(user, message),
            "retryable": _retryable(message, now),
            "cancellable": message.status in outbox_services.CANCELLABLE,
        },
    )


def _change(
    request: HttpRequest, message_id: int, change: Callable[..., Message], done: str
) -> HttpResponse:
    user = staff_user(request)
    message = queries.get_message_for(user, message_id)
    back = reverse("notify:outbox-message", args=[message.pk])
    try:
        change(message, by=user)
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(back)
    return pages.done(request, done, back)


@require_POST
def outbox_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    return _change(request, message_id, outbox_services.retry, _("The message will be sent again"))


@require_POST
def outbox_cancel(request: HttpRequest, message_id: int) -> HttpResponse:
    return _change(request, message_id, outbox_services.cancel, _("The message was cancelled"))


# --- templates ------------------------------------------------------------------------------------
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(request, "notify/templates.html", {"rows": queries.templates_for(user)})


def _kind(event: str, channel: str, language: str) -> None:
    if (
        event not in Event.values
        or channel not in Channel.values
        or language not in (Language.values)
    ):
        raise Http404


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.MESSAGE_TEMPLATE_MANAGE)
    _kind(event, channel, language)
    organisation_id = user.organisation_id
    assert organisation_id is not None  # noqa: S101  # require() passed
    current = compose.wording_for(organisation_id, event, channel, language)
    placeholders = ", ".join(f"(({name}))" for name in wording.PLACEHOLDERS[event])
    form = forms.TemplateForm(
        pages.posted(request),
        initial={
            "subject": current.subject,
            "body": current.body,
            "notify_template_id": current.notify_template_id,
        },
        sms=channel == Channel.SMS,
        letter=channel == Channel.LETTER,
        placeholders=placeholders,
    )
    here = reverse("notify:template", args=[event, channel, language])
    saved = pages.save_form(
        request,
        form,
        lambda data: templates.save_template(
            organisation_id,
            by=user,
            event=event,
            channel=channel,
            language=language,
            subject=data.get("subject", ""),
            body=data["body"],
            notify_template_id=data.get("notify_template_id", ""),
        ),
        done=lambda found: (
            _("Template saved as version %(version)s") % {"version": found.version},
            here,
        ),
    )
    if saved is not None:
        return saved
    preview = _preview(request, user, event, channel, language, current)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "notify/template_edit.html",
        {
            "form": form,
            "title": _("%(event)s by %(channel)s in %(language)s")
            % {
                "event": Event(event).label,
                "channel": str(Channel(channel).label).lower(),
                "language": Language(language).label,
            },
            "back": reverse("notify:templates"),
            "submit": _("Save template"),
            "version": current.version,
            "here": here,
            **preview,
        },
        status=status,
    )


SAMPLE = {
    "reference": "SR-26-00011",
    "customer_name": "Sam Resident",
    "case_type": "Missed bin collection",
    "case_title": "Missed bin collection",
    "service": "Waste and Recycling",
    "update_text": "The crew will collect your bin on Friday.",
    "response_text": "We collected your bin on Friday.",
    "reason": "We are waiting for information from another service.",
    "callback_time": "Friday 4 December 2026 at 10:00",
    "percent": "75",
    "staff_name": "Alex Officer",
    "text": "The office is closed today because of snow.",
}


def _preview(
    request: HttpRequest,
    user: User,
    event: str,
    channel: str,
    language: str,
    current: wording.Wording,
) -> dict[str, Any]:
    """The template as it would read: with sample details, or a chosen case's (``?reference=``,
    404 when the user cannot see such a case)."""
    preview_form = forms.PreviewForm(request.GET if "reference" in request.GET else None)
    context: dict[str, Any] = {
        **SAMPLE,
        "deadline": datetime.date(2026, 12, 1),
        "deadline_time": datetime.datetime(
            2026, 12, 1, 17, 0, tzinfo=timezone.get_current_timezone()
        ),
    }
    organisation = user.organisation
    assert organisation is not None  # noqa: S101  # staff only
    # The organisation's own track page, as a message about one of its cases links to it.
    context["track_link"] = public_links.absolute_link(
        public_links.TRACK, organisation.slug, language=language
    )
    case_reference = ""
    if preview_form.is_bound and preview_form.is_valid():
        # The case's names in the template's language, whatever the customer's.
        found = sources.case_by_reference(user, preview_form.cleaned_data["reference"], language)
        if found is None:
            raise Http404
        context.update(found.message_context)
        case_reference = found.summary.reference
    values = compose.values_for(context, language, organisation_name=organisation.name)
    return {
        "preview_form": preview_form,
        "preview_reference": case_reference,
        "preview_subject": wording.render(current.subject, values),
        "preview_body": wording.render(current.body, values),
    }


@require_POST
def template_reset(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    user = staff_user(request)
    require(user, permissions.MESSAGE_TEMPLATE_MANAGE)
    _kind(event, channel, language)
    organisation_id = user.organisation_id
    assert organisation_id is not None  # noqa: S101  # require() passed
    templates.reset_template(
        organisation_id, by=user, event=event, channel=channel, language=language
    )
    return pages.done(
        request,
        _("The template is back to the default"),
        reverse("notify:template", args=[event, channel, language]),
    )

"""Staff pages of the shared mailboxes: the list with recent inbound mail, add and change a
mailbox.  Thin: parse the form, reach the mailbox through ``get_mailbox_for``, call one
service, render or redirect."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onestop.channels import forms, queries, services
from onestop.channels.models import ImapCredential, ImapSecurity, Mailbox
from onestop.channels.services import imap as imap_services
from onestop.core import audit, pages, permissions
from onestop.core.access import require
from onestop.core.http import client_address, staff_user
from onestop.core.models import User

GET_POST = ["GET", "POST"]
MANAGE = permissions.CASE_TYPE_MANAGE
_mailbox_page = partial(
    pages.form_page, template="core/form_page.html", back_label=gettext_lazy("Back to mailboxes")
)


@require_GET
def mailboxes(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE)
    recent = queries.recent_messages_for(user)
    sources = queries.imap_sources_for(user)
    audit.record_list_read(
        user,
        what="channels.inboundmessage",
        ids=[message.pk for message in recent],
        ip_address=client_address(request),
    )
    return render(
        request,
        "channels/mailboxes.html",
        {
            "mailboxes": [
                (mailbox, sources.get(mailbox.pk)) for mailbox in queries.mailboxes_for(user)
            ],
            "messages_in": recent,
        },
    )


def _form(request: HttpRequest, user: User, mailbox: Mailbox | None = None) -> forms.MailboxForm:
    initial = (
        {
            "address": mailbox.address,
            "name": mailbox.name,
            "case_type": mailbox.case_type_id,
            "is_active": mailbox.is_active,
            "files_feedback": mailbox.files_feedback,
        }
        if mailbox is not None
        else {"is_active": True}
    )
    return forms.MailboxForm(
        request.POST or None, initial=initial, case_types=queries.case_types_for_mail(user)
    )


def _save(user: User, data: dict[str, object], mailbox: Mailbox | None) -> Mailbox:
    return services.save_mailbox(
        user.organisation,  # type: ignore[arg-type]  # staff always have one
        by=user,
        mailbox=mailbox,
        values=services.MailboxInput(
            address=str(data["address"]),
            name=str(data["name"]),
            case_type=data["case_type"],  # type: ignore[arg-type]
            is_active=bool(data["is_active"]),
            files_feedback=bool(data.get("files_feedback")),
        ),
    )


@require_http_methods(GET_POST)
def mailbox_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    require(user, MANAGE)
    form = _form(request, user)
    saved = pages.save_form(
        request,
        form,
        lambda data: _save(user, data, None),
        done=(_("Mailbox added"), reverse("channels:mailboxes")),
    )
    if saved is not None:
        return saved
    return _mailbox_page(
        request,
        form,
        title=_("Add a mailbox"),
        back=reverse("channels:mailboxes"),
        submit=_("Add mailbox"),
    )


@require_http_methods(GET_POST)
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    user = staff_user(request)
    mailbox = queries.get_mailbox_for(user, mailbox_id, MANAGE)
    form = _form(request, user, mailbox)
    saved = pages.save_form(
        request,
        form,
        lambda data: _save(user, data, mailbox),
        done=(
            _("Mailbox %(address)s saved") % {"address": mailbox.address},
            reverse("channels:mailboxes"),
        ),
    )
    if saved is not None:
        return saved
    return _mailbox_page(
        request,
        form,
        title=_("Change %(address)s") % {"address": mailbox.address},
        back=reverse("channels:mailboxes"),
        submit=_("Save"),
    )


@require_http_methods(GET_POST)
def mailbox_imap(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """Set how a mailbox is read over IMAP (server, folder, credential)."""
    user = staff_user(request)
    mailbox = queries.get_mailbox_for(user, mailbox_id, MANAGE)
    source = queries.imap_source_of(user, mailbox)
    initial: dict[str, object] = (
        {name: getattr(source, name) for name in imap_services.FIELDS}
        if source is not None
        else {
            "is_enabled": True,
            "port": 993,
            "security": ImapSecurity.TLS,
            "folder": "INBOX",
            "credential": ImapCredential.PASSWORD,
            "username": mailbox.address,
        }
    )
    form = forms.ImapForm(
        pages.posted(request),
        initial=initial,
        organisation=user.organisation.slug,  # type: ignore[union-attr]  # staff have one
    )

    def save(data: dict[str, object]) -> object:
        return imap_services.save_imap(
            user.organisation,  # type: ignore[arg-type]  # staff always have one
            by=user,
            mailbox=mailbox,
            values=imap_services.ImapInput(
                host=str(data["host"]),
                port=int(data["port"]),  # type: ignore[call-overload]
                security=str(data["security"]),
                folder=str(data["folder"]),
                processed_folder=str(data["processed_folder"] or ""),
                username=str(data["username"]),
                credential=str(data["credential"]),
                secret=str(data["secret"]),
                tenant=str(data["tenant"] or ""),
                client_id=str(data["client_id"] or ""),
                certificate_thumbprint=str(data["certificate_thumbprint"] or ""),
                certificate=str(data["certificate"] or ""),
                is_enabled=bool(data["is_enabled"]),
            ),
        )

    saved = pages.save_form(
        request,
        form,
        save,
        done=(
            _("IMAP reading of %(address)s saved") % {"address": mailbox.address},
            reverse("channels:mailboxes"),
        ),
    )
    if saved is not None:
        return saved
    if "secret" in form.errors:
        # What was typed there may have been the secret itself: it is not shown again.
        data = request.POST.copy()
        data.pop("secret", None)
        form.data = data
    return _mailbox_page(
        request,
        form,
        title=_("Read %(address)s over IMAP") % {"address": mailbox.address},
        back=reverse("channels:mailboxes"),
        submit=_("Save"),
    )

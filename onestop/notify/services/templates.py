"""An organisation's own words for a message (``MessageTemplate``): saved or reset to the shipped
default, every change audited.  A template naming a placeholder its event does not have is
refused with the name; so are oversized text and hidden characters (``core.text``)."""

from __future__ import annotations

import re
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit, text
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, User
from onestop.notify import wording
from onestop.notify.errors import NotifyError
from onestop.notify.models import Channel, Event, Language, MessageTemplate

SUBJECT_LIMIT = 200
BODY_LIMIT = 10_000
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# A text message of more than 918 characters is more than six parts; Notify refuses it.
SMS_LIMIT = 918


def _refuse(message: str, field: str, code: NotifyError = NotifyError.INVALID_TEMPLATE) -> None:
    raise ServiceError(code, message, field=field)


def _check_kind(event: str, channel: str, language: str) -> None:
    if (
        event not in Event.values
        or channel not in Channel.values
        or language not in (Language.values)
    ):
        _refuse(_("There is no such template: choose one from the list"), "event")


def check_words(event: str, channel: str, subject: str, body: str) -> tuple[str, str]:
    """``subject`` and ``body`` trimmed, or refused naming what to fix."""
    subject, body = subject.strip(), body.strip()
    limit = SMS_LIMIT if channel == Channel.SMS else BODY_LIMIT
    for value, field, label in ((subject, "subject", _("Subject")), (body, "body", _("Message"))):
        if text.has_control_characters(value):
            _refuse(text.refusal_message(str(label)), field)
    if channel != Channel.SMS and not subject:
        _refuse(_("Enter the subject"), "subject")
    if channel == Channel.SMS and subject:
        _refuse(_("A text message has no subject: leave it empty"), "subject")
    if len(subject) > SUBJECT_LIMIT:
        _refuse(
            _("The subject must be %(limit)s characters or fewer") % {"limit": SUBJECT_LIMIT},
            "subject",
        )
    if not body:
        _refuse(_("Enter the message"), "body")
    if len(body) > limit:
        _refuse(_("The message must be %(limit)s characters or fewer") % {"limit": limit}, "body")
    for value, field in ((subject, "subject"), (body, "body")):
        unknown = wording.unknown_placeholders(event, value)
        if unknown:
            _refuse(
                _("((%(name)s)) is not a placeholder of this message: use only %(allowed)s")
                % {
                    "name": unknown[0],
                    "allowed": ", ".join(f"(({name}))" for name in wording.PLACEHOLDERS[event]),
                },
                field,
                NotifyError.UNKNOWN_PLACEHOLDER,
            )
    return subject, body


def check_notify_template_id(channel: str, value: str) -> str:
    """A GOV.UK Notify template id as Notify shows it (a UUID, written in lower case), "" for
    none; refused for a letter (letters go to Notify as PDFs) and for anything but a UUID."""
    value = value.strip()
    if not value:
        return ""
    if channel == Channel.LETTER:
        _refuse(
            _("Letters are sent to GOV.UK Notify as PDFs: leave the Notify template id empty"),
            "notify_template_id",
        )
    if text.has_control_characters(value) or not _UUID.fullmatch(value):
        _refuse(
            _(
                "Enter the GOV.UK Notify template id as Notify shows it, like "
                "f33517ff-2a88-4f6e-b855-c550268ce08a"
            ),
            "notify_template_id",
        )
    return str(uuid.UUID(value))


def save_template(
    organisation_id: int,
    *,
    by: User,
    event: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    notify_template_id: str = "",
) -> MessageTemplate:
    """The organisation's words for ``event`` by ``channel`` in ``language``, and the GOV.UK
    Notify template of its own to send them with (``notify_template_id``, "" for the generic
    one): created at version 1 or changed to the next version (audited with the words and id
    before and after)."""
    _check_kind(event, channel, language)
    subject, body = check_words(event, channel, subject, body)
    notify_template_id = check_notify_template_id(channel, notify_template_id)
    with transaction.atomic():
        found = (
            MessageTemplate.objects.for_organisation(organisation_id)
            .select_for_update()
            .filter(event=event, channel=channel, language=language)
            .first()
        )
        before = (
            {
                "subject": found.subject,
                "body": found.body,
                "notify_template_id": found.notify_template_id,
            }
            if found
            else {}
        )
        if found is None:
            found = MessageTemplate(
                organisation_id=organisation_id, event=event, channel=channel, language=language
            )
            found.version = 1
        else:
            found.version += 1
        found.subject, found.body = subject, body
        found.notify_template_id = notify_template_id
        found.updated_at, found.updated_by = timezone.now(), by
        found.save()
        audit.record_change(
            found,
            by=by,
            action=AuditAction.CREATED if not before else AuditAction.CHANGED,
            summary=f"Template {event} by {channel} ({language}) version {found.version}",
            changes={
                "before": before,
                "after": {
                    "subject": subject,
                    "body": body,
                    "notify_template_id": notify_template_id,
                },
            },
        )
    return found


def reset_template(
    organisation_id: int, *, by: User, event: str, channel: str, language: str
) -> None:
    """Back to the shipped default: the organisation's template is deleted (audited with the
    words it had).  Nothing to reset is not an error."""
    _check_kind(event, channel, language)
    with transaction.atomic():
        found = (
            MessageTemplate.objects.for_organisation(organisation_id)
            .filter(event=event, channel=channel, language=language)
            .first()
        )
        if found is None:
            return
        audit.record_change(
            found,
            by=by,
            action=AuditAction.DELETED,
            summary=f"Template {event} by {channel} ({language}) reset to the default",
            changes={
                "before": {
                    "subject": found.subject,
                    "body": found.body,
                    "notify_template_id": found.notify_template_id,
                }
            },
        )
        found.delete()

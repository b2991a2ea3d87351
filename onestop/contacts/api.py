"""REST endpoints of contacts, mounted at ``/api/v1/contacts/``: list, read, log, update.

Scoped and audited as the pages are: another organisation's contact or customer answers 404, a
missing permission 403; reading a contact is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from onestop.contacts import queries, services
from onestop.contacts.errors import ContactError
from onestop.contacts.models import Contact, ContactReason
from onestop.contacts.schemas import CallbackOut, ContactIn, ContactOut, ContactUpdateIn
from onestop.core import audit, permissions
from onestop.core.access import get_or_404, require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.core.models import User
from onestop.customers import queries as customer_queries
from onestop.directory import queries as directory_queries

router = Router(tags=["contacts"])


class ListParameters(Schema):
    customer_id: int | None = None
    limit: int = 50


def _out(contact: Contact) -> ContactOut:
    return ContactOut(
        id=contact.pk,
        customer_id=contact.customer_id,
        channel=contact.channel,
        direction=contact.direction,
        reason=contact.reason.label if contact.reason else None,
        service_id=contact.service_id,
        access_point_id=contact.access_point_id,
        staff=contact.staff.username if contact.staff else None,
        received_at=contact.received_at,
        answered_at=contact.answered_at,
        ended_at=contact.ended_at,
        outcome=contact.outcome,
        notes=contact.notes,
        repeat_of_id=contact.repeat_of_id,
        about_reference=contact.about_reference,
        is_repeat=contact.is_repeat,
        avoidable=contact.avoidable,
        version=contact.version,
        callbacks=[
            CallbackOut(
                id=callback.pk,
                due_at=callback.due_at,
                standard=callback.standard.code if callback.standard else None,
                phone=callback.phone,
                completed_at=callback.completed_at,
            )
            for callback in contact.callbacks.select_related("standard")
        ],
    )


@router.get("/", response=list[ContactOut], summary="Contacts, newest first (one customer's)")
def list_contacts(request: HttpRequest, parameters: Query[ListParameters]) -> list[ContactOut]:
    user = staff_user(request)
    require(user, permissions.CONTACT_VIEW)
    contacts = queries.contacts_for(user).order_by("-received_at", "-pk")
    if parameters.customer_id is not None:
        customer = customer_queries.get_customer_for(user, parameters.customer_id)
        contacts = contacts.filter(customer=customer)
    found = list(contacts[: max(1, min(parameters.limit, 200))])
    audit.record_list_read(
        user,
        what="contacts.contact",
        query={"customer_id": parameters.customer_id, "limit": parameters.limit},
        ids=[contact.pk for contact in found],
        ip_address=client_address(request),
    )
    return [_out(contact) for contact in found]


@router.get("/{contact_id}", response=ContactOut, summary="One contact (audited)")
def read(request: HttpRequest, contact_id: int) -> ContactOut:
    user = staff_user(request)
    contact = queries.get_contact_for(user, contact_id)
    audit.viewed(contact, by=user, ip_address=client_address(request), summary="Contact read")
    return _out(contact)


def _own(user: User, queryset: Any, object_id: int | None, field: str) -> Any:
    if object_id is None:
        return None
    try:
        return get_or_404(user, queryset, permissions.CONTACT_LOG, pk=object_id)
    except (Http404, PermissionDenied):  # either way: not one of the caller's own
        raise ServiceError(
            ContactError.WRONG_ORGANISATION, _("Choose one of your organisation's own"), field=field
        ) from None


@router.post("/", response={201: ContactOut}, summary="Log a contact")
def create(request: HttpRequest, payload: ContactIn) -> Status[Any]:
    user = staff_user(request)
    require(user, permissions.CONTACT_LOG)
    organisation = directory_queries.organisation_for(user, permissions.CONTACT_LOG)
    customer = (
        customer_queries.get_customer_for(user, payload.customer_id)
        if payload.customer_id is not None
        else None
    )
    access_point = (
        directory_queries.get_access_point_for(user, payload.access_point_id)
        if payload.access_point_id is not None
        else None
    )
    values = services.ContactInput(
        channel=payload.channel,
        direction=payload.direction,
        reason=_own(user, ContactReason.objects.for_user(user), payload.reason_id, "reason_id"),
        service=_own(user, directory_queries.services_for(user), payload.service_id, "service_id"),
        access_point=access_point,
        received_at=payload.received_at,
        answered_at=payload.answered_at,
        ended_at=payload.ended_at,
        outcome=payload.outcome,
        notes=payload.notes,
        repeat_of=_own(user, Contact.objects.for_user(user), payload.repeat_of_id, "repeat_of_id"),
        about_reference=payload.about_reference,
        avoidable=payload.avoidable,
        callback_phone=payload.callback_phone,
        callback_note=payload.callback_note,
    )
    contact = services.log_contact(organisation, by=user, customer=customer, values=values)
    return Status(201, _out(contact))


@router.put(
    "/{contact_id}",
    response={200: ContactOut, 409: dict[str, object]},
    summary=(
        "Finish a contact: end time, outcome, notes, whether avoidable "
        "(409 if changed since your version)"
    ),
)
def update(request: HttpRequest, contact_id: int, payload: ContactUpdateIn) -> Status[Any]:
    user = staff_user(request)
    contact = queries.get_contact_for(user, contact_id, permissions.CONTACT_LOG)
    try:
        updated = services.update_contact(
            contact,
            by=user,
            version=payload.version,
            ended_at=payload.ended_at,
            outcome=payload.outcome,
            notes=payload.notes,
            avoidable=payload.avoidable,
        )
    except ServiceError as error:
        if error.code != ContactError.STALE_VERSION:
            raise
        return Status(
            409,
            {
                "type": f"https://onestop.invalid/problems/{error.code}",
                "title": str(error.code),
                "status": 409,
                "detail": error.message,
            },
        )
    return Status(200, _out(updated))

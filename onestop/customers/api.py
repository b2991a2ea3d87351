"""REST endpoints of customers, mounted at ``/api/v1/customers/``: search, read, create, update.

Scoped and audited as the pages are: another organisation's customer answers 404, a missing
permission 403; reading a customer is audited, and so is every warning shown.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from onestop.core import audit, permissions
from onestop.core.access import require
from onestop.core.errors import ServiceError
from onestop.core.http import client_address, staff_user
from onestop.core.models import AuditAction
from onestop.customers import queries, services
from onestop.customers.errors import CustomerError
from onestop.customers.schemas import (
    AddressOut,
    CustomerCreateIn,
    CustomerIn,
    CustomerOut,
    CustomerUpdateIn,
    DuplicateOut,
    MarkerOut,
    SearchResultOut,
)

router = Router(tags=["customers"])


class SearchParameters(Schema):
    q: str = ""
    limit: int = 20


def conflict(error: ServiceError) -> dict[str, object]:
    """Problem details for a stale version (409: read again, then change)."""
    return {
        "type": f"https://onestop.invalid/problems/{error.code}",
        "title": str(error.code),
        "status": 409,
        "detail": error.message,
    }


def _details(payload: CustomerIn) -> services.CustomerDetails:
    return services.CustomerDetails(
        kind=payload.kind,
        title=payload.title,
        given_name=payload.given_name,
        family_name=payload.family_name,
        business_name=payload.business_name,
        date_of_birth=payload.date_of_birth,
        preferred_channel=payload.preferred_channel,
        language=payload.language,
        format=payload.format,
        needs_interpreter=payload.needs_interpreter,
        interpreter_language=payload.interpreter_language,
        consents_to_email_updates=payload.consents_to_email_updates,
        consents_to_sms_updates=payload.consents_to_sms_updates,
    )


def _out(request: HttpRequest, customer_id: int) -> CustomerOut:
    user = staff_user(request)
    record = queries.open_customer(user, customer_id, ip_address=client_address(request))
    customer = record.customer
    markers = queries.open_markers(user, customer)
    return CustomerOut(
        id=customer.pk,
        reference=customer.reference,
        kind=customer.kind,
        display_name=customer.display_name,
        title=customer.title,
        given_name=customer.given_name,
        family_name=customer.family_name,
        previous_names=[name.full_name for name in record.names],
        date_of_birth=customer.date_of_birth,
        addresses=[
            AddressOut(
                line_1=address.line_1,
                line_2=address.line_2,
                town=address.town,
                postcode=address.postcode,
                uprn=address.uprn,
                is_current=address.is_current,
            )
            for address in record.addresses
        ],
        phones=[phone.number for phone in record.phones],
        emails=[email.address for email in record.emails],
        preferred_channel=customer.preferred_channel,
        language=customer.language,
        format=customer.format,
        needs_interpreter=customer.needs_interpreter,
        interpreter_language=customer.interpreter_language,
        consents_to_email_updates=customer.consents_to_email_updates,
        consents_to_sms_updates=customer.consents_to_sms_updates,
        merged_into=customer.merged_into_id,
        version=customer.version,
        warnings=[
            MarkerOut(
                id=view.marker.pk,
                kind=view.marker.kind,
                guidance=view.marker.guidance,
                review_on=view.marker.review_on,
                reason=view.marker.reason if view.show_detail else None,
                source=view.marker.source if view.show_detail else None,
            )
            for view in markers
        ],
    )


@router.get("/", response=list[SearchResultOut], summary="Search customers as the desk does")
def search(request: HttpRequest, parameters: Query[SearchParameters]) -> list[SearchResultOut]:
    user = staff_user(request)
    require(user, permissions.CUSTOMER_VIEW)
    results = queries.search_customers(
        user, parameters.q[:200], limit=max(1, min(parameters.limit, 50))
    )
    audit.record_list_read(
        user,
        what="customers.customer",
        action=AuditAction.SEARCHED,
        query={"q": parameters.q, "limit": parameters.limit},
        ids=[result.customer_id for result in results],
        ip_address=client_address(request),
    )
    return [
        SearchResultOut(
            id=result.customer_id,
            reference=result.reference,
            display_name=result.display_name,
            date_of_birth=result.date_of_birth,
            postcode=result.postcode,
            phone=result.phone,
            matched=result.matched,
            score=result.score,
            has_warnings=result.has_markers,
        )
        for result in results
    ]


@router.get("/{customer_id}", response=CustomerOut, summary="One customer (audited)")
def read(request: HttpRequest, customer_id: int) -> CustomerOut:
    return _out(request, customer_id)


@router.post(
    "/",
    response={201: CustomerOut, 409: dict[str, object]},
    summary="Create a customer (409 with possible duplicates unless allow_duplicate)",
)
def create(request: HttpRequest, payload: CustomerCreateIn) -> Status[Any]:
    user = staff_user(request)
    require(user, permissions.CUSTOMER_EDIT)
    details = services.clean_details(_details(payload), today=timezone.localdate())
    phones = [services.clean_phone(number, "phones") for number in payload.phones]
    emails = [services.clean_email(address, "emails") for address in payload.emails]
    address = (
        services.clean_address(
            services.AddressDetails(
                line_1=payload.address.line_1,
                line_2=payload.address.line_2,
                town=payload.address.town,
                postcode=payload.address.postcode,
                uprn=payload.address.uprn,
            )
        )
        if payload.address is not None
        else None
    )
    if not payload.allow_duplicate:
        duplicates = queries.possible_duplicates(
            user,
            name=services.display_name_of(details),
            date_of_birth=details.date_of_birth,
            postcodes=[address.postcode] if address else [],
            phones=phones,
            emails=emails,
        )
        if duplicates:
            audit.record_list_read(
                user,
                what="customers.customer",
                action=AuditAction.SEARCHED,
                query={"possible_duplicates_of": services.display_name_of(details)},
                ids=[found.customer.pk for found in duplicates],
                ip_address=client_address(request),
            )
            return Status(
                409,
                {
                    "type": "https://onestop.invalid/problems/possible_duplicate",
                    "title": str(CustomerError.POSSIBLE_DUPLICATE),
                    "status": 409,
                    "detail": _("This may be a customer we already have"),
                    "duplicates": [
                        DuplicateOut(
                            id=found.customer.pk,
                            reference=found.customer.reference,
                            display_name=found.customer.display_name,
                            reasons=found.reasons,
                        ).dict()
                        for found in duplicates
                    ],
                },
            )
    customer = services.create_customer(
        user.organisation_id or 0,
        by=user,
        details=details,
        contact_details=services.ContactDetails(address=address, phones=phones, emails=emails),
    )
    return Status(201, _out(request, customer.pk))


@router.put(
    "/{customer_id}",
    response={200: CustomerOut, 409: dict[str, object]},
    summary="Change a customer's details (409 if someone changed them since your version)",
)
def update(request: HttpRequest, customer_id: int, payload: CustomerUpdateIn) -> Status[Any]:
    user = staff_user(request)
    customer = queries.get_customer_for(user, customer_id, permissions.CUSTOMER_EDIT)
    try:
        services.update_customer(
            customer, by=user, version=payload.version, details=_details(payload)
        )
    except ServiceError as error:
        if error.code != CustomerError.STALE_VERSION:
            raise
        return Status(409, conflict(error))
    return Status(200, _out(request, customer.pk))

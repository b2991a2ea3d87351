"""Customer factories: each goes through the customers' own services (no raw creates)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from onestop.core.models import Organisation
from onestop.customers import services
from onestop.customers.models import Customer, Marker, MarkerKind


def customer(
    organisation: Organisation,
    given_name: str = "Jane",
    family_name: str = "Smith",
    *,
    date_of_birth: datetime.date | None = None,
    postcode: str = "",
    phone: str = "",
    email: str = "",
    language: str = "en",
    format: str = "",
    email_consent: bool | None = None,
    sms_consent: bool | None = None,
) -> Customer:
    """A customer; one given an e-mail address or phone number agrees to be sent updates there
    unless ``email_consent`` / ``sms_consent`` say otherwise."""
    return services.create_customer(
        organisation,
        by=None,
        details=services.CustomerDetails(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            language=language,
            format=format,
            consents_to_email_updates=bool(email) if email_consent is None else email_consent,
            consents_to_sms_updates=bool(phone) if sms_consent is None else sms_consent,
        ),
        contact_details=services.ContactDetails(
            address=services.AddressDetails(
                line_1="1 High Street", town="Aylesbury", postcode=postcode
            )
            if postcode
            else None,
            phones=[phone] if phone else [],
            emails=[email] if email else [],
        ),
    )


def marker(
    of: Customer,
    *,
    kind: str = MarkerKind.POTENTIALLY_VIOLENT,
    roles: tuple[str, ...] = (),
    review_in_days: int = 90,
) -> Marker:
    return services.add_marker(
        of,
        by=None,
        kind=kind,
        guidance="See in pairs; do not visit alone",
        reason="Threatened an officer at the front desk in March",
        source="Incident report IR-2026-014",
        review_on=timezone.localdate() + datetime.timedelta(days=review_in_days),
        visible_to_roles=roles,
    )

"""Every write of the track page and "Your requests" (issue 18).

* ``record_tracked``: a resident opened a request's page (audited with the client address).
* ``add_information``: more information from the resident on an open case, filed through
  ``cases.services.record_customer_message`` (a note from the customer and its timeline event),
  logged as a web-form contact, with a photo checked by ``documents`` if one was sent; audited.
* ``ask_for_sign_in_link``: a one-time link to "Your requests" e-mailed through C7 (``notify``)
  to an address some case or feedback was raised with; only the token's hash is kept.
* ``sign_in``: the link used (once, within 30 minutes) opens a resident session; ``sign_out``
  ends it.  ``save_contact_preferences`` changes the preferences of every customer record
  holding the verified address.

The actor is always the public (``by=None``); the client address goes on the audit records.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseNote
from onestop.contacts import services as contact_services
from onestop.contacts.models import Channel, Direction
from onestop.core import audit, permissions
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation
from onestop.core.public_links import public_url
from onestop.customers import services as customer_services
from onestop.documents import services as document_services
from onestop.documents.models import DocumentSource
from onestop.feedback.models import Feedback
from onestop.notify.models import Event
from onestop.notify.services import compose
from onestop.portal import queries_track
from onestop.portal.errors import PortalError
from onestop.portal.models import ResidentSession, SignInLink

INFORMATION_LIMIT = 5_000
LINK_MINUTES = 30
SESSION_MINUTES = 60
# The cookie holding a resident session's key (listed on the cookies page).
RESIDENT_COOKIE = "onestop_resident"


# --- track ---------------------------------------------------------------------------------------
def record_tracked(found: Case | Feedback, *, ip_address: str | None) -> None:
    """The resident proved the reference and a second detail and was shown the request."""
    with transaction.atomic():
        audit.record(
            organisation=found.organisation_id,
            by=None,
            action=AuditAction.VIEWED,
            obj=found,
            summary=f"{found.reference} tracked on the residents' site",
            ip_address=ip_address,
        )


def add_information(
    case: Case,
    *,
    text: str,
    photo: document_services.CheckedFile | None = None,
    ip_address: str | None = None,
) -> CaseNote:
    """File the resident's message on ``case`` as a message from the customer, log it as a
    web-form contact, attach the photo (already checked by ``documents``) and audit it, in one
    transaction; a finished case is refused and nothing is written."""
    text = (text or "").strip()
    if not text:
        raise ServiceError(
            PortalError.REQUIRED, _("Enter the information you want to add"), field="text"
        )
    if len(text) > INFORMATION_LIMIT:
        raise ServiceError(
            PortalError.TOO_LONG,
            _("The information must be %(limit)s characters or fewer")
            % {"limit": INFORMATION_LIMIT},
            field="text",
        )
    if not case.is_open:
        raise ServiceError(
            PortalError.NOT_OPEN,
            _("This request is finished, so you cannot add to it. Report a new problem instead"),
        )
    with transaction.atomic():
        note = case_services.record_customer_message(case, channel=Channel.WEB_FORM, text=text)
        contact = contact_services.log_contact(
            case.organisation,
            by=None,
            customer=case.customer,
            values=contact_services.ContactInput(
                channel=Channel.WEB_FORM,
                direction=Direction.INBOUND,
                service=case.service,
                about_reference=case.reference,
                notes=_("More information added online to %(reference)s")
                % {"reference": case.reference},
            ),
        )
        if photo is not None:
            document_services.attach_document(
                case, photo, by=None, source=DocumentSource.WEB, ip_address=ip_address
            )
        audit.record(
            organisation=case.organisation_id,
            by=None,
            action=AuditAction.CREATED,
            obj=note,
            summary=f"More information added to {case.reference} on the residents' site",
            changes={"contact": contact.pk, "photo": photo is not None},
            ip_address=ip_address,
        )
    return note


# --- "Your requests" -----------------------------------------------------------------------------
def ask_for_sign_in_link(
    organisation: Organisation, *, email: str, ip_address: str | None
) -> SignInLink | None:
    """E-mail a one-time sign-in link to ``email`` when a case or feedback of ``organisation``
    was raised with it; ``None`` (nothing written, nothing sent) otherwise.  The caller answers
    the same either way, so the page does not say whether an address is known."""
    email_key = queries_track.email_key_of(email)
    if not email_key or not queries_track.has_requests(organisation.pk, email_key):
        return None
    customers = queries_track.customers_with_email(organisation.pk, email_key)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    expires_at = now + datetime.timedelta(minutes=LINK_MINUTES)
    path = reverse("portal:your-requests-sign-in", args=[organisation.slug])
    with transaction.atomic():
        link = SignInLink(
            organisation=organisation,
            token_hash=queries_track.hashed(token),
            email_key=email_key,
            created_at=now,
            expires_at=expires_at,
            ip_address=ip_address,
        )
        link.save(force_insert=True)
        compose.email_to_address(
            organisation_id=organisation.pk,
            address=email.strip(),
            event=Event.SIGN_IN_LINK,
            context={"expires_time": expires_at},
            # The live link reaches the resident alone: the message staff can read has it
            # blanked out, and no row keeps the token readable (only its hash, above).
            sealed_context={"sign_in_link": f"{public_url()}{path}?token={token}"},
            customer=customers[0] if customers else None,
            visible_with=permissions.AUDIT_VIEW,
        )
        audit.record(
            organisation=organisation,
            by=None,
            action=AuditAction.CREATED,
            obj=link,
            summary="Sign-in link to 'Your requests' sent",
            changes={"customers": [customer.pk for customer in customers]},
            ip_address=ip_address,
        )
    return link


@dataclass(frozen=True)
class SignedIn:
    session: ResidentSession
    key: str


def sign_in(organisation: Organisation, *, token: str, ip_address: str | None) -> SignedIn | None:
    """Use the link with ``token``: once, before it expires.  ``None`` for a token that is
    unknown, used or expired (the page says the same for each)."""
    if not token or len(token) > 100:
        return None
    now = timezone.now()
    with transaction.atomic():
        links = SignInLink.objects.for_organisation(organisation).filter(
            token_hash=queries_track.hashed(token), used_at__isnull=True, expires_at__gt=now
        )
        link = links.only("pk", "email_key").first()
        # The conditional update is the claim: of two uses at once, only one changes the row.
        if link is None or links.filter(pk=link.pk).update(used_at=now) != 1:
            return None
        key = secrets.token_urlsafe(32)
        session = ResidentSession(
            organisation=organisation,
            key_hash=queries_track.hashed(key),
            email_key=link.email_key,
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=SESSION_MINUTES),
        )
        session.save(force_insert=True)
        audit.record(
            organisation=organisation,
            by=None,
            action=AuditAction.SIGNED_IN,
            obj=session,
            summary="Resident signed in to 'Your requests' with a one-time link",
            changes={"link": link.pk},
            ip_address=ip_address,
        )
    return SignedIn(session, key)


def sign_out(session: ResidentSession, *, ip_address: str | None) -> None:
    with transaction.atomic():
        ResidentSession.objects.for_organisation(session.organisation_id).filter(
            pk=session.pk, ended_at__isnull=True
        ).update(ended_at=timezone.now())
        audit.record(
            organisation=session.organisation_id,
            by=None,
            action=AuditAction.SIGNED_OUT,
            obj=session,
            summary="Resident signed out of 'Your requests'",
            ip_address=ip_address,
        )


@dataclass(frozen=True)
class ContactPreferences:
    preferred_channel: str
    format: str
    consents_to_email_updates: bool
    consents_to_sms_updates: bool


def save_contact_preferences(
    session: ResidentSession, preferences: ContactPreferences, *, ip_address: str | None
) -> int:
    """Set the preferences on every customer record holding the session's verified address
    (``customers.services.update_customer``: validated and audited there); how many changed."""
    customers = queries_track.customers_with_email(session.organisation_id, session.email_key)
    with transaction.atomic():
        for customer in customers:
            details = dataclasses.replace(
                customer_services.details_of(customer),
                preferred_channel=preferences.preferred_channel,
                format=preferences.format,
                consents_to_email_updates=preferences.consents_to_email_updates,
                consents_to_sms_updates=preferences.consents_to_sms_updates,
            )
            customer_services.update_customer(
                customer, by=None, version=customer.version, details=details
            )
        audit.record(
            organisation=session.organisation_id,
            by=None,
            action=AuditAction.CHANGED,
            obj=session,
            summary="Resident changed their contact preferences on 'Your requests'",
            changes={"customers": [customer.pk for customer in customers]},
            ip_address=ip_address,
        )
    return len(customers)

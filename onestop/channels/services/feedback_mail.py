"""Mail to an organisation's feedback mailbox (fb-public): filed into a feedback record, or added
to the feedback whose reference the subject quotes.  The customer is matched as for cases
(``_customer_for``: the one customer with the sender's address, else a new one), and a reply
counts as the customer's only from their own address.  ``receive_message`` calls ``receive``
inside its transaction, after refusals, loops and automatic replies are set aside."""

from __future__ import annotations

import datetime

from django.db import transaction

from onestop.channels import mail
from onestop.channels.errors import ChannelError
from onestop.channels.models import Mailbox, MessageOutcome
from onestop.channels.services import _customer_for, _description, _log_contact, _valid_sender
from onestop.contacts.models import Contact
from onestop.core.errors import ServiceError
from onestop.customers import queries as customer_queries
from onestop.customers.models import Email
from onestop.feedback.models import Feedback
from onestop.feedback.queries import mailbox as feedback_queries
from onestop.feedback.services import mailbox as feedback_services

Received = tuple[str, str, str, Feedback | None, Contact | None]  # outcome, code, reason, ...


def receive(mailbox: Mailbox, parsed: mail.ParsedMail, at: datetime.datetime) -> Received:
    earlier = feedback_queries.feedback_reference_in(parsed.subject, mailbox.organisation_id)
    try:
        with transaction.atomic():
            if earlier is not None:
                return _thread(mailbox, parsed, earlier, at)
            customer = _customer_for(mailbox.organisation, parsed)
            filed = feedback_services.file_email(
                mailbox.organisation,
                customer=customer,
                subject=parsed.subject,
                text=_description(parsed),
                received_at=at,
            )
    except ServiceError as error:
        reason = f"No feedback could be recorded: {error.message}"[:300]
        return MessageOutcome.REFUSED, ChannelError.CANNOT_RAISE, reason, None, None
    contact = Contact.objects.for_organisation(mailbox.organisation_id).get(pk=filed.contact_id)
    return MessageOutcome.FEEDBACK, "", f"Recorded as {filed.kind}", filed, contact


def _thread(
    mailbox: Mailbox, parsed: mail.ParsedMail, feedback: Feedback, at: datetime.datetime
) -> Received:
    customer = feedback.customer
    sender = customer_queries.email_key(_valid_sender(parsed)) if parsed.sender else ""
    from_customer = bool(
        customer is not None
        and sender
        and Email.objects.for_organisation(feedback.organisation_id)
        .filter(customer=customer, address_key=sender)
        .exists()
    )
    contact = _log_contact(
        mailbox.organisation,
        customer if from_customer else None,
        parsed,
        at,
        about=feedback.reference,
    )
    feedback_services.add_email(
        feedback,
        text=_description(parsed) or parsed.subject,
        sender=parsed.sender,
        from_customer=from_customer,
        contact=contact,
        received_at=at,
    )
    reason = "" if from_customer else "Not from the customer's address"
    return MessageOutcome.FEEDBACK_THREADED, "", reason, feedback, contact

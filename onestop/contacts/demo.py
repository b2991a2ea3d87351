"""The demo council's reasons for contact and a history of contacts for its demo customers.

Reasons follow the seeds' reasons for contact (IDeA benchmark, Braintree 002); contacts span the
last three weeks with the Rossendale (004) target mix in mind (most resolved at first contact),
some recorded as avoidable contact (chasing progress, not clear, a failure to act), some not.
Idempotent: reasons are matched by label, and a customer who already has contacts gets no more.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.utils import timezone

from onestop.contacts import services
from onestop.contacts.models import Avoidable, Channel, Contact, ContactReason, Outcome
from onestop.core import replay
from onestop.core.models import Organisation, User
from onestop.customers.models import Customer
from onestop.directory.models import AccessPoint, Service

REASONS: dict[str | None, tuple[str, ...]] = {
    None: ("General enquiry", "Chasing progress", "Complaint or compliment", "Change of address"),
    "Council Tax": ("Council Tax payment", "Council Tax discount", "Moving home"),
    "Waste and Recycling": ("Missed bin", "Bulky waste collection", "New or replacement bin"),
    "Housing Benefits": ("New benefit claim", "Change of circumstances"),
    "Housing Needs": ("Homelessness advice", "Housing register"),
    "Planning": ("Planning application enquiry",),
    "Environmental Health": ("Noise complaint", "Pest control"),
    # The partner housing association's services.
    "Tenancy Services": ("Rent enquiry", "Tenancy change", "Neighbour issue"),
    "Repairs": ("Repair request",),
}
# Channel, outcome, notes and whether the contact was avoidable (some assessed, some not).
PATTERN = [
    (
        Channel.TELEPHONE,
        Outcome.RESOLVED,
        "Answered the question on the call.",
        Avoidable.NOT_AVOIDABLE,
    ),
    (
        Channel.FACE_TO_FACE,
        Outcome.RESOLVED,
        "Explained the council tax bill, which they had not understood.",
        Avoidable.UNCLEAR,
    ),
    (
        Channel.TELEPHONE,
        Outcome.REQUEST_RAISED,
        "Raised a request for the back office.",
        Avoidable.NOT_AVOIDABLE,
    ),
    (
        Channel.EMAIL,
        Outcome.RESOLVED,
        "Chased the reply to their earlier e-mail: replied with the information asked for.",
        Avoidable.PROGRESS_CHASING,
    ),
    (Channel.TELEPHONE, Outcome.SIGNPOSTED, "Signposted to Citizens Advice.", ""),
    (
        Channel.WEB_FORM,
        Outcome.TRANSFERRED,
        "Bin missed again after the last report: passed to the service team.",
        Avoidable.FAILURE_TO_ACT,
    ),
]


def load_reasons(organisation: Organisation) -> list[ContactReason]:
    services_by_name = {
        service.name: service for service in Service.objects.for_organisation(organisation)
    }
    reasons = []
    for service_name, labels in REASONS.items():
        service = services_by_name.get(service_name) if service_name else None
        if service_name and service is None:
            continue
        reasons += [
            services.add_reason(organisation, by=None, label=label, service=service)
            for label in labels
        ]
    return reasons


def load_demo(organisation: Organisation) -> int:
    """Reasons for contact, then a few contacts for each demo customer, each logged at the time
    it was received; the number created."""
    reasons = load_reasons(organisation)
    steps = contact_steps(organisation, reasons)
    replay.play_now(steps)
    return len(steps)


def contact_steps(
    organisation: Organisation,
    reasons: list[ContactReason],
    *,
    now: datetime.datetime | None = None,
    limit: int = 36,
) -> list[replay.Step]:
    """The contacts of the last three weeks for customers who have none yet, as steps to play
    at the time each was received (``core.replay``); the reasons are the organisation's."""
    staff = list(User.objects.filter(organisation=organisation, is_active=True).order_by("pk")[:3])
    point = AccessPoint.objects.for_organisation(organisation).order_by("pk").first()
    customers = list(Customer.objects.for_organisation(organisation).order_by("pk")[:limit])
    with_contacts = set(
        Contact.objects.for_organisation(organisation)
        .filter(customer__in=customers)
        .values_list("customer_id", flat=True)
    )
    now = now or timezone.now()
    steps: list[replay.Step] = []
    for index, customer in enumerate(customers):
        if customer.pk in with_contacts:
            continue
        for step in range(1 + index % 3):
            channel, outcome, notes, avoidable = PATTERN[(index + step) % len(PATTERN)]
            received = replay.office_moment(
                now, days_ago=20 - step * 6 - index % 5, minutes=(index * 37) % 420
            )
            live = channel in (Channel.TELEPHONE, Channel.FACE_TO_FACE)
            values = services.ContactInput(
                channel=channel,
                reason=reasons[(index + step) % len(reasons)] if reasons else None,
                access_point=point if channel == Channel.FACE_TO_FACE else None,
                received_at=received,
                answered_at=received + datetime.timedelta(seconds=15) if live else None,
                ended_at=received + datetime.timedelta(minutes=4) if live else None,
                outcome=outcome,
                notes=notes,
                avoidable=avoidable,
            )
            steps.append(
                (
                    received + datetime.timedelta(minutes=4 if live else 1),
                    partial(
                        services.log_contact,
                        organisation,
                        by=staff[index % len(staff)] if staff else None,
                        customer=customer,
                        values=values,
                    ),
                )
            )
    if staff and len(customers) > 1 and not with_contacts:
        phone = customers[1].phones.values_list("number", flat=True).first() or "01632 960001"
        steps.append(
            (
                now - datetime.timedelta(minutes=30),
                partial(
                    services.log_contact,
                    organisation,
                    by=staff[0],
                    customer=customers[1],
                    values=services.ContactInput(
                        outcome=Outcome.CALLBACK_PROMISED,
                        notes="Wants a call back about the council tax bill.",
                        callback_phone=phone,
                    ),
                ),
            )
        )
    return steps

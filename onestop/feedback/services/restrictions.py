"""Unreasonable-behaviour restrictions on a customer's contact (issue 15).

A restriction is proposed (single point of contact, the channels the customer may use, how
often, the reason, start and review dates), approved by a manager who is not the proposer (the
customer is then sent a notice, in English or Welsh as they prefer, through ``notify``), and ends
when lifted early with a reason or when its review date passes (``end_due_restrictions``, with
a reminder to staff ``REVIEW_REMINDER_DAYS`` before: ``remind_reviews``).  While in force it is
shown on the desk and on logging a contact (``feedback.sources`` registers it in
``core.sources``), and every contact logged under it is recorded (``record_contact``): whether
the advisor's form showed it, and why a contact by a restricted channel was taken.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.contacts.models import Channel, Contact
from onestop.core import audit, permissions, sources
from onestop.core.models import AuditAction, User
from onestop.customers.models import Customer
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import TEXT_LIMIT
from onestop.feedback.procedure_models import (
    ContactRestriction,
    RestrictedContact,
    RestrictionEnd,
    RestrictionStatus,
)
from onestop.feedback.queries import restrictions as restriction_queries
from onestop.feedback.services import _refuse, _text
from onestop.notify.models import Event, RecipientKind
from onestop.notify.services import compose

# The longest a restriction runs before its review (a council reviews at least every 6 months).
LONGEST_DAYS = 183
# The channels a restriction may allow: the ways a customer gets in touch with the council.
RESTRICTABLE = (
    Channel.TELEPHONE,
    Channel.FACE_TO_FACE,
    Channel.EMAIL,
    Channel.LETTER,
    Channel.WEB_FORM,
    Channel.SMS,
    Channel.SOCIAL_MEDIA,
)
REVIEW_REMINDER_DAYS = 10
FREQUENCY_LIMIT = 90


@dataclass(frozen=True)
class RestrictionInput:
    reason: str
    starts_on: datetime.date | None
    review_on: datetime.date | None
    single_point: User | None = None
    allowed_channels: Sequence[str] = field(default_factory=tuple)
    max_contacts: int | None = None
    per_days: int | None = None


def _clean(customer: Customer, values: RestrictionInput) -> RestrictionInput:
    reason = _text(
        values.reason,
        label=_("why the restriction is needed"),
        field_name="reason",
        limit=TEXT_LIMIT,
        required=True,
    )
    point = values.single_point
    if point is not None and (
        point.organisation_id != customer.organisation_id or not point.is_active
    ):
        raise _refuse(
            FeedbackError.WRONG_ORGANISATION,
            _("Choose one of your organisation's own staff"),
            "single_point",
        )
    channels = sorted(set(values.allowed_channels))
    if any(channel not in RESTRICTABLE for channel in channels):
        raise _refuse(
            FeedbackError.REQUIRED, _("Select the channels from the list"), "allowed_channels"
        )
    max_contacts, per_days = values.max_contacts, values.per_days
    if (max_contacts is None) != (per_days is None):
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Enter both how many contacts and in how many days, or neither"),
            "max_contacts",
        )
    if (max_contacts is not None and per_days is not None) and (
        not 1 <= max_contacts <= FREQUENCY_LIMIT or not 1 <= per_days <= FREQUENCY_LIMIT
    ):
        raise _refuse(
            FeedbackError.REQUIRED,
            _("Enter a number of contacts and of days between 1 and %(limit)s")
            % {"limit": FREQUENCY_LIMIT},
            "max_contacts",
        )
    if point is None and not channels and max_contacts is None:
        raise _refuse(
            FeedbackError.NO_RESTRICTION,
            _("Choose at least one restriction: a single point of contact, channels or how often"),
            "single_point",
        )
    today = timezone.localdate()
    starts, review = values.starts_on, values.review_on
    if starts is None:
        raise _refuse(FeedbackError.BAD_DATE, _("Enter the date it starts"), "starts_on")
    if review is None:
        raise _refuse(FeedbackError.BAD_DATE, _("Enter the date it is to be reviewed"), "review_on")
    if starts < today - datetime.timedelta(days=1):
        raise _refuse(
            FeedbackError.BAD_DATE, _("The start date must be today or later"), "starts_on"
        )
    if review <= starts:
        raise _refuse(
            FeedbackError.BAD_DATE, _("The review date must be after the start date"), "review_on"
        )
    if (review - starts).days > LONGEST_DAYS:
        raise _refuse(
            FeedbackError.BAD_DATE,
            _("The review date must be within 6 months of the start"),
            "review_on",
        )
    return RestrictionInput(reason, starts, review, point, tuple(channels), max_contacts, per_days)


def _audit(
    restriction: ContactRestriction, by: User | None, summary: str, **changes: object
) -> None:
    audit.record(
        organisation=restriction.organisation_id,
        by=by,
        action=AuditAction.CHANGED if changes.get("status") != "proposed" else AuditAction.CREATED,
        obj=restriction,
        summary=summary,
        changes=dict(changes),
    )


def propose(customer: Customer, *, by: User, values: RestrictionInput) -> ContactRestriction:
    """Propose a restriction on ``customer``'s contact; a manager approves it (not ``by``)."""
    if not permissions.can(by, permissions.RESTRICTION_PROPOSE, customer):
        raise _refuse(FeedbackError.WRONG_ORGANISATION, _("You may not restrict this customer"))
    if customer.is_merged:
        raise _refuse(
            FeedbackError.WRONG_ORGANISATION,
            _("This record was merged into another one: restrict that one"),
        )
    values = _clean(customer, values)
    starts_on, review_on = values.starts_on, values.review_on
    if starts_on is None or review_on is None:  # _clean refused these already
        raise _refuse(FeedbackError.BAD_DATE, _("Enter the dates"), "starts_on")
    with transaction.atomic():
        row = ContactRestriction(
            organisation_id=customer.organisation_id,
            customer=customer,
            single_point=values.single_point,
            allowed_channels=list(values.allowed_channels),
            max_contacts=values.max_contacts,
            per_days=values.per_days,
            reason=values.reason,
            starts_on=starts_on,
            review_on=review_on,
            proposed_by=by,
            proposed_at=timezone.now(),
        )
        row.save(force_insert=True)
        _audit(
            row,
            by,
            f"Contact restriction proposed for customer {customer.pk}",
            status="proposed",
            customer=customer.pk,
            single_point=values.single_point.pk if values.single_point else None,
            allowed_channels=list(values.allowed_channels),
            frequency=[values.max_contacts, values.per_days],
            starts_on=str(values.starts_on),
            review_on=str(values.review_on),
        )
    return row


def _locked(restriction: ContactRestriction) -> ContactRestriction:
    found: ContactRestriction = (
        ContactRestriction.objects.for_organisation(restriction.organisation_id)
        .select_for_update(of=("self",))
        .select_related("customer", "single_point")
        .get(pk=restriction.pk)
    )
    return found


def approve(restriction: ContactRestriction, *, by: User) -> ContactRestriction:
    """A manager approves a proposed restriction: it is in force from its start date and the
    customer is sent a notice of it.  Nobody approves their own proposal."""
    if not permissions.can(by, permissions.RESTRICTION_APPROVE, restriction):
        raise _refuse(FeedbackError.SELF_APPROVAL, _("Only a manager may approve a restriction"))
    with transaction.atomic():
        restriction = _locked(restriction)
        if restriction.status != RestrictionStatus.PROPOSED:
            raise _refuse(
                FeedbackError.NOT_PROPOSED, _("This restriction is not waiting for approval")
            )
        if restriction.proposed_by_id == by.pk:
            raise _refuse(
                FeedbackError.SELF_APPROVAL,
                _("Another manager must approve it: you proposed this restriction"),
            )
        if restriction.review_on <= timezone.localdate():
            raise _refuse(
                FeedbackError.BAD_DATE,
                _("Its review date has passed: propose it again with new dates"),
            )
        restriction.status = RestrictionStatus.ACTIVE
        restriction.approved_by = by
        restriction.approved_at = timezone.now()
        outcome = compose.message_to_customer(
            organisation_id=restriction.organisation_id,
            customer=restriction.customer,
            event=Event.RESTRICTION_NOTICE,
            context={
                "restrictions": "\n".join(
                    f"- {line}" for line in restriction_queries.describe(restriction)
                ),
                "reason": restriction.reason,
                "review_date": restriction.review_on,
            },
            by=by,
        )
        restriction.notice_message_id = outcome.message.pk
        restriction.save(
            update_fields=["status", "approved_by", "approved_at", "notice_message_id"]
        )
        _audit(
            restriction,
            by,
            f"Contact restriction approved for customer {restriction.customer_id}",
            status="active",
            notice=outcome.message.pk,
        )
    return restriction


def _end(
    restriction: ContactRestriction, *, by: User | None, ended_as: str, reason: str
) -> ContactRestriction:
    was = restriction.status
    restriction.status = RestrictionStatus.ENDED
    restriction.ended_as = ended_as
    restriction.ended_at = timezone.now()
    restriction.ended_by = by
    restriction.end_reason = reason
    restriction.save(update_fields=["status", "ended_as", "ended_at", "ended_by", "end_reason"])
    if was == RestrictionStatus.ACTIVE:
        compose.message_to_customer(
            organisation_id=restriction.organisation_id,
            customer=restriction.customer,
            event=Event.RESTRICTION_ENDED,
            context={"end_reason": reason},
            by=by,
        )
    _audit(
        restriction,
        by,
        f"Contact restriction {RestrictionEnd(ended_as).label.lower()}",
        status="ended",
        ended_as=ended_as,
        reason=reason,
    )
    return restriction


def lift(restriction: ContactRestriction, *, by: User, reason: str) -> ContactRestriction:
    """End a restriction before its review date (or decline a proposed one), with a reason; the
    customer is told when it was in force."""
    if not permissions.can(by, permissions.RESTRICTION_APPROVE, restriction):
        raise _refuse(FeedbackError.SELF_APPROVAL, _("Only a manager may lift a restriction"))
    reason = _text(
        reason, label=_("why it ends"), field_name="reason", limit=TEXT_LIMIT, required=True
    )
    with transaction.atomic():
        restriction = _locked(restriction)
        if restriction.status == RestrictionStatus.ENDED:
            raise _refuse(FeedbackError.NOT_IN_FORCE, _("This restriction has already ended"))
        ended_as = (
            RestrictionEnd.LIFTED
            if restriction.status == RestrictionStatus.ACTIVE
            else RestrictionEnd.DECLINED
        )
        return _end(restriction, by=by, ended_as=ended_as, reason=reason)


def end_due_restrictions(*, today: datetime.date | None = None) -> int:
    """The sweep: restrictions whose review date has come end (the system, ``by=None``);
    returns how many ended.  Proposals never approved by then end as declined."""
    today = today or timezone.localdate()
    ended = 0
    due = (
        ContactRestriction.objects.unscoped("the review sweep covers every organisation")
        .exclude(status=RestrictionStatus.ENDED)
        .filter(review_on__lte=today)
        .values_list("organisation_id", "pk")
    )
    for organisation_id, pk in list(due):
        with transaction.atomic():
            row = _locked(ContactRestriction.objects.for_organisation(organisation_id).get(pk=pk))
            if row.status == RestrictionStatus.ENDED:
                continue
            _end(
                row,
                by=None,
                ended_as=RestrictionEnd.EXPIRED
                if row.status == RestrictionStatus.ACTIVE
                else RestrictionEnd.DECLINED,
                reason=_("The restriction has reached its review date"),
            )
            ended += 1
    return ended


def remind_reviews(*, today: datetime.date | None = None) -> int:
    """The sweep: a reminder to the approver and proposer of each restriction in force whose
    review date is within ``REVIEW_REMINDER_DAYS`` days, once; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    due = (
        ContactRestriction.objects.unscoped("the review sweep covers every organisation")
        .filter(
            status=RestrictionStatus.ACTIVE,
            reminded_at__isnull=True,
            review_on__lte=today + datetime.timedelta(days=REVIEW_REMINDER_DAYS),
        )
        .values_list("organisation_id", "pk")
    )
    for organisation_id, pk in list(due):
        with transaction.atomic():
            row = _locked(ContactRestriction.objects.for_organisation(organisation_id).get(pk=pk))
            if row.reminded_at is not None or row.status != RestrictionStatus.ACTIVE:
                continue
            people = {
                person.pk: person
                for person in User.objects.filter(
                    pk__in=[row.approved_by_id, row.proposed_by_id],
                    organisation_id=row.organisation_id,
                    is_active=True,
                )
            }
            for person in people.values():
                compose.message_to_staff(
                    organisation_id=row.organisation_id,
                    user=person,
                    event=Event.RESTRICTION_REVIEW,
                    context={
                        "customer_reference": row.customer.reference,
                        "review_date": row.review_on,
                    },
                    kind=RecipientKind.STAFF,
                )
                sent += 1
            row.reminded_at = timezone.now()
            row.save(update_fields=["reminded_at"])
            _audit(row, None, "Contact restriction review reminder sent", to=sorted(people))
    return sent


def record_contact(
    by: User | None,
    contact: Model,
    rules: Sequence[sources.ContactRule],
    shown: frozenset[str],
    reason: str,
) -> None:
    """A contact was logged under restrictions (called by ``contacts.services.log_contact`` in
    its transaction): each restriction keeps it, with whether the advisor's form showed it, a
    restricted channel and why it was taken, and whether it is over the frequency allowed."""
    assert isinstance(contact, Contact)  # noqa: S101  # the contacts guard's contract
    ids = [int(rule.key.split(":", 1)[1]) for rule in rules]
    for restriction in ContactRestriction.objects.for_organisation(contact.organisation_id).filter(
        pk__in=ids
    ):
        key = restriction_queries.rule_key(restriction)
        refused = contact.channel in restriction_queries.refused_channels(restriction)
        over = restriction_queries.over_frequency(restriction, before=contact)
        RestrictedContact(
            organisation_id=contact.organisation_id,
            restriction=restriction,
            contact=contact,
            by=by,
            at=timezone.now(),
            channel=contact.channel,
            shown=key in shown,
            channel_restricted=refused,
            over_frequency=over,
            reason=reason if refused or over else "",
        ).save(force_insert=True)
        audit.record(
            organisation=contact.organisation_id,
            by=by,
            action=AuditAction.CREATED,
            obj=restriction,
            summary=f"Contact {contact.pk} logged under contact restriction {restriction.pk}",
            changes={
                "contact": contact.pk,
                "shown": key in shown,
                "channel_restricted": refused,
                "over_frequency": over,
            },
        )

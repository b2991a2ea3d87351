"""Every write to contacts: logging a contact, call-backs and the visitor queue.

Deadlines come only from ``standards.clock``: a promised call-back is due by the organisation's
``call-back`` standard, a visitor is to be seen by its ``see-visitors`` standard; each is stored
with the standard that set it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.contacts.errors import ContactError
from onestop.contacts.models import (
    Avoidable,
    Callback,
    Channel,
    Contact,
    ContactReason,
    Direction,
    Outcome,
    VisitorTicket,
)
from onestop.core import audit, batch, sources
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.core.text import has_control_characters
from onestop.customers import services as customer_services
from onestop.customers.models import Customer
from onestop.directory import queries as directory_queries
from onestop.directory.models import AccessPoint, Service
from onestop.standards import clock
from onestop.standards.models import Standard
from onestop.standards.queries import calendar_for_organisation, calendar_for_standard

CALLBACK_STANDARD = "call-back"
VISITOR_STANDARD = "see-visitors"
NOTES_LIMIT = 5000
CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class ContactInput:
    channel: str = Channel.TELEPHONE
    direction: str = Direction.INBOUND
    reason: ContactReason | None = None
    service: Service | None = None
    access_point: AccessPoint | None = None
    received_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    outcome: str = ""
    notes: str = ""
    repeat_of: Contact | None = None
    about_reference: str = ""
    # ``Avoidable``'s code, or "" for not assessed (a contact chasing progress is recorded as
    # "chasing progress" unless the advisor chose otherwise: ``avoidable_for``).
    avoidable: str = ""
    callback_phone: str = ""
    callback_note: str = ""
    # Rules on the customer's contact (``core.sources.contact_rules``): the keys the advisor's
    # form showed, and why a contact by a refused channel was taken.
    rules_shown: tuple[str, ...] = ()
    restriction_reason: str = ""


def _invalid(code: ContactError, message: str, field: str | None = None) -> ServiceError:
    return ServiceError(code, message, field=field)


def _same_organisation(obj: Any, organisation_id: int, field: str) -> None:
    if obj is not None and getattr(obj, "organisation_id", organisation_id) != organisation_id:
        raise _invalid(
            ContactError.WRONG_ORGANISATION, _("Choose one of your organisation's own"), field
        )


def _check_times(values: ContactInput, now: datetime.datetime) -> ContactInput:
    received = values.received_at or now
    for name in ("received_at", "answered_at", "ended_at"):
        value = received if name == "received_at" else getattr(values, name)
        if value is not None and value > now + CLOCK_SKEW:
            raise _invalid(ContactError.IN_THE_FUTURE, _("Times must not be in the future"), name)
    if values.answered_at is not None and values.answered_at < received:
        raise _invalid(
            ContactError.TIMES_OUT_OF_ORDER,
            _("The time answered must be the same as or after the time received"),
            "answered_at",
        )
    started = values.answered_at or received
    if values.ended_at is not None and values.ended_at < started:
        raise _invalid(
            ContactError.TIMES_OUT_OF_ORDER,
            _("The time ended must be the same as or after the time the contact started"),
            "ended_at",
        )
    return values


# Each choice's values, once (``TextChoices.values`` builds its list anew at each call).
_VALUES: dict[type[models.TextChoices], frozenset[str]] = {
    enum: frozenset(enum.values) for enum in (Channel, Direction, Outcome, Avoidable)
}


def clean_contact(values: ContactInput, *, organisation_id: int) -> ContactInput:
    """``values`` checked, or ``ServiceError`` naming the field to fix (nothing is saved)."""
    if values.channel not in _VALUES[Channel]:
        raise _invalid(
            ContactError.INVALID_CHOICE, _("Select how the customer got in touch"), "channel"
        )
    if values.direction not in _VALUES[Direction]:
        raise _invalid(ContactError.INVALID_CHOICE, _("Select the direction"), "direction")
    if values.outcome and values.outcome not in _VALUES[Outcome]:
        raise _invalid(ContactError.INVALID_CHOICE, _("Select the outcome"), "outcome")
    if values.avoidable and values.avoidable not in _VALUES[Avoidable]:
        raise _invalid(
            ContactError.INVALID_CHOICE,
            _("Select whether the contact was avoidable, or leave it unanswered"),
            "avoidable",
        )
    if len(values.notes) > NOTES_LIMIT:
        raise _invalid(
            ContactError.TOO_LONG,
            _("Notes must be %(limit)s characters or fewer") % {"limit": NOTES_LIMIT},
            "notes",
        )
    if len(values.about_reference.strip()) > 20:
        raise _invalid(
            ContactError.TOO_LONG, _("Enter a reference like SR-26-4K7Q0"), "about_reference"
        )
    if len(values.callback_note) > 500:
        raise _invalid(
            ContactError.TOO_LONG,
            _("The call-back note must be 500 characters or fewer"),
            "callback_note",
        )
    for name in ("reason", "service", "repeat_of"):
        _same_organisation(getattr(values, name), organisation_id, name)
    _check_times(values, timezone.now())
    if values.outcome == Outcome.CALLBACK_PROMISED and not values.callback_phone.strip():
        raise _invalid(
            ContactError.CALLBACK_NEEDS_PHONE,
            _("Enter the number to call back"),
            "callback_phone",
        )
    if values.callback_phone.strip():
        customer_services.clean_phone(values.callback_phone, "callback_phone")
    if values.reason is None and not values.notes.strip():
        raise _invalid(
            ContactError.REASON_REQUIRED,
            _("Choose the reason for the contact, or say what it was about in the notes"),
            "reason",
        )
    return values


def avoidable_for(values: ContactInput, *, by_staff: bool) -> str:
    """The avoidable-contact code to record: the advisor's choice; else, for a contact a member
    of staff logged as chasing an earlier contact or an open case or request, "chasing progress"
    (NI 14's progress chasing: that is what the desk's two questions say); else "" (not
    assessed).  What a customer sent by themselves about a case (an e-mail reply, information
    added online: ``by`` is None) is not judged: it may add to the case rather than chase it."""
    if values.avoidable:
        return values.avoidable
    if by_staff and (values.repeat_of is not None or values.about_reference.strip()):
        return Avoidable.PROGRESS_CHASING
    return ""


def _standard(organisation_id: int, code: str, service: Service | None) -> Standard | None:
    standards = Standard.objects.for_organisation(organisation_id).filter(code=code)
    if service is not None:
        specific: Standard | None = standards.filter(service_id=service.pk).first()
        if specific is not None:
            return specific
    general: Standard | None = standards.filter(service_id__isnull=True).first()
    return general


def due_by_standard(
    organisation: Organisation,
    code: str,
    start: datetime.datetime,
    service: Service | None,
    *,
    default_amount: int,
    default_unit: clock.Unit,
) -> tuple[datetime.datetime, Standard | None]:
    """The clock's deadline for ``code`` (or the default when the organisation has no such
    standard), with the standard that set it."""
    standard = _standard(organisation.pk, code, service)
    if standard is not None and standard.amount is not None and standard.unit:
        calendar = calendar_for_standard(standard, organisation)
        return clock.deadline(start, standard.amount, standard.unit, calendar), standard
    calendar = calendar_for_organisation(organisation)
    return clock.deadline(start, default_amount, default_unit, calendar), None


_CHANNEL_LABELS = dict(Channel.choices)


def channel_label(channel: str) -> str:
    """``Contact.get_channel_display()`` for ``channel`` (in the active language), without
    Django rebuilding the choices' dictionary at each call (a contact logged per e-mail)."""
    return str(_CHANNEL_LABELS.get(channel, channel))


def log_contact(
    organisation: Organisation,
    *,
    by: User | None,
    customer: Customer | None,
    values: ContactInput,
    rules: list[sources.ContactRule] | None = None,
) -> Contact:
    """Record one contact (a customer's, or anonymous); a promised call-back becomes an item with
    a deadline on the advisor's list.

    ``rules``: the rules on the customer's contact (``core.sources.contact_rules``) when the
    caller has just read them, for many customers at once (a batch of e-mail: ``[]`` for those
    ``queries.without_rules`` answered); ``None`` reads them here."""
    if customer is not None and customer.organisation_id != organisation.pk:
        raise _invalid(ContactError.WRONG_ORGANISATION, _("Choose one of your own customers"))
    if customer is not None and customer.is_merged:
        raise _invalid(
            ContactError.MERGED_CUSTOMER,
            _("This record was merged into another one: log the contact there"),
        )
    values = clean_contact(values, organisation_id=organisation.pk)
    if customer is None:
        rules = []
    elif rules is None:
        rules = sources.contact_rules(organisation.pk, customer.pk)
    # A member of staff taking a contact by a refused channel must say why; what the customer
    # sent by themselves (e-mail, a text, a web form: ``by`` is None) is always kept, and the
    # restriction records it as by a restricted channel, for staff to answer as it says.
    restriction_reason = _restriction_reason(rules, values, required=by is not None)
    now = timezone.now()
    with transaction.atomic():
        contact = Contact(
            organisation=organisation,
            customer=customer,
            received_at=values.received_at or now,
            answered_at=values.answered_at,
            ended_at=values.ended_at,
            channel=values.channel,
            direction=values.direction,
            reason=values.reason,
            service=values.service,
            access_point=values.access_point,
            staff=by,
            outcome=values.outcome,
            notes=values.notes.strip(),
            repeat_of=values.repeat_of,
            about_reference=values.about_reference.strip().upper(),
            avoidable=avoidable_for(values, by_staff=by is not None),
        )
        batch.insert(contact)  # with the batch's others in the IMAP poller's batch
        if values.outcome == Outcome.CALLBACK_PROMISED and by is not None:
            due_at, standard = due_by_standard(
                organisation,
                CALLBACK_STANDARD,
                contact.received_at,
                values.service,
                default_amount=1,
                default_unit=clock.Unit.WORKING_DAYS,
            )
            Callback.objects.create(
                organisation=organisation,
                contact=contact,
                customer=customer,
                assigned_to=by,
                due_at=due_at,
                standard=standard,
                phone=customer_services.clean_phone(values.callback_phone, "callback_phone"),
                note=values.callback_note.strip(),
                # Given to the advisor's team for the contact's service, as it is now.
                team_id=directory_queries.team_of(
                    organisation.pk, by.pk, values.service.pk if values.service else None
                ),
            )
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=contact,
            summary=f"Contact logged ({channel_label(contact.channel)})",
            changes={
                "customer": customer.pk if customer else None,
                "outcome": contact.outcome,
                "repeat": contact.is_repeat,
                "avoidable": contact.avoidable,
            },
        )
        if rules:
            sources.contact_logged(
                by, contact, rules, frozenset(values.rules_shown), restriction_reason
            )
    return contact


def _restriction_reason(
    rules: list[sources.ContactRule], values: ContactInput, *, required: bool
) -> str:
    """The advisor's reason for taking a contact by a channel a rule refuses (``required`` for
    contacts staff log; never for what the customer sent by themselves)."""
    reason = (values.restriction_reason or "").strip()
    if len(reason) > NOTES_LIMIT:
        raise _invalid(
            ContactError.TOO_LONG,
            _("The reason must be %(limit)s characters or fewer") % {"limit": NOTES_LIMIT},
            "restriction_reason",
        )
    if has_control_characters(reason):
        raise _invalid(
            ContactError.INVALID_CHOICE,
            _("Remove the special characters from the reason: only ordinary text is allowed"),
            "restriction_reason",
        )
    for rule in rules:
        if required and values.channel in rule.refused_channels and not reason:
            raise _invalid(ContactError.RESTRICTED_CHANNEL, rule.refusal, "restriction_reason")
    return reason


def complete_request(contact: Contact, *, by: User | None) -> bool:
    """A desk contact "request not completed" becomes "request raised": called inside the
    transaction that raises its case (``cases.services.raise_case``), so the two are saved
    together or not at all.  True when the contact changed.

    A contact the caller holds with another outcome (logged just now with "request raised", as
    an e-mail's is) is left alone without asking the database."""
    if contact.outcome != Outcome.REQUEST_NOT_COMPLETED:
        return False
    changed = (
        Contact.objects.for_organisation(contact.organisation_id)
        .filter(pk=contact.pk, outcome=Outcome.REQUEST_NOT_COMPLETED)
        .update(outcome=Outcome.REQUEST_RAISED)
    )
    if changed:
        contact.outcome = Outcome.REQUEST_RAISED
        audit.record(
            organisation=contact.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=contact,
            summary="Contact's request raised",
            changes={"outcome": [Outcome.REQUEST_NOT_COMPLETED, Outcome.REQUEST_RAISED]},
        )
    return bool(changed)


def update_contact(
    contact: Contact,
    *,
    by: User | None,
    version: int,
    ended_at: datetime.datetime | None,
    outcome: str,
    notes: str,
    avoidable: str | None = None,
) -> Contact:
    """Finish a contact (end time, outcome, notes and, unless ``avoidable`` is ``None``, whether
    it was avoidable: "" for not assessed) unless it changed since ``version``."""
    chosen = contact.avoidable if avoidable is None else avoidable
    values = ContactInput(
        channel=contact.channel,
        direction=contact.direction,
        reason=contact.reason,
        received_at=contact.received_at,
        answered_at=contact.answered_at,
        ended_at=ended_at,
        outcome=outcome,
        notes=notes,
        avoidable=chosen,
    )
    if outcome == Outcome.CALLBACK_PROMISED and contact.outcome != outcome:
        raise _invalid(
            ContactError.INVALID_CHOICE,
            _("Log a new contact to promise a call-back"),
            "outcome",
        )
    clean_contact(values, organisation_id=contact.organisation_id)
    with transaction.atomic():
        before = {
            "ended_at": contact.ended_at.isoformat() if contact.ended_at else None,
            "outcome": contact.outcome,
            "notes": contact.notes,
            "avoidable": contact.avoidable,
        }
        updated = (
            Contact.objects.for_organisation(contact.organisation_id)
            .filter(pk=contact.pk, version=version)
            .update(
                ended_at=ended_at,
                outcome=outcome,
                notes=notes.strip(),
                avoidable=chosen,
                version=F("version") + 1,
            )
        )
        if updated != 1:
            raise _invalid(
                ContactError.STALE_VERSION,
                _(
                    "Someone else changed this contact while you were editing. Your changes "
                    "have not been saved: check it and make them again"
                ),
            )
        contact.refresh_from_db()
        after = {
            "ended_at": contact.ended_at.isoformat() if contact.ended_at else None,
            "outcome": contact.outcome,
            "notes": contact.notes,
            "avoidable": contact.avoidable,
        }
        audit.record(
            organisation=contact.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=contact,
            summary="Contact updated",
            changes=audit.changed_fields(before, after),
        )
    return contact


def complete_callback(callback: Callback, *, by: User) -> Callback:
    if callback.completed_at is not None:
        raise _invalid(ContactError.ALREADY_DONE, _("This call-back has already been made"))
    with transaction.atomic():
        callback.completed_at = timezone.now()
        callback.completed_by = by
        callback.save(update_fields=["completed_at", "completed_by", "updated_at"])
        audit.record(
            organisation=callback.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=callback,
            summary="Call-back made",
            changes={"met": callback.completed_at <= callback.due_at},
        )
    return callback


# --- the visitor queue ----------------------------------------------------------------------------
def issue_ticket(
    organisation: Organisation,
    *,
    by: User | None,
    access_point: AccessPoint,
    customer: Customer | None = None,
) -> VisitorTicket:
    """A visitor arrives: a ticket (A001, A002, ... each day) and when they should be seen by.

    A one-stop shop shared by several organisations is one room: its tickets are numbered in
    one sequence whichever organisation issues them, so no two people hold the same number."""
    room = directory_queries.organisations_at(access_point)
    if organisation.pk not in room:
        raise _invalid(
            ContactError.WRONG_ORGANISATION,
            _("Choose one of your organisation's offices, or one shared with it"),
            "access_point",
        )
    now = timezone.now()
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        # Hold the access point's row while numbering: tickets issued at the same moment by
        # two organisations in the room queue here instead of taking the same number.
        list(
            AccessPoint.objects.for_organisation(access_point.organisation_id)
            .select_for_update(of=("self",))
            .filter(pk=access_point.pk)
            .values_list("pk", flat=True)
        )
        issued_today = VisitorTicket.objects.filter(
            organisation_id__in=room, access_point=access_point, arrived_at__gte=today_start
        ).count()
        due_at, standard = due_by_standard(
            organisation,
            VISITOR_STANDARD,
            now,
            None,
            default_amount=15,
            default_unit=clock.Unit.MINUTES,
        )
        ticket: VisitorTicket = VisitorTicket.objects.create(
            organisation=organisation,
            access_point=access_point,
            ticket=f"A{issued_today + 1:03d}",
            customer=customer,
            arrived_at=now,
            due_at=due_at,
            standard=standard,
        )
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CREATED,
            obj=ticket,
            summary=f"Visitor ticket {ticket.ticket} issued",
        )
    return ticket


def call_visitor(ticket: VisitorTicket, *, by: User) -> VisitorTicket:
    if not ticket.waiting or ticket.called_at is not None:
        raise _invalid(ContactError.ALREADY_DONE, _("This visitor has already been called"))
    with transaction.atomic():
        ticket.called_at = timezone.now()
        ticket.called_by = by
        ticket.save(update_fields=["called_at", "called_by"])
        audit.record(
            organisation=ticket.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=ticket,
            summary=f"Visitor {ticket.ticket} called",
        )
    return ticket


def see_visitor(ticket: VisitorTicket, *, by: User) -> VisitorTicket:
    """The visitor sits down with an advisor: the moment "seen within 15 minutes" measures."""
    if not ticket.waiting:
        raise _invalid(ContactError.ALREADY_DONE, _("This visitor has already been seen"))
    with transaction.atomic():
        now = timezone.now()
        ticket.called_at = ticket.called_at or now
        ticket.called_by = ticket.called_by or by
        ticket.seen_at = now
        ticket.save(update_fields=["called_at", "called_by", "seen_at"])
        audit.record(
            organisation=ticket.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=ticket,
            summary=f"Visitor {ticket.ticket} seen",
            changes={"seen_in_time": ticket.seen_in_time},
        )
    return ticket


def visitor_left(ticket: VisitorTicket, *, by: User) -> VisitorTicket:
    if not ticket.waiting:
        raise _invalid(ContactError.ALREADY_DONE, _("This visitor has already been seen"))
    with transaction.atomic():
        ticket.left_at = timezone.now()
        ticket.save(update_fields=["left_at"])
        audit.record(
            organisation=ticket.organisation_id,
            by=by,
            action=AuditAction.CHANGED,
            obj=ticket,
            summary=f"Visitor {ticket.ticket} left without being seen",
        )
    return ticket


def add_reason(
    organisation: Organisation, *, by: User | None, label: str, service: Service | None = None
) -> ContactReason:
    """A reason for contact (configurable per service); idempotent by label.

    Adding a label that was retired brings it back into use.
    """
    text = label.strip()[:200]
    if not text:
        raise ServiceError(ContactError.INVALID_CHOICE, _("Enter the reason"), field="label")
    if service is not None and service.organisation_id != organisation.pk:
        raise ServiceError(
            ContactError.WRONG_ORGANISATION, _("Choose one of your services"), field="service"
        )
    with transaction.atomic():
        reason: ContactReason
        reason, created = ContactReason.objects.for_organisation(organisation).get_or_create(
            organisation=organisation, service=service, label=text
        )
        if not created and not reason.is_active:
            reason.is_active = True
            reason.save(update_fields=["is_active"])
            created = True
        if created:
            audit.record(
                organisation=organisation,
                by=by,
                action=AuditAction.CREATED,
                obj=reason,
                summary=f"Reason for contact added: {text}",
            )
    return reason


def retire_reason(reason: ContactReason, *, by: User) -> ContactReason:
    """Stop offering a reason for new contacts; contacts already logged keep it."""
    with transaction.atomic():
        if reason.is_active:
            reason.is_active = False
            reason.save(update_fields=["is_active"])
            audit.record(
                organisation=reason.organisation_id,
                by=by,
                action=AuditAction.CHANGED,
                obj=reason,
                summary=f"Reason for contact retired: {reason.label}",
                changes={"is_active": [True, False]},
            )
    return reason


# --- telephone calls imported in bulk (telephony) -------------------------------------------------
@dataclass(slots=True)
class TelephoneContact:
    """A call from the telephone system's records, as the contact it becomes.  (Not frozen: a
    frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, 1.4 µs more
    a call, a million times over an import.)"""

    customer_id: int | None
    received_at: datetime.datetime
    answered_at: datetime.datetime | None
    ended_at: datetime.datetime
    service_id: int | None
    access_point_id: int | None
    staff_id: int | None
    transferred: bool = False


CONTACT_COLUMNS = (
    "id",
    "organisation_id",
    "customer_id",
    "received_at",
    "answered_at",
    "ended_at",
    "channel",
    "direction",
    "service_id",
    "access_point_id",
    "staff_id",
    "outcome",
    "notes",
    "about_reference",
    "version",
)


def record_telephone_contacts(
    organisation: Organisation, *, by: User | None, calls: list[TelephoneContact]
) -> list[int]:
    """Inbound telephone contacts for ``calls``, in one statement; returns their ids in the
    order of ``calls``.  Thousands at a time (``telephony`` imports call records): no audit
    record per contact, the caller audits the import that wrote them, inside the same
    transaction."""
    from onestop.core import bulk

    if not calls:
        return []
    with transaction.atomic():
        ids = _new_contact_ids(len(calls))
        organisation_id = organisation.pk
        rows = [
            (
                contact_id,
                organisation_id,
                call.customer_id,
                call.received_at,
                call.answered_at,
                call.ended_at,
                Channel.TELEPHONE,
                Direction.INBOUND,
                call.service_id,
                call.access_point_id,
                call.staff_id,
                Outcome.TRANSFERRED if call.transferred else "",
                "",
                "",
                1,
            )
            for contact_id, call in zip(ids, calls, strict=True)
        ]
        if ids[0] is None:  # SQLite: the database numbers them, one insert each
            created = Contact.objects.bulk_create(
                [Contact(**dict(zip(CONTACT_COLUMNS[1:], row[1:], strict=True))) for row in rows]
            )
            return [contact.pk for contact in created]
        bulk.copy_rows(Contact, CONTACT_COLUMNS, rows)
    return [contact_id for contact_id in ids if contact_id is not None]


def _new_contact_ids(count: int) -> list[int | None]:
    """``count`` ids from the contacts' sequence on PostgreSQL (so the rows of one statement
    have known ids); ``None`` each elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return [None] * count
    with connection.cursor() as cursor:
        # The sequence looked up once: in the select list it would be looked up for each row.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Contact._meta.db_table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


def reassign_telephone_contacts(
    organisation: Organisation,
    *,
    by: User | None,
    contact_ids: Any,
    service: Service | None,
    access_point: AccessPoint,
) -> int:
    """Point the contacts ``contact_ids`` (a subquery of ids) at another service and access
    point (a telephone queue mapped again); returns how many changed."""
    with transaction.atomic():
        return (
            Contact.objects.for_organisation(organisation)
            .filter(pk__in=contact_ids, channel=Channel.TELEPHONE)
            .update(service=service, access_point=access_point, version=F("version") + 1)
        )

"""Every read of contacts: the desk panel, case references typed at the desk, call-backs and the
queue.  (The customer page's full history is ``customers.history``.)"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.contacts.models import (
    Callback,
    Channel,
    Contact,
    ContactReason,
    Outcome,
    VisitorTicket,
)
from onestop.contacts.services import CALLBACK_STANDARD, VISITOR_STANDARD
from onestop.core import permissions, references, sources
from onestop.core.access import get_or_404
from onestop.core.models import Organisation, User
from onestop.core.reporting import Period
from onestop.customers.models import Customer
from onestop.customers.queries import MarkerView, open_markers, open_markers_of
from onestop.directory import queries as directory_queries
from onestop.directory.models import AccessPoint, Service
from onestop.standards import measures

PANEL_CONTACTS = 5


def get_contact_for(user: User, contact_id: int, action: str = permissions.CONTACT_VIEW) -> Contact:
    found: Contact = get_or_404(
        user,
        Contact.objects.for_user(user).select_related("customer", "reason", "service", "staff"),
        action,
        pk=contact_id,
    )
    return found


def get_callback_for(
    user: User, callback_id: int, action: str = permissions.CONTACT_LOG
) -> Callback:
    found: Callback = get_or_404(
        user, Callback.objects.for_user(user).select_related("customer"), action, pk=callback_id
    )
    return found


def get_ticket_for(
    user: User, ticket_id: int, action: str = permissions.CONTACT_LOG
) -> VisitorTicket:
    found: VisitorTicket = get_or_404(
        user, VisitorTicket.objects.for_user(user), action, pk=ticket_id
    )
    return found


def contacts_for(user: User) -> QuerySet[Contact]:
    if not permissions.can(user, permissions.CONTACT_VIEW):
        return Contact.objects.for_user(user).none()
    return Contact.objects.for_user(user).select_related("reason", "service", "staff", "customer")


# --- a case reference typed at the desk -------------------------------------------------------


@dataclass(frozen=True)
class CaseResult:
    reference: str
    title: str
    status_label: str
    due_at: datetime.datetime | None
    is_overdue: bool
    url: str
    customer_id: int | None
    customer_name: str
    customer_reference: str


@dataclass(frozen=True)
class CaseLookup:
    """What the desk found for a query shaped like a case reference."""

    reference: str  # as typed, upper case with its dashes
    mistyped: bool  # the check character does not match: a character is wrong
    result: CaseResult | None


def case_for_reference(user: User, text: str) -> CaseLookup | None:
    """The case whose reference the advisor typed, if the user may see it.

    ``None`` when the text is not shaped like a case reference (the customer search handles
    it).  A reference of another organisation, or of a case the user's role may not see, finds
    nothing, exactly like one that does not exist.  The customer is shown only to a user who
    may see customers.
    """
    typed = references.read_typed(text, sources.case_prefixes())
    if typed is None:
        return None
    if typed.reference is None:
        return CaseLookup(reference=typed.typed, mistyped=True, result=None)
    reference = typed.reference
    found = sources.case_by_reference(user, reference)
    if found is None:
        return CaseLookup(reference=reference, mistyped=False, result=None)
    case = found.summary
    customer = (
        Customer.objects.for_user(user).filter(pk=found.customer_id).first()
        if found.customer_id is not None
        else None
    )
    if customer is not None and not permissions.can(user, permissions.CUSTOMER_VIEW, customer):
        customer = None
    return CaseLookup(
        reference=reference,
        mistyped=False,
        result=CaseResult(
            reference=case.reference,
            title=case.title,
            status_label=case.status_label,
            due_at=case.due_at,
            is_overdue=case.is_overdue,
            url=case.url,
            customer_id=customer.pk if customer else None,
            customer_name=customer.display_name if customer else "",
            customer_reference=customer.reference if customer else "",
        ),
    )


def reasons_for(user: User, service: Service | None = None) -> QuerySet[ContactReason]:
    reasons = ContactReason.objects.for_user(user).filter(is_active=True)
    if service is not None:
        reasons = reasons.filter(Q(service=service) | Q(service__isnull=True))
    general_first = F("service__name").asc(nulls_first=True)
    return reasons.select_related("service").order_by(general_first, "label")


def repeatable_contacts(user: User, customer: Customer) -> list[Contact]:
    """Recent contacts not resolved at first contact: what a new contact may be chasing."""
    return list(
        contacts_for(user)
        .filter(customer=customer)
        .exclude(outcome=Outcome.RESOLVED)
        .order_by("-received_at")[:10]
    )


@dataclass(frozen=True)
class DeskPanel:
    customer: Customer
    markers: list[MarkerView]
    cases: list[sources.CaseSummary]
    recent: list[Contact]
    contact_count: int
    repeat_count: int
    # Buttons of capabilities above contacts (``core.sources.register_customer_action``).
    actions: list[sources.Action]
    # Rules on the customer's contact (``core.sources.register_contact_guard``).
    rules: list[sources.ContactRule]


def desk_panel(user: User, customer: Customer) -> DeskPanel:
    """What the advisor sees for the chosen customer: warnings, open cases, recent contacts."""
    contacts = contacts_for(user).filter(customer=customer)
    counts = contacts.aggregate(
        total=Count("pk"),
        repeats=Count("pk", filter=Q(repeat_of__isnull=False) | ~Q(about_reference="")),
    )
    return DeskPanel(
        customer=customer,
        markers=open_markers(user, customer),
        cases=sources.open_cases_for_customer(user, customer.pk),
        recent=list(contacts.order_by("-received_at", "-pk")[:PANEL_CONTACTS]),
        contact_count=counts["total"],
        repeat_count=counts["repeats"],
        actions=sources.customer_actions(user, customer.pk),
        rules=sources.contact_rules(customer.organisation_id, customer.pk),
    )


def callbacks_for(user: User) -> QuerySet[Callback]:
    """The advisor's own call-backs still to make, soonest due first."""
    return (
        Callback.objects.for_user(user)
        .filter(assigned_to=user, completed_at__isnull=True)
        .select_related("customer", "contact")
        .order_by("due_at", "pk")
    )


def queue_at(user: User, access_point: AccessPoint) -> QuerySet[VisitorTicket]:
    """The user's organisation's visitors waiting at an access point, first come first served."""
    return (
        VisitorTicket.objects.for_user(user)
        .filter(access_point=access_point, seen_at__isnull=True, left_at__isnull=True)
        .select_related("customer")
        .order_by("arrived_at", "pk")
    )


def _room(access_point: AccessPoint) -> QuerySet[VisitorTicket]:
    """Every organisation's tickets at ``access_point`` (a shared one-stop shop is one room)."""
    return VisitorTicket.objects.filter(
        organisation_id__in=directory_queries.organisations_at(access_point),
        access_point=access_point,
    )


@dataclass(frozen=True)
class QueueRow:
    """One visitor waiting in the room.  ``own``: the user's organisation's visitor, with the
    customer, their warning markers and the actions; else only the ticket and whose it is."""

    ticket: VisitorTicket
    own: bool
    markers: list[MarkerView]


def room_queue(user: User, access_point: AccessPoint) -> list[QueueRow]:
    """Everybody waiting at ``access_point`` in arrival order, as ``user`` may see them: their
    own organisation's visitors in full (markers shown, and audited), partners' by ticket."""
    if access_point.pk not in set(
        directory_queries.access_points_for(user).values_list("pk", flat=True)
    ):
        raise Http404
    tickets = list(
        _room(access_point)
        .filter(seen_at__isnull=True, left_at__isnull=True)
        .select_related("customer", "organisation")
        .order_by("arrived_at", "pk")
    )
    own = [t for t in tickets if t.organisation_id == user.organisation_id]
    markers = open_markers_of(user, [t.customer_id for t in own if t.customer_id is not None])
    return [
        QueueRow(
            ticket,
            ticket.organisation_id == user.organisation_id,
            markers.get(ticket.customer_id or 0, [])
            if ticket.organisation_id == user.organisation_id
            else [],
        )
        for ticket in tickets
    ]


@dataclass(frozen=True)
class CallingDisplay:
    """What the room's screen shows: ticket numbers only, never a name."""

    calling: list[str]
    waiting: int


def calling_display(user: User, access_point: AccessPoint, *, recent: int = 5) -> CallingDisplay:
    """The room's calling display: the latest tickets called today (newest first) and how many
    are still waiting, across every organisation at the access point."""
    if access_point.pk not in set(
        directory_queries.access_points_for(user).values_list("pk", flat=True)
    ):
        raise Http404
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    waiting = _room(access_point).filter(seen_at__isnull=True, left_at__isnull=True)
    called = (
        waiting.filter(called_at__gte=today)
        .order_by("-called_at", "-pk")
        .values_list("ticket", flat=True)[:recent]
    )
    return CallingDisplay(list(called), waiting.filter(called_at__isnull=True).count())


@dataclass(frozen=True)
class VisitorMeasure:
    seen: int
    seen_in_time: int

    @property
    def percent(self) -> int | None:
        return None if not self.seen else round(100 * self.seen_in_time / self.seen)


def visitors_seen_in_time(
    user: User, access_point: AccessPoint, day: datetime.date | None = None
) -> VisitorMeasure:
    """How many visitors were seen on ``day``, and how many by their due time (15 minutes)."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    end = start + datetime.timedelta(days=1)
    seen = VisitorTicket.objects.for_user(user).filter(
        access_point=access_point, seen_at__isnull=False, arrived_at__gte=start, arrived_at__lt=end
    )
    tickets = list(seen.values_list("seen_at", "due_at"))
    return VisitorMeasure(
        seen=len(tickets), seen_in_time=sum(1 for seen_at, due in tickets if seen_at <= due)
    )


def all_reasons_for(user: User) -> QuerySet[ContactReason]:
    """Every reason the organisation has configured, in use first (the administration page)."""
    return (
        ContactReason.objects.for_user(user)
        .select_related("service")
        .order_by("-is_active", "service__name", "label")
    )


def get_reason_for(user: User, reason_id: int, action: str) -> ContactReason:
    reason: ContactReason = get_or_404(
        user, ContactReason.objects.for_user(user), action, pk=reason_id
    )
    return reason


# --- compliance with the standards (``standards.measures``) ---------------------------------------
CALLBACK_DEADLINE = measures.Deadline(due="due_at", done="completed_at")
VISITOR_DEADLINE = measures.Deadline(due="due_at", done="seen_at", ended="left_at")
CODE, SERVICE = "measure_code", "measure_service"


def _callbacks_measured(
    organisation: Organisation, period: Period, filters: measures.Filters
) -> QuerySet[Callback]:
    """The organisation's promised call-backs ``period`` measures, narrowed by ``filters`` (a
    call-back belongs to the service, channel and access point of the contact it was promised
    on, and to the team it was given to, recorded when it was promised: ``Callback.team``)."""
    rows: QuerySet[Callback] = (
        Callback.objects.for_organisation(organisation)
        .annotate(
            **{
                CODE: Coalesce("standard__code", Value(CALLBACK_STANDARD)),
                SERVICE: F("contact__service_id"),
            }
        )
        .filter(CALLBACK_DEADLINE.measured(period))
    )
    return filters.narrow(
        rows,
        service="contact__service",
        team="team",
        channel="contact__channel",
        access_point="contact__access_point",
    )


def _visitors_measured(
    organisation: Organisation, period: Period, filters: measures.Filters
) -> QuerySet[VisitorTicket]:
    """The organisation's visitors ``period`` measures, narrowed by ``filters`` (a visitor is
    face to face at the ticket's access point, for the service of the contact logged when they
    were seen; a visitor belongs to no team, so narrowing to a team leaves none, and visitors
    are in no per-team figure)."""
    rows: QuerySet[VisitorTicket] = (
        VisitorTicket.objects.for_organisation(organisation)
        .annotate(
            **{
                CODE: Coalesce("standard__code", Value(VISITOR_STANDARD)),
                SERVICE: F("contact__service_id"),
            }
        )
        .filter(VISITOR_DEADLINE.measured(period))
    )
    return filters.narrow(
        rows,
        service="contact__service",
        only_channel=Channel.FACE_TO_FACE,
        access_point="access_point",
    )


def callback_counts(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
) -> measures.Grouped:
    return CALLBACK_DEADLINE.counts(
        _callbacks_measured(organisation, period, filters), code=CODE, service=SERVICE, now=now
    )


def callback_officer_counts(
    organisation: Organisation, period: Period, officer_id: int, now: datetime.datetime
) -> dict[str, measures.Counts]:
    """One advisor's call-backs: those they made (``completed_by``), and those promised to them
    (``assigned_to``) not yet made or made with nobody recorded."""
    rows = (
        _callbacks_measured(organisation, period, measures.Filters())
        .annotate(measure_officer=Coalesce("completed_by_id", "assigned_to_id"))
        .filter(measure_officer=officer_id)
    )
    return CALLBACK_DEADLINE.counts_by_code(rows, code=CODE, now=now)


def callback_team_counts(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
) -> measures.Grouped:
    """Per standard code and the team each call-back was given to (``None``: no team)."""
    return CALLBACK_DEADLINE.counts_by_team(
        _callbacks_measured(organisation, period, filters), code=CODE, team="team_id", now=now
    )


def callback_team_rule() -> str:
    return _(
        "Call-backs: a call-back counts for the team it was given to when it was promised: the "
        "promising advisor's team for the contact's service (their only team when none of "
        "theirs is the service's); no team when that is none or several."
    )


def callback_officer_rule() -> str:
    return _(
        "Call-backs: a call-back made counts for the advisor who made it; one not yet made "
        "for the advisor it was promised to."
    )


def visitor_counts(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
) -> measures.Grouped:
    return VISITOR_DEADLINE.counts(
        _visitors_measured(organisation, period, filters), code=CODE, service=SERVICE, now=now
    )


def callbacks_behind(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
    pick: measures.Pick,
) -> measures.Found:
    rows = measures.picked(
        _callbacks_measured(organisation, period, filters),
        CALLBACK_DEADLINE,
        pick,
        now=now,
        code=CODE,
        service=SERVICE,
        team="team",
    ).select_related("contact__service")
    return measures.Found(
        rows.count(),
        [
            measures.RecordBehind(
                kind=_("Call-back"),
                reference=_("Call-back %(number)s") % {"number": row.pk},
                standard_code=getattr(row, CODE),
                service_name=row.contact.service.name if row.contact.service else "",
                due_at=row.due_at,
                done_at=row.completed_at,
                state=CALLBACK_DEADLINE.state(row),
            )
            for row in rows[: pick.limit]
        ],
    )


def visitors_behind(
    organisation: Organisation,
    period: Period,
    filters: measures.Filters,
    now: datetime.datetime,
    pick: measures.Pick,
) -> measures.Found:
    rows = measures.picked(
        _visitors_measured(organisation, period, filters),
        VISITOR_DEADLINE,
        pick,
        now=now,
        code=CODE,
        service=SERVICE,
    ).select_related("access_point", "contact__service")
    return measures.Found(
        rows.count(),
        [
            measures.RecordBehind(
                kind=_("Visitor"),
                reference=_("Ticket %(ticket)s at %(place)s")
                % {"ticket": row.ticket, "place": row.access_point.name},
                standard_code=getattr(row, CODE),
                service_name=row.contact.service.name
                if row.contact is not None and row.contact.service is not None
                else "",
                due_at=row.due_at,
                done_at=row.seen_at,
                state=VISITOR_DEADLINE.state(row),
            )
            for row in rows[: pick.limit]
        ],
    )


def callback_definitions() -> list[str]:
    return [
        _(
            "Call-backs: a call-back promised on a contact is due by the deadline the "
            "call-back standard gave when it was promised. Met: made at or before it; missed: "
            "made after it; open: not made yet. It counts for the service of the contact, "
            "and for the team it was given to when it was promised."
        ),
    ]


def visitor_definitions() -> list[str]:
    return [
        _(
            "Visitors: each visitor's ticket is due to be seen by the time the visitor "
            "standard gave on arrival (15 minutes). Met: seen at or before it; missed: seen "
            "after it, or left unseen after it; open: still waiting. A visitor who left unseen "
            "before it is not measured. A visitor counts for the service of the contact logged "
            "when they were seen, and only in the whole council's row when there is none."
        ),
    ]


def without_rules(organisation_id: int, customer_ids: list[int]) -> set[int]:
    """Those of ``customer_ids`` with no rule on their contact now (``log_contact(rules=[])``
    for them), in one read per guard: what a batch of e-mail asks once for its customers."""
    return sources.without_contact_rules(organisation_id, customer_ids)

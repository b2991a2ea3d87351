"""Every read of the track page and "Your requests" (issue 18): finding a request by its
reference and a second detail, what the resident is shown of it, the requests raised with a
verified e-mail address, and the resident's session.

Nothing here is reached without proof: the track page needs the reference *and* the e-mail
address, phone number or postcode given with it; "Your requests" needs a resident session
opened by a one-time link sent to the address.  A failed lookup answers ``None`` whatever was
wrong, after the same reads (constant-ish work), so it says nothing about which part was wrong.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.cases import queries as case_queries
from onestop.cases.models import NOT_TRACKED_KINDS, REFERENCE_PREFIXES, Case
from onestop.cases.queries import CustomerTimelineEntry
from onestop.core import references
from onestop.core.errors import ServiceError
from onestop.core.models import Organisation
from onestop.core.prepared import PreparedRead
from onestop.core.scoping import ScopedQuerySet
from onestop.customers import queries as customer_queries
from onestop.customers import services as customer_services
from onestop.customers.models import Address, Customer, Email, Phone
from onestop.feedback import services as feedback_services
from onestop.feedback.models import REFERENCE_PREFIX as COMPLAINT_PREFIX
from onestop.feedback.models import ComplaintStage, Feedback, FeedbackEvent, Kind
from onestop.feedback.models import Status as FeedbackStatus
from onestop.portal.models import ResidentSession

REFERENCE_LIMIT = 20
DETAIL_LIMIT = 254
#: How long a successful lookup opens the request's page in the same browser session.
TRACKED_SECONDS = 3600
#: Case kinds a resident cannot track: a councillor's enquiry is followed by the councillor
#: (``cases.models``, where messages about a case learn whether to link here).
NOT_TRACKED = NOT_TRACKED_KINDS
#: What an empty key is looked up as, so every lookup makes the same reads: no reference, e-mail
#: key, E.164 number or postcode key is ever a lone dash.
NOTHING = "-"


def hashed(secret: str) -> str:
    """The SHA-256 of a token or session key, which is all the database keeps of either."""
    return hashlib.sha256(secret.encode()).hexdigest()


#: The prefixes of the references a resident may track: every case kind's and feedback's.
TRACKED_PREFIXES = frozenset(REFERENCE_PREFIXES.values()) | {
    COMPLAINT_PREFIX,
    feedback_services.OTHER_PREFIX,
}
#: Text shaped like a reference of ``TRACKED_PREFIXES`` but too short or long to be one (a
#: character left off or added, e.g. ``SR-26-0010`` for ``SR-26-0010*``).
_SHAPED = re.compile(r"^(?P<prefix>[A-Za-z]{2,4})[ -]?[0-9]{2}[ -]?[0-9A-Za-z*~$=]{3,15}$")


def clean_reference(text: str) -> str:
    """A reference as people type it, in the stored form, read as the staff desk reads it
    (``core.references.read_typed``): any case, spaces or no dashes, O for 0 and I or L for 1,
    so ``sr 26 0010*`` and ``SR-26-O010*`` are ``SR-26-0010*``.  Text that is not a well-formed
    reference is only upper-cased and stripped of spaces (and then matches nothing)."""
    typed = references.read_typed(str(text), TRACKED_PREFIXES)
    if typed is not None and typed.reference is not None:
        return typed.reference
    return "".join(str(text).split()).upper()[:REFERENCE_LIMIT]


def is_mistyped(text: str) -> bool:
    """Whether ``text`` is shaped like a reference a resident may track but cannot be one: its
    check character does not match, or a character is missing or added.  Worked out from the
    text alone (no read), so saying so reveals nothing about which requests exist."""
    text = str(text).strip()[:40]
    typed = references.read_typed(text, TRACKED_PREFIXES)
    if typed is not None:
        return typed.reference is None
    shaped = _SHAPED.match(text)
    return shaped is not None and shaped["prefix"].upper() in TRACKED_PREFIXES


@dataclass(frozen=True)
class DetailKeys:
    """The second detail in every stored form it could match: an e-mail address's key, a
    phone number in E.164 and a postcode's key (a detail that parses as none gives none)."""

    email: str = ""
    phone: str = ""
    postcode: str = ""


def detail_keys(text: str) -> DetailKeys:
    text = str(text).strip()[:DETAIL_LIMIT]
    if not text:
        return DetailKeys()
    if "@" in text:
        return DetailKeys(email=customer_queries.email_key(text))
    try:
        postcode = case_queries.postcode_key(customer_services.clean_postcode(text))
    except ServiceError:
        postcode = ""
    try:
        phone = customer_services.clean_phone(text)
    except ServiceError:
        phone = ""
    return DetailKeys(phone=phone, postcode=postcode)


def _trackable_cases(organisation: Any) -> ScopedQuerySet[Case]:
    """The organisation's cases a resident may follow (``NOT_TRACKED`` left out)."""
    return Case.objects.for_organisation(organisation).exclude(kind__in=sorted(NOT_TRACKED))


def _trackable_feedback(organisation: Any) -> ScopedQuerySet[Feedback]:
    """The organisation's feedback a resident may follow (classified: a complaint, comment,
    compliment or suggestion)."""
    return Feedback.objects.for_organisation(organisation).exclude(kind=Kind.UNCLASSIFIED)


# The reads of a lookup and of a tracked request's page, their SQL built once per database
# (``core.prepared``): each is made afresh on every call, with the organisation a parameter.
_CASE = PreparedRead(
    Case,
    lambda organisation, reference: (
        _trackable_cases(organisation)
        .filter(reference=reference)
        .order_by()  # one row by its unique reference: nothing to sort, no join to sort by
        .select_related("case_type")[:1]
    ),
    parameters=(int, str),
)
_FEEDBACK = PreparedRead(
    Feedback,
    lambda organisation, reference: (
        _trackable_feedback(organisation).filter(reference=reference).order_by()[:1]
    ),
    parameters=(int, str),
)


def _holds(model: Any, column: str) -> PreparedRead[Any]:
    """Whether a customer's record holds a value in ``model``'s ``column`` (the organisation,
    the customer and the value its parameters): at most one id read."""
    return PreparedRead(
        model,
        lambda organisation, customer, value: (
            model.objects.for_organisation(organisation)
            .filter(customer_id=customer, **{column: value})
            .order_by()
            .values_list("pk")[:1]
        ),
        parameters=(int, int, str),
    )


_HAS_EMAIL = _holds(Email, "address_key")
_HAS_PHONE = _holds(Phone, "number")
_HAS_POSTCODE = _holds(Address, "postcode_key")


def _customer_has(organisation_id: int, customer_id: int, keys: DetailKeys) -> bool:
    """Whether the customer's record holds the detail: three reads, whatever the detail."""
    email = _HAS_EMAIL.rows(organisation_id, customer_id, keys.email or NOTHING)
    phone = _HAS_PHONE.rows(organisation_id, customer_id, keys.phone or NOTHING)
    postcode = _HAS_POSTCODE.rows(organisation_id, customer_id, keys.postcode or NOTHING)
    return bool(email or phone or postcode)


def find_request(organisation: Organisation, reference: str, detail: str) -> Case | Feedback | None:
    """The case or feedback of ``organisation`` with ``reference`` whose customer's record (or,
    for a case, the postcode given with it) holds ``detail``; ``None`` otherwise, after the same
    reads whether the reference exists or not."""
    reference = clean_reference(reference) or NOTHING
    keys = detail_keys(detail)
    case = _CASE.first(organisation.pk, reference)
    feedback = _FEEDBACK.first(organisation.pk, reference)
    found: Case | Feedback | None = case or feedback
    customer_id = found.customer_id if found is not None and found.customer_id else 0
    on_record = _customer_has(organisation.pk, customer_id, keys)
    given_here = (
        isinstance(found, Case)
        and bool(keys.postcode)
        and case_queries.postcode_key(found.postcode) == keys.postcode
    )
    if found is None or not (on_record or given_here):
        return None
    return found


def tracked_request(organisation: Organisation, reference: str) -> Case | Feedback | None:
    """The case or feedback with ``reference`` (the view has checked the resident proved it)."""
    reference = clean_reference(reference)
    return _CASE.first(organisation.pk, reference) or _FEEDBACK.first(organisation.pk, reference)


# --- what the resident is shown ------------------------------------------------------------------
FEEDBACK_STATUS_WORDS: dict[str, Any] = {
    FeedbackStatus.OPEN: gettext_lazy("Being dealt with"),
    FeedbackStatus.RESPONDED: gettext_lazy("Answered"),
    FeedbackStatus.CLOSED: gettext_lazy("Closed"),
}
#: The feedback events a resident is shown, in their words (no names, reasons or findings).
FEEDBACK_EVENT_WORDS = {
    "recorded": gettext_lazy("We received it"),
    "email-received": gettext_lazy("We received it"),
    "acknowledged": gettext_lazy("We acknowledged it"),
    "extended": gettext_lazy("We told you we need more time"),
    "escalated": gettext_lazy("It moved to the next stage of our complaints procedure"),
    "responded": gettext_lazy("We sent you our answer"),
    "closed": gettext_lazy("We closed it"),
    "information-added": gettext_lazy("You sent us more information online"),
}


@dataclass(frozen=True)
class TrackedView:
    """A request as the resident sees it."""

    reference: str
    what: str
    status: str
    is_open: bool
    due_at: datetime.datetime | None
    received_at: datetime.datetime
    timeline: Sequence[CustomerTimelineEntry]
    takes_information: bool


def case_type_names(organisation_id: int, case_types: Sequence[Any]) -> dict[int, str]:
    """The case types' names as residents read them, in the page's language (the Welsh name
    on a Welsh page, where the organisation gave one)."""
    return {
        case_type.pk: case_type.public_name
        for case_type in case_types
        if case_type.organisation_id == organisation_id
    }


_OPEN_STAGE = PreparedRead(
    ComplaintStage,
    lambda organisation, feedback, stage: (
        ComplaintStage.objects.for_organisation(organisation)
        .filter(feedback_id=feedback, stage=stage, responded_at__isnull=True)
        .order_by("pk")[:1]
    ),
    parameters=(int, int, int),
)
_FEEDBACK_EVENTS = PreparedRead(
    FeedbackEvent,
    lambda organisation, feedback: (
        FeedbackEvent.objects.for_organisation(organisation)
        .filter(feedback_id=feedback)
        .order_by("at", "id")
        .only("code", "at")
    ),
    parameters=(int, int),
)


def view_of(found: Case | Feedback) -> TrackedView:
    if isinstance(found, Case):
        what = case_type_names(found.organisation_id, [found.case_type])[found.case_type_id]
        return TrackedView(
            reference=found.reference,
            what=what,
            status=case_queries.status_for_customer(found.status),
            is_open=found.is_open,
            due_at=found.due_at if found.is_open else None,
            received_at=found.received_at,
            timeline=case_queries.customer_timeline_of(found),
            takes_information=found.is_open,
        )
    due = None
    if found.is_open and found.current_stage is not None:
        stage = _OPEN_STAGE.first(found.organisation_id, found.pk, found.current_stage)
        due = stage.due_at if stage is not None else None
    timeline = [
        CustomerTimelineEntry(event.at, str(FEEDBACK_EVENT_WORDS[event.code]), "")
        for event in _FEEDBACK_EVENTS.all(found.organisation_id, found.pk)
        if event.code in FEEDBACK_EVENT_WORDS
    ]
    return TrackedView(
        reference=found.reference,
        what=str(Kind(found.kind).label),
        status=str(FEEDBACK_STATUS_WORDS.get(found.status, found.status)),
        is_open=found.is_open,
        due_at=due,
        received_at=found.received_at,
        timeline=timeline,
        takes_information=found.is_open,
    )


# --- "Your requests" -----------------------------------------------------------------------------
def _raised_with(organisation: Any, email_key: Any) -> Q:
    ids = Email.objects.for_organisation(organisation).filter(address_key=email_key)
    return Q(customer_id__in=ids.values("customer_id"))


_CUSTOMERS_WITH_EMAIL = PreparedRead(
    Customer,
    lambda organisation, key: (
        Customer.objects.for_organisation(organisation)
        .filter(
            pk__in=Email.objects.for_organisation(organisation)
            .filter(address_key=key)
            .values("customer_id"),
            merged_into__isnull=True,
        )
        .order_by("pk")[:50]
    ),
    parameters=(int, str),
)
_HAS_CASE = PreparedRead(
    Case,
    lambda organisation, key: (
        _trackable_cases(organisation)
        .filter(_raised_with(organisation, key))
        .order_by()
        .values_list("pk")[:1]
    ),
    parameters=(int, str),
)
_HAS_FEEDBACK = PreparedRead(
    Feedback,
    lambda organisation, key: (
        Feedback.objects.for_organisation(organisation)
        .filter(_raised_with(organisation, key))
        .order_by()
        .values_list("pk")[:1]
    ),
    parameters=(int, str),
)


def customers_with_email(organisation_id: int, email_key: str) -> list[Customer]:
    """The organisation's customer records holding the e-mail address (one person may have
    several: each report from the public makes a record of its own)."""
    return _CUSTOMERS_WITH_EMAIL.all(organisation_id, email_key)


def has_requests(organisation_id: int, email_key: str) -> bool:
    """Whether any case or feedback of the organisation was raised with the address."""
    return bool(
        _HAS_CASE.rows(organisation_id, email_key) or _HAS_FEEDBACK.rows(organisation_id, email_key)
    )


@dataclass(frozen=True)
class RequestRow:
    reference: str
    what: str
    status: str
    is_open: bool
    due_at: datetime.datetime | None
    received_at: datetime.datetime


LIST_LIMIT = 200


_CASES_OF = PreparedRead(
    Case,
    lambda organisation, key: (
        _trackable_cases(organisation)
        .filter(_raised_with(organisation, key))
        .select_related("case_type")
        .order_by("-received_at", "-id")[:LIST_LIMIT]
    ),
    parameters=(int, str),
)
_FEEDBACK_OF = PreparedRead(
    Feedback,
    lambda organisation, key: (
        _trackable_feedback(organisation)
        .filter(_raised_with(organisation, key))
        .order_by("-received_at", "-id")[:LIST_LIMIT]
    ),
    parameters=(int, str),
)


def requests_of(session: ResidentSession) -> list[RequestRow]:
    """Every case and feedback raised with the session's verified address, newest first."""
    found_cases = _CASES_OF.all(session.organisation_id, session.email_key)
    feedback = _FEEDBACK_OF.all(session.organisation_id, session.email_key)
    names = case_type_names(session.organisation_id, [case.case_type for case in found_cases])
    rows = [
        RequestRow(
            case.reference,
            names[case.case_type_id],
            case_queries.status_for_customer(case.status),
            case.is_open,
            case.due_at if case.is_open else None,
            case.received_at,
        )
        for case in found_cases
    ] + [
        RequestRow(
            item.reference,
            str(Kind(item.kind).label),
            str(FEEDBACK_STATUS_WORDS.get(item.status, item.status)),
            item.is_open,
            None,
            item.received_at,
        )
        for item in feedback
    ]
    return sorted(rows, key=lambda row: row.received_at, reverse=True)[:LIST_LIMIT]


# A request by reference, only if it was raised with the session's address: one read each.
_CASE_RAISED_WITH = PreparedRead(
    Case,
    lambda organisation, reference, key: (
        _trackable_cases(organisation)
        .filter(_raised_with(organisation, key), reference=reference)
        .order_by()
        .select_related("case_type")[:1]
    ),
    parameters=(int, str, str),
)
_FEEDBACK_RAISED_WITH = PreparedRead(
    Feedback,
    lambda organisation, reference, key: (
        _trackable_feedback(organisation)
        .filter(_raised_with(organisation, key), reference=reference)
        .order_by()[:1]
    ),
    parameters=(int, str, str),
)


def request_of(session: ResidentSession, reference: str) -> Case | Feedback | None:
    """One of the session's requests by reference (``None`` for anything else, and for a
    request of a customer record without the session's address)."""
    reference = clean_reference(reference) or NOTHING
    key = session.email_key or NOTHING
    return _CASE_RAISED_WITH.first(session.organisation_id, reference, key) or (
        _FEEDBACK_RAISED_WITH.first(session.organisation_id, reference, key)
    )


_RESIDENT_SESSION = PreparedRead(
    ResidentSession,
    lambda organisation, key_hash: (
        ResidentSession.objects.for_organisation(organisation)
        .filter(key_hash=key_hash, ended_at__isnull=True)
        .order_by()[:1]  # one row by its unique key; its organisation is the page's own
    ),
    parameters=(int, str),
)


def resident_session(organisation: Organisation, key: str) -> ResidentSession | None:
    """The live resident session of ``organisation`` whose cookie holds ``key`` (not ended, and
    not expired: its expiry compared with ``timezone.now()``, as the ORM's filter would)."""
    if not key or len(key) > 100:
        return None
    found = _RESIDENT_SESSION.first(organisation.pk, hashed(key))
    if found is None or found.expires_at <= timezone.now():
        return None
    found.organisation = organisation  # the row is this organisation's: no second read of it
    return found


def email_key_of(email: str) -> str:
    """The key an address is stored under (``Email.address_key``), or ``""`` for no address."""
    email = str(email).strip()[:DETAIL_LIMIT]
    return customer_queries.email_key(email) if "@" in email else ""


def not_found_message() -> str:
    return _("We could not find a request with that reference and detail. Check both and try again")

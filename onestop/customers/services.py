"""Every write to customers: typed functions, one transaction each, audited inside it.

Input arrives as plain values (from a form, the API or the demo loader) and is validated here as
well as in forms, so every door refuses the same bad input with the same message and nothing is
saved.  ``by`` is the acting member of staff (``None``: the system, e.g. the demo loader).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit, batch, dates, references
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, RoleCode, User
from onestop.core.scoping import OrganisationScopedManager
from onestop.customers import normalise
from onestop.customers.errors import CustomerError
from onestop.customers.models import (
    EQUALITY_FIELDS,
    Address,
    Customer,
    CustomerKind,
    CustomerMerge,
    CustomerName,
    Email,
    EqualityMonitoring,
    Format,
    Language,
    Marker,
    MarkerKind,
    Phone,
    PhoneKind,
    PreferredChannel,
)
from onestop.standards import clock
from onestop.standards.queries import calendar_for_organisation

REFERENCE_PREFIX = "CU"
MERGE_RETENTION_MONTHS = 12
OLDEST_AGE_YEARS = 130
NAME_LIMIT = 150
NOTE_LIMIT = 2000


# --- input shapes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerDetails:
    """The customer's own fields (not addresses, phones or e-mails)."""

    kind: str = CustomerKind.PERSON
    title: str = ""
    given_name: str = ""
    family_name: str = ""
    business_name: str = ""
    date_of_birth: datetime.date | None = None
    preferred_channel: str = ""
    language: str = Language.ENGLISH
    format: str = ""
    needs_interpreter: bool = False
    interpreter_language: str = ""
    consents_to_email_updates: bool = False
    consents_to_sms_updates: bool = False


@dataclass(frozen=True)
class AddressDetails:
    line_1: str
    postcode: str
    line_2: str = ""
    town: str = ""
    uprn: int | None = None


@dataclass(frozen=True)
class ContactDetails:
    """Optional first address, phone and e-mail given when a customer is created."""

    address: AddressDetails | None = None
    phones: Sequence[str] = field(default_factory=tuple)
    emails: Sequence[str] = field(default_factory=tuple)


DETAIL_FIELDS = tuple(
    name for name in CustomerDetails.__dataclass_fields__ if name != "business_name"
)


# --- validation (shared with forms and the API) --------------------------------------------------
def _invalid(code: CustomerError, message: str, field_name: str) -> ServiceError:
    return ServiceError(code, message, field=field_name)


# Each choice field's values, once (``TextChoices.values`` builds its list anew at each call).
_CHOICE_VALUES: dict[str, frozenset[str]] = {
    name: frozenset(enum.values)
    for name, enum in (
        ("kind", CustomerKind),
        ("preferred_channel", PreferredChannel),
        ("language", Language),
        ("format", Format),
    )
}


def clean_details(details: CustomerDetails, *, today: datetime.date) -> CustomerDetails:
    """The details trimmed and checked, or ``ServiceError`` naming the field to fix."""
    trimmed = replace(
        details,
        title=details.title.strip(),
        given_name=details.given_name.strip(),
        family_name=details.family_name.strip(),
        business_name=details.business_name.strip(),
        interpreter_language=details.interpreter_language.strip(),
    )
    for name in ("title", "given_name", "family_name", "interpreter_language"):
        if len(getattr(trimmed, name)) > NAME_LIMIT:
            raise _invalid(
                CustomerError.TOO_LONG,
                _("%(field)s must be %(limit)s characters or fewer")
                % {"field": _field_label(name), "limit": NAME_LIMIT},
                name,
            )
    if len(trimmed.business_name) > 300:
        raise _invalid(
            CustomerError.TOO_LONG, _("Name must be 300 characters or fewer"), "business_name"
        )
    for name, values in _CHOICE_VALUES.items():
        if getattr(trimmed, name) not in values:
            raise _invalid(
                CustomerError.INVALID_CHOICE,
                _("Select %(field)s from the list") % {"field": _field_label(name).lower()},
                name,
            )
    if trimmed.kind == CustomerKind.PERSON:
        if not trimmed.family_name:
            raise _invalid(CustomerError.NAME_REQUIRED, _("Enter the last name"), "family_name")
        if not trimmed.given_name:
            raise _invalid(CustomerError.NAME_REQUIRED, _("Enter the first name"), "given_name")
    elif not trimmed.business_name:
        raise _invalid(
            CustomerError.NAME_REQUIRED,
            _("Enter the name of the business or group"),
            "business_name",
        )
    check_date_of_birth(trimmed.date_of_birth, today=today)
    if not trimmed.needs_interpreter:
        trimmed = replace(trimmed, interpreter_language="")
    return trimmed


def check_date_of_birth(value: datetime.date | None, *, today: datetime.date) -> None:
    if value is None:
        return
    if value > today:
        raise _invalid(
            CustomerError.INVALID_DATE_OF_BIRTH,
            _("Date of birth must be today or in the past"),
            "date_of_birth",
        )
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise _invalid(
            CustomerError.INVALID_DATE_OF_BIRTH,
            _("Date of birth must be after %(year)s") % {"year": today.year - OLDEST_AGE_YEARS},
            "date_of_birth",
        )


def clean_postcode(text: str, field_name: str = "postcode") -> str:
    try:
        return normalise.parse_postcode(text)
    except normalise.InvalidPostcode:
        raise _invalid(
            CustomerError.INVALID_POSTCODE,
            _("Enter a real UK postcode, like HP19 8FF"),
            field_name,
        ) from None


def clean_phone(text: str, field_name: str = "phone") -> str:
    try:
        return normalise.parse_phone(text)
    except normalise.InvalidPhoneNumber:
        raise _invalid(
            CustomerError.INVALID_PHONE,
            _("Enter a real phone number, like 01296 585858, 07700 900123 or +44 7700 900123"),
            field_name,
        ) from None


@functools.lru_cache(maxsize=4096)
def _email_valid(address: str) -> bool:
    """Whether Django's ``validate_email`` takes ``address`` (a pure answer, remembered: an
    e-mail's sender is checked several times on its way to a new customer)."""
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def clean_email(text: str, field_name: str = "email") -> str:
    address = text.strip()
    if len(address) > 254 or not _email_valid(address):
        raise _invalid(
            CustomerError.INVALID_EMAIL,
            _("Enter an email address in the correct format, like name@example.com"),
            field_name,
        )
    return address


def clean_address(details: AddressDetails) -> AddressDetails:
    line_1 = details.line_1.strip()
    if not line_1:
        raise _invalid(
            CustomerError.NAME_REQUIRED, _("Enter the first line of the address"), "line_1"
        )
    for name, limit in (("line_1", 200), ("line_2", 200), ("town", 100)):
        if len(getattr(details, name).strip()) > limit:
            raise _invalid(
                CustomerError.TOO_LONG,
                _("Address lines must be %(limit)s characters or fewer") % {"limit": limit},
                name,
            )
    if details.uprn is not None and not 0 < details.uprn < 10**12:
        raise _invalid(
            CustomerError.INVALID_UPRN,
            _("A UPRN is a number of up to 12 digits, like 766049420"),
            "uprn",
        )
    return AddressDetails(
        line_1=line_1,
        line_2=details.line_2.strip(),
        town=details.town.strip(),
        postcode=clean_postcode(details.postcode),
        uprn=details.uprn,
    )


def _field_label(name: str) -> str:
    labels = {
        "title": _("Title"),
        "given_name": _("First name"),
        "family_name": _("Last name"),
        "interpreter_language": _("Interpreter language"),
        "kind": _("Type of customer"),
        "preferred_channel": _("Preferred way to contact"),
        "language": _("Language"),
        "format": _("Format"),
    }
    return str(labels.get(name, name))


# --- helpers (no transactions of their own) -------------------------------------------------------
def display_name_of(details: CustomerDetails) -> str:
    if details.kind != CustomerKind.PERSON:
        return details.business_name
    return " ".join(part for part in (details.given_name, details.family_name) if part)


def _search_keys(given: str, family: str, full: str) -> dict[str, str]:
    given_words = normalise.normalise_name(given).split()
    family_words = normalise.normalise_name(family).split()
    if not given_words and not family_words:
        words = normalise.normalise_name(full).split()
        given_words, family_words = words[:1], words[1:]
    return {
        "name_key": normalise.normalise_name(full)[:300],
        "given_soundex": normalise.soundex(given_words[0]) if given_words else "",
        "family_soundex": normalise.soundex(family_words[-1]) if family_words else "",
    }


def _apply(customer: Customer, details: CustomerDetails) -> None:
    for name in DETAIL_FIELDS:
        setattr(customer, name, getattr(details, name))
    customer.display_name = display_name_of(details)[:300]
    keys = _search_keys(details.given_name, details.family_name, customer.display_name)
    for name, value in keys.items():
        setattr(customer, name, value)


def _snapshot(customer: Customer) -> dict[str, Any]:
    return {name: audit.plain(getattr(customer, name)) for name in (*DETAIL_FIELDS, "display_name")}


@dataclass(frozen=True)
class ContactPoints:
    """How a customer can be reached, as ``queries.contact_points_many`` reads it: the first
    e-mail address on record, the first number that is a mobile, and the newest current postal
    address's lines (``None``: none on record)."""

    email: str | None = None
    mobile: str | None = None
    postal: tuple[str, str, str, str] | None = None


def contact_points_key(organisation_id: int, customer_id: int) -> tuple[str, int, int]:
    """The ``core.batch`` key a batch remembers a customer's ``ContactPoints`` under: read once
    for the batch's customers (``queries.remember_contact_points``), written by
    ``create_customer`` for those it makes, forgotten when anything changes them."""
    return ("customers.contact_points", organisation_id, customer_id)


def _changed_contact_points(customer: Customer | int, organisation_id: int) -> None:
    customer_id = customer if isinstance(customer, int) else customer.pk
    batch.forget(contact_points_key(organisation_id, customer_id))


def _add_address(customer: Customer, details: AddressDetails) -> Address:
    clean = clean_address(details)
    _changed_contact_points(customer, customer.organisation_id)
    Address.objects.for_organisation(customer.organisation_id).filter(
        customer=customer, is_current=True
    ).update(is_current=False)
    created: Address = Address.objects.create(
        organisation_id=customer.organisation_id,
        customer=customer,
        line_1=clean.line_1,
        line_2=clean.line_2,
        town=clean.town,
        postcode=clean.postcode,
        postcode_key=normalise.postcode_key(clean.postcode),
        uprn=clean.uprn,
    )
    return created


def _add_phone(
    customer: Customer, number: str, kind: str = PhoneKind.MOBILE, *, new: bool = False
) -> Phone:
    """Add ``number`` unless the customer already has it (``new``: a customer created in this
    transaction, who has no number yet: nothing to read)."""
    e164 = clean_phone(number)
    existing: Phone | None = (
        None
        if new
        else Phone.objects.for_organisation(customer.organisation_id)
        .filter(customer=customer, number=e164)
        .first()
    )
    if existing is not None:
        return existing
    _changed_contact_points(customer, customer.organisation_id)
    created_phone: Phone = Phone.objects.create(
        organisation_id=customer.organisation_id,
        customer=customer,
        number=e164,
        digits=normalise.national_digits(e164),
        reversed_digits=normalise.reversed_digits(e164),
        kind=kind if kind in PhoneKind.values else PhoneKind.MOBILE,
    )
    return created_phone


def _add_email(customer: Customer, address: str, *, new: bool = False) -> Email:
    """Add ``address`` unless the customer already has it (``new``: as ``_add_phone``)."""
    clean = clean_email(address)
    key = normalise.normalise_email(clean)
    existing: Email | None = (
        None
        if new
        else Email.objects.for_organisation(customer.organisation_id)
        .filter(customer=customer, address_key=key)
        .first()
    )
    if existing is not None:
        return existing
    _changed_contact_points(customer, customer.organisation_id)
    created_email = Email(
        organisation_id=customer.organisation_id,
        customer=customer,
        address=clean,
        address_key=key,
    )
    batch.insert(created_email)
    return created_email


def _first_of_each(values: Iterable[str], key: Callable[[str], str]) -> list[str]:
    """``values`` without those whose ``key`` an earlier one had."""
    first: dict[str, str] = {}
    for value in values:
        first.setdefault(key(value), value)
    return list(first.values())


def _today() -> datetime.date:
    return timezone.localdate()


# --- customers ------------------------------------------------------------------------------------
def create_customer(
    organisation: Organisation | int,
    *,
    by: User | None,
    details: CustomerDetails,
    contact_details: ContactDetails | None = None,
) -> Customer:
    """A new customer with their first address, phones and e-mails (all validated first)."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    today = _today()  # one reading of the date for the checks and the reference's year
    details = clean_details(details, today=today)
    extra = contact_details or ContactDetails()
    # Validate everything before writing anything.
    if extra.address is not None:
        clean_address(extra.address)
    for number in extra.phones:
        clean_phone(number)
    for address in extra.emails:
        clean_email(address)
    with transaction.atomic():
        customer = Customer(organisation_id=organisation_id)
        _apply(customer, details)
        customer.reference = references.next_reference(
            organisation_id, REFERENCE_PREFIX, today.year
        )
        batch.insert(customer)  # with the batch's others in the IMAP poller's batch
        postal = None
        if extra.address is not None:
            made = _add_address(customer, extra.address)
            postal = (made.line_1, made.line_2, made.town, made.postcode)
        # A new customer has nothing on record yet: each number and address is added once
        # (the first of any given twice), without reading back what the customer has.
        phones = [
            _add_phone(customer, number, new=True).number
            for number in _first_of_each(extra.phones, clean_phone)
        ]
        emails = [
            _add_email(customer, address, new=True).address
            for address in _first_of_each(
                extra.emails, lambda text: normalise.normalise_email(clean_email(text))
            )
        ]
        # A batch asking how to reach them (the acknowledgement) need not read it back.
        batch.remember(
            contact_points_key(organisation_id, customer.pk),
            ContactPoints(
                email=emails[0] if emails else None,
                mobile=next(
                    (n for n in phones if normalise.line_type(n) == normalise.LineType.MOBILE),
                    None,
                ),
                postal=postal,
            ),
        )
        audit.record_change(
            customer,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Customer {customer.reference} created",
            changes={"phones": len(extra.phones), "emails": len(extra.emails)},
        )
    return customer


def update_customer(
    customer: Customer, *, by: User | None, version: int, details: CustomerDetails
) -> Customer:
    """Change the customer's details if nobody has changed them since ``version`` was read.

    A changed name keeps the old one as a previous name (still found by the desk search).
    """
    details = clean_details(details, today=_today())
    with transaction.atomic():
        current: Customer | None = (
            Customer.objects.for_organisation(customer.organisation_id)
            .filter(pk=customer.pk)
            .first()
        )
        if current is None or current.version != version:
            raise ServiceError(
                CustomerError.STALE_VERSION,
                _(
                    "Someone else changed this customer's details while you were editing. "
                    "Your changes have not been saved: check the details and make them again"
                ),
            )
        if current.is_merged:
            raise ServiceError(
                CustomerError.ALREADY_MERGED,
                _("This record was merged into another one: change that record instead"),
            )
        before = _snapshot(current)
        old_name, old_keys = (
            current.display_name,
            {
                "name_key": current.name_key,
                "given_soundex": current.given_soundex,
                "family_soundex": current.family_soundex,
            },
        )
        _apply(current, details)
        after = _snapshot(current)
        changes = audit.changed_fields(before, after)
        if not changes:
            return current
        updated = (
            Customer.objects.for_organisation(customer.organisation_id)
            .filter(pk=customer.pk, version=version)
            .update(
                **{name: getattr(current, name) for name in (*DETAIL_FIELDS, "display_name")},
                name_key=current.name_key,
                given_soundex=current.given_soundex,
                family_soundex=current.family_soundex,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
        )
        if updated != 1:  # changed between our read and our write
            raise ServiceError(
                CustomerError.STALE_VERSION,
                _(
                    "Someone else changed this customer's details while you were editing. "
                    "Your changes have not been saved: check the details and make them again"
                ),
            )
        if old_name != current.display_name and old_name:
            CustomerName.objects.create(
                organisation_id=current.organisation_id,
                customer=current,
                full_name=old_name,
                used_until=_today(),
                **old_keys,
            )
        current.refresh_from_db(fields=["version", "updated_at"])
        audit.record_change(
            current,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Customer {current.reference} changed",
            changes=changes,
        )
    return current


def add_previous_name(
    customer: Customer, *, by: User | None, full_name: str, used_until: datetime.date | None = None
) -> CustomerName:
    name = full_name.strip()
    if not name:
        raise _invalid(CustomerError.NAME_REQUIRED, _("Enter the previous name"), "full_name")
    if len(name) > 300:
        raise _invalid(
            CustomerError.TOO_LONG, _("Name must be 300 characters or fewer"), "full_name"
        )
    words = name.split()
    with transaction.atomic():
        previous: CustomerName = CustomerName.objects.create(
            organisation_id=customer.organisation_id,
            customer=customer,
            full_name=name,
            used_until=used_until,
            **_search_keys(" ".join(words[:1]), " ".join(words[1:]), name),
        )
        _bump(customer)
        audit.record_change(
            customer,
            by=by,
            action=AuditAction.CHANGED,
            summary="Previous name added",
            changes={"previous_name": [None, name]},
        )
    return previous


def _bump(customer: Customer) -> None:
    Customer.objects.for_organisation(customer.organisation_id).filter(pk=customer.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    customer.refresh_from_db(fields=["version", "updated_at"])


def add_address(customer: Customer, *, by: User | None, address: AddressDetails) -> Address:
    """A new current address (earlier ones stay as previous addresses)."""
    clean_address(address)
    with transaction.atomic():
        created = _add_address(customer, address)
        _bump(customer)
        audit.record_change(
            customer,
            by=by,
            action=AuditAction.CHANGED,
            summary="Address added",
            changes={"address": [None, str(created)]},
        )
    return created


def add_phone(
    customer: Customer, *, by: User | None, number: str, kind: str = PhoneKind.MOBILE
) -> Phone:
    clean_phone(number)
    with transaction.atomic():
        created = _add_phone(customer, number, kind)
        _bump(customer)
        audit.record_change(
            customer,
            by=by,
            action=AuditAction.CHANGED,
            summary="Phone number added",
            changes={"phone": [None, created.number]},
        )
    return created


def add_email(customer: Customer, *, by: User | None, address: str) -> Email:
    clean_email(address)
    with transaction.atomic():
        created = _add_email(customer, address)
        _bump(customer)
        audit.record_change(
            customer,
            by=by,
            action=AuditAction.CHANGED,
            summary="E-mail address added",
            changes={"email": [None, created.address]},
        )
    return created


# --- equality monitoring --------------------------------------------------------------------------
def save_equality_monitoring(
    customer: Customer, *, by: User | None, answers: dict[str, str]
) -> EqualityMonitoring:
    """Store the answers given.  A blank answer means "not asked this time" and never erases an
    answer already held: erasing special-category data is its own confirmed action
    (``erase_equality_monitoring``).  The audit records which questions changed, never the
    answers."""
    for name, value in answers.items():
        enum = EQUALITY_FIELDS.get(name)
        if enum is None or (value and value not in enum.values):
            raise _invalid(CustomerError.INVALID_CHOICE, _("Select an answer from the list"), name)
    given = {name: value for name, value in answers.items() if value}
    with transaction.atomic():
        record: EqualityMonitoring | None = (
            EqualityMonitoring.objects.for_organisation(customer.organisation_id)
            .filter(customer=customer)
            .first()
        )
        if record is None:
            record = EqualityMonitoring(organisation_id=customer.organisation_id, customer=customer)
        changed = sorted(name for name, value in given.items() if getattr(record, name) != value)
        for name, value in given.items():
            setattr(record, name, value)
        record.save()
        audit.record_change(
            customer,
            by=by,
            action=AuditAction.CHANGED,
            summary="Equality monitoring answers saved",
            changes={"questions_changed": changed},
        )
    return record


def erase_equality_monitoring(
    customer: Customer, *, by: User | None, questions: Sequence[str]
) -> list[str]:
    """Erase the answers to ``questions`` (the customer asked, or they were recorded in error).

    Audited as an erasure (``deleted``) naming the questions, never the answers.  Returns the
    questions that held an answer and were erased.
    """
    unknown = [name for name in questions if name not in EQUALITY_FIELDS]
    if unknown or not questions:
        raise _invalid(CustomerError.INVALID_CHOICE, _("Select the answers to erase"), "questions")
    with transaction.atomic():
        record: EqualityMonitoring | None = (
            EqualityMonitoring.objects.for_organisation(customer.organisation_id)
            .filter(customer=customer)
            .first()
        )
        erased = sorted(name for name in set(questions) if record and getattr(record, name))
        if record is None or not erased:
            raise _invalid(
                CustomerError.NOTHING_TO_ERASE,
                _("There is no answer to erase for the questions selected"),
                "questions",
            )
        for name in erased:
            setattr(record, name, "")
        record.save(update_fields=[*erased, "updated_at"])
        audit.record_change(
            customer,
            by=by,
            action=AuditAction.DELETED,
            summary="Equality monitoring answers erased",
            changes={"questions_erased": erased},
        )
    return erased


# --- warning markers ------------------------------------------------------------------------------
def _clean_marker(
    *,
    kind: str,
    guidance: str,
    reason: str,
    source: str,
    review_on: datetime.date,
    visible_to_roles: Iterable[str],
) -> dict[str, Any]:
    if kind not in MarkerKind.values:
        raise _invalid(CustomerError.INVALID_CHOICE, _("Select the type of warning"), "kind")
    values = {"guidance": guidance.strip(), "reason": reason.strip(), "source": source.strip()}
    messages = {
        "guidance": _("Enter what staff should do"),
        "reason": _("Enter the reason for the warning"),
        "source": _("Enter where the information came from"),
    }
    limits = {"guidance": 300, "reason": NOTE_LIMIT, "source": 200}
    for name, value in values.items():
        if not value:
            raise _invalid(CustomerError.NAME_REQUIRED, messages[name], name)
        if len(value) > limits[name]:
            raise _invalid(
                CustomerError.TOO_LONG,
                _("This must be %(limit)s characters or fewer") % {"limit": limits[name]},
                name,
            )
    if review_on <= _today():
        raise _invalid(
            CustomerError.INVALID_REVIEW_DATE,
            _("The review date must be in the future"),
            "review_on",
        )
    roles = sorted(set(visible_to_roles))
    unknown = [code for code in roles if code not in RoleCode.values]
    if unknown:
        raise _invalid(CustomerError.UNKNOWN_ROLE, _("Select roles from the list"), "roles")
    return {"kind": kind, **values, "review_on": review_on, "visible_to_roles": roles}


def add_marker(
    customer: Customer,
    *,
    by: User | None,
    kind: str,
    guidance: str,
    reason: str,
    source: str,
    review_on: datetime.date,
    visible_to_roles: Iterable[str],
) -> Marker:
    values = _clean_marker(
        kind=kind,
        guidance=guidance,
        reason=reason,
        source=source,
        review_on=review_on,
        visible_to_roles=visible_to_roles,
    )
    with transaction.atomic():
        marker: Marker = Marker.objects.create(
            organisation_id=customer.organisation_id, customer=customer, created_by=by, **values
        )
        audit.record_change(
            marker,
            by=by,
            action=AuditAction.CREATED,
            summary=f"Warning marker added to {customer.reference}",
            changes={"kind": marker.kind, "review_on": marker.review_on.isoformat()},
        )
    return marker


def review_marker(
    marker: Marker, *, by: User | None, review_on: datetime.date | None, end: bool = False
) -> Marker:
    """Keep the marker with a new review date, or end it."""
    with transaction.atomic():
        if end:
            marker.ended_on = _today()
            marker.save(update_fields=["ended_on", "updated_at"])
            summary = "Warning marker ended"
            changes: dict[str, Any] = {"ended_on": marker.ended_on.isoformat()}
        else:
            if review_on is None or review_on <= _today():
                raise _invalid(
                    CustomerError.INVALID_REVIEW_DATE,
                    _("The review date must be in the future"),
                    "review_on",
                )
            changes = {"review_on": [marker.review_on.isoformat(), review_on.isoformat()]}
            marker.review_on = review_on
            marker.save(update_fields=["review_on", "updated_at"])
            summary = "Warning marker reviewed"
        audit.record_change(
            marker, by=by, action=AuditAction.CHANGED, summary=summary, changes=changes
        )
    return marker


def record_marker_views(markers: Iterable[Marker], *, by: User, detail: bool) -> None:
    """Audit every display of a marker: the banner only, or the restricted detail."""
    shown = "detail" if detail else "banner"
    with transaction.atomic():
        for marker in markers:
            audit.record(
                organisation=marker.organisation_id,
                by=by,
                action=AuditAction.VIEWED,
                obj=marker,
                summary=f"Warning marker {shown} shown",
            )


# --- merge and unmerge ----------------------------------------------------------------------------
class MergeAction(StrEnum):
    """What a merge does with the rows of one relation to ``Customer``."""

    # The rows move to the kept record; an unmerge moves them back.
    MOVE = "move"
    # One row per customer: it moves unless the kept record has its own, in which case it stays
    # with the merged record (listed in the merge's audit record as left behind).
    MOVE_UNLESS_KEPT_HAS_ONE = "move-unless-kept-has-one"
    # The record of the merge itself: never moved.
    HISTORY = "history"


# Every relation to ``Customer`` in every app, with what a merge does with it.  A new relation
# must be added here (``merge_customers`` refuses to run, and tests/invariants/
# test_merge_coverage.py fails, until it is), so adding one forces a decision.
MERGE_POLICY: Final[Mapping[str, MergeAction]] = MappingProxyType(
    {
        "cases.case.customer": MergeAction.MOVE,
        "contacts.callback.customer": MergeAction.MOVE,
        "contacts.contact.customer": MergeAction.MOVE,
        "contacts.visitorticket.customer": MergeAction.MOVE,
        "documents.document.customer": MergeAction.MOVE,
        # A customer's comments, compliments and complaints follow the record kept.
        "feedback.feedback.customer": MergeAction.MOVE,
        # Restrictions on a customer's contact follow the record kept (the desk reads them).
        "feedback.contactrestriction.customer": MergeAction.MOVE,
        "customers.address.customer": MergeAction.MOVE,
        # Records merged earlier into the merged one now point at the kept one (no chains).
        "customers.customer.merged_into": MergeAction.MOVE,
        "customers.customername.customer": MergeAction.MOVE,
        "customers.email.customer": MergeAction.MOVE,
        "customers.equalitymonitoring.customer": MergeAction.MOVE_UNLESS_KEPT_HAS_ONE,
        "customers.marker.customer": MergeAction.MOVE,
        "customers.phone.customer": MergeAction.MOVE,
        # Messages sent to the customer and tasks about them follow the record kept.
        "notify.message.customer": MergeAction.MOVE,
        "notify.stafftask.customer": MergeAction.MOVE,
        "customers.customermerge.kept": MergeAction.HISTORY,
        "customers.customermerge.merged": MergeAction.HISTORY,
    }
)


def relations_to_customer() -> list[models.ForeignKey[Any, Any]]:
    """Every foreign key (or one-to-one, or many-to-many through-table key) pointing at
    ``Customer`` in any installed app, hidden ones (``related_name="+"``) included."""
    found: list[models.ForeignKey[Any, Any]] = []
    for rel in Customer._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete or rel.many_to_many:
            continue
        remote = getattr(rel, "field", None)
        if isinstance(remote, models.ForeignKey):
            found.append(remote)
    return sorted(found, key=relation_label)


def relation_label(field_: models.Field[Any, Any]) -> str:
    return f"{field_.model._meta.label_lower}.{field_.name}"


def relations_without_merge_policy() -> list[str]:
    """Relations to ``Customer`` that ``MERGE_POLICY`` does not name (should be none)."""
    return [
        label for label in map(relation_label, relations_to_customer()) if label not in MERGE_POLICY
    ]


def merge_relations() -> list[models.ForeignKey[Any, Any]]:
    """The relations a merge moves from the merged record to the kept one (fails closed: a
    relation without a policy raises ``ImproperlyConfigured``)."""
    missing = relations_without_merge_policy()
    if missing:
        raise ImproperlyConfigured(
            f"Add {', '.join(missing)} to customers.services.MERGE_POLICY: say what a merge "
            "does with it."
        )
    return [
        field_
        for field_ in relations_to_customer()
        if MERGE_POLICY[relation_label(field_)] is not MergeAction.HISTORY
    ]


def _rows(field_: models.ForeignKey[Any, Any], organisation_id: int) -> models.QuerySet[Any]:
    manager = field_.model._default_manager
    if isinstance(manager, OrganisationScopedManager):
        return manager.for_organisation(organisation_id)
    return manager.all()  # an auto-created many-to-many table: reached only by its key


def _move(
    field_: models.ForeignKey[Any, Any],
    organisation_id: int,
    source: int,
    target: int,
    only: Sequence[int] | None = None,
) -> tuple[list[int], list[int]]:
    """Point ``field_`` at ``target`` instead of ``source``: (moved ids, ids left behind).

    A row that would break a uniqueness rule on the target (e.g. a second equality monitoring
    record) stays with the source record.  Savepoints, not transactions, so the caller's one
    transaction still holds everything.
    """
    rows = _rows(field_, organisation_id).filter(**{field_.attname: source})
    if only is not None:
        rows = rows.filter(pk__in=list(only))
    ids = sorted(rows.values_list("pk", flat=True))
    if not ids:
        return [], []
    try:
        with transaction.atomic():
            rows.filter(pk__in=ids).update(**{field_.attname: target})
        return ids, []
    except IntegrityError:
        moved: list[int] = []
        left: list[int] = []
        for pk in ids:
            try:
                with transaction.atomic():
                    rows.filter(pk=pk).update(**{field_.attname: target})
                moved.append(pk)
            except IntegrityError:
                left.append(pk)
        return moved, left


def merge_customers(kept: Customer, merged: Customer, *, by: User | None) -> CustomerMerge:
    """Move everything that points at ``merged`` to ``kept``, and mark ``merged`` as merged.

    Every relation to ``Customer`` in every app is moved (found generically, so a new app's
    relations are covered without changing this function); the merge record lists the rows
    moved so that ``unmerge_customers`` can put them back until ``retained_until``.
    """
    if kept.organisation_id != merged.organisation_id:
        raise ServiceError(
            CustomerError.WRONG_ORGANISATION,
            _("Records of different organisations cannot be merged"),
        )
    if kept.pk == merged.pk:
        raise ServiceError(CustomerError.SAME_CUSTOMER, _("Choose two different records to merge"))
    organisation_id = kept.organisation_id
    for party in (kept, merged):  # their e-mails, numbers and addresses move
        _changed_contact_points(party, party.organisation_id)
    with transaction.atomic():
        locked = list(
            Customer.objects.for_organisation(organisation_id)
            .select_for_update(of=("self",))  # both records stay still while rows move
            .filter(pk__in=[kept.pk, merged.pk])
        )
        if any(customer.is_merged for customer in locked) or len(locked) != 2:
            raise ServiceError(
                CustomerError.ALREADY_MERGED,
                _("One of these records has already been merged: search again"),
            )
        moved: dict[str, list[int]] = {}
        left: dict[str, list[int]] = {}
        for field_ in merge_relations():
            label = relation_label(field_)
            moved_ids, left_ids = _move(field_, organisation_id, merged.pk, kept.pk)
            if moved_ids:
                moved[label] = moved_ids
            if left_ids:
                left[label] = left_ids
        now = timezone.now()
        calendar = calendar_for_organisation(kept.organisation)
        merge: CustomerMerge = CustomerMerge.objects.create(
            organisation_id=organisation_id,
            kept=kept,
            merged=merged,
            merged_at=now,
            merged_by=by,
            moved=moved,
            retained_until=clock.deadline(
                now, MERGE_RETENTION_MONTHS, clock.Unit.CALENDAR_MONTHS, calendar
            ),
        )
        Customer.objects.for_organisation(organisation_id).filter(pk=merged.pk).update(
            merged_into=kept.pk, version=F("version") + 1, updated_at=now
        )
        Customer.objects.for_organisation(organisation_id).filter(pk=kept.pk).update(
            version=F("version") + 1, updated_at=now
        )
        merged.refresh_from_db()
        kept.refresh_from_db()
        counts = {label: len(ids) for label, ids in moved.items()}
        audit.record_change(
            kept,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"{merged.reference} merged into {kept.reference}",
            changes={"merged": merged.pk, "moved": counts, "left_with_merged": left},
        )
        audit.record_change(
            merged,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Merged into {kept.reference}",
            changes={"merged_into": [None, kept.pk]},
        )
    return merge


def unmerge_customers(merge: CustomerMerge, *, by: User | None) -> CustomerMerge:
    """Undo a merge: the rows it moved go back to the merged record, which is active again."""
    if merge.undone_at is not None:
        raise ServiceError(CustomerError.ALREADY_UNMERGED, _("This merge has already been undone"))
    now = timezone.now()
    if now > merge.retained_until:
        raise ServiceError(
            CustomerError.MERGE_EXPIRED,
            _("This merge can no longer be undone: its record was kept until %(date)s")
            % {"date": dates.govuk_date(merge.retained_until)},
        )
    organisation_id = merge.organisation_id
    by_label = {relation_label(field_): field_ for field_ in relations_to_customer()}
    for party in (merge.kept_id, merge.merged_id):
        _changed_contact_points(party, merge.organisation_id)
    with transaction.atomic():
        returned: dict[str, int] = {}
        for label, ids in merge.moved.items():
            field_ = by_label.get(label)
            if field_ is None:
                continue  # the relation no longer exists (its app was removed)
            moved_back, _left = _move(
                field_, organisation_id, merge.kept_id, merge.merged_id, only=ids
            )
            returned[label] = len(moved_back)
        Customer.objects.for_organisation(organisation_id).filter(pk=merge.merged_id).update(
            merged_into=None, version=F("version") + 1, updated_at=now
        )
        Customer.objects.for_organisation(organisation_id).filter(pk=merge.kept_id).update(
            version=F("version") + 1, updated_at=now
        )
        merge.undone_at = now
        merge.undone_by = by
        merge.save(update_fields=["undone_at", "undone_by"])
        merged = Customer.objects.for_organisation(organisation_id).get(pk=merge.merged_id)
        audit.record_change(
            merged,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"Merge into customer {merge.kept_id} undone",
            changes={"returned": returned, "merge": merge.pk},
        )
    return merge


def details_of(customer: Customer) -> CustomerDetails:
    """The customer's current details (to pre-fill an edit form)."""
    values = {name: getattr(customer, name) for name in DETAIL_FIELDS}
    business = customer.display_name if customer.kind != CustomerKind.PERSON else ""
    return CustomerDetails(**values, business_name=business)


def details_dict(details: CustomerDetails) -> dict[str, Any]:
    return asdict(details)

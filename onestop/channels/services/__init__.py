"""Every write of the channels app: mailboxes, and receiving one e-mail.

``receive_message`` is the one door for inbound mail: the MTA-pipe command (``onestop
mail-receive``) and the SMTP/LMTP server (``onestop mail-serve``) both call it.  It runs in one
transaction: the ``InboundMessage`` row is written first (so a redelivery of the same bytes meets
the unique rule and changes nothing), then the case, customer and contact, then the row's
outcome.  Everything is written by the public (``by=None``) through the other apps' services,
so their audit records and timeline events are the same as at the desk.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.cases import services as case_services
from onestop.cases.errors import InvalidTransition
from onestop.cases.models import REFERENCE_PREFIXES, Case, CaseType, LinkKind, Source
from onestop.cases.models import Status as CaseStatus
from onestop.channels import mail
from onestop.channels.errors import ChannelError, MailRefused
from onestop.channels.models import InboundMessage, MailAddress, Mailbox, MessageOutcome
from onestop.contacts import queries as contact_queries
from onestop.contacts import services as contact_services
from onestop.contacts.models import Channel, Contact, Direction
from onestop.contacts.models import Outcome as ContactOutcome
from onestop.core import audit, references
from onestop.core import batch as core_batch
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers import queries as customer_queries
from onestop.customers import services as customer_services
from onestop.customers.models import Customer, Email
from onestop.directory import queries as directory_queries
from onestop.feedback.models import Feedback
from onestop.notify.services import callbacks as notify_callbacks
from onestop.notify.services import reply_address

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
TRUNCATED = "\n\n[" + "The message was longer: the whole e-mail is kept with the case's mail." + "]"
NAME_LIMIT = 200
UNKNOWN_FAMILY_NAME = "(not given)"

# sysexits.h: what the MTA-pipe command exits with.
EX_OK = 0
EX_DATAERR = 65
EX_NOUSER = 67
EX_TEMPFAIL = 75

_CASE_PREFIXES = frozenset(REFERENCE_PREFIXES.values())


def max_bytes() -> int:
    """The largest message taken (``ONESTOP_MAIL_MAX_BYTES``, 10 MiB by default)."""
    return int(getattr(settings, "ONESTOP_MAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- mailboxes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MailboxInput:
    address: str
    name: str
    case_type: CaseType | None
    is_active: bool = True
    files_feedback: bool = False  # the organisation's feedback mailbox


def _invalid(code: ChannelError, message: str, field: str | None = None) -> ServiceError:
    return ServiceError(code, message, field=field)


def normalise_address(text: str) -> str:
    """An address as mailboxes store and match it: trimmed and lower case."""
    return text.strip().lower()


def _refuse_unverified_domain(address: str, *, organisation_id: int) -> None:
    """The address must be on one of the organisation's own verified mail domains.  The answer
    is the same whether or not another organisation has the domain, so it reveals nothing."""
    domain = address.rsplit("@", 1)[1]
    verified = directory_queries.verified_mail_domains(organisation_id)
    if domain in verified:
        return
    if verified:
        message = _(
            "The address must be on one of your organisation's verified mail domains: "
            "%(domains)s. An administrator can add a domain under Directory, Mail domains"
        ) % {"domains": ", ".join(verified)}
    else:
        message = _(
            "Your organisation has no verified mail domain yet. An administrator can add one "
            "under Directory, Mail domains"
        )
    raise _invalid(ChannelError.DOMAIN_NOT_VERIFIED, message, "address")


def clean_mailbox(values: MailboxInput, *, organisation_id: int) -> MailboxInput:
    """``values`` checked, or ``ServiceError`` naming the field to fix (nothing is saved)."""
    address = normalise_address(values.address)
    if not address:
        raise _invalid(ChannelError.INVALID_ADDRESS, _("Enter the mailbox's address"), "address")
    bad_address = _invalid(
        ChannelError.INVALID_ADDRESS,
        _("Enter an email address in the correct format, like waste@council.gov.uk"),
        "address",
    )
    if len(address) > 254 or "\x00" in address:
        raise bad_address
    try:
        validate_email(address)
    except ValidationError:
        raise bad_address from None
    if "+" in address.split("@", 1)[0]:
        raise _invalid(
            ChannelError.INVALID_ADDRESS,
            _("The address must not contain “+”: mail to waste+anything@ reaches waste@"),
            "address",
        )
    name = values.name.strip()
    if not name:
        raise _invalid(ChannelError.NAME_REQUIRED, _("Enter a name for the mailbox"), "name")
    if len(name) > NAME_LIMIT:
        raise _invalid(
            ChannelError.TOO_LONG,
            _("The name must be %(limit)s characters or fewer") % {"limit": NAME_LIMIT},
            "name",
        )
    if mail.clean_line(name, NAME_LIMIT) != name:
        raise _invalid(
            ChannelError.INVALID_TEXT,
            _("The name must not contain control characters"),
            "name",
        )
    case_type = values.case_type
    if case_type is None:
        raise _invalid(
            ChannelError.UNSUITABLE_CASE_TYPE, _("Select what new mail raises"), "case_type"
        )
    if case_type.organisation_id != organisation_id:
        raise _invalid(
            ChannelError.WRONG_ORGANISATION,
            _("Choose one of your organisation's own case types"),
            "case_type",
        )
    if not case_type.is_active:
        raise _invalid(
            ChannelError.UNSUITABLE_CASE_TYPE,
            _("%(type)s is no longer in use: choose another") % {"type": case_type.name},
            "case_type",
        )
    if required_questions(case_type):
        raise _invalid(
            ChannelError.UNSUITABLE_CASE_TYPE,
            _(
                "%(type)s has questions that must be answered, and an e-mail cannot answer "
                "them: choose a type without required questions"
            )
            % {"type": case_type.name},
            "case_type",
        )
    _refuse_unverified_domain(address, organisation_id=organisation_id)
    return MailboxInput(
        address=address,
        name=name,
        case_type=case_type,
        is_active=values.is_active,
        files_feedback=values.files_feedback,
    )


def required_questions(case_type: CaseType) -> list[str]:
    return [
        str(question.get("code", ""))
        for question in case_type.attributes or []
        if isinstance(question, dict) and question.get("required")
    ]


def _refuse_second_feedback_mailbox(organisation: Organisation, mailbox: Mailbox | None) -> None:
    """An organisation has one feedback mailbox (the constraint holds it; this says so)."""
    others = Mailbox.objects.for_organisation(organisation).filter(files_feedback=True)
    if mailbox is not None:
        others = others.exclude(pk=mailbox.pk)
    other = others.first()
    if other is not None:
        raise _invalid(
            ChannelError.FEEDBACK_MAILBOX_TAKEN,
            _("%(address)s is already your feedback mailbox: change that one first")
            % {"address": other.address},
            "files_feedback",
        )


def save_mailbox(
    organisation: Organisation,
    *,
    by: User | None,
    values: MailboxInput,
    mailbox: Mailbox | None = None,
) -> Mailbox:
    """Add a mailbox (``mailbox`` None) or change one; its address must be free everywhere."""
    if mailbox is not None and mailbox.organisation_id != organisation.pk:
        raise _invalid(ChannelError.WRONG_ORGANISATION, _("There is no such mailbox"))
    values = clean_mailbox(values, organisation_id=organisation.pk)
    if values.files_feedback:
        _refuse_second_feedback_mailbox(organisation, mailbox)
    taken = _invalid(
        ChannelError.ADDRESS_TAKEN,
        _("That address is already used by another mailbox: choose another"),
        "address",
    )
    with transaction.atomic():
        before = {}
        if mailbox is None:
            mailbox = Mailbox(organisation=organisation)
        else:
            before = {
                "address": mailbox.address,
                "name": mailbox.name,
                "case_type": mailbox.case_type_id,
                "is_active": mailbox.is_active,
                "files_feedback": mailbox.files_feedback,
            }
        try:
            # The claim on the address is what keeps it unique across organisations.
            with transaction.atomic():
                if mailbox.claim_id is None:
                    mailbox.claim = MailAddress.objects.create(address=values.address)
                elif mailbox.address != values.address:
                    MailAddress.objects.filter(pk=mailbox.claim_id).update(address=values.address)
                mailbox.address = values.address
                mailbox.name = values.name
                mailbox.case_type = values.case_type  # type: ignore[assignment]  # checked
                mailbox.is_active = values.is_active
                mailbox.files_feedback = values.files_feedback
                if before:
                    mailbox.save(
                        update_fields=[
                            "address",
                            "name",
                            "case_type",
                            "is_active",
                            "files_feedback",
                            "updated_at",
                        ]
                    )
                else:
                    mailbox.save(force_insert=True)
        except IntegrityError:
            for name, value in before.items():  # leave the caller's object as it was
                setattr(mailbox, f"{name}_id" if name == "case_type" else name, value)
            raise taken from None
        after = {
            "address": mailbox.address,
            "name": mailbox.name,
            "case_type": mailbox.case_type_id,
            "is_active": mailbox.is_active,
            "files_feedback": mailbox.files_feedback,
        }
        audit.record(
            organisation=organisation,
            by=by,
            action=AuditAction.CHANGED if before else AuditAction.CREATED,
            obj=mailbox,
            summary=f"Mailbox {mailbox.address} {'changed' if before else 'added'}",
            changes=audit.changed_fields(before, after) if before else after,
        )
    return mailbox


# --- inbound mail ---------------------------------------------------------------------------------
def mailbox_for(recipient: str) -> Mailbox | None:
    """The active mailbox of an active organisation for ``recipient`` (case-insensitive).

    A ``+tag`` on the local part is ignored (``waste+bins@`` reaches ``waste@``), as Postfix's
    ``recipient_delimiter`` does; mailbox addresses themselves cannot contain ``+``.  A mailbox
    on a domain another organisation has verified takes nothing.
    """
    return mailboxes_for([recipient])[recipient]


def _candidates(recipient: str) -> tuple[str, list[str]] | None:
    """``recipient``'s domain and the mailbox addresses it may reach, the exact one first;
    ``None`` when it is not an address."""
    address = normalise_address(recipient).strip("<>")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or len(address) > 254:
        return None
    if mail.clean_line(address, 254) != address:  # controls, NUL, spaces: not an address
        return None
    candidates = [address]
    if "+" in local:
        candidates.append(f"{local.split('+', 1)[0]}@{domain}")
    return domain, candidates


def mailboxes_for(recipients: list[str]) -> dict[str, Mailbox | None]:
    """``mailbox_for`` of each of ``recipients``, the mailboxes read in one statement (the IMAP
    poller's batch asks once for all its messages' senders)."""
    wanted = {recipient: _candidates(recipient) for recipient in recipients}
    addresses = sorted({a for found in wanted.values() if found for a in found[1]})
    by_address: dict[str, Mailbox] = {}
    if addresses:
        rows = Mailbox.objects.unscoped(
            "inbound mail is routed by its recipient, across organisations"
        ).filter(address__in=addresses, is_active=True, organisation__is_active=True)
        by_address = {row.address: row for row in rows.select_related("organisation", "case_type")}
    answers: dict[str, Mailbox | None] = {}
    for recipient, found in wanted.items():
        mailbox = None
        if found is not None:
            domain, candidates = found
            # The exact address before the untagged one.
            mailbox = next((by_address[a] for a in candidates if a in by_address), None)
            if mailbox is not None and directory_queries.domain_verified_elsewhere(
                domain, organisation_id=mailbox.organisation_id
            ):
                # A mailbox made before mail domains were verified, on a domain another
                # organisation has since proven: that organisation's mail is not this one's.
                mailbox = None
        answers[recipient] = mailbox
    return answers


def find_mailbox(recipient: str) -> Mailbox:
    """``mailbox_for`` or ``MailRefused`` (550 5.1.1, exit 67): nothing is kept."""
    found = mailbox_for(recipient)
    if found is None:
        raise MailRefused(
            ChannelError.UNKNOWN_MAILBOX,
            _("There is no mailbox at this address"),
            smtp="550 5.1.1 No such mailbox here",
            exit_code=EX_NOUSER,
        )
    return found


def case_reference_in(text: str, organisation_id: int) -> Case | None:
    """The first case of ``organisation_id`` whose reference appears in ``text``.

    References are read as the desk reads them (``SR-26-00011``, ``sr 26 00011``, O for 0);
    another organisation's reference, or a mistyped one, is just text.
    """
    for reference in references.references_in(text[:1000], _CASE_PREFIXES):
        case: Case | None = (
            Case.objects.for_organisation(organisation_id)
            .filter(reference=reference)
            .select_related("case_type", "customer")
            .first()
        )
        if case is not None:
            return case
    return None


def case_for_reply_address(recipient: str, mailbox: Mailbox) -> Case | None:
    """The case a signed reply address (``<mailbox>+<reference>.<signature>@``) names, when the
    signature is this organisation's and the case is its own; otherwise ``None``.

    An address whose tag is shaped like a signed one but does not verify (altered, forged, or
    another organisation's) is logged and treated as the plain mailbox address."""
    tag = reply_address.signed_tag(recipient)
    if tag is None:
        return None
    reference = reply_address.verify(recipient, organisation_id=mailbox.organisation_id)
    if reference is None:
        logger.warning(
            "Reply address with a signature that does not verify, for mailbox %s (reference %s)",
            mailbox.pk,
            tag.reference[:20],
        )
        return None
    case: Case | None = (
        Case.objects.for_organisation(mailbox.organisation_id)
        .filter(reference=reference)
        .select_related("case_type", "customer")
        .first()
    )
    return case


def _description(parsed: mail.ParsedMail) -> str:
    text = parsed.text
    if parsed.attachments:
        names = ", ".join(parsed.attachments)
        text += "\n\n" + _("Attachments (kept with the e-mail): %(names)s") % {"names": names}
    if parsed.parts_skipped:
        text += "\n\n" + _("Some parts of the message were not read (too many or too deep).")
    limit = case_services.TEXT_LIMIT
    if len(text) > limit:
        text = text[: limit - len(TRUNCATED)].rstrip() + TRUNCATED
    return text.strip()


def _title(parsed: mail.ParsedMail) -> str:
    title = parsed.subject.strip()
    if not title:
        who = parsed.sender or _("an unknown sender")
        title = _("E-mail from %(sender)s") % {"sender": who}
    return title[: case_services.TITLE_LIMIT]


def _valid_sender(parsed: mail.ParsedMail) -> str:
    if not parsed.sender:
        return ""
    try:
        return customer_services.clean_email(parsed.sender)
    except ServiceError:
        return ""


def _customer_for(
    organisation: Organisation, parsed: mail.ParsedMail, batch: MessageBatch | None = None
) -> Customer | None:
    """The one customer of the organisation with the sender's address, or a new customer.

    A From address can be forged, so mail never attaches itself to one of two customers who
    share an address; a new customer is made instead and staff can merge.  Whoever really owns
    the address is the only one the acknowledgement reaches, so a forger learns nothing.
    ``batch``: the owners were read for the whole batch (and are kept up to date here).
    """
    address = _valid_sender(parsed)
    if not address:
        return None
    key = customer_queries.email_key(address)
    if batch is not None:
        owners = batch.owners.get(key, [])
        if len(owners) == 1 and owners[0] in batch.customers:
            return batch.customers[owners[0]]
    else:
        owners = customer_queries.email_owners(organisation.pk, [key]).get(key, [])
        if len(owners) == 1:
            found = customer_queries.customers_by_id(organisation.pk, owners).get(owners[0])
            if found is not None:
                return found
    words = parsed.sender_name.replace('"', " ").split()
    words = [word for word in words if "@" not in word]
    given = words[0] if words else address.split("@", 1)[0]
    family = " ".join(words[1:]) if len(words) > 1 else UNKNOWN_FAMILY_NAME
    customer = customer_services.create_customer(
        organisation,
        by=None,
        details=customer_services.CustomerDetails(
            given_name=given[:150], family_name=family[:150], preferred_channel="email"
        ),
        contact_details=customer_services.ContactDetails(emails=(address,)),
    )
    if batch is not None:  # the batch's next message from this address finds them
        batch.owners[key] = [*batch.owners.get(key, []), customer.pk][:2]
        batch.customers[customer.pk] = customer
        # Made just now: no restriction on their contact can be in force.
        batch.unrestricted.add(customer.pk)
    return customer


def _log_contact(
    organisation: Organisation,
    customer: Customer | None,
    parsed: mail.ParsedMail,
    at: datetime.datetime,
    *,
    about: str = "",
    batch: MessageBatch | None = None,
) -> Contact:
    free = batch is not None and customer is not None and customer.pk in batch.unrestricted
    return contact_services.log_contact(
        organisation,
        by=None,
        customer=customer,
        rules=[] if free else None,
        values=contact_services.ContactInput(
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            received_at=at,
            outcome="" if about else ContactOutcome.REQUEST_RAISED,
            notes=(_("E-mail: %(subject)s") % {"subject": parsed.subject})[
                : contact_services.NOTES_LIMIT
            ],
            about_reference=about,
        ),
    )


def _raise(
    mailbox: Mailbox,
    parsed: mail.ParsedMail,
    at: datetime.datetime,
    batch: MessageBatch | None = None,
) -> tuple[Case, Contact]:
    organisation = mailbox.organisation
    customer = _customer_for(organisation, parsed, batch)
    contact = _log_contact(organisation, customer, parsed, at, batch=batch)
    case = case_services.raise_case(
        organisation,
        by=None,
        case_type_code=mailbox.case_type.code,
        title=_title(parsed),
        description=_description(parsed),
        customer=customer,
        contact=contact,
        source=Source.EMAIL,
        received_at=at,
    )
    return case, contact


def _thread(
    mailbox: Mailbox,
    parsed: mail.ParsedMail,
    case: Case,
    at: datetime.datetime,
    batch: MessageBatch | None = None,
) -> tuple[str, str, Case, Contact]:
    """File the reply on ``case`` or, when it is finished, raise a new case linked to it."""
    customer = case.customer
    sender = customer_queries.email_key(_valid_sender(parsed)) if parsed.sender else ""
    from_customer = bool(
        customer is not None
        and sender
        and Email.objects.for_organisation(case.organisation_id)
        .filter(customer=customer, address_key=sender)
        .exists()
    )
    if not from_customer:
        customer = None
    # References are sequential and guessable, and a From address can be forged: the note says
    # who sent it, and only the customer's own address puts a waiting case back to work.
    who = parsed.sender or _("an unknown sender")
    heading = _("From %(sender)s") % {"sender": who}
    if not from_customer:
        heading += " " + _("(not the customer's address)")
    body = _description(parsed) or parsed.subject or _("(The e-mail had no text.)")
    text = f"{heading}\n\n{body}"
    if len(text) > case_services.TEXT_LIMIT:
        text = text[: case_services.TEXT_LIMIT - len(TRUNCATED)].rstrip() + TRUNCATED
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        try:
            case_services.record_customer_message(
                case, channel=Channel.EMAIL, text=text, received_at=at, resume=from_customer
            )
        except InvalidTransition:
            pass
        else:
            contact = _log_contact(
                mailbox.organisation, customer, parsed, at, about=case.reference, batch=batch
            )
            return MessageOutcome.THREADED, "", case, contact
    new_case, contact = _raise(mailbox, parsed, at, batch)
    case_services.link_cases(new_case, by=None, other=case, kind=LinkKind.RELATED_TO)
    reason = f"Reply to finished case {case.reference}: new case linked to it"
    return MessageOutcome.RAISED, reason, new_case, contact


def _duplicate_of(mailbox: Mailbox, sha256: str) -> InboundMessage | None:
    """The message already kept in this mailbox that this one repeats byte for byte.

    A redelivery (an MTA retrying after a lost answer) is the same bytes; anything else is a
    new message and is kept, whatever its Message-ID and From say: both are the sender's to
    choose, and a Message-ID longer than the column is cut, so neither identifies a message."""
    rows = InboundMessage.objects.for_organisation(mailbox.organisation_id).filter(
        mailbox=mailbox, sha256=sha256
    )
    found: InboundMessage | None = rows.order_by("pk").first()
    return found


def _duplicate(original: InboundMessage) -> InboundMessage:
    """What a redelivery answers: the original's outcome is not repeated, nothing is written.

    A refused original is refused again, so the sender's server keeps telling them no.
    """
    if original.outcome == MessageOutcome.REFUSED:
        return original
    return InboundMessage(
        organisation_id=original.organisation_id,
        mailbox=original.mailbox,
        message_id=original.message_id,
        sender=original.sender,
        subject=original.subject,
        received_at=original.received_at,
        size=original.size,
        sha256=original.sha256,
        outcome=MessageOutcome.DUPLICATE,
        reason_code=original.reason_code,
        reason=f"Already received as e-mail {original.pk} ({original.outcome})",
        case=original.case,
        contact=original.contact,
    )


def _from_ourselves(
    parsed: mail.ParsedMail, envelope_sender: str | None, batch: MessageBatch | None = None
) -> bool:
    """Whether the From address or the envelope sender is one of our own mailboxes: a message
    between two mailboxes would otherwise raise cases back and forth."""
    addresses = [a for a in (parsed.sender, envelope_sender or "") if a and "@" in a]
    if batch is not None and all(a in batch.ours for a in addresses):
        return any(batch.ours[a] for a in addresses)
    return any(mailbox_for(address) is not None for address in addresses)


@dataclass
class _Read:
    """One message's bytes as ``receive_message`` reads them before writing anything."""

    sha256: str
    parsed: mail.ParsedMail
    refusal: tuple[str, str] | None


def _read(raw: bytes, envelope_sender: str | None) -> _Read:
    """Hash and parse ``raw`` (``MailRefused`` when it is too big: nothing is kept)."""
    if len(raw) > max_bytes():
        raise MailRefused(
            ChannelError.TOO_BIG,
            _("The message is larger than %(limit)s bytes") % {"limit": max_bytes()},
            smtp="552 5.3.4 Message too big",
            exit_code=EX_DATAERR,
        )
    sha256 = hashlib.sha256(raw).hexdigest()
    refusal: tuple[str, str] | None = None
    parsed = mail.ParsedMail()
    if not raw.strip():
        # Nothing but (perhaps) blank lines: no sender, no subject, nothing to raise a case on.
        refusal = (ChannelError.UNPARSEABLE, "unparseable: the message is empty")
    elif mail.header_section_size(raw) > mail.MAX_HEADER_BYTES:
        refusal = (
            ChannelError.HEADERS_TOO_BIG,
            f"The header section is larger than {mail.MAX_HEADER_BYTES} bytes",
        )
    else:
        try:
            parsed = mail.parse(raw, envelope_sender=envelope_sender)
        except Exception as error:  # RecursionError and any other parser failure
            # Thousands of nested parts or comments exhaust the standard library's recursion:
            # keep the bytes, refused, so staff can see them and the sender is told no.
            refusal = (
                ChannelError.UNPARSEABLE,
                f"unparseable: the message could not be read ({type(error).__name__})",
            )
    return _Read(sha256=sha256, parsed=parsed, refusal=refusal)


@dataclass
class MessageBatch:
    """What a batch of messages to one mailbox reads once for them all, before the first is
    received (``prepare_batch``), and keeps up to date as they are: the messages parsed, those
    already kept (by SHA-256), whether each sender is one of our mailboxes, and the customers
    who own each sender's address.  Four statements for the batch instead of four per message.
    Then for the customers found: those with no restriction on their contact
    (``unrestricted``, kept up to date with the customers the batch makes) and how each can be
    reached (remembered in the ``core.batch`` for the acknowledgements), in one statement per
    guard and three for all.

    Only for a batch received all or nothing in one transaction (the IMAP poller's quick way,
    ``core.batch.without_savepoints``): a message rolled back alone would leave its customer
    here for the next message from that address."""

    mailbox: Mailbox
    envelope_sender: str | None
    read: dict[bytes, _Read] = field(default_factory=dict)
    kept: dict[str, InboundMessage] = field(default_factory=dict)
    ours: dict[str, bool] = field(default_factory=dict)
    owners: dict[str, list[int]] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    unrestricted: set[int] = field(default_factory=set)


def prepare_batch(
    mailbox: Mailbox, raws: list[bytes], *, envelope_sender: str | None = None
) -> MessageBatch:
    """Read what ``receive_message(raw, ..., batch=)`` needs for each of ``raws`` (to
    ``mailbox``, all with ``envelope_sender``) in one statement per kind, inside the batch's
    transaction.  Messages too big are left out (``receive_message`` refuses them)."""
    batch = MessageBatch(mailbox=mailbox, envelope_sender=envelope_sender)
    for raw in raws:
        try:
            batch.read[raw] = _read(raw, envelope_sender)
        except MailRefused:
            continue
    digests = sorted({read.sha256 for read in batch.read.values()})
    if digests:
        for row in (
            InboundMessage.objects.for_organisation(mailbox.organisation_id)
            .filter(mailbox=mailbox, sha256__in=digests)
            .order_by("pk")
        ):
            batch.kept.setdefault(row.sha256, row)
    senders = {
        address
        for read in batch.read.values()
        for address in (read.parsed.sender, envelope_sender or "")
        if address and "@" in address
    }
    found = mailboxes_for(sorted(senders))
    batch.ours = {address: mailbox is not None for address, mailbox in found.items()}
    keys = {
        customer_queries.email_key(address)
        for read in batch.read.values()
        if read.refusal is None and (address := _valid_sender(read.parsed))
    }
    batch.owners = customer_queries.email_owners(mailbox.organisation_id, keys)
    batch.customers = customer_queries.customers_by_id(
        mailbox.organisation_id,
        [owners[0] for owners in batch.owners.values() if len(owners) == 1],
    )
    found_ids = sorted(batch.customers)
    if found_ids:
        batch.unrestricted = contact_queries.without_rules(mailbox.organisation_id, found_ids)
        customer_queries.remember_contact_points(mailbox.organisation_id, found_ids)
    return batch


def receive_message(
    raw: bytes,
    *,
    recipient: str,
    envelope_sender: str | None = None,
    received_at: datetime.datetime | None = None,
    mailbox: Mailbox | None = None,
    batch: MessageBatch | None = None,
) -> InboundMessage:
    """Take one e-mail for ``recipient``: raise a case, thread a reply, or record why not.

    ``envelope_sender`` is the SMTP ``MAIL FROM`` ("" for a bounce's null sender, ``None`` when
    the caller does not know it).  Raises ``MailRefused`` when nothing is kept (no such mailbox,
    too big).  Returns the kept ``InboundMessage``; for a redelivery of a message already kept
    in the mailbox (the same bytes), an unsaved one with outcome
    ``duplicate`` pointing at the original's case.  A refused outcome (kept, with its reason)
    means the sender should be told no.

    ``mailbox``: what ``find_mailbox(recipient)`` answered, when the caller has just asked it
    (the IMAP poller asks once per batch of messages to the same mailbox, inside the batch's
    transaction); ``None`` asks it here.

    ``batch``: what ``prepare_batch`` read for this message's batch (the IMAP poller's quick
    way: all or nothing in one transaction).  The same records are written as without it, with
    fewer statements: the lookups come from the batch, and the message's row is written once,
    with its outcome, after its case (it is not needed before: the batch's transaction holds
    the mailbox's reading, and a redelivery meeting the unique rule fails the whole batch, which
    is taken again without ``batch``).
    """
    if batch is not None:
        mailbox = batch.mailbox
        envelope_sender = batch.envelope_sender
    elif mailbox is None:
        mailbox = find_mailbox(recipient)
    read = batch.read.get(raw) if batch is not None else None
    if read is None:
        read = _read(raw, envelope_sender)
    at = received_at or timezone.now()
    sha256, parsed, refusal = read.sha256, read.parsed, read.refusal
    original = batch.kept.get(sha256) if batch is not None else _duplicate_of(mailbox, sha256)
    if original is not None:
        return _duplicate(original)
    try:
        with transaction.atomic():
            message = InboundMessage(
                organisation_id=mailbox.organisation_id,
                mailbox=mailbox,
                message_id=parsed.message_id,
                envelope_sender=mail.clean_line(envelope_sender or "", 254),
                sender=parsed.sender,
                sender_name=parsed.sender_name,
                subject=parsed.subject,
                received_at=at,
                size=len(raw),
                sha256=sha256,
                raw=raw,
                outcome=MessageOutcome.REFUSED,
            )
            if batch is None:
                message.save(force_insert=True)
            _process(
                message,
                mailbox,
                parsed,
                at,
                refusal=refusal,
                loop=_from_ourselves(parsed, envelope_sender, batch),
                recipient=recipient,
                batch=batch,
            )
    except IntegrityError:
        # The same bytes arrived twice at once: the other delivery kept them.
        original = _duplicate_of(mailbox, sha256)
        if original is None:
            raise
        return _duplicate(original)
    if batch is not None:
        batch.kept.setdefault(sha256, message)
    return message


def _process(
    message: InboundMessage,
    mailbox: Mailbox,
    parsed: mail.ParsedMail,
    at: datetime.datetime,
    *,
    refusal: tuple[str, str] | None,
    loop: bool = False,
    recipient: str = "",
    batch: MessageBatch | None = None,
) -> None:
    """Decide the message's outcome and write it (inside ``receive_message``'s transaction;
    with ``batch``, the message's row is inserted here, with its outcome)."""
    case: Case | None = None
    contact: Contact | None = None
    filed: Feedback | None = None  # a feedback mailbox's mail
    reason = ""
    code = ""
    outcome: str
    if refusal is not None:
        outcome = MessageOutcome.REFUSED
        code, reason = refusal
    elif loop:
        outcome = MessageOutcome.IGNORED_AUTO_REPLY
        reason = "Sent from one of our own mailboxes (a mail loop)"
    elif parsed.automatic:
        outcome = MessageOutcome.IGNORED_AUTO_REPLY
        reason = parsed.automatic[:300]
        # A bounce of e-mail we sent marks that message not delivered (notify matches it).
        bounced = notify_callbacks.record_bounce(
            bytes(message.raw), organisation_id=mailbox.organisation_id
        )
        if bounced:
            reason = f"{reason}; not delivered: " + ", ".join(f"onestop-{n}" for n in bounced)
    elif mailbox.files_feedback:
        from onestop.channels.services import feedback_mail  # it reads this module's helpers

        outcome, code, reason, filed, contact = feedback_mail.receive(mailbox, parsed, at)
    else:
        # The signed reply address first (it cannot be forged), then a reference in the subject.
        earlier = case_for_reply_address(recipient, mailbox) or case_reference_in(
            parsed.subject, mailbox.organisation_id
        )
        try:
            with transaction.atomic():
                if earlier is not None:
                    outcome, reason, case, contact = _thread(mailbox, parsed, earlier, at, batch)
                else:
                    case, contact = _raise(mailbox, parsed, at, batch)
                    outcome = MessageOutcome.RAISED
        except ServiceError as error:
            # A mailbox whose case type was retired or given required questions since: keep the
            # mail, refuse it, and let staff see why.
            outcome, case, contact = MessageOutcome.REFUSED, None, None
            code = ChannelError.CANNOT_RAISE
            reason = f"No case could be raised: {error.message}"[:300]
    message.outcome = outcome
    message.reason_code = code
    message.reason = reason[:300]
    message.case = case
    message.contact = contact
    message.feedback = filed
    if batch is not None:
        core_batch.insert(message)  # with the batch's others (``core.batch.deferred_inserts``)
    else:
        message.save(
            update_fields=["outcome", "reason_code", "reason", "case", "contact", "feedback"]
        )
    audit.record(
        organisation=message.organisation_id,
        by=None,
        action=AuditAction.CREATED,
        obj=message,
        summary=f"E-mail to {mailbox.address}: {outcome}",
        changes={
            "outcome": outcome,
            "case": case.reference if case else None,
            "feedback": filed.reference if filed else None,
            "size": message.size,
            "sha256": message.sha256,
        },
    )

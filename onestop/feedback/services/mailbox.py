"""The feedback mailbox (fb-public): mail to the organisation's feedback mailbox files into a
feedback record, and a reply quoting its reference is added to it.  ``channels`` (above
feedback in the layers) receives the mail, matches the customer and calls these services; the
kind comes from the subject's words, or stays unclassified for an officer to classify."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils.translation import gettext as _

from onestop.contacts.models import Channel, Contact
from onestop.core.models import AuditAction, Organisation, User
from onestop.customers.models import Customer
from onestop.feedback import queries
from onestop.feedback.errors import FeedbackError
from onestop.feedback.models import TEXT_LIMIT, Feedback, FeedbackEvent, Kind, Status
from onestop.feedback.services import (
    EventCode,
    FeedbackInput,
    _audit,
    _event,
    _open_stage,
    _refuse,
    record_feedback,
)

SUBJECT_LIMIT = 300
TRUNCATED = "\n[…]"

# Words of a subject that say what kind of feedback it is, in English and Welsh; the first kind
# in this order that a subject names wins (a "complaint about a compliment" is a complaint).
_SUBJECT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Kind.COMPLAINT, ("complaint", "complain", "complaining", "cwyn", "cwyno")),
    (Kind.COMPLIMENT, ("compliment", "thanks", "thank", "canmoliaeth", "diolch")),
    (Kind.SUGGESTION, ("suggestion", "suggest", "awgrym", "awgrymu")),
    (Kind.COMMENT, ("comment", "sylw", "sylwad")),
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def kind_from_subject(subject: str) -> str:
    """The kind a subject names (its whole words, any case), else unclassified."""
    words = {word.casefold() for word in _WORD.findall(subject[:SUBJECT_LIMIT])}
    for kind, names in _SUBJECT_WORDS:
        if words.intersection(names):
            return kind
    return Kind.UNCLASSIFIED


def _cut(text: str) -> str:
    if len(text) <= TEXT_LIMIT:
        return text
    return text[: TEXT_LIMIT - len(TRUNCATED)].rstrip() + TRUNCATED


def file_email(
    organisation: Organisation,
    *,
    customer: Customer | None,
    subject: str,
    text: str,
    received_at: datetime.datetime,
) -> Feedback:
    """New mail to the feedback mailbox: a feedback record by e-mail (its contact is the
    e-mail), of the kind the subject names or unclassified.  Raises ``ServiceError`` when the
    mail cannot be filed (the caller keeps the mail, refused, with the reason)."""
    what = _cut(text.strip() or subject.strip() or _("(The e-mail had no text.)"))
    return record_feedback(
        organisation,
        by=None,
        customer=customer,
        values=FeedbackInput(
            kind=kind_from_subject(subject),
            what_happened=what,
            channel=Channel.EMAIL,
            received_at=received_at,
        ),
    )


def add_email(
    feedback: Feedback,
    *,
    text: str,
    sender: str,
    from_customer: bool,
    contact: Contact | None,
    received_at: datetime.datetime,
) -> FeedbackEvent:
    """A reply quoting the feedback's reference, added to its timeline (who sent it; whether it
    came from the customer's own address, as references are guessable and From can be
    forged).  Closed feedback takes it too: staff decide whether it reopens anything."""
    with transaction.atomic():
        event = _event(
            feedback,
            EventCode.EMAIL_RECEIVED,
            None,
            text=_cut(text),
            sender=sender[:254],
            from_customer=from_customer,
            contact=contact.pk if contact is not None else None,
            received_at=received_at.isoformat(),
        )
        _audit(
            feedback,
            by=None,
            action=AuditAction.CHANGED,
            summary=f"E-mail added to {feedback.reference}",
            email_from_customer=from_customer,
        )
    return event


def classify(feedback: Feedback, *, by: User, kind: str) -> Feedback:
    """An officer says what unclassified feedback is.  A complaint then follows the
    organisation's procedure from its first stage, its deadlines counted from when the e-mail
    was received (the customer wrote then)."""
    if feedback.kind != Kind.UNCLASSIFIED:
        raise _refuse(
            FeedbackError.ALREADY_CLASSIFIED, _("This feedback has been classified already")
        )
    if feedback.status == Status.CLOSED:
        raise _refuse(FeedbackError.CLOSED, _("This feedback is closed"))
    if kind not in Kind.values or kind == Kind.UNCLASSIFIED:
        raise _refuse(FeedbackError.REQUIRED, _("Select what kind of feedback it is"), "kind")
    with transaction.atomic():
        feedback.kind = kind
        fields = ["kind", "updated_at"]
        procedure = queries.procedure_of(feedback.organisation) if kind == Kind.COMPLAINT else None
        if procedure is not None:
            feedback.procedure = procedure.preset
            feedback.current_stage = procedure.stages[0].stage
            fields += ["procedure", "current_stage"]
        feedback.save(update_fields=fields)
        stage = None
        if procedure is not None:
            stage = _open_stage(feedback, procedure.stages[0], feedback.received_at)
        _event(feedback, EventCode.CLASSIFIED, by, kind=kind, stage=stage.label if stage else "")
        _audit(
            feedback,
            by=by,
            action=AuditAction.CHANGED,
            summary=f"{feedback.reference} classified as {kind}",
            kind=kind,
        )
    return feedback

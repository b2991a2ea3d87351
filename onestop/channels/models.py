"""C8 Channels: shared mailboxes and every message that arrived in one.

A ``Mailbox`` maps one inbound address to an organisation and to the case type new mail raises.
Its address must be unique across *all* organisations, not only within one: mail is routed by
its recipient before anyone knows which organisation it is for, so one address can belong to
only one.  Tenant tables keep the organisation in every uniqueness rule (so they can be
distributed by organisation), so that global rule lives in a small shared table of its own,
``MailAddress``: each mailbox claims its address there (a row holding only the address, no
organisation and no personal data, like a DNS entry), and the database refuses a second claim.
The lookup of a mailbox by its recipient is the only unscoped read of the app and says so.

An ``InboundMessage`` is kept for every message a mailbox took, whatever became of it (a case
raised, a reply threaded into a case, an auto-reply ignored, a message refused), with the raw
bytes, so nothing the sender wrote is lost and attachments stay recoverable.  It is append-only
and ordered by time, so the table can be partitioned by month.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import Case, CaseType
from onestop.contacts.models import Contact
from onestop.core.models import OrganisationOwned, Timestamped
from onestop.feedback.models import Feedback


class MailAddress(models.Model):
    """An inbound address claimed by one mailbox, whichever organisation it belongs to."""

    id = models.BigAutoField(primary_key=True)
    address = models.CharField(max_length=254)

    class Meta:
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(fields=["address"], name="mailaddress_unique_address"),
        ]

    def __str__(self) -> str:
        return self.address


class Mailbox(OrganisationOwned, Timestamped):
    id = models.BigAutoField(primary_key=True)
    address = models.CharField(max_length=254, help_text="Stored in lower case.")
    claim = models.ForeignKey(MailAddress, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    # The organisation's feedback mailbox (fb-public): its mail files into feedback records
    # instead of raising cases of ``case_type``.  One per organisation.
    files_feedback = models.BooleanField(default=False)

    class Meta:
        ordering = ["organisation", "address"]
        constraints = [
            # Within the organisation here; across organisations through ``claim``.
            models.UniqueConstraint(
                fields=["organisation", "address"], name="mailbox_unique_address"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(files_feedback=True),
                name="mailbox_one_feedback_mailbox",
            ),
        ]

    def __str__(self) -> str:
        return self.address


class MessageOutcome(models.TextChoices):
    RAISED = "raised", _("New case raised")
    THREADED = "threaded", _("Added to a case")
    IGNORED_AUTO_REPLY = "ignored-auto-reply", _("Ignored: automatic reply or bounce")
    DUPLICATE = "duplicate", _("Duplicate: already received")
    REFUSED = "refused", _("Refused")
    FEEDBACK = "feedback", _("New feedback recorded")
    FEEDBACK_THREADED = "feedback-threaded", _("Added to feedback")


class InboundMessage(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    message_id = models.CharField(max_length=255, blank=True)
    envelope_sender = models.CharField(max_length=254, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    raw = models.BinaryField()
    outcome = models.CharField(max_length=30, choices=MessageOutcome.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The feedback the mail was filed into or added to (a feedback mailbox's mail).
    feedback = models.ForeignKey(
        Feedback, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-received_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "received_at"], name="inbound_org_received"),
        ]
        constraints = [
            # An MTA's redelivery of the same message (the same bytes) is recognised, not raised
            # twice; a different message is kept whatever its Message-ID, which is the sender's
            # to choose (see ``services._duplicate_of``).
            models.UniqueConstraint(
                fields=["organisation", "mailbox", "sha256"], name="inbound_unique_sha"
            ),
        ]

    def __str__(self) -> str:
        return f"E-mail {self.pk}"


class ImapSecurity(models.TextChoices):
    TLS = "tls", _("TLS from the start (implicit TLS, usually port 993)")
    STARTTLS = "starttls", _("STARTTLS (usually port 143)")


class ImapCredential(models.TextChoices):
    PASSWORD = "password", _("Password")
    MICROSOFT = "microsoft", _("Microsoft 365 (OAuth 2.0, application permission)")
    GOOGLE = "google", _("Google Workspace (OAuth 2.0, service account)")


class ImapStatus(models.TextChoices):
    NEW = "new", _("Not read yet")
    OK = "ok", _("Reading")
    FAILING = "failing", _("Failing")


class MailboxImap(OrganisationOwned, Timestamped):
    """Where a mailbox's mail is read over IMAP, and how far it has been read.

    The secret (password, client secret, private key) is never stored: ``secret`` names where
    it is, ``env:NAME`` (an environment variable) or ``file:/absolute/path``; with a
    ``certificate`` (Microsoft 365: where its file is) the secret is the file's password, if
    it has one.  ``uidvalidity`` and ``last_uid`` are the poller's place in the folder: every
    message up to ``last_uid`` was received (its ``InboundMessage`` committed in the same
    transaction that moved ``last_uid``)."""

    id = models.BigAutoField(primary_key=True)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+")
    is_enabled = models.BooleanField(default=True)
    host = models.CharField(max_length=253)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(
        max_length=10, choices=ImapSecurity.choices, default=ImapSecurity.TLS
    )
    folder = models.CharField(max_length=200, default="INBOX")
    processed_folder = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=254)
    credential = models.CharField(
        max_length=10, choices=ImapCredential.choices, default=ImapCredential.PASSWORD
    )
    secret = models.CharField(max_length=300, blank=True)  # blank: a certificate without password
    tenant = models.CharField(max_length=100, blank=True)
    client_id = models.CharField(max_length=100, blank=True)
    certificate_thumbprint = models.CharField(max_length=64, blank=True)
    # Microsoft 365 by certificate: file:/path of a PEM or PFX file (``secret`` its password).
    certificate = models.CharField(max_length=300, blank=True)
    # The poller's state.
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ImapStatus.choices, default=ImapStatus.NEW)
    last_error = models.CharField(max_length=300, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    left_in_folder = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "mailbox"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "mailbox"], name="mailboximap_unique_mailbox"
            ),
        ]

    def __str__(self) -> str:
        return f"IMAP {self.username}@{self.host}"

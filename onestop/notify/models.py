"""The message record (C7): one row for every message to a customer or a member of staff.

A message is written in the same transaction as the event that causes it (the outbox) with status
``pending``; the worker claims it, hands it to the configured sender and records what the provider
answered.  Nothing here imports a capability above ``notify``: the case and the customer are
referred to by their model labels, so ``cases`` and ``customers`` can send without a cycle.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import Organisation, OrganisationOwned


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    TEMPORARY_FAILURE = "temporary-failure", _("Not delivered yet (temporary failure)")
    PERMANENT_FAILURE = "permanent-failure", _("Not delivered (permanent failure)")
    TECHNICAL_FAILURE = "technical-failure", _("Not sent (technical failure)")
    CANCELLED = "cancelled", _("Cancelled")


# A message in one of these has left OneStop's hands for good (or was stopped).
FINAL_STATUSES = frozenset(
    {
        MessageStatus.DELIVERED,
        MessageStatus.PERMANENT_FAILURE,
        MessageStatus.TECHNICAL_FAILURE,
        MessageStatus.CANCELLED,
    }
)
FAILED_STATUSES = frozenset(
    {
        MessageStatus.TEMPORARY_FAILURE,
        MessageStatus.PERMANENT_FAILURE,
        MessageStatus.TECHNICAL_FAILURE,
    }
)


class RecipientKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Member of staff")
    COUNCILLOR = "councillor", _("Councillor")


class Event(models.TextChoices):
    """What a message is about: each has a default template per channel in both languages."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    UPDATE = "update", _("Update to the customer")
    DEADLINE_MOVED = "deadline-moved", _("Deadline moved")
    EXTENSION = "extension", _("Extension")
    RESPONSE = "response", _("Response")
    CLOSURE = "closure", _("Closure")
    REOPENING = "reopening", _("Reopening")
    CALLBACK_REMINDER = "callback-reminder", _("Call-back reminder")
    ESCALATION = "escalation", _("Escalation notice")
    BULK = "bulk", _("Message to many customers")
    TEST = "test", _("Test message")
    # Comments, compliments and complaints (feedback, C6).
    COMPLAINT_ACKNOWLEDGEMENT = "complaint-acknowledgement", _("Complaint acknowledgement")
    COMPLAINT_EXTENSION = "complaint-extension", _("Complaint extension")
    COMPLAINT_RESPONSE = "complaint-response", _("Complaint response")
    FEEDBACK_ACKNOWLEDGEMENT = "feedback-acknowledgement", _("Feedback acknowledgement")
    FEEDBACK_PASSED_ON = "feedback-passed-on", _("Feedback passed to staff")
    COMPLAINT_SURVEY = "complaint-survey", _("Complaint satisfaction survey")
    OMBUDSMAN_REMEDY_DUE = "ombudsman-remedy-due", _("Ombudsman's remedy due (to staff)")
    # Unreasonable-behaviour restrictions, contributions to a cross-service complaint (C6).
    RESTRICTION_NOTICE = "restriction-notice", _("Contact restriction notice")
    RESTRICTION_ENDED = "restriction-ended", _("Contact restriction ended")
    RESTRICTION_REVIEW = "restriction-review", _("Contact restriction review reminder")
    CONTRIBUTION_REQUEST = "contribution-request", _("Contribution to a complaint asked for")
    # The residents' site (C14): a one-time link to "Your requests".
    SIGN_IN_LINK = "sign-in-link", _("Sign-in link for your requests")


class MessageTemplate(OrganisationOwned):
    """An organisation's own words for an event on a channel in a language (the defaults ship
    in code, so a new organisation works at once).  ``version`` goes up on every change and each
    message records the version that made it."""

    id = models.BigAutoField(primary_key=True)
    event = models.CharField(max_length=40, choices=Event.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # An organisation may map the event to a template of its own in GOV.UK Notify instead.
    notify_template_id = models.CharField(max_length=36, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "event", "channel", "language"],
                name="messagetemplate_one_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} by {self.channel} ({self.language}) v{self.version}"


class BulkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: not sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class SkipReason(models.TextChoices):
    NO_CONSENT = "no-consent", _("Did not agree to updates by the channels chosen")
    NO_ADDRESS = "no-address", _("No address for the channels chosen")


class BulkMessage(OrganisationOwned):
    """A message to many customers at once (a bin round delayed, an office closed by snow).

    ``group`` is the group's definition as data (``{"kind": "postcode", "postcode": "NN1 5"}``,
    ``{"kind": "case-type", "value": "12"}``, ``{"kind": "visit", "access_point_id": 3,
    "date": "2026-12-01"}``); the recipients are worked out when it is sent, by the worker, in
    chunks of customers in id order: ``cursor`` is the last customer id done, so a worker
    stopped mid-way carries on where the last committed chunk ended.  Each recipient's message
    is an ordinary ``Message`` pointing here (one per customer: a unique rule)."""

    id = models.BigAutoField(primary_key=True)
    title = models.CharField(max_length=100)
    group = models.JSONField()
    group_label = models.CharField(max_length=300)
    # The organisation's template for messages to many customers with ``text`` as ((text)), or
    # the staff's own words (``subject`` for e-mail and letters, ``text`` the message).
    use_template = models.BooleanField(default=True)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    channels = models.JSONField()  # the channels allowed, in Channel values
    status = models.CharField(max_length=20, choices=BulkStatus.choices, default=BulkStatus.DRAFT)
    cursor = models.BigIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    messages_created = models.PositiveIntegerField(default=0)
    skipped_no_consent = models.PositiveIntegerField(default=0)
    skipped_no_address = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    send_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "created_at"], name="bulkmessage_org_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def skipped(self) -> int:
        return self.skipped_no_consent + self.skipped_no_address


class Message(OrganisationOwned):
    """One message to one recipient, from the moment it is meant until the provider's last word."""

    id = models.BigAutoField(primary_key=True)
    # Led by the organisation in composite indexes (below): its own index would be one more entry
    # for every row the escalation sweep writes.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who, as staff would name them ("Ann Example", "Team leader, Waste"), and where to: an e-mail
    # address, a phone number in E.164, or a postal address (lines separated by newlines).
    recipient_label = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    # A format the recipient asked for (customers.Format: large print, Braille, audio, ...).
    format = models.CharField(max_length=20, blank=True)
    event = models.CharField(max_length=40, choices=Event.choices)
    template_version = models.PositiveIntegerField(default=0)  # 0: the shipped default
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    # The organisation's own GOV.UK Notify template for this event (``MessageTemplate``) when
    # the message was written, and its named placeholders' values: the Notify sender sends
    # with these instead of the generic template's ``subject`` and ``body``.
    notify_template_id = models.CharField(max_length=36, blank=True)
    personalisation = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    provider = models.CharField(max_length=20, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    # The message to many customers this one is part of (one per customer: a worker stopped
    # mid-chunk and started again never writes a second).
    bulk_message = models.ForeignKey(
        BulkMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    # A message about a confidential record (a complaint about a named member of staff) is read
    # only by staff holding the permission ``visible_with`` names (a ``core.permissions`` action;
    # empty: any member of staff who may see messages), and never by ``hidden_from`` (the person
    # the record is about), whatever roles they hold.  ``queries.messages_for`` is the rule.
    # (A database default too: the set-based inserts name their columns.)
    visible_with = models.CharField(max_length=60, blank=True, default="", db_default="")
    hidden_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Words only the recipient may read (a one-time sign-in link): ``subject``, ``body`` and
    # ``personalisation`` have them blanked out, and the words as sent are here, encrypted
    # (``notify.sealing``), until the message is finished.  Empty for every other message.
    sealed = models.TextField(blank=True, default="", db_default="")

    class Meta:
        ordering = ["organisation", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "bulk_message", "customer"],
                condition=models.Q(bulk_message__isnull=False),
                name="message_one_per_bulk_customer",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "status", "created_at"], name="message_org_status"
            ),
            models.Index(fields=["organisation", "case"], name="message_org_case"),
            models.Index(fields=["organisation", "customer"], name="message_org_customer"),
            # The worker serves every organisation: what is due, whoever it belongs to.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending", "temporary-failure"]),
                name="message_due",
            ),
            # A provider's receipt names its own id and no organisation.
            models.Index(
                fields=["provider_id"],
                condition=~models.Q(provider_id=""),
                name="message_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient_label}"

    @property
    def reference(self) -> str:
        """What a provider is told to call this message: its own id, never personal data."""
        return f"onestop-{self.id}"


# --- notifyops: each message's history of status changes ---------------------------------------
class ChangeSource(models.TextChoices):
    """Who or what changed a message's status."""

    WORKER = "worker", _("The worker")
    RECEIPT = "receipt", _("Delivery receipt from GOV.UK Notify")
    LOOK_UP = "look-up", _("Status look-up at GOV.UK Notify")
    BOUNCE = "bounce", _("Bounced e-mail")
    STAFF = "staff", _("Member of staff")
    SEND_TEST = "send-test", _("Test message command")


class MessageChange(OrganisationOwned):
    """One change of a message's status: when, from and to, by whom or what (the worker, a
    receipt, a look-up, a bounce, a member of staff), the attempt and a summary of the
    provider's answer without personal data.  Written set-based with each worker batch, which
    also appends one audit record per organisation listing the batch's changes."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=ChangeSource.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=MessageStatus.choices)
    to_status = models.CharField(max_length=20, choices=MessageStatus.choices)
    attempt = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["organisation", "message", "at", "id"]
        # A message's history is read by its id (and its cascade deletes by it).
        indexes = [models.Index(fields=["message"], name="messagechange_message")]

    def __str__(self) -> str:
        return f"{self.from_status} to {self.to_status} ({self.source})"


# --- notifycore: tasks for staff when a message cannot go as it should ----------------------------
class TaskKind(models.TextChoices):
    NO_WAY_TO_REACH = "no-way-to-reach", _("No way to reach the customer")
    BRAILLE = "braille", _("Braille copy needed")
    AUDIO = "audio", _("Audio copy needed")
    INTERPRETER = "interpreter", _("Interpreter needed")
    EASY_READ = "easy-read", _("Easy read copy needed")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")


class StaffTask(OrganisationOwned):
    """Something a person must do because a message cannot simply be sent: nobody to send it to,
    or a format (Braille, audio, an interpreter) OneStop cannot produce.  Shown on the case page
    and the customer page until marked done."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="staff_tasks"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    description = models.TextField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "created_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "case"], name="stafftask_org_case"),
            models.Index(fields=["organisation", "customer"], name="stafftask_org_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

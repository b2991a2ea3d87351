"""C3 Contacts: every interaction on every channel, the visitor queue and promised call-backs.

``Contact`` (its customer and ``received_at``) is the contract other apps build on.  Contacts are
append-mostly and ordered by time so the table can be partitioned by month.  Deadlines
(call-back due, visitor to be seen by) come from ``standards.clock`` and are stored with the
standard that set them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned, Timestamped
from onestop.customers.models import Customer
from onestop.directory.models import AccessPoint, Service, Team
from onestop.standards.models import Standard


class Channel(models.TextChoices):
    TELEPHONE = "telephone", _("Telephone")
    FACE_TO_FACE = "face-to-face", _("Face to face")
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web-form", _("Web form")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    SOCIAL_MEDIA = "social-media", _("Social media")
    COUNCILLOR_REFERRAL = "councillor-referral", _("Councillor referral")


class Direction(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("To the customer")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved at first contact")
    REQUEST_RAISED = "request-raised", _("Request raised")
    SIGNPOSTED = "signposted", _("Signposted elsewhere")
    TRANSFERRED = "transferred", _("Transferred")
    CALLBACK_PROMISED = "callback-promised", _("Call-back promised")
    # A request the desk began to raise whose case has not been raised (yet): the contact is
    # kept, honestly named, and becomes "request raised" in the case's own transaction.
    REQUEST_NOT_COMPLETED = "request-not-completed", _("Request not completed")


class Avoidable(models.TextChoices):
    """Whether a contact need not have happened, as the advisor judges it (NI 14 "avoidable
    contact", Systems Thinking's "failure demand": contact caused by a failure to do something,
    or to do it right, for the customer).  Five kinds of avoidable contact and "not avoidable";
    blank is "not assessed".  ``docs/performance.md`` gives each one's meaning."""

    PROGRESS_CHASING = "progress-chasing", _("Chasing progress on something already asked for")
    REPEAT = "repeat", _("Asking again: the earlier contact did not settle it")
    FAILURE_TO_ACT = "failure-to-act", _("Something we did not do, or did not do right")
    UNCLEAR = "unclear", _("Our letter, bill, form or web page was not clear")
    WRONG_CHANNEL = "wrong-channel", _("Wrong place or channel: sent the wrong way")
    NOT_AVOIDABLE = "not-avoidable", _("Not avoidable: the customer needed to contact us")


# The kinds that make a contact avoidable (every assessment but "not avoidable").
AVOIDABLE_KINDS = tuple(value for value in Avoidable.values if value != Avoidable.NOT_AVOIDABLE)


class ContactReason(OrganisationOwned):
    """A reason for contact an administrator configures, for one service or for all."""

    id = models.BigAutoField(primary_key=True)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "label"], name="contactreason_unique_label"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Contact(OrganisationOwned):
    """One interaction.  The busiest table (a telephone import writes a million rows), so it has
    only the indexes its queries use: every read is scoped to the organisation, so the two
    indexes led by the organisation serve them, and the foreign keys have none of their own
    (``db_index=False``: those indexes would serve only deleting a customer, service, access
    point, reason or member of staff, which nothing does; all are ``PROTECT``), except the
    repeats' index, partial: only the contacts that are repeats are in it."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        db_index=False,
    )
    received_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=30, choices=Channel.choices, default=Channel.TELEPHONE)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    reason = models.ForeignKey(
        ContactReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    access_point = models.ForeignKey(
        AccessPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        db_index=False,
    )
    about_reference = models.CharField(
        max_length=20, blank=True, help_text="The open case or request this contact chases."
    )
    # The advisor's judgement of whether the contact was avoidable (blank: not assessed).  The
    # database's default too, so the bulk writers that name their columns (telephone imports)
    # need not name it.
    avoidable = models.CharField(
        max_length=20, choices=Avoidable.choices, blank=True, default="", db_default=""
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["organisation", "-received_at"]
        indexes = [
            models.Index(fields=["organisation", "received_at"], name="contact_org_received"),
            models.Index(
                fields=["organisation", "customer", "received_at"], name="contact_org_customer"
            ),
            # For the foreign key's check when a contact is deleted (the repeats that would
            # point at it); only the few contacts that are repeats are in it.
            models.Index(
                fields=["repeat_of"],
                name="contact_repeat_of",
                condition=models.Q(repeat_of__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk}"

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of_id is not None or bool(self.about_reference)


class Callback(OrganisationOwned, Timestamped):
    """A call-back promised on a contact: an item with a deadline on the advisor's list."""

    id = models.BigAutoField(primary_key=True)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="callbacks")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="callbacks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField()
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The team the call-back was given to, recorded when it was promised (the advisor's team for
    # the contact's service, ``directory.queries.team_of``); empty: no team.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "due_at"]
        indexes = [
            models.Index(
                fields=["organisation", "assigned_to", "completed_at", "due_at"],
                name="callback_org_assignee_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Call-back {self.pk}"


class VisitorTicket(OrganisationOwned):
    """A visitor at a one-stop shop: arrived (ticket), called, seen; "seen within 15 minutes"
    is measured from these real times against ``due_at`` from the clock."""

    id = models.BigAutoField(primary_key=True)
    access_point = models.ForeignKey(AccessPoint, on_delete=models.PROTECT, related_name="+")
    ticket = models.CharField(max_length=10)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    arrived_at = models.DateTimeField()
    due_at = models.DateTimeField()
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seen_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "arrived_at"]
        indexes = [
            models.Index(
                fields=["organisation", "access_point", "arrived_at"], name="visitor_org_point"
            ),
        ]

    def __str__(self) -> str:
        return self.ticket

    @property
    def waiting(self) -> bool:
        return self.seen_at is None and self.left_at is None

    @property
    def seen_in_time(self) -> bool | None:
        if self.seen_at is None:
            return None
        return self.seen_at <= self.due_at

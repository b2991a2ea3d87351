"""C6's procedural records: unreasonable-behaviour restrictions on a customer's contact, the
contacts logged under them, contributions other services make to a cross-service complaint,
and feedback a councillor recorded for a constituent.

Kept in a module of their own (imported at the end of ``models.py``) so the parts of issue 15
built in parallel each touch ``models.py`` by one line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Contact
from onestop.core.models import OrganisationOwned
from onestop.customers.models import Customer
from onestop.directory.models import Service, Team


class RestrictionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for a manager's approval")
    ACTIVE = "active", _("In force")
    ENDED = "ended", _("Ended")


class RestrictionEnd(models.TextChoices):
    LIFTED = "lifted", _("Lifted early")
    EXPIRED = "expired", _("Ended on its review date")
    DECLINED = "declined", _("Not approved")


class ContactRestriction(OrganisationOwned):
    """Restrictions on how an unreasonably behaving customer may contact the council.

    Any of three kinds, together: a single point of contact (a named member of staff), the
    channels they may use (``allowed_channels``, e.g. letter and e-mail: "written only"; empty:
    any), and how often (``max_contacts`` in ``per_days`` days).  Proposed by one member of staff
    and approved by a manager who is not the proposer (a constraint as well as the service);
    in force from ``starts_on`` until lifted early (with a reason) or its ``review_on`` passes.
    """

    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    single_point = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    allowed_channels = models.JSONField(default=list, blank=True)
    max_contacts = models.PositiveSmallIntegerField(null=True, blank=True)
    per_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField()
    status = models.CharField(
        max_length=20, choices=RestrictionStatus.choices, default=RestrictionStatus.PROPOSED
    )
    starts_on = models.DateField()
    review_on = models.DateField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    notice_message_id = models.BigIntegerField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    ended_as = models.CharField(max_length=20, choices=RestrictionEnd.choices, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "customer", "-proposed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("proposed_by")),
                name="contactrestriction_not_self_approved",
            ),
            models.CheckConstraint(
                condition=Q(review_on__gte=F("starts_on")),
                name="contactrestriction_review_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(max_contacts__isnull=True) & Q(per_days__isnull=True))
                | (Q(max_contacts__gte=1) & Q(per_days__gte=1)),
                name="contactrestriction_frequency_whole",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "customer", "status"], name="restriction_org_customer"
            ),
            models.Index(fields=["organisation", "status", "review_on"], name="restriction_due"),
        ]

    def __str__(self) -> str:
        return f"Restriction {self.pk} on {self.customer_id}"


class RestrictedContact(OrganisationOwned):
    """A contact logged for a customer under a restriction: the advisor was shown it (``shown``:
    the form they sent displayed it), and why they took a contact by a restricted channel."""

    id = models.BigAutoField(primary_key=True)
    restriction = models.ForeignKey(
        ContactRestriction, on_delete=models.PROTECT, related_name="contacts"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField()
    channel = models.CharField(max_length=30)
    shown = models.BooleanField(default=False)
    channel_restricted = models.BooleanField(default=False)
    over_frequency = models.BooleanField(default=False)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "restriction", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "restriction", "contact"], name="restrictedcontact_once"
            )
        ]

    def __str__(self) -> str:
        return f"Contact {self.contact_id} under {self.restriction_id}"


class Contribution(OrganisationOwned):
    """A contribution asked of another service to a cross-service complaint, which the lead
    service answers in one response."""

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(
        "feedback.Feedback", on_delete=models.CASCADE, related_name="contributions"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    question = models.TextField()
    due_on = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    text = models.TextField(blank=True)
    contributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contributed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "feedback", "requested_at", "id"]
        indexes = [
            models.Index(
                fields=["organisation", "feedback", "contributed_at"], name="contribution_org_fb"
            )
        ]

    def __str__(self) -> str:
        return f"Contribution {self.pk} to {self.feedback_id}"

    @property
    def is_outstanding(self) -> bool:
        return self.contributed_at is None


class CouncillorSubmission(OrganisationOwned):
    """Feedback a councillor recorded for a constituent: the councillor follows its progress
    (their own only)."""

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(
        "feedback.Feedback", on_delete=models.CASCADE, related_name="councillor_submissions"
    )
    councillor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "councillor", "-submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "feedback"], name="councillorsubmission_one"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "councillor"], name="councillorsub_org_cllr")
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} by councillor {self.councillor_id}"

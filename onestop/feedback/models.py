"""C6 Comments, compliments and complaints: one record for every route, one audited procedure.

A ``Feedback`` is what a customer told the council: a comment, a compliment, a complaint or a
suggestion, about a service, a named member of staff or how they were treated.  A complaint
moves through the organisation's ``ComplaintProcedure`` (stages and timescales as data, from one
of three presets): each stage it reaches is a ``ComplaintStage`` row holding the timescales it
was opened under, its owner and every date the procedure counts (acknowledged, due, extended,
answered).  Every deadline comes from ``standards.clock`` with the organisation's calendar, the
clock started by an event: the receipt, or the acknowledgement where the procedure says so.
Each point of complaint is a ``ComplaintPoint`` with its outcome and remedy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Channel, Contact
from onestop.core.models import OrganisationOwned
from onestop.customers.models import Customer
from onestop.directory.models import Service, Team

REFERENCE_PREFIX = "CO"
TEXT_LIMIT = 10_000


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    COMMENT = "comment", _("Comment")
    COMPLIMENT = "compliment", _("Compliment")
    SUGGESTION = "suggestion", _("Suggestion")
    # Mail to the feedback mailbox whose subject does not say (fb-public): an officer classifies.
    UNCLASSIFIED = "unclassified", _("Not yet classified")


# The kinds a person chooses (staff at the desk, a councillor, an officer classifying mail):
# "not yet classified" is only ever what the feedback mailbox files.
CHOSEN_KINDS = [(value, label) for value, label in Kind.choices if value != Kind.UNCLASSIFIED]


class About(models.TextChoices):
    SERVICE = "service", _("A service")
    STAFF = "staff", _("A named member of staff")
    TREATMENT = "treatment", _("How they were treated")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    RESPONDED = "responded", _("Answered")
    CLOSED = "closed", _("Closed")


class ClosedAs(models.TextChoices):
    ANSWERED = "answered", _("Answered under the procedure")
    OUTSIDE = "outside-procedure", _("Outside the complaints procedure")
    PASSED_ON = "passed-on", _("Passed to the service")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")


class Characteristic(models.TextChoices):
    """The protected characteristics of the Equality Act 2010, s.4."""

    AGE = "age", _("Age")
    DISABILITY = "disability", _("Disability")
    GENDER_REASSIGNMENT = "gender-reassignment", _("Gender reassignment")
    MARRIAGE = "marriage", _("Marriage and civil partnership")
    PREGNANCY = "pregnancy", _("Pregnancy and maternity")
    RACE = "race", _("Race")
    RELIGION = "religion", _("Religion or belief")
    SEX = "sex", _("Sex")
    SEXUAL_ORIENTATION = "sexual-orientation", _("Sexual orientation")


class AlternativeRoute(models.TextChoices):
    """Where a complaint outside the procedure belongs instead."""

    PLANNING_APPEAL = "planning-appeal", _("Planning appeal")
    BENEFIT_TRIBUNAL = "benefit-tribunal", _("Benefit appeal tribunal")
    SOCIAL_CARE = "social-care", _("Statutory social care complaint")
    INSURANCE = "insurance", _("Insurance claim")
    FOI_REVIEW = "foi-review", _("Freedom of Information internal review")
    STAFF_PROCEDURE = "staff-procedure", _("Staff disciplinary procedure")
    OTHER = "other", _("Another route")


class PointOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly-upheld", _("Partly upheld")
    NOT_UPHELD = "not-upheld", _("Not upheld")


class Remedy(models.TextChoices):
    NONE = "none", _("No remedy")
    APOLOGY = "apology", _("Apology")
    ACTION = "action", _("Action taken")
    FINANCIAL = "financial", _("Financial redress")


class ClockFrom(models.TextChoices):
    """The event that starts a stage's response clock."""

    RECEIPT = "receipt", _("Receipt")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")


class Preset(models.TextChoices):
    SEEDS = "seeds", _("Informal stage, then two formal stages (acknowledge 5, answer 15)")
    CODE = (
        "complaint-handling-code",
        _(
            "Complaint Handling Code (Local Government and Social Care Ombudsman and Housing "
            "Ombudsman)"
        ),
    )
    SCOTTISH = "scottish-chp", _("Scottish model complaints handling procedure")


class ComplaintProcedure(OrganisationOwned):
    """An organisation's complaints procedure: its stages and their timescales in working days.

    ``stages`` is a list, lowest stage first, of ``{"stage", "label", "acknowledge_days",
    "response_days", "response_from", "extension_days"}`` (``acknowledge_days`` ``None``: the
    stage has no separate acknowledgement; ``response_from`` a ``ClockFrom``).  A complaint's
    stages copy their timescales when they open, so changing the procedure never moves a
    deadline already given to a customer.
    """

    id = models.BigAutoField(primary_key=True)
    preset = models.CharField(max_length=40, choices=Preset.choices)
    stages = models.JSONField(default=list)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="complaintprocedure_one"),
        ]

    def __str__(self) -> str:
        return str(self.preset)


class Feedback(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    reference = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    about = models.CharField(max_length=20, choices=About.choices, default=About.SERVICE)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The service that coordinates a single answer to a complaint about several services.
    lead_service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The member of staff it is about: such a complaint is seen only by complaints officers and
    # that person's managers, never by the person (``queries.feedback_for``).
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The name as the customer gave it (the public form cannot pick a member of staff).
    staff_named = models.CharField(max_length=200, blank=True)
    what_happened = models.TextField()
    wanted = models.TextField(blank=True)
    channel = models.CharField(max_length=30, choices=Channel.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # Flags reported separately (Rossendale's quarterly return, 004 section 3.5).
    unequal_treatment = models.BooleanField(default=False)
    characteristic = models.CharField(max_length=30, choices=Characteristic.choices, blank=True)
    impolite_treatment = models.BooleanField(default=False)
    about_staff = models.BooleanField(default=False)
    # The procedure's preset when the complaint was received (its stages copy the timescales).
    procedure = models.CharField(max_length=40, choices=Preset.choices, blank=True)
    current_stage = models.PositiveSmallIntegerField(null=True, blank=True)
    # Acknowledging a comment or compliment, and passing it on.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    passed_on_at = models.DateTimeField(null=True, blank=True)
    # Closing.
    closed_as = models.CharField(max_length=30, choices=ClosedAs.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    alternative_route = models.CharField(
        max_length=30, choices=AlternativeRoute.choices, blank=True
    )
    signposting = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "-received_at", "id"]
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="feedback_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(unequal_treatment=True) | Q(characteristic=""),
                name="feedback_characteristic_only_when_unequal",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "kind"], name="feedback_org_status"),
            models.Index(fields=["organisation", "customer"], name="feedback_org_customer"),
            models.Index(fields=["organisation", "staff_member"], name="feedback_org_staff"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_complaint(self) -> bool:
        return self.kind == Kind.COMPLAINT

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class ComplaintStage(OrganisationOwned):
    """One stage a complaint reached, with the timescales it opened under and its dates.

    ``response_due_at`` is empty until the clock that sets it has started (a stage answered
    within N working days *of the acknowledgement* has no response deadline before it);
    ``extended_due_at`` replaces it after the one extension the procedure allows.
    """

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="stages")
    stage = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The team handling the stage: the owner's team for the complaint's service, recorded when
    # the stage is given its owner (``directory.queries.team_of``); empty: no team.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Timescales copied from the procedure when the stage opened.
    acknowledge_days = models.PositiveSmallIntegerField(null=True, blank=True)
    response_days = models.PositiveSmallIntegerField()
    response_from = models.CharField(max_length=20, choices=ClockFrom.choices)
    extension_days = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField()
    escalation_reason = models.TextField(blank=True)
    ack_due_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    extended_due_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    findings = models.TextField(blank=True)
    appeal_route = models.TextField(blank=True)
    # The outcome of each point at this stage: ``[{"point", "summary", "outcome", "remedy",
    # "amount"}]`` (the points keep the latest; this keeps what this stage decided).
    point_outcomes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["organisation", "feedback", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "feedback", "stage"], name="complaintstage_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "responded_at", "response_due_at"],
                name="complaintstage_org_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} of {self.feedback_id}"

    @property
    def due_at(self) -> Any:
        """The deadline in force: the extended one, else the response deadline, else (before the
        clock that sets it has started) the acknowledgement deadline."""
        return self.extended_due_at or self.response_due_at or self.ack_due_at

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None


class ComplaintPoint(OrganisationOwned):
    """One point of complaint, with the latest outcome and remedy decided on it."""

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveSmallIntegerField()
    summary = models.CharField(max_length=500)
    outcome = models.CharField(max_length=20, choices=PointOutcome.choices, blank=True)
    remedy = models.CharField(max_length=20, choices=Remedy.choices, blank=True)
    remedy_detail = models.TextField(blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["organisation", "feedback", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "feedback", "position"], name="complaintpoint_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="complaintpoint_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Point {self.position} of {self.feedback_id}"


class FeedbackEvent(OrganisationOwned):
    """The feedback's timeline, shown to staff (the audit trail is separate)."""

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=40)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["organisation", "feedback", "at", "id"]
        indexes = [
            models.Index(fields=["organisation", "feedback", "at"], name="feedbackevent_org_fb")
        ]

    def __str__(self) -> str:
        return f"{self.code} on {self.feedback_id}"


# --- after the council's last word: the ombudsman, learning, the customer's satisfaction --------
class Ombudsman(models.TextChoices):
    """The ombudsmen a UK council's complaint can go to (by its nation and the subject)."""

    LGSCO = "lgsco", _("Local Government and Social Care Ombudsman")
    HOUSING = "housing", _("Housing Ombudsman")
    PSOW = "psow", _("Public Services Ombudsman for Wales")
    SPSO = "spso", _("Scottish Public Services Ombudsman")
    NIPSO = "nipso", _("Northern Ireland Public Services Ombudsman")


class OmbudsmanFinding(models.TextChoices):
    """The ombudsmen's own words for their decisions.

    The LGSCO closes after initial enquiries ("not investigated"), refers a complaint back to the
    council ("premature"), or decides no fault, fault without injustice, or fault causing
    injustice.  The Housing Ombudsman determines no maladministration, service failure,
    maladministration or severe maladministration (or that the landlord offered reasonable
    redress, or that the complaint is outside its jurisdiction).  The SPSO, the PSOW and NIPSO
    uphold, partly (SPSO: "some") uphold or do not uphold, or settle it early.
    """

    NOT_INVESTIGATED = "not-investigated", _("Not investigated (closed after initial enquiries)")
    PREMATURE = "premature", _("Premature: referred back to the council")
    NO_FAULT = "no-fault", _("No fault")
    FAULT_NO_INJUSTICE = "fault-no-injustice", _("Fault, no injustice")
    FAULT_INJUSTICE = "fault-injustice", _("Fault causing injustice")
    OUTSIDE_JURISDICTION = "outside-jurisdiction", _("Outside jurisdiction")
    NO_MALADMINISTRATION = "no-maladministration", _("No maladministration")
    REASONABLE_REDRESS = "reasonable-redress", _("Reasonable redress offered")
    SERVICE_FAILURE = "service-failure", _("Service failure")
    MALADMINISTRATION = "maladministration", _("Maladministration")
    SEVERE_MALADMINISTRATION = "severe-maladministration", _("Severe maladministration")
    EARLY_RESOLUTION = "early-resolution", _("Settled by early resolution")
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly-upheld", _("Partly upheld")
    NOT_UPHELD = "not-upheld", _("Not upheld")


class OmbudsmanCase(OrganisationOwned):
    """An ombudsman's involvement in a complaint: the enquiry, the decision, the remedy the
    council must carry out, and when by.  ``reminded_at`` is set by the reminder sweep
    (``services.ombudsman.remind_due_remedies``) when staff are told the date is near."""

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="ombudsman")
    ombudsman = models.CharField(max_length=20, choices=Ombudsman.choices)
    their_reference = models.CharField(max_length=50, blank=True)
    enquiry_on = models.DateField()
    decision_on = models.DateField(null=True, blank=True)
    finding = models.CharField(max_length=30, choices=OmbudsmanFinding.choices, blank=True)
    remedy = models.TextField(blank=True)
    remedy_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    comply_by = models.DateField(null=True, blank=True)
    complied_on = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "feedback", "enquiry_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remedy_amount__isnull=True) | Q(remedy_amount__gte=0),
                name="ombudsmancase_amount_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "feedback"], name="ombudsmancase_org_fb"),
            models.Index(
                fields=["organisation", "complied_on", "comply_by"], name="ombudsmancase_org_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_ombudsman_display()} on {self.feedback_id}"

    @property
    def is_open(self) -> bool:
        """Still with the ombudsman, or a remedy the council has not yet carried out."""
        return self.decision_on is None or (self.comply_by is not None and self.complied_on is None)


class LearningStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in-progress", _("In progress")
    DONE = "done", _("Done")


class LearningAction(OrganisationOwned):
    """What a service changes because a complaint was upheld or partly upheld (Aylesbury CO6):
    an owner, a due date, the status, the evidence and what changed."""

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="learning")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=LearningStatus.choices, default=LearningStatus.PLANNED
    )
    evidence = models.TextField(blank=True)
    what_changed = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "due_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "feedback"], name="learningaction_org_fb"),
            models.Index(fields=["organisation", "service"], name="learningaction_org_service"),
        ]

    def __str__(self) -> str:
        return f"Learning action {self.pk} on {self.feedback_id}"


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very-satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEITHER = "neither", _("Neither satisfied nor dissatisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very-dissatisfied", _("Very dissatisfied")


class Agreement(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class SatisfactionSurvey(OrganisationOwned):
    """The short survey sent to the complainant when a complaint closes, and their answers.

    The link carries the survey's id and ``nonce`` signed (``services.survey``); answering
    sets ``answered_at`` once (a conditional update), so the link works once."""

    id = models.BigAutoField(primary_key=True)
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="surveys")
    nonce = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    message_id = models.BigIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    overall = models.CharField(max_length=20, choices=Satisfaction.choices, blank=True)
    fairly = models.CharField(max_length=10, choices=Agreement.choices, blank=True)
    informed = models.CharField(max_length=10, choices=Agreement.choices, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "feedback"], name="satisfactionsurvey_one"
            ),
        ]

    def __str__(self) -> str:
        return f"Survey on {self.feedback_id}"


# Issue 15's procedural records (restrictions, contributions, councillors' feedback).
from onestop.feedback.procedure_models import (  # noqa: E402, F401
    ContactRestriction,
    Contribution,
    CouncillorSubmission,
    RestrictedContact,
    RestrictionEnd,
    RestrictionStatus,
)

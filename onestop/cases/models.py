"""C5 Cases: service requests, enquiries, councillor enquiries, FOI/EIR and subject access.

A *case* is what a contact hands to the back office.  Its *type* (per service, edited by
administrators) says which questions to ask, which standards' clocks it starts, which team's
queue it goes to and how it escalates.  Every deadline on a case comes from ``standards.clock``
and is stored on a ``CaseClock`` row with the standard code and calendar version that produced
it; ``Case.due_at`` is the primary clock's deadline, copied for the queue's ordering.

Statuses and their allowed transitions are data (``ALLOWED_TRANSITIONS``); the one function
that moves a case between them is ``services._transition``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Contact
from onestop.core.models import Organisation, OrganisationOwned, Timestamped

# A case type's questions are questions as data (``core.questions``), shared with the portal.
from onestop.core.questions import AttributeKind as AttributeKind
from onestop.customers.models import Customer
from onestop.directory.models import Service, Team


class CaseKind(models.TextChoices):
    SERVICE_REQUEST = "service-request", _("Service request")
    GENERAL_ENQUIRY = "general-enquiry", _("General enquiry")
    COUNCILLOR_ENQUIRY = "councillor-enquiry", _("Councillor enquiry")
    FREEDOM_OF_INFORMATION = "foi", _("Freedom of information request")
    ENVIRONMENTAL_INFORMATION = "eir", _("Environmental information request")
    SUBJECT_ACCESS = "subject-access", _("Subject access request")


# The reference prefix of each kind (``SR-26-4K7Q0``).
REFERENCE_PREFIXES: dict[str, str] = {
    CaseKind.SERVICE_REQUEST: "SR",
    CaseKind.GENERAL_ENQUIRY: "EN",
    CaseKind.COUNCILLOR_ENQUIRY: "ME",
    CaseKind.FREEDOM_OF_INFORMATION: "FOI",
    CaseKind.ENVIRONMENTAL_INFORMATION: "EIR",
    CaseKind.SUBJECT_ACCESS: "SAR",
}
STATUTORY_KINDS = frozenset(
    {
        CaseKind.FREEDOM_OF_INFORMATION,
        CaseKind.ENVIRONMENTAL_INFORMATION,
        CaseKind.SUBJECT_ACCESS,
    }
)
INFORMATION_KINDS = frozenset({CaseKind.FREEDOM_OF_INFORMATION, CaseKind.ENVIRONMENTAL_INFORMATION})
#: Kinds a resident cannot follow on the track page (``portal``): a councillor's enquiry is
#: followed by the councillor.  Messages about them carry no track link.
NOT_TRACKED_KINDS = frozenset({CaseKind.COUNCILLOR_ENQUIRY})
#: The language code of Welsh (pages, customers' messages): ``name_in`` gives Welsh for it.
WELSH = "cy"


class CaseType(OrganisationOwned, Timestamped):
    """A kind of case a service handles, with its questions, standards, routing and escalation.

    ``attributes`` is a list of questions: ``{"code", "label", "kind", "required", "choices"}``
    (``kind`` an ``AttributeKind``; ``choices`` for the choice kinds; a date question may add
    ``"dates"``, a ``core.questions.DateRange`` other than any date).  ``standard_codes`` names
    the standards whose clocks a new case starts; the first is the primary (queue) deadline.
    """

    id = models.BigAutoField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    # The name residents read in Welsh (the residents' pages in Welsh and the messages to a
    # customer who asked for Welsh); empty: the English name.
    name_cy = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=30, choices=CaseKind.choices)
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=list, blank=True)
    standard_codes = models.JSONField(default=list, blank=True)
    default_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    reopen_within_days = models.PositiveIntegerField(default=28)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="casetype_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def reference_prefix(self) -> str:
        return REFERENCE_PREFIXES[self.kind]

    def name_in(self, language: str) -> str:
        """The name in ``language`` (``cy``: the Welsh name where given, else the English)."""
        return (self.name_cy if language == WELSH else "") or self.name

    @property
    def public_name(self) -> str:
        """The name in the page's language (``name_in`` the active one)."""
        return self.name_in(translation.get_language() or "")

    @property
    def is_statutory(self) -> bool:
        return self.kind in STATUTORY_KINDS


class RoutingRule(OrganisationOwned):
    """Send cases of ``case_type`` in a postcode area or ward to ``team``.

    The most specific matching rule wins: a ward match, then the longest postcode prefix;
    without a match the case goes to the type's default team.
    """

    id = models.BigAutoField(primary_key=True)
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="routing_rules")
    postcode_prefix = models.CharField(max_length=8, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organisation", "case_type", "ward", "postcode_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_type", "postcode_prefix", "ward"],
                name="routingrule_unique_area",
            ),
            models.CheckConstraint(
                condition=~Q(postcode_prefix="", ward=""), name="routingrule_names_an_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ward or self.postcode_prefix} -> {self.team_id}"


class EscalationAction(models.TextChoices):
    NOTIFY_ASSIGNEE = "notify-assignee", _("Notify the assignee")
    NOTIFY_TEAM_LEADER = "notify-team-leader", _("Notify the team leader")
    NOTIFY_HEAD_OF_SERVICE = "notify-head-of-service", _("Notify the head of service")


class EscalationRule(OrganisationOwned):
    """At ``percent`` of the primary clock's time used, do ``action`` (once per case).

    Below 100 is a warning (at risk); 100 is the breach; above 100 escalates an overdue case.
    """

    id = models.BigAutoField(primary_key=True)
    case_type = models.ForeignKey(
        CaseType, on_delete=models.CASCADE, related_name="escalation_rules"
    )
    percent = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=30, choices=EscalationAction.choices)

    class Meta:
        ordering = ["organisation", "case_type", "percent"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_type", "percent", "action"],
                name="escalationrule_unique",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=500), name="escalationrule_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent}%: {self.action}"


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in-progress", _("In progress")
    WAITING_FOR_CUSTOMER = "waiting-for-customer", _("Waiting for customer")
    WAITING_FOR_THIRD_PARTY = "waiting-for-third-party", _("Waiting for third party")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.WAITING_FOR_CUSTOMER,
        Status.WAITING_FOR_THIRD_PARTY,
    }
)
FINISHED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
_WORKING = {
    Status.IN_PROGRESS,
    Status.WAITING_FOR_CUSTOMER,
    Status.WAITING_FOR_THIRD_PARTY,
    Status.RESOLVED,
    Status.CLOSED,
}
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ASSIGNED, *_WORKING}),
    Status.ASSIGNED: frozenset({Status.NEW, *_WORKING}),
    Status.IN_PROGRESS: frozenset(_WORKING - {Status.IN_PROGRESS} | {Status.ASSIGNED}),
    Status.WAITING_FOR_CUSTOMER: frozenset(
        {Status.IN_PROGRESS, Status.WAITING_FOR_THIRD_PARTY, Status.RESOLVED, Status.CLOSED}
    ),
    Status.WAITING_FOR_THIRD_PARTY: frozenset(
        {Status.IN_PROGRESS, Status.WAITING_FOR_CUSTOMER, Status.RESOLVED, Status.CLOSED}
    ),
    # Reopening (back to in progress) is only through services.reopen_case, which checks the
    # type's reopening period and starts a new clock.
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}
# The statuses in which the clock does not run.
PAUSED_STATUSES = frozenset({Status.WAITING_FOR_CUSTOMER})


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    NOT_RESOLVED = "not-resolved", _("Could not be resolved")
    NO_ACTION_NEEDED = "no-action-needed", _("No action needed")
    REFERRED = "referred", _("Referred to another organisation")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    RELEASED_IN_FULL = "released-in-full", _("Information released in full")
    RELEASED_IN_PART = "released-in-part", _("Information released in part")
    REFUSED = "refused", _("Refused (exemption or exception applied)")
    NOT_HELD = "not-held", _("Information not held")


RELEASED_OUTCOMES = frozenset({Outcome.RELEASED_IN_FULL, Outcome.RELEASED_IN_PART})
# What can end a case, by its kind: a request for information (FOI, EIR, subject access) ends in
# a release, a refusal or "not held"; every other case is resolved or not.
_REQUEST_OUTCOMES = (
    Outcome.RESOLVED,
    Outcome.NOT_RESOLVED,
    Outcome.NO_ACTION_NEEDED,
    Outcome.REFERRED,
    Outcome.WITHDRAWN,
    Outcome.DUPLICATE,
)
_INFORMATION_OUTCOMES = (
    Outcome.RELEASED_IN_FULL,
    Outcome.RELEASED_IN_PART,
    Outcome.REFUSED,
    Outcome.NOT_HELD,
    Outcome.WITHDRAWN,
    Outcome.DUPLICATE,
)


def outcomes_for(kind: str) -> tuple[Outcome, ...]:
    """The outcomes a case of ``kind`` may finish with, in the order they are offered."""
    information = {
        CaseKind.FREEDOM_OF_INFORMATION,
        CaseKind.ENVIRONMENTAL_INFORMATION,
        CaseKind.SUBJECT_ACCESS,
    }
    return _INFORMATION_OUTCOMES if kind in information else _REQUEST_OUTCOMES


class Source(models.TextChoices):
    DESK = "desk", _("Advisor desk")
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    COUNCILLOR = "councillor", _("Councillor")


#: Where anyone can raise a case without signing in.
PUBLIC_SOURCES = frozenset({Source.WEB, Source.EMAIL})


class Case(OrganisationOwned, Timestamped):
    id = models.BigAutoField(primary_key=True)
    # Every composite index below leads with the organisation, so its own index would only be
    # one more entry for every write (the sweep rewrites tens of thousands of rows).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reference = models.CharField(max_length=20)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=CaseKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.NEW)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DESK)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Councillor enquiries: the Member who raised it (or for whom it was raised) and the
    # constituent it is about.
    councillor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    constituent_name = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # Where the problem is, when the case type asks for a location and a point was given
    # (``cases.services.points``): WGS84 degrees, both or neither.
    latitude = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField()
    # The primary clock (copied from its CaseClock row for the queue's ordering).
    due_at = models.DateTimeField(null=True, blank=True)
    # Shown, never looked up (the clocks carry the standard): no index of its own.
    standard_code = models.SlugField(max_length=60, blank=True, db_index=False)
    calendar_version = models.PositiveIntegerField(null=True, blank=True)
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    # The next time the escalation sweep has something to do is ``EscalationDue.next_at``.
    # Closure.
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    # Statutory requests (FOI, EIR, subject access).
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    exemptions = models.JSONField(default=list, blank=True)
    disclosure_summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every change bumps it; a change made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["organisation", "due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_unique_reference"
            ),
        ]
        indexes = [
            # A team's queue filtered by one status.
            models.Index(
                fields=["organisation", "team", "status", "due_at"], name="case_org_team_queue"
            ),
            # The team queue: its open cases by deadline (the page is the first rows), with the
            # assignee so that the queue's counts are an index-only scan.
            models.Index(
                fields=["organisation", "team", "due_at", "id", "assignee"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_org_team_open",
            ),
            models.Index(
                fields=["organisation", "assignee", "status", "due_at"], name="case_org_assignee"
            ),
            models.Index(fields=["organisation", "customer"], name="case_org_customer"),
            models.Index(fields=["organisation", "councillor"], name="case_org_councillor"),
            models.Index(fields=["organisation", "kind", "published_at"], name="case_org_log"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def postcode_shown(self) -> str:
        """The postcode as people write it ("HP20 1AA"; it is kept without the space)."""
        key = self.postcode
        return f"{key[:-3]} {key[-3:]}" if len(key) >= 5 and " " not in key else key

    @property
    def is_clock_paused(self) -> bool:
        return self.clock_paused_at is not None

    @property
    def is_statutory(self) -> bool:
        return self.kind in STATUTORY_KINDS

    @property
    def title_for_customer(self) -> str:
        """The case as messages to the customer name it (in English: ``title_for_customer_in``)."""
        return self.title_for_customer_in("")

    def title_for_customer_in(self, language: str) -> str:
        """The case as messages to the customer name it, in ``language``.  A case raised by the
        public (a web form or an e-mail) is named by its type (the Welsh name for ``cy``), not
        by the title typed in: the address it came with is unconfirmed, and the council must
        not become a relay that sends a stranger's text to anyone's address."""
        if self.source in PUBLIC_SOURCES:
            return self.case_type.name_in(language)
        return self.title


def clock_decided_at() -> models.Case:
    """When a clock's result is decided, as an expression on the clock: the moment it stopped
    for a clock stopped in time (``is_met``), its deadline for every other clock (stopped late,
    or still running).  The index ``caseclock_org_decided`` is on this expression, so a report's
    "clocks decided in a period" reads only those clocks; it is computed by the database from
    the columns the clock services write, so nothing else has to keep it."""
    return models.Case(
        models.When(is_met=True, then=models.F("stopped_at")),
        default=models.F("due_at"),
        output_field=models.DateTimeField(),
    )


class CaseClock(OrganisationOwned):
    """One standard's clock on a case: where it started, what it promised and when it stopped.

    ``pauses`` lists finished pauses as ``[paused_at, resumed_at]`` ISO strings, so thresholds
    (escalation at 75%) can be replayed through the clock.
    """

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    standard_code = models.SlugField(max_length=60)
    is_primary = models.BooleanField(default=False)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=20)
    calendar_name = models.CharField(max_length=40)
    calendar_version = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    is_met = models.BooleanField(null=True, blank=True)
    restarted_count = models.PositiveSmallIntegerField(default=0)
    # The team the case was with when the clock stopped (set by the clock services when it stops,
    # cleared when it starts again): the team a stopped clock's result belongs to in the per-team
    # figures, whatever team the case has since.  Empty while it runs (the case's team now).
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Not stored: the title of the standard that set the clock (``queries.clocks_of``).
    standard_title = ""

    class Meta:
        ordering = ["organisation", "case", "-is_primary", "standard_code"]
        indexes = [
            models.Index(fields=["organisation", "case"], name="caseclock_org_case"),
            # The sweep's look-up of running clocks behind the calendar's current version.
            models.Index(
                fields=["organisation", "calendar_version"],
                condition=Q(stopped_at__isnull=True),
                name="caseclock_org_running_version",
            ),
            # Compliance reports: the clocks of an organisation decided in a period.
            models.Index(
                models.F("organisation"), clock_decided_at(), name="caseclock_org_decided"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard_code} due {self.due_at:%Y-%m-%d %H:%M}"


class EscalationDue(OrganisationOwned):
    """When the escalation sweep next has something to do for a case (null: nothing left).

    A narrow table of its own rather than a column of ``Case``: the sweep rewrites this time for
    tens of thousands of cases at once, and an indexed column of the wide case table would make
    every such update write an entry in each of the case table's indexes.  Here it writes three.
    Only ``services.clocks`` and the sweep (``services.escalation``) write it.
    """

    id = models.BigAutoField(primary_key=True)
    # The index below leads with the organisation: no index of its own.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # One row a case: the unique rule below leads with the case, so it is also the case's index
    # (the cascade when a case is deleted looks rows up by case alone).
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="escalation_due", db_index=False
    )
    next_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "next_at", "case"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"], name="escalationdue_unique_case"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "next_at"], name="escalationdue_org_next")]

    def __str__(self) -> str:
        return f"{self.case_id} next at {self.next_at}"


class NoteKind(models.TextChoices):
    INTERNAL = "internal", _("Internal note")
    UPDATE_TO_CUSTOMER = "update-to-customer", _("Update to the customer")
    FROM_CUSTOMER = "from-customer", _("Message from the customer")


#: The kinds of note staff write (a message from the customer arrives through a channel).
STAFF_NOTE_KINDS = (NoteKind.INTERNAL, NoteKind.UPDATE_TO_CUSTOMER)


class CaseNote(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=30, choices=NoteKind.choices)
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "case", "written_at"]
        indexes = [
            models.Index(fields=["organisation", "case", "written_at"], name="casenote_org_case")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"


class LinkKind(models.TextChoices):
    DUPLICATE_OF = "duplicate-of", _("Duplicate of")
    RELATED_TO = "related-to", _("Related to")
    CAUSED_BY = "caused-by", _("Caused by")


class CaseLink(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    linked_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="linked_from")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "case", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case", "linked_case", "kind"], name="caselink_unique"
            ),
            models.CheckConstraint(
                condition=~Q(case=models.F("linked_case")), name="caselink_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.linked_case_id}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class ContributionTask(OrganisationOwned):
    """Work a contributing service does for a cross-service case; the lead service answers."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "case", "created_at"]
        indexes = [
            models.Index(fields=["organisation", "team", "status"], name="contribution_org_team")
        ]

    def __str__(self) -> str:
        return f"Task for {self.service_id} on {self.case_id}"


class CaseEscalation(OrganisationOwned):
    """An escalation rule applied to a case: the unique rule makes it happen once."""

    id = models.BigAutoField(primary_key=True)
    # Led by the organisation in a composite index (below): its own index would be one more
    # entry for every row the escalation sweep writes.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    # The rule may later be removed from the case type; percent and action keep the history.
    rule = models.ForeignKey(
        EscalationRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    percent = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=30, choices=EscalationAction.choices)
    applied_at = models.DateTimeField()
    # Clocks restart (clarification, reopening): escalations belong to one clock run.
    clock_run = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "case", "applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case", "rule", "clock_run"],
                name="caseescalation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.percent}% on {self.case_id}"


class CaseEvent(OrganisationOwned):
    """The case's timeline, shown to staff (not the audit trail).  ``code`` is stable."""

    id = models.BigAutoField(primary_key=True)
    # Led by the organisation in a composite index (below): its own index would be one more
    # entry for every row the escalation sweep writes.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=40)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["organisation", "case", "at", "id"]
        indexes = [models.Index(fields=["organisation", "case", "at"], name="caseevent_org_case")]

    def __str__(self) -> str:
        return f"{self.code} on {self.case_id}"

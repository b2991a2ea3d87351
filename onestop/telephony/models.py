"""C8 Telephony: call records imported from the council's telephone system.

Each call is a ``Contact`` on the telephone channel (offered, answered and ended times, the
service and access point, the agent, the customer matched by number) and a ``CallRecord`` beside
it holding what only a call has: the queue, the outcome (answered, abandoned, voicemail,
transferred), the wait and talk time in seconds, the caller's number and the external call id.
The call id is unique per organisation and source, so importing the same file twice, or two
files that overlap, creates nothing twice.

Answer-time and abandonment reports (C9, C10) are computed from the stored times, which keep
fractions of a second (to the microsecond): "answered within N seconds" is ``answered_at is set
and answered_at - offered_at <= N seconds`` for any N, so no threshold is baked in.
``wait_seconds`` is whole seconds rounded down (20.9 s is 20): kept for reading at a glance,
never used for a figure, since a call it rounds to N may have waited longer than N seconds.

A ``CallQueue`` maps a queue name of the telephone system to a service, an access point and the
team that answers it (each call keeps the team its queue had when it was imported); a
queue first seen in an import is created, attached to the organisation's telephone access point,
for an administrator to map.  A ``CallImportRun`` records each import (who, when, the file, the
counts) and its ``CallImportRefusal`` rows (line number and reason).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Contact
from onestop.core.models import OrganisationOwned, Timestamped
from onestop.directory.models import AccessPoint, Service, Team


class CallQueue(OrganisationOwned, Timestamped):
    """A queue of the telephone system (as its exports name it) and where its calls belong."""

    id = models.BigAutoField(primary_key=True)
    source = models.CharField(max_length=50, help_text="The format's source, e.g. amazon-connect.")
    name = models.CharField(max_length=200)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    access_point = models.ForeignKey(AccessPoint, on_delete=models.PROTECT, related_name="+")
    # The team that answers the queue's calls; each call keeps the team its queue had when it
    # was imported (``CallRecord.team``).
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "source", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "name"], name="callqueue_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned")
    VOICEMAIL = "voicemail", _("Voicemail")
    TRANSFERRED = "transferred", _("Transferred")


class CallImportRun(OrganisationOwned):
    """One import of a file of call records: who, when, which file, and what became of it."""

    id = models.BigAutoField(primary_key=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=50)
    source = models.CharField(max_length=50)
    all_or_nothing = models.BooleanField(default=False)
    imported = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    # Contacts of the export that are not telephone calls (Amazon Connect chats and tasks).
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "-started_at"]
        indexes = [
            models.Index(fields=["organisation", "started_at"], name="callimportrun_org_started"),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name}"

    @property
    def summary(self) -> str:
        return (
            f"imported {self.imported}, already present {self.already_present}, "
            f"refused {self.refused}"
        )


class CallImportRefusal(OrganisationOwned):
    """A row of an import that was refused: its line number and why (every one of a run)."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(CallImportRun, on_delete=models.CASCADE, related_name="refusals")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["organisation", "run", "line"]
        indexes = [
            models.Index(fields=["organisation", "run", "line"], name="callrefusal_org_run_line"),
        ]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class CallRecord(OrganisationOwned):
    """One call from the telephone system's records, beside the contact it became.

    Imported a million at a time, so only the indexes something uses: the two unique
    constraints (the call id per organisation and source; the contact, which also serves the
    foreign key's check when contacts are deleted) and the two led by the organisation for
    reports.  The other foreign keys have no index of their own (``db_index=False``): every
    read is scoped to the organisation, and nothing deletes a queue, an import run or a member
    of staff.

    Nor do they have a database constraint (``db_constraint=False``): PostgreSQL checks each
    foreign key of each inserted row one at a time, when the transaction commits, which cost
    an import more than writing the rows did.  The import writes only ids it has just read
    under its lock (the organisation, its queues, its own run, active staff), and the ORM still
    refuses to delete what a call refers to (``PROTECT``).  The contact keeps its constraint:
    it is the link every report and the contacts app rely on."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by its unique constraint (one call record per contact), which also serves the
    # foreign key's check when contacts are deleted.
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="call_records", db_index=False
    )
    source = models.CharField(max_length=50)
    external_id = models.CharField(max_length=200)
    queue = models.ForeignKey(
        CallQueue,
        on_delete=models.PROTECT,
        related_name="calls",
        db_index=False,
        db_constraint=False,
    )
    run = models.ForeignKey(
        CallImportRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        db_index=False,
        db_constraint=False,
    )
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField()
    wait_seconds = models.PositiveIntegerField(
        help_text="Offered to answered; for a call not answered, offered to ended."
    )
    talk_seconds = models.PositiveIntegerField(help_text="Answered to ended; 0 if not answered.")
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    agent_name = models.CharField(max_length=150, blank=True)
    caller_number = models.CharField(max_length=20, blank=True)
    # The team its queue had when the call was imported (empty: the queue had none), so the
    # per-team figures of a past period stay as they were when the queue is mapped again.
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["organisation", "-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "external_id"], name="callrecord_unique_call"
            ),
            # Led by the contact, so its index serves the foreign key's check when contacts are
            # deleted; the organisation is in it because every uniqueness rule holds one (no
            # rule may say anything across organisations).
            models.UniqueConstraint(
                fields=["contact", "organisation"], name="callrecord_one_per_contact"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "offered_at"], name="callrecord_org_offered"),
            models.Index(
                fields=["organisation", "queue", "offered_at"], name="callrecord_org_queue"
            ),
        ]

    def __str__(self) -> str:
        return f"Call {self.external_id}"

    @property
    def waited(self) -> Decimal:
        """How long the caller waited, in seconds, exactly as the stored times give it (offered
        to answered; not answered: offered to ended), fractions kept: ``Decimal("20.9")``."""
        wait = (self.answered_at or self.ended_at) - self.offered_at
        seconds = Decimal(wait // datetime.timedelta(microseconds=1)).scaleb(-6)
        whole = seconds.to_integral_value()
        return whole if seconds == whole else seconds.normalize()

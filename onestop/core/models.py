"""The shared kernel's data: organisations (tenants), staff identities, roles, audit, counters.

Organisations, users and roles live in the kernel rather than in ``directory`` because scoping,
permissions and audit (which the kernel owns) are defined in terms of them; the directory app
edits them through ``core.services``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core import public_rows
from onestop.core.scoping import OrganisationScopedManager


class Nation(models.TextChoices):
    ENGLAND = "england", _("England")
    WALES = "wales", _("Wales")
    SCOTLAND = "scotland", _("Scotland")
    NORTHERN_IRELAND = "northern-ireland", _("Northern Ireland")


class OrganisationType(models.TextChoices):
    DISTRICT_COUNCIL = "district-council", _("District or borough council")
    COUNTY_COUNCIL = "county-council", _("County council")
    UNITARY_COUNCIL = "unitary-council", _("Unitary council")
    PARISH_COUNCIL = "parish-council", _("Parish or town council")
    HOUSING_ASSOCIATION = "housing-association", _("Housing association")
    POLICE = "police", _("Police")
    DWP = "dwp", _("Department for Work and Pensions")
    HEALTH = "health", _("NHS or health body")
    VOLUNTARY = "voluntary", _("Voluntary or community organisation")
    OTHER = "other", _("Other public body")


slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters, numbers and single hyphens, like demo-council."),
)

# Words an organisation's slug may not be, because a page's address puts the slug where a fixed
# word also goes (``/performance/<organisation>/`` beside ``/performance/people/``): by word, the
# address it is taken under.  The apps that own such addresses reserve their words from
# ``AppConfig.ready()`` (``reserve_organisation_slugs``); ``Organisation.clean`` refuses them.
_RESERVED_SLUGS: dict[str, str] = {}


def reserve_organisation_slugs(words: Iterable[str], *, under: str) -> None:
    """Keep ``words`` from being chosen as an organisation's slug (``under``: the address they
    are fixed words of, such as ``/performance/``, for the message)."""
    for word in words:
        _RESERVED_SLUGS.setdefault(word, under)


def reserved_organisation_slugs() -> dict[str, str]:
    """Every reserved word, with the address it is taken under."""
    return dict(sorted(_RESERVED_SLUGS.items()))


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organisation(Timestamped):
    """A tenant: the council or a partner agency sharing its front offices."""

    id = models.BigAutoField(primary_key=True)
    slug = models.SlugField(max_length=60, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=OrganisationType.choices)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    branding_text = models.TextField(
        blank=True, help_text=_("Shown to residents under the organisation's name.")
    )
    is_active = models.BooleanField(default=True)
    offers_welsh = models.BooleanField(
        default=False,
        help_text=_(
            "Residents' pages are offered in Welsh as well as English, with a language toggle."
        ),
    )
    # Moves on every write to what the residents' pages show of the organisation (its directory,
    # charter and published forms: ``core.services.public_content_changed``); the cached copies
    # of those reads are keyed by it, so an edit is seen at once by every process.
    public_version = models.PositiveBigIntegerField(default=0, editable=False)
    # The area the organisation covers, as a box of WGS84 degrees (``core.geo``): a point on a
    # case must be inside it.  All four edges or none (no boundary: anywhere in the UK).
    boundary_south = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    boundary_north = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    boundary_west = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    boundary_east = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        boundary_south__isnull=True,
                        boundary_north__isnull=True,
                        boundary_west__isnull=True,
                        boundary_east__isnull=True,
                    )
                    | models.Q(
                        boundary_south__isnull=False,
                        boundary_north__isnull=False,
                        boundary_west__isnull=False,
                        boundary_east__isnull=False,
                        boundary_south__lt=models.F("boundary_north"),
                        boundary_west__lt=models.F("boundary_east"),
                    )
                ),
                name="organisation_boundary_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        public_rows.forget([self.slug])

    def clean(self) -> None:
        super().clean()
        under = _RESERVED_SLUGS.get(self.slug)
        if under is not None:
            raise ValidationError(
                {
                    "slug": _(
                        "%(slug)s is a word OneStop's addresses use (%(under)s%(slug)s/ is "
                        "another page): choose another slug"
                    )
                    % {"slug": self.slug, "under": under}
                }
            )


class OrganisationOwned(models.Model):
    """Base of every model that holds customer, contact, case or feedback data.

    The organisation is non-null, leads composite indexes and belongs in every uniqueness rule;
    the default manager fails closed (see ``core.scoping``).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[OrganisationScopedManager[Any]] = OrganisationScopedManager()

    class Meta:
        abstract = True


class RoleCode(models.TextChoices):
    ADVISOR = "advisor", _("Customer service advisor")
    BACK_OFFICE_OFFICER = "back-office-officer", _("Back-office officer")
    TEAM_LEADER = "team-leader", _("Team leader")
    COMPLAINTS_OFFICER = "complaints-officer", _("Complaints officer")
    MANAGER = "manager", _("Manager")
    COUNCILLOR = "councillor", _("Councillor")
    PARTNER_ADVISOR = "partner-advisor", _("Partner-agency advisor")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor (read-only)")


class Role(Timestamped):
    """A named set of actions, per organisation; administrators edit the mapping."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    actions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="role_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff (or a councillor), belonging to exactly one organisation."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users")
    job_title = models.CharField(max_length=120, blank=True)
    # Set while the password is a temporary one an administrator gave: the staff door sends
    # them to choose their own before anything else (cleared by trust.services.change_password).
    must_change_password = models.BooleanField(default=False)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    VIEWED = "viewed", _("Viewed")
    LISTED = "listed", _("Listed")
    SEARCHED = "searched", _("Searched")
    EXPORTED = "exported", _("Exported")
    DELETED = "deleted", _("Deleted")
    SIGNED_IN = "signed-in", _("Signed in")
    SIGNED_OUT = "signed-out", _("Signed out")
    SIGN_IN_FAILED = "sign-in-failed", _("Sign-in failed")


class AuditRecord(OrganisationOwned):
    """One link of an organisation's append-only, hash-chained audit trail.

    Rows are never updated or deleted (database triggers refuse it); ``core.audit.verify``
    recomputes every chain.  Ordered by time so the table can be partitioned by month.
    """

    id = models.BigAutoField(primary_key=True)
    sequence = models.BigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    # Not stored: what a person calls the record (``core.audit_labels.label_records``).
    record_label = ""

    class Meta:
        ordering = ["organisation", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sequence"], name="auditrecord_unique_sequence"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "at"], name="auditrecord_org_at"),
            models.Index(
                fields=["organisation", "object_type", "object_id"], name="auditrecord_org_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}#{self.sequence} {self.action} {self.object_type}"


class AuditChainHead(models.Model):
    """The last link of each organisation's chain; locking it serialises appends.

    The database lets the head only advance to a record that exists and chains back, record by
    record, to the old head (migrations ``core.0003``, ``core.0011``); ``purged_through``/
    ``purged_hash`` are the last record a retention purge removed, where
    ``core.audit.verify`` starts, and only the purge may move them.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    purged_through = models.BigIntegerField(default=0)
    purged_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain of {self.organisation_id} at {self.sequence}"


class ReferenceCounter(models.Model):
    """Per-organisation counters behind people-facing references (``SR-26-4K7Q0``)."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "prefix", "year"], name="referencecounter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.value}"

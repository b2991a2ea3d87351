"""The directory (C1): services, teams, access points and their hours, as data administrators edit.

Organisations, staff and roles live in ``core`` (the kernel); this app edits them through
``core.services``.  ``LgslService`` is shared reference data (no organisation, no foreign key into
tenant tables); everything else is organisation-owned and fails closed when queried unscoped.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.language import in_page_language
from onestop.core.models import Organisation, OrganisationOwned, Timestamped

# The Welsh words beside the English ones residents read (issue 18): shown when the page is in
# Welsh; a Welsh word left empty shows the English.
WELSH_HELP = _("Shown when a resident reads the pages in Welsh; empty shows the English")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class LgslService(models.Model):
    """One entry of the Local Government Service List (shared by every organisation)."""

    id = models.BigAutoField(primary_key=True)
    code = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name = _("LGSL service")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PostcodeDistrict(models.Model):
    """Where a postcode district (the outward code, like HP19) lies: its centre, shared by every
    organisation, loaded by ``onestop directory import-postcode-districts``.  The residents'
    report forms centre their map on the district of the postcode typed."""

    outward_code = models.CharField(max_length=4, primary_key=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    # How many postcodes the centre was averaged from (0 when the file gave the centre).
    postcodes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["outward_code"]
        verbose_name = _("postcode district")

    def __str__(self) -> str:
        return self.outward_code


class Service(OrganisationOwned, Timestamped):
    """A service an organisation provides, optionally tagged with its LGSL entry."""

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    lgsl = models.ForeignKey(
        LgslService, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(blank=True)
    # How residents contact the service (shown on the organisation's public start page).
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    name_cy = models.CharField(max_length=200, blank=True, help_text=WELSH_HELP)
    description_cy = models.TextField(blank=True, help_text=WELSH_HELP)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="service_unique_slug"),
            models.UniqueConstraint(fields=["organisation", "name"], name="service_unique_name"),
        ]
        indexes = [models.Index(fields=["organisation", "lgsl"], name="service_org_lgsl")]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        """The name residents read, in the page's language."""
        return in_page_language(self.name, self.name_cy)

    @property
    def public_description(self) -> str:
        return in_page_language(self.description, self.description_cy)


class Team(OrganisationOwned, Timestamped):
    """A team within a service."""

    id = models.BigAutoField(primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "name"], name="team_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "team", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "team", "user"], name="teammembership_unique"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "user"], name="teammembership_org_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


class AccessPointKind(models.TextChoices):
    CUSTOMER_SERVICE_CENTRE = "customer-service-centre", _("Customer service centre")
    AREA_OFFICE = "area-office", _("Area office")
    ONE_STOP_SHOP = "one-stop-shop", _("One-stop shop")
    MOBILE = "mobile", _("Mobile service")
    TELEPHONE = "telephone", _("Telephone")
    WEB = "web", _("Website")


class AccessPoint(OrganisationOwned, Timestamped):
    """A place or channel where customers reach the organisation, with its opening hours."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=30, choices=AccessPointKind.choices)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # Facilities, shown to residents beside the address (equality of access, seed 001).
    has_hearing_loop = models.BooleanField(default=False)
    has_step_free_access = models.BooleanField(default=False)
    interview_rooms = models.PositiveSmallIntegerField(default=0)
    name_cy = models.CharField(max_length=200, blank=True, help_text=WELSH_HELP)
    address_cy = models.TextField(blank=True, help_text=WELSH_HELP)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="accesspoint_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        """The name residents read, in the page's language."""
        return in_page_language(self.name, self.name_cy)

    @property
    def public_address(self) -> str:
        return in_page_language(self.address, self.address_cy)


class AccessPointShare(OrganisationOwned):
    """The owner (``organisation``) lets ``shared_with`` see an access point, read-only."""

    id = models.BigAutoField(primary_key=True)
    access_point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="shares")
    shared_with = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "access_point", "shared_with"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "access_point", "shared_with"],
                name="accesspointshare_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.access_point_id} shared with {self.shared_with_id}"


class OpeningSession(OrganisationOwned):
    """One session of the weekly pattern: a weekday, an opening and a closing time."""

    id = models.BigAutoField(primary_key=True)
    access_point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["organisation", "access_point", "weekday", "opens"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "access_point", "weekday", "opens"],
                name="openingsession_unique_start",
            ),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="openingsession_closes_after_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="openingsession_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class OpeningException(OrganisationOwned):
    """A date on which the weekly pattern does not apply: closed, or open for other sessions."""

    id = models.BigAutoField(primary_key=True)
    access_point = models.ForeignKey(
        AccessPoint, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200)
    reason_cy = models.CharField(max_length=200, blank=True, help_text=WELSH_HELP)

    class Meta:
        ordering = ["organisation", "access_point", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "access_point", "date"], name="openingexception_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}"


class ExceptionSession(OrganisationOwned):
    """An alternative session on an exception date (none at all: closed all day)."""

    id = models.BigAutoField(primary_key=True)
    exception = models.ForeignKey(
        OpeningException, on_delete=models.CASCADE, related_name="sessions"
    )
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["organisation", "exception", "opens"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "exception", "opens"], name="exceptionsession_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="exceptionsession_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


class OutOfHoursArrangement(OrganisationOwned, Timestamped):
    """Who to contact when an access point is closed, and the weekly window it covers.

    The window may wrap the week: Friday 16:45 to Monday 08:45 is one arrangement.
    """

    id = models.BigAutoField(primary_key=True)
    access_point = models.ForeignKey(
        AccessPoint, on_delete=models.CASCADE, related_name="out_of_hours"
    )
    title = models.CharField(max_length=200)
    contact = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    details = models.TextField(blank=True)
    starts_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    ends_at = models.TimeField()
    title_cy = models.CharField(max_length=200, blank=True, help_text=WELSH_HELP)
    contact_cy = models.CharField(max_length=200, blank=True, help_text=WELSH_HELP)
    details_cy = models.TextField(blank=True, help_text=WELSH_HELP)

    class Meta:
        ordering = ["organisation", "access_point", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "access_point", "title"], name="outofhours_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def public_title(self) -> str:
        """The words residents read, in the page's language."""
        return in_page_language(self.title, self.title_cy)

    @property
    def public_contact(self) -> str:
        return in_page_language(self.contact, self.contact_cy)

    @property
    def public_details(self) -> str:
        return in_page_language(self.details, self.details_cy)

    def covers(self, weekday: int, at: datetime.time) -> bool:
        """Whether the window includes ``at`` on ``weekday`` (minutes since Monday 00:00)."""
        week = 7 * 24 * 60
        start = self.starts_weekday * 24 * 60 + self.starts_at.hour * 60 + self.starts_at.minute
        end = self.ends_weekday * 24 * 60 + self.ends_at.hour * 60 + self.ends_at.minute
        moment = weekday * 24 * 60 + at.hour * 60 + at.minute
        length = (end - start) % week
        return (moment - start) % week < length


# --- mail domains ---------------------------------------------------------------------------------
class DomainClaim(models.Model):
    """A mail domain verified by one organisation, whichever it is.

    Like ``channels.MailAddress``: the global rule "one organisation per domain" lives in this
    small shared table (the domain only: no organisation, no personal data), so the tenant table
    ``MailDomain`` keeps its organisation in every uniqueness rule.
    """

    id = models.BigAutoField(primary_key=True)
    domain = models.CharField(max_length=253)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["domain"], name="domainclaim_unique_domain"),
        ]

    def __str__(self) -> str:
        return self.domain


class DomainVerification(models.TextChoices):
    DNS = "dns", _("DNS TXT record")
    ADMINISTRATOR = "administrator", _("System administrator")


class MailDomain(OrganisationOwned, Timestamped):
    """A mail domain an organisation uses or asks to use.  Its shared mailboxes may only have
    addresses on its verified domains; verification is a TXT record published in the domain's
    DNS (``txt_name`` holding ``txt_value``) or a system administrator's word."""

    TXT_LABEL = "_onestop-verification"
    TXT_PREFIX = "onestop-verification="

    id = models.BigAutoField(primary_key=True)
    domain = models.CharField(max_length=253, help_text="Lower case, A-labels (IDNA).")
    token = models.CharField(max_length=64)
    claim = models.ForeignKey(
        DomainClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.CharField(max_length=20, choices=DomainVerification.choices, blank=True)

    class Meta:
        ordering = ["organisation", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "domain"], name="maildomain_unique_domain"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.claim_id is not None

    @property
    def txt_name(self) -> str:
        return f"{self.TXT_LABEL}.{self.domain}"

    @property
    def txt_value(self) -> str:
        return f"{self.TXT_PREFIX}{self.token}"

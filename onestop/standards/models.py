"""Service standards as data, their target history, and each organisation's calendar."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onestop.core.language import in_page_language
from onestop.core.models import OrganisationOwned, Timestamped
from onestop.standards.clock import Unit


class Channel(models.TextChoices):
    """The channel or procedure a standard applies to."""

    TELEPHONE = "telephone", _("Telephone")
    VOICEMAIL = "voicemail", _("Voicemail")
    CALL_BACK = "call-back", _("Call back")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    FACE_TO_FACE = "face-to-face", _("Face to face")
    ANY = "any", _("Any channel")
    COMPLAINT = "complaint", _("Complaints procedure")
    APPOINTMENT = "appointment", _("Appointments")
    FREEDOM_OF_INFORMATION = "foi", _("Freedom of information and environmental information")
    SUBJECT_ACCESS = "subject-access", _("Subject access request")


class UnitChoice(models.TextChoices):
    SECONDS = Unit.SECONDS.value, _("seconds")
    MINUTES = Unit.MINUTES.value, _("minutes")
    HOURS = Unit.HOURS.value, _("hours")
    WORKING_HOURS = Unit.WORKING_HOURS.value, _("working hours")
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, _("calendar days")
    CALENDAR_MONTHS = Unit.CALENDAR_MONTHS.value, _("calendar months")


_UNIT_AMOUNTS: dict[str, tuple[str, str]] = {
    Unit.SECONDS.value: ("%(count)d second", "%(count)d seconds"),
    Unit.MINUTES.value: ("%(count)d minute", "%(count)d minutes"),
    Unit.HOURS.value: ("%(count)d hour", "%(count)d hours"),
    Unit.WORKING_HOURS.value: ("%(count)d working hour", "%(count)d working hours"),
    Unit.WORKING_DAYS.value: ("%(count)d working day", "%(count)d working days"),
    Unit.CALENDAR_DAYS.value: ("%(count)d calendar day", "%(count)d calendar days"),
    Unit.CALENDAR_MONTHS.value: ("%(count)d calendar month", "%(count)d calendar months"),
}


def amount_of(amount: int | None, unit: str) -> str:
    """An amount of a clock unit as people say it, singular or plural: "1 working day",
    "2 working days" (the one place a time limit is worded)."""
    count = amount or 0
    forms = _UNIT_AMOUNTS.get(unit)
    if forms is None:
        return f"{count} {unit}"
    return ngettext(forms[0], forms[1], count) % {"count": count}


class CalendarChoice(models.TextChoices):
    ORGANISATION = "organisation", _("The organisation's calendar")
    UNITED_KINGDOM = "united-kingdom", _("United Kingdom (a bank holiday anywhere in the UK)")


class Standard(Timestamped, OrganisationOwned):
    """A promise: from ``start_event`` to ``stop_event`` within ``amount`` ``unit``.

    A standard without an amount (e.g. "resolve 80% at first contact") is a share-only target.
    ``service`` names the ``directory.Service`` whose own standard this row is: it overrides the
    organisation-wide standard of the same code for that service (see
    ``queries.standard_for``).
    """

    id = models.BigAutoField(primary_key=True)
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    applies_to = models.CharField(max_length=20, choices=Channel.choices)
    start_event = models.CharField(max_length=100)
    stop_event = models.CharField(max_length=100)
    amount = models.PositiveIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=20, choices=UnitChoice.choices, blank=True)
    target_percent = models.DecimalField(max_digits=5, decimal_places=2)
    calendar = models.CharField(
        max_length=20, choices=CalendarChoice.choices, default=CalendarChoice.ORGANISATION
    )
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the organisation-wide standard."),
    )
    source = models.CharField(max_length=200, blank=True)
    # The title in Welsh, for the charter and the public performance page when they are read
    # in Welsh (empty: the English).  Like the English, it starts with what we do: "Ateb
    # llythyrau o fewn 10 diwrnod gwaith" reads "Byddwn yn ateb llythyrau ..." on the charter.
    title_cy = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Shown when a resident reads the pages in Welsh; empty shows the English"),
    )

    class Meta:
        ordering = ["organisation", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                condition=Q(service__isnull=True),
                name="standard_unique_code",
            ),
            models.UniqueConstraint(
                fields=["organisation", "code", "service"],
                condition=Q(service__isnull=False),
                name="standard_unique_code_per_service",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True, unit="") | Q(amount__isnull=False) & ~Q(unit=""),
                name="standard_amount_with_unit",
            ),
            models.CheckConstraint(
                condition=Q(target_percent__gte=0) & Q(target_percent__lte=100),
                name="standard_target_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def public_title(self) -> str:
        """The title residents read, in the page's language."""
        return in_page_language(self.title, self.title_cy)

    @property
    def is_timed(self) -> bool:
        return self.amount is not None and bool(self.unit)

    @property
    def time_limit(self) -> str:
        """ "1 working day", "10 working days" (``""`` without a time limit)."""
        return amount_of(self.amount, self.unit) if self.is_timed else ""


class StandardTarget(OrganisationOwned):
    """The target share from ``year`` on (targets rise about 2% a year, seed 001 s.357)."""

    id = models.BigAutoField(primary_key=True)
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField()
    target_percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["organisation", "standard", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "standard", "year"], name="standardtarget_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.target_percent}%"


class ClosureDay(OrganisationOwned):
    """A day the organisation is closed (not a working day) besides bank holidays."""

    id = models.BigAutoField(primary_key=True)
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation", "date"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="closureday_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.reason}"


class CalendarVersion(OrganisationOwned):
    """The organisation's calendar version: goes up by one on every closure-day change."""

    id = models.BigAutoField(primary_key=True)
    number = models.PositiveIntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="calendarversion_unique"),
        ]

    def __str__(self) -> str:
        return f"calendar version {self.number}"

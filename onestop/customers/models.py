"""C2 Customers: one record per person, business or community group in an organisation.

``Customer`` and its primary key are the contract other apps build on.  Names (with previous
names), addresses, phone numbers and e-mail addresses are child rows; the ``*_key`` and
``soundex`` columns are normalised copies written by ``services`` for the desk search (see
``docs/desk.md``).  Equality monitoring lives in its own table so that only roles with
``customer.equality.view`` ever read it.  A merged record stays, pointing at the record it was
merged into, so the merge can be undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onestop.core.models import OrganisationOwned, Timestamped


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    BUSINESS = "business", _("Business")
    GROUP = "group", _("Community group")


class PreferredChannel(models.TextChoices):
    NO_PREFERENCE = "", _("No preference")
    TELEPHONE = "telephone", _("Telephone")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")
    FACE_TO_FACE = "face-to-face", _("Face to face")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")
    BRITISH_SIGN_LANGUAGE = "bfi", _("British Sign Language")
    POLISH = "pl", _("Polish")
    PUNJABI = "pa", _("Punjabi")
    URDU = "ur", _("Urdu")
    BENGALI = "bn", _("Bengali")
    GUJARATI = "gu", _("Gujarati")
    ARABIC = "ar", _("Arabic")
    ROMANIAN = "ro", _("Romanian")
    OTHER = "other", _("Another language")


class Format(models.TextChoices):
    STANDARD = "", _("Standard print")
    LARGE_PRINT = "large-print", _("Large print")
    BRAILLE = "braille", _("Braille")
    AUDIO = "audio", _("Audio")
    EASY_READ = "easy-read", _("Easy read")


class Customer(OrganisationOwned, Timestamped):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(
        max_length=20, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    display_name = models.CharField(max_length=300)
    reference = models.CharField(max_length=20, blank=True)
    title = models.CharField(max_length=40, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    preferred_channel = models.CharField(
        max_length=20, choices=PreferredChannel.choices, blank=True, default=""
    )
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    format = models.CharField(max_length=20, choices=Format.choices, blank=True, default="")
    needs_interpreter = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=100, blank=True)
    consents_to_email_updates = models.BooleanField(default=False)
    consents_to_sms_updates = models.BooleanField(default=False)
    # Search columns (normalised copies; written by services only).
    name_key = models.CharField(max_length=300, blank=True)
    given_soundex = models.CharField(max_length=4, blank=True)
    family_soundex = models.CharField(max_length=4, blank=True)
    # Optimistic locking: every change bumps it; a change made from an older version is refused.
    version = models.PositiveIntegerField(default=1)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "display_name"]
        indexes = [
            models.Index(fields=["organisation", "display_name"], name="customer_org_name"),
            models.Index(
                fields=["organisation", "name_key"],
                name="customer_org_name_key",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["organisation", "family_soundex", "given_soundex"],
                name="customer_org_soundex",
            ),
            models.Index(
                fields=["organisation", "given_soundex"], name="customer_org_given_soundex"
            ),
            models.Index(fields=["organisation", "date_of_birth"], name="customer_org_dob"),
            models.Index(fields=["organisation", "reference"], name="customer_org_reference"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class CustomerName(OrganisationOwned):
    """A previous name (maiden name, former business name), searchable like the current one."""

    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="names")
    full_name = models.CharField(max_length=300)
    name_key = models.CharField(max_length=300)
    given_soundex = models.CharField(max_length=4, blank=True)
    family_soundex = models.CharField(max_length=4, blank=True)
    used_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "customer", "-created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "family_soundex", "given_soundex"],
                name="customername_org_soundex",
            ),
            models.Index(
                fields=["organisation", "name_key"],
                name="customername_org_key",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Address(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8)
    postcode_key = models.CharField(max_length=8)
    uprn = models.BigIntegerField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "customer", "-is_current", "-created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "postcode_key"],
                name="address_org_postcode",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["organisation", "uprn"], name="address_org_uprn"),
        ]

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.line_1, self.line_2, self.town, self.postcode) if part
        )


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")


class Phone(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, help_text="E.164, like +447700900123")
    digits = models.CharField(max_length=20)
    reversed_digits = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "customer", "created_at"]
        indexes = [
            models.Index(fields=["organisation", "number"], name="phone_org_number"),
            models.Index(
                fields=["organisation", "digits"],
                name="phone_org_digits",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["organisation", "reversed_digits"],
                name="phone_org_reversed",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Email(OrganisationOwned):
    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(max_length=254)
    address_key = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "customer", "created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "address_key"],
                name="email_org_address",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.address


# --- equality monitoring --------------------------------------------------------------------------
PREFER_NOT_TO_SAY = "prefer-not-to-say"


class AgeBand(models.TextChoices):
    UNDER_18 = "under-18", _("Under 18")
    FROM_18_TO_24 = "18-24", _("18 to 24")
    FROM_25_TO_34 = "25-34", _("25 to 34")
    FROM_35_TO_44 = "35-44", _("35 to 44")
    FROM_45_TO_54 = "45-54", _("45 to 54")
    FROM_55_TO_64 = "55-64", _("55 to 64")
    FROM_65_TO_74 = "65-74", _("65 to 74")
    OVER_75 = "75-plus", _("75 or over")
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, _("Prefer not to say")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, _("Prefer not to say")


class GenderIdentity(models.TextChoices):
    SAME_AS_AT_BIRTH = "same", _("The same as the sex registered at birth")
    DIFFERENT = "different", _("Different from the sex registered at birth")
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, _("Prefer not to say")


class Ethnicity(models.TextChoices):
    ASIAN = "asian", _("Asian or Asian British")
    BLACK = "black", _("Black, Black British, Caribbean or African")
    MIXED = "mixed", _("Mixed or multiple ethnic groups")
    WHITE = "white", _("White")
    OTHER = "other", _("Another ethnic group")
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, _("Prefer not to say")


class Disability(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, _("Prefer not to say")


class Religion(models.TextChoices):
    NONE = "none", _("No religion")
    CHRISTIAN = "christian", _("Christian")
    BUDDHIST = "buddhist", _("Buddhist")
    HINDU = "hindu", _("Hindu")
    JEWISH = "jewish", _("Jewish")
    MUSLIM = "muslim", _("Muslim")
    SIKH = "sikh", _("Sikh")
    OTHER = "other", _("Another religion")
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, _("Prefer not to say")


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", _("Straight or heterosexual")
    GAY_OR_LESBIAN = "gay-or-lesbian", _("Gay or lesbian")
    BISEXUAL = "bisexual", _("Bisexual")
    OTHER = "other", _("Another sexual orientation")
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, _("Prefer not to say")


EQUALITY_FIELDS: dict[str, type[models.TextChoices]] = {
    "age_band": AgeBand,
    "sex": Sex,
    "gender_identity": GenderIdentity,
    "ethnicity": Ethnicity,
    "disability": Disability,
    "religion": Religion,
    "sexual_orientation": SexualOrientation,
}


class EqualityMonitoring(OrganisationOwned):
    """Optional equality monitoring answers; every question may be left unanswered."""

    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="equality_records"
    )
    age_band = models.CharField(_("Age"), max_length=20, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("Sex"), max_length=20, choices=Sex.choices, blank=True)
    gender_identity = models.CharField(
        _("Gender identity"), max_length=20, choices=GenderIdentity.choices, blank=True
    )
    ethnicity = models.CharField(
        _("Ethnic group"), max_length=20, choices=Ethnicity.choices, blank=True
    )
    disability = models.CharField(
        _("Disability"), max_length=20, choices=Disability.choices, blank=True
    )
    religion = models.CharField(
        _("Religion or belief"), max_length=20, choices=Religion.choices, blank=True
    )
    sexual_orientation = models.CharField(
        _("Sexual orientation"), max_length=20, choices=SexualOrientation.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "customer"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "customer"], name="equalitymonitoring_one_per_customer"
            ),
        ]

    def __str__(self) -> str:
        return f"Equality monitoring of {self.customer_id}"


# --- warning markers ------------------------------------------------------------------------------
class MarkerKind(models.TextChoices):
    POTENTIALLY_VIOLENT = "potentially-violent", _("Potentially violent person")
    LONE_WORKER_RISK = "lone-worker-risk", _("Lone-worker risk")
    SAFEGUARDING = "safeguarding", _("Safeguarding")
    VULNERABLE = "vulnerable", _("Vulnerable customer")
    OTHER = "other", _("Other warning")


class Marker(OrganisationOwned, Timestamped):
    """A warning on a customer.  Everyone with the customer sees the banner (kind and what to
    do); only the roles in ``visible_to_roles`` holding ``marker.view-detail`` see the reason
    and source."""

    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="markers")
    kind = models.CharField(max_length=30, choices=MarkerKind.choices)
    guidance = models.CharField(max_length=300)
    reason = models.TextField()
    source = models.CharField(max_length=200)
    review_on = models.DateField()
    visible_to_roles = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "customer", "review_on"]
        indexes = [
            models.Index(fields=["organisation", "review_on"], name="marker_org_review"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.customer_id}"


# --- merges ---------------------------------------------------------------------------------------
class CustomerMerge(OrganisationOwned):
    """One merge: which rows moved from ``merged`` to ``kept``, so an unmerge can move them back
    until ``retained_until``."""

    id = models.BigAutoField(primary_key=True)
    kept = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moved = models.JSONField(default=dict)
    retained_until = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-merged_at"]
        indexes = [
            models.Index(fields=["organisation", "kept"], name="customermerge_org_kept"),
            models.Index(fields=["organisation", "merged"], name="customermerge_org_merged"),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} merged into {self.kept_id}"

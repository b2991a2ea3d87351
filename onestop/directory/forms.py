"""Page input of the directory, rendered with GOV.UK classes (``core/includes/field.html``)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onestop.core import geo
from onestop.core.forms import GovukDateField, GovukFormMixin, PlainTextFormMixin
from onestop.core.models import Nation, Organisation, OrganisationType, Role, User
from onestop.directory.models import WELSH_HELP, AccessPointKind, Service, Weekday

# The Welsh descriptions, addresses and details residents read (the English has no limit of its
# own; the Welsh is kept to a page's worth).
DESCRIPTION_LIMIT = 2_000

_TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[.:](?P<minute>\d{2}))?\s*(?P<meridiem>am|pm)?$")
_SESSION_SEPARATOR = re.compile(r"\s*(?:-|\u2013|to)\s*")


def parse_time_of_day(text: str) -> datetime.time:
    """``9``, ``9.00``, ``09:00``, ``5.15pm`` or ``17:30``; ``ValidationError`` otherwise."""
    match = _TIME.match(text.strip().lower())
    invalid = ValidationError(
        _("Enter a real time, like 9:00, 13.30 or 4.45pm (%(value)s is not a time)"),
        code="invalid_time",
        params={"value": text.strip()[:20]},
    )
    if match is None:
        raise invalid
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    meridiem = match["meridiem"]
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise invalid
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise invalid
    return datetime.time(hour, minute)


def parse_sessions(text: str) -> list[tuple[datetime.time, datetime.time]]:
    """``9.00-13.00, 14.00-16.30`` into sessions; an empty text is no sessions."""
    sessions = []
    for part in [piece for piece in re.split(r"[,;\n]", text) if piece.strip()]:
        bounds = _SESSION_SEPARATOR.split(part.strip().lower())
        if len(bounds) != 2:
            raise ValidationError(
                _("Write each session as an opening and closing time, like 9.00-13.00"),
                code="invalid_session",
            )
        sessions.append((parse_time_of_day(bounds[0]), parse_time_of_day(bounds[1])))
    return sessions


class TimeOfDayField(forms.Field):
    """A time of day typed as people write it (``9.00``, ``4.45pm``, ``17:30``)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("For example, 9:00 or 16:30"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.time | None:
        text = str(value or "").strip()
        if not text:
            return None
        return parse_time_of_day(text[:20])


def _edge(label: Any, *, latitude: bool) -> forms.DecimalField:
    """One edge of an organisation's boundary, in degrees (a latitude or a longitude)."""
    invalid = (
        _("Enter the edge as a latitude in degrees, like 51.6")
        if latitude
        else _("Enter the edge as a longitude in degrees, like -1.1")
    )
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": invalid,
            "max_decimal_places": _("Give the edge to at most 6 decimal places"),
            "max_digits": invalid,
            "max_whole_digits": invalid,
        },
    )


class OrganisationForm(GovukFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type of organisation"), choices=OrganisationType.choices)
    nation = forms.ChoiceField(label=_("Nation"), choices=Nation.choices)
    branding_text = forms.CharField(
        label=_("Branding text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to residents under the organisation's name"),
    )
    offers_welsh = forms.BooleanField(
        label=_("Offer residents' pages in Welsh"),
        required=False,
        help_text=_(
            "Residents' pages get a Cymraeg / English toggle, and a resident who chooses Welsh "
            "gets their messages in Welsh"
        ),
    )
    boundary_south = _edge(_("Southern edge of the area you look after (optional)"), latitude=True)
    boundary_north = _edge(_("Northern edge (optional)"), latitude=True)
    boundary_west = _edge(_("Western edge (optional)"), latitude=False)
    boundary_east = _edge(_("Eastern edge (optional)"), latitude=False)
    BOUNDARY = ("boundary_south", "boundary_north", "boundary_west", "boundary_east")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["boundary_south"].help_text = _(
            "A point marked on a map must be inside this box. Give all four edges in degrees, "
            "like 51.6 and -1.1 (read them off any map site), or none for anywhere in the UK"
        )
        for name in self.BOUNDARY:
            self.fields[name].widget.attrs["class"] += " govuk-input--width-10"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        edges = [data.pop(name, None) for name in self.BOUNDARY]
        if any(name in self.errors for name in self.BOUNDARY):
            return data
        given = [edge is not None for edge in edges]
        if all(given):
            south, north, west, east = edges
            data["boundary"] = geo.Box(south=south, north=north, west=west, east=east)
        elif any(given):
            missing = self.BOUNDARY[given.index(False)]
            self.add_error(missing, _("Give all four edges of the boundary, or none"))
        else:
            data["boundary"] = None
        return data


class ServiceForm(GovukFormMixin, forms.Form):
    name = forms.CharField(label=_("Service name"), max_length=200)
    lgsl_code = forms.IntegerField(
        label=_("LGSL code (optional)"),
        required=False,
        min_value=1,
        max_value=999_999_999,
        help_text=_("The service's number in the Local Government Service List, like 524"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={"invalid": _("The LGSL code must be a whole number, like 524")},
    )
    description = forms.CharField(
        label=_("Public description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    phone = forms.CharField(
        label=_("Public phone number (optional)"),
        required=False,
        max_length=40,
        help_text=_("Shown to residents on the start page"),
    )
    email = forms.EmailField(
        label=_("Public e-mail address (optional)"),
        required=False,
        max_length=254,
        help_text=_("Shown to residents on the start page"),
    )
    name_cy = forms.CharField(
        label=_("Service name in Welsh (optional)"),
        required=False,
        max_length=200,
        help_text=WELSH_HELP,
    )
    description_cy = forms.CharField(
        label=_("Public description in Welsh (optional)"),
        required=False,
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=WELSH_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["lgsl_code"].widget.attrs["class"] = "govuk-input govuk-input--width-5"
        for name in ("name_cy", "description_cy"):
            self.fields[name].widget.attrs["lang"] = "cy"


class TeamForm(GovukFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Team name"), max_length=200)
    email = forms.EmailField(label=_("Team email address (optional)"), required=False)
    phone = forms.CharField(label=_("Team phone number (optional)"), required=False, max_length=40)

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self._style()


class TeamMemberForm(GovukFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        label=_("Member of staff"), queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff  # type: ignore[attr-defined]
        self._style()


class AccessPointForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of access point"), choices=AccessPointKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(
        label=_("Address (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(label=_("Phone number (optional)"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail address (optional)"), required=False, max_length=254)
    has_hearing_loop = forms.BooleanField(label=_("Has a hearing loop"), required=False)
    has_step_free_access = forms.BooleanField(label=_("Has step-free access"), required=False)
    interview_rooms = forms.IntegerField(
        label=_("Private interview rooms"),
        required=False,
        min_value=0,
        max_value=99,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("The number of interview rooms must be a whole number")},
    )
    name_cy = forms.CharField(
        label=_("Name in Welsh (optional)"), required=False, max_length=200, help_text=WELSH_HELP
    )
    address_cy = forms.CharField(
        label=_("Address in Welsh (optional)"),
        required=False,
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=WELSH_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["interview_rooms"].widget.attrs["class"] = "govuk-input govuk-input--width-2"
        for name in ("name_cy", "address_cy"):
            self.fields[name].widget.attrs["lang"] = "cy"

    def clean_interview_rooms(self) -> int:
        return int(self.cleaned_data.get("interview_rooms") or 0)


class ShareForm(GovukFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": _("Select the organisation to share with")},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self._style()


class OpeningSessionForm(GovukFormMixin, forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    opens = TimeOfDayField(
        label=_("Opens at"), error_messages={"required": _("Enter the time it opens")}
    )
    closes = TimeOfDayField(
        label=_("Closes at"), error_messages={"required": _("Enter the time it closes")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        for name in ("opens", "closes"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-5"

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes", _("The closing time must be after the opening time"))
        return cleaned


class OpeningExceptionForm(GovukFormMixin, forms.Form):
    date = GovukDateField(label=_("Date"), help_text=_("For example, 27 12 2026"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reason_cy = forms.CharField(
        label=_("Reason in Welsh (optional)"),
        required=False,
        max_length=200,
        help_text=WELSH_HELP,
    )
    sessions = forms.CharField(
        label=_("Opening sessions on that date"),
        required=False,
        help_text=_("Leave empty if closed all day. For example, 9.00-13.00, 14.00-16.30"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["reason_cy"].widget.attrs["lang"] = "cy"

    def clean_sessions(self) -> list[tuple[datetime.time, datetime.time]]:
        return parse_sessions(self.cleaned_data.get("sessions") or "")


class OutOfHoursForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("For example, Emergency standby")
    )
    contact = forms.CharField(label=_("Who to contact"), max_length=200)
    phone = forms.CharField(label=_("Phone number (optional)"), required=False, max_length=40)
    details = forms.CharField(
        label=_("Details (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_weekday = forms.TypedChoiceField(
        label=_("Starts on"), choices=Weekday.choices, coerce=int
    )
    starts_at = TimeOfDayField(label=_("Starts at"))
    ends_weekday = forms.TypedChoiceField(label=_("Ends on"), choices=Weekday.choices, coerce=int)
    ends_at = TimeOfDayField(label=_("Ends at"))
    title_cy = forms.CharField(
        label=_("Title in Welsh (optional)"), required=False, max_length=200, help_text=WELSH_HELP
    )
    contact_cy = forms.CharField(
        label=_("Who to contact, in Welsh (optional)"),
        required=False,
        max_length=200,
        help_text=WELSH_HELP,
    )
    details_cy = forms.CharField(
        label=_("Details in Welsh (optional)"),
        required=False,
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=WELSH_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-5"
        for name in ("title_cy", "contact_cy", "details_cy"):
            self.fields[name].widget.attrs["lang"] = "cy"


class StaffRolesForm(PlainTextFormMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(role.code, role.name) for role in roles]  # type: ignore[attr-defined]


class StaffCreateForm(PlainTextFormMixin, forms.Form):
    """A new member of staff; they set up their authenticator when they first sign in."""

    username = forms.RegexField(
        label=_("Username"),
        max_length=80,
        regex=r"^[A-Za-z0-9.+_-]+$",
        error_messages={
            "required": _("Enter a username for the member of staff"),
            "invalid": _(
                "Use only letters, numbers and . + _ - in a username (your organisation's "
                "part, after the @, is added for you)"
            ),
        },
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        error_messages={"required": _("Enter the member of staff's first name")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={"required": _("Enter the member of staff's last name")},
    )
    email = forms.EmailField(
        label=_("Work e-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the member of staff's email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    password = forms.CharField(
        label=_("Temporary password"),
        max_length=128,
        strip=False,
        error_messages={"required": _("Enter a temporary password for the member of staff")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. Give it to them in person; they can change it."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, roles: list[Role], organisation_slug: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "They sign in with this name followed by @%(organisation)s, like "
            "j.smith@%(organisation)s"
        ) % {"organisation": organisation_slug}
        self.fields["roles"].choices = [(role.code, role.name) for role in roles]  # type: ignore[attr-defined]
        for name in ("username", "first_name", "last_name", "email", "job_title", "password"):
            self.fields[name].widget.attrs["class"] = "govuk-input"
        self.fields["username"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class MailDomainForm(GovukFormMixin, forms.Form):
    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        help_text=_("The part of your mailboxes' addresses after the @, like council.gov.uk"),
        error_messages={"required": _("Enter a domain name like council.gov.uk")},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

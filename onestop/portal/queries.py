"""Every read of the portal: the published forms residents see, and the staff list."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from onestop.cases.models import Case, CaseType
from onestop.core import permissions, public_rows
from onestop.core.access import get_or_404
from onestop.core.language import active_organisation
from onestop.core.models import Organisation, User
from onestop.core.prepared import PreparedRead
from onestop.directory import queries as directory
from onestop.directory.models import OutOfHoursArrangement, Service
from onestop.portal import services_track
from onestop.portal.models import WebForm
from onestop.portal.services import NOT_OFFERED_ONLINE
from onestop.standards import queries as standards

CODE_LIMIT = 60
REFERENCE_LIMIT = 20


# --- the public ---------------------------------------------------------------------------------
def published_forms(organisation: Organisation) -> list[WebForm]:
    """The forms residents of ``organisation`` can use, in the administrators' order."""
    return list(
        WebForm.objects.for_organisation(organisation)
        .filter(is_published=True, case_type__is_active=True)
        .exclude(case_type__kind__in=sorted(NOT_OFFERED_ONLINE))
        .select_related("case_type", "case_type__service")
        .order_by("position", "case_type__name")
    )


SEARCH_LIMIT = 100
#: How many of the organisation's own form names the search box's hint gives as examples.
SEARCH_EXAMPLES = 3


@dataclass(frozen=True)
class PublicForm:
    """A published form as residents see it in the list, in the page's language."""

    code: str
    name: str
    hint: str
    category: str


@dataclass(frozen=True)
class FormList:
    """The list page: every form by category, or the forms a search found."""

    search: str
    found: list[PublicForm]
    categories: list[tuple[str, list[PublicForm]]]
    total: int
    #: The names of the first few forms, in the page's language: the search box's examples.
    examples: list[str]


def _words(text: str) -> list[str]:
    return [word for word in text.casefold().split() if word]


def _finds(word: str, text: str) -> bool:
    """Whether ``text`` has the searched ``word``, or its singular ("bins" finds "bin")."""
    return word in text or (len(word) > 3 and word.endswith("s") and word[:-1] in text)


def form_list(organisation: Organisation, *, language: str, search: str = "") -> FormList:
    """The published forms in ``language``, grouped by the service that deals with them (the
    categories, in the order of each one's first form); with ``search``, the forms whose name,
    hint, search keywords or service (in either language) contain every word searched for
    (or its singular).  The forms, keywords and all, are read from the cache kept under the
    organisation's public version (``_published_forms_cached``)."""
    search = " ".join(str(search)[:SEARCH_LIMIT].split())
    shown = []
    for web_form in _published_forms_cached(organisation):
        public = PublicForm(
            code=web_form.case_type.code,
            name=web_form.name_in(language),
            hint=web_form.hint_in(language),
            category=web_form.case_type.service.name,
        )
        text = " ".join(
            [
                public.name,
                public.hint,
                public.category,
                web_form.case_type.name,
                web_form.case_type.name_cy,
                web_form.hint,
                web_form.hint_cy,
                web_form.keywords,
                web_form.keywords_cy,
            ]
        ).casefold()
        shown.append((public, text))
    wanted = _words(search)
    found = [public for public, text in shown if all(_finds(word, text) for word in wanted)]
    categories: dict[str, list[PublicForm]] = {}
    for public, _text in shown:
        categories.setdefault(public.category, []).append(public)
    return FormList(
        search=search,
        found=found if wanted else [],
        categories=list(categories.items()),
        total=len(shown),
        examples=[public.name for public, _text in shown[:SEARCH_EXAMPLES]],
    )


def postcode_centres(organisation: Organisation) -> dict[str, tuple[str, str]]:
    """The centres of the postcode districts the organisation's map can be centred on
    (``directory.queries.postcode_centres``), kept in Django's cache under the organisation's
    public version: changing its boundary, or importing postcode districts, moves it on."""
    return public_rows.of_version(
        organisation, "postcode-centres", partial(directory.postcode_centres, organisation)
    )


def published_form(organisation: Organisation, code: str) -> WebForm:
    """The published form for the case type ``code``; 404 for anything else (unknown,
    unpublished, not in use, or another organisation's code).  Found among the published
    forms kept under the organisation's public version (``_cached``), which every change to a
    form or its case type moves on."""
    code = str(code)[:CODE_LIMIT]
    for web_form in _published_forms_cached(organisation):
        if web_form.case_type.code == code:
            # The copy is this request's own (the cache hands out a new one each time).
            web_form.organisation = organisation
            web_form.case_type.organisation = organisation
            return web_form
    raise Http404


# Its SQL built once (``core.prepared``); the row is read afresh on every visit.
_REPORTED_CASE = PreparedRead(
    Case,
    lambda organisation, reference: (
        Case.objects.for_organisation(organisation)
        .filter(reference=reference)
        .order_by()  # one row by its unique reference: nothing to sort, no join to sort by
        .select_related("case_type")
        .only(
            "reference", "due_at", "title", "case_type__name", "case_type__name_cy", "received_at"
        )[:1]
    ),
    parameters=(int, str),
)


def reported_case(organisation: Organisation, reference: str) -> Case:
    """A case the resident's own session reported (the view checks the session first)."""
    case = _REPORTED_CASE.first(organisation.pk, str(reference)[:REFERENCE_LIMIT])
    if case is None:
        raise Http404
    return case


# Its SQL built once (``core.prepared``); the rows are read afresh on every visit to "/".
_PUBLIC_SITES = PreparedRead(
    Organisation,
    lambda: Organisation.objects.filter(is_active=True).only("slug", "name").order_by("name"),
    parameters=(),
)


def public_sites() -> list[Organisation]:
    """The organisations with a residents' site ("/" lists them when no one is configured), as
    read in the last few seconds (``core.public_rows``)."""
    return public_rows.kept(public_rows.SITES_KEY, _PUBLIC_SITES.all) or []


def configured_organisation(slug: str) -> Organisation | None:
    """The active organisation ``ONESTOP_PUBLIC_ORGANISATION`` names, if there is one (for
    ``/``, a GET: as read in the last few seconds)."""
    if not slug:
        return None
    return active_organisation(slug, kept=True)


@dataclass(frozen=True)
class StartPage:
    """Everything an organisation's start page shows, read for one moment (``today``)."""

    organisation: Organisation
    today: datetime.date
    forms: list[WebForm]
    services: list[Service]
    access_points: list[directory.PublicAccessPoint]
    promises: list[standards.Promise]

    @property
    def places(self) -> list[directory.PublicAccessPoint]:
        """Offices residents can visit (with an address or hours)."""
        return [point for point in self.access_points if point.is_place]

    @property
    def phone_lines(self) -> list[directory.PublicAccessPoint]:
        """The telephone access points (the switchboard and any other line)."""
        return [
            point for point in self.access_points if not point.is_place and point.access_point.phone
        ]

    @property
    def emails(self) -> list[tuple[str, str]]:
        """(name, address) for every public e-mail address: access points', then services'."""
        found = [
            (point.access_point.public_name, point.access_point.email)
            for point in self.access_points
            if point.access_point.email and not point.is_shared
        ]
        found += [
            (service.public_name, service.email) for service in self.services if service.email
        ]
        return found

    @property
    def out_of_hours(self) -> list[OutOfHoursArrangement]:
        """Each arrangement once, even when several access points hand over to it."""
        seen: dict[tuple[str, str, str], OutOfHoursArrangement] = {}
        for point in self.access_points:
            for arrangement in point.out_of_hours:
                key = (arrangement.title, arrangement.contact, arrangement.phone)
                seen.setdefault(key, arrangement)
        return list(seen.values())


def _published_forms_cached(organisation: Organisation) -> list[WebForm]:
    return public_rows.of_version(organisation, "forms", lambda: published_forms(organisation))


def _directory_cached(
    organisation: Organisation, today: datetime.date
) -> tuple[list[Service], list[directory.PublicAccessPoint]]:
    """The services and the access points with the week from ``today``: one cached read."""
    return public_rows.of_version(
        organisation,
        "directory",
        lambda: (
            directory.public_services(organisation),
            directory.public_access_points(organisation, today),
        ),
        today.isoformat(),
    )


def _charter_cached(organisation: Organisation, year: int) -> list[standards.Promise]:
    """The charter's sentences are in the page's language: one cached copy per language."""
    return public_rows.of_version(
        organisation,
        "charter",
        lambda: standards.charter(organisation, year),
        str(year),
        get_language() or "",
    )


def start_page(organisation: Organisation, *, now: datetime.datetime | None = None) -> StartPage:
    """The start page's content: the published forms, the directory (services, offices with
    this week's hours, out-of-hours arrangements) and the customer charter.  Each part is read
    from the cache when an earlier request of the same organisation, version, day (and, for the
    charter, language) read it (``_cached``)."""
    moment = timezone.localtime(now)
    today = moment.date()
    services, access_points = _directory_cached(organisation, today)
    return StartPage(
        organisation=organisation,
        today=today,
        forms=_published_forms_cached(organisation),
        services=services,
        access_points=access_points,
        promises=_charter_cached(organisation, today.year),
    )


def contact_page(organisation: Organisation, *, now: datetime.datetime | None = None) -> StartPage:
    """The contact page shows the start page's directory without the forms and charter."""
    moment = timezone.localtime(now)
    today = moment.date()
    services, access_points = _directory_cached(organisation, today)
    return StartPage(
        organisation=organisation,
        today=today,
        forms=[],
        services=services,
        access_points=access_points,
        promises=[],
    )


# --- information pages --------------------------------------------------------------------------
@dataclass(frozen=True)
class AccessibilityTesting:
    """What the accessibility statement says was tested, and how: the project's own suite
    (tests/browser), run on every change before release."""

    prepared: datetime.date
    last_reviewed: datetime.date
    axe_version: str
    axe_tags: tuple[str, ...]
    browser: str


# The statement's dates move when the tests behind it change (docs/portal.md says how).
ACCESSIBILITY = AccessibilityTesting(
    prepared=datetime.date(2026, 12, 6),
    last_reviewed=datetime.date(2026, 12, 6),
    axe_version="4.11.4",
    axe_tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"),
    browser="Chromium",
)


DEFAULT_MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"
COOKIE_MESSAGE_STORAGES = frozenset(
    {DEFAULT_MESSAGE_STORAGE, "django.contrib.messages.storage.cookie.CookieStorage"}
)


@dataclass(frozen=True)
class EssentialCookie:
    name: str
    purpose: str
    expires: str
    set_when: str


# The cookies pages' list, per page language and the settings it is made from: the same for
# every visit until one of those changes (``override_settings`` in tests, a new language).
_ESSENTIAL_COOKIES: dict[tuple[object, ...], tuple[EssentialCookie, ...]] = {}


def essential_cookies() -> list[EssentialCookie]:
    """The cookies this site sets, read from the settings that set them (so the cookies page
    cannot drift from what browsers receive).  All are essential: no consent banner.

    Made once per language and settings (its words are translated, its figures come from the
    settings below), then answered from memory: the privacy and cookies pages are otherwise
    as light as their templates."""
    key = (
        get_language(),
        settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
        settings.SESSION_COOKIE_AGE,
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_USE_SESSIONS,
        settings.CSRF_COOKIE_AGE,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_AGE,
        settings.LANGUAGE_COOKIE_NAME,
        getattr(settings, "MESSAGE_STORAGE", DEFAULT_MESSAGE_STORAGE),
        CookieStorage.cookie_name,
        services_track.RESIDENT_COOKIE,
        services_track.SESSION_MINUTES,
    )
    found = _ESSENTIAL_COOKIES.get(key)
    if found is None:
        if len(_ESSENTIAL_COOKIES) > 64:  # only tests change settings: never grows far
            _ESSENTIAL_COOKIES.clear()
        found = _ESSENTIAL_COOKIES[key] = tuple(_essential_cookies())
    return list(found)


def _essential_cookies() -> list[EssentialCookie]:
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        session_expires = _(
            "When you close your browser, or after %(minutes)d minutes without activity"
        ) % {"minutes": settings.SESSION_COOKIE_AGE // 60}
    else:
        session_expires = _("After %(minutes)d minutes without activity") % {
            "minutes": settings.SESSION_COOKIE_AGE // 60
        }
    found = [
        EssentialCookie(
            settings.SESSION_COOKIE_NAME,
            _(
                "Remembers the report you just sent, your answers while you fill in a form, and "
                "that staff are signed in"
            ),
            session_expires,
            _("When you send a form, or staff sign in"),
        )
    ]
    if not settings.CSRF_USE_SESSIONS:
        age = settings.CSRF_COOKIE_AGE
        expires = (
            _("When you close your browser")
            if age is None
            else ngettext("After %(days)d day", "After %(days)d days", age // 86400)
            % {"days": age // 86400}
        )
        found.append(
            EssentialCookie(
                settings.CSRF_COOKIE_NAME,
                _("Stops other websites sending forms in your name (cross-site request forgery)"),
                expires,
                _("When you open a page with a form"),
            )
        )
    found.append(_language_cookie())
    found.append(
        EssentialCookie(
            services_track.RESIDENT_COOKIE,
            _("Keeps you signed in to see your requests"),
            _("After %(minutes)d minutes, or when you sign out")
            % {"minutes": services_track.SESSION_MINUTES},
            _("When you sign in with a link we emailed you"),
        )
    )
    storage = getattr(settings, "MESSAGE_STORAGE", DEFAULT_MESSAGE_STORAGE)
    if storage in COOKIE_MESSAGE_STORAGES:
        found.append(
            EssentialCookie(
                CookieStorage.cookie_name,
                _("Shows staff the confirmation after they save something"),
                _("When you close your browser, or when the confirmation has been shown"),
                _("Only on staff pages, when staff save something"),
            )
        )
    return found


def _language_cookie() -> EssentialCookie:
    """The language cookie (``core.language``): written when a resident uses the English |
    Cymraeg links, holding only ``cy`` or ``en-gb``."""
    age = settings.LANGUAGE_COOKIE_AGE
    expires = (
        _("When you close your browser")
        if age is None
        else ngettext("After %(days)d day", "After %(days)d days", age // 86400)
        % {"days": age // 86400}
    )
    return EssentialCookie(
        settings.LANGUAGE_COOKIE_NAME,
        _("Remembers whether you chose to read these pages in English or in Welsh (Cymraeg)"),
        expires,
        _("When you choose English or Cymraeg with the language links"),
    )


# --- staff --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WebFormRow:
    case_type: CaseType
    web_form: WebForm | None

    @property
    def is_published(self) -> bool:
        return self.web_form is not None and self.web_form.is_published

    @property
    def can_publish(self) -> bool:
        return self.case_type.kind not in NOT_OFFERED_ONLINE


def web_form_rows(user: User) -> list[WebFormRow]:
    """Every case type of the user's organisation with its web form, if it has one."""
    forms = {web_form.case_type_id: web_form for web_form in WebForm.objects.for_user(user)}
    types = CaseType.objects.for_user(user).select_related("service").order_by("name")
    rows = [WebFormRow(case_type, forms.get(case_type.pk)) for case_type in types]
    return sorted(
        rows,
        key=lambda row: (
            not row.is_published,
            row.web_form.position if row.web_form else 1000,
            row.case_type.name.lower(),
        ),
    )


def get_case_type_for(user: User, case_type_id: int) -> CaseType:
    """The user's organisation's case type, for changing its web form (404 outside it)."""
    case_type: CaseType = get_or_404(
        user,
        CaseType.objects.for_user(user).select_related("service"),
        permissions.CASE_TYPE_MANAGE,
        pk=case_type_id,
    )
    return case_type


def web_form_of(case_type: CaseType) -> WebForm | None:
    found: WebForm | None = (
        WebForm.objects.for_organisation(case_type.organisation_id)
        .filter(case_type=case_type)
        .first()
    )
    return found

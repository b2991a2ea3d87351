"""The residents' site: the root, each organisation's start page (what to do online, the
customer charter, every channel, offices with this week's hours and facilities, services) and
its information pages (contact, accessibility, privacy, cookies), all from known data."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import resolve

from onestop.core import views as core_views
from onestop.core.models import Organisation, OrganisationType, RoleCode
from onestop.directory import services as directory
from onestop.directory.models import AccessPoint, AccessPointKind, Service
from onestop.standards import services as standards
from onestop.standards.models import Standard
from tests import factories
from tests.shared import shared_fixture

H = datetime.time
MONDAY = "2026-12-21 10:00+00:00"  # Christmas week: Friday 25 December is an exception
INFORMATION = ("contact", "accessibility", "privacy", "cookies")
TAGS = re.compile(r"<[^>]+>")
NONCE = re.compile(r'nonce="[^"]*"')


@dataclass(frozen=True)
class Site:
    council: Organisation
    partner: Organisation


def _text(html: str) -> str:
    """The page's text as a reader hears it: tags gone, white space collapsed."""
    return " ".join(unescape(TAGS.sub(" ", html)).split())


def _section(html: str, testid: str) -> str:
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S)
    assert match is not None, testid
    return _text(match.group(2))


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


@shared_fixture
def site() -> Site:
    council = factories.organisation(
        slug="vale", name="Vale Council", type=OrganisationType.DISTRICT_COUNCIL
    )
    partner = factories.organisation(
        slug="vale-housing", name="Vale Housing", type=OrganisationType.HOUSING_ASSOCIATION
    )
    directory.create_service(
        council,
        by=None,
        name="Waste and Recycling",
        description="Bins and recycling.",
        phone="01632 960016",
        email="waste@vale.example",
    )
    directory.create_service(council, by=None, name="Planning", description="Applications.")
    centre = directory.create_access_point(
        council,
        by=None,
        kind=AccessPointKind.CUSTOMER_SERVICE_CENTRE,
        name="Civic Centre",
        address="1 High Street\nVale Town",
        phone="01632 960001",
        email="help@vale.example",
        has_hearing_loop=True,
        has_step_free_access=True,
        interview_rooms=2,
    )
    for weekday in range(5):
        directory.add_opening_session(centre, by=None, weekday=weekday, opens=H(9), closes=H(17))
    directory.add_opening_session(centre, by=None, weekday=1, opens=H(18), closes=H(20))
    directory.set_opening_exception(
        centre, by=None, date=datetime.date(2026, 12, 25), reason="Christmas Day"
    )
    directory.set_opening_exception(
        centre,
        by=None,
        date=datetime.date(2026, 12, 24),
        reason="Christmas Eve",
        sessions=[(H(9), H(12, 30))],
    )
    switchboard = directory.create_access_point(
        council, by=None, kind=AccessPointKind.TELEPHONE, name="Switchboard", phone="01632 960000"
    )
    for weekday in range(5):
        directory.add_opening_session(
            switchboard, by=None, weekday=weekday, opens=H(8, 30), closes=H(17, 30)
        )
    standby = directory.OutOfHoursInput(
        title="Emergency standby",
        contact="The standby officer",
        phone="01632 960999",
        details="Emergencies only.",
        starts_weekday=4,
        starts_at=H(16, 45),
        ends_weekday=0,
        ends_at=H(8, 45),
    )
    directory.save_out_of_hours(centre, by=None, data=standby)
    directory.save_out_of_hours(switchboard, by=None, data=standby)
    shop = directory.create_access_point(
        partner,
        by=None,
        kind=AccessPointKind.ONE_STOP_SHOP,
        name="Town Library Shop",
        address="Library, Vale Town",
    )
    directory.share_access_point(shop, by=None, organisation=council)
    directory.create_access_point(partner, by=None, kind=AccessPointKind.AREA_OFFICE, name="Hidden")
    _standard(council, "answer-letters", "Answer letters within 10 working days", 10, "90")
    _standard(council, "resolve-first", "Resolve 80% of contacts at first contact", None, "80")
    _standard(council, "foi", "FOI requests answered within 20 working days", 20, "100")
    waste = Service.objects.for_organisation(council).get(name="Waste and Recycling")
    _standard(
        council, "missed-bin", "Collect a missed bin within 2 working days", 2, "95", waste.pk
    )
    _standard(partner, "repairs", "Make an emergency repair safe within 24 hours", 24, "100")
    return Site(council, partner)


def _standard(
    organisation: Organisation,
    code: str,
    title: str,
    amount: int | None,
    target: str,
    service_id: int | None = None,
) -> None:
    standards.save_standard(
        organisation,
        by=None,
        code=code,
        title=title,
        applies_to="any",
        start_event="request-received",
        stop_event="full-reply-sent",
        amount=amount,
        unit="working_days" if amount else "",
        target_percent=Decimal(target),
        service_id=service_id,
    )


# --- the root -------------------------------------------------------------------------------------
def test_the_root_lists_every_active_organisations_site_when_none_is_configured(
    client: Client, site: Site
) -> None:
    factories.organisation(slug="closed", name="Closed Council", is_active=False)

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _section(html, "sites") == "Vale Council Vale Housing"
    assert re.findall(r'href="(/o/[^"]+)"', html) == ["/o/vale/", "/o/vale-housing/"]
    assert _section(html, "staff-sign-in") == "Staff sign in"
    assert 'href="/sign-in/"' in html


def test_the_root_with_no_organisation_says_so(client: Client, db: None) -> None:
    html = client.get("/").content.decode()

    assert _section(html, "no-sites") == "There are no sites here yet."


@override_settings(ONESTOP_PUBLIC_ORGANISATION="vale")
def test_the_root_is_the_configured_organisations_start_page(
    client: Client, site: Site, clock: None
) -> None:
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Vale Council</h1>' in html
    assert NONCE.sub("", html) == NONCE.sub("", client.get("/o/vale/").content.decode())
    assert _section(html, "staff-sign-in") == "Staff sign in"


@override_settings(ONESTOP_PUBLIC_ORGANISATION="nowhere")
def test_a_configured_organisation_that_does_not_exist_lists_the_sites_and_logs_one_line(
    client: Client, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert _section(response.content.decode(), "sites") == "Vale Council Vale Housing"
    assert [record.getMessage() for record in caplog.records] == [
        "ONESTOP_PUBLIC_ORGANISATION names no active organisation: nowhere"
    ]


def test_signed_in_staff_find_their_home_page_from_the_root(client: Client, site: Site) -> None:
    advisor = factories.staff(site.council, RoleCode.ADVISOR)
    factories.sign_in_verified(client, advisor)

    html = client.get("/").content.decode()

    assert _section(html, "staff-sign-in") == "Staff home page"
    assert 'href="/staff/"' in html
    assert client.get("/staff/").status_code == 200


def test_the_staff_home_page_sends_anonymous_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fstaff%2F"


# --- the start page -------------------------------------------------------------------------------
def test_the_start_page_lists_what_can_be_done_online_with_the_complaints_route(
    client: Client, site: Site, clock: None
) -> None:
    html = client.get("/o/vale/").content.decode()

    online = re.search(r'data-testid="online">(.*?)</ul>', html, re.S)
    assert online is not None
    assert re.findall(r'href="([^"]+)"', online.group(1)) == [
        "/report/vale/",
        "/o/vale/track/",
        "/o/vale/your-requests/",
        "/feedback/o/vale/",
        "/performance/vale/",
    ]
    assert _text(online.group(1)) == (
        "Report a problem Tell us about a problem or ask for a service. You get a reference. "
        "Track a request See what has happened to a report, using its reference. "
        "Your requests Get a sign-in link by email to see everything you have sent us, and how "
        "we contact you. "
        "Complain, comment or compliment Tell us what went wrong, what went well, or what we "
        "could do better. "
        "How we are doing Our service standards and how well we kept them last month and last "
        "quarter."
    )


def test_the_start_page_states_every_published_standard_in_plain_english(
    client: Client, site: Site, clock: None
) -> None:
    html = client.get("/o/vale/").content.decode()

    assert _section(html, "promises") == (
        "We answer letters within 10 working days (we aim to do this at least 90% of the time) "
        "FOI requests answered within 20 working days "
        "We resolve 80% of contacts at first contact (we aim to do this at least 80% of the time) "
        "Waste and Recycling: We collect a missed bin within 2 working days "
        "(we aim to do this at least 95% of the time)"
    )
    assert "This is our customer charter: the 4 standards of service" in html
    assert "emergency repair" not in html  # the partner's promise is the partner's


def test_the_start_page_gives_every_channel_from_the_directory(
    client: Client, site: Site, clock: None
) -> None:
    html = client.get("/o/vale/").content.decode()

    assert _section(html, "phone-lines") == "Switchboard: 01632 960000 . Today: 8:30am to 5:30pm"
    assert _section(html, "emails") == (
        "Civic Centre: help@vale.example Waste and Recycling: waste@vale.example"
    )
    assert _section(html, "out-of-hours") == (
        "Emergency standby : The standby officer, 01632 960999 . "
        "From Friday 4:45pm to Monday 8:45am. Emergencies only."
    )
    assert 'href="tel:01632960000"' in html


def test_the_start_page_shows_each_office_with_today_this_week_and_its_facilities(
    client: Client, site: Site, clock: None
) -> None:
    html = client.get("/o/vale/").content.decode()

    offices = html.split('data-testid="office"')[1:]
    assert [re.search(r"<h3[^>]*>(.*?)</h3>", office).group(1) for office in offices] == [  # type: ignore[union-attr]
        "Civic Centre",
        "Town Library Shop",
    ]
    centre, shop = offices
    assert _section(centre, "today") == "Open today: 9am to 5pm"
    assert _section(centre, "week") == (
        "Monday 21 December 9am to 5pm "
        "Tuesday 22 December 9am to 5pm and 6pm to 8pm "
        "Wednesday 23 December 9am to 5pm "
        "Thursday 24 December 9am to 12:30pm (Christmas Eve) "
        "Friday 25 December Closed (Christmas Day) "
        "Saturday 26 December Closed "
        "Sunday 27 December Closed"
    )
    assert _section(centre, "facilities") == (
        "Hearing loop Step-free access 2 private interview rooms"
    )
    assert "1 High Street<br>Vale Town" in centre
    assert _section(shop, "today") == "Closed today"
    assert _section(shop, "facilities") == (
        "No hearing loop No step-free access 0 private interview rooms"
    )
    assert "Run by Vale Housing, shared with us." in shop
    assert "Hidden" not in html  # the partner's own office, not shared


def test_the_start_page_on_a_closed_day_says_why(client: Client, site: Site) -> None:
    with time_machine.travel("2026-12-25 10:00+00:00", tick=False):
        html = client.get("/o/vale/").content.decode()

    assert _section(html.split('data-testid="office"')[1], "today") == (
        "Closed today (Christmas Day)"
    )


def test_the_start_page_lists_the_services_with_their_contact_details(
    client: Client, site: Site, clock: None
) -> None:
    html = client.get("/o/vale/").content.decode()

    assert _section(html, "services") == (
        "Planning Applications. Contact us using the details above. "
        "Waste and Recycling Bins and recycling. Phone: 01632 960016 "
        "Email: waste@vale.example"
    )


def test_the_start_page_reads_a_fixed_number_of_queries(
    client: Client, site: Site, clock: None, django_assert_max_num_queries: object
) -> None:
    client.get("/o/vale/")  # warm: the content type and permission caches
    cache.clear()  # and read the page's own content again (a second visit reads only one row)
    with django_assert_max_num_queries(11):  # type: ignore[operator]
        assert client.get("/o/vale/").status_code == 200


def test_an_empty_organisation_has_a_start_page_that_says_what_is_missing(
    client: Client, db: None
) -> None:
    factories.organisation(slug="new-council", name="New Council")

    html = client.get("/o/new-council/").content.decode()

    assert (
        _section(html, "no-promises") == "We have not published our standards of service here yet."
    )
    assert _section(html, "no-contact") == "We have not published our contact details here yet."
    assert _section(html, "no-offices") == "We have no offices to visit listed here."
    assert _section(html, "no-services") == "We have not listed our services here yet."
    assert 'href="/feedback/o/new-council/"' in html


# --- every public page ----------------------------------------------------------------------------
PAGES = ["/o/vale/", *(f"/o/vale/{name}/" for name in INFORMATION)]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_complaints_route_and_the_information_pages_in_its_footer(
    client: Client, site: Site, path: str
) -> None:
    html = client.get(path).content.decode()

    footer = re.search(r'data-testid="public-footer-links">(.*?)</ul>', html, re.S)
    assert footer is not None
    assert re.findall(r'href="([^"]+)"', footer.group(1)) == [
        "/o/vale/track/",
        "/feedback/o/vale/",
        "/o/vale/contact/",
        "/o/vale/accessibility/",
        "/o/vale/privacy/",
        "/o/vale/cookies/",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/report/vale/",
        "/o/vale/track/",
        "/o/vale/your-requests/",
        "/feedback/o/vale/",
        "/feedback/o/vale/check/",
    ],
)
def test_the_report_track_requests_and_feedback_pages_carry_the_same_footer(
    client: Client, site: Site, path: str
) -> None:
    html = client.get(path, follow=True).content.decode()

    assert _footer_hrefs(html) == FOOTER_HREFS


@pytest.mark.parametrize("path", PAGES)
def test_an_unknown_or_closed_organisation_has_no_pages(
    client: Client, site: Site, path: str
) -> None:
    Organisation.objects.filter(pk=site.council.pk).update(is_active=False)

    assert client.get(path).status_code == 404
    assert client.get(path.replace("/vale/", "/nowhere/")).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/o/" + "v" * 5000 + "/",
        "/o/vale%00/",
        "/o/<script>/",
        "/o/vale/../../sign-in/",
        "/o/VALE/contact/",
        "/o/vale/contact/extra/",
    ],
)
def test_hostile_addresses_find_nothing(client: Client, site: Site, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("path", ["/", *PAGES])
def test_the_pages_only_answer_reading(client: Client, site: Site, path: str) -> None:
    assert client.post(path, {"x": "y"}).status_code == 405
    assert client.get(path, {"q": "x" * 10_000}).status_code == 200


# --- information pages ----------------------------------------------------------------------------
def test_the_contact_page_has_every_channel_office_and_service(
    client: Client, site: Site, clock: None
) -> None:
    html = client.get("/o/vale/contact/").content.decode()

    assert _section(html, "phone-lines") == "Switchboard: 01632 960000 . Today: 8:30am to 5:30pm"
    assert html.count('data-testid="office"') == 2
    assert _section(html, "services").startswith("Planning")
    assert 'data-testid="promises"' not in html


def test_the_accessibility_statement_follows_the_model_and_states_the_tests(
    client: Client, site: Site
) -> None:
    html = client.get("/o/vale/accessibility/").content.decode()
    text = _text(html)

    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert f">{heading}</h" in html.replace("&#x27;", "'"), heading
    assert "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility" in text
    assert "axe-core 4.11.4 in Chromium" in text
    assert "(wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa)" in text
    assert (
        "the same checks are made on the Welsh pages, and tracking a request, adding information "
        "to it and “Your requests” are also completed using only the keyboard, in English and "
        "in Welsh"
    ) in text
    assert _section(html, "prepared") == (
        "This statement was prepared on 6 December 2026. It was last reviewed on 6 December 2026."
    )
    assert _section(html, "office-access") == (
        "Civic Centre: hearing loop; step-free access; 2 private interview rooms "
        "Town Library Shop: no hearing loop; no step-free access; 0 private interview rooms"
    )
    assert 'href="/feedback/o/vale/" data-testid="report-problem"' in html


def test_the_statement_names_the_tags_the_browser_tests_really_use() -> None:
    from onestop.portal.queries import ACCESSIBILITY
    from tests.browser.conftest import AXE_TAGS

    assert list(ACCESSIBILITY.axe_tags) == AXE_TAGS


def test_the_privacy_notice_names_the_controller_and_the_cookies(
    client: Client, site: Site
) -> None:
    text = _text(client.get("/o/vale/privacy/").content.decode())

    assert "Vale Council is the data controller for it." in text
    assert "This site sets 5 essential cookies and no others." in text
    assert "0303 123 1113" in text


def test_the_cookies_page_lists_the_cookies_as_the_settings_set_them(
    client: Client, site: Site
) -> None:
    html = client.get("/o/vale/cookies/").content.decode()

    rows = re.findall(r"<code>([^<]+)</code>", html)
    assert rows == [
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        "onestop_resident",
        "messages",
    ]
    assert "When you close your browser, or after 30 minutes without activity" in html
    assert "After 365 days" in html  # LANGUAGE_COOKIE_AGE
    assert "After 364 days" in html  # Django's CSRF_COOKIE_AGE: 52 weeks
    assert "govuk-cookie-banner" not in html


def test_every_cookie_a_resident_or_member_of_staff_is_given_is_on_the_cookies_page(
    client: Client, site: Site
) -> None:
    listed = set(
        re.findall(r"<code>([^<]+)</code>", client.get("/o/vale/cookies/").content.decode())
    )
    given: set[str] = set()
    resident = Client()
    for path in ("/", "/o/vale/?lang=en", "/report/vale/", "/feedback/o/vale/", "/sign-in/"):
        given |= set(resident.get(path).cookies)
    resident.post("/feedback/o/vale/kind/", {"kind": "compliment"})
    given |= set(resident.cookies)
    staff = Client()
    administrator = factories.staff(site.council, RoleCode.ADMINISTRATOR)
    factories.sign_in_verified(staff, administrator)
    staff.post("/directory/services/new/", {"name": "Parks", "description": ""})
    given |= set(staff.cookies)

    assert given == {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        "messages",
    }
    assert given <= listed


# --- in Welsh (issue 18: the directory's and the charter's words beside the English) ----------
def _in_welsh(site: Site) -> None:
    """The council offers Welsh and gives Welsh words for some of what residents read (not
    all: Planning, the switchboard and two standards have none, so they show the English)."""
    Organisation.objects.filter(pk=site.council.pk).update(offers_welsh=True)
    waste = Service.objects.for_organisation(site.council).get(name="Waste and Recycling")
    directory.update_service(
        waste,
        by=None,
        name=waste.name,
        description=waste.description,
        lgsl_code=None,
        name_cy="Gwastraff ac Ailgylchu",
        description_cy="Biniau ac ailgylchu.",
    )
    centre = AccessPoint.objects.for_organisation(site.council).get(name="Civic Centre")
    directory.update_access_point(
        centre,
        by=None,
        kind=centre.kind,
        name=centre.name,
        address=centre.address,
        phone=centre.phone,
        name_cy="Canolfan Ddinesig",
        address_cy="1 Stryd Fawr\nTref y Fro",
    )
    directory.set_opening_exception(
        centre,
        by=None,
        date=datetime.date(2026, 12, 25),
        reason="Christmas Day",
        reason_cy="Dydd Nadolig",
    )
    arrangement = centre.out_of_hours.get()
    directory.save_out_of_hours(
        centre,
        by=None,
        arrangement=arrangement,
        data=directory.OutOfHoursInput(
            title="Emergency standby",
            contact="The standby officer",
            phone="01632 960999",
            details="Emergencies only.",
            starts_weekday=4,
            starts_at=H(16, 45),
            ends_weekday=0,
            ends_at=H(8, 45),
            title_cy="Gwasanaeth brys",
            contact_cy="Y swyddog wrth gefn",
            details_cy="Argyfyngau yn unig.",
        ),
    )
    for code, title_cy in (
        ("answer-letters", "Ateb llythyrau o fewn 10 diwrnod gwaith"),
        ("missed-bin", "Casglu bin a gollwyd o fewn 2 ddiwrnod gwaith"),
    ):
        standard = Standard.objects.for_organisation(site.council).get(code=code)
        standards.change_standard(
            standard,
            by=None,
            title=standard.title,
            amount=standard.amount,
            unit=standard.unit,
            target_percent=standard.target_percent,
            title_cy=title_cy,
        )


def test_the_start_page_in_welsh_shows_the_welsh_words_and_the_english_where_none_is_given(
    client: Client, site: Site, clock: None
) -> None:
    _in_welsh(site)

    html = client.get("/o/vale/?lang=cy").content.decode()

    promises = _section(html, "promises")
    assert promises.startswith("Byddwn yn ateb llythyrau o fewn 10 diwrnod gwaith (")
    assert "FOI requests answered within 20 working days" in promises
    # No Welsh title: the English sentence whole, never "Byddwn yn resolve ...".
    assert "We resolve 80% of contacts at first contact (" in promises
    assert "Gwastraff ac Ailgylchu: Byddwn yn casglu bin a gollwyd o fewn 2 ddiwrnod gwaith" in (
        promises
    )
    assert "Byddwn yn resolve" not in promises
    services_text = _section(html, "services")
    assert services_text.startswith("Planning Applications. ")
    assert "Gwastraff ac Ailgylchu Biniau ac ailgylchu." in services_text
    offices = html.split('data-testid="office"')[1:]
    assert [re.search(r"<h3[^>]*>(.*?)</h3>", office).group(1) for office in offices] == [  # type: ignore[union-attr]
        "Canolfan Ddinesig",
        "Town Library Shop",
    ]
    assert "1 Stryd Fawr<br>Tref y Fro" in offices[0]
    assert "(Dydd Nadolig)" in _section(offices[0], "week")
    assert "(Christmas Eve)" in _section(offices[0], "week")  # no Welsh given for it
    out_of_hours = _section(html, "out-of-hours")
    assert out_of_hours.startswith("Gwasanaeth brys : Y swyddog wrth gefn, 01632 960999 .")
    assert out_of_hours.endswith("Argyfyngau yn unig.")
    assert "Canolfan Ddinesig: help@vale.example" in _section(html, "emails")
    assert "Switchboard: 01632 960000" in _section(html, "phone-lines")


def test_the_start_page_in_english_keeps_the_english_words(
    client: Client, site: Site, clock: None
) -> None:
    _in_welsh(site)

    html = client.get("/o/vale/?lang=en").content.decode()

    assert _section(html, "promises").startswith("We answer letters within 10 working days (")
    assert "Gwastraff" not in html
    assert "Canolfan Ddinesig" not in html
    assert "Dydd Nadolig" not in html
    assert _section(html, "out-of-hours").startswith("Emergency standby : The standby officer")


def test_the_public_performance_page_in_welsh_names_the_standards_in_welsh(
    client: Client, site: Site, clock: None
) -> None:
    _in_welsh(site)

    welsh = client.get("/performance/vale/?lang=cy").content.decode()
    english = client.get("/performance/vale/?lang=en").content.decode()

    assert "Ateb llythyrau o fewn 10 diwrnod gwaith" in welsh
    assert "Answer letters within 10 working days" not in welsh
    assert "Answer letters within 10 working days" in english
    assert "Ateb llythyrau" not in english


def test_the_welsh_start_page_gives_the_hours_in_welsh(
    client: Client, site: Site, clock: None
) -> None:
    # Welsh times as docs/portal.md says: "yb" and "yh" after the hour, "tan" between two
    # times, "a" before the last session of a day.
    Organisation.objects.filter(pk=site.council.pk).update(offers_welsh=True)

    html = client.get("/o/vale/?lang=cy").content.decode()

    centre = html.split('data-testid="office"')[1]
    assert _section(centre, "today") == "Ar agor heddiw: 9yb tan 5yh"
    assert _section(centre, "week") == (
        "Dydd Llun 21 Rhagfyr 9yb tan 5yh "
        "Dydd Mawrth 22 Rhagfyr 9yb tan 5yh a 6yh tan 8yh "
        "Dydd Mercher 23 Rhagfyr 9yb tan 5yh "
        "Dydd Iau 24 Rhagfyr 9yb tan 12:30yh (Christmas Eve) "
        "Dydd Gwener 25 Rhagfyr Ar gau (Christmas Day) "
        "Dydd Sadwrn 26 Rhagfyr Ar gau "
        "Dydd Sul 27 Rhagfyr Ar gau"
    )
    assert _section(html, "phone-lines") == "Switchboard: 01632 960000 . Heddiw: 8:30yb tan 5:30yh"
    assert _section(html, "out-of-hours") == (
        "Emergency standby : The standby officer, 01632 960999 . "
        "Dydd Gwener 4:45yh \N{EN DASH} Dydd Llun 8:45yb. Emergencies only."
    )
    for english in ("9am", "5pm", "8:30am", "Open today"):
        assert english not in _text(html), english


def test_welsh_times_at_midday_and_midnight(db: None) -> None:
    from django.utils import translation

    from onestop.core import dates

    with translation.override("cy"):
        times = [dates.govuk_time(H(*hm)) for hm in ((0, 0), (9, 0), (12, 0), (12, 5), (23, 59))]
    assert times == ["canol nos", "9yb", "canol dydd", "12:05yh", "11:59yh"]
    with translation.override("en-gb"):
        assert dates.govuk_time(H(12, 5)) == "12:05pm"


# --- error pages under an organisation's address ----------------------------------------------
FOOTER_HREFS = [
    "/o/vale/track/",
    "/feedback/o/vale/",
    "/o/vale/contact/",
    "/o/vale/accessibility/",
    "/o/vale/privacy/",
    "/o/vale/cookies/",
]
MISSING_UNDER_VALE = [
    "/o/vale/no-such-page/",  # no view answers: the start page above it names the organisation
    "/o/vale/contact/extra/",
    "/report/vale/no-such-form/",  # the form's view answers 404 itself
    "/report/vale/a/b/c/d/e/",
    "/feedback/o/vale/no-such-question/",
]


def _home_link(html: str) -> tuple[str, str, str]:
    """The header's home link (address, text) and the end of the page's title."""
    link = re.search(
        r'<a href="([^"]*)" class="govuk-generic-header__homepage-link">([^<]*)</a>', html
    )
    title = re.search(r"<title>[^<]* \N{EN DASH} ([^<]*)</title>", html)
    assert link is not None
    assert title is not None
    return link.group(1), link.group(2), title.group(1)


def _footer_hrefs(html: str) -> list[str]:
    footer = re.search(r'data-testid="public-footer-links">(.*?)</ul>', html, re.S)
    return re.findall(r'href="([^"]+)"', footer.group(1)) if footer else []


@pytest.mark.parametrize("path", MISSING_UNDER_VALE)
def test_a_missing_page_under_an_organisation_has_its_footer_and_its_welsh(
    client: Client, site: Site, path: str
) -> None:
    Organisation.objects.filter(pk=site.council.pk).update(offers_welsh=True)

    welsh = client.get(f"{path}?lang=cy")

    assert welsh.status_code == 404
    html = welsh.content.decode()
    assert '<html lang="cy"' in html
    assert "Heb ddod o hyd i’r dudalen" in html
    assert _footer_hrefs(html) == FOOTER_HREFS
    assert "Cwyno, gwneud sylw neu ganmol" in html
    assert 'data-testid="language-toggle"' in html
    # The organisation's name heads the page and leads to its start page, as on its own pages.
    assert _home_link(html) == ("/o/vale/", site.council.name, site.council.name)
    english = client.get(f"{path}?lang=en").content.decode()
    assert '<html lang="en"' in english
    assert "Page not found" in english
    assert "Complain, comment or compliment" in english
    assert _footer_hrefs(english) == FOOTER_HREFS
    assert _home_link(english) == ("/o/vale/", site.council.name, site.council.name)


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        # The handler found no view for the address: only the addresses above it are tried.
        ("/o/vale/no-such-page/", ["/o/vale/"]),
        ("/o/vale/contact/extra/", ["/o/vale/contact/"]),
        # Not the address the handler tried (no slash), so tried with one.
        ("/o/vale/no-such-page", ["/o/vale/no-such-page/", "/o/vale/"]),
    ],
)
def test_a_missing_pages_own_address_is_not_resolved_again(
    client: Client, site: Site, path: str, resolved: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[str] = []
    original = resolve

    def recording(address: str, *args: Any, **kwargs: Any) -> Any:
        tried.append(address)
        return original(address, *args, **kwargs)

    monkeypatch.setattr(core_views, "resolve", recording)

    response = client.get(path)

    assert response.status_code == 404
    assert _footer_hrefs(response.content.decode()) == FOOTER_HREFS
    assert tried == resolved


def test_a_missing_page_of_an_organisation_without_welsh_is_english_with_its_footer(
    client: Client, site: Site
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"

    response = client.get("/o/vale/no-such-page/", headers={"accept-language": "cy"})

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert _footer_hrefs(html) == FOOTER_HREFS
    assert 'data-testid="language-toggle"' not in html


@pytest.mark.parametrize(
    "path",
    [
        "/o/nowhere/",
        "/o/nowhere/no-such-page/",
        "/report/nowhere/",
        "/report/nowhere/a/b/",
        "/o/" + "v" * 5000 + "/x/",
        "/o/<script>/",
        "/no-such-page/",
        "/" + "a/" * 500,
    ],
)
def test_an_unknown_organisations_missing_page_is_plain(
    client: Client, site: Site, path: str
) -> None:
    Organisation.objects.filter(pk=site.council.pk).update(offers_welsh=True)

    response = client.get(path)

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'data-testid="public-footer-links"' not in html
    assert 'data-testid="language-toggle"' not in html
    assert "<script>" not in html
    assert _home_link(html) == ("/", "OneStop", "OneStop")


def test_a_closed_organisations_missing_page_is_plain(client: Client, site: Site) -> None:
    Organisation.objects.filter(pk=site.council.pk).update(is_active=False)

    for path in ("/o/vale/no-such-page/", "/report/vale/no-such-form/"):
        html = client.get(path).content.decode()
        assert "Page not found" in html
        assert 'data-testid="public-footer-links"' not in html


def test_an_expired_form_under_an_organisation_has_its_footer(site: Site) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/o/vale/track/", {"reference": "SR-26-AAAAA", "detail": "x"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Sorry, this form has expired" in html
    assert _footer_hrefs(html) == FOOTER_HREFS
    assert _home_link(html) == ("/o/vale/", site.council.name, site.council.name)


def test_a_staff_pages_missing_page_has_no_residents_footer(client: Client, site: Site) -> None:
    # Anonymous: a staff address is sent to sign in; a missing one is plain.
    html = client.get("/feedback/reports/no-such-report/x/").content.decode()
    assert 'data-testid="public-footer-links"' not in html

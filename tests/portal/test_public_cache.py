"""The residents' pages keep their reads (the directory, the customer charter, the published
forms) in Django's cache, keyed by the organisation's public version and the date: a second
visit reads only the organisation; every write that changes what the pages show is seen at
once; one organisation's copy never shows on another's page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from onestop.cases import services as case_services
from onestop.core.errors import ServiceError
from onestop.core.models import Organisation, OrganisationType
from onestop.directory import services as directory
from onestop.directory.admin import ServiceAdmin
from onestop.directory.models import AccessPoint, AccessPointKind, AccessPointShare, Service
from onestop.portal import services as portal_services
from onestop.portal.models import WebForm
from onestop.standards import services as standards
from onestop.standards.models import Standard
from tests import factories
from tests.cases.conftest import World

H = datetime.time
MONDAY = "2026-12-21 10:00+00:00"
TAGS = re.compile(r"<[^>]+>")
NONCE = re.compile(r'nonce="[^"]*"')


@dataclass(frozen=True)
class Vale:
    council: Organisation
    partner: Organisation
    waste: Service
    centre: AccessPoint
    switchboard: AccessPoint
    shop: AccessPoint


def _text(html: str) -> str:
    return " ".join(unescape(TAGS.sub(" ", html)).split())


def _section(html: str, testid: str) -> str:
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S)
    assert match is not None, testid
    return _text(match.group(2))


def _offices(html: str) -> list[str]:
    """Each office's text, from its heading to the next office (or the end of the page)."""
    return [_text(office.split(">", 1)[1]) for office in html.split('data-testid="office"')[1:]]


def _version(organisation: Organisation) -> int:
    return Organisation.objects.get(pk=organisation.pk).public_version


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def vale(db: None) -> Vale:
    council = factories.organisation(
        slug="vale", name="Vale Council", type=OrganisationType.DISTRICT_COUNCIL
    )
    partner = factories.organisation(
        slug="vale-housing", name="Vale Housing", type=OrganisationType.HOUSING_ASSOCIATION
    )
    waste = directory.create_service(
        council,
        by=None,
        name="Waste and Recycling",
        description="Bins and recycling.",
        phone="01632 960016",
    )
    centre = directory.create_access_point(
        council,
        by=None,
        kind=AccessPointKind.CUSTOMER_SERVICE_CENTRE,
        name="Civic Centre",
        address="1 High Street",
    )
    for weekday in range(5):
        directory.add_opening_session(centre, by=None, weekday=weekday, opens=H(9), closes=H(17))
    directory.set_opening_exception(
        centre, by=None, date=datetime.date(2026, 12, 25), reason="Christmas Day"
    )
    switchboard = directory.create_access_point(
        council, by=None, kind=AccessPointKind.TELEPHONE, name="Switchboard", phone="01632 960000"
    )
    directory.save_out_of_hours(centre, by=None, data=_standby("01632 960999"))
    shop = directory.create_access_point(
        partner,
        by=None,
        kind=AccessPointKind.ONE_STOP_SHOP,
        name="Town Library Shop",
        address="Library, Vale Town",
    )
    directory.share_access_point(shop, by=None, organisation=council)
    directory.create_access_point(
        partner, by=None, kind=AccessPointKind.AREA_OFFICE, name="Housing Office"
    )
    _standard(council, "answer-letters", "Answer letters within 10 working days", "90")
    return Vale(council, partner, waste, centre, switchboard, shop)


def _standby(phone: str) -> directory.OutOfHoursInput:
    return directory.OutOfHoursInput(
        title="Emergency standby",
        contact="The standby officer",
        phone=phone,
        details="Emergencies only.",
        starts_weekday=4,
        starts_at=H(16, 45),
        ends_weekday=0,
        ends_at=H(8, 45),
    )


def _standard(organisation: Organisation, code: str, title: str, target: str) -> Standard:
    return standards.save_standard(
        organisation,
        by=None,
        code=code,
        title=title,
        applies_to="letter",
        start_event="letter-received",
        stop_event="full-reply-sent",
        amount=10,
        unit="working_days",
        target_percent=Decimal(target),
    )


def _start(client: Client, slug: str = "vale") -> str:
    response = client.get(f"/o/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


# --- a second visit -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("page", "first"),
    [
        ("/o/vale/", 11),  # the organisation, forms, services, 6 for the offices, 2 for the charter
        ("/o/vale/contact/", 8),
        ("/o/vale/accessibility/", 8),
        ("/o/vale/privacy/", 1),
        ("/o/vale/cookies/", 1),
        ("/report/vale/", 2),
        ("/feedback/o/vale/", 1),
    ],
)
def test_a_second_visit_reads_only_the_organisation(
    client: Client, vale: Vale, clock: time_machine.Traveller, page: str, first: int
) -> None:
    client.get("/o/vale/privacy/")  # the content types and permissions Django caches itself
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        cold_html = client.get(page).content.decode()
    with CaptureQueriesContext(connection) as warm:
        warm_html = client.get(page).content.decode()

    with (
        override_settings(ONESTOP_PUBLIC_CACHE_SECONDS=0),
        CaptureQueriesContext(connection) as row_afresh,
    ):
        client.get(page)

    # The row itself is kept for a few seconds (core.public_rows); with none, it alone is read.
    assert (len(cold), len(warm), len(row_afresh)) == (first, 0, 1)
    assert "core_organisation" in row_afresh[0]["sql"]
    assert NONCE.sub("", warm_html) == NONCE.sub("", cold_html)


# --- every write is seen at once ------------------------------------------------------------------
def test_an_edited_phone_number_shows_on_the_start_page_at_once(
    client: Client, vale: Vale, clock: time_machine.Traveller
) -> None:
    assert "Phone: 01632 960016" in _section(_start(client), "services")
    version = _version(vale.council)

    _edit_the_phone_number(vale, "01632 960123")

    services = _section(_start(client), "services")
    assert services == "Waste and Recycling Bins and recycling. Phone: 01632 960123"
    assert "01632 960123" in _section(client.get("/o/vale/contact/").content.decode(), "services")
    assert _version(vale.council) == version + 1


def _rename_partner(vale: Vale) -> None:
    directory.update_organisation(
        vale.partner,
        by=None,
        name="Vale Homes",
        type=vale.partner.type,
        nation=vale.partner.nation,
        branding_text="",
    )


def _move_partners_shop(vale: Vale) -> None:
    directory.update_access_point(
        vale.shop,
        by=None,
        kind=AccessPointKind.ONE_STOP_SHOP,
        name="Town Library Shop",
        address="Market Hall, Vale Town",
        phone="",
    )


def _share_another(vale: Vale) -> None:
    office = AccessPoint.objects.for_organisation(vale.partner).get(name="Housing Office")
    directory.share_access_point(office, by=None, organisation=vale.council)


def _unshare(vale: Vale) -> None:
    share = AccessPointShare.objects.for_organisation(vale.partner).get(access_point=vale.shop)
    directory.unshare_access_point(share, by=None)


def _saturday(vale: Vale) -> None:
    directory.add_opening_session(vale.centre, by=None, weekday=5, opens=H(10), closes=H(12))


def _no_monday(vale: Vale) -> None:
    directory.remove_opening_session(vale.centre.sessions.get(weekday=0), by=None)


def _training(vale: Vale) -> None:
    directory.set_opening_exception(
        vale.centre, by=None, date=datetime.date(2026, 12, 23), reason="Staff training"
    )


def _christmas_open(vale: Vale) -> None:
    directory.remove_opening_exception(vale.centre.exceptions.get(), by=None)


def _standby_phone(vale: Vale) -> None:
    arrangement = vale.centre.out_of_hours.get()
    directory.save_out_of_hours(
        vale.centre, by=None, data=_standby("01632 960777"), arrangement=arrangement
    )


def _no_standby(vale: Vale) -> None:
    directory.remove_out_of_hours(vale.centre.out_of_hours.get(), by=None)


def _switchboard_number(vale: Vale) -> None:
    directory.update_access_point(
        vale.switchboard,
        by=None,
        kind=AccessPointKind.TELEPHONE,
        name="Switchboard",
        address="",
        phone="01632 960555",
    )


def _new_office(vale: Vale) -> None:
    directory.create_access_point(
        vale.council,
        by=None,
        kind=AccessPointKind.AREA_OFFICE,
        name="North Area Office",
        address="2 North Road",
    )


def _new_service(vale: Vale) -> None:
    directory.create_service(vale.council, by=None, name="Libraries", description="Books.")


def _new_standard(vale: Vale) -> None:
    _standard(vale.council, "answer-emails", "Answer emails within 10 working days", "100")


def _reworded_standard(vale: Vale) -> None:
    standard = Standard.objects.for_organisation(vale.council).get()
    standards.change_standard(
        standard,
        by=None,
        title="Reply to letters within 10 working days",
        amount=10,
        unit="working_days",
        target_percent=Decimal("90"),
    )


def _this_years_target(vale: Vale) -> None:
    standard = Standard.objects.for_organisation(vale.council).get()
    standards.set_standard_target(standard, by=None, year=2026, target_percent=Decimal("85"))


def _no_standard(vale: Vale) -> None:
    standards.remove_standard(Standard.objects.for_organisation(vale.council).get(), by=None)


def _admin_edit(vale: Vale) -> None:
    """A superuser's change in the Django admin, which skips the services."""
    superuser = factories.staff(vale.council, is_superuser=True)
    request = RequestFactory().post("/django-admin/")
    request.user = superuser
    vale.waste.phone = "01632 960444"
    ServiceAdmin(Service, admin.site).save_model(request, vale.waste, form=None, change=True)


def _office(name: str) -> Callable[[str], str]:
    def find(html: str) -> str:
        return next((office for office in _offices(html) if office.startswith(name)), "")

    return find


def _whole(html: str) -> str:
    return _text(html)


def _has_out_of_hours(html: str) -> str:
    return "yes" if 'data-testid="out-of-hours"' in html else "no"


# (the write, what part of the page it changes, the text there after it, the organisations whose
# public version moves)
WRITES: list[tuple[Callable[[Vale], None], Callable[[str], str], str, tuple[str, ...]]] = [
    (
        _switchboard_number,
        lambda html: _section(html, "phone-lines"),
        "Switchboard: 01632 960555 . Today: Closed",
        ("council",),
    ),
    (_new_office, _office("North Area Office"), "North Area Office 2 North Road", ("council",)),
    (
        _new_service,
        lambda html: _section(html, "services"),
        "Libraries Books. Contact us using the details above. "
        "Waste and Recycling Bins and recycling. Phone: 01632 960016",
        ("council",),
    ),
    (_saturday, _office("Civic Centre"), "Saturday 26 December 10am to midday", ("council",)),
    (_no_monday, _office("Civic Centre"), "Closed today", ("council",)),
    (
        _training,
        _office("Civic Centre"),
        "Wednesday 23 December Closed (Staff training)",
        ("council",),
    ),
    (_christmas_open, _office("Civic Centre"), "Friday 25 December 9am to 5pm", ("council",)),
    (
        _standby_phone,
        lambda html: _section(html, "out-of-hours"),
        "Emergency standby : The standby officer, 01632 960777 . "
        "From Friday 4:45pm to Monday 8:45am. Emergencies only.",
        ("council",),
    ),
    (_no_standby, _has_out_of_hours, "no", ("council",)),
    (_share_another, _office("Housing Office"), "Housing Office", ("council",)),
    (_unshare, _office("Town Library Shop"), "", ("council",)),
    (
        _move_partners_shop,
        _office("Town Library Shop"),
        "Town Library Shop Run by Vale Housing, shared with us. Market Hall, Vale Town",
        ("council", "partner"),
    ),
    (
        _rename_partner,
        _office("Town Library Shop"),
        "Run by Vale Homes, shared with us.",
        ("council", "partner"),
    ),
    (
        _new_standard,
        lambda html: _section(html, "promises"),
        "We answer emails within 10 working days "
        "We answer letters within 10 working days (we aim to do this at least 90% of the time)",
        ("council",),
    ),
    (
        _reworded_standard,
        lambda html: _section(html, "promises"),
        "We reply to letters within 10 working days (we aim to do this at least 90% of the time)",
        ("council",),
    ),
    (
        _this_years_target,
        lambda html: _section(html, "promises"),
        "We answer letters within 10 working days (we aim to do this at least 85% of the time)",
        ("council",),
    ),
    (
        _no_standard,
        _whole,
        "We have not published our standards of service here yet.",
        ("council",),
    ),
    (
        _admin_edit,
        lambda html: _section(html, "services"),
        "Waste and Recycling Bins and recycling. Phone: 01632 960444",
        ("council", "partner"),
    ),
]


@pytest.mark.parametrize(
    ("write", "part", "after", "moved"), WRITES, ids=[write.__name__ for write, *_ in WRITES]
)
def test_every_write_to_what_the_start_page_shows_is_seen_at_once(
    client: Client,
    vale: Vale,
    clock: time_machine.Traveller,
    write: Callable[[Vale], None],
    part: Callable[[str], str],
    after: str,
    moved: tuple[str, ...],
) -> None:
    before = part(_start(client))
    versions = {name: _version(getattr(vale, name)) for name in ("council", "partner")}

    write(vale)

    shown = part(_start(client))
    assert shown != before
    if after:
        assert after in shown
    else:
        assert shown == ""
    # Moved on exactly once for each organisation whose pages show what changed.
    assert {name: _version(getattr(vale, name)) - versions[name] for name in versions} == {
        name: int(name in moved) for name in versions
    }


def test_a_refused_edit_changes_neither_the_version_nor_the_page(
    client: Client, vale: Vale, clock: time_machine.Traveller
) -> None:
    directory.create_service(vale.council, by=None, name="Planning")
    html = _start(client)
    version = _version(vale.council)

    with pytest.raises(ServiceError, match="There is already a service called Planning"):
        directory.update_service(
            vale.waste, by=None, name="Planning", description="", lgsl_code=None, phone="1"
        )

    assert _version(vale.council) == version
    assert NONCE.sub("", _start(client)) == NONCE.sub("", html)


# --- the forms residents can use ------------------------------------------------------------------
def _form_names(client: Client, world: World) -> list[str]:
    html = client.get(f"/report/{world.organisation.slug}/").content.decode()
    return [_text(name) for name in re.findall(r'<a class="govuk-link"[^>]*>(.*?)</a>', html)]


def test_publishing_renaming_and_withdrawing_a_form_show_at_once(
    client: Client, world: World, missed_bins_online: WebForm
) -> None:
    slug = world.organisation.slug
    assert "Missed bin" in _form_names(client, world)

    data = case_services.CaseTypeInput(
        code="missed-bin",
        name="Bin not collected",
        kind=world.missed_bin.kind,
        service=world.waste,
        default_team=world.crews,
        standard_codes=tuple(world.missed_bin.standard_codes),
        attributes=world.missed_bin.attributes,
    )
    case_services.save_case_type(world.organisation, by=None, data=data)
    assert "Bin not collected" in _form_names(client, world)
    assert "Bin not collected" in _start(client, slug)

    directory.update_service(
        world.waste, by=None, name="Bins and Streets", description="", lgsl_code=None
    )
    assert "Bins and Streets" in client.get(f"/report/{slug}/").content.decode()

    portal_services.save_web_form(
        world.missed_bin, by=None, is_published=False, guidance="", position=10
    )
    assert "Bin not collected" not in _form_names(client, world)
    assert "Bin not collected" not in _start(client, slug)


# --- never another organisation's, never another day's or language's ------------------------------
def test_one_organisations_cached_directory_never_shows_on_anothers_page(
    client: Client, vale: Vale, clock: time_machine.Traveller
) -> None:
    council = _start(client, "vale")
    partner = _start(client, "vale-housing")
    assert (_start(client, "vale"), _start(client, "vale-housing")) != (council, partner)

    assert [office.split(" ")[0:2] for office in _offices(partner)] == [
        ["Housing", "Office"],
        ["Town", "Library"],
    ]
    assert "Waste and Recycling" not in partner
    assert "We answer letters" not in partner
    assert "Civic Centre" not in _text(partner)
    assert [office.split(" ")[0:2] for office in _offices(_start(client, "vale"))] == [
        ["Civic", "Centre"],
        ["Town", "Library"],
    ]
    assert "Housing Office" not in _start(client, "vale")


def test_the_week_moves_on_with_the_date_without_any_write(
    client: Client, vale: Vale, clock: time_machine.Traveller
) -> None:
    assert _office("Civic Centre")(_start(client)).startswith(
        "Civic Centre 1 High Street Open today: 9am to 5pm"
    )

    clock.move_to("2026-12-25 10:00+00:00")

    centre = _office("Civic Centre")(_start(client))
    assert centre.startswith("Civic Centre 1 High Street Closed today (Christmas Day)")
    assert "Friday 25 December Closed (Christmas Day) Saturday 26 December" in centre


def test_the_charter_is_kept_in_each_language(
    client: Client, vale: Vale, clock: time_machine.Traveller
) -> None:
    directory.update_organisation(
        vale.council,
        by=None,
        name=vale.council.name,
        type=vale.council.type,
        nation="wales",
        branding_text="",
        offers_welsh=True,
    )
    standard = Standard.objects.for_organisation(vale.council).get()
    standards.change_standard(
        standard,
        by=None,
        title=standard.title,
        amount=10,
        unit="working_days",
        target_percent=Decimal("90"),
        title_cy="Ateb llythyrau o fewn 10 diwrnod gwaith",
    )

    english = _section(client.get("/o/vale/?lang=en").content.decode(), "promises")
    welsh = _section(client.get("/o/vale/?lang=cy").content.decode(), "promises")
    again = _section(client.get("/o/vale/?lang=en").content.decode(), "promises")

    assert english.startswith("We answer letters within 10 working days (")
    assert welsh.startswith("Byddwn yn ateb llythyrau o fewn 10 diwrnod gwaith (")
    assert again == english


def _process(name: str) -> override_settings:
    """Serve as a server process of its own would: Django's cache is that process's memory."""
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"onestop-test-{name}",
            }
        }
    )


def _edit_the_phone_number(vale: Vale, phone: str = "01632 960321") -> None:
    directory.update_service(
        vale.waste,
        by=None,
        name="Waste and Recycling",
        description="Bins and recycling.",
        lgsl_code=None,
        phone=phone,
    )


def test_an_edit_in_one_process_is_seen_at_once_by_another_sharing_the_cache(
    client: Client, vale: Vale, clock: time_machine.Traveller
) -> None:
    """Processes sharing Django's cache (Redis, ``ONESTOP_CACHE_URL``) hear of every edit."""
    with _process("shared"):
        assert "01632 960016" in _start(client)
        _edit_the_phone_number(vale)
        with CaptureQueriesContext(connection) as queries:
            html = _start(client)
        cache.clear()

    assert "Phone: 01632 960321" in _section(html, "services")
    assert "01632 960016" not in html
    assert len(queries) == 11  # the old copy's key is not asked for: everything read afresh


def test_an_edit_in_one_process_is_seen_by_another_with_its_own_memory_within_the_seconds(
    client: Client, vale: Vale, clock: time_machine.Traveller
) -> None:
    for name in ("first", "second"):
        with _process(name):
            assert "01632 960016" in _start(client)  # each process keeps its own copy

    with _process("first"):
        _edit_the_phone_number(vale)
        assert "Phone: 01632 960321" in _section(_start(client), "services")

    with _process("second"):
        kept = _start(client)  # the organisation's row as it read it, for a few seconds
    clock.shift(datetime.timedelta(seconds=settings.ONESTOP_PUBLIC_CACHE_SECONDS + 1))
    with _process("second"), CaptureQueriesContext(connection) as queries:
        html = _start(client)

    assert "01632 960016" in kept
    assert "Phone: 01632 960321" in _section(html, "services")
    assert "01632 960016" not in html
    assert len(queries) == 11  # the old copy's key is not asked for: everything read afresh
    for name in ("first", "second"):
        with _process(name):
            cache.clear()

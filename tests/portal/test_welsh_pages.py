"""Welsh on the residents' pages that came after the report forms: the start page (also at the
site's root), the information pages, tracking a request and "Your requests", each in Welsh for
an organisation that offers Welsh (``?lang=cy``), in English when asked, and always in English
for an organisation that does not offer Welsh."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from onestop.cases.models import Case, CaseKind, CaseType
from onestop.core.models import Organisation
from onestop.portal import services
from onestop.portal.models import WebForm
from tests.cases import factories as case_factories
from tests.cases.conftest import World

SITE = "/o/test-council/"
MONDAY = "2026-03-02 10:00+00:00"
WELSH_HTML = '<html lang="cy"'
ENGLISH_HTML = '<html lang="en"'

# Each page, a Welsh line it must show in Welsh, and the English it shows in English.
PAGES = [
    ("", "Beth y gallwch ei wneud ar-lein", "What you can do online"),
    ("contact/", "Cysylltu â ni", "Contact us"),
    ("accessibility/", "Datganiad hygyrchedd ar gyfer gwasanaethau ar-lein", "Accessibility"),
    ("privacy/", "Hysbysiad preifatrwydd", "Privacy notice"),
    ("cookies/", "Cwcis hanfodol", "Essential cookies"),
    ("track/", "Olrhain cais", "Track a request"),
    ("your-requests/", "Eich ceisiadau", "Your requests"),
]
# The footer of every one of those pages, in Welsh.
FOOTER_CY = ("Datganiad hygyrchedd", "Preifatrwydd", "Cwcis", "Cysylltu â ni")


@pytest.fixture
def welsh_council(world: World) -> Organisation:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    world.organisation.refresh_from_db()
    return world.organisation


@pytest.fixture
def case(world: World, missed_bins_online: WebForm) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        return services.submit_report(
            missed_bins_online,
            report=services.Report(
                answers={"bin": "blue"},
                title="Bin glas heb ei wagio",
                postcode="HP20 1AA",
                given_name="Siân",
                family_name="Jones",
                email="sian@example.com",
                phone="",
            ),
        )


def _html(response: Any) -> str:
    return str(response.content.decode())


@pytest.mark.parametrize(("page", "welsh", "english"), PAGES)
def test_each_page_in_welsh_when_asked_and_english_otherwise(
    welsh_council: Organisation, client: Client, page: str, welsh: str, english: str
) -> None:
    response = client.get(f"{SITE}{page}?lang=cy")
    assert response.status_code == 200
    html = _html(response)
    assert WELSH_HTML in html
    assert welsh in html
    for words in FOOTER_CY:
        assert words in html
    assert 'data-testid="language-toggle"' in html

    back = client.get(f"{SITE}{page}?lang=en")
    html = _html(back)
    assert ENGLISH_HTML in html
    assert english in html
    assert welsh not in html


@pytest.mark.parametrize(("page", "welsh", "english"), PAGES)
def test_an_organisation_that_does_not_offer_welsh_stays_english(
    world: World, client: Client, page: str, welsh: str, english: str
) -> None:
    html = _html(client.get(f"{SITE}{page}?lang=cy"))
    assert ENGLISH_HTML in html
    assert english in html
    assert welsh not in html
    assert 'data-testid="language-toggle"' not in html


def test_the_start_page_speaks_welsh_throughout(
    welsh_council: Organisation, client: Client
) -> None:
    html = _html(client.get(f"{SITE}?lang=cy"))
    for words in (
        "Nid oes angen cyfrif arnoch.",
        "Rhoi gwybod am broblem",
        "Olrhain cais",
        "Eich ceisiadau",
        "Cwyno, gwneud sylw neu ganmol",
        "Ein haddewidion i chi",
        "Mewngofnodi staff",
    ):
        assert words in html, words
    for words in ("What you can do online", "Our promises to you", "Staff sign in"):
        assert words not in html, words


@override_settings(ONESTOP_PUBLIC_ORGANISATION="test-council")
def test_the_root_start_page_chooses_the_language_itself(
    welsh_council: Organisation, client: Client
) -> None:
    welsh = client.get("/?lang=cy")
    assert WELSH_HTML in _html(welsh)
    assert "Beth y gallwch ei wneud ar-lein" in _html(welsh)
    # The toggle's choice is remembered, on the root as on every other residents' page.
    again = _html(client.get("/"))
    assert WELSH_HTML in again
    english = _html(client.get("/?lang=en"))
    assert ENGLISH_HTML in english
    assert "What you can do online" in english


@override_settings(ONESTOP_PUBLIC_ORGANISATION="test-council")
def test_the_root_of_an_organisation_without_welsh_is_english(world: World, client: Client) -> None:
    html = _html(client.get("/?lang=cy", headers={"accept-language": "cy"}))
    assert ENGLISH_HTML in html
    assert "What you can do online" in html


def test_a_tracked_request_in_welsh(
    welsh_council: Organisation, case: Case, client: Client
) -> None:
    response = client.post(
        f"{SITE}track/?lang=cy", {"reference": case.reference, "detail": "sian@example.com"}
    )
    assert response.status_code == 302
    html = _html(client.get(response["Location"]))
    assert WELSH_HTML in html
    for words in (
        f"Cais {case.reference}",
        "Statws",
        "Beth sydd wedi digwydd hyd yma",
        "Ychwanegu rhagor o wybodaeth",
        "Byddwn yn ateb erbyn",
    ):
        assert words in html, words
    assert "What has happened so far" not in html


def test_tracking_errors_are_in_welsh_and_keep_what_was_typed(
    welsh_council: Organisation, case: Case, client: Client
) -> None:
    response = client.post(
        f"{SITE}track/?lang=cy", {"reference": case.reference, "detail": "<b>nobody</b>"}
    )
    assert response.status_code == 400
    html = _html(response)
    assert WELSH_HTML in html
    assert "Gwall" in html
    assert "Ni allem ddod o hyd i gais gyda’r cyfeirnod a’r manylyn hwnnw" in html
    assert case.reference in html
    assert "<b>nobody</b>" not in html
    empty = _html(client.post(f"{SITE}track/?lang=cy", {"reference": "", "detail": ""}))
    assert "Rhowch eich cyfeirnod" in empty
    assert "Rhowch y cyfeiriad e-bost, y rhif ffôn neu’r cod post" in empty


def test_a_mistyped_reference_is_said_so_in_welsh(
    welsh_council: Organisation, case: Case, client: Client
) -> None:
    response = client.post(
        f"{SITE}track/?lang=cy", {"reference": "SR-26-00012", "detail": "sian@example.com"}
    )

    assert response.status_code == 400
    html = _html(response)
    assert WELSH_HTML in html
    welsh = (
        "Gwiriwch eich cyfeirnod: mae nod wedi’i deipio’n anghywir neu ar goll. Mae’n "
        "gorffen gyda llythyren, rhif neu un o * ~ $ ="
    )
    assert html.count(welsh) == 2


def test_asking_for_a_sign_in_link_in_welsh(
    welsh_council: Organisation, case: Case, client: Client
) -> None:
    response = client.post(f"{SITE}your-requests/?lang=cy", {"email": "sian@example.com"})
    assert response.status_code == 302
    html = _html(client.get(response["Location"]))
    assert WELSH_HTML in html
    assert "Gwiriwch eich e-bost" in html
    bad = _html(client.post(f"{SITE}your-requests/?lang=cy", {"email": ""}))
    assert "Gwall" in bad
    assert "Rhowch eich cyfeiriad e-bost" in bad


def test_the_success_banner_after_adding_information_is_in_welsh(
    welsh_council: Organisation, case: Case, client: Client
) -> None:
    opened = client.post(
        f"{SITE}track/?lang=cy", {"reference": case.reference, "detail": "sian@example.com"}
    )
    page = opened["Location"]

    added = client.post(page, {"text": "Mae’r bin glas wrth y giât."})

    assert added.status_code == 302
    html = _html(client.get(added["Location"]))
    assert WELSH_HTML in html
    assert ">Llwyddiant</h2>" in html  # the GOV.UK notification banner's title
    assert f"Diolch. Rydym wedi ychwanegu eich gwybodaeth at {case.reference}" in html
    assert "Success" not in html


ERROR_TITLES = {
    "en": ("Error:", "Track a request", "Request {}", "Your requests"),
    "cy": ("Gwall:", "Olrhain cais", "Cais {}", "Eich ceisiadau"),
}


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0].split(" \u2013 ", 1)[0].strip()


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_page_with_errors_says_error_once_in_its_title(
    welsh_council: Organisation, case: Case, client: Client, language: str
) -> None:
    error, track, request, your_requests = ERROR_TITLES[language]
    query = f"?lang={language}"

    tracked = client.post(f"{SITE}track/{query}", {"reference": "", "detail": ""})
    opened = client.post(
        f"{SITE}track/{query}", {"reference": case.reference, "detail": "sian@example.com"}
    )
    added = client.post(opened["Location"], {"text": ""})
    asked = client.post(f"{SITE}your-requests/{query}", {"email": ""})

    assert [tracked.status_code, added.status_code, asked.status_code] == [400, 400, 400]
    assert [_title(_html(response)) for response in (tracked, added, asked)] == [
        f"{error} {track}",
        f"{error} {request.format(case.reference)}",
        f"{error} {your_requests}",
    ]


def test_a_photo_that_is_not_a_picture_is_refused_in_welsh(
    welsh_council: Organisation, case: Case, client: Client, tmp_path: Any, settings: Any
) -> None:
    settings.ONESTOP_DOCUMENTS_DIR = tmp_path / "documents"
    opened = client.post(
        f"{SITE}track/?lang=cy", {"reference": case.reference, "detail": "sian@example.com"}
    )
    letter = SimpleUploadedFile("letter.txt", b"A letter\n", content_type="text/plain")

    response = client.post(opened["Location"], {"text": "Llythyr", "photo": letter})

    assert response.status_code == 400
    html = _html(response)
    assert "Llun JPG neu PNG, llai na" in html  # the hint
    assert "Rhaid i’r ffeil a ddewiswyd fod yn llun JPG neu PNG" in html
    assert "PDF" not in html


# language -> the report form's summary hint, the start page's words for "Report a problem"
FITTING_WORDS = {
    "en": (
        "A few words saying what the problem is",
        "Tell us about a problem or ask for a service. You get a reference.",
        "For example, “Missed bin”, “Pothole” or “Noise”",
    ),
    "cy": (
        "Ychydig eiriau yn dweud beth yw’r broblem",
        "Dywedwch wrthym am broblem neu gofynnwch am wasanaeth. Byddwch yn cael cyfeirnod.",
        "Er enghraifft, “Bin heb ei gasglu”, “Twll yn y ffordd” neu “Noise”",
    ),
}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_report_words_fit_any_organisations_forms(
    welsh_council: Organisation,
    world: World,
    missed_bins_online: WebForm,
    client: Client,
    language: str,
) -> None:
    summary_hint, start_words, search_hint = FITTING_WORDS[language]
    for position, code in ((20, "pothole"), (30, "noise"), (40, "graffiti")):
        case_type = case_factories.case_type(
            world.organisation,
            code,
            kind=CaseKind.SERVICE_REQUEST,
            service=world.waste,
            team=world.crews,
        )
        services.save_web_form(
            case_type, by=None, is_published=True, guidance="", position=position
        )
    for code, welsh in (("missed-bin", "Bin heb ei gasglu"), ("pothole", "Twll yn y ffordd")):
        CaseType.objects.unscoped("test: the Welsh names").filter(
            organisation=world.organisation, code=code
        ).update(name_cy=welsh)

    form = _html(client.get(f"/report/test-council/missed-bin/?lang={language}"))
    start = _html(client.get(f"{SITE}?lang={language}"))
    index = _html(client.get(f"/report/test-council/?lang={language}"))

    assert f'<div id="id_title-hint" class="govuk-hint">{summary_hint}</div>' in form
    assert start_words in start
    hint = index.split('data-testid="search-hint">', 1)[1].split("</div>", 1)[0]
    assert hint == search_hint
    for old in ("Blue bin", "Bin glas", "Missed bins, fly-tipping", "bin, pothole or noise"):
        assert old not in form + start + index


# language -> the service names of the track page and "Your requests", the start page's title
SERVICE_NAMES = {
    "en": ("Track a request", "Your requests", "Services for residents"),
    "cy": ("Olrhain cais", "Eich ceisiadau", "Gwasanaethau i breswylwyr"),
}


def _service_name(html: str) -> str:
    return html.split('class="govuk-service-navigation__text">', 1)[1].split("</span>", 1)[0]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_track_and_your_requests_name_their_service_and_the_start_title_names_it_once(
    welsh_council: Organisation, client: Client, language: str
) -> None:
    track_name, requests_name, start_title = SERVICE_NAMES[language]

    track = _html(client.get(f"{SITE}track/?lang={language}"))
    requests = _html(client.get(f"{SITE}your-requests/?lang={language}"))
    start = _html(client.get(f"{SITE}?lang={language}"))

    assert (_service_name(track), _service_name(requests)) == (track_name, requests_name)
    title = start.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == f"{start_title} \u2013 {welsh_council.name}"
    assert title.count(welsh_council.name) == 1

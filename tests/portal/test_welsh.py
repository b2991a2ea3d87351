"""Welsh: the toggle on the residents' pages of an organisation that offers Welsh, the choice
remembered in the language cookie, every public page in Welsh, the resident's language recorded
on their customer record and their acknowledgement sent in Welsh; English everywhere else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from onestop.cases.models import Case, CaseType
from onestop.core.models import Organisation, User
from onestop.customers.models import Language
from onestop.notify.models import Message
from onestop.portal import services, throttle
from onestop.portal.models import Layout, WebForm
from tests.cases.conftest import World
from tests.portal.conftest import NOTHING, counts

INDEX = "/report/test-council/"
FORM = "/report/test-council/missed-bin/"
MONDAY = "2026-03-02 10:00+00:00"
COOKIE = settings.LANGUAGE_COOKIE_NAME
TOGGLE = 'data-testid="language-toggle"'

WORDS = services.WebFormWords(
    hint="When the crew did not empty your bin",
    hint_cy="Pan na wnaeth y criw wagio’ch bin",
    guidance_cy="Gadewch y bin allan nes i ni ei gasglu.",
    questions_cy={
        "bin": {"label": "Pa fin", "choices": ["Glas", "Gwyrdd", "Du"]},
        "where": {"label": "Ble mae’r bin", "choices": []},
    },
)


@pytest.fixture
def welsh_council(world: World) -> Organisation:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    world.organisation.refresh_from_db()
    return world.organisation


@pytest.fixture
def welsh_form(world: World, welsh_council: Organisation) -> WebForm:
    CaseType.objects.unscoped("test: the Welsh name").filter(pk=world.missed_bin.pk).update(
        name_cy="Bin heb ei gasglu"
    )
    world.missed_bin.refresh_from_db()
    return services.save_web_form(
        world.missed_bin,
        by=None,
        is_published=True,
        guidance="Leave the bin out until we collect it.",
        position=10,
        words=WORDS,
        layout=Layout.ONE_PAGE,
    )


def _data(**changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "attribute_bin": "blue",
        "title": "Bin glas heb ei wagio",
        "description": "Wrth ymyl y palmant",
        "postcode": "HP20 1AA",
        "given_name": "Siân",
        "family_name": "Jones",
        "email": "sian@example.com",
        "phone": "",
        "leave_blank": "",
    }
    data.update(changes)
    return data


# --- the toggle and the remembered choice ----------------------------------------------------
def test_english_first_with_a_toggle_to_welsh(welsh_form: WebForm, client: Client) -> None:
    html = client.get(INDEX).content.decode()

    assert '<html lang="en"' in html
    assert TOGGLE in html
    assert 'href="?lang=cy" hreflang="cy" lang="cy"' in html
    assert '<span aria-current="true">English</span>' in html
    assert "Report a problem" in html


def test_the_toggle_shows_welsh_and_the_cookie_remembers_it(
    welsh_form: WebForm, client: Client
) -> None:
    response = client.get(f"{INDEX}?lang=cy")

    html = response.content.decode()
    assert '<html lang="cy"' in html
    assert "Rhoi gwybod am broblem" in html
    assert '<span aria-current="true">Cymraeg</span>' in html
    assert 'href="?lang=en" hreflang="en" lang="en"' in html
    cookie = response.cookies[COOKIE]
    assert cookie.value == "cy"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"

    again = client.get(FORM)  # no ?lang=: the cookie remembers
    assert '<html lang="cy"' in again.content.decode()
    assert COOKIE not in again.cookies  # nothing written when nothing was chosen

    english = client.get(f"{FORM}?lang=en")
    assert '<html lang="en"' in english.content.decode()
    assert english.cookies[COOKIE].value == "en-gb"
    assert '<html lang="en"' in client.get(INDEX).content.decode()


def test_the_toggle_keeps_the_rest_of_the_address(welsh_form: WebForm, client: Client) -> None:
    html = client.get(INDEX, {"q": "bin & more"}).content.decode()
    assert 'href="?q=bin+%26+more&amp;lang=cy"' in html
    welsh = client.get(INDEX, {"q": "bin", "lang": "cy"}).content.decode()
    assert 'href="?q=bin&amp;lang=en"' in welsh


def test_the_staff_sign_in_page_stays_english(welsh_form: WebForm, client: Client) -> None:
    client.cookies[COOKIE] = "cy"
    assert '<html lang="en"' in client.get("/sign-in/").content.decode()


def test_a_browser_asking_for_welsh_first_gets_welsh(welsh_form: WebForm, client: Client) -> None:
    html = client.get(INDEX, headers={"accept-language": "cy,en-GB;q=0.8"}).content.decode()
    assert '<html lang="cy"' in html


@pytest.mark.parametrize("asked", ["xx", "cy' onmouseover='x", "de", "CY" * 40])
def test_a_language_not_offered_is_ignored(welsh_form: WebForm, client: Client, asked: str) -> None:
    response = client.get(INDEX, {"lang": asked})
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert COOKIE not in response.cookies


def test_an_organisation_that_does_not_offer_welsh_stays_english(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    client.cookies[COOKIE] = "cy"
    response = client.get(f"{INDEX}?lang=cy", headers={"accept-language": "cy"})

    html = response.content.decode()
    assert '<html lang="en"' in html
    assert TOGGLE not in html
    assert COOKIE not in response.cookies


def test_staff_pages_stay_english_whatever_the_cookie(
    world: World, administrator: User, client_for: Callable[[User], Client]
) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    client = client_for(administrator)
    client.cookies[COOKIE] = "cy"
    html = client.get("/report-forms/?lang=cy", headers={"accept-language": "cy"}).content
    assert '<html lang="en"' in html.decode()
    assert TOGGLE not in html.decode()


# --- every public page in Welsh ---------------------------------------------------------------
def test_the_list_in_welsh_uses_the_welsh_names(welsh_form: WebForm, client: Client) -> None:
    client.cookies[COOKIE] = "cy"
    html = client.get(INDEX).content.decode()

    assert "<title>Rhoi gwybod am broblem \u2013 Test District Council</title>" in html
    assert ">Bin heb ei gasglu</a>" in html
    assert "Pan na wnaeth y criw wagio’ch bin" in html
    assert "Chwilio’r ffurflenni" in html
    assert "Os yw’n argyfwng" in html
    assert "Neidio i’r prif gynnwys" in html
    assert "Report a problem" not in html


def test_the_form_in_welsh_asks_the_welsh_questions(welsh_form: WebForm, client: Client) -> None:
    client.cookies[COOKIE] = "cy"
    html = client.get(FORM).content.decode()

    assert '<h1 class="govuk-heading-l">Bin heb ei gasglu</h1>' in html
    assert "Gadewch y bin allan nes i ni ei gasglu." in html
    assert "Pa fin" in html
    # The Welsh words of each choice, the English value sent and stored.
    assert 'value="blue"' in html
    assert ">Glas</label>" in html
    assert "Ble mae’r bin" in html
    assert "Extra bags" in html  # a question without Welsh words keeps its English
    for welsh in ("Disgrifiwch y broblem", "Beth yw’r broblem", "Cod post", "Eich manylion",
                  "Enw cyntaf", "Cyfenw", "Cyfeiriad e-bost", "Rhif ffôn", "Anfon adroddiad",
                  "Yn ôl i’r holl ffurflenni", "(dewisol)"):  # fmt: skip
        assert welsh in html, welsh


def test_errors_in_welsh_keep_what_was_typed(welsh_form: WebForm, client: Client) -> None:
    client.cookies[COOKIE] = "cy"
    response = client.post(FORM, _data(title="", postcode="NOPE 1"))

    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Gwall: Bin heb ei gasglu" in html
    assert "Mae problem wedi codi" in html
    assert "Rhowch beth yw’r broblem" in html
    assert "Rhowch god post go iawn yn y DU, fel HP19 8FF" in html
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in html
    assert 'value="NOPE 1"' in html
    assert 'value="sian@example.com"' in html
    assert "Wrth ymyl y palmant</textarea>" in html
    assert counts(welsh_form.organisation) == NOTHING


@time_machine.travel(MONDAY, tick=False)
def test_a_welsh_report_records_welsh_and_the_acknowledgement_is_in_welsh(
    world: World, welsh_form: WebForm, client: Client
) -> None:
    client.get(f"{FORM}?lang=cy")
    response = client.post(FORM, _data())

    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.customer is not None
    assert case.customer.language == Language.WELSH
    assert case.attributes["bin"] == "blue"  # staff read the English answer
    acknowledgement = Message.objects.for_organisation(world.organisation).get(case=case)
    assert acknowledgement.language == "cy"
    assert acknowledgement.subject == f"Rydym wedi cael eich cais: {case.reference}"
    # The request named by the case type's Welsh name, not the English one nor the title typed.
    # With the track page, in Welsh, and what it asks for.
    assert acknowledgement.body == (
        "Annwyl Siân Jones,\n\nRydym wedi cael eich cais: Bin heb ei gasglu.\n\nEich "
        f"cyfeirnod yw {case.reference}. Byddwn yn ymateb erbyn 16 Mawrth 2026.\n\nI weld sut "
        "mae eich cais yn dod yn ei flaen, ewch i "
        "http://localhost:8000/o/test-council/track/?lang=cy a rhowch eich cyfeirnod a'r "
        "cyfeiriad e-bost, y rhif ffôn neu'r cod post a roesoch i ni.\n\nTest District Council"
    )

    done = client.get(response["Location"]).content.decode()
    assert "Adroddiad wedi’i anfon" in done
    assert "Eich cyfeirnod yw" in done
    assert "Byddwn yn ateb erbyn 16 Mawrth 2026." in done
    assert "Beth sy’n digwydd nesaf" in done


def test_the_confirmation_names_the_welsh_type_with_the_same_reads_as_in_english(
    welsh_form: WebForm, client: Client
) -> None:
    """The case's row is read with its type's Welsh name: a Welsh confirmation made one more
    read (the deferred ``name_cy``) on every visit."""
    done = client.post(FORM, _data())["Location"]
    client.get(done)
    with CaptureQueriesContext(connection) as english:
        in_english = client.get(done).content.decode()
    client.cookies[COOKIE] = "cy"
    client.get(done)
    with CaptureQueriesContext(connection) as welsh:
        in_welsh = client.get(done).content.decode()

    assert "“Missed bin”" in in_english
    assert "“Bin heb ei gasglu”" in in_welsh
    assert 'href="/o/test-council/track/">olrheiniwch eich adroddiad</a>' in in_welsh
    assert len(welsh) == len(english) == 2  # the session, then the case with its type


@time_machine.travel(MONDAY, tick=False)
def test_an_english_report_records_english(
    world: World, welsh_form: WebForm, client: Client
) -> None:
    assert client.post(FORM, _data()).status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.customer is not None
    assert case.customer.language == Language.ENGLISH
    acknowledgement = Message.objects.for_organisation(world.organisation).get(case=case)
    assert (acknowledgement.language, acknowledgement.subject) == (
        "en",
        f"We have received your request: {case.reference}",
    )
    assert acknowledgement.body == (
        "Dear Siân Jones,\n\nWe have received your request: Missed bin.\n\nYour reference is "
        f"{case.reference}. We will reply by 16 March 2026.\n\nTo see how your request is "
        "going, go to http://localhost:8000/o/test-council/track/ and enter your reference and "
        "the email address, phone number or postcode you gave us.\n\nTest District Council"
    )


def test_the_thank_you_and_too_many_pages_in_welsh(welsh_form: WebForm, client: Client) -> None:
    client.cookies[COOKIE] = "cy"
    received = client.get("/report/test-council/done/").content.decode()
    assert "Rydym wedi cael eich ffurflen." in received
    with override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=1):
        assert throttle.reserve("127.0.0.1")
        response = client.post(FORM, _data())
    assert response.status_code == 429
    assert "Rydych wedi anfon gormod o adroddiadau" in response.content.decode()


def test_not_found_pages_in_welsh(welsh_form: WebForm, client: Client) -> None:
    client.cookies[COOKIE] = "cy"
    for path in ("/report/test-council/no-such-form/", "/no-such-page/"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert '<html lang="cy"' in html
        assert "Heb ddod o hyd i’r dudalen" in html


@pytest.mark.parametrize(
    ("template", "welsh"),
    [
        ("core/400.html", "Mae’n ddrwg gennym, mae problem gyda’r hyn a anfonwyd"),
        ("core/500.html", "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth"),
        ("core/csrf_failure.html", "Mae’n ddrwg gennym, mae’r ffurflen hon wedi dod i ben"),
    ],
)
def test_the_error_pages_in_welsh(template: str, welsh: str) -> None:
    from django.template.loader import render_to_string

    with translation.override("cy"):
        html = render_to_string(template)
    assert '<html lang="cy"' in html
    assert welsh in html


def test_the_feedback_form_in_welsh(welsh_council: Organisation, client: Client) -> None:
    client.cookies[COOKIE] = "cy"
    start = client.get("/feedback/o/test-council/").content.decode()
    assert '<html lang="cy"' in start
    assert TOGGLE in start
    assert "Dywedwch wrthym beth yw eich barn" in start
    assert "Dechrau nawr" in start

    question = client.get("/feedback/o/test-council/kind/")
    html = question.content.decode()
    assert "Beth ydych chi eisiau ei ddweud wrthym?" in html
    assert "Cwyn: aeth rhywbeth o’i le" in html
    assert "Parhau" in html
    assert ">Yn ôl</a>" in html

    refused = client.post("/feedback/o/test-council/kind/", {"leave_blank": ""})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Mae problem wedi codi" in html
    assert "Dewiswch beth rydych chi eisiau ei ddweud wrthym" in html


def test_welsh_feedback_records_welsh_on_the_customer(
    welsh_council: Organisation, client: Client
) -> None:
    from onestop.feedback.models import Feedback

    client.cookies[COOKIE] = "cy"
    base = "/feedback/o/test-council/"
    for step, data in (
        ("kind", {"kind": "compliment"}),
        ("about", {"about": "service"}),
        ("service", {"service": ""}),
        ("what-happened", {"what_happened": "Roedd y criw yn garedig iawn"}),
        ("wanted", {"wanted": ""}),
        ("reply", {"email": "sian@example.com", "phone": ""}),
        ("name", {"given_name": "Siân", "family_name": "Jones"}),
    ):
        response = client.post(f"{base}{step}/", {**data, "leave_blank": ""})
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    check = client.get(f"{base}check/").content.decode()
    assert "Gwirio’ch atebion cyn anfon" in check
    assert client.post(f"{base}check/", {"leave_blank": ""}).status_code == 302
    feedback = Feedback.objects.for_organisation(welsh_council).get()
    assert feedback.customer is not None
    assert feedback.customer.language == Language.WELSH


# --- the staff page that writes the Welsh words ---------------------------------------------
def test_an_administrator_writes_the_welsh_words_and_the_layout(
    world: World, administrator: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(administrator)
    edit = f"/report-forms/{world.missed_bin.pk}/"
    page = client.get(edit).content.decode()
    assert "“Which bin” in Welsh (optional)" in page
    assert "One a line, in this order: blue, green, black" in page
    # The Welsh name is the case type's, written on the case type's page.
    assert 'name="name_cy"' not in page
    assert "No name in Welsh yet: residents reading in Welsh see the English name." in page
    assert f'href="/case-types/{world.missed_bin.pk}/">Change the name on the case type' in page
    CaseType.objects.unscoped("test: the Welsh name").filter(pk=world.missed_bin.pk).update(
        name_cy="Bin heb ei gasglu"
    )
    assert 'Name in Welsh: <span lang="cy">Bin heb ei gasglu</span>.' in (
        client.get(edit).content.decode()
    )

    response = client.post(
        edit,
        {
            "is_published": "on",
            "guidance": "Leave the bin out.",
            "position": "10",
            "layout": Layout.QUESTION_PAGES,
            "hint": "When the crew missed it",
            "hint_cy": "Pan fethodd y criw",
            "guidance_cy": "Gadewch y bin allan.",
            "label_cy_bin": "Pa fin",
            "choices_cy_bin": "Glas\r\nGwyrdd\r\nDu\r\n",
        },
    )

    assert response.status_code == 302
    web_form = WebForm.objects.for_organisation(world.organisation).get()
    assert (web_form.layout, web_form.hint, web_form.hint_cy) == (
        Layout.QUESTION_PAGES,
        "When the crew missed it",
        "Pan fethodd y criw",
    )
    assert web_form.guidance_cy == "Gadewch y bin allan."
    assert web_form.questions_cy == {
        "bin": {"label": "Pa fin", "choices": ["Glas", "Gwyrdd", "Du"]}
    }
    again = client.get(edit).content.decode()
    assert "Glas\nGwyrdd\nDu</textarea>" in again


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"choices_cy_bin": "Glas\nGwyrdd"}, "Give 3 Welsh answers, one for each English answer"),
        ({"hint_cy": "x" * 301}, "must be 300 characters or fewer"),
        ({"guidance_cy": "a\x00b"}, "Remove the special characters"),
        ({"layout": "sideways"}, "from the list"),
    ],
)
def test_welsh_words_that_do_not_fit_are_refused(
    world: World,
    administrator: User,
    client_for: Callable[[User], Client],
    changes: dict[str, str],
    message: str,
) -> None:
    client = client_for(administrator)
    data = {"is_published": "on", "guidance": "", "position": "10", **changes}
    response = client.post(f"/report-forms/{world.missed_bin.pk}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert WebForm.objects.for_organisation(world.organisation).count() == 0

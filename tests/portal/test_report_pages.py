"""The resident's pages: the list of forms, the form (errors, hostile input, abuse protection)
and the confirmation only the reporting session can open."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from onestop.cases import services as case_services
from onestop.cases.models import Case, Source
from onestop.contacts.models import Channel, Contact
from onestop.core import audit
from onestop.core.models import AuditRecord, Organisation, User
from onestop.customers.models import Customer
from onestop.customers.queries import possible_duplicates
from onestop.notify.models import Message
from onestop.portal import services, throttle
from onestop.portal.models import WebForm
from tests.cases import factories as case_factories
from tests.cases.conftest import World
from tests.customers import factories as customer_factories
from tests.govuk_dates import date_input
from tests.portal.conftest import NOTHING, counts

FORM = "/report/test-council/missed-bin/"
MONDAY = "2026-03-02 10:00+00:00"


def _data(**changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "attribute_bin": "blue",
        "title": "Blue bin not emptied",
        "description": "Left at the kerb",
        "postcode": "HP20 1AA",
        "given_name": "Sam",
        "family_name": "Resident",
        "email": "sam@example.com",
        "phone": "07700 900123",
        "leave_blank": "",
    }
    data.update(changes)
    return data


def _error_summary(html: str) -> list[str]:
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">', summary)


# --- the list -----------------------------------------------------------------------------------
def test_the_list_shows_only_published_types_of_active_types(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    services.save_web_form(world.foi, by=None, is_published=False, guidance="", position=1)
    response = client.get("/report/test-council/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{FORM}"' in html
    assert "/report/test-council/foi/" not in html


def test_an_unknown_or_inactive_organisation_is_404(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    assert client.get("/report/no-such-council/").status_code == 404
    assert client.get("/report/no-such-council/missed-bin/").status_code == 404
    Organisation.objects.filter(pk=world.organisation.pk).update(is_active=False)
    assert client.get("/report/test-council/").status_code == 404
    assert client.get(FORM).status_code == 404


# --- the form: success --------------------------------------------------------------------------
@time_machine.travel(MONDAY, tick=False)
def test_a_resident_reports_a_missed_bin_and_sees_the_reference_and_deadline(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    page = client.get(FORM)
    assert page.status_code == 200
    assert "Leave the bin out until we collect it." in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")

    response = client.post(FORM, _data())

    case = Case.objects.for_organisation(world.organisation).get()
    assert response.status_code == 302
    assert response["Location"] == f"/report/test-council/done/{case.reference}/"
    assert (case.source, case.team) == (Source.WEB, world.town_crews)
    assert case.customer is not None
    assert Contact.objects.for_organisation(world.organisation).get().channel == Channel.WEB_FORM
    assert Message.objects.for_organisation(world.organisation).filter(case=case).count() == 1
    last = AuditRecord.objects.for_organisation(world.organisation).order_by("-sequence").first()
    assert last is not None
    assert last.ip_address == "127.0.0.1"
    done = client.get(response["Location"])
    html = done.content.decode()
    assert done.status_code == 200
    assert "govuk-panel--confirmation" in html
    assert f'<strong data-testid="reference">{case.reference}</strong>' in html
    assert "We will reply by 16 March 2026." in html
    assert "no-store" in done["Cache-Control"]


def test_the_confirmation_says_how_to_track_the_report_and_its_link_finds_it(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    """Without the confirmation saying so, a resident learnt of the track page only from the
    acknowledgement, which nobody gets who left no email address (the postcode tracks it)."""
    anonymous = _data(given_name="", family_name="", email="", phone="")
    response = client.post(FORM, anonymous)
    case = Case.objects.for_organisation(world.organisation).get()

    html = client.get(response["Location"]).content.decode()
    found = re.search(r'data-testid="track">(.*?)</p>', html, re.S)
    assert found is not None
    paragraph = found[1]
    link = re.search(r'href="([^"]+)">track your report</a>', paragraph)
    assert link is not None
    assert link[1] == "/o/test-council/track/"
    assert "postcode, email address or phone number you gave us" in paragraph
    tracked = client.post(link[1], {"reference": case.reference, "detail": "HP20 1AA"})
    assert tracked.status_code == 302
    assert tracked["Location"] == f"/o/test-council/track/{case.reference}/"
    assert case.reference in client.get(tracked["Location"]).content.decode()


def test_an_anonymous_report_needs_no_details(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    response = client.post(
        FORM, _data(given_name="", family_name="", email="", phone="", description="")
    )

    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.customer is None
    assert counts(world.organisation).customers == 0


def test_html_and_script_are_kept_as_text_and_escaped_on_the_page(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    script = '<script>alert("x")</script> O\'Brien; DROP TABLE cases;--'
    response = client.post(FORM, _data(title=script, given_name=script, phone="12"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert counts(world.organisation) == NOTHING

    client.post(FORM, _data(title=script, description=script))
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.title == script
    assert case.description == script


# --- the form: refused --------------------------------------------------------------------------
REFUSED = [
    ({"attribute_bin": ""}, "id_attribute_bin", "Answer “Which bin”"),
    ({"attribute_bin": "purple"}, "id_attribute_bin", "Choose an answer to “Which bin”"),
    ({"title": ""}, "id_title", "Enter what the problem is"),
    ({"postcode": ""}, "id_postcode", "Enter the postcode where the problem is"),
    ({"postcode": "ZZ"}, "id_postcode", "Enter a real UK postcode, like HP19 8FF"),
    ({"email": "sam@"}, "id_email", "Enter an email address in the correct"),
    ({"phone": "call me"}, "id_phone", "Enter a real phone number"),
    ({"given_name": "", "family_name": ""}, "id_given_name", "so that we know who to reply to"),
    ({"family_name": ""}, "id_family_name", "Enter your last name"),
    ({"title": "x" * 201}, "id_title", "“What is the problem” must be 200 characters or fewer"),
    ({"description": "x" * 5001}, "id_description", "“Details” must be 5000"),
    ({"given_name": "S" * 101}, "id_given_name", "“First name” must be 100 characters or fewer"),
    ({"email": "a" * 250 + "@example.com"}, "id_email", "“Email address” must be 254"),
    ({"title": "Bin\x00"}, "id_title", "Remove the special characters from “What is the problem”"),
    ({"description": "A\x1b[2J"}, "id_description", "characters from “Details”"),
    ({"attribute_where": "x\x00"}, "id_attribute_where", "characters from “Where is the bin”"),
    ({"title": "Bin \u202etxt.exe"}, "id_title", "characters from “What is the problem”"),
    ({"description": "a\u2066b\u2069"}, "id_description", "characters from “Details”"),
    ({"title": "\ufeffBin"}, "id_title", "characters from “What is the problem”"),
    ({"given_name": "\u200b"}, "id_given_name", "Remove the special characters from “First name”"),
    ({"family_name": "Res\u200fident"}, "id_family_name", "characters from “Last name”"),
    ({"email": "a@b.c\u202e"}, "id_email", "Remove the special characters from “Email address”"),
    ({"phone": "07700\u200e900123"}, "id_phone", "characters from “Phone number”"),
    ({"postcode": "HP20\u200b1AA"}, "id_postcode", "characters from “Postcode”"),
    ({"given_name": "\u200d \u200c", "family_name": "\u200d"}, "id_given_name",
     "Enter your name so that we know who to reply to"),
    ({"title": "caf\ufffd"}, "id_title", "characters from “What is the problem”"),
    (date_input("attribute_collection-day", "31/02/2026"), "id_attribute_collection-day_day",
     "Collection day must be a real date"),
    (date_input("attribute_collection-day", "31/02"), "id_attribute_collection-day_year",
     "Collection day must include a year"),
    ({"attribute_bags": "lots"}, "id_attribute_bags", "must be a number"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "anchor", "message"), REFUSED, ids=[a for _c, a, _m in REFUSED]
)
def test_refused_input_shows_a_govuk_error_keeps_what_was_typed_and_saves_nothing(
    world: World,
    missed_bins_online: WebForm,
    client: Client,
    changes: dict[str, str],
    anchor: str,
    message: str,
) -> None:
    response = client.post(FORM, _data(**changes))

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="govuk-error-summary"') == 1
    assert anchor in _error_summary(html)
    assert message in html
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Error:" in html
    assert 'value="Blue bin not emptied"' in html or "title" in changes
    assert 'value="sam@example.com"' in html or "email" in changes
    assert "Left at the kerb</textarea>" in html or "description" in changes
    assert 'value="07700 900123"' in html or "phone" in changes
    assert 'type="radio" value="blue" checked>' in html or "attribute_bin" in changes
    assert counts(world.organisation) == NOTHING


def test_the_location_question_replaces_the_free_text_where_field(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    html = client.get(FORM).content.decode()
    assert 'name="attribute_where"' in html
    assert 'name="location"' not in html


# --- the form: unreachable ----------------------------------------------------------------------
def test_an_unpublished_type_is_404_even_by_its_code(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    services.save_web_form(world.missed_bin, by=None, is_published=False, guidance="", position=1)
    assert client.get(FORM).status_code == 404
    assert client.post(FORM, _data()).status_code == 404
    assert client.get("/report/test-council/foi/").status_code == 404  # never had a form
    assert counts(world.organisation) == NOTHING


def test_an_inactive_type_is_404(world: World, missed_bins_online: WebForm, client: Client) -> None:
    type(world.missed_bin).objects.for_organisation(world.organisation).update(is_active=False)
    assert client.get(FORM).status_code == 404
    assert client.post(FORM, _data()).status_code == 404
    assert counts(world.organisation) == NOTHING


def test_another_organisations_type_code_under_this_slug_is_404(
    world: World, missed_bins_online: WebForm, partner: Organisation, client: Client
) -> None:
    case_factories.standards(partner)
    housing = case_factories.service(partner, "Repairs")
    repairs_team = case_factories.team(housing, "Repairs team")
    repair = case_factories.case_type(
        partner, "repair", kind="service-request", service=housing, team=repairs_team
    )
    services.save_web_form(repair, by=None, is_published=True, guidance="", position=1)
    assert client.get("/report/test-housing/repair/").status_code == 200

    assert client.get("/report/test-council/repair/").status_code == 404
    assert client.post("/report/test-council/repair/", {"title": "x"}).status_code == 404
    assert client.get("/report/test-housing/missed-bin/").status_code == 404
    assert counts(world.organisation) == NOTHING
    assert counts(partner) == NOTHING


@pytest.mark.parametrize(
    "path",
    [
        "/report/test-council/missed-bin%00/",
        "/report/test-council/MISSED-BIN/",
        "/report/test-council/missed-bin'--/",
        "/report/test-council/" + "x" * 300 + "/",
        "/report/test-council%2f../missed-bin/",
    ],
)
def test_hostile_addresses_are_404(
    world: World, missed_bins_online: WebForm, client: Client, path: str
) -> None:
    assert client.get(path).status_code == 404


# --- abuse protection ---------------------------------------------------------------------------
def test_the_honeypot_refuses_bots_silently_and_saves_nothing(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    response = client.post(FORM, _data(leave_blank="http://spam.example"))

    # Answered like a real report (a redirect), so a bot cannot tell it was refused.
    assert response.status_code == 302
    assert response["Location"] == "/report/test-council/done/"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you" in thanks.content.decode()
    assert "SR-" not in thanks.content.decode()
    assert "no-store" in thanks["Cache-Control"]
    assert counts(world.organisation) == NOTHING
    assert Message.objects.for_organisation(world.organisation).count() == 0


def test_the_honeypot_is_hidden_from_people(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    html = client.get(FORM).content.decode()
    hidden = html.split('<div class="govuk-!-display-none" aria-hidden="true">', 1)[1]
    assert 'name="leave_blank"' in hidden.split("</div>", 1)[0]
    assert 'tabindex="-1"' in hidden.split("</div>", 1)[0]


@override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=2)
def test_too_many_reports_from_one_address_get_429_and_nothing_is_saved(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    assert client.post(FORM, _data()).status_code == 302
    assert client.post(FORM, _data(leave_blank="bot")).status_code == 302  # counts too
    before = counts(world.organisation)

    response = client.post(FORM, _data())

    assert response.status_code == 429
    assert "You have sent too many reports" in response.content.decode()
    assert counts(world.organisation) == before
    other_address = Client(REMOTE_ADDR="198.51.100.9")
    assert other_address.post(FORM, _data()).status_code == 302
    assert client.get(FORM).status_code == 200  # reading the form is never limited


@override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=1)
def test_mistakes_do_not_count_towards_the_limit(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    for _attempt in range(3):
        assert client.post(FORM, _data(title="")).status_code == 400
    assert client.post(FORM, _data()).status_code == 302
    assert client.post(FORM, _data()).status_code == 429
    assert counts(world.organisation).cases == 1


@override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=1)
def test_the_limit_ends_with_its_window(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        assert client.post(FORM, _data()).status_code == 302
        assert client.post(FORM, _data()).status_code == 429
        traveller.shift(3601)
        assert client.post(FORM, _data()).status_code == 302
    assert counts(world.organisation).cases == 2


def test_a_post_without_the_csrf_token_is_refused_and_saves_nothing(
    world: World, missed_bins_online: WebForm
) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(FORM, _data())

    assert response.status_code == 403
    assert counts(world.organisation) == NOTHING
    page = client.get(FORM)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    assert client.post(FORM, {**_data(), "csrfmiddlewaretoken": token.group(1)}).status_code == 302


# --- the confirmation ---------------------------------------------------------------------------
def test_the_confirmation_opens_only_for_the_session_that_reported(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    done = client.post(FORM, _data())["Location"]
    reference = Case.objects.for_organisation(world.organisation).get().reference

    assert client.get(done).status_code == 200
    assert Client().get(done).status_code == 404  # someone else with the address
    desk = case_services.raise_case(
        world.organisation,
        by=world.officer,
        case_type_code="missed-bin",
        title="At the desk",
        attributes={"bin": "blue"},
    )
    assert client.get(f"/report/test-council/done/{desk.reference}/").status_code == 404
    assert client.get(f"/report/test-housing/done/{reference}/").status_code == 404
    assert client.get(f"/report/test-council/done/{reference}'%00/").status_code == 404


def test_staff_signed_in_elsewhere_see_no_one_elses_confirmation(
    world: World, missed_bins_online: WebForm, client: Client, advisor: User, client_for: Any
) -> None:
    done = client.post(FORM, _data())["Location"]
    assert client_for(advisor).get(done).status_code == 404


def test_the_desks_possible_duplicates_offer_the_existing_record(
    world: World, missed_bins_online: WebForm, client: Client, advisor: User
) -> None:
    existing = customer_factories.customer(
        world.organisation, "Sam", "Resident", email="sam@example.com"
    )
    client.post(FORM, _data())
    new = Customer.objects.for_organisation(world.organisation).exclude(pk=existing.pk).get()
    assert new.display_name == "Sam Resident"

    offered = possible_duplicates(
        advisor,
        name=new.display_name,
        emails=["sam@example.com"],
        phones=["07700 900123"],
        exclude_id=new.pk,
    )

    assert [duplicate.customer.pk for duplicate in offered] == [existing.pk]
    assert "same e-mail address" in offered[0].reasons
    assert audit.verify()[0].broken is None


def test_a_question_label_with_a_percent_sign_and_a_free_text_where_field(
    world: World, client: Client
) -> None:
    questions = [{"code": "full", "label": "Bags 100% full?", "kind": "text", "required": True}]
    bags = case_factories.case_type(
        world.organisation,
        "bags",
        kind="service-request",
        service=world.waste,
        team=world.crews,
        attributes=questions,
    )
    services.save_web_form(bags, by=None, is_published=True, guidance="", position=1)
    path = "/report/test-council/bags/"
    data = {"title": "Bags", "postcode": "HP19 8FF", "location": "By the <b>shop</b>"}

    too_long = client.post(path, {**data, "attribute_full": "x" * 2001})
    hostile_where = client.post(path, {**data, "attribute_full": "yes", "location": "\x7f"})
    long_where = client.post(path, {**data, "attribute_full": "yes", "location": "x" * 201})

    assert too_long.status_code == 400
    assert "“Bags 100% full?” must be 2000 characters or fewer" in too_long.content.decode()
    assert hostile_where.status_code == 400
    assert "characters from “Where exactly”" in hostile_where.content.decode()
    assert "“Where exactly” must be 200" in long_where.content.decode()
    assert counts(world.organisation) == NOTHING
    assert client.post(path, {**data, "attribute_full": "yes"}).status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.description == "Where: By the <b>shop</b>"
    assert case.attributes == {"full": "yes"}


# --- the page's order, names, odd bodies (review findings) --------------------------------------
EVERYTHING_WRONG = {
    "attribute_bin": "purple",
    "attribute_bags": "lots",
    **date_input("attribute_collection-day", "31/02/2026"),
    "attribute_where": "x\x00",
    "attribute_problems": "on-fire",
    "title": "",
    "description": "x" * 5001,
    "postcode": "ZZ",
    "given_name": "S" * 101,
    "family_name": "\u202e",
    "email": "sam@",
    "phone": "call me",
    "leave_blank": "",
}


def test_the_error_summary_lists_the_mistakes_in_the_pages_order(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    response = client.post(FORM, EVERYTHING_WRONG)

    html = response.content.decode()
    assert response.status_code == 400
    summary = _error_summary(html)
    form = html[html.index("<form") :]
    positions = [form.index(f'id="{anchor}"') for anchor in summary]
    # every input but the honeypot, the date's three boxes counting as one
    assert len(summary) == len(EVERYTHING_WRONG) - 3
    assert positions == sorted(positions)
    assert summary[:5] == [
        "id_attribute_bin",
        "id_attribute_bags",
        "id_attribute_collection-day_day",
        "id_attribute_where",
        "id_attribute_problems",
    ]
    assert summary[5:] == [
        "id_title",
        "id_description",
        "id_postcode",
        "id_given_name",
        "id_family_name",
        "id_email",
        "id_phone",
    ]
    assert counts(world.organisation) == NOTHING


@pytest.mark.parametrize(
    ("changes", "anchor", "message"),
    [
        ({"family_name": ""}, "id_family_name", "Enter your last name, or remove your first name"),
        ({"given_name": ""}, "id_given_name", "Enter your first name, or remove your last name"),
        ({"family_name": " \u200d "}, "id_family_name", "Enter your last name, or remove"),
    ],
    ids=["first-only", "last-only", "joiner-only"],
)
def test_one_name_without_contact_details_says_how_to_go_on_and_saves_nothing(
    world: World,
    missed_bins_online: WebForm,
    client: Client,
    changes: dict[str, str],
    anchor: str,
    message: str,
) -> None:
    response = client.post(FORM, _data(email="", phone="", **changes))

    assert response.status_code == 400
    assert _error_summary(response.content.decode()) == [anchor]
    assert message in response.content.decode()
    assert counts(world.organisation) == NOTHING


def test_both_names_without_contact_details_make_a_customer_record(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    assert client.post(FORM, _data(email="", phone="")).status_code == 302
    customer = Customer.objects.for_organisation(world.organisation).get()
    assert (customer.given_name, customer.family_name) == ("Sam", "Resident")


def test_joiners_that_emoji_and_other_scripts_need_are_kept(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert client.post(FORM, _data(description=f"Our {family} bin")).status_code == 302
    assert Case.objects.for_organisation(world.organisation).get().description == (
        f"Our {family} bin"
    )


def _post_raw(client: Client, body: bytes, content_type: str) -> Any:
    return client.generic("POST", FORM, body, content_type=content_type)


URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=xyz"
GOOD_BODY = b"attribute_bin=blue&title=Bin&postcode=HP20+1AA"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", URLENCODED),
        (b"", MULTIPART),
        (b"--xyz\r\nContent-Disposition: form-data\r\n\r\ntitle", MULTIPART),
        (b"garbage", "multipart/form-data"),
        (GOOD_BODY + b"&x=\xff\xfe", URLENCODED),
        (GOOD_BODY + b"&x=\xe9", URLENCODED + "; charset=utf-8"),
    ],
    ids=["empty", "empty-multipart", "broken-multipart", "no-boundary", "not-utf8", "utf8-said"],
)
def test_an_empty_or_unreadable_body_shows_the_missing_inputs_and_saves_nothing(
    world: World, missed_bins_online: WebForm, client: Client, body: bytes, content_type: str
) -> None:
    response = _post_raw(client, body, content_type)

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="govuk-error-summary"') == 1
    assert {"id_attribute_bin", "id_title", "id_postcode"} <= set(_error_summary(html))
    assert "Enter what the problem is" in html
    assert counts(world.organisation) == NOTHING


def test_text_that_did_not_decode_is_refused(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    body = b"attribute_bin=blue&title=caf%E9&postcode=HP20+1AA"
    response = _post_raw(client, body, "application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert _error_summary(response.content.decode()) == ["id_title"]
    assert "characters from “What is the problem”" in response.content.decode()
    assert counts(world.organisation) == NOTHING


def test_a_form_body_declaring_another_charset_is_a_bad_request_and_saves_nothing(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    body = b"attribute_bin=blue&title=Caf\xe9+bins&postcode=HP20+1AA"
    response = _post_raw(client, body, "application/x-www-form-urlencoded; charset=iso-8859-1")

    assert response.status_code == 400  # Django: form bodies must be UTF-8
    assert counts(world.organisation) == NOTHING


def test_a_broken_body_with_csrf_checks_never_answers_500(
    world: World, missed_bins_online: WebForm
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(FORM)  # the CSRF cookie
    response = _post_raw(client, b"garbage", "multipart/form-data; boundary=xyz")

    assert response.status_code in (400, 403)
    assert counts(world.organisation) == NOTHING


def test_the_privacy_line_says_the_ip_address_is_kept(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    html = client.get(FORM).content.decode()
    privacy = html.split('data-testid="privacy">', 1)[1].split("</p>", 1)[0]
    assert "IP address" in privacy
    assert "audit trail" in privacy


# --- the limit reserves before saving -----------------------------------------------------------
@override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=2)
def test_reports_in_flight_hold_their_places_so_a_third_is_429(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    # Two submissions from this address have reserved their places and are still being saved.
    assert throttle.reserve("127.0.0.1")
    assert throttle.reserve("127.0.0.1")

    response = client.post(FORM, _data())

    assert response.status_code == 429
    assert counts(world.organisation) == NOTHING
    assert throttle.is_limited("127.0.0.1")
    assert not throttle.reserve("127.0.0.1")  # refusals do not pile up past the limit
    throttle.release("127.0.0.1")  # one in-flight report failed and gave its place back
    assert client.post(FORM, _data()).status_code == 302


@override_settings(ONESTOP_PORTAL_REPORTS_PER_HOUR=2)
def test_the_third_report_is_429_and_mistakes_and_empty_bodies_use_no_allowance(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    assert client.post(FORM, _data()).status_code == 302
    for _attempt in range(3):
        assert client.post(FORM, _data(postcode="ZZ")).status_code == 400
        assert _post_raw(client, b"", "application/x-www-form-urlencoded").status_code == 400
    assert client.post(FORM, _data()).status_code == 302

    response = client.post(FORM, _data())

    assert response.status_code == 429
    assert counts(world.organisation).cases == 2


# --- behind a trusted reverse proxy -------------------------------------------------------------
@override_settings(ONESTOP_TRUSTED_PROXIES=1, ONESTOP_PORTAL_REPORTS_PER_HOUR=1)
def test_behind_a_proxy_each_resident_has_their_own_limit_and_address_in_the_audit(
    world: World, missed_bins_online: WebForm
) -> None:
    alice = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    bob = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    # Alice again, writing an address of her own in front of the one the proxy appended.
    alice_forging = Client(
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1"
    )

    assert alice.post(FORM, _data()).status_code == 302
    assert alice.post(FORM, _data()).status_code == 429
    assert alice_forging.post(FORM, _data()).status_code == 429
    assert bob.post(FORM, _data()).status_code == 302

    reported = AuditRecord.objects.for_organisation(world.organisation).filter(
        summary__endswith="reported on the web form"
    )
    assert list(reported.order_by("sequence").values_list("ip_address", flat=True)) == [
        "198.51.100.1",
        "198.51.100.2",
    ]
    assert counts(world.organisation).cases == 2


# --- the acknowledgement ------------------------------------------------------------------------
def test_the_acknowledgement_names_the_case_type_not_the_typed_title(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    spam = "Cheap pills at https://spam.example/buy now"
    assert client.post(FORM, _data(title=spam)).status_code == 302

    case = Case.objects.for_organisation(world.organisation).get()
    assert case.title == spam  # staff still see what was typed
    acknowledgement = Message.objects.for_organisation(world.organisation).get(case=case)
    assert "spam.example" not in acknowledgement.body
    assert "Cheap pills" not in acknowledgement.body
    assert world.missed_bin.name in acknowledgement.body
    assert case.reference in acknowledgement.body

"""The resident's pages: the list of forms, the form (errors, hostile input, abuse protection)
and the confirmation only the reporting session can open."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from onestop.cases import services as case_services
from onestop.cases.models import Case, OutboxMessage, Source
from onestop.contacts.models import Channel, Contact
from onestop.core import audit
from onestop.core.models import AuditRecord, Organisation, User
from onestop.customers.models import Customer
from onestop.portal import services
from onestop.portal.models import WebForm
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.cases.conftest import World
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
    assert OutboxMessage.objects.for_organisation(world.organisation).filter(case=case).count() == 1
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
    ({"description": "x" * 5001}, "id_description", "“Details (optional)” must be 5000"),
    ({"given_name": "S" * 101}, "id_given_name", "“First name” must be 100 characters or fewer"),
    ({"email": "a" * 250 + "@example.com"}, "id_email", "“Email address” must be 254"),
    ({"title": "Bin\x00"}, "id_title", "Remove the special characters from “What is the problem”"),
    ({"description": "A\x1b[2J"}, "id_description", "characters from “Details (optional)”"),
    ({"attribute_where": "x\x00"}, "id_attribute_where", "characters from “Where is the bin”"),
    ({"attribute_collection-day": "31/02"}, "id_attribute_collection-day", "Enter a valid date"),
    ({"attribute_bags": "lots"}, "id_attribute_bags", "Enter a number"),
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
    assert OutboxMessage.objects.for_organisation(world.organisation).count() == 0


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


def test_the_desks_possible_duplicates_can_find_the_new_record(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    client.post(FORM, _data())
    customer = Customer.objects.for_organisation(world.organisation).get()
    assert customer.display_name == "Sam Resident"
    assert audit.verify()[0].broken is None
    assert core_factories is not None


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
    assert "characters from “Where exactly (optional)”" in hostile_where.content.decode()
    assert "“Where exactly (optional)” must be 200" in long_where.content.decode()
    assert counts(world.organisation) == NOTHING
    assert client.post(path, {**data, "attribute_full": "yes"}).status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    assert case.description == "Where: By the <b>shop</b>"
    assert case.attributes == {"full": "yes"}

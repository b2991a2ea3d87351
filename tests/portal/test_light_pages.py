"""The residents' light pages (the root, privacy, cookies, the report list, the complaints
route's start) read the organisation's row through a statement built once (``core.prepared``),
and a resident's GET keeps it for ``ONESTOP_PUBLIC_CACHE_SECONDS`` (``core.public_rows``):
every change made through OneStop shows on the next visit; a change made behind its back (SQL
on the database) within those seconds, at once when they are 0; what a resident sends (a POST)
is checked against the row as it is now.  The cookies list is made once per language and
settings, and follows either when it changes."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from onestop.core import language, public_rows
from onestop.core.models import Organisation, OrganisationType
from onestop.core.prepared import MARKER
from onestop.directory import services as directory
from onestop.portal import queries
from tests import factories

TAGS = re.compile(r"<[^>]+>")
LIGHT_PAGES = (
    "/o/vale/privacy/",
    "/o/vale/cookies/",
    "/report/vale/",
    "/feedback/o/vale/",
    "/o/vale/",
    "/o/vale/contact/",
    "/o/vale/accessibility/",
)


def _text(html: str) -> str:
    return " ".join(unescape(TAGS.sub(" ", html)).split())


@pytest.fixture
def vale(db: None) -> Organisation:
    return factories.organisation(
        slug="vale", name="Vale Council", type=OrganisationType.DISTRICT_COUNCIL
    )


def _fields(organisation: Organisation) -> dict[str, object]:
    return {
        field.attname: getattr(organisation, field.attname)
        for field in Organisation._meta.concrete_fields
    }


def test_the_prepared_read_answers_as_the_orm_read_does(vale: Organisation) -> None:
    factories.organisation(slug="closed", name="Closed Council", is_active=False)

    found = language.active_organisation("vale")

    expected = Organisation.objects.get(slug="vale")
    assert found is not None
    assert _fields(found) == _fields(expected)
    assert (found._state.adding, found._state.db) == (False, "default")
    assert found.get_deferred_fields() == set()
    assert language.active_organisation("closed") is None  # not active
    assert language.active_organisation("nowhere") is None
    assert language.active_organisation("vale" + "x" * 70) is None
    assert language.active_organisation(MARKER) is None  # the marker is only a parameter


def test_a_slug_is_read_to_its_first_60_characters_as_before(db: None) -> None:
    long_slug = "a" * 60
    factories.organisation(slug=long_slug, name="Long Council")

    found = language.active_organisation(long_slug + "-and-more")

    assert found is not None
    assert found.name == "Long Council"


@pytest.mark.parametrize("page", LIGHT_PAGES)
def test_every_change_to_the_organisation_shows_on_the_next_visit(
    client: Client, vale: Organisation, page: str
) -> None:
    assert "Vale Council" in _text(client.get(page).content.decode())

    directory.update_organisation(
        vale,
        by=None,
        name="Vale of Glamorgan Council",
        type=vale.type,
        nation=vale.nation,
        branding_text="",
    )
    assert "Vale of Glamorgan Council" in _text(client.get(page).content.decode())

    vale.is_active = False
    vale.save()
    assert client.get(page).status_code == 404

    vale.is_active = True
    vale.save()
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", LIGHT_PAGES)
def test_with_no_seconds_kept_even_sql_behind_onestops_back_shows_at_once(
    client: Client, vale: Organisation, page: str
) -> None:
    with override_settings(ONESTOP_PUBLIC_CACHE_SECONDS=0):
        assert "Vale Council" in _text(client.get(page).content.decode())

        Organisation.objects.filter(pk=vale.pk).update(name="Bro Morgannwg")
        text = _text(client.get(page).content.decode())
        assert "Bro Morgannwg" in text
        assert "Vale Council" not in text

        Organisation.objects.filter(pk=vale.pk).update(is_active=False)
        assert client.get(page).status_code == 404

        Organisation.objects.filter(pk=vale.pk).update(is_active=True)
        assert client.get(page).status_code == 200


def test_sql_behind_onestops_back_shows_once_the_seconds_are_over(
    client: Client, vale: Organisation
) -> None:
    with override_settings(ONESTOP_PUBLIC_CACHE_SECONDS=1):
        client.get("/o/vale/privacy/")
        Organisation.objects.filter(pk=vale.pk).update(name="Bro Morgannwg")

        kept = _text(client.get("/o/vale/privacy/").content.decode())
        time.sleep(1.2)
        later = _text(client.get("/o/vale/privacy/").content.decode())

    assert "Vale Council" in kept
    assert "Bro Morgannwg" not in kept
    assert "Bro Morgannwg" in later


def test_what_a_resident_sends_is_checked_against_the_row_as_it_is_now(
    client: Client, vale: Organisation
) -> None:
    assert client.get("/feedback/o/vale/").status_code == 200
    Organisation.objects.filter(pk=vale.pk).update(is_active=False)

    assert client.get("/feedback/o/vale/").status_code == 200  # kept for a few seconds
    assert client.post("/feedback/o/vale/kind/", {"kind": "complaint"}).status_code == 404


def test_an_address_naming_no_organisation_keeps_nothing(client: Client, db: None) -> None:
    assert client.get("/o/nowhere/privacy/").status_code == 404
    assert cache.get(public_rows.ROW_KEY.format(slug="nowhere")) is None

    factories.organisation(slug="nowhere", name="Nowhere Council")
    assert client.get("/o/nowhere/privacy/").status_code == 200


def test_offering_welsh_shows_the_toggle_on_the_next_visit(
    client: Client, vale: Organisation
) -> None:
    english = client.get("/o/vale/privacy/?lang=cy")
    assert english["Content-Language"] == "en-gb"  # not offered: English whatever is asked

    vale.offers_welsh = True
    vale.save()
    welsh = client.get("/o/vale/privacy/?lang=cy")

    assert welsh["Content-Language"] == "cy"
    assert "Hysbysiad preifatrwydd" in _text(welsh.content.decode())


def test_a_light_page_visited_again_reads_nothing(client: Client, vale: Organisation) -> None:
    client.get("/o/vale/privacy/")

    with CaptureQueriesContext(connection) as read:
        response = client.get("/o/vale/privacy/")
    with (
        override_settings(ONESTOP_PUBLIC_CACHE_SECONDS=0),
        CaptureQueriesContext(connection) as fresh,
    ):
        client.get("/o/vale/privacy/")

    assert response.status_code == 200
    assert len(read) == 0
    assert len(fresh) == 1
    assert "core_organisation" in fresh[0]["sql"]


def test_the_root_lists_the_active_sites_as_they_are_now(client: Client, db: None) -> None:
    with override_settings(ONESTOP_PUBLIC_ORGANISATION=""):
        factories.organisation(slug="vale", name="Vale Council")
        hill = factories.organisation(slug="hill", name="Hill Council")

        first = _text(client.get("/").content.decode())
        assert first.index("Hill Council") < first.index("Vale Council")

        directory.create_organisation(
            by=None, slug="able", name="Able Housing", type="housing-association", nation="wales"
        )
        hill.is_active = False
        hill.save()
        second = _text(client.get("/").content.decode())

    assert "Able Housing" in second
    assert "Hill Council" not in second
    assert second.index("Able Housing") < second.index("Vale Council")
    sites = queries.public_sites()
    assert [site.slug for site in sites] == ["able", "vale"]
    assert sites[0].get_deferred_fields() >= {"branding_text", "public_version"}


def test_the_cookies_list_follows_the_settings_and_the_language(
    client: Client, vale: Organisation
) -> None:
    Organisation.objects.filter(pk=vale.pk).update(offers_welsh=True)
    assert "after 30 minutes without activity" in client.get("/o/vale/cookies/").content.decode()

    with override_settings(SESSION_COOKIE_AGE=45 * 60, LANGUAGE_COOKIE_AGE=None):
        changed = client.get("/o/vale/cookies/").content.decode()
    welsh = _text(client.get("/o/vale/cookies/?lang=cy").content.decode())
    again = client.get("/o/vale/cookies/?lang=en").content.decode()

    assert "after 45 minutes without activity" in changed
    assert "After 365 days" not in changed
    assert "after 30 minutes without activity" in again
    assert "After 365 days" in again
    assert "after 30 minutes without activity" not in welsh
    assert "Cwcis" in welsh


def test_a_resident_with_a_session_reads_nothing_on_a_light_page(
    client: Client, vale: Organisation
) -> None:
    """Once a resident has a session (a form's answers, "Your requests"), the pages that use
    nothing of it still read nothing: not the session, not who is signed in."""
    session = client.session
    session["onestop_report_answers"] = {"kept": True}
    session.save()
    client.get("/o/vale/privacy/")

    with CaptureQueriesContext(connection) as read:
        privacy = client.get("/o/vale/privacy/")
        missing = client.get("/o/vale/no-such-page/")

    assert (privacy.status_code, missing.status_code) == (200, 404)
    assert len(read) == 0
    assert "Cache-Control" not in privacy or "no-store" not in privacy["Cache-Control"]

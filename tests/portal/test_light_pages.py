"""The residents' light pages (the root, privacy, cookies, the report list, the complaints
route's start) read the organisation's row afresh on every visit, through a statement built
once (``core.prepared``): whatever changes the row, however it is changed, the next visit shows
it; nothing of the row is kept between requests.  The cookies list is made once per language
and settings, and follows either when it changes."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from onestop.core import language
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

    # Even a change that moves no version (SQL run on the database) is seen at once: the row
    # is read on every visit, only the statement is kept.
    Organisation.objects.filter(pk=vale.pk).update(name="Bro Morgannwg")
    text = _text(client.get(page).content.decode())
    assert "Bro Morgannwg" in text
    assert "Vale of Glamorgan Council" not in text

    Organisation.objects.filter(pk=vale.pk).update(is_active=False)
    assert client.get(page).status_code == 404

    Organisation.objects.filter(pk=vale.pk).update(is_active=True)
    assert client.get(page).status_code == 200


def test_offering_welsh_shows_the_toggle_on_the_next_visit(
    client: Client, vale: Organisation
) -> None:
    english = client.get("/o/vale/privacy/?lang=cy")
    assert english["Content-Language"] == "en-gb"  # not offered: English whatever is asked

    Organisation.objects.filter(pk=vale.pk).update(offers_welsh=True)
    welsh = client.get("/o/vale/privacy/?lang=cy")

    assert welsh["Content-Language"] == "cy"
    assert "Hysbysiad preifatrwydd" in _text(welsh.content.decode())


def test_a_light_page_reads_one_row_in_one_statement(client: Client, vale: Organisation) -> None:
    client.get("/o/vale/privacy/")

    with CaptureQueriesContext(connection) as read:
        response = client.get("/o/vale/privacy/")

    assert response.status_code == 200
    assert len(read) == 1
    assert "core_organisation" in read[0]["sql"]


def test_the_root_lists_the_active_sites_as_they_are_now(client: Client, db: None) -> None:
    with override_settings(ONESTOP_PUBLIC_ORGANISATION=""):
        factories.organisation(slug="vale", name="Vale Council")
        hill = factories.organisation(slug="hill", name="Hill Council")

        first = _text(client.get("/").content.decode())
        assert first.index("Hill Council") < first.index("Vale Council")

        directory.create_organisation(
            by=None, slug="able", name="Able Housing", type="housing-association", nation="wales"
        )
        Organisation.objects.filter(pk=hill.pk).update(is_active=False)
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

"""A form's search keywords: the other words residents use for it ("rubbish" for a missed bin),
in English and in Welsh, set by the staff who publish it, searched with its name on the
residents' list (never shown there), read from the cache the list keeps, and refused when they
are too long or are not words."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from onestop.portal import services
from onestop.portal.errors import PortalError
from onestop.portal.models import WebForm
from tests.cases.conftest import World

ClientFor = Callable[[User], Client]
INDEX = "/report/test-council/"
WORDS = services.WebFormWords(
    keywords="rubbish, refuse, wheelie bin",
    keywords_cy="sbwriel, bin olwynion",
)


def _edit(world: World) -> str:
    return f"/report-forms/{world.missed_bin.pk}/"


def _publish(world: World, words: services.WebFormWords = WORDS) -> WebForm:
    return services.save_web_form(
        world.missed_bin, by=None, is_published=True, guidance="", position=10, words=words
    )


def _found(client: Client, search: str, language: str = "en") -> list[str]:
    response = client.get(INDEX, {"q": search, "lang": language})
    assert response.status_code == 200
    return re.findall(r'href="/report/test-council/([a-z-]+)/"', response.content.decode())


def _welsh(world: World) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("rubbish", ["missed-bin"]),
        ("RUBBISH", ["missed-bin"]),
        ("refuse", ["missed-bin"]),
        ("wheelie bin", ["missed-bin"]),
        ("wheelie bins", ["missed-bin"]),  # a plural finds its singular
        ("rubbish bin", ["missed-bin"]),  # every word, from the keywords or the name
        ("sbwriel", ["missed-bin"]),  # the Welsh keywords on the English page too
        ("rubbish tip", []),
        ("<script>rubbish</script>", []),
    ],
)
def test_the_search_finds_a_form_by_its_keywords(
    world: World, client: Client, search: str, found: list[str]
) -> None:
    _publish(world)
    assert _found(client, search) == found


def test_without_keywords_rubbish_finds_nothing(world: World, client: Client) -> None:
    _publish(world, services.WebFormWords())
    assert _found(client, "rubbish") == []
    assert _found(client, "bin") == ["missed-bin"]


@pytest.mark.parametrize(
    ("search", "found"),
    [("sbwriel", ["missed-bin"]), ("bin olwynion", ["missed-bin"]), ("rubbish", ["missed-bin"])],
)
def test_a_welsh_page_finds_a_form_by_its_welsh_and_english_keywords(
    world: World, client: Client, search: str, found: list[str]
) -> None:
    _welsh(world)
    _publish(world)
    assert _found(client, search, "cy") == found


def test_keywords_are_never_shown_to_residents(world: World, client: Client) -> None:
    _publish(world)
    html = client.get(INDEX).content.decode() + client.get(INDEX, {"q": "rubbish"}).content.decode()
    assert "wheelie bin" not in html
    assert "sbwriel" not in html


def test_a_search_visited_again_reads_the_forms_from_the_cache(
    world: World, client: Client
) -> None:
    _publish(world)
    assert _found(client, "rubbish") == ["missed-bin"]
    with CaptureQueriesContext(connection) as again:
        assert _found(client, "refuse") == ["missed-bin"]
    assert not [query for query in again.captured_queries if "portal_webform" in query["sql"]]


def test_changed_keywords_are_searched_at_once(world: World, client: Client) -> None:
    _publish(world)
    assert _found(client, "rubbish") == ["missed-bin"]
    _publish(world, services.WebFormWords(keywords="dustbin"))
    assert _found(client, "rubbish") == []
    assert _found(client, "dustbin") == ["missed-bin"]


# --- staff ---------------------------------------------------------------------------------------
def _form(**changes: str) -> dict[str, str]:
    data = {"is_published": "on", "guidance": "", "position": "10"}
    data.update(changes)
    return data


def test_staff_who_publish_a_form_set_its_keywords_in_english_and_welsh(
    world: World, administrator: User, client_for: ClientFor, client: Client
) -> None:
    staff = client_for(administrator)
    response = staff.post(
        _edit(world),
        _form(keywords=" Rubbish,refuse\n rubbish ;  wheelie   bin ", keywords_cy="sbwriel, ŵyn"),
    )
    assert response.status_code == 302
    web_form = WebForm.objects.for_organisation(world.organisation).get()
    assert (web_form.keywords, web_form.keywords_cy) == (
        "Rubbish, refuse, wheelie bin",
        "sbwriel, ŵyn",
    )
    html = staff.get(_edit(world)).content.decode()
    assert 'value="Rubbish, refuse, wheelie bin"' in html
    assert re.search(r'<input type="text" name="keywords_cy"[^>]*lang="cy"', html)
    record = AuditRecord.objects.for_organisation(world.organisation).get(
        object_type="portal.webform"
    )
    assert record.changes["keywords"] == "Rubbish, refuse, wheelie bin"
    assert _found(client, "rubbish") == ["missed-bin"]


HOSTILE = [
    ({"keywords": "rubbish, " * 60}, "“Search keywords” must be 500 characters or fewer"),
    ({"keywords_cy": "x" * 501}, "“Search keywords in Welsh” must be 500 characters or fewer"),
    ({"keywords": "<script>alert(1)</script>"}, "Search keywords must only include letters"),
    ({"keywords": "rubbish, bin\"><img src=x>"}, "Search keywords must only include letters"),
    ({"keywords": "rubbish, %s"}, "Search keywords must only include letters"),
    ({"keywords_cy": "sbwriel\x00"}, "Remove the special characters"),
    ({"keywords": "bin\u202e"}, "Remove the special characters"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
def test_hostile_keywords_get_a_clear_error_and_nothing_is_saved(
    world: World,
    administrator: User,
    client_for: ClientFor,
    changes: dict[str, str],
    message: str,
) -> None:
    response = client_for(administrator).post(_edit(world), _form(**changes))

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in html
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x>" not in html
    assert WebForm.objects.for_organisation(world.organisation).count() == 0


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("", ""),
        (" , ,\n", ""),
        ("Dog's mess, fly-tipping, dog’s mess", "Dog's mess, fly-tipping, dog’s mess"),
        ("bin, BIN, Bin", "bin"),
        ("dŵr yn gollwng; ŷd", "dŵr yn gollwng, ŷd"),
    ],
)
def test_the_service_keeps_each_keyword_once_in_the_order_typed(typed: str, kept: str) -> None:
    assert services.clean_keywords(typed, label="Search keywords", field_name="keywords") == kept


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("x" * 501, PortalError.TOO_LONG),
        ("bin\x07", PortalError.CONTROL_CHARACTERS),
        ("<b>bin</b>", PortalError.INVALID_KEYWORDS),
        ("bin_day", PortalError.INVALID_KEYWORDS),
        ("- bin", PortalError.INVALID_KEYWORDS),
        ("bin -- day", PortalError.INVALID_KEYWORDS),
    ],
)
def test_the_service_refuses_what_is_not_keywords(typed: str, code: PortalError) -> None:
    with pytest.raises(ServiceError) as refused:
        services.clean_keywords(typed, label="Search keywords", field_name="keywords")
    assert (refused.value.code, refused.value.field) == (code, "keywords")

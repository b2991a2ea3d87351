"""The staff page that publishes case types online: the permission matrix, publishing and
unpublishing, and hostile input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from onestop.core.models import AuditRecord, User
from onestop.portal.models import WebForm
from tests.cases.conftest import World
from tests.matrix import covers

ClientFor = Callable[[User], Client]
LIST = "/report-forms/"


def _edit(world: World) -> str:
    return f"/report-forms/{world.missed_bin.pk}/"


def _form(**changes: str) -> dict[str, str]:
    data = {"is_published": "on", "guidance": "Leave the bin out.", "position": "10"}
    data.update(changes)
    return data


def _web_forms(world: World) -> int:
    return WebForm.objects.for_organisation(world.organisation).count()


@covers("portal:web-forms", "portal:web-form-edit")
def test_anonymous_people_are_sent_to_sign_in(world: World, client: Client) -> None:
    for path in (LIST, _edit(world)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")
    assert client.post(_edit(world), _form()).status_code == 302
    assert _web_forms(world) == 0


def test_an_advisor_may_not(world: World, advisor: User, client_for: ClientFor) -> None:
    client = client_for(advisor)
    assert client.get(LIST).status_code == 403
    assert client.get(_edit(world)).status_code == 403
    assert client.post(_edit(world), _form()).status_code == 403
    assert _web_forms(world) == 0


def test_a_partner_administrator_gets_404_for_the_councils_types(
    world: World, partner_administrator: User, client_for: ClientFor
) -> None:
    client = client_for(partner_administrator)
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "Missed bin" not in listing.content.decode()
    assert client.get(_edit(world)).status_code == 404
    assert client.post(_edit(world), _form()).status_code == 404
    assert _web_forms(world) == 0


def test_an_administrator_publishes_and_unpublishes(
    world: World, administrator: User, client_for: ClientFor, client: Client
) -> None:
    staff = client_for(administrator)
    listing = staff.get(LIST)
    assert listing.status_code == 200
    assert f'href="{_edit(world)}"' in listing.content.decode()
    assert f'href="/report-forms/{world.councillor_enquiry.pk}/"' not in listing.content.decode()
    assert staff.get(_edit(world)).status_code == 200

    response = staff.post(_edit(world), _form())

    assert response.status_code == 302
    assert response["Location"] == LIST
    web_form = WebForm.objects.for_organisation(world.organisation).get()
    assert (web_form.is_published, web_form.guidance, web_form.position) == (
        True,
        "Leave the bin out.",
        10,
    )
    assert client.get("/report/test-council/missed-bin/").status_code == 200
    assert "Published" in staff.get(LIST).content.decode()

    assert staff.post(_edit(world), _form(is_published="")).status_code == 302
    web_form.refresh_from_db()
    assert web_form.is_published is False
    assert client.get("/report/test-council/missed-bin/").status_code == 404
    records = AuditRecord.objects.for_organisation(world.organisation).filter(
        object_type="portal.webform", actor=administrator
    )
    assert records.count() == 2


def test_the_edit_page_shows_the_saved_values(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    staff = client_for(administrator)
    staff.post(_edit(world), _form(guidance="Say <b>where</b>", position="7"))
    html = staff.get(_edit(world)).content.decode()
    assert "Say &lt;b&gt;where&lt;/b&gt;</textarea>" in html
    assert 'value="7"' in html
    assert "checked" in html


HOSTILE = [
    ({"guidance": "x" * 2001}, "“Guidance for residents” must be 2000"),
    ({"guidance": "Hello\x00"}, "Remove the special characters"),
    ({"guidance": "Hello\x1b[31m"}, "Remove the special characters"),
    ({"position": "0"}, "Position in the list must be 1 or more"),
    ({"position": "1000"}, "Position in the list must be 999 or less"),
    ({"position": "1; DROP TABLE portal_webform"}, "Position in the list must be a whole number"),
    ({"position": ""}, "Enter position in the list"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
def test_hostile_input_gets_a_clear_error_and_saves_nothing(
    world: World,
    administrator: User,
    client_for: ClientFor,
    changes: dict[str, str],
    message: str,
) -> None:
    response = client_for(administrator).post(_edit(world), _form(**changes))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert message in html
    assert _web_forms(world) == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/x-www-form-urlencoded"),
        (b"garbage", "multipart/form-data; boundary=xyz"),
        (b"guidance=%E2%80%AE&position=1", "application/x-www-form-urlencoded"),
    ],
    ids=["empty", "broken-multipart", "bidi-override"],
)
def test_an_empty_or_broken_post_shows_the_error_summary_and_saves_nothing(
    world: World, administrator: User, client_for: ClientFor, body: bytes, content_type: str
) -> None:
    client = client_for(administrator)
    response = client.generic("POST", _edit(world), body, content_type=content_type)

    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert _web_forms(world) == 0


def test_a_councillor_enquiry_cannot_be_published_from_its_page(
    world: World, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        f"/report-forms/{world.councillor_enquiry.pk}/", _form()
    )
    assert response.status_code == 400
    assert "cannot be reported online" in response.content.decode()
    assert _web_forms(world) == 0


@pytest.mark.parametrize(
    "path", ["/report-forms/999999/", "/report-forms/abc/", "/report-forms/-1/"]
)
def test_unknown_ids_are_404(
    world: World, administrator: User, client_for: ClientFor, path: str
) -> None:
    assert client_for(administrator).get(path).status_code == 404

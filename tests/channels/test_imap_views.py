"""The IMAP settings page of a mailbox (/mailboxes/<id>/imap/) and the mailbox list's status:
who may see and change them, bad and hostile input refused with nothing saved (and a secret
typed by mistake never shown again), changes audited, a failing mailbox shown with its error."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onestop.channels.errors import ChannelError
from onestop.channels.models import ImapStatus, Mailbox, MailboxImap
from onestop.channels.services import imap as imap_services
from onestop.core.errors import ServiceErrors
from onestop.core.models import AuditRecord, User
from tests.channels.certificates import make_certificate
from tests.channels.conftest import MailWorld
from tests.matrix import covers

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]


def _url(mailbox: Mailbox) -> str:
    return f"/mailboxes/{mailbox.pk}/imap/"


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "is_enabled": "on",
        "host": "Outlook.Office365.com",
        "port": "993",
        "security": "tls",
        "folder": "INBOX",
        "processed_folder": "OneStop/Processed",
        "username": "enquiries@test-council.example",
        "credential": "microsoft",
        "secret": "env:ONESTOP_IMAP_TEST_COUNCIL__ENQUIRIES",
        "tenant": "test-council.onmicrosoft.com",
        "client_id": "0f3c7b9e-1111-2222-3333-444455556666",
        "certificate_thumbprint": "",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _sources(mail_world: MailWorld) -> list[MailboxImap]:
    return list(MailboxImap.objects.for_organisation(mail_world.world.organisation))


@pytest.mark.parametrize("who", ["advisor", "team_leader", "auditor", "partner_advisor"])
@covers("channels:mailbox-imap")
def test_roles_without_the_permission_cannot_see_or_change_it(
    mail_world: MailWorld, client_for: ClientFor, request: pytest.FixtureRequest, who: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    expected = 404 if who == "partner_advisor" else 403
    assert client.get(_url(mail_world.enquiries)).status_code == expected
    assert client.post(_url(mail_world.enquiries), _form()).status_code == expected
    assert _sources(mail_world) == []


def test_signed_out_visitors_are_sent_to_sign_in(mail_world: MailWorld) -> None:
    response = Client().get(_url(mail_world.enquiries))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_another_organisations_mailbox_is_not_found(
    mail_world: MailWorld, partner_administrator: User, client_for: ClientFor
) -> None:
    client = client_for(partner_administrator)
    assert client.get(_url(mail_world.enquiries)).status_code == 404
    assert client.post(_url(mail_world.enquiries), _form()).status_code == 404
    assert _sources(mail_world) == []


def test_an_administrator_sets_up_microsoft_365_reading_audited(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    page = client.get(_url(mail_world.enquiries)).content.decode()
    assert 'value="enquiries@test-council.example"' in page  # the user name suggested
    assert "env:ONESTOP_IMAP_TEST_COUNCIL__NAME" in page  # where this organisation's secrets go
    response = client.post(_url(mail_world.enquiries), _form())
    assert response.status_code == 302
    assert response["Location"] == "/mailboxes/"
    [source] = _sources(mail_world)
    assert (source.host, source.port, source.credential) == (
        "outlook.office365.com",
        993,
        "microsoft",
    )
    assert (source.secret, source.tenant) == (
        "env:ONESTOP_IMAP_TEST_COUNCIL__ENQUIRIES",
        "test-council.onmicrosoft.com",
    )
    assert source.mailbox_id == mail_world.enquiries.pk
    record = AuditRecord.objects.for_organisation(mail_world.world.organisation).get(
        object_type="channels.mailboximap", action="created"
    )
    assert record.actor_id == administrator.pk
    assert record.changes["host"] == "outlook.office365.com"
    # Changed: audited with what changed; a new folder starts the reading again.
    MailboxImap.objects.for_organisation(source.organisation_id).update(last_uid=40, uidvalidity=7)
    response = client.post(_url(mail_world.enquiries), _form(folder="Council"))
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.folder, source.last_uid, source.uidvalidity) == ("Council", 0, None)
    changed = AuditRecord.objects.for_organisation(mail_world.world.organisation).get(
        object_type="channels.mailboximap", action="changed"
    )
    assert changed.changes == {"folder": ["INBOX", "Council"]}


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"host": ""}, "host", "Enter the server"),
        ({"host": "imap..example"}, "host", "Enter the server"),
        ({"host": "<script>alert(1)</script>"}, "host", "Enter the server"),
        ({"host": "a" * 300}, "host", "253"),
        ({"port": "0"}, "port", "between 1 and 65535"),
        ({"port": "99999"}, "port", "between 1 and 65535"),
        ({"port": "993; DROP TABLE x"}, "port", "as a number"),
        ({"security": "none"}, "security", "Select how the connection is encrypted"),
        ({"folder": ""}, "folder", "Enter the folder"),
        ({"folder": 'In"box'}, "folder", "quotes"),
        ({"folder": "In\u202ebox"}, "folder", ""),
        ({"processed_folder": "INBOX"}, "processed_folder", "must not be the folder"),
        ({"processed_folder": "Traité"}, "processed_folder", "only letters A to Z"),
        ({"username": "gwastraff@cyngor.cymru\u00e2"}, "username", "Enter the user name"),
        ({"username": ""}, "username", "Enter the user name"),
        ({"credential": "kerberos"}, "credential", "Select how OneStop signs in"),
        ({"tenant": ""}, "tenant", "tenant"),
        ({"client_id": "' OR 1=1 --"}, "client_id", "client"),
        (
            {"certificate_thumbprint": "xyz"},
            "certificate_thumbprint",
            "40 hexadecimal characters (SHA-1) or 64 (SHA-256)",
        ),
        ({"secret": ""}, "secret", "in /etc/onestop/imap/test-council/</a>"),
    ],
)
def test_bad_and_hostile_input_is_refused_and_nothing_saved(
    mail_world: MailWorld,
    administrator: User,
    client_for: ClientFor,
    overrides: dict[str, Any],
    field: str,
    words: str,
) -> None:
    response = client_for(administrator).post(_url(mail_world.enquiries), _form(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert f'href="#id_{field}"' in page
    assert words in page
    assert "<script>alert(1)</script>" not in page
    assert _sources(mail_world) == []


@pytest.mark.parametrize(
    "typed",
    [
        "Sup3r-Secret-Passw0rd!",
        "env:NOT VALID",
        "file:../etc/shadow",
        "x" * 420,
        "env:ONESTOP_SECRET_KEY",  # the platform's: sent to a server the form names
        "env:ONESTOP_IMAP_TEST_HOUSING__M365",  # another organisation's
        "file:/etc/onestop/imap/test-housing/key.json",
    ],
)
def test_a_secret_typed_in_place_of_its_location_is_refused_and_not_shown_again(
    mail_world: MailWorld, administrator: User, client_for: ClientFor, typed: str
) -> None:
    response = client_for(administrator).post(
        _url(mail_world.enquiries), _form(secret=typed, host="imap.example.org")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter where the secret is kept" in page
    assert typed not in page
    assert 'value="imap.example.org"' in page  # everything else typed is kept
    assert _sources(mail_world) == []


def test_an_oversized_secret_location_is_refused(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        _url(mail_world.enquiries), _form(secret="file:/" + "a" * 2000)
    )
    assert response.status_code == 400
    assert _sources(mail_world) == []


def test_the_list_shows_a_failing_mailbox_with_its_error(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    source = imap_services.save_imap(
        mail_world.world.organisation,
        by=administrator,
        mailbox=mail_world.enquiries,
        values=imap_services.ImapInput(
            host="imap.example.org",
            port=993,
            security="tls",
            folder="INBOX",
            processed_folder="",
            username="enquiries",
            credential="password",
            secret="env:ONESTOP_IMAP_TEST_COUNCIL__ENQUIRIES",
        ),
    )
    page = client_for(administrator).get("/mailboxes/").content.decode()
    assert "From imap.example.org, not read yet" in page
    MailboxImap.objects.for_organisation(source.organisation_id).update(
        status=ImapStatus.FAILING,
        last_error="The server refused the sign-in of enquiries: <b>AUTHENTICATIONFAILED</b>",
        next_poll_at=timezone.now() + datetime.timedelta(minutes=4),
    )
    page = client_for(administrator).get("/mailboxes/").content.decode()
    assert "govuk-tag--red" in page
    assert "Failing" in page
    assert "&lt;b&gt;AUTHENTICATIONFAILED&lt;/b&gt;" in page
    assert "Next try: " in page
    assert f'href="/mailboxes/{mail_world.enquiries.pk}/imap/"' in page


def test_an_administrator_names_a_pfx_certificate_and_sees_a_wrong_password_said_so(
    mail_world: MailWorld,
    administrator: User,
    client_for: ClientFor,
    tmp_path: Path,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.ONESTOP_IMAP_SECRETS_DIR = str(tmp_path)
    (tmp_path / "test-council").mkdir()
    made = make_certificate()
    pfx = made.write_pfx(tmp_path / "test-council" / "m365.pfx", b"right horse battery")
    monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__PFX_PASSWORD", "wrong")
    client = client_for(administrator)
    posted = _form(secret="env:ONESTOP_IMAP_TEST_COUNCIL__PFX_PASSWORD", certificate=f"file:{pfx}")
    response = client.post(_url(mail_world.enquiries), posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#id_secret"' in page
    assert f"The password is wrong for the certificate file {pfx}" in page
    assert f'value="file:{pfx}"' in page  # what was typed is kept
    assert _sources(mail_world) == []
    # The right password: saved, with the thumbprint worked out from the certificate.
    monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__PFX_PASSWORD", "right horse battery")
    response = client.post(_url(mail_world.enquiries), posted)
    assert response.status_code == 302
    [source] = _sources(mail_world)
    assert (source.certificate, source.certificate_thumbprint) == (f"file:{pfx}", made.sha1)
    assert source.secret == "env:ONESTOP_IMAP_TEST_COUNCIL__PFX_PASSWORD"
    page = client.get(_url(mail_world.enquiries)).content.decode()
    assert made.sha1 in page


def _summary(page: str) -> list[tuple[str, str]]:
    """The error summary's entries: (the field linked, the message)."""
    body = page.split('govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li><a href="#id_([a-z_]+)">([^<]*)</a></li>', body)


def test_every_problem_is_reported_at_once_each_linked_to_its_field_and_nothing_saved(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    audited = AuditRecord.objects.for_organisation(mail_world.world.organisation).count()
    response = client.post(
        _url(mail_world.enquiries),
        _form(
            host="not a host!",  # the service's check
            port="",  # the form's own
            folder="In*box",  # the service's
            processed_folder="OneStop/Processed",
            username="enquiries@test-council.example",
            secret="",  # the service's
            tenant="",  # the service's (Microsoft 365)
            client_id="bad id",  # the service's
        ),
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert _summary(page) == [
        ("host", "Enter the server's name, like outlook.office365.com"),
        ("port", "Enter the port, usually 993"),
        ("folder", "The folder name must not contain control characters, quotes, \\, * or %"),
        (
            "secret",
            "Enter where the secret is kept: env:ONESTOP_IMAP_TEST_COUNCIL__NAME for an "
            "environment variable, or file: and the full path of a file in "
            "/etc/onestop/imap/test-council/",
        ),
        ("tenant", "Enter the Microsoft Entra tenant ID or domain, like council.onmicrosoft.com"),
        ("client_id", "Enter the application (client) ID"),
    ]
    # Each field shows its own message, and what was typed is kept.
    assert page.count('class="govuk-error-message"') == 6
    assert 'value="not a host!"' in page
    assert 'value="In*box"' in page
    assert 'value="bad id"' in page
    assert _sources(mail_world) == []
    assert AuditRecord.objects.for_organisation(mail_world.world.organisation).count() == audited


def test_the_service_refuses_every_problem_at_once() -> None:
    values = imap_services.ImapInput(
        host="bad host",
        port=0,
        security="none",
        folder="INBOX",
        processed_folder="INBOX",
        username="",
        credential="password",
        secret="env:ONESTOP_IMAP_TEST_COUNCIL__PASSWORD",
    )
    with pytest.raises(ServiceErrors) as refused:
        imap_services.clean_imap(values, organisation="test-council")
    assert [(error.field, error.code) for error in refused.value.errors] == [
        ("host", ChannelError.INVALID_IMAP),
        ("port", ChannelError.INVALID_IMAP),
        ("security", ChannelError.INVALID_IMAP),
        ("processed_folder", ChannelError.INVALID_IMAP),
        ("username", ChannelError.INVALID_IMAP),
    ]
    assert refused.value.field == "host"

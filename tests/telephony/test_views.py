"""The call record pages at /calls/: who may use them (the permission matrix), the upload form
refusing bad input with nothing changed, the run's result with its refused rows, and mapping a
queue to a service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from onestop.contacts.models import Contact
from onestop.core.models import AuditAction, AuditRecord, User
from onestop.telephony import formats, services
from onestop.telephony.models import CallImportRun, CallQueue, CallRecord
from tests.matrix import covers
from tests.telephony.conftest import HEADER, CallWorld, csv_file, row

ClientFor = Callable[[User], Client]
IMPORT = "/calls/import/"
QUEUES = "/calls/queues/"
pytestmark = pytest.mark.django_db


def _upload(
    *rows: str, name: str = "calls.csv", content: bytes | None = None
) -> SimpleUploadedFile:
    body = content if content is not None else (HEADER + "".join(r + "\n" for r in rows)).encode()
    return SimpleUploadedFile(name, body, content_type="text/csv")


def _seeded(world: CallWorld) -> tuple[CallImportRun, CallQueue]:
    run = services.import_calls(
        world.organisation,
        csv_file(row("c1"), row("c2", outcome="lost")),
        by=None,
        file_name="seed.csv",
    )
    return run, CallQueue.objects.for_organisation(world.organisation).get()


def _state(world: CallWorld) -> tuple[int, int, list[tuple[int | None, int]]]:
    organisation = world.organisation
    return (
        CallRecord.objects.for_organisation(organisation).count(),
        CallImportRun.objects.for_organisation(organisation).count(),
        list(
            CallQueue.objects.for_organisation(organisation)
            .order_by("pk")
            .values_list("service_id", "access_point_id")
        ),
    )


def _refusal_downloads(world: CallWorld) -> int:
    return (
        AuditRecord.objects.for_organisation(world.organisation)
        .filter(
            action=AuditAction.EXPORTED,
            object_type="telephony.callimportrun",
        )
        .count()
    )


# --- the matrix -----------------------------------------------------------------------------------
PAGES = (
    "telephony:import",
    "telephony:run",
    "telephony:run-refusals",
    "telephony:queues",
    "telephony:queue-edit",
)


def _pages(run: CallImportRun, queue: CallQueue) -> tuple[str, ...]:
    """The addresses of ``PAGES`` for ``run`` and ``queue``."""
    return (
        IMPORT,
        f"/calls/imports/{run.pk}/",
        f"/calls/imports/{run.pk}/refused.csv",
        QUEUES,
        f"/calls/queues/{queue.pk}/",
    )


@covers(*PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(call_world: CallWorld) -> None:
    run, queue = _seeded(call_world)
    for url in _pages(run, queue):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("who", ["advisor", "team_leader", "auditor"])
@covers(*PAGES)
def test_roles_without_the_permission_get_403_and_change_nothing(
    call_world: CallWorld, client_for: ClientFor, request: pytest.FixtureRequest, who: str
) -> None:
    run, queue = _seeded(call_world)
    client = client_for(request.getfixturevalue(who))
    before = _state(call_world)
    exports_before = _refusal_downloads(call_world)
    for url in _pages(run, queue):
        assert client.get(url).status_code == 403, url
    assert _refusal_downloads(call_world) == exports_before
    assert (
        client.post(IMPORT, {"file": _upload(row("new")), "format": "onestop-calls-v1"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/calls/queues/{queue.pk}/",
            {"service": call_world.waste.pk, "access_point": call_world.telephone.pk},
        ).status_code
        == 403
    )
    assert _state(call_world) == before


@covers(*PAGES)
def test_another_organisations_runs_and_queues_are_not_found(
    call_world: CallWorld, partner_administrator: User, client_for: ClientFor
) -> None:
    run, queue = _seeded(call_world)
    client = client_for(partner_administrator)
    before = _state(call_world)
    assert client.get(f"/calls/imports/{run.pk}/").status_code == 404
    assert client.get(f"/calls/imports/{run.pk}/refused.csv").status_code == 404
    assert client.get("/calls/imports/999999999/refused.csv").status_code == 404
    assert _refusal_downloads(call_world) == 0
    assert (
        not AuditRecord.objects.for_organisation(partner_administrator.organisation_id or 0)
        .filter(action=AuditAction.EXPORTED)
        .exists()
    )
    assert client.get(f"/calls/queues/{queue.pk}/").status_code == 404
    assert (
        client.post(
            f"/calls/queues/{queue.pk}/", {"access_point": call_world.telephone.pk}
        ).status_code
        == 404
    )
    listed = client.get(QUEUES)
    assert listed.status_code == 200
    assert b"Waste" not in listed.content
    assert b"seed.csv" not in client.get(IMPORT).content
    # The partner's own upload lands in the partner's organisation, never the council's.
    response = client.post(IMPORT, {"file": _upload(row("p1")), "format": "onestop-calls-v1"})
    assert response.status_code == 302
    assert _state(call_world) == before


@covers("telephony:import", "telephony:run")
def test_an_administrator_uploads_a_file_and_sees_the_result(
    call_world: CallWorld, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    assert client.get(IMPORT).status_code == 200
    response = client.post(
        IMPORT,
        {
            "file": _upload(
                row("c1"), row("c2", outcome="lost"), row("c3", queue="<script>x</script>")
            ),
            "format": "onestop-calls-v1",
        },
    )
    assert response.status_code == 302
    run = CallImportRun.objects.for_organisation(call_world.organisation).get()
    assert response["Location"] == f"/calls/imports/{run.pk}/"
    assert (run.imported, run.refused, run.by, run.file_name) == (2, 1, administrator, "calls.csv")
    page = client.get(response["Location"]).content.decode()
    assert (
        "outcome &#x27;lost&#x27; is not one of answered, abandoned, voicemail, transferred" in page
    )
    assert ">3<" in page  # the refused row's line
    listing = client.get(IMPORT).content.decode()
    assert "calls.csv" in listing
    queues = client.get(QUEUES).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in queues
    assert "<script>x</script>" not in queues
    assert Contact.objects.for_organisation(call_world.organisation).count() == 2


@covers("telephony:run", "telephony:run-refusals")
def test_an_administrator_downloads_every_refused_row_past_those_shown(
    call_world: CallWorld,
    administrator: User,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = formats.check

    def check(raw: formats.RawCall, *args: object, **options: object) -> formats.Call:
        if raw.call_id == "formula":  # a reason quoting the file's hostile text
            raise formats.Invalid('=HYPERLINK("http://example.invalid","x")')
        return checked(raw, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(formats, "check", check)
    run = services.import_calls(
        call_world.organisation,
        csv_file(
            row("ok"),
            *[row(f"c{number}", outcome="lost") for number in range(250)],
            row("formula"),
        ),
        by=None,
        file_name="many.csv",
    )
    assert run.refused == 251
    client = client_for(administrator)
    page = client.get(f"/calls/imports/{run.pk}/").content.decode()
    assert page.count("is not one of answered") == 200
    assert f'href="/calls/imports/{run.pk}/refused.csv"' in page
    assert "Download all 251 refused rows (CSV: line number and reason)" in page

    response = client.get(f"/calls/imports/{run.pk}/refused.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="call-import-{run.pk}-refused.csv"'
    )
    lines = b"".join(response.streaming_content).decode().split("\r\n")  # type: ignore[attr-defined]
    assert len(lines) == 253  # the header, 251 rows, and the empty text after the last line end
    assert lines[0] == "line,reason"
    assert lines[1] == (
        "3,\"outcome 'lost' is not one of answered, abandoned, voicemail, transferred\""
    )
    assert lines[250] == (
        "252,\"outcome 'lost' is not one of answered, abandoned, voicemail, transferred\""
    )
    assert lines[251] == '253,"\'=HYPERLINK(""http://example.invalid"",""x"")"'
    assert lines[252] == ""
    (record,) = AuditRecord.objects.for_organisation(call_world.organisation).filter(
        action=AuditAction.EXPORTED
    )
    assert (record.actor, record.object_type, record.object_id) == (
        administrator,
        "telephony.callimportrun",
        str(run.pk),
    )
    assert record.changes == {"run": run.pk, "rows": 251}


def test_all_or_nothing_on_the_page(
    call_world: CallWorld, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        IMPORT,
        {
            "file": _upload(row("c1"), row("c2", outcome="lost")),
            "format": "onestop-calls-v1",
            "all_or_nothing": "on",
        },
    )
    assert response.status_code == 302
    run = CallImportRun.objects.for_organisation(call_world.organisation).get()
    assert (run.imported, run.refused) == (0, 1)
    assert not CallRecord.objects.for_organisation(call_world.organisation).exists()
    page = client_for(administrator).get(response["Location"]).content.decode()
    assert "nothing was imported" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"format": "onestop-calls-v1"}, "Select a file of call records"),
        ({"file": "upload", "format": "avaya"}, "Select the file&#x27;s format"),
        ({"file": "binary", "format": "onestop-calls-v1"}, "not UTF-8 text"),
        ({"file": "header", "format": "onestop-calls-v1"}, "the first line must be the header"),
        ({"file": "empty", "format": "onestop-calls-v1"}, "The selected file is empty"),
    ],
)
def test_a_refused_upload_changes_nothing(
    call_world: CallWorld,
    administrator: User,
    client_for: ClientFor,
    data: dict[str, str],
    message: str,
) -> None:
    files = {
        "upload": _upload(row("c1")),
        "binary": _upload(content=b"\x89PNG\r\n\x1a\n\xff\x00\x00"),
        "header": _upload(content=b"id,queue\nc1,Waste\n"),
        "empty": _upload(content=b""),
    }
    posted = {key: files[value] if key == "file" else value for key, value in data.items()}
    before = _state(call_world)
    response = client_for(administrator).post(IMPORT, posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    assert _state(call_world) == before


def test_an_oversized_upload_is_refused(
    call_world: CallWorld, administrator: User, client_for: ClientFor
) -> None:
    with override_settings(ONESTOP_CALLS_UPLOAD_MAX_BYTES=100):
        response = client_for(administrator).post(
            IMPORT,
            {"file": _upload(*[row(f"c{n}") for n in range(5)]), "format": "onestop-calls-v1"},
        )
    assert response.status_code == 400
    assert "import larger files with the onestop calls import command" in response.content.decode()
    assert _state(call_world)[:2] == (0, 0)


@pytest.mark.parametrize(
    ("rows", "all_or_nothing", "message"),
    [
        (
            [row("c1"), row("c2"), row("c3", outcome="lost")],
            False,
            "2 calls imported; 1 row was refused: see below",
        ),
        ([row("c1", outcome="lost")], False, "Nothing was imported: 1 row was refused: see below"),
        (
            [row("c1"), row("c2", outcome="lost"), row("c3", outcome="lost")],
            True,
            "Nothing was imported: 2 rows were refused, and the file was to be imported whole "
            "or not at all: see below",
        ),
        ([row("seeded")], False, "Nothing was imported: 1 call was already present"),
        ([], False, "Nothing was imported: the file holds no calls"),
    ],
)
def test_an_import_with_refused_rows_or_nothing_imported_is_not_a_success(
    call_world: CallWorld,
    administrator: User,
    client_for: ClientFor,
    rows: list[str],
    all_or_nothing: bool,
    message: str,
) -> None:
    services.import_calls(call_world.organisation, csv_file(row("seeded")), by=None)
    client = client_for(administrator)
    posted: dict[str, object] = {"file": _upload(*rows), "format": "onestop-calls-v1"}
    if all_or_nothing:
        posted["all_or_nothing"] = "on"
    response = client.post(IMPORT, posted, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<p class="govuk-notification-banner__heading">{message}</p>' in page
    assert "govuk-notification-banner--success" not in page
    assert ">Success<" not in page
    assert ">Important<" in page


def test_a_clean_import_is_a_success(
    call_world: CallWorld, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        IMPORT, {"file": _upload(row("c1")), "format": "onestop-calls-v1"}, follow=True
    )
    page = response.content.decode()
    assert "govuk-notification-banner--success" in page
    assert "Import finished: imported 1, already present 0, refused 0" in page


def test_a_missing_formats_folder_is_said_on_the_page(
    call_world: CallWorld, administrator: User, client_for: ClientFor, tmp_path: Path
) -> None:
    client = client_for(administrator)
    with override_settings(ONESTOP_CALL_FORMATS_DIR=str(tmp_path / "missing")):
        assert client.get(IMPORT).status_code == 200
        response = client.post(IMPORT, {"file": _upload(row("c1")), "format": "onestop-calls-v1"})
    assert response.status_code == 400
    assert f"{tmp_path / 'missing'} is not a folder" in response.content.decode()
    assert _state(call_world)[:2] == (0, 0)


@covers("telephony:queues", "telephony:queue-edit")
def test_an_administrator_maps_a_queue_and_its_calls_follow(
    call_world: CallWorld, administrator: User, client_for: ClientFor
) -> None:
    _, queue = _seeded(call_world)
    client = client_for(administrator)
    assert "Not mapped" in client.get(QUEUES).content.decode()
    url = f"/calls/queues/{queue.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"service": call_world.waste.pk, "access_point": call_world.telephone.pk}
    )
    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.service == call_world.waste
    assert {
        c.contact.service_id
        for c in CallRecord.objects.for_organisation(call_world.organisation).select_related(
            "contact"
        )
    } == {call_world.waste.pk}
    assert AuditRecord.objects.filter(
        organisation=call_world.organisation, object_type="telephony.callqueue", action="changed"
    ).exists()


def test_a_queue_refuses_another_kind_of_access_point_and_bad_ids(
    call_world: CallWorld, administrator: User, client_for: ClientFor
) -> None:
    from onestop.directory import services as directory_services
    from onestop.directory.models import AccessPointKind

    shop = directory_services.create_access_point(
        call_world.organisation, by=None, kind=AccessPointKind.ONE_STOP_SHOP, name="Shop"
    )
    _, queue = _seeded(call_world)
    before = _state(call_world)
    client = client_for(administrator)
    for data in (
        {"access_point": shop.pk},
        {"access_point": ""},
        {"access_point": "1 OR 1=1"},
        {"service": "999999", "access_point": call_world.telephone.pk},
    ):
        response = client.post(f"/calls/queues/{queue.pk}/", data)
        assert response.status_code == 400, data
        assert "govuk-error-summary" in response.content.decode()
    assert _state(call_world) == before

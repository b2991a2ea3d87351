"""A photo on a long form's question pages: asked on "Describe the problem", checked like every
upload when that page is sent, held aside (never in the session) across the later pages, shown
on "Check your answers", attached when the report is sent, and replaced or removed on request."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onestop.cases.models import Case
from onestop.documents.models import Document, DocumentSource
from onestop.documents.storage import HELD_FOLDER
from onestop.portal import steps
from onestop.portal.models import WebForm
from tests.cases.conftest import World
from tests.documents import files
from tests.documents.conftest import stored_files
from tests.portal.conftest import NOTHING, counts
from tests.portal.test_question_pages import CHECK, PAGES, _answer, _step, paged

__all__ = ["paged"]

PROBLEM = _step("problem")
TEXT = {"title": "Blue bin not emptied", "description": "Left at the kerb", "leave_blank": ""}


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, settings: Any) -> Path:
    folder = tmp_path / "documents"
    settings.ONESTOP_DOCUMENTS_DIR = folder
    return folder


def _photo(name: str = "IMG_0042.JPG", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, files.jpeg_with_location() if data is None else data, content_type="image/jpeg"
    )


def _held(documents_dir: Path) -> list[Path]:
    return sorted(path for path in (documents_dir / HELD_FOLDER).rglob("*") if path.is_file())


def _up_to_problem(client: Client) -> None:
    _answer(client, 5)


def _after_problem(client: Client) -> None:
    for slug, data in PAGES[6:]:
        assert client.post(_step(slug), {**data, "leave_blank": ""}).status_code == 302


def test_the_problem_page_asks_for_a_photo_as_a_govuk_file_upload(
    paged: WebForm, client: Client
) -> None:
    _up_to_problem(client)
    html = client.get(PROBLEM).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file" name="photo"[^>]*class="govuk-file-upload"', html)


def test_a_photo_is_held_across_the_pages_shown_on_check_and_attached_when_sent(
    world: World, paged: WebForm, client: Client, documents_dir: Path
) -> None:
    _up_to_problem(client)
    response = client.post(PROBLEM, {**TEXT, "photo": _photo()})
    assert response.status_code == 302
    [held] = _held(documents_dir)
    # The session keeps the photo's name and token, never its bytes.
    kept = client.session[steps.SESSION_KEY][f"{world.organisation.pk}:missed-bin"]["photo"]
    assert (kept["name"], kept["token"]) == ("IMG_0042.JPG", held.name)
    assert "data" not in kept
    _after_problem(client)

    check = client.get(CHECK).content.decode()
    assert "Photo: IMG_0042.JPG" in check
    assert counts(world.organisation) == NOTHING

    sent = client.post(CHECK, {"leave_blank": ""})

    assert sent.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    document = Document.objects.for_organisation(world.organisation).get()
    assert (document.case, document.name, document.source) == (
        case,
        "IMG_0042.JPG",
        DocumentSource.WEB,
    )
    assert _held(documents_dir) == []  # released once attached
    assert len(stored_files(documents_dir)) == 1


def test_going_back_to_the_problem_page_keeps_the_photo_unless_replaced_or_removed(
    world: World, paged: WebForm, client: Client, documents_dir: Path
) -> None:
    _up_to_problem(client)
    client.post(PROBLEM, {**TEXT, "photo": _photo()})
    _after_problem(client)

    again = client.get(f"{PROBLEM}?from=check").content.decode()
    assert "You have added the photo IMG_0042.JPG" in again
    # Sent again without a file: the photo stays.
    assert client.post(f"{PROBLEM}?from=check", TEXT).status_code == 302
    assert "Photo: IMG_0042.JPG" in client.get(CHECK).content.decode()
    # Replaced: the old file is removed, the new one held.
    client.post(f"{PROBLEM}?from=check", {**TEXT, "photo": _photo("second.png", files.png())})
    assert len(_held(documents_dir)) == 1
    assert "Photo: second.png" in client.get(CHECK).content.decode()
    # Removed.
    client.post(f"{PROBLEM}?from=check", {**TEXT, "remove_photo": "yes"})
    assert _held(documents_dir) == []
    assert "Photo:" not in client.get(CHECK).content.decode()

    client.post(CHECK, {"leave_blank": ""})
    assert Document.objects.for_organisation(world.organisation).count() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("polyglot.jpg", files.jpeg_with_php_tail(), "contains something other than its document"),
        ("photo.jpg", files.elf(), "The selected file is a program"),
        ("empty.jpg", b"", "The selected file is empty"),
        ("bomb.png", files.png_bomb(), "The selected picture is too large"),
    ],
)
def test_a_hostile_photo_is_refused_on_its_page_with_what_was_typed_kept(
    world: World,
    paged: WebForm,
    client: Client,
    documents_dir: Path,
    name: str,
    data: bytes,
    message: str,
) -> None:
    _up_to_problem(client)
    response = client.post(PROBLEM, {**TEXT, "photo": _photo(name, data)})

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_photo">' in html
    assert message in html
    assert 'value="Blue bin not emptied"' in html
    assert _held(documents_dir) == []
    assert counts(world.organisation) == NOTHING


def test_an_oversized_photo_is_refused_on_its_page(
    world: World, paged: WebForm, client: Client, documents_dir: Path, settings: Any
) -> None:
    settings.ONESTOP_DOCUMENT_MAX_BYTES = 100
    _up_to_problem(client)
    response = client.post(PROBLEM, {**TEXT, "photo": _photo()})

    assert response.status_code == 400
    assert "The selected file must be smaller than 100 bytes" in response.content.decode()
    assert _held(documents_dir) == []


def test_a_held_photo_that_has_gone_asks_for_it_again_and_sends_nothing(
    world: World, paged: WebForm, client: Client, documents_dir: Path
) -> None:
    _up_to_problem(client)
    client.post(PROBLEM, {**TEXT, "photo": _photo()})
    _after_problem(client)
    [held] = _held(documents_dir)
    held.write_bytes(b"changed on disk")

    response = client.post(CHECK, {"leave_blank": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert "The photo you added could not be kept: add it again" in html
    assert f'href="{PROBLEM}?from=check"' in html
    assert counts(world.organisation) == NOTHING
    # Sent again without it, the report goes.
    assert client.post(CHECK, {"leave_blank": ""}).status_code == 302
    assert Document.objects.for_organisation(world.organisation).count() == 0


def test_photos_held_per_address_are_limited(
    paged: WebForm, client: Client, documents_dir: Path, settings: Any
) -> None:
    settings.ONESTOP_PORTAL_PHOTOS_PER_HOUR = 2
    _up_to_problem(client)
    for _number in range(2):
        assert client.post(PROBLEM, {**TEXT, "photo": _photo()}).status_code == 302

    refused = client.post(PROBLEM, {**TEXT, "photo": _photo()})

    assert refused.status_code == 429
    assert len(_held(documents_dir)) == 1

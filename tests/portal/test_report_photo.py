"""A resident's photo sent with the report form: checked like every upload (``documents``),
attached to the new case, or refused with a GOV.UK error and nothing saved at all."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from onestop.cases.models import Case
from onestop.core.models import AuditAction, AuditRecord
from onestop.documents.models import Document, DocumentSource
from onestop.portal.models import WebForm
from tests.cases.conftest import World
from tests.documents import files
from tests.documents.conftest import stored_files
from tests.portal.conftest import NOTHING, counts
from tests.portal.test_report_pages import FORM, _data


@pytest.fixture(autouse=True)
def documents_dir(tmp_path: Path, settings: Any) -> Path:
    folder = tmp_path / "documents"
    settings.ONESTOP_DOCUMENTS_DIR = folder
    return folder


def _photo(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_the_form_offers_an_optional_photo_as_a_govuk_file_upload(
    world: World, missed_bins_online: WebForm, client: Client
) -> None:
    html = client.get(FORM).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file" name="photo"[^>]*class="govuk-file-upload"', html)
    assert "A JPG or PNG picture of the problem, smaller than 10 MB" in html


def test_a_photo_sent_with_a_report_is_attached_to_the_case_without_its_location(
    world: World, missed_bins_online: WebForm, client: Client, documents_dir: Path
) -> None:
    response = client.post(
        FORM, {**_data(), "photo": _photo("IMG_0042.JPG", files.jpeg_with_location())}
    )
    assert response.status_code == 302
    case = Case.objects.for_organisation(world.organisation).get()
    document = Document.objects.for_organisation(world.organisation).get()
    assert (document.case, document.name, document.source, document.uploaded_by) == (
        case,
        "IMG_0042.JPG",
        DocumentSource.WEB,
        None,
    )
    [stored] = stored_files(documents_dir)
    with Image.open(stored) as image:
        assert (image.format, dict(image.getexif())) == ("JPEG", {})
    created = AuditRecord.objects.for_organisation(world.organisation).get(
        object_type="documents.document", action=AuditAction.CREATED
    )
    assert (created.actor_id, created.ip_address) == (None, "127.0.0.1")


def test_a_report_without_a_photo_attaches_nothing(
    world: World, missed_bins_online: WebForm, client: Client, documents_dir: Path
) -> None:
    assert client.post(FORM, _data()).status_code == 302
    assert (
        Document.objects.for_organisation(world.organisation).count(),
        stored_files(documents_dir),
    ) == (0, [])


HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    ("polyglot.jpg", files.jpeg_with_php_tail, "contains something other than its document"),
    ("bomb.png", files.png_bomb, "The selected picture is too large"),
    (
        "photo.jpg",
        files.elf,
        "The selected file is a program, which cannot be attached: send a JPG",
    ),
    ("empty.jpg", lambda: b"", "The selected file is empty"),
]


@pytest.mark.parametrize(("name", "builder", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_photo_refuses_the_whole_report_with_a_govuk_error_and_saves_nothing(
    world: World,
    missed_bins_online: WebForm,
    client: Client,
    documents_dir: Path,
    name: str,
    builder: Callable[[], bytes],
    message: str,
) -> None:
    response = client.post(FORM, {**_data(), "photo": _photo(name, builder())})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_photo">' in html
    assert message in html
    assert 'value="Blue bin not emptied"' in html  # what was typed is kept
    assert (counts(world.organisation), stored_files(documents_dir)) == (NOTHING, [])
    assert Document.objects.for_organisation(world.organisation).count() == 0


@pytest.mark.parametrize(
    ("name", "builder"),
    [("letter.pdf", files.pdf), ("notes.txt", files.text), ("photo.jpg", files.zip_archive)],
)
def test_a_photo_that_is_not_a_picture_is_refused_naming_what_the_field_takes(
    world: World,
    missed_bins_online: WebForm,
    client: Client,
    documents_dir: Path,
    name: str,
    builder: Callable[[], bytes],
) -> None:
    response = client.post(FORM, {**_data(), "photo": _photo(name, builder())})

    html = response.content.decode()
    assert response.status_code == 400
    assert "A JPG or PNG picture of the problem" in html  # the hint
    error = re.findall(r'<a href="#id_photo">([^<]*)</a>', html)
    assert len(error) == 1
    assert "JPG or PNG picture" in error[0]
    assert "PDF" not in error[0]
    assert (counts(world.organisation), stored_files(documents_dir)) == (NOTHING, [])

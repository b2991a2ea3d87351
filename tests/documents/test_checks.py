"""The checks an upload passes before anything is stored (``documents.checks``), on real files."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from PIL import ExifTags, Image

from onestop.documents.checks import check_upload, clean_name
from onestop.documents.errors import DocumentError, DocumentRefused
from tests.documents import files


def _refusal(data: bytes, name: str = "evidence.pdf") -> DocumentError:
    with pytest.raises(DocumentRefused) as refused:
        check_upload(data, name)
    assert refused.value.field == "file"
    return DocumentError(refused.value.code)


def test_a_pdf_is_kept_byte_for_byte() -> None:
    data = files.pdf()
    checked = check_upload(data, "Letter from Mrs Smith.pdf")
    assert (checked.name, checked.content_type, checked.data) == (
        "Letter from Mrs Smith.pdf",
        "application/pdf",
        data,
    )


def test_a_photo_is_re_encoded_without_its_location_camera_or_comment() -> None:
    original = files.jpeg_with_location()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (
            files.GPS_LATITUDE
        )
    checked = check_upload(original, "fly-tipping.jpeg")
    assert (checked.name, checked.content_type) == ("fly-tipping.jpeg", "image/jpeg")
    with Image.open(io.BytesIO(checked.data)) as after:
        assert (after.size, dict(after.getexif()), "comment" in after.info) == (
            (64, 48),
            {},
            False,
        )
    assert b"PhoneCamera" not in checked.data
    assert b"high street" not in checked.data


def test_a_png_and_a_text_file_are_taken() -> None:
    assert check_upload(files.png(), "map.png").content_type == "image/png"
    assert check_upload(files.text(), "notes.txt").content_type == "text/plain; charset=utf-8"


def test_the_name_ends_as_the_content_is_whatever_it_was_called() -> None:
    assert check_upload(files.png(), "scan.pdf").name == "scan.png"
    assert check_upload(files.pdf(), "letter").name == "letter.pdf"


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (files.jpeg_with_php_tail, DocumentError.HIDDEN_CONTENT),
        (files.jpeg_with_html_comment, DocumentError.HIDDEN_CONTENT),
        (files.pdf_zip_polyglot, DocumentError.HIDDEN_CONTENT),
        (files.pdf_with_javascript, DocumentError.HIDDEN_CONTENT),
        (files.png_bomb, DocumentError.IMAGE_TOO_LARGE),
        (files.elf, DocumentError.EXECUTABLE),
        (files.windows_executable, DocumentError.EXECUTABLE),
        (files.zip_archive, DocumentError.ARCHIVE),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_hostile_files_are_refused_by_what_they_are_not_what_they_are_called(
    builder: object, expected: DocumentError
) -> None:
    assert callable(builder)
    assert _refusal(builder(), "harmless.pdf") is expected


def test_an_empty_file_is_refused() -> None:
    assert _refusal(b"") is DocumentError.EMPTY


@override_settings(ONESTOP_DOCUMENT_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_is_not() -> None:
    assert _refusal(b"a" * 1001, "notes.txt") is DocumentError.TOO_BIG
    assert len(check_upload(b"a" * 1000, "notes.txt").data) == 1000


@override_settings(ONESTOP_IMAGE_MAX_PIXELS=1000)
def test_the_pixel_limit_is_a_setting() -> None:
    assert _refusal(files.png((32, 32)), "map.png") is DocumentError.IMAGE_TOO_LARGE
    assert check_upload(files.png((31, 32)), "map.png").content_type == "image/png"


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\system32.pdf",
        "letter\x00.pdf",
        "letter\u202egpj.pdf",
        "zero\u200bwidth.pdf",
        "",
        ".htaccess",
    ],
)
def test_a_name_with_a_path_or_hidden_characters_is_refused(name: str) -> None:
    assert _refusal(files.pdf(), name) is DocumentError.BAD_NAME


def test_a_long_name_is_shortened_keeping_its_ending() -> None:
    name = clean_name("a" * 300 + ".pdf")
    assert (len(name), name[-6:]) == (255, "aa.pdf")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"caf\xe9 au lait\n", DocumentError.TYPE_NOT_ALLOWED),  # Latin-1, not UTF-8
        (b"#!/bin/sh\nrm -rf /\n", DocumentError.EXECUTABLE),  # a shell script
        (b"line\x1b[31m red\n", DocumentError.HIDDEN_CONTENT),  # a terminal escape
    ],
)
def test_text_must_be_plain_utf_8(data: bytes, expected: DocumentError) -> None:
    assert _refusal(data, "notes.txt") is expected


def test_a_truncated_pdf_is_refused_as_damaged() -> None:
    assert _refusal(files.pdf()[:-200]) is DocumentError.DAMAGED


def test_a_truncated_png_is_refused() -> None:
    assert _refusal(files.png()[:60], "map.png") is DocumentError.HIDDEN_CONTENT

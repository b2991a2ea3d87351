"""The virus scan hook against a real socket server speaking clamd's INSTREAM protocol."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from onestop.documents.checks import check_upload
from onestop.documents.errors import DocumentError, DocumentRefused
from onestop.documents.scan import CHUNK
from tests.documents import clamd, files


def test_without_a_clamd_setting_nothing_is_scanned() -> None:
    with override_settings(ONESTOP_CLAMD_SOCKET=""):
        assert check_upload(files.EICAR, "eicar.txt").name == "eicar.txt"


def test_clamd_on_a_unix_socket_gets_the_whole_file_and_a_clean_one_passes(tmp_path: Path) -> None:
    data = files.text() * (CHUNK // len(files.text()) + 3)  # more than one chunk
    with (
        clamd.unix_clamd(tmp_path) as (address, received),
        override_settings(ONESTOP_CLAMD_SOCKET=address),
    ):
        checked = check_upload(data, "notes.txt")
    assert (received, checked.data) == ([data], data)


def test_a_file_clamd_finds_a_virus_in_is_refused(tmp_path: Path) -> None:
    with (
        clamd.unix_clamd(tmp_path) as (address, received),
        override_settings(ONESTOP_CLAMD_SOCKET=address),
        pytest.raises(DocumentRefused) as refused,
    ):
        check_upload(files.EICAR, "eicar.txt")
    assert (refused.value.code, refused.value.message, received) == (
        DocumentError.VIRUS_FOUND,
        "The selected file contains a virus and cannot be attached",
        [files.EICAR],
    )


def test_clamd_on_host_and_port_is_spoken_to_the_same_way() -> None:
    letter = files.pdf()
    with clamd.tcp_clamd() as (address, received), override_settings(ONESTOP_CLAMD_SOCKET=address):
        with pytest.raises(DocumentRefused) as refused:
            check_upload(files.EICAR, "eicar.txt")
        assert check_upload(letter, "letter.pdf").content_type == "application/pdf"
    assert (refused.value.code, received) == (DocumentError.VIRUS_FOUND, [files.EICAR, letter])


@pytest.mark.parametrize("where", ["unix", "tcp"])
def test_a_configured_clamd_that_cannot_be_reached_refuses_every_file(
    tmp_path: Path, where: str
) -> None:
    address = str(tmp_path / "no-clamd.ctl") if where == "unix" else clamd.unused_address()
    with (
        override_settings(ONESTOP_CLAMD_SOCKET=address, ONESTOP_CLAMD_TIMEOUT_SECONDS=2),
        pytest.raises(DocumentRefused) as refused,
    ):
        check_upload(files.pdf(), "letter.pdf")
    assert (refused.value.code, refused.value.message) == (
        DocumentError.SCAN_UNAVAILABLE,
        "The selected file could not be checked for viruses just now: try again later",
    )

"""``channels.imap.tls_context``: one context (the system's authorities loaded once) shared by
the connections of an hour, verifying certificates as before; a changed extra CA file, or an
hour gone, makes a new one."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from django.test import override_settings

from onestop.channels import imap
from tests.channels.dovecot import _certificates


def test_the_context_is_shared_and_still_verifies(tmp_path: Path) -> None:
    ca_file = _certificates(tmp_path)
    with override_settings(ONESTOP_IMAP_CA_FILE=str(ca_file)):
        first = imap.tls_context()
        assert imap.tls_context() is first
    assert first.verify_mode == ssl.CERT_REQUIRED
    assert first.check_hostname
    # The extra authority is trusted, with the system's own.
    assert any(
        c["subject"] == ((("commonName", "OneStop test CA"),),) for c in first.get_ca_certs()
    )
    with override_settings(ONESTOP_IMAP_CA_FILE=""):
        without = imap.tls_context()
    assert without is not first
    assert not any(
        c["subject"] == ((("commonName", "OneStop test CA"),),) for c in without.get_ca_certs()
    )


def test_a_changed_ca_file_or_an_hour_gone_makes_a_new_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    ca_file = _certificates(tmp_path / "one")
    with override_settings(ONESTOP_IMAP_CA_FILE=str(ca_file)):
        first = imap.tls_context()
        ca_file.write_bytes(ca_file.read_bytes() + _certificates(tmp_path / "two").read_bytes())
        second = imap.tls_context()
        assert second is not first
        assert len(second.get_ca_certs()) == len(first.get_ca_certs()) + 1
        assert imap.tls_context() is second
        monkeypatch.setattr(imap, "TLS_CONTEXT_SECONDS", 0.0)
        assert imap.tls_context() is not second


def test_a_missing_ca_file_still_fails(tmp_path: Path) -> None:
    with (
        override_settings(ONESTOP_IMAP_CA_FILE=str(tmp_path / "missing.pem")),
        pytest.raises(FileNotFoundError),
    ):
        imap.tls_context()

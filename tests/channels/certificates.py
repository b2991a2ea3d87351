"""Certificates for the Microsoft 365 certificate credential, made by the tests themselves
(``cryptography``): a self-signed certificate with its RSA key, written as an administrator
would put it in the organisation's folder of IMAP secrets (PEM or PFX/PKCS#12)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class MadeCertificate:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def sha1(self) -> str:
        """Upper-case hexadecimal, as the Microsoft Entra admin centre shows it."""
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self, password: bytes | None = None) -> bytes:
        encryption: Any = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def write_pem(self, path: Path, password: bytes | None = None) -> Path:
        path.write_bytes(self.key_pem(password) + self.certificate_pem())
        return path

    def write_pfx(self, path: Path, password: bytes | None) -> Path:
        encryption: Any = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"onestop", self.key, self.certificate, None, encryption
            )
        )
        return path


def make_certificate(
    common_name: str = "onestop-imap",
    *,
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
) -> MadeCertificate:
    """A self-signed certificate, valid from yesterday for a year unless told otherwise."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from or now - datetime.timedelta(days=1))
        .not_valid_after(valid_until or now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return MadeCertificate(certificate=certificate, key=key)

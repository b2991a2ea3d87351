"""XOAUTH2 against a real IMAP server (issue 16): the tests' Dovecot with an ``oauth2`` passdb
whose token introspection endpoint (RFC 7662, ``introspection_mode = post``) is a small HTTP
server here.  The mailbox signs in with ``AUTHENTICATE XOAUTH2`` and the token the Microsoft
(msal, client credentials: a client secret or a certificate) and Google (service account)
flows get from their stand-ins; Dovecot asks the introspection endpoint whether the token is
active and whose it is, and lets the mailbox's user in only then."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import os
import shutil
import ssl
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives import hashes

from onestop.channels import imap
from onestop.channels.models import ImapStatus, InboundMessage, MailboxImap, MessageOutcome
from onestop.channels.services import imap as imap_services
from onestop.core.errors import ServiceError
from tests.channels.certificates import make_certificate
from tests.channels.conftest import MailWorld, message
from tests.channels.dovecot import Dovecot
from tests.channels.dovecot import available as dovecot_available
from tests.channels.test_imap import PROCESSED, _EntraId, _TokenEndpoint

pytestmark = pytest.mark.django_db

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class _Introspection(BaseHTTPRequestHandler):
    """RFC 7662 token introspection as Dovecot's oauth2 passdb calls it (``POST token=…``)."""

    tokens: ClassVar[dict[str, str]] = {}  # active token: whose it is
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        token = form.get("token", "")
        type(self).seen.append(token)
        owner = type(self).tokens.get(token)
        body: dict[str, Any] = {"active": True, "username": owner} if owner else {"active": False}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class _EntraIdCertificates(_EntraId):
    """The Entra ID stand-in, also taking a client assertion signed with a certificate's key
    (RFC 7523): the header names the certificate by thumbprint, the signature must verify
    with the certificate registered for the application."""

    certificate: Any = None
    assertions: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        import jwt
        from cryptography.hazmat.primitives import hashes

        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        type(self).tokens.append(form)
        if "client_assertion" not in form:  # a client secret, as _EntraId takes it
            if form.get("client_secret") == self.secret and form.get("client_id") == "client-1":
                return self._json(
                    200, {"access_token": "entra-token", "token_type": "Bearer", "expires_in": 3600}
                )
            return self._json(401, {"error": "invalid_client"})
        certificate = type(self).certificate

        def thumb(algorithm: hashes.HashAlgorithm) -> str:
            return base64.urlsafe_b64encode(certificate.fingerprint(algorithm)).decode()

        try:
            header = jwt.get_unverified_header(form["client_assertion"])
            assert form["client_assertion_type"] == ASSERTION_TYPE
            assert header.get("x5t") == thumb(hashes.SHA1()) or header.get(  # noqa: S303
                "x5t#S256"
            ) == thumb(hashes.SHA256())
            claims = jwt.decode(
                form["client_assertion"],
                certificate.public_key(),
                algorithms=["RS256", "PS256"],
                audience=f"{self._base()}/oauth2/v2.0/token",
                issuer="client-1",
            )
            assert claims["sub"] == "client-1"
            assert form["grant_type"] == "client_credentials"
            assert form["scope"].split()[0] == "https://outlook.office365.com/.default"
        except Exception:
            return self._json(401, {"error": "invalid_client"})
        type(self).assertions.append({"header": header, "claims": claims})
        return self._json(
            200, {"access_token": "entra-cert-token", "token_type": "Bearer", "expires_in": 3600}
        )


@pytest.fixture(scope="module")
def introspection() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Introspection)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def oauth_dovecot(introspection: HTTPServer) -> Iterator[Dovecot]:
    """A Dovecot of its own whose XOAUTH2 sign-ins are checked at ``introspection``."""
    reason = dovecot_available()
    if reason:
        if os.environ.get("ONESTOP_REQUIRE_IMAP") == "1":  # make ci: a failure, not a skip
            pytest.fail(reason)
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="onestop-dovecot-oauth-"))
    server = Dovecot(root, oauth2_url=f"http://127.0.0.1:{introspection.server_port}/introspect")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def oauth_ca(oauth_dovecot: Dovecot, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Dovecot:
    settings.ONESTOP_IMAP_CA_FILE = str(oauth_dovecot.ca_file)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(oauth_dovecot.ca_file))  # msal's requests
    _Introspection.tokens.clear()
    _Introspection.seen.clear()
    return oauth_dovecot


@pytest.fixture
def secrets_dir(tmp_path: Path, settings: Any) -> Path:
    settings.ONESTOP_IMAP_SECRETS_DIR = str(tmp_path / "imap")
    (tmp_path / "imap" / "test-council").mkdir(parents=True)
    return tmp_path / "imap" / "test-council"


@pytest.fixture
def entra(oauth_ca: Dovecot, settings: Any) -> Iterator[HTTPServer]:
    """The Entra ID stand-in on loopback over TLS (the Dovecot's certificate)."""
    server = HTTPServer(("127.0.0.1", 0), _EntraIdCertificates)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(oauth_ca.root / "server.pem", oauth_ca.root / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ONESTOP_MICROSOFT_AUTHORITY = f"https://127.0.0.1:{server.server_port}"
    _EntraIdCertificates.tokens.clear()
    _EntraIdCertificates.assertions.clear()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _source(
    mail_world: MailWorld,
    dovecot: Dovecot,
    user: str,
    credential: str,
    secret: str,
    *,
    tenant: str = "",
    client_id: str = "",
    certificate_thumbprint: str = "",
) -> MailboxImap:
    return imap_services.save_imap(
        mail_world.world.organisation,
        by=None,
        mailbox=mail_world.enquiries,
        values=imap_services.ImapInput(
            host="127.0.0.1",
            port=dovecot.tls_port,
            security="tls",
            folder="INBOX",
            processed_folder=PROCESSED,
            username=user,
            credential=credential,
            secret=secret,
            tenant=tenant,
            client_id=client_id,
            certificate_thumbprint=certificate_thumbprint,
        ),
    )


def _poll(source: MailboxImap) -> imap_services.PollResult:
    source.refresh_from_db()
    return imap_services.poll(source)


def _raised(mail_world: MailWorld) -> int:
    return (
        InboundMessage.objects.for_organisation(mail_world.world.organisation)
        .filter(outcome=MessageOutcome.RAISED)
        .count()
    )


def _certificate(common_name: str = "onestop-imap") -> tuple[Any, str, str]:
    """A self-signed certificate as an administrator would register with the application:
    ``(certificate, key PEM, certificate PEM)``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return certificate, key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


# --- Microsoft 365: client secret -----------------------------------------------------------
def test_microsoft_365_signs_in_to_dovecot_with_xoauth2_and_the_token_msal_got(
    mail_world: MailWorld,
    oauth_ca: Dovecot,
    entra: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, password = oauth_ca.add_user()
    oauth_ca.append(user, password, [message()])
    monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__ENTRA", _EntraId.secret)
    source = _source(
        mail_world,
        oauth_ca,
        user,
        "microsoft",
        "env:ONESTOP_IMAP_TEST_COUNCIL__ENTRA",
        tenant="tenant-1",
        client_id="client-1",
    )
    # Introspection knows the token, but as someone else's: Dovecot refuses the sign-in.
    _Introspection.tokens["entra-token"] = "someone-else@test-council.example"
    result = _poll(source)
    assert result.error.startswith(f"The server refused the sign-in of {user}")
    assert _Introspection.seen == ["entra-token"]
    source.refresh_from_db()
    assert source.status == ImapStatus.FAILING
    assert _raised(mail_world) == 0
    # The token is the mailbox user's: the XOAUTH2 sign-in works and the mail is read.
    _Introspection.tokens["entra-token"] = user
    result = _poll(source)
    assert (result.error, result.received, result.filed_away) == ("", 1, 1)
    assert _raised(mail_world) == 1
    source.refresh_from_db()
    assert source.status == ImapStatus.OK
    assert oauth_ca.uids(user, password, "INBOX") == []
    # The token revoked (introspection says inactive): failing again, with the server's word.
    _Introspection.tokens.clear()
    assert _poll(source).error.startswith("The server refused the sign-in")
    assert (
        "entra-token"
        not in MailboxImap.objects.for_organisation(mail_world.world.organisation)
        .get(pk=source.pk)
        .last_error
    )


# --- Google: service account ------------------------------------------------------------------
def test_google_signs_in_to_dovecot_with_xoauth2_and_the_service_account_token(
    mail_world: MailWorld, oauth_ca: Dovecot, secrets_dir: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _TokenEndpoint.public_key = key.public_key()
        key_file = secrets_dir / "google.json"
        key_file.write_text(
            json.dumps(
                {
                    "client_email": "onestop@project.iam.gserviceaccount.com",
                    "private_key": key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ).decode(),
                    "token_uri": f"http://127.0.0.1:{server.server_port}/token",
                }
            )
        )
        user, password = oauth_ca.add_user()
        oauth_ca.append(user, password, [message(), message(message_id="<g2@x>", subject="B")])
        _Introspection.tokens[f"token-for-{user}"] = user
        source = _source(mail_world, oauth_ca, user, "google", f"file:{key_file}")
        result = _poll(source)
        assert (result.error, result.received, result.filed_away) == ("", 2, 2)
        assert _Introspection.seen == [f"token-for-{user}"]
        assert _raised(mail_world) == 2
    finally:
        server.shutdown()
        server.server_close()


# --- Microsoft 365: certificate ---------------------------------------------------------------
def test_microsoft_365_certificate_key_and_certificate_sign_a_ps256_assertion(
    mail_world: MailWorld, oauth_ca: Dovecot, entra: HTTPServer, secrets_dir: Path
) -> None:
    from cryptography.hazmat.primitives import hashes

    certificate, key_pem, certificate_pem = _certificate()
    _EntraIdCertificates.certificate = certificate
    secret = secrets_dir / "m365.pem"
    secret.write_text(key_pem + certificate_pem)
    user, password = oauth_ca.add_user()
    oauth_ca.append(user, password, [message()])
    _Introspection.tokens["entra-cert-token"] = user
    source = _source(
        mail_world,
        oauth_ca,
        user,
        "microsoft",
        f"file:{secret}",
        tenant="tenant-1",
        client_id="client-1",
        certificate_thumbprint=certificate.fingerprint(hashes.SHA256()).hex().upper(),
    )
    result = _poll(source)
    assert (result.error, result.received) == ("", 1)
    assert _Introspection.seen == ["entra-cert-token"]
    [used] = _EntraIdCertificates.assertions
    assert used["header"]["alg"] == "PS256"
    assert "x5c" in used["header"]
    assert "client_secret" not in _EntraIdCertificates.tokens[-1]


def test_microsoft_365_certificate_key_alone_with_its_sha1_thumbprint(
    oauth_ca: Dovecot, entra: HTTPServer, secrets_dir: Path
) -> None:
    from cryptography.hazmat.primitives import hashes

    certificate, key_pem, _certificate_pem = _certificate("key-alone")
    _EntraIdCertificates.certificate = certificate
    (secrets_dir / "key.pem").write_text(key_pem)
    sha1 = certificate.fingerprint(hashes.SHA1()).hex()  # noqa: S303 - Microsoft's thumbprint
    connection = imap.Connection(
        host="outlook.office365.com",
        port=993,
        security="tls",
        username="waste@council.gov.uk",
        credential="microsoft",
        secret=f"file:{secrets_dir / 'key.pem'}",
        organisation="test-council",
        tenant="tenant-1",
        client_id="client-1",
        certificate_thumbprint=sha1.upper(),
    )
    assert imap.microsoft_token(connection) == "entra-cert-token"
    [used] = _EntraIdCertificates.assertions
    assert used["header"]["alg"] == "RS256"
    assert "x5c" not in used["header"]
    # Another key than the registered certificate's: Microsoft refuses, and says so.
    _other, other_key, _pem = _certificate("another")
    (secrets_dir / "key2.pem").write_text(other_key)
    refused = dataclasses.replace(connection, secret=f"file:{secrets_dir / 'key2.pem'}")
    with pytest.raises(imap.ImapFailure, match="refused the application's credential"):
        imap.microsoft_token(refused)


@pytest.mark.parametrize(
    ("contents", "thumbprint", "error"),
    [
        ("", "sha256", "holds no PEM private key"),
        ("key", "sha256", "A SHA-256 thumbprint needs the certificate in the secret"),
        ("key+cert", "other", "The thumbprint is not the certificate's in the secret"),
        ("key+garbled", "sha256", "The certificate in the secret cannot be read"),
    ],
)
def test_a_certificate_secret_that_cannot_work_is_said_so_before_microsoft_is_asked(
    contents: str, thumbprint: str, error: str
) -> None:
    from cryptography.hazmat.primitives import hashes

    certificate, key_pem, certificate_pem = _certificate()
    text = {
        "": "not a key at all",
        "key": key_pem,
        "key+cert": key_pem + certificate_pem,
        "key+garbled": key_pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    }[contents]
    value = {
        "sha256": certificate.fingerprint(hashes.SHA256()).hex(),
        "other": "AB" * 20,
    }[thumbprint]
    with pytest.raises(imap.ImapFailure, match=error) as failure:
        imap.certificate_credential(text, value)
    assert "PRIVATE KEY" not in str(failure.value)


def test_the_introspection_endpoint_is_what_dovecot_asks(introspection: HTTPServer) -> None:
    # The stand-in itself: an unknown token is inactive, a known one names its owner.
    import urllib.request

    _Introspection.tokens["t-1"] = "waste@test-council.example"
    url = f"http://127.0.0.1:{introspection.server_port}/introspect"
    for token, answer in (
        ("t-1", {"active": True, "username": "waste@test-council.example"}),
        ("nope", {"active": False}),
    ):
        with urllib.request.urlopen(
            urllib.request.Request(url, data=f"token={token}".encode(), method="POST")
        ) as response:
            assert json.loads(response.read()) == answer
    _Introspection.tokens.clear()
    assert cast(Any, introspection).server_port > 0


# --- Microsoft 365: a certificate named by its file (PEM or PFX) -------------------------------
def _certificate_source(
    mail_world: MailWorld, dovecot: Dovecot, user: str, certificate: Path, password: str
) -> MailboxImap:
    return imap_services.save_imap(
        mail_world.world.organisation,
        by=None,
        mailbox=mail_world.enquiries,
        values=imap_services.ImapInput(
            host="127.0.0.1",
            port=dovecot.tls_port,
            security="tls",
            folder="INBOX",
            processed_folder=PROCESSED,
            username=user,
            credential="microsoft",
            secret=password,
            tenant="tenant-1",
            client_id="client-1",
            certificate=f"file:{certificate}",
        ),
    )


def test_microsoft_365_reads_mail_with_a_pfx_certificate_whose_password_is_in_the_environment(
    mail_world: MailWorld,
    oauth_ca: Dovecot,
    entra: HTTPServer,
    secrets_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = make_certificate()
    _EntraIdCertificates.certificate = made.certificate
    pfx = made.write_pfx(secrets_dir / "m365.pfx", b"pfx pass phrase")
    monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__PFX", "pfx pass phrase")
    user, password = oauth_ca.add_user()
    oauth_ca.append(user, password, [message()])
    _Introspection.tokens["entra-cert-token"] = user
    source = _certificate_source(
        mail_world, oauth_ca, user, pfx, "env:ONESTOP_IMAP_TEST_COUNCIL__PFX"
    )
    # The thumbprint is worked out from the certificate: the administrator types none.
    assert source.certificate_thumbprint == made.sha1
    assert len(source.certificate_thumbprint) == 40
    assert (source.certificate, source.secret) == (
        f"file:{pfx}",
        "env:ONESTOP_IMAP_TEST_COUNCIL__PFX",
    )
    result = _poll(source)
    assert (result.error, result.received, result.filed_away) == ("", 1, 1)
    assert _Introspection.seen == ["entra-cert-token"]
    [used] = _EntraIdCertificates.assertions
    assert used["header"]["alg"] == "PS256"
    assert "x5c" in used["header"]
    request = _EntraIdCertificates.tokens[-1]
    assert "client_secret" not in request
    assert request["client_id"] == "client-1"
    assert "pfx pass phrase" not in json.dumps(request)


def test_an_encrypted_pem_certificate_with_its_password_in_a_file_gets_a_token(
    oauth_ca: Dovecot, entra: HTTPServer, secrets_dir: Path
) -> None:
    made = make_certificate("pem-encrypted")
    _EntraIdCertificates.certificate = made.certificate
    pem = made.write_pem(secrets_dir / "m365.pem", b"s3cret pem")
    (secrets_dir / "m365.password").write_text("s3cret pem\n")
    connection = imap.Connection(
        host="outlook.office365.com",
        port=993,
        security="tls",
        username="waste@council.gov.uk",
        credential="microsoft",
        secret=f"file:{secrets_dir / 'm365.password'}",
        organisation="test-council",
        tenant="tenant-1",
        client_id="client-1",
        certificate=f"file:{pem}",
    )
    assert imap.microsoft_token(connection) == "entra-cert-token"
    [used] = _EntraIdCertificates.assertions
    assert used["header"]["alg"] == "PS256"
    assert used["claims"]["iss"] == "client-1"
    # The certificate registered with the application is another: Microsoft refuses.
    _EntraIdCertificates.certificate = make_certificate("another").certificate
    imap._msal_apps.clear()
    with pytest.raises(imap.ImapFailure, match="refused the application's credential"):
        imap.microsoft_token(connection)


def test_a_pem_certificate_without_a_password_needs_no_secret(secrets_dir: Path) -> None:
    made = make_certificate("no-password")
    pem = made.write_pem(secrets_dir / "plain.pem")
    loaded = imap.load_certificate(f"file:{pem}", "", "test-council")
    assert (loaded.sha1_thumbprint, loaded.certificate) == (
        made.sha1,
        made.certificate_pem().decode(),
    )
    assert loaded.sha256_thumbprint == made.certificate.fingerprint(hashes.SHA256()).hex().upper()
    assert loaded.private_key == made.key_pem().decode()
    # The key after the certificate is read the same.
    (secrets_dir / "reversed.pem").write_bytes(made.certificate_pem() + made.key_pem())
    again = imap.load_certificate(f"file:{secrets_dir / 'reversed.pem'}", "", "test-council")
    assert again.sha1_thumbprint == made.sha1


NOW = datetime.datetime.now(datetime.UTC)


@pytest.mark.parametrize(
    ("case", "field", "error"),
    [
        ("missing", "certificate", "The certificate file {path} cannot be read (No such file"),
        ("pfx wrong password", "secret", "The password is wrong for the certificate file {path}"),
        ("pem wrong password", "secret", "The password is wrong for the certificate file {path}"),
        ("pfx no password", "certificate", "or it needs a password"),
        ("pem no password", "secret", "The private key in {path} is encrypted"),
        ("pem needless password", "secret", "is not encrypted: leave the password out"),
        ("password variable unset", "secret", "ONESTOP_IMAP_TEST_COUNCIL__UNSET is not set"),
        ("expired", "certificate", "The certificate in {path} expired on 01 January 2026"),
        ("not yet valid", "certificate", "is not valid until"),
        ("another key", "certificate", "The private key in {path} is not the certificate's"),
        ("key alone", "certificate", "The certificate file {path} holds no certificate"),
        ("certificate alone", "certificate", "The certificate file {path} holds no private key"),
        ("garbage", "certificate", "is not a PEM or PFX (PKCS#12) certificate"),
        ("garbled pem", "certificate", "The private key in {path} cannot be read"),
        ("oversized", "certificate", "is larger than 65536 bytes"),
        ("empty", "certificate", "is not a PEM or PFX (PKCS#12) certificate"),
        ("elliptic curve", "certificate", "is not an RSA key"),
        ("environment variable", "certificate", "Enter where the certificate is: file: and"),
        ("outside the folder", "certificate", "Enter where the certificate is: file: and"),
    ],
)
def test_a_certificate_that_cannot_be_used_is_refused_with_the_reason_and_nothing_saved(
    mail_world: MailWorld,
    secrets_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    field: str,
    error: str,
) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    made = make_certificate()
    path = secrets_dir / "m365.pem"
    password = ""
    monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__PASSWORD", "right")
    monkeypatch.delenv("ONESTOP_IMAP_TEST_COUNCIL__UNSET", raising=False)
    reference = f"file:{path}"
    if case == "missing":
        pass
    elif case.startswith("pfx"):
        path = made.write_pfx(secrets_dir / "m365.pfx", b"right")
        reference = f"file:{path}"
        monkeypatch.setenv("ONESTOP_IMAP_TEST_COUNCIL__PASSWORD", "wrong")
        password = "env:ONESTOP_IMAP_TEST_COUNCIL__PASSWORD" if "wrong" in case else ""
    elif case == "pem wrong password":
        made.write_pem(path, b"other")
        password = "env:ONESTOP_IMAP_TEST_COUNCIL__PASSWORD"
    elif case == "pem no password":
        made.write_pem(path, b"right")
    elif case == "pem needless password":
        made.write_pem(path)
        password = "env:ONESTOP_IMAP_TEST_COUNCIL__PASSWORD"
    elif case == "password variable unset":
        made.write_pem(path, b"right")
        password = "env:ONESTOP_IMAP_TEST_COUNCIL__UNSET"
    elif case == "expired":
        make_certificate(
            valid_from=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
            valid_until=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        ).write_pem(path)
    elif case == "not yet valid":
        make_certificate(
            valid_from=NOW + datetime.timedelta(days=30),
            valid_until=NOW + datetime.timedelta(days=400),
        ).write_pem(path)
    elif case == "another key":
        path.write_bytes(make_certificate("other").key_pem() + made.certificate_pem())
    elif case == "key alone":
        path.write_bytes(made.key_pem())
    elif case == "certificate alone":
        path.write_bytes(made.certificate_pem())
    elif case == "garbage":
        path.write_bytes(b"\x00\x01 not a certificate \xff" * 10)
    elif case == "garbled pem":
        path.write_bytes(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
            + made.certificate_pem()
        )
    elif case == "oversized":
        path.write_bytes(made.key_pem() + made.certificate_pem() + b"\n" * 70_000)
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "elliptic curve":
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        key = ec.generate_private_key(ec.SECP256R1())
        name = made.certificate.subject
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(1)
            .not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            + certificate.public_bytes(serialization.Encoding.PEM)
        )
    elif case == "environment variable":
        reference = "env:ONESTOP_IMAP_TEST_COUNCIL__PASSWORD"
    elif case == "outside the folder":
        made.write_pem(secrets_dir.parent / "m365.pem")
        reference = f"file:{secrets_dir.parent / 'm365.pem'}"
    with pytest.raises(ServiceError) as refused:
        imap_services.save_imap(
            mail_world.world.organisation,
            by=None,
            mailbox=mail_world.enquiries,
            values=imap_services.ImapInput(
                host="outlook.office365.com",
                port=993,
                security="tls",
                folder="INBOX",
                processed_folder="",
                username="enquiries@test-council.example",
                credential="microsoft",
                secret=password,
                tenant="tenant-1",
                client_id="client-1",
                certificate=reference,
            ),
        )
    assert refused.value.field == field
    assert error.format(path=path) in refused.value.message
    assert "PRIVATE KEY" not in refused.value.message
    assert "right" not in refused.value.message
    assert not MailboxImap.objects.for_organisation(mail_world.world.organisation).exists()


def test_a_certificate_that_expires_after_it_was_saved_marks_the_mailbox_failing(
    mail_world: MailWorld, oauth_ca: Dovecot, entra: HTTPServer, secrets_dir: Path
) -> None:
    made = make_certificate()
    pem = made.write_pem(secrets_dir / "m365.pem")
    user, password = oauth_ca.add_user()
    oauth_ca.append(user, password, [message()])
    source = _certificate_source(mail_world, oauth_ca, user, pem, "")
    # The file is replaced by one whose certificate has expired since.
    make_certificate(
        valid_from=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        valid_until=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    ).write_pem(pem)
    result = _poll(source)
    assert result.error == (
        f"The certificate in {pem} expired on 01 January 2026: renew it, register the new one "
        "with the application and put it in its place"
    )
    source.refresh_from_db()
    assert (source.status, source.last_error) == (ImapStatus.FAILING, result.error)
    assert _EntraIdCertificates.tokens == []  # Microsoft was not asked
    assert _raised(mail_world) == 0

"""The IMAP side of shared mailboxes: reading a secret from where it is kept, signing in
(password, or OAuth 2.0 XOAUTH2 for Microsoft 365 and Google) and the few IMAP commands the
poller needs.  No database here: ``channels.services.imap`` decides what is read and records it.

The standard library's ``imaplib`` is the client: it speaks everything the poller needs (TLS
or STARTTLS with a verifying ``ssl`` context, ``AUTHENTICATE XOAUTH2``, ``UID FETCH``/``SEARCH``/
``MOVE``/``STORE``), is maintained with Python, and adds no dependency.  Every failure a mailbox
can meet (no route, refused connection, bad certificate, refused sign-in, a token endpoint that
says no) is raised as ``ImapFailure`` with a message that is safe to show staff: it never holds
the secret.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import imaplib
import io
import json
import logging
import os
import re
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

#: ``env:NAME`` (an environment variable) or ``file:/absolute/path``.
SECRET_ENV = re.compile(r"\Aenv:([A-Za-z_][A-Za-z0-9_]{0,127})\Z")
SECRET_FILE = re.compile(r"\Afile:(/[^\x00-\x1f\x7f]{1,400})\Z")
ENV_REST = re.compile(r"\A[A-Z0-9]+(?:_[A-Z0-9]+)*\Z")
DEFAULT_SECRETS_DIR = "/etc/onestop/imap"
MICROSOFT_SCOPE = "https://outlook.office365.com/.default"
GOOGLE_SCOPE = "https://mail.google.com/"
DEFAULT_MICROSOFT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_TIMEOUT = 30.0
FETCH_BATCH = 100
MAX_SECRET_BYTES = 64 * 1024


class ImapFailure(Exception):
    """The mailbox could not be read; ``str()`` is safe to show staff (no secret in it)."""


@dataclass(frozen=True)
class Connection:
    """How to reach one mailbox: the fields of ``MailboxImap`` the client needs."""

    host: str
    port: int
    security: str  # "tls" or "starttls"
    username: str
    credential: str  # "password", "microsoft" or "google"
    secret: str  # where the secret is: env:NAME or file:/path
    organisation: str = ""  # the slug: whose secrets may be read
    folder: str = "INBOX"
    tenant: str = ""
    client_id: str = ""
    certificate_thumbprint: str = ""
    certificate: str = ""  # file:/path of a PEM or PFX certificate (``secret``: its password)


# --- secrets ---------------------------------------------------------------------------------
# A secret is the organisation's own: an administrator of one organisation chooses the server
# the secret is sent to, so they must not be able to name the platform's secrets (the secret
# key, the database's password) or another organisation's.  Environment variables are
# ``ONESTOP_IMAP_<ORGANISATION>__<NAME>`` (the slug in capitals, ``-`` as ``_``; slugs have
# single hyphens, so one organisation's prefix never begins another's), files are under
# ``<ONESTOP_IMAP_SECRETS_DIR>/<organisation slug>/``, symbolic links resolved.
def env_prefix(organisation: str) -> str:
    """``ONESTOP_IMAP_DEMO_COUNCIL__`` for the organisation whose slug is ``demo-council``."""
    return "ONESTOP_IMAP_" + organisation.upper().replace("-", "_") + "__"


def secrets_dir(organisation: str) -> Path:
    """The folder the organisation's secret files must be in."""
    root = str(getattr(settings, "ONESTOP_IMAP_SECRETS_DIR", "") or DEFAULT_SECRETS_DIR)
    return Path(root) / organisation


def valid_secret_reference(reference: str, organisation: str) -> bool:
    """Whether ``reference`` is ``env:ONESTOP_IMAP_<ORGANISATION>__NAME`` or
    ``file:/path`` inside the organisation's secrets folder."""
    if not organisation:
        return False
    found = SECRET_ENV.match(reference)
    if found:
        name, prefix = found.group(1), env_prefix(organisation)
        return name.startswith(prefix) and bool(ENV_REST.match(name[len(prefix) :]))
    found = SECRET_FILE.match(reference)
    if found is None or ".." in Path(found.group(1)).parts:
        return False
    folder = secrets_dir(organisation).resolve()
    return Path(found.group(1)).resolve().is_relative_to(folder)


def read_secret(reference: str, organisation: str) -> str:
    """The secret kept where ``reference`` says; ``ImapFailure`` naming the place (never the
    secret) when it is not there or not the organisation's to use."""
    if not valid_secret_reference(reference, organisation):
        raise ImapFailure(
            f"The secret must be in an environment variable {env_prefix(organisation)}NAME or a "
            f"file in {secrets_dir(organisation)}/"
        )
    found = SECRET_ENV.match(reference)
    if found:
        value = os.environ.get(found.group(1), "")
        if not value:
            raise ImapFailure(f"The environment variable {found.group(1)} is not set")
        return value
    found = SECRET_FILE.match(reference)
    if found is None:  # pragma: no cover - valid_secret_reference said it is one of the two
        raise ImapFailure("The secret's location is not env:NAME or file:/path")
    path = Path(found.group(1))
    text = _read_file(path, "secret").decode("utf-8", "replace").rstrip("\r\n")
    if not text:
        raise ImapFailure(f"The secret file {path} is empty")
    return text


def _read_file(path: Path, what: str) -> bytes:
    """The bytes of a secret file (at most ``MAX_SECRET_BYTES``); ``ImapFailure`` naming it."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SECRET_BYTES + 1)
    except OSError as error:
        raise ImapFailure(f"The {what} file {path} cannot be read ({error.strerror})") from None
    if len(data) > MAX_SECRET_BYTES:
        raise ImapFailure(f"The {what} file {path} is larger than {MAX_SECRET_BYTES} bytes")
    return data


# --- a certificate named by its file ------------------------------------------------------------
class CertificateFailure(ImapFailure):
    """The certificate (or its password) cannot be used; ``field`` is the form's field to fix:
    ``certificate`` (the file) or ``secret`` (its password)."""

    def __init__(self, message: str, *, field: str = "certificate") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Certificate:
    """A certificate and its private key, read from the file an administrator named."""

    private_key: str  # PEM (PKCS#8, not encrypted): kept in memory only, for msal
    certificate: str  # PEM
    sha1_thumbprint: str  # upper-case hexadecimal, as the Microsoft Entra admin centre shows it
    sha256_thumbprint: str
    not_valid_before: datetime.datetime
    not_valid_after: datetime.datetime


def valid_certificate_reference(reference: str, organisation: str) -> bool:
    """Whether ``reference`` is ``file:/path`` inside the organisation's secrets folder (a
    certificate is a file, PEM or PFX, never an environment variable)."""
    return reference.startswith("file:") and valid_secret_reference(reference, organisation)


def load_certificate(
    reference: str,
    password: str,
    organisation: str,
    *,
    now: datetime.datetime | None = None,
) -> Certificate:
    """The certificate and key in the file ``reference`` names: PEM (the private key and the
    certificate, in either order; the key may be encrypted) or PFX/PKCS#12 (``.pfx``, ``.p12``),
    opened with the password kept where ``password`` says (``env:``/``file:``, or "" for none).

    ``CertificateFailure`` says plainly what is wrong (the file missing or unreadable, the
    password wrong or missing, no key or no certificate in it, a key that is not the
    certificate's, a certificate expired or not yet valid) and never quotes the file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not valid_certificate_reference(reference, organisation):
        raise CertificateFailure(
            f"The certificate must be a file in {secrets_dir(organisation)}/, named as file:/path"
        )
    path = Path(reference.removeprefix("file:"))
    try:
        data = _read_file(path, "certificate")
    except ImapFailure as failure:
        raise CertificateFailure(str(failure)) from None
    secret = read_secret(password, organisation).encode() if password else None
    wrong_password = CertificateFailure(
        f"The password is wrong for the certificate file {path}", field="secret"
    )
    key: Any
    certificate: x509.Certificate | None
    if b"-----BEGIN" in data:
        text = data.decode("ascii", "replace")
        blocks = {match.group(1): match.group(0) for match in PEM_BLOCK.finditer(text)}
        key_text = next((v for kind, v in blocks.items() if kind.endswith("PRIVATE KEY")), "")
        if not key_text:
            raise CertificateFailure(f"The certificate file {path} holds no private key")
        if "CERTIFICATE" not in blocks:
            raise CertificateFailure(f"The certificate file {path} holds no certificate")
        try:
            key = serialization.load_pem_private_key(key_text.encode(), secret)
        except TypeError:  # encrypted without a password given, or the reverse
            if secret is None:
                raise CertificateFailure(
                    f"The private key in {path} is encrypted: say where its password is kept",
                    field="secret",
                ) from None
            raise CertificateFailure(
                f"The private key in {path} is not encrypted: leave the password out",
                field="secret",
            ) from None
        except ValueError:
            if secret is not None and "ENCRYPTED" in key_text:
                raise wrong_password from None
            raise CertificateFailure(f"The private key in {path} cannot be read") from None
        try:
            certificate = x509.load_pem_x509_certificate(blocks["CERTIFICATE"].encode())
        except ValueError:
            raise CertificateFailure(f"The certificate in {path} cannot be read") from None
    else:
        try:
            key, certificate, _chain = pkcs12.load_key_and_certificates(data, secret)
        except TypeError:
            raise CertificateFailure(
                f"The certificate file {path} is protected by a password: say where it is kept",
                field="secret",
            ) from None
        except ValueError:
            if secret is None:
                raise CertificateFailure(
                    f"The certificate file {path} is not a PEM or PFX (PKCS#12) certificate, "
                    "or it needs a password"
                ) from None
            raise CertificateFailure(
                f"The password is wrong for the certificate file {path}, or it is not a PEM or "
                "PFX (PKCS#12) certificate",
                field="secret",
            ) from None
        if key is None or certificate is None:
            raise CertificateFailure(
                f"The certificate file {path} must hold both the certificate and its private key"
            )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateFailure(
            f"The key in {path} is not an RSA key, which Microsoft Entra ID needs"
        )
    if key.public_key().public_numbers() != certificate.public_key().public_numbers():  # type: ignore[union-attr]
        raise CertificateFailure(f"The private key in {path} is not the certificate's")
    now = now or datetime.datetime.now(datetime.UTC)
    before, after = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if after < now:
        raise CertificateFailure(
            f"The certificate in {path} expired on {after:%d %B %Y}: renew it, register the new "
            "one with the application and put it in its place"
        )
    if before > now:
        raise CertificateFailure(f"The certificate in {path} is not valid until {before:%d %B %Y}")
    return Certificate(
        private_key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        # Microsoft names a certificate by its SHA-1 thumbprint: an identifier, not security.
        sha1_thumbprint=certificate.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303  # nosec B303
        sha256_thumbprint=certificate.fingerprint(hashes.SHA256()).hex().upper(),
        not_valid_before=before,
        not_valid_after=after,
    )


# --- OAuth 2.0 --------------------------------------------------------------------------------
def xoauth2(username: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial response (Google's and Microsoft's documented format)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()


_msal_apps: dict[str, Any] = {}


def microsoft_token(connection: Connection) -> str:
    """An access token for IMAP from Microsoft Entra ID by the client-credentials flow (msal).

    The credential is the application's certificate, named by its file (``connection.
    certificate``, PEM or PFX, with ``secret`` its password: ``load_certificate``), or the
    secret: the application's client secret or, with a certificate thumbprint, its
    certificate's PEM private key (with the certificate itself, best: see
    ``certificate_credential``).  msal keeps the token until it is about to expire, so one
    application object is kept per tenant, client and secret."""
    import msal

    credential: str | dict[str, str]
    if connection.certificate:
        # A certificate file (PEM or PFX); ``secret``, when given, is its password.
        loaded = load_certificate(
            connection.certificate, connection.secret, connection.organisation
        )
        secret = loaded.private_key
        credential = {"private_key": loaded.private_key, "public_certificate": loaded.certificate}
    else:
        secret = read_secret(connection.secret, connection.organisation)
        credential = secret
        if connection.certificate_thumbprint:
            credential = certificate_credential(secret, connection.certificate_thumbprint)
    authority_host = str(
        getattr(settings, "ONESTOP_MICROSOFT_AUTHORITY", DEFAULT_MICROSOFT_AUTHORITY)
    ).rstrip("/")
    key = hashlib.sha256(
        "\x00".join(
            (authority_host, connection.tenant, connection.client_id, secret, str(credential))
        ).encode()
    ).hexdigest()
    app = _msal_apps.get(key)
    if app is None:
        try:
            app = msal.ConfidentialClientApplication(
                connection.client_id,
                authority=f"{authority_host}/{connection.tenant}",
                client_credential=credential,
                timeout=DEFAULT_TIMEOUT,
                # Microsoft's instance discovery knows only Microsoft's clouds: another
                # authority (a sovereign cloud's, set by the operator) is taken as given.
                instance_discovery=authority_host == DEFAULT_MICROSOFT_AUTHORITY,
            )
        except Exception as error:  # msal raises ValueError and requests' errors alike
            raise ImapFailure(
                f"Microsoft sign-in could not start: {_short(type(error).__name__, error)}"
            ) from None
        _msal_apps[key] = app
    try:
        result = app.acquire_token_for_client(scopes=[MICROSOFT_SCOPE])
    except Exception as error:
        raise ImapFailure(
            f"Microsoft did not answer: {_short(type(error).__name__, error)}"
        ) from None
    token = result.get("access_token") if isinstance(result, dict) else None
    if not token:
        detail = result.get("error", "no token") if isinstance(result, dict) else "no token"
        raise ImapFailure(f"Microsoft refused the application's credential: {detail}")
    return str(token)


PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?\r?\n-----END \1-----", re.DOTALL)


def certificate_credential(secret: str, thumbprint: str) -> dict[str, str]:
    """msal's ``client_credential`` for a certificate registered with the application.

    ``secret`` is PEM text: the private key and, best, the certificate after it (one file, as
    ``openssl pkcs12 -nodes`` writes it).  With the certificate, msal signs the client assertion
    with PS256 and names the certificate by its SHA-256 thumbprint and ``x5c`` (what Microsoft
    Entra ID prefers); ``thumbprint`` must then be the certificate's, SHA-1 or SHA-256, so a
    mix-up of files is caught here and not as Microsoft's refusal.  With the key alone, the
    40-character SHA-1 thumbprint names the certificate (RS256, ``x5t``)."""
    blocks = {match.group(1): match.group(0) for match in PEM_BLOCK.finditer(secret)}
    key = next((text for kind, text in blocks.items() if kind.endswith("PRIVATE KEY")), "")
    if not key:
        raise ImapFailure("The certificate's secret holds no PEM private key")
    certificate = blocks.get("CERTIFICATE", "")
    wanted = thumbprint.replace(":", "").lower()
    if not certificate:
        if len(wanted) != 40:
            raise ImapFailure(
                "A SHA-256 thumbprint needs the certificate in the secret, after the key"
            )
        return {"private_key": key, "thumbprint": wanted}
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        loaded = x509.load_pem_x509_certificate(certificate.encode())
    except ValueError:
        raise ImapFailure("The certificate in the secret cannot be read") from None
    known = {
        # Microsoft names a certificate by its SHA-1 thumbprint: an identifier, not security.
        loaded.fingerprint(hashes.SHA1()).hex(),  # noqa: S303  # nosec B303
        loaded.fingerprint(hashes.SHA256()).hex(),
    }
    if wanted not in known:
        raise ImapFailure("The thumbprint is not the certificate's in the secret")
    return {"private_key": key, "public_certificate": certificate}


def _token_uri_allowed(uri: str) -> bool:
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return True
    # Plain HTTP only to this machine (a test's token endpoint), never across a network.
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")


def google_token(connection: Connection) -> str:
    """An access token for Gmail IMAP from a Google service account with domain-wide delegation:
    a JWT signed with the account's key, naming the mailbox's user as ``sub``, exchanged at the
    key file's ``token_uri`` (RFC 7523)."""
    import jwt
    import requests

    try:
        key = json.loads(read_secret(connection.secret, connection.organisation))
        email, private_key, token_uri = key["client_email"], key["private_key"], key["token_uri"]
    except (ValueError, KeyError, TypeError):
        raise ImapFailure(
            "The Google service-account key is not a JSON key file with client_email, "
            "private_key and token_uri"
        ) from None
    if not _token_uri_allowed(str(token_uri)):
        raise ImapFailure("The Google key file's token_uri must be an https address")
    now = int(time.time())
    claims = {
        "iss": email,
        "sub": connection.username,
        "scope": GOOGLE_SCOPE,
        "aud": token_uri,
        "iat": now,
        "exp": now + 3600,
    }
    try:
        assertion = jwt.encode(claims, private_key, algorithm="RS256")
    except Exception:  # a malformed key: say so without quoting it
        raise ImapFailure("The Google service-account private key cannot sign") from None
    try:
        answer = requests.post(
            str(token_uri),
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            },
            timeout=DEFAULT_TIMEOUT,
        )
        body = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise ImapFailure(f"Google did not answer: {type(error).__name__}") from None
    token = body.get("access_token") if isinstance(body, dict) else None
    if answer.status_code != 200 or not token:
        detail = body.get("error", answer.status_code) if isinstance(body, dict) else "no token"
        raise ImapFailure(f"Google refused the service account: {detail}")
    return str(token)


# --- the client -------------------------------------------------------------------------------
def _short(kind: str, error: object) -> str:
    """``kind: what the error says``, on one line and short (never a secret: callers pass
    errors of sockets, TLS and servers, which do not hold one)."""
    text = str(error).replace("\r", " ").replace("\n", " ").strip()
    if not text and isinstance(error, BaseException):
        text = type(error).__name__
    return f"{kind}: {text}"[:200] if text else kind


def connect_reason(error: BaseException) -> str:
    """Why a connection failed, in plain words: a name not found, or nothing there answering
    as an IMAP server (refused, timed out, reset or a TLS handshake that failed alike)."""
    if isinstance(error, socket.gaierror):
        return "the server's name was not found"
    if isinstance(error, imaplib.IMAP4.error):
        return "the server there did not answer as an IMAP server"
    return "no IMAP server answered there"


#: How long one TLS context (the system's authorities loaded) serves every connection.
TLS_CONTEXT_SECONDS = 3600.0
_tls_contexts: dict[tuple[str, int, int], tuple[float, ssl.SSLContext]] = {}


def tls_context() -> ssl.SSLContext:
    """Certificates verified against the system's authorities and, when set, the extra ones in
    ``ONESTOP_IMAP_CA_FILE`` (a council's own or a test's).

    Loading the system's authorities costs more than reading a hundred messages, so a context
    is kept and shared by the connections of the next ``TLS_CONTEXT_SECONDS`` (nobody changes
    it after this); a change of the extra file (its path, time or size) makes a new one."""
    extra = getattr(settings, "ONESTOP_IMAP_CA_FILE", "")
    stamp = (-1, -1)
    if extra:
        with contextlib.suppress(OSError):  # missing: loading it below says so
            found = os.stat(extra)
            stamp = (found.st_mtime_ns, found.st_size)
    key = (str(extra), *stamp)
    now = time.monotonic()
    kept = _tls_contexts.get(key)
    if kept is not None and now - kept[0] < TLS_CONTEXT_SECONDS:
        return kept[1]
    context = ssl.create_default_context()
    if extra:
        context.load_verify_locations(cafile=extra)
    _tls_contexts.clear()
    _tls_contexts[key] = (now, context)
    return context


def _ok(answer: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = answer
    if status != "OK":
        detail = b" ".join(part for part in data if isinstance(part, bytes)).decode(
            "utf-8", "replace"
        )
        raise ImapFailure(_short(f"The server refused {what}", detail))
    return data


class Client:
    """One signed-in IMAP session on one folder."""

    def __init__(self, connection: Connection, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.connection = connection
        self.timeout = timeout
        self.imap: imaplib.IMAP4 | None = None
        self.capabilities: frozenset[str] = frozenset()
        self._idle_tag: bytes | None = None

    def __enter__(self) -> Client:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        connection = self.connection
        where = f"{connection.host}:{connection.port}"
        try:
            if connection.security == "tls":
                self.imap = imaplib.IMAP4_SSL(
                    connection.host,
                    connection.port,
                    ssl_context=tls_context(),
                    timeout=self.timeout,
                )
            else:
                self.imap = imaplib.IMAP4(connection.host, connection.port, timeout=self.timeout)
                if "STARTTLS" not in self.imap.capabilities:
                    raise ImapFailure(f"{where} does not offer STARTTLS")
                self.imap.starttls(ssl_context=tls_context())
        except ssl.SSLCertVerificationError as error:
            self.close()
            raise ImapFailure(
                _short(f"The certificate of {where} is not trusted", error.verify_message)
            ) from None
        except (OSError, imaplib.IMAP4.error) as error:
            self.close()
            # The operator's log has the error itself; the mailbox's page (an administrator's)
            # says it in plain words, the same whatever refused or dropped the connection, so
            # it cannot tell which of this machine's ports are open.
            logger.warning(
                "IMAP: cannot connect to %s: %s", where, _short(type(error).__name__, error)
            )
            raise ImapFailure(f"Cannot connect to {where}: {connect_reason(error)}") from None
        self.sign_in()

    def sign_in(self) -> None:
        imap = self._imap()
        connection = self.connection
        try:
            if connection.credential == "password":
                imap.login(
                    connection.username, read_secret(connection.secret, connection.organisation)
                )
            else:
                token = (
                    microsoft_token(connection)
                    if connection.credential == "microsoft"
                    else google_token(connection)
                )
                initial = xoauth2(connection.username, token)
                imap.authenticate("XOAUTH2", lambda _challenge: initial)
        except imaplib.IMAP4.error as error:
            self.close()
            raise ImapFailure(
                _short(f"The server refused the sign-in of {connection.username}", error)
            ) from None
        except UnicodeEncodeError:
            # imaplib sends ASCII only: a password with other characters cannot be sent.
            self.close()
            raise ImapFailure(
                "The password has characters other than A to Z, digits and punctuation, "
                "which IMAP's LOGIN cannot send"
            ) from None
        except ImapFailure:
            self.close()
            raise
        except OSError as error:
            self.close()
            raise ImapFailure(_short("The connection was lost", type(error).__name__)) from None
        # imaplib keeps the capabilities from before the sign-in; servers add MOVE, UIDPLUS ….
        try:
            _status, data = imap.capability()
            names = data[-1].decode("ascii", "replace").split() if data and data[-1] else []
        except (OSError, imaplib.IMAP4.error):
            names = list(imap.capabilities)
        self.capabilities = frozenset(str(name).upper() for name in names)

    def _imap(self) -> imaplib.IMAP4:
        if self.imap is None:
            raise ImapFailure("Not connected")
        return self.imap

    def close(self) -> None:
        if self._idle_tag is not None:
            with contextlib.suppress(ImapFailure):
                self.idle_done()
        imap, self.imap = self.imap, None
        if imap is None:
            return
        try:
            if imap.state == "SELECTED":
                imap.close()
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            with contextlib.suppress(OSError):
                imap.shutdown()

    def select(self, folder: str) -> int:
        """Open ``folder`` for reading and writing: its UIDVALIDITY."""
        imap = self._imap()
        _ok(imap.select(_quote(folder)), f"the folder {folder}")
        _code, data = imap.response("UIDVALIDITY")
        try:
            return int(data[-1])
        except (IndexError, ValueError):
            # Dovecot and every server we know send it; without it UIDs cannot be trusted.
            raise ImapFailure(f"The server gave no UIDVALIDITY for {folder}") from None

    def uid_search(self, *criteria: str) -> list[int]:
        data = _ok(self._imap().uid("SEARCH", *criteria), "the search")
        return sorted(int(uid) for chunk in data if chunk for uid in chunk.split())

    def sizes_after(self, last_uid: int) -> list[tuple[int, int]]:
        """``(uid, size)`` of every message with a UID above ``last_uid``, in UID order."""
        data = _ok(
            self._imap().uid("FETCH", f"{last_uid + 1}:*", "(UID RFC822.SIZE)"), "the listing"
        )
        found = []
        for line in data:
            if not isinstance(line, bytes):
                continue
            uid = re.search(rb"UID (\d+)", line)
            size = re.search(rb"RFC822\.SIZE (\d+)", line)
            if uid and size and int(uid.group(1)) > last_uid:  # n:* always names the last one
                found.append((int(uid.group(1)), int(size.group(1))))
        return sorted(found)

    def fetch(self, uids: Iterable[int]) -> dict[int, bytes]:
        """The whole raw messages (``BODY.PEEK[]``: nothing is marked read)."""
        wanted = list(uids)
        if not wanted:
            return {}
        data = _ok(self._imap().uid("FETCH", _uid_set(wanted), "(UID BODY.PEEK[])"), "the fetch")
        found: dict[int, bytes] = {}
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                uid = re.search(rb"UID (\d+)", item[0])
                if uid:
                    found[int(uid.group(1))] = item[1]
        return found

    def file_away(self, uids: list[int], processed_folder: str) -> None:
        """Move received messages to ``processed_folder`` or, without one, mark them read."""
        if not uids:
            return
        imap = self._imap()
        for start in range(0, len(uids), FETCH_BATCH * 5):
            chunk = _uid_set(uids[start : start + FETCH_BATCH * 5])
            if not processed_folder:
                _ok(imap.uid("STORE", chunk, "+FLAGS.SILENT", r"(\Seen)"), "marking read")
            elif "MOVE" in self.capabilities:
                _ok(imap.uid("MOVE", chunk, _quote(processed_folder)), "the move")
            else:
                _ok(imap.uid("COPY", chunk, _quote(processed_folder)), "the copy")
                _ok(imap.uid("STORE", chunk, "+FLAGS.SILENT", r"(\Deleted)"), "the move")
                if "UIDPLUS" in self.capabilities:
                    _ok(imap.uid("EXPUNGE", chunk), "the move")
                else:
                    _ok(imap.expunge(), "the move")

    # --- IDLE (RFC 2177) ---------------------------------------------------------------------
    # imaplib (before Python 3.14) has no IDLE: the command is sent and its lines read here.
    # While idling the session sends nothing else; any line the server sends (new mail, a
    # message gone, or its "still here") ends the wait, and the caller polls the folder.
    @property
    def offers_idle(self) -> bool:
        return "IDLE" in self.capabilities

    def idle_start(self) -> None:
        """Send ``IDLE`` and wait for the server's go-ahead (``+ idling``)."""
        imap = self._imap()
        if not self.offers_idle:
            raise ImapFailure(f"{self.connection.host} does not offer IDLE")
        tag = imap._new_tag()  # imaplib's own tag counter, so tags never repeat
        self._idle_tag = tag
        try:
            imap.send(tag + b" IDLE\r\n")
            line = imap.readline()
        except OSError as error:
            raise ImapFailure(_short("The connection was lost", type(error).__name__)) from None
        if not line.startswith(b"+"):
            self._idle_tag = None
            raise ImapFailure(_short("The server refused IDLE", line.decode("utf-8", "replace")))

    def fileno(self) -> int:
        """The socket's descriptor, for ``select`` over several idling sessions."""
        return self._imap().socket().fileno()

    def idle_buffered(self) -> bool:
        """Whether a line the server sent is already read from the socket (held in the
        buffers) and so would not wake a ``select`` on it: checked without blocking."""
        imap = self._imap()
        sock = imap.socket()
        reader = imap.file  # sock.makefile("rb"): a BufferedReader
        if not isinstance(reader, io.BufferedReader):
            return False
        timeout = sock.gettimeout()
        try:
            sock.setblocking(False)
            return bool(reader.peek(1))
        except OSError:  # nothing waiting (SSLWantReadError, BlockingIOError) or the socket gone
            return False
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(timeout)

    def idle_line(self) -> bytes:
        """The line the server sent while idling (call once the socket is readable)."""
        try:
            line = self._imap().readline()
        except OSError as error:
            raise ImapFailure(_short("The connection was lost", type(error).__name__)) from None
        if not line:
            raise ImapFailure("The server closed the connection")
        return line

    def idle_done(self) -> None:
        """End the IDLE (``DONE``) and read up to its tagged answer."""
        imap, tag = self._imap(), self._idle_tag
        if tag is None:
            return
        self._idle_tag = None
        try:
            imap.send(b"DONE\r\n")
            for _n in range(10_000):  # untagged lines that arrived meanwhile, then the answer
                line = imap.readline()
                if not line:
                    raise ImapFailure("The server closed the connection")
                if line.startswith(tag + b" "):
                    imap.tagged_commands.pop(tag, None)
                    return
        except OSError as error:
            raise ImapFailure(_short("The connection was lost", type(error).__name__)) from None
        raise ImapFailure("The server did not end the IDLE")

    def ensure_folder(self, folder: str) -> None:
        """Create ``folder`` if it is not there (an existing one is left as it is).  Another
        session may make it between the look and the ``CREATE`` (the worker's watching
        connection and its poll, two workers): a refused ``CREATE`` whose folder is then
        there (``[ALREADYEXISTS]``) is not a failure."""
        imap = self._imap()
        if self._listed(folder):
            return
        answer = imap.create(_quote(folder))
        if answer[0] != "OK" and self._listed(folder):
            return
        _ok(answer, f"creating the folder {folder}")

    def _listed(self, folder: str) -> bool:
        status, data = self._imap().list('""', _quote(folder))
        return status == "OK" and any(item for item in data if item)


def _quote(name: str) -> str:
    """A folder name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uid_set(uids: list[int]) -> str:
    """``1:3,7,9:10``: runs of consecutive UIDs joined, to keep commands short."""
    ordered = sorted(set(uids))
    runs: list[str] = []
    start = previous = ordered[0]
    for uid in ordered[1:]:
        if uid == previous + 1:
            previous = uid
            continue
        runs.append(f"{start}:{previous}" if start != previous else str(start))
        start = previous = uid
    runs.append(f"{start}:{previous}" if start != previous else str(start))
    return ",".join(runs)


def chunks(items: list[Any], size: int = FETCH_BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def reachable(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False

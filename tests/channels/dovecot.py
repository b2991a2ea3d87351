"""A real Dovecot IMAP server on loopback for the tests and ``bench/mail.py``.

Debian's ``dovecot-imapd`` with a configuration file of its own in a temporary folder: listening
on 127.0.0.1 on two unprivileged ports (IMAP with STARTTLS, and IMAPS), a ``passwd-file`` passdb
(users are added while it runs: Dovecot reads the file at each sign-in), a static userdb with
``uid=mail``, ``default_login_user = dovenull``, ``default_internal_user = dovecot``, maildirs
in the temporary folder owned by ``mail``, and a certificate signed by a throwaway CA that the
tests trust (``ONESTOP_IMAP_CA_FILE``).  Started in the foreground (``-F``) with its standard
output detached, in a session of its own, and stopped by its process id.
"""

from __future__ import annotations

import datetime
import imaplib
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import time
import uuid
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
POOL = 200


def available() -> str:
    """Why Dovecot cannot run here, or "" when it can."""
    if not Path(DOVECOT).exists():
        return "Dovecot is not installed (apt-get install dovecot-imapd)"
    if os.geteuid() != 0:
        return "Dovecot's test server must start as root (it drops to mail, dovenull, dovecot)"
    for user in ("mail", "dovenull", "dovecot"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"the system user {user} is missing (apt-get install dovecot-imapd)"
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _certificates(folder: Path) -> Path:
    """A CA and a certificate for 127.0.0.1 and localhost signed by it: the CA file's path."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OneStop test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "server.key").chmod(0o600)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return ca_file


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
default_login_user = dovenull
default_internal_user = dovecot
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login{oauth2_mechanisms}
mail_location = maildir:{root}/mail/%u
mail_uid = mail
mail_gid = mail
first_valid_uid = 1
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
{oauth2_passdb}}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


#: With ``oauth2_url``: XOAUTH2 and OAUTHBEARER sign-ins are checked by Dovecot's ``oauth2``
#: passdb, which posts the bearer token to the URL (RFC 7662 token introspection) and lets the
#: user in when the answer says ``"active": true`` and names them as ``username``.
OAUTH2_PASSDB = """\
  mechanisms = plain login
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
"""
OAUTH2_CONFIG = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


class Dovecot:
    """One Dovecot server; ``add_user`` makes a mailbox user, ``append`` delivers to it.

    ``oauth2_url``: also take XOAUTH2 sign-ins, their tokens checked at that introspection
    endpoint (a test's HTTP server on loopback)."""

    def __init__(self, root: Path, *, oauth2_url: str = "") -> None:
        self.root = root
        self.oauth2_url = oauth2_url
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.ca_file = Path()
        self.users: list[tuple[str, str]] = []

    def start(self) -> None:
        root = self.root
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
        for name in ("run", "state"):
            (root / name).mkdir(exist_ok=True)
        mail_dir = root / "mail"
        mail_dir.mkdir(exist_ok=True)
        mail = pwd.getpwnam("mail")
        os.chown(mail_dir, mail.pw_uid, mail.pw_gid)
        self.ca_file = _certificates(root)
        # Users made up front: Dovecot reads the passwd file again when it changes, but a sign-in
        # racing the change can miss a user just added.
        self.users = [
            (f"u{uuid.uuid4().hex[:12]}@test-council.example", uuid.uuid4().hex)
            for _n in range(POOL)
        ]
        (root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self.users)
        )
        (root / "passwd").chmod(0o644)
        config = root / "dovecot.conf"
        if self.oauth2_url:
            (root / "dovecot-oauth2.conf.ext").write_text(OAUTH2_CONFIG.format(url=self.oauth2_url))
        config.write_text(
            CONFIG.format(
                root=root,
                port=self.port,
                tls_port=self.tls_port,
                oauth2_mechanisms=" xoauth2 oauthbearer" if self.oauth2_url else "",
                oauth2_passdb=OAUTH2_PASSDB.format(root=root) if self.oauth2_url else "",
            )
        )
        self.process = subprocess.Popen(  # noqa: S603 - Debian's dovecot, our own config file
            [DOVECOT, "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = root / "dovecot.log"
                    text = log.read_text()[-2000:] if log.exists() else ""
                    raise RuntimeError(f"Dovecot did not start: {text}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)

    def add_user(self) -> tuple[str, str]:
        """A mailbox user no test has used: ``(username, password)``."""
        return self.users.pop()

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def client(self, username: str, password: str) -> imaplib.IMAP4_SSL:
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.tls_port, ssl_context=self.context(), timeout=30)
        imap.login(username, password)
        return imap

    def append(
        self, username: str, password: str, messages: list[bytes], folder: str = "INBOX"
    ) -> None:
        """Deliver ``messages`` into ``folder`` (created when missing) by IMAP APPEND."""
        imap = self.client(username, password)
        try:
            imap.create(f'"{folder}"')
            for raw in messages:
                status, data = imap.append(f'"{folder}"', None, None, raw)
                assert status == "OK", data
        finally:
            imap.logout()

    def uids(self, username: str, password: str, folder: str) -> list[int]:
        """The UIDs of the messages in ``folder`` (none when it does not exist)."""
        imap = self.client(username, password)
        try:
            status, _data = imap.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            status, data = imap.uid("SEARCH", "ALL")
            return [int(uid) for uid in data[0].split()]
        finally:
            imap.logout()

    def bodies(self, username: str, password: str, folder: str) -> list[bytes]:
        imap = self.client(username, password)
        try:
            status, _data = imap.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            status, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
            return [item[1] for item in data if isinstance(item, tuple)]
        finally:
            imap.logout()

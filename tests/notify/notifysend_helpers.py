"""Test helpers of sending (notifysend): a message factory and a local GOV.UK Notify.

``FakeNotify`` is an HTTP server on loopback that speaks the part of Notify's documented API
OneStop uses: ``POST /v2/notifications/email|sms|letter`` and ``GET /v2/notifications`` (with
``reference``), with Notify's response shapes, its error bodies (``{"status_code": 400,
"errors": [{"error": "BadRequestError", "message": ...}]}``), 403 for a bad token, and the
simulated recipients behaving as Notify documents them.  Every request's JWT is checked with
the client library's own decoder against the test key's secret.  ``bench/notify.py`` uses it too.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from django.db import connection
from django.utils import timezone
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

from onestop.core.models import Organisation
from onestop.notify.models import Channel, Event, Message, MessageStatus, RecipientKind

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"onestop_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
SMS_TEMPLATE = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
CALLBACK_TOKEN = "a-callback-token-of-at-least-some-length-0123456789"

# Notify's simulated recipients (docs: "Testing", smoke testing).
DELIVERED_EMAIL = "simulate-delivered@notifications.service.gov.uk"
TEMPORARY_EMAIL = "temp-fail@simulator.notify"
PERMANENT_EMAIL = "perm-fail@simulator.notify"
SIMULATED_EMAIL = {
    DELIVERED_EMAIL: "delivered",
    "simulate-delivered-2@notifications.service.gov.uk": "delivered",
    "simulate-delivered-3@notifications.service.gov.uk": "delivered",
    TEMPORARY_EMAIL: "temporary-failure",
    PERMANENT_EMAIL: "permanent-failure",
}
SIMULATED_SMS = {
    "07700900000": "delivered",
    "07700900111": "delivered",
    "07700900222": "delivered",
    "07700900003": "temporary-failure",
    "07700900002": "permanent-failure",
}


def national(number: str) -> str:
    digits = "".join(character for character in number if character.isdigit())
    return "0" + digits[2:] if digits.startswith("44") else digits


def message(organisation: Organisation, **fields: Any) -> Message:
    """A pending message as the composing side writes it (e-mail to a customer by default)."""
    now = timezone.now()
    values: dict[str, Any] = {
        "organisation": organisation,
        "recipient_kind": RecipientKind.CUSTOMER,
        "recipient_label": "Sam Resident",
        "address": "sam@example.org",
        "channel": Channel.EMAIL,
        "event": Event.ACKNOWLEDGEMENT,
        "subject": "We have your request",
        "body": "Dear Sam Resident,\n\nWe have your request about a missed bin.",
        "created_at": now,
        "updated_at": now,
        "status": MessageStatus.PENDING,
        **fields,
    }
    created: Message = Message.objects.create(**values)
    return created


def _stamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeNotify:
    """The local Notify: start it, point ``ONESTOP_NOTIFY_BASE_URL`` at ``url``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.reset()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeNotify:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.notifications: list[dict[str, Any]] = []
            self.posts: Counter[str] = Counter()  # notifications created, by reference
            self.requests: list[tuple[str, str]] = []  # (method, path) of every request
            self.bad_tokens = 0
            self.failures: deque[tuple[int, str, str]] = deque()  # answers for the next POSTs
            self.templates = {EMAIL_TEMPLATE: "email", SMS_TEMPLATE: "sms"}

    def fail_next(self, status: int, error: str, message: str, *, times: int = 1) -> None:
        """Answer the next ``times`` POSTs with this documented error."""
        with self.lock:
            self.failures.extend([(status, error, message)] * times)

    def received(self, reference: str) -> int:
        with self.lock:
            return self.posts[reference]

    def by_reference(self, reference: str) -> list[dict[str, Any]]:
        with self.lock:
            return [item for item in self.notifications if item["reference"] == reference]

    # --- the API -----------------------------------------------------------------------------
    def _create(self, kind: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if self.failures:
                status, error, message = self.failures.popleft()
                return status, {
                    "status_code": status,
                    "errors": [{"error": error, "message": message}],
                }
        reference = data.get("reference")
        if kind == "letter":
            return self._letter(data)
        template_id = str(data.get("template_id", ""))
        if self.templates.get(template_id) != kind:
            return _error(400, "BadRequestError", "Template not found")
        personalisation = data.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            return _error(400, "ValidationError", "personalisation is not of type object")
        if template_id in {EMAIL_TEMPLATE, SMS_TEMPLATE}:
            for key in ("subject", "body") if kind == "email" else ("body",):
                if key not in personalisation:
                    return _error(400, "BadRequestError", f"Missing personalisation: {key}")
        if kind == "email":
            to = str(data.get("email_address", ""))
            if "@" not in to:
                return _error(400, "ValidationError", "email_address Not a valid email address")
            outcome = SIMULATED_EMAIL.get(to.lower(), "sending")
        else:
            to = str(data.get("phone_number", ""))
            if len(national(to)) < 10:
                return _error(400, "ValidationError", "phone_number Not enough digits")
            outcome = SIMULATED_SMS.get(national(to), "sending")
        notification = self._store(kind, reference, to, outcome, template_id, personalisation)
        content: dict[str, Any] = {"body": personalisation.get("body", "")}
        if kind == "email":
            content.update(
                subject=personalisation.get("subject", ""),
                from_email="test.council@notifications.service.gov.uk",
                one_click_unsubscribe_url=None,
            )
        else:
            content["from_number"] = "GOVUK"
        return 201, {
            "id": notification["id"],
            "reference": reference,
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification['id']}",
            "template": notification["template"],
            "scheduled_for": None,
        }

    def _letter(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        reference = data.get("reference")
        if not reference:
            return _error(400, "ValidationError", "reference is a required property")
        try:
            pdf = base64.b64decode(str(data.get("content", "")), validate=True)
        except (binascii.Error, ValueError):
            return _error(400, "ValidationError", "content is not a valid base64 string")
        if not pdf.startswith(b"%PDF"):
            return _error(400, "ValidationError", "Letter content is not a valid PDF")
        postage = data.get("postage", "second")
        notification = self._store("letter", reference, "", "accepted", "", {})
        notification["postage"] = postage
        notification["pdf_bytes"] = len(pdf)
        return 201, {"id": notification["id"], "reference": reference, "postage": postage}

    def _store(
        self,
        kind: str,
        reference: Any,
        to: str,
        status: str,
        template_id: str,
        personalisation: dict[str, Any],
    ) -> dict[str, Any]:
        now = timezone.now()
        identifier = str(uuid.uuid4())
        notification = {
            "id": identifier,
            "reference": reference,
            "email_address": to if kind == "email" else None,
            "phone_number": to if kind == "sms" else None,
            "type": kind,
            "status": status,
            "template": {
                "id": template_id,
                "version": 1,
                "uri": f"{self.url}/v2/template/{template_id}/version/1",
            },
            "body": personalisation.get("body", ""),
            "subject": personalisation.get("subject") if kind == "email" else None,
            "personalisation": personalisation,  # as received (Notify shows it rendered)
            "created_at": _stamp(now),
            "created_by_name": None,
            "sent_at": _stamp(now),
            "completed_at": _stamp(now) if status != "sending" else None,
        }
        with self.lock:
            self.notifications.append(notification)
            self.posts[str(reference)] += 1
        return notification

    def _list(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        references = query.get("reference")
        reference = references[0] if references else None
        with self.lock:
            found = [
                {
                    key: value
                    for key, value in item.items()
                    if key not in {"pdf_bytes", "personalisation"}
                }
                for item in reversed(self.notifications)
                if reference is None or item["reference"] == reference
            ]
        return 200, {
            "notifications": found[:250],
            "links": {"current": f"{self.url}/v2/notifications"},
        }


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def _handler(notify: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            # Headers and body in one write: two small writes on a kept-alive connection wait
            # for the client's delayed ACK (40 ms a request).
            self._headers_buffer.extend([b"\r\n", data])  # type: ignore[attr-defined]
            self.flush_headers()

        def _authorised(self) -> bool:
            scheme, _space, token = self.headers.get("Authorization", "").partition(" ")
            try:
                return (
                    scheme == "Bearer"
                    and get_token_issuer(token) == SERVICE_ID  # type: ignore[no-untyped-call]
                    and bool(decode_jwt_token(token, SECRET))  # type: ignore[no-untyped-call]
                )
            except TokenError:
                return False

        def _refuse_token(self) -> None:
            with notify.lock:
                notify.bad_tokens += 1
            self._answer(
                *_error(403, "AuthError", "Invalid token: signature, api token is not valid")
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with notify.lock:
                notify.requests.append(("POST", self.path))
            if not self._authorised():
                self._refuse_token()
                return
            kind = self.path.removeprefix("/v2/notifications/")
            if kind not in {"email", "sms", "letter"}:
                self._answer(*_error(404, "ResourceNotFound", "Not found"))
                return
            try:
                data = json.loads(raw)
            except ValueError:
                self._answer(*_error(400, "BadRequestError", "Invalid JSON supplied in POST data"))
                return
            self._answer(*notify._create(kind, data if isinstance(data, dict) else {}))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with notify.lock:
                notify.requests.append(("GET", self.path))
            if not self._authorised():
                self._refuse_token()
                return
            if parts.path != "/v2/notifications":
                self._answer(*_error(404, "ResourceNotFound", "Not found"))
                return
            self._answer(*notify._list(parse_qs(parts.query)))

    return Handler


def running() -> Iterator[FakeNotify]:
    """A started local Notify, stopped afterwards (for a fixture)."""
    server = FakeNotify().start()
    try:
        yield server
    finally:
        server.stop()


# --- a worker in another process against the local Notify (the kill tests) ----------------------
ROOT = Path(__file__).resolve().parents[2]


def worker_database_url() -> str:
    """The test database as a worker subprocess names it (PostgreSQL: the test run's database)."""
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgresql:///"))
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


def start_worker(notify: FakeNotify, *, lease_seconds: int) -> subprocess.Popen[bytes]:
    """``onestop worker --until-idle`` sending to ``notify`` in batches of 50, unthrottled, with
    claims that expire after ``lease_seconds`` (so a killed worker's claims come back soon)."""
    environment = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "ONESTOP_DEV": "1",
        "ONESTOP_DEBUG": "0",
        "ONESTOP_MESSAGE_SENDER": "notify",
        "ONESTOP_NOTIFY_API_KEY": API_KEY,
        "ONESTOP_NOTIFY_BASE_URL": notify.url,
        "ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
        "ONESTOP_NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
        "ONESTOP_NOTIFY_RATE_PER_MINUTE": "0",
        "ONESTOP_MESSAGE_BATCH": "50",
        "ONESTOP_MESSAGE_SENDING_LEASE_SECONDS": str(lease_seconds),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "onestop.cli", "worker", "--until-idle", "--verbosity", "0"],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def received(notify: FakeNotify) -> int:
    """How many notifications the local Notify has received."""
    with notify.lock:
        return sum(notify.posts.values())

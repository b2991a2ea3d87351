"""The GOV.UK Notify sender and the worker's step against a local Notify (``FakeNotify``):
requests signed as Notify checks them, Notify's answers and errors, its simulated recipients,
retries with backoff, and never twice after a crash."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from onestop.core.models import Organisation
from onestop.notify.models import Channel, Message, MessageStatus
from onestop.notify.senders import configured
from onestop.notify.senders.govuk import NotifySender
from onestop.notify.senders.ratelimit import TokenBucket
from onestop.notify.services import history, sending
from tests.notify import notifysend_helpers as helpers
from tests.notify.notifysend_helpers import FakeNotify

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def notify_server() -> Iterator[FakeNotify]:
    yield from helpers.running()


@pytest.fixture
def notify(notify_server: FakeNotify, settings: Any) -> FakeNotify:
    notify_server.reset()
    settings.ONESTOP_MESSAGE_SENDER = "notify"
    settings.ONESTOP_NOTIFY_API_KEY = helpers.API_KEY
    settings.ONESTOP_NOTIFY_BASE_URL = notify_server.url
    settings.ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID = helpers.EMAIL_TEMPLATE
    settings.ONESTOP_NOTIFY_SMS_TEMPLATE_ID = helpers.SMS_TEMPLATE
    settings.ONESTOP_NOTIFY_RATE_PER_MINUTE = 0
    settings.ONESTOP_MESSAGE_RETRY_SECONDS = 60
    settings.ONESTOP_MESSAGE_MAX_ATTEMPTS = 3
    return notify_server


def _fresh(message: Message) -> Message:
    message.refresh_from_db()
    return message


def _due_again(message: Message) -> None:
    Message.objects.for_organisation(message.organisation_id).filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_an_email_goes_to_notify_signed_with_the_generic_template(
    notify: FakeNotify, council: Organisation
) -> None:
    message = helpers.message(council)
    run = sending.process_due()
    assert run.claimed == 1
    message = _fresh(message)
    assert message.status == MessageStatus.SENT
    assert message.provider == "notify"
    assert message.attempts == 1
    [created] = notify.by_reference(message.reference)
    assert message.provider_id == created["id"]
    assert created["email_address"] == "sam@example.org"
    assert created["template"]["id"] == helpers.EMAIL_TEMPLATE
    assert created["subject"] == "We have your request"
    assert created["body"].startswith("Dear Sam Resident")
    assert message.reference == f"onestop-{message.pk}"  # no personal data in the reference
    assert notify.bad_tokens == 0
    assert notify.requests == [("POST", "/v2/notifications/email")]
    assert sending.process_due().claimed == 0  # nothing is due any more


def test_a_text_message_and_a_letter(notify: FakeNotify, council: Organisation) -> None:
    text = helpers.message(council, channel=Channel.SMS, address="+447700900123", subject="")
    letter = helpers.message(
        council,
        channel=Channel.LETTER,
        address="Sam Resident\n1 High Street\nTesttown\nTT1 1AA",
        format="large-print",
    )
    sending.process_due()
    assert _fresh(text).status == MessageStatus.SENT
    assert notify.by_reference(text.reference)[0]["phone_number"] == "+447700900123"
    assert notify.by_reference(text.reference)[0]["template"]["id"] == helpers.SMS_TEMPLATE
    assert _fresh(letter).status == MessageStatus.SENT
    [sent_letter] = notify.by_reference(letter.reference)
    assert sent_letter["type"] == "letter"
    assert sent_letter["postage"] == "second"
    assert sent_letter["pdf_bytes"] > 1000
    assert _fresh(letter).provider_id == sent_letter["id"]


def test_an_organisation_own_notify_template_is_used(
    notify: FakeNotify, council: Organisation
) -> None:
    own = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    notify.templates[own] = "email"
    # As compose writes it when the organisation maps the event to its own Notify template
    # (tests/notify/test_notifyops_templates.py writes it so).
    message = helpers.message(
        council, notify_template_id=own, personalisation={"reference": "SR-26-00001"}
    )
    sending.process_due()
    assert _fresh(message).status == MessageStatus.SENT
    [notification] = notify.by_reference(message.reference)
    assert notification["template"]["id"] == own
    assert notification["personalisation"] == {"reference": "SR-26-00001"}


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (400, "BadRequestError", "Can't send to this recipient using a team-only API key"),
        (400, "ValidationError", "email_address Not a valid email address"),
        (403, "AuthError", "Invalid token: API key not found"),
    ],
)
def test_a_4xx_is_a_permanent_failure_with_notify_reason(
    notify: FakeNotify, council: Organisation, status: int, error: str, text: str
) -> None:
    message = helpers.message(council)
    notify.fail_next(status, error, text)
    sending.process_due()
    message = _fresh(message)
    assert message.status == MessageStatus.PERMANENT_FAILURE
    assert text in message.last_error
    assert str(status) in message.last_error
    assert message.next_attempt_at is None
    assert sending.process_due().claimed == 0  # never tried again


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (
            429,
            "RateLimitError",
            "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
        ),
        (500, "Exception", "Internal server error"),
    ],
)
def test_429_and_5xx_retry_with_backoff_then_send_once(
    notify: FakeNotify, council: Organisation, status: int, error: str, text: str
) -> None:
    message = helpers.message(council)
    notify.fail_next(status, error, text)
    before = timezone.now()
    sending.process_due()
    message = _fresh(message)
    assert message.status == MessageStatus.TEMPORARY_FAILURE
    assert text in message.last_error
    assert message.next_attempt_at is not None
    # The first retry waits between half and all of ONESTOP_MESSAGE_RETRY_SECONDS (60).
    delay = (message.next_attempt_at - before).total_seconds()
    assert 29 <= delay <= 61
    assert sending.process_due().claimed == 0  # not due yet
    _due_again(message)
    sending.process_due()
    message = _fresh(message)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert notify.received(message.reference) == 1
    # The retry first asked Notify whether it had the message (it had not).
    assert ("GET", f"/v2/notifications?reference={message.reference}") in notify.requests


def test_temporary_failures_up_to_the_limit_become_a_technical_failure(
    notify: FakeNotify, council: Organisation
) -> None:
    message = helpers.message(council)
    notify.fail_next(500, "Exception", "Internal server error", times=3)
    for _attempt in range(3):
        _due_again(message)
        sending.process_due()
    message = _fresh(message)
    assert message.status == MessageStatus.TECHNICAL_FAILURE
    assert message.attempts == 3
    assert message.last_error.startswith("Gave up after 3 attempts")
    assert notify.received(message.reference) == 0


def test_a_network_error_is_temporary(
    notify: FakeNotify, council: Organisation, settings: Any
) -> None:
    settings.ONESTOP_NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens on discard
    settings.ONESTOP_NOTIFY_TIMEOUT_SECONDS = 2
    message = helpers.message(council)
    sending.process_due()
    message = _fresh(message)
    assert message.status == MessageStatus.TEMPORARY_FAILURE
    assert "503" in message.last_error  # the client reports a failed request as 503


def test_simulated_recipients_behave_as_notify_documents(
    notify: FakeNotify, council: Organisation
) -> None:
    messages = {
        address: helpers.message(council, address=address)
        for address in (helpers.DELIVERED_EMAIL, helpers.TEMPORARY_EMAIL, helpers.PERMANENT_EMAIL)
    }
    texts = {
        number: helpers.message(council, channel=Channel.SMS, address=number)
        for number in ("+447700900003", "+447700900002", "+447700900000")
    }
    sending.process_due()
    # Notify takes them all (201); what happened comes later, by receipt or look-up.
    assert {_fresh(m).status for m in [*messages.values(), *texts.values()]} == {MessageStatus.SENT}
    later = timezone.now() + datetime.timedelta(hours=2)
    changed = sending.look_up_statuses(now=later)
    assert changed == 6
    assert _fresh(messages[helpers.DELIVERED_EMAIL]).status == MessageStatus.DELIVERED
    assert _fresh(messages[helpers.PERMANENT_EMAIL]).status == MessageStatus.PERMANENT_FAILURE
    assert _fresh(texts["+447700900002"]).status == MessageStatus.PERMANENT_FAILURE
    assert _fresh(texts["+447700900000"]).status == MessageStatus.DELIVERED
    for temporary in (messages[helpers.TEMPORARY_EMAIL], texts["+447700900003"]):
        temporary = _fresh(temporary)
        assert temporary.status == MessageStatus.TEMPORARY_FAILURE
        assert temporary.last_error == "GOV.UK Notify: temporary-failure"
        assert temporary.next_attempt_at is not None
    # A temporary failure is sent again (Notify's failed notification is not "already sent").
    _due_again(messages[helpers.TEMPORARY_EMAIL])
    sending.process_due()
    assert notify.received(messages[helpers.TEMPORARY_EMAIL].reference) == 2
    # The simulated address fails again: the second notification's receipt says so too.
    assert sending.look_up_statuses(now=later) == 1
    assert _fresh(messages[helpers.TEMPORARY_EMAIL]).attempts == 2
    assert sending.look_up_statuses(now=later) == 0  # nothing more to learn


def test_a_message_left_sending_by_a_crash_is_found_at_notify_not_sent_again(
    notify: FakeNotify, council: Organisation
) -> None:
    sent_before_crash = helpers.message(council)
    never_sent = helpers.message(council, address="other@example.org")
    # The worker claimed both, sent the first, and died before recording anything.
    claimed = sending.claim(10)
    assert [m.pk for m in claimed] == [sent_before_crash.pk, never_sent.pk]
    answer = configured().send(claimed[0])
    assert sending.process_due().claimed == 0  # still within the lease
    Message.objects.for_organisation(council).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    sending.process_due()
    recovered = _fresh(sent_before_crash)
    assert recovered.status == MessageStatus.SENT
    assert recovered.provider_id == answer.provider_id
    assert notify.received(sent_before_crash.reference) == 1
    assert _fresh(never_sent).status == MessageStatus.SENT
    assert notify.received(never_sent.reference) == 1


def test_a_receipt_before_the_worker_records_keeps_its_status(
    notify: FakeNotify, council: Organisation
) -> None:
    message = helpers.message(council, address=helpers.DELIVERED_EMAIL)
    [claimed] = sending.claim(1)
    sender = configured()
    sent = sender.send(claimed)
    Message.objects.for_organisation(council).filter(pk=message.pk).update(
        status=MessageStatus.DELIVERED
    )
    changes: list[history.Change] = []
    assert sending._record(claimed, sent, timezone.now(), changes) == MessageStatus.DELIVERED
    assert _fresh(message).provider_id == sent.provider_id
    assert changes == []  # the receipt's change is the receipt's to record


def test_the_rate_limit_is_taken_for_every_request(
    notify: FakeNotify, council: Organisation, settings: Any
) -> None:
    settings.ONESTOP_NOTIFY_RATE_PER_MINUTE = 3000
    sender = configured()
    assert isinstance(sender, NotifySender)
    waits: list[float] = []
    moment = [0.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        moment[0] += seconds

    sender.bucket.clock = lambda: moment[0]
    sender.bucket.sleep = sleep
    sender.bucket.updated = 0.0
    for number in range(60):
        helpers.message(council, address=f"person{number}@example.org")
    sending.process_due(sender=sender)
    # 50 a second may go at once; the other 10 waited for the bucket to refill.
    assert len(waits) == 10
    assert sum(waits) == pytest.approx(10 * 60 / (3000 - 50))
    assert sum(1 for item in notify.notifications if item["type"] == "email") == 60


def _send_test(*arguments: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("notify", "send-test", *arguments, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_send_test_prints_what_notify_answered(notify: FakeNotify, council: Organisation) -> None:
    status, out, err = _send_test("--organisation", council.slug, "--to", "07700 900111")
    assert (status, err) == (0, "")
    assert "send-test: notify took message onestop-" in out
    assert '"from_number": "GOVUK"' in out
    [created] = notify.notifications
    assert created["phone_number"] == "+447700900111"
    assert created["body"].startswith("This is a test message from OneStop")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("--organisation", "no-such-council", "--to", "a@example.org"), "no organisation"),
        (("--organisation", "test-council", "--to", "not an address"), "(--to)"),
        (("--organisation", "test-council", "--to", "x@"), "(--to)"),
    ],
)
def test_send_test_refuses_bad_input_with_one_line(
    notify: FakeNotify, council: Organisation, arguments: tuple[str, ...], expected: str
) -> None:
    status, _out, err = _send_test(*arguments)
    assert status == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert notify.requests == []
    assert not Message.objects.for_organisation(council).exists()


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("ONESTOP_MESSAGE_SENDER", "pigeon", "ONESTOP_MESSAGE_SENDER"),
        ("ONESTOP_NOTIFY_API_KEY", "", "ONESTOP_NOTIFY_API_KEY"),
        ("ONESTOP_NOTIFY_API_KEY", "not-a-key", "ONESTOP_NOTIFY_API_KEY"),
        ("ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID", "welcome", "ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID"),
        ("ONESTOP_NOTIFY_SMS_TEMPLATE_ID", "", "ONESTOP_NOTIFY_SMS_TEMPLATE_ID"),
        ("ONESTOP_NOTIFY_BASE_URL", "ftp://notify", "ONESTOP_NOTIFY_BASE_URL"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(
    notify: FakeNotify, council: Organisation, setting: str, value: str, named: str
) -> None:
    with override_settings(**{setting: value}):
        status, _out, err = _send_test("--organisation", council.slug, "--to", "a@example.org")
    assert status == 2
    assert named in err
    assert len(err.strip().splitlines()) == 1
    assert notify.requests == []


@pytest.mark.parametrize("per_minute", [120, 3000])
def test_the_token_bucket_never_allows_more_than_the_rate_in_any_minute(per_minute: int) -> None:
    moment = [0.0]

    def sleep(seconds: float) -> None:
        moment[0] += seconds

    bucket = TokenBucket(per_minute, clock=lambda: moment[0], sleep=sleep)
    sent_at = []
    for number in range(per_minute * 3):
        if number % 7 == 0:
            moment[0] += 0.01  # some work between sends
        bucket.take()
        sent_at.append(moment[0])
    window = 0
    for first, start in enumerate(sent_at):
        while window < len(sent_at) and sent_at[window] < start + 60:
            window += 1
        assert window - first <= per_minute
    # ... and it is not needlessly slow: three minutes' allowance takes about three minutes.
    assert 170 < sent_at[-1] < 185

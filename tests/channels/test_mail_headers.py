"""``channels.mail``'s Subject and Message-ID read without the policy's header parser when the
value has the plain shape (``_PLAIN_VALUES``): the same text the parser gives (``_header``), for
that shape and for every value near it (which the parser reads instead)."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.parser import BytesParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.channels import mail

NAMES = ("subject", "message-id")


def _message(name: str, value: str) -> Message:
    raw = f"From: a@example.org\r\n{name}: {value}\r\n\r\nbody\r\n".encode(
        "utf-8", "surrogateescape"
    )
    return BytesParser(policy=mail._POLICY, _class=EmailMessage).parsebytes(raw)


def _plain(message: Message, name: str) -> bool:
    value = mail._first_raw(message, name)
    return value is not None and mail._PLAIN_VALUES[name].fullmatch(value) is not None


def _same(name: str, value: str) -> bool:
    """Whether the value was read without the parser; either way, as the parser reads it."""
    message = _message(name, value)
    assert mail._plain_header(message, name) == mail._header(message, name), (name, value)
    return _plain(message, name)


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("Missed bin at number 12", True),
        ('Re: [SR-26-00011] (bins) "again" <soon>; 100% = ok?', True),
        ("a\\b", True),
        # Near the plain shape: left to the parser.
        ("=?utf-8?q?Missed_bin?=", False),
        ("Missed =?utf-8?b?YmlucyE=?= again", False),
        ("Missed  bin", False),
        ("Missed\tbin", False),
        ("Missed bin\r\n at number 12", False),
        ("Missèd bin", False),
        ("", False),
    ],
)
def test_plain_subjects_are_read_as_the_parser_reads_them(value: str, plain: bool) -> None:
    assert _same("subject", value) is plain


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("<bench-1-12@example.org>", True),
        ("<a.b+c=d@mx.example.org>", True),
        ("<CAF=x_Y!#$%&'*/?^`{|}~@mail.gmail.com>", True),
        # Near the plain shape: left to the parser (some of which it cannot read at all).
        ("<=?utf-8?q?x?=@example.org>", False),
        ("<a..b@example.org>", False),
        ("<.a@example.org>", False),
        ("<a@[127.0.0.1]>", False),
        ("<a@example.org> (comment)", False),
        ("a@example.org", False),
        ("<a b@example.org>", False),
        ('<"a"@example.org>', False),
        ("<a@example.org", False),
        ("", False),
    ],
)
def test_plain_message_ids_are_read_as_the_parser_reads_them(value: str, plain: bool) -> None:
    assert _same("message-id", value) is plain


def test_the_first_header_is_the_one_read() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: one\r\nSubject: two\r\n"
        b"Message-ID: <1@example.org>\r\nMessage-ID: <2@example.org>\r\n\r\nx\r\n"
    )
    message = BytesParser(policy=mail._POLICY, _class=EmailMessage).parsebytes(raw)
    assert mail._plain_header(message, "subject") == mail._header(message, "subject") == "one"
    assert (
        mail._plain_header(message, "message-id")
        == mail._header(message, "message-id")
        == "<1@example.org>"
    )


def test_a_missing_header_is_empty() -> None:
    message = _message("x-other", "1")
    assert mail._plain_header(message, "subject") == mail._header(message, "subject") == ""
    assert mail._plain_header(message, "message-id") == ""


ALPHABET = "aZ09 ._%+-@<>\"(),;:=?\\\t'!#$&*/^`{|}~[]é"


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(NAMES),
    st.one_of(
        st.from_regex(mail._PLAIN_VALUES["subject"], fullmatch=True),
        st.from_regex(mail._PLAIN_VALUES["message-id"], fullmatch=True),
        st.text(alphabet=ALPHABET, max_size=40),
        st.builds(
            lambda local, domain: f"<{local}@{domain}>",
            st.text(alphabet=ALPHABET, min_size=1, max_size=12),
            st.text(alphabet=ALPHABET, min_size=1, max_size=12),
        ),
    ),
)
def test_any_value_is_read_as_the_parser_reads_it(name: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        return
    _same(name, value)

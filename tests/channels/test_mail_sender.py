"""``channels.mail``'s From address read without the standard library's address parser when the
value has the plain shape (``_PLAIN_FROM``): the same address and display name the parser
gives, for that shape and for every value near it (which the parser reads instead)."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.parser import BytesParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onestop.channels import mail


def _message(value: str) -> Message:
    raw = f"From: {value}\r\nSubject: s\r\n\r\nbody\r\n".encode("utf-8", "surrogateescape")
    return BytesParser(policy=mail._POLICY, _class=EmailMessage).parsebytes(raw)


def _by_the_parser(message: Message, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    with monkeypatch.context() as patched:
        patched.setattr(mail, "_plain_sender", lambda _message: None)
        return mail._sender(message)


def _same(value: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str] | None:
    message = _message(value)
    expected = _by_the_parser(message, monkeypatch)
    plain = mail._plain_sender(message)
    if plain is not None:
        assert plain == expected, value
    assert mail._sender(message) == expected, value
    return plain


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("Resident 12 <resident12@example.org>", ("resident12@example.org", "Resident 12")),
        ("ann.able+bins@Example.ORG", ("ann.able+bins@Example.ORG", "")),
        ("Ann <a_b-c%d@mx.example.org>", ("a_b-c%d@mx.example.org", "Ann")),
        # Near the plain shape: left to the parser, which answers as before.
        ('"Able, Ann" <ann@example.org>', None),
        ("Ann Able <ann@example.org> (home)", None),
        ("=?utf-8?q?Ann_=C3=81ble?= <ann@example.org>", None),
        ("Ann  Able <ann@example.org>", None),
        ("Ann.Able <ann@example.org>", None),
        ("<ann@example.org>", None),
        ("ann@example.org, bob@example.org", None),
        ("Ann <ann@example.org>\r\n Able", None),
        ("Friends: ann@example.org;", None),
        ("ann..able@example.org", None),
        ("ann@", None),
        ("", None),
    ],
)
def test_plain_from_values_are_read_as_the_parser_reads_them(
    value: str, plain: tuple[str, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _same(value, monkeypatch) == plain


def test_the_first_from_header_is_the_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = b"From: Ann <ann@example.org>\r\nFrom: Bo <bo@example.org>\r\n\r\nx\r\n"
    message = BytesParser(policy=mail._POLICY, _class=EmailMessage).parsebytes(raw)
    assert (
        mail._sender(message) == _by_the_parser(message, monkeypatch) == ("ann@example.org", "Ann")
    )


ALPHABET = "aZ09 ._%+-@<>\"(),;:=?\\\t'!#é"


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.from_regex(mail._PLAIN_FROM, fullmatch=True),
        st.text(alphabet=ALPHABET, max_size=40),
        st.builds(
            lambda name, local, domain: f"{name} <{local}@{domain}>",
            st.text(alphabet=ALPHABET, max_size=12),
            st.text(alphabet=ALPHABET, min_size=1, max_size=12),
            st.text(alphabet=ALPHABET, min_size=1, max_size=12),
        ),
    )
)
def test_any_from_value_is_read_as_the_parser_reads_it(value: str) -> None:
    if "\n" in value or "\r" in value:
        return
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(value, monkeypatch)

"""Reading an inbound e-mail into plain, safe values: pure functions, no database.

Everything here copes with whatever arrives: malformed MIME, unknown character sets, bad
base64, header defects, 8-bit garbage, missing headers, MIME bombs.  The parser is the standard
library's (``BytesParser`` with ``policy.default``); where it raises on a header we fall back to
the header's raw text, and bodies are decoded by hand so an unknown charset or broken transfer
encoding becomes replacement characters instead of an exception.
"""

from __future__ import annotations

import codecs
import email.header
import email.utils
import functools
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import Any

from inscriptis import get_text

from onestop.core.text import remove_hidden

# Limits (MIME bomb, huge headers): parts walked, nesting depth, header section size.
MAX_PARTS = 200
MAX_DEPTH = 20
MAX_HEADER_BYTES = 100 * 1024
MAX_TEXT_CHARACTERS = 1_000_000  # text kept in memory per message before the case's own cap
# Only this much HTML is read (a bound on the work and the tree lxml builds; the parser is
# linear, unlike html.parser, which was quadratic on "<a " repeated).
MAX_HTML_CHARACTERS = 200_000
HTML_TRUNCATED = "[The rest of the HTML was not read: the whole e-mail is kept.]"
# The standard library's address-list parser is slow on long lists: a header value is cut to
# this many characters before it is parsed.
MAX_HEADER_VALUE = 8 * 1024
SUBJECT_LIMIT = 300
NAME_LIMIT = 200

_HEADER_SPACE = re.compile(r"[\t\r\n ]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_HEADER_END = re.compile(rb"\r?\n\r?\n")

AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
AUTO_SENDERS = frozenset({"mailer-daemon", "postmaster"})


# The MIME headers read again and again for every part (the content type above all: the
# standard library parses the header anew each time it is asked), whose values repeat from
# message to message: parsed once per value.  Address headers differ per message: not kept.
_RECURRING = frozenset(
    {"content-type", "content-transfer-encoding", "content-disposition", "mime-version"}
)


class _Policy(policy.EmailPolicy):
    """``policy.default``, with the recurring MIME headers parsed once per value (the parsed
    header is the same immutable object either way)."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if name.lower() in _RECURRING and isinstance(value, str) and not hasattr(value, "name"):
            return _parsed_header(name, value)
        return super().header_fetch_parse(name, value)


_POLICY = _Policy()


@functools.lru_cache(maxsize=512)
def _parsed_header(name: str, value: str) -> Any:
    return policy.EmailPolicy.header_fetch_parse(_POLICY, name, value)


@dataclass(frozen=True)
class ParsedMail:
    message_id: str = ""
    sender: str = ""  # the From address, lower-case domain, "" when missing or unusable
    sender_name: str = ""
    subject: str = ""
    text: str = ""
    attachments: tuple[str, ...] = ()
    automatic: str = ""  # why the message is an automatic reply or bounce, "" when it is not
    parts_skipped: bool = False
    defects: tuple[str, ...] = field(default_factory=tuple)


def header_section_size(raw: bytes) -> int:
    """Bytes before the first empty line (the whole message when there is none)."""
    match = _HEADER_END.search(raw)
    return match.start() if match else len(raw)


def clean_line(text: str, limit: int) -> str:
    """One line of header text: controls and invisible characters removed (``core.text``: the
    one rule every input follows; lone surrogates are undecodable bytes the parser escaped),
    space collapsed."""
    text = remove_hidden(_HEADER_SPACE.sub(" ", text))
    return " ".join(text.split())[:limit]


def clean_text(text: str) -> str:
    """Body text: newlines normalised, controls and invisible characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = remove_hidden(text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _decode_words(text: str) -> str:
    """RFC 2047 encoded-words decoded leniently (for the fallback paths)."""
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except Exception:
        return text


def _header(message: Message, name: str) -> str:
    """A header's decoded value, or its raw text when the policy's parser cannot read it."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:
        return _decode_words(_raw_header(message, name))


def _raw_header(message: Message, name: str) -> str:
    for key, raw in message.raw_items():
        if key.lower() == name.lower():
            return str(raw)
    return ""


# A From value of the commonest shape, ``Ann Able <ann.able@example.org>`` or the bare
# address: a display name of plain words (ASCII letters and digits, one space between) and an
# address of dot-atoms of letters, digits and ``_%+-``.  The standard library's address parser
# (the costliest part of reading a message) reads such a value as exactly these two parts; any
# other (quoted, encoded, commented, folded, a group, a list) is left to it.
_WORD = r"[A-Za-z0-9_%+-]+"
_PLAIN_ADDRESS = rf"{_WORD}(?:\.{_WORD})*@{_WORD}(?:\.{_WORD})*"
_PLAIN_FROM = re.compile(
    rf"(?:(?P<name>[A-Za-z0-9]+(?: [A-Za-z0-9]+)*) <(?P<bracketed>{_PLAIN_ADDRESS})>"
    rf"|(?P<bare>{_PLAIN_ADDRESS}))"
)


def _plain_sender(message: Message) -> tuple[str, str] | None:
    """``_sender``'s answer read without the standard library's parser, for a From value of
    the plain shape (``_PLAIN_FROM``); ``None`` for any other."""
    value = _first_raw(message, "from")
    if value is None:
        return None
    match = _PLAIN_FROM.fullmatch(value)
    if match is None:
        return None
    if match["bare"] is not None:
        return match["bare"], ""
    return match["bracketed"], match["name"]


# A Subject of printable ASCII words, one space between, and a Message-ID ``<dot-atom@dot-atom>``,
# neither holding an encoded word (``=?``): the policy's parser (a third of reading a message,
# for these two headers) reads such a value as exactly its own text, which ``_plain_header``
# answers without it.  Any other value (folded, encoded, non-ASCII, quoted, with a comment,
# tabs or runs of spaces) is left to the parser.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_VALUES = {
    "subject": re.compile(r"(?!.*=\?)[\x21-\x7e]+(?: [\x21-\x7e]+)*"),
    "message-id": re.compile(rf"(?!.*=\?)<{_ATEXT}(?:\.{_ATEXT})*@{_ATEXT}(?:\.{_ATEXT})*>"),
}


def _plain_header(message: Message, name: str) -> str:
    """``_header(message, name)`` for ``subject`` or ``message-id``, read without the policy's
    parser when the first such header's value has the plain shape (``_PLAIN_VALUES``)."""
    value = _first_raw(message, name)
    if value is not None and _PLAIN_VALUES[name].fullmatch(value):
        return value
    return _header(message, name)


def _first_raw(message: Message, name: str) -> str | None:
    """The first ``name`` header's raw value (as the policy keeps it), ``None`` without one."""
    for key, raw in message.raw_items():
        if key.lower() == name:
            return raw if type(raw) is str else None
    return None


def _sender(message: Message) -> tuple[str, str]:
    """``(address, display name)`` of the first From mailbox; empty strings when unusable."""
    plain = _plain_sender(message)
    if plain is not None:
        return plain
    try:
        addresses = getattr(message.get("from"), "addresses", ())
    except Exception:  # the policy's parser failed: fall back to the lenient one below
        addresses = ()
    if addresses:
        first = addresses[0]
        return str(first.addr_spec or ""), str(first.display_name or "")
    name, address = email.utils.parseaddr(_raw_header(message, "from"))
    return address, _decode_words(name)


def _charset(part: Message) -> str:
    try:
        charset = part.get_content_charset() or "utf-8"
        codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return "utf-8"
    return charset


def _decoded(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        payload = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    try:
        text = payload[: MAX_TEXT_CHARACTERS * 4].decode(_charset(part), errors="replace")
    except (LookupError, ValueError):
        text = payload.decode("utf-8", errors="replace")
    return text[:MAX_TEXT_CHARACTERS]


def html_to_text(html: str) -> str:
    """The text of ``html`` as a reader sees it (inscriptis, on lxml's HTML parser: script,
    style and head dropped, blocks on lines of their own, list items and table cells laid out);
    only the first ``MAX_HTML_CHARACTERS`` are read (marked)."""
    cut = len(html) > MAX_HTML_CHARACTERS
    try:
        text: str = get_text(remove_hidden(html[:MAX_HTML_CHARACTERS]))
    except Exception:  # nothing lxml can read (it is lenient): the raw message is kept
        text = ""
    return f"{text}\n\n{HTML_TRUNCATED}" if cut else text


def _cap_headers(part: Message) -> None:
    """Cut every header value of ``part`` to ``MAX_HEADER_VALUE`` characters, before anything
    parses it (the raw values are replaced; nothing is parsed here)."""
    items = list(part.raw_items())
    if all(len(str(value)) <= MAX_HEADER_VALUE for _name, value in items):
        return
    for name in {name for name, _value in items}:
        del part[name]
    for name, value in items:
        text = str(value)
        if len(text) > MAX_HEADER_VALUE:
            text = text[:MAX_HEADER_VALUE]
            comma = text.rfind(",")  # an address list: end at the last whole address
            if comma > 0:
                text = text[:comma]
        part.set_raw(name, text)


def _walk(message: Message) -> tuple[list[Message], bool]:
    """The leaf parts, depth first, at most ``MAX_PARTS`` of them (``True``: some skipped)."""
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    skipped = False
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            return leaves, True
        _cap_headers(part)
        if part.is_multipart():
            children = part.get_payload()
            if depth >= MAX_DEPTH or not isinstance(children, list):
                skipped = True
                continue
            stack.extend(
                (child, depth + 1) for child in reversed(children) if isinstance(child, Message)
            )
        else:
            leaves.append(part)
    return leaves, skipped


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return clean_line(str(name), 120)


def _kind(part: Message) -> tuple[str | None, str]:
    """``(content disposition, content type)``, defaulting as RFC 2045 says when unreadable."""
    try:
        return part.get_content_disposition(), part.get_content_type()
    except Exception:
        return None, "application/octet-stream"


def _automatic(message: Message, sender: str, envelope_sender: str | None) -> str:
    """Why the message is an automatic reply, bounce or list mail ("" when it is not)."""
    auto_submitted = clean_line(_header(message, "auto-submitted"), 60).lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    precedence = clean_line(_header(message, "precedence"), 60).lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "list-id"):
        if name in message:
            return f"{name.title()} header"
    if envelope_sender is not None and not envelope_sender.strip().strip("<>"):
        return "null envelope sender (a bounce)"
    return_path = _header(message, "return-path").strip()
    if return_path and not return_path.strip("<> \t"):
        return "null Return-Path (a bounce)"
    if _kind(message)[1] == "multipart/report":
        return "delivery or read report"
    if sender.split("@", 1)[0].lower() in AUTO_SENDERS:
        return "sent by a mail system"
    return ""


def parse(raw: bytes, *, envelope_sender: str | None = None) -> ParsedMail:
    """Read ``raw`` (one RFC 5322 message) into plain values.

    Bad input is read leniently; only input that exhausts the standard library's recursion
    (thousands of nested parts, nested comments in an address) raises ``RecursionError``, which
    ``services.receive_message`` keeps as an unparseable message.
    """
    message: Message = BytesParser(policy=_POLICY, _class=EmailMessage).parsebytes(raw)
    _cap_headers(message)
    sender, sender_name = _sender(message)
    sender = clean_line(sender, 254)
    if "@" in sender:
        local, _at, domain = sender.rpartition("@")
        sender = f"{local}@{domain.lower()}"
    leaves, skipped = _walk(message)
    plain: str | None = None
    html: str | None = None
    attachments: list[str] = []
    for part in leaves:
        disposition, content_type = _kind(part)
        if disposition == "attachment" or (disposition == "inline" and _filename(part)):
            attachments.append(_filename(part) or content_type)
        elif content_type == "text/plain" and plain is None:
            plain = _decoded(part)
        elif content_type == "text/html" and html is None:
            html = _decoded(part)
        elif not content_type.startswith("multipart/"):
            attachments.append(_filename(part) or content_type)
    text = plain if plain is not None and plain.strip() else html_to_text(html or "")
    if plain is not None and not text.strip():
        text = plain
    return ParsedMail(
        message_id=clean_line(_plain_header(message, "message-id"), 255),
        sender=sender,
        sender_name=clean_line(sender_name, NAME_LIMIT),
        subject=clean_line(_plain_header(message, "subject"), SUBJECT_LIMIT),
        text=clean_text(text),
        attachments=tuple(attachments[:50]),
        automatic=_automatic(message, sender, envelope_sender),
        parts_skipped=skipped,
        defects=tuple(type(defect).__name__ for defect in message.defects[:20]),
    )

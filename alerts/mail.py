"""Outgoing mails as the bytes that leave, written without the email package.

Every mail BarrierWatch sends has one shape: multipart/alternative with a
UTF-8 plain-text part and a UTF-8 HTML part. The standard library's
generator folds and re-encodes every header of every part each time a
message is flattened; on the send benchmark's digests that cost 0.33 ms a
mail, more than rendering the three templates (0.1 ms). So the bytes are
written here directly, under rules that make them safe whatever a notice
says:

- every header value is one line: CR, LF and other control characters are
  folded to spaces first (no header injection), bidirectional controls
  dropped (:mod:`store.text`); non-ASCII text, any ``=?`` a mail reader
  could take for an encoded word, and a word too long for a line of 78
  characters (folding happens only at spaces, and no line may pass 998)
  are written as RFC 2047 encoded words, which may be split anywhere;
  other long ASCII values are folded at spaces;
- both parts are base64, so no body line can start with a dot or look like
  the boundary, and the boundary (with ``_``, outside base64's alphabet)
  needs no search through the bodies.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache, lru_cache

from store.text import strip_bidi

# Bytes of UTF-8 per encoded word: 52 base64 characters, a 64-character word.
_WORD_BYTES = 39
_LINE = 78  # the line length RFC 5322 recommends
_MAX_LINE = 998  # the line length RFC 5322 requires
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True)
class OutgoingMail:
    """One mail to one recipient, ready to leave."""

    message_id: str
    sender: str  # the envelope sender (an address, no display name)
    recipient: str
    data: bytes  # the whole message, LF line ends

    @property
    def needs_smtputf8(self) -> bool:
        """Whether an address is internationalised (RFC 6531)."""
        return not (self.sender.isascii() and self.recipient.isascii())


def one_line(value: str) -> str:
    """Fold CR, LF and other control characters to spaces (no header
    injection); drop bidirectional controls (a subject must read as written)."""
    return _CONTROL.sub(" ", strip_bidi(value)).strip()


def encode_mail(
    *,
    subject: str,
    text: str,
    html: str,
    sender: str,
    recipient: str,
    message_id: str,
    sent_at: datetime,
    headers: Sequence[tuple[str, str]] = (),
) -> OutgoingMail:
    """The multipart/alternative mail (plain text first, HTML preferred) with
    ``headers`` added after the standard ones: structured values of ours
    (``List-Unsubscribe``), written as given on one line, never encoded."""
    message_id = one_line(message_id)
    recipient = one_line(recipient)
    boundary = "=_bw_" + hashlib.blake2s(message_id.encode(), digest_size=12).hexdigest()
    lines = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "MIME-Version: 1.0",
        header("Subject", subject),
        f"From: {_from_header(sender)}",
        f"To: {recipient}",
        f"Date: {_date(sent_at)}",
        f"Message-ID: {message_id}",
        "Auto-Submitted: auto-generated",
        *(_structured(name, value) for name, value in headers),
        "",
        _part(boundary, "plain", text),
        _part(boundary, "html", html),
        f"--{boundary}--",
        "",
    ]
    return OutgoingMail(message_id, envelope_sender(sender), recipient, "\n".join(lines).encode())


def header(name: str, value: str) -> str:
    """``Name: value`` as a header, one logical line, folded where long."""
    value = one_line(value)
    words = value.split()
    too_long = bool(words) and max(map(len, words)) > _LINE - len(name) - 2
    if not value.isascii() or "=?" in value or too_long:
        return f"{name}: " + "\n ".join(_encoded_words(value))
    if len(name) + 2 + len(value) <= _LINE:
        return f"{name}: {value}"
    return _folded(name, words)


def _structured(name: str, value: str) -> str:
    """A header of ours (``List-Unsubscribe``) on one line, never encoded;
    folded at spaces should it pass 998 characters."""
    value = one_line(value)
    if len(name) + 2 + len(value) <= _MAX_LINE:
        return f"{name}: {value}"
    return _folded(name, value.split())


def _encoded_words(value: str) -> list[str]:
    """RFC 2047 base64 words, each ending on a whole UTF-8 character."""
    raw, words, start = value.encode(), [], 0
    while start < len(raw):
        end = min(start + _WORD_BYTES, len(raw))
        while end < len(raw) and 0x80 <= raw[end] < 0xC0:  # a continuation byte: step back
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(raw[start:end]).decode()}?=")
        start = end
    return words


def _folded(name: str, words: list[str]) -> str:
    lines, line = [], f"{name}:"
    for word in words:
        if len(line) + 1 + len(word) > _LINE and line != f"{name}:":
            lines.append(line)
            line = ""
        line += f" {word}"
    return "\n".join([*lines, line])


def _part(boundary: str, subtype: str, body: str) -> str:
    encoded = _base64_lines(body.encode())
    return (
        f"--{boundary}\n"
        f'Content-Type: text/{subtype}; charset="utf-8"\n'
        f"Content-Transfer-Encoding: base64\n\n{encoded}"
    )


def _base64_lines(data: bytes) -> str:
    """``data`` in base64, 76 characters a line (RFC 2045); one C call and
    slices, where ``base64.encodebytes`` makes a call per line."""
    text = base64.b64encode(data).decode()
    return "\n".join([text[i : i + 76] for i in range(0, len(text), 76)])


@lru_cache(maxsize=8)  # a send run dates its mails with one time
def _date(sent_at: datetime) -> str:
    return format_datetime(sent_at)


@cache
def _from_header(sender: str) -> str:
    name, address = parseaddr(one_line(sender))
    return formataddr((name, address), charset="utf-8")


@cache
def envelope_sender(sender: str) -> str:
    """The address of a From value such as ``BarrierWatch <alerts@x.example>``."""
    return parseaddr(one_line(sender))[1]

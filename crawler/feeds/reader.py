"""Read an RSS or Atom feed's bytes into raw notice fields, refusing what is unsafe or broken.

The bytes are decoded here (not by feedparser) so that a feed in any declared
encoding reads correctly and an undecodable one is an error, not mojibake;
defusedxml then refuses entity declarations (entity expansion) and malformed
XML before feedparser, which is lenient about both, sees the text.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from crawler.text import codec_name, html_to_text

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>")
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)


class FeedProblem(ValueError):
    """The feed cannot be read; the message says why, for the source's last_error."""


@dataclass(frozen=True)
class DecodedFeed:
    text: str
    encoding: str
    note: str | None  # set when a declared encoding was wrong and another one read the bytes


def decode_feed(body: bytes, content_type: str | None) -> DecodedFeed:
    """The feed as text, read with the first declared encoding that fits.

    Candidates in order: byte-order mark, HTTP charset, XML declaration,
    then UTF-8 (the XML default). Raises :class:`FeedProblem` when none reads
    the bytes.
    """
    declared = _declared_encodings(body, content_type)
    failures = []
    for origin, label in declared:
        try:
            codec = codecs.lookup(codec_name(label)).name
            text = body.decode(codec)
        except LookupError:
            failures.append(f"{origin} names unknown encoding {label!r}")
            continue
        except UnicodeDecodeError as exc:
            failures.append(
                f"not valid {label} ({origin}): byte {body[exc.start]:#04x} at offset {exc.start}"
            )
            continue
        note = f"read as {label} ({origin}); " + "; ".join(failures) if failures else None
        return DecodedFeed(text.lstrip("\ufeff"), codec, note)
    raise FeedProblem("cannot decode the feed: " + "; ".join(failures))


def _declared_encodings(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for bom, label in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            found.append(("byte-order mark", label))
    header = _CHARSET.search(content_type or "")
    if header:
        found.append(("HTTP Content-Type", header.group(1)))
    declaration = _DECLARED_ENCODING.match(body)
    if declaration:
        found.append(("XML declaration", declaration.group(1).decode("ascii")))
    if not found:
        found.append(("no declaration, XML default", "utf-8"))
    return found


def parse_feed(body: bytes, content_type: str | None) -> tuple[list[Any], str | None]:
    """Entries of a well-formed RSS/Atom feed, and a note on its encoding if one was wrong.

    Raises :class:`FeedProblem` for undecodable bytes, entity declarations,
    malformed XML, or a document that is not a feed.
    """
    decoded = decode_feed(body, content_type)
    # Re-encode as UTF-8 without the declaration, so no parser second-guesses the encoding.
    utf8 = _XML_DECLARATION.sub(b"", decoded.text.encode("utf-8"), count=1)
    _check_xml(utf8)
    parsed = feedparser.parse(utf8, response_headers={"content-type": "application/xml; charset=utf-8"})
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        raise FeedProblem(f"malformed feed: {parsed.bozo_exception}")
    if not parsed.version:
        raise FeedProblem("the document is XML but not an RSS or Atom feed")
    return list(parsed.entries), decoded.note


def _check_xml(utf8: bytes) -> None:
    try:
        defused_fromstring(utf8)
    except DefusedXmlException as exc:
        raise FeedProblem(f"refused: the feed declares XML entities or external references ({exc})") from None
    except ParseError as exc:
        raise FeedProblem(f"malformed XML: {exc}") from None


def entry_fields(entry: Any) -> dict[str, Any]:
    """Raw notice fields of one feed entry (source, country, doc_type are the feed's)."""
    title = html_to_text(entry.get("title", ""))
    link = entry.get("link")
    return {
        "id": _entry_id(entry, title, link),
        "title": title,
        "text": html_to_text(_entry_body(entry)),
        "url": link,
        "published": _entry_date(entry),
    }


def _entry_id(entry: Any, title: str, link: str | None) -> str:
    stable = entry.get("id") or link
    if stable:
        return str(stable)[:200]
    # No id and no link: the title and date are all that identify the entry.
    return "sha256:" + hashlib.sha256(f"{title}|{entry.get('published', '')}".encode()).hexdigest()[:32]


def _entry_body(entry: Any) -> str:
    contents: Iterable[Any] = entry.get("content") or []
    for content in contents:
        if content.get("value"):
            return str(content["value"])
    return str(entry.get("summary", ""))


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
    return None

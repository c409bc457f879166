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
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html.entities import html5
from typing import Any
from urllib.parse import urljoin
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from crawler.text import codec_name, html_to_text

_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_XML_DECLARATION_TEXT = re.compile(r"^<\?xml[^>]*?\?>")
_VERBATIM = re.compile(r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)", re.S)
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_SENTENCE_END = re.compile(r"[.!?](?=\s)|[。！？]")
TITLE_FROM_TEXT_CHARS = 120


class FeedProblem(ValueError):
    """The feed cannot be read; the message says why, for the source's last_error."""


@dataclass(frozen=True)
class DecodedFeed:
    text: str
    encoding: str
    note: str | None  # set when a declared encoding was wrong and another one read the bytes


def decode_feed(body: bytes, content_type: str | None) -> DecodedFeed:
    """The feed as text, read with the first declared encoding that fits.

    Candidates in order: byte-order mark, the byte pattern of UTF-16/UTF-32 text
    without a mark (XML 1.0 appendix F: the document starts with ``<``), HTTP
    charset, XML declaration, then UTF-8 (the XML default). A UTF-16/32 label on
    bytes that are not UTF-16/32 is refused rather than read as mojibake. Raises
    :class:`FeedProblem` when no candidate reads the bytes.
    """
    declared = _declared_encodings(body, content_type)
    wide = _wide_family(body)
    failures = []
    for origin, label in declared:
        try:
            codec = codecs.lookup(codec_name(label)).name
        except LookupError:
            failures.append(f"{origin} names unknown encoding {label!r}")
            continue
        if _is_wide(codec) and wide is None:
            failures.append(f"{origin} says {label}, but the bytes are not UTF-16/UTF-32 text")
            continue
        if _is_wide(codec) and wide is not None and not codec.endswith(("-le", "-be")):
            codec = wide  # "utf-16" without a byte-order mark: the byte pattern gives the order
        try:
            text = body.decode(codec)
        except UnicodeDecodeError as exc:
            failures.append(
                f"not valid {label} ({origin}): byte {body[exc.start]:#04x} at offset {exc.start}"
            )
            continue
        note = f"read as {label} ({origin}); " + "; ".join(failures) if failures else None
        return DecodedFeed(text.lstrip("\ufeff"), codec, note)
    raise FeedProblem("cannot decode the feed: " + "; ".join(failures))


# Byte-order marks, the UTF-32 ones first (FF FE 00 00 begins with UTF-16's FF FE).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _wide_family(body: bytes) -> str | None:
    """The UTF-16/32 codec the first four bytes show (mark or ``<`` padded with zeros), or None."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec if codec != "utf-8" else None
    head = body[:4]
    if len(head) < 4:
        return None
    zeros = (head[0] == 0, head[1] == 0, head[2] == 0, head[3] == 0)
    return {
        (True, True, True, False): "utf-32-be",
        (False, True, True, True): "utf-32-le",
        (True, False, True, False): "utf-16-be",
        (False, True, False, True): "utf-16-le",
    }.get(zeros)


def _is_wide(codec: str) -> bool:
    return codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32"))


def _declared_encodings(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    wide = _wide_family(body)
    if body.startswith(codecs.BOM_UTF8):
        found.append(("byte-order mark", "utf-8"))
    elif wide is not None:
        origin = "byte-order mark" if any(body.startswith(b) for b, _ in _BOMS) else "byte pattern"
        found.append((origin, wide))
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

    HTML named entities (``&nbsp;``, ``&eacute;``), which feeds use and XML does not
    define, are read as the characters they name; a document type that declares
    entities is still refused.
    Raises :class:`FeedProblem` for undecodable bytes, entity declarations,
    malformed XML, or a document that is not a feed.
    """
    decoded = decode_feed(body, content_type)
    text = _XML_DECLARATION_TEXT.sub("", decoded.text.lstrip(), count=1)
    utf8 = html_entities_as_references(text).encode("utf-8")
    _check_xml(utf8)
    # No content-location: feedparser would resolve guids against it too, and ids must not
    # depend on where the feed was fetched from. Links are resolved in entry_fields.
    headers = {"content-type": "application/xml; charset=utf-8"}
    try:
        parsed = feedparser.parse(utf8, response_headers=headers)
    except ValueError as exc:  # feedparser's own parsers, on input defusedxml let through
        raise FeedProblem(f"malformed feed: {exc}") from None
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        raise FeedProblem(f"malformed feed: {parsed.bozo_exception}")
    if not parsed.version:
        raise FeedProblem("the document is XML but not an RSS or Atom feed")
    return list(parsed.entries), decoded.note


def html_entities_as_references(text: str) -> str:
    """``text`` with HTML named entities outside CDATA sections and comments written as
    numeric character references; the five XML entities and unknown names are left as they are."""
    parts = _VERBATIM.split(text)
    for index in range(0, len(parts), 2):  # odd parts are the CDATA sections and comments
        parts[index] = _ENTITY.sub(_reference, parts[index])
    return "".join(parts)


def _reference(found: re.Match[str]) -> str:
    name = found.group(1)
    if name in _XML_ENTITIES:
        return found.group(0)
    characters = html5.get(name + ";")
    return "".join(f"&#{ord(c)};" for c in characters) if characters else found.group(0)


def _check_xml(utf8: bytes) -> None:
    try:
        defused_fromstring(utf8)
    except DefusedXmlException as exc:
        raise FeedProblem(f"refused: the feed declares XML entities or external references ({exc})") from None
    except ParseError as exc:
        raise FeedProblem(f"malformed XML: {exc}") from None
    except ValueError as exc:  # expat refuses some declarations outright ("multi-byte encodings")
        raise FeedProblem(f"malformed XML: {exc}") from None


def entry_fields(entry: Any, feed_url: str = "") -> dict[str, Any]:
    """Raw notice fields of one feed entry (source, country, doc_type are the feed's).

    A title marked ``type="text"`` is read as text (``a < b`` stays); an entry
    without a title (RSS 2.0 allows description-only items) is titled with the
    first sentence of its description; a relative link is resolved against the feed.
    """
    text = html_to_text(_entry_body(entry))
    title = _entry_title(entry) or _title_from(text)
    link = entry.get("link")
    if link and link == entry.get("id") and entry.get("guidislink") and "://" not in str(link):
        link = None  # a guid that is no address, taken for a permalink by default
    if link and feed_url:
        link = urljoin(feed_url, str(link))
    return {
        "id": _entry_id(entry, title, link),
        "title": title,
        "text": text,
        "url": link,
        "published": _entry_date(entry),
    }


def _entry_title(entry: Any) -> str:
    raw = str(entry.get("title", "") or "")
    kind = (entry.get("title_detail") or {}).get("type", "text/html")
    return " ".join(raw.split()) if kind == "text/plain" else html_to_text(raw)


def _title_from(text: str) -> str:
    """A title for an untitled entry: the first sentence of its text, at most ~120 characters."""
    first = " ".join(text.split())
    sentence = _SENTENCE_END.search(first)
    if sentence and sentence.end() <= TITLE_FROM_TEXT_CHARS:
        return first[: sentence.end()].strip()
    if len(first) <= TITLE_FROM_TEXT_CHARS:
        return first
    cut = first.rfind(" ", 0, TITLE_FROM_TEXT_CHARS)
    return first[: cut if cut > 40 else TITLE_FROM_TEXT_CHARS].rstrip(" ,;:") + "…"


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
    """The entry's date as its publisher wrote it (13 April at 00:00 +0200 is 13 April,
    not the 12th in UTC); feedparser's UTC reading only when the text is in no known form."""
    for key in ("published", "updated"):
        raw = str(entry.get(key) or "").strip()
        if raw and (written := _written_date(raw)):
            return written
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
    return None


def _written_date(raw: str) -> str | None:
    try:
        return parsedate_to_datetime(raw).date().isoformat()  # RSS: RFC 822
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(raw).date().isoformat()  # Atom: RFC 3339
    except ValueError:
        return None

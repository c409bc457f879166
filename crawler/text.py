"""Text out of the markup and bytes that sources send."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
# Sources label Chinese GB2312 pages that use GBK or GB18030 characters; GB18030 reads all three.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def html_to_text(fragment: str) -> str:
    """Readable text of an HTML fragment: tags dropped, one line per block,
    spaces collapsed. Plain text comes back unchanged apart from spacing."""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(fragment)
    for element in root.iter("script", "style"):
        element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    return _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()


def codec_name(label: str) -> str:
    """The Python codec to read text a source labels ``label`` with."""
    label = label.strip().strip("\"'").lower()
    return _SUPERSETS.get(label, label)

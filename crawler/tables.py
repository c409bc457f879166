"""Rows of HTML tables keyed by their header words, for list pages that are tables.

Sites reorder and rename columns; a spider names the column it wants by a word
of its header ("product", "country", "date") and gets the cell's text and links,
whatever the column's position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from parsel import Selector


@dataclass
class Row:
    """One body row: cell texts by lower-cased header, and the links of the row."""

    cells: dict[str, str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)

    def get(self, *words: str) -> str:
        """The first cell whose header contains one of ``words`` (in that order), else ""."""
        for word in words:
            for header, text in self.cells.items():
                if word in header:
                    return text
        return ""

    def link(self, pattern: str = "") -> str | None:
        """The first link of the row whose address matches ``pattern`` (a regex)."""
        return next((href for href, _text in self.links if re.search(pattern, href)), None)


def table_rows(page: Selector) -> Iterator[Row]:
    """The body rows of every table of ``page`` that has a header row."""
    for table in page.css("table"):
        headers = [_text(h).lower() for h in table.css("thead th, thead td")]
        rows = table.css("tbody tr") or table.css("tr")
        if not headers and rows:
            headers = [_text(h).lower() for h in rows[0].css("th")]
            rows = rows[1:] if headers else rows
        if not headers:
            continue
        for row in rows:
            cells = row.css("td, th")
            if not cells or (row.css("th") and not row.css("td")):
                continue
            texts = [_text(c) for c in cells]
            keyed = {headers[i] if i < len(headers) else f"column {i + 1}": t for i, t in enumerate(texts)}
            links = [(a.attrib.get("href", ""), _text(a)) for a in row.css("a[href]")]
            yield Row(keyed, links)


def _text(node: Selector) -> str:
    return " ".join(" ".join(node.css("::text").getall()).split())

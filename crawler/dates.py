"""Dates as sources write them, read into ISO ``YYYY-MM-DD``.

ePing sends ISO timestamps with an offset (``2026-07-02T00:00:00+00:00``),
TRON "12 March 2026" or "Not applicable", Safety Gate and DGTR ``28/08/2026``
(day first, as in Europe and India), CACS ``2026-03-13 16:51:29`` or
``2026年3月13日``, some JSON APIs epoch milliseconds.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

# Searched anywhere in the text ("[2026-03-13]", "发布时间：2026/03/13"), bounded by non-digits.
_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)")
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
# Epoch milliseconds of 2001..2286: ten digits of seconds would be ambiguous with other numbers.
_EPOCH_MS = re.compile(r"^\d{12,13}$")


def source_date(value: object) -> str | None:
    """``value`` as ``YYYY-MM-DD``, or None when it holds no date
    ("Not applicable", "N/A", empty, null, or text in no known form)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime | date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, int | float):
        return _from_epoch_ms(int(value)) if _EPOCH_MS.match(str(int(value))) else None
    text = " ".join(str(value).split())
    if _EPOCH_MS.match(text):
        return _from_epoch_ms(int(text))
    for pattern, order in ((_ISO, "ymd"), (_DAY_FIRST, "dmy"), (_CHINESE, "ymd")):
        found = pattern.search(text)
        if found:
            return _valid(*_ordered(found.groups(), order))
    return _written_month(text)


def _ordered(groups: tuple[str | None, ...], order: str) -> tuple[int, int, int]:
    parts = [int(g or 0) for g in groups[:3]]
    return (parts[0], parts[1], parts[2]) if order == "ymd" else (parts[2], parts[1], parts[0])


def _written_month(text: str) -> str | None:
    found = _DAY_MONTH_YEAR.search(text)
    if found and found[2].lower() in _MONTHS:
        return _valid(int(found[3]), _MONTHS[found[2].lower()], int(found[1]))
    found = _MONTH_DAY_YEAR.search(text)
    if found and found[1].lower() in _MONTHS:
        return _valid(int(found[3]), _MONTHS[found[1].lower()], int(found[2]))
    return None


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _from_epoch_ms(milliseconds: int) -> str | None:
    try:
        return datetime.fromtimestamp(milliseconds / 1000, tz=UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None

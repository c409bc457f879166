"""Parse, validate and normalise HS codes and national tariff lines.

National tariff lines (US HTS 10 digits, EU CN 8 / TARIC 10, China 10)
share their first six digits with the international HS, so every code is
normalised to at most six digits: the part all markets agree on.
"""

from __future__ import annotations

import re

HS_LEVELS = (2, 4, 6)
_SEPARATORS = re.compile(r"[\s.\-]")
# Chapters 98 and 99 are national provisions (special classification,
# temporary duties), not part of the HS: they cannot be matched abroad.
_NATIONAL_CHAPTERS = {"98", "99"}


class InvalidHSCode(ValueError):
    """A written code that is not an HS code or national tariff line."""


def normalise(raw: str) -> str:
    """Return ``raw`` as HS digits, at most six (``"4418.75.40"`` -> ``"441875"``).

    Raises :class:`InvalidHSCode` when ``raw`` is not 2 to 10 digits (dots,
    spaces and hyphens allowed) or names a national chapter. Odd lengths
    (ePing lists 5-digit groups such as 34011) keep the level they lie in.
    """
    digits = _SEPARATORS.sub("", str(raw))
    if not digits.isdigit():
        raise InvalidHSCode(f"{raw!r} is not an HS code: expected digits such as 4418 or 4418.75")
    if not 2 <= len(digits) <= 10:
        raise InvalidHSCode(f"{raw!r} has {len(digits)} digits: expected 2 to 10, such as 4418 or 4418.75")
    if digits[:2] in _NATIONAL_CHAPTERS or digits[:2] == "00":
        raise InvalidHSCode(f"{raw!r} is in chapter {digits[:2]}, which is not an HS chapter")
    # A 3- or 5-digit group ("34011") lies inside its chapter or heading.
    return digits[: min(6, len(digits) - len(digits) % 2)]


def try_normalise(raw: str) -> str | None:
    """Like :func:`normalise` but return ``None`` instead of raising."""
    try:
        return normalise(raw)
    except InvalidHSCode:
        return None


def prefixes(code: str) -> list[str]:
    """The HS chapter, heading and subheading a code belongs to, shortest first."""
    return [code[:n] for n in HS_LEVELS if len(code) >= n]


def overlaps(a: str, b: str) -> bool:
    """True when one code contains the other (4418 and 441875), false for siblings."""
    return a.startswith(b) or b.startswith(a)


def display(code: str) -> str:
    """Write a code the way people read it: ``441875`` -> ``4418.75``."""
    return f"{code[:4]}.{code[4:]}" if len(code) > 4 else code


# Codes named by a keyword ("HS 4418.75", "HTSUS 4412.31.0520", "heading 6115",
# "Chapter 44", "税号4418") and lists after it ("HS code(s): 3208, 3209").
_CODE = r"\d{2,4}(?:\.\d{2}(?:\.\d{2,4})?)?|\d{6,10}"
_KEYWORDS = (
    r"HS\s*codes?(?:\(s\))?|HTSUS|HTS|HS|harmonized\s+tariff\s+schedule(?:\s+of\s+the\s+united\s+states)?"
    r"|subheadings?|headings?|chapters?|tariff\s+(?:items?|lines?|codes?)|CN\s+codes?|税号|税则号列?|商品编码|编码|章"
)
_KEYWORD_LIST = re.compile(
    rf"(?:{_KEYWORDS})\s*(?:numbers?|nos?\.?|:|：)?\s*((?:{_CODE})(?:\s*(?:,|;|、|，|and|or|和|及)\s*(?:{_CODE}))*)",
    re.IGNORECASE,
)
# Dotted tariff numbers are distinctive enough to stand alone: 4418.75.4000.
_DOTTED = re.compile(r"(?<![\d.])(\d{4}\.\d{2}(?:\.\d{2,4}){0,2})(?![\d])")
_CHAPTER_CN = re.compile(r"第\s*(\d{1,2})\s*章")


def find_codes(text: str) -> list[str]:
    """Explicit HS codes written in ``text``, normalised, in order of appearance.

    Only codes introduced by a keyword (HS, HTSUS, heading, chapter, 税号 …)
    or written in dotted tariff form count: a bare number may be a year.
    """
    found: list[tuple[int, str]] = []
    for match in _KEYWORD_LIST.finditer(text):
        for part in re.finditer(_CODE, match.group(1)):
            found.append((match.start(1) + part.start(), part.group(0)))
    found.extend((m.start(1), m.group(1)) for m in _DOTTED.finditer(text))
    found.extend((m.start(1), m.group(1).zfill(2)) for m in _CHAPTER_CN.finditer(text))
    codes: list[str] = []
    for _, raw in sorted(found):
        code = try_normalise(raw)
        if code is not None and code not in codes:
            codes.append(code)
    return codes

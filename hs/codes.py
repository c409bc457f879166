"""Parse, validate and normalise HS codes and national tariff lines.

National tariff lines (US HTS 10 digits, EU CN 8 / TARIC 10, China 10)
share their first six digits with the international HS, so every code is
normalised to at most six digits: the part all markets agree on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from hs.nomenclature import entries

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


# --- Codes written in running text -------------------------------------------
#
# Notices write codes in many ways: "HS 4418.75", "HTSUS 4412.31.0520",
# "heading 6115", "subheadings 4418.73 through 4418.79", "Chapter 44",
# "partida 44.18", "sous-position 4418.75", "税号4418", "第44章", and lists
# after one keyword ("HS code(s): 0102; 0103; 010613"). A bare number is not
# taken (it may be a year or a quantity), except the dotted tariff form
# 4418.75.40, which nothing else looks like.

# Longest forms first: 4418.75.4000, 44.18, then plain digit groups.
_CODE = r"(?:\d{4}\.\d{2}(?:\.\d{2,4}){0,2}|\d{2}\.\d{2}(?:\.\d{2}){0,3}|\d{2,10})(?![\d])"
_CHAPTER_CODE = r"\d{1,2}(?![\d.])"
# Short upper-case acronyms only in capitals ("SA" and "SH" are the Spanish
# and French names of the HS); longer words in any case.
_CODE_KEYWORDS = (
    r"(?-i:HTSUS|HTS|HS|H\.S\.|CN|TARIC|SH|SA|NCM)"
    r"|harmoni[sz]ed\s+(?:tariff\s+schedule(?:\s+of\s+the\s+united\s+states)?|system)"
    r"|tariff\s+(?:items?|lines?|codes?|numbers?|headings?|subheadings?)|commodity\s+codes?"
    r"|sub-?headings?|headings?"
    r"|sub-?partidas?|partidas?(?:\s+arancelarias?)?|fracci(?:ón|on|ones)\s+arancelarias?"
    r"|c[óo]digos?\s+(?:del\s+)?(?-i:SA)|sous-positions?|positions?(?:\s+tarifaires?)?"
    r"|lignes?\s+tarifaires?|codes?\s+(?-i:SH)"
    r"|税号|税则号列?|商品编码|海关编码|编码|品目|子目"
)
_CHAPTER_KEYWORDS = r"chapters?|cap[íi]tulos?|chapitres?"
# The leading lookahead lists the keywords' first letters: most positions
# of a text fail on it at once, which makes the scan twice as fast.
_KEYWORD = re.compile(
    rf"(?=[hctsnpfl税商海编品子])(?<![^\W\u3400-\u9fff])(?:(?P<chapter>{_CHAPTER_KEYWORDS})|(?P<code>{_CODE_KEYWORDS}))(?![^\W\d_\u3400-\u9fff])",
    re.IGNORECASE,
)
# Every keyword of _KEYWORD contains one of these anchors, at a known
# distance from its start ("sub-heading" holds "heading" 4 characters in).
# Trying the keyword pattern only there finds the same matches as letting
# it try every character (see _keyword_matches), about twice as fast.
# Acronyms are matched as written, words in the lower-cased text.
_ACRONYM_ANCHORS = re.compile(r"H[TS.]|CN|TARIC|S[HA]|NCM")
_WORD_ANCHORS = re.compile(
    "harmoni|tariff|commodit|heading|partida|fracci|digo|position|ligne|code|chap|tulo|税|商品|海关|编码|品目|子目"
)
_ANCHOR_OFFSETS = {"heading": (0, 3, 4), "partida": (0, 3, 4), "digo": (2,), "position": (0, 5), "tulo": (4,)}
# Letters that the regex engine's ignore-case matching takes for i and s,
# and that str.lower() leaves alone.
_CASELESS = str.maketrans({"ı": "i", "ſ": "s"})
# Words between a keyword and its first code: "HS code(s): ", "heading no. ".
_FILLER = re.compile(
    r"(?:\s*(?:\(s\)|codes?|c[óo]digos?|nos?\.|numbers?|n[°º]|núm\.|:|：|#|编码|号|为|是))*\s*", re.IGNORECASE
)
_LIST_SEPARATOR = re.compile(
    r"\s*(?:,|;|、|，|；|&|/|\b(?:and|or|y|o|e|et|ou)\b|和|及|与|或|以及)\s*", re.IGNORECASE
)
_RANGE_SEPARATOR = re.compile(
    r"\s*(?:-|–|—|~|～|\b(?:through|thru|to|until|a|al|hasta|à|au)\b|至|到)\s*", re.IGNORECASE
)
_DOTTED = re.compile(r"(?=\d{4}\.\d)(?<![\d.])(\d{4}\.\d{2}(?:\.\d{2,4}){0,2})(?![\d])")
# What every dotted code has after its first four digits. The pattern starts
# with a literal, so the regex engine finds it with a fast character search.
_DOT_DIGITS = re.compile(r"\.\d\d")
_CHAPTER_CN = re.compile(r"第\s*(\d{1,2})\s*章")
# The EU writes CN and TARIC codes in spaced groups, often after "ex" (part of the code):
# "ex 6115 95 00", "7318 15 88", "TARIC code 7019 11 00 10". Groups of two after four
# digits, at least two groups (CN8), so that "2026 12" (a year and a day) is not taken.
_SPACED = re.compile(r"(?<![\d.,])(\d{4}(?:[ \u00a0]\d{2}){2,3})(?![\d]|[ \u00a0]\d)")
# Parentheses that list what a description leaves out: "(excl. motor
# vehicles of heading 8702)". Codes there are not what the notice covers.
_EXCLUSION = re.compile(r"\(\s*(?:excl|except|excluding|other than|excepto|à l'exclusion)", re.IGNORECASE)
# HS descriptions point at other headings ("solutions of products of headings
# 3901 to 3913", "n.e.c. in heading no. 4418"): a cross-reference, not scope.
_CROSS_REFERENCE = re.compile(r"(?:products\s+of|n\.e\.c\.?\s+in|other\s+than)\s+$", re.IGNORECASE)
# A range wider than this is tagged by what its ends share (3901 to 3913 -> 39).
MAX_RANGE_CODES = 12


@dataclass(frozen=True)
class CodeMention:
    """A code written in a text: the normalised codes it stands for and where."""

    codes: tuple[str, ...]  # one code, or the codes of a range
    start: int
    end: int


def find_codes(text: str) -> list[str]:
    """Explicit HS codes written in ``text``, normalised, in order of appearance,
    each once. Ranges give each code of the range in the nomenclature (or
    the prefix their ends share when that is more than :data:`MAX_RANGE_CODES`).

    Only codes introduced by a keyword (HS, HTSUS, heading, chapter,
    partida, position, 税号 …) or in dotted tariff form count: a bare number
    may be a year. Codes inside "(excl. …)" are left out.
    """
    codes: list[str] = []
    for mention in find_code_mentions(text):
        codes.extend(c for c in mention.codes if c not in codes)
    return codes


def find_code_mentions(text: str) -> list[CodeMention]:
    """Every code mention in ``text``, ordered by position, overlaps removed."""
    mentions = [
        *_keyword_mentions(text),
        *_dotted_mentions(text),
        *_spaced_mentions(text),
        *_chinese_chapter_mentions(text),
    ]
    kept: list[CodeMention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if kept and mention.start < kept[-1].end:
            continue  # the same digits, already read as part of a keyword's list
        if not _in_exclusion(text, mention.start):
            kept.append(mention)
    return kept


def _keyword_mentions(text: str) -> list[CodeMention]:
    mentions: list[CodeMention] = []
    for keyword in _keyword_matches(text):
        if _CROSS_REFERENCE.search(text, max(0, keyword.start() - 30), keyword.start()):
            continue
        pattern = _CHAPTER_CODE if keyword.group("chapter") else _CODE
        filler = _FILLER.match(text, keyword.end())
        mentions.extend(_code_list(text, filler.end() if filler else keyword.end(), pattern))
    return mentions


def _code_list(text: str, pos: int, pattern: str) -> list[CodeMention]:
    """Codes at ``pos`` and after it, joined by list and range separators."""
    code_at = re.compile(pattern)
    mentions: list[CodeMention] = []
    while (first := code_at.match(text, pos)) is not None:
        end, codes = first.end(), _codes_of(first.group(0))
        between = _RANGE_SEPARATOR.match(text, end)
        last = code_at.match(text, between.end()) if between else None
        if last is not None:
            end, codes = last.end(), expand_range(first.group(0), last.group(0))
        if codes:
            mentions.append(CodeMention(codes, first.start(), end))
        separator = _LIST_SEPARATOR.match(text, end)
        if separator is None:
            break
        pos = separator.end()
    return mentions


def _codes_of(raw: str) -> tuple[str, ...]:
    code = try_normalise(raw.zfill(2))
    return (code,) if code and is_known(code) else ()


def is_known(code: str) -> bool:
    """True when the heading of ``code`` is in the nomenclature (a chapter
    counts by itself). Subheadings are not checked one by one, so codes of
    an older HS edition still count; unknown headings such as "HS 2022"
    (a year, not heading 20.22) do not."""
    return code[:4] in entries() if len(code) >= 4 else code in entries()


def _keyword_matches(text: str) -> Iterator[re.Match[str]]:
    """What ``_KEYWORD.finditer(text)`` gives, with the pattern tried only
    where an anchor says a keyword may start."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter grew in lower case ("İ"): offsets differ
        yield from _KEYWORD.finditer(text)
        return
    if "ı" in lowered or "ſ" in lowered:
        lowered = lowered.translate(_CASELESS)
    starts = {*_anchor_starts(text, _ACRONYM_ANCHORS), *_anchor_starts(lowered, _WORD_ANCHORS)}
    end = 0
    for start in sorted(starts):
        if start >= end and (keyword := _KEYWORD.match(text, start)) is not None:
            end = keyword.end()  # as finditer, the next match starts after this one
            yield keyword


def _anchor_starts(text: str, anchors: re.Pattern[str]) -> Iterator[int]:
    """Where a keyword may start, given each place an anchor occurs
    (overlapping places too: each search resumes one character on)."""
    found = anchors.search(text)
    while found is not None:
        for offset in _ANCHOR_OFFSETS.get(found.group(), (0,)):
            if found.start() >= offset:
                yield found.start() - offset
        found = anchors.search(text, found.start() + 1)


def _dotted_mentions(text: str) -> list[CodeMention]:
    mentions: list[CodeMention] = []
    end = 0
    for dot in _DOT_DIGITS.finditer(text):
        start = dot.start() - 4
        if start < end or (dotted := _DOTTED.match(text, start)) is None:
            continue
        end = dotted.end()  # as finditer: matches do not overlap
        if codes := _codes_of(dotted.group(1)):
            mentions.append(CodeMention(codes, dotted.start(1), dotted.end(1)))
    return mentions


def _spaced_mentions(text: str) -> list[CodeMention]:
    if not any(c in text for c in " \u00a0"):
        return []
    return [
        CodeMention(codes, m.start(1), m.end(1))
        for m in _SPACED.finditer(text)
        if (codes := _codes_of(m.group(1).replace("\u00a0", " ")))
    ]


def _chinese_chapter_mentions(text: str) -> list[CodeMention]:
    return [
        CodeMention(c, m.start(), m.end()) for m in _CHAPTER_CN.finditer(text) if (c := _codes_of(m.group(1)))
    ]


def _in_exclusion(text: str, pos: int) -> bool:
    """True when ``pos`` lies inside a parenthesis opened by "excl." or alike."""
    opening = text.rfind("(", 0, pos)
    if opening < 0 or text.find(")", opening, pos) >= 0:
        return False
    return _EXCLUSION.match(text, opening) is not None


def expand_range(first: str, last: str) -> tuple[str, ...]:
    """The codes from ``first`` to ``last`` (both included) that the
    nomenclature holds, at the level of the ends.

    When there are more than :data:`MAX_RANGE_CODES`, the prefix both ends
    share at an HS level stands for them (3901-3913 -> 39), if there is one.
    Ends of different levels, or a range the nomenclature knows nothing
    about, give just the two ends. Invalid ends give what is valid of them.
    """
    low, high = try_normalise(first.zfill(2)), try_normalise(last.zfill(2))
    if low is None or high is None:
        return tuple(c for c in (low, high) if c)
    if len(low) != len(high) or low > high:
        return (low, high) if low != high else (low,)
    inside = tuple(c for c in _codes_at_level(len(low)) if low <= c <= high)
    if len(inside) <= MAX_RANGE_CODES:
        return inside or ((low, high) if low != high else (low,))
    shared = _shared_prefix(low, high)
    return (shared,) if shared else inside


def _shared_prefix(a: str, b: str) -> str | None:
    for level in reversed(HS_LEVELS):
        if len(a) >= level and a[:level] == b[:level]:
            return a[:level]
    return None


@cache
def _codes_at_level(level: int) -> tuple[str, ...]:
    return tuple(sorted(c for c in entries() if len(c) == level and try_normalise(c) == c))

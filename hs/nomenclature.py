"""The HS nomenclature shipped in ``hs/data``: the name of a chapter, heading
or subheading in English and Chinese, and a lookup of codes by product name.

Where the names come from (see ``hs/data/PROVENANCE.md``):

- chapters (2 digits): ``chapters_en_zh.csv``, both languages;
- headings and subheadings in English: HS 2022 as UN Comtrade words it
  (``harmonized-system.csv``, the same texts as
  ``nomenclature/hs2022_hs6_multilingual``);
- headings and subheadings in Chinese: ``hs_names_zh.csv``, derived from
  China Customs' 8-digit code list and the Taiwan tariff by
  :mod:`hs.names_zh` (each row names its source lines).

A code always shows its own name, never its chapter's: a subheading that
the nomenclature does not hold (an older HS version's) has no name, and a
code with no Chinese name (six HS 2022 headings, one subheading) shows its English one.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
NOMENCLATURE = DATA_DIR / "nomenclature"


@dataclass(frozen=True)
class HSEntry:
    code: str
    description: str
    section: str


@cache
def entries() -> dict[str, HSEntry]:
    """Every chapter, heading and subheading, keyed by its code."""
    with open(DATA_DIR / "harmonized-system.csv", encoding="utf-8-sig", newline="") as f:
        return {
            row["hscode"]: HSEntry(row["hscode"], row["description"], row["section"])
            for row in csv.DictReader(f)
        }


@cache
def chapter_names() -> dict[str, dict[str, str]]:
    """Chapter titles by chapter code and language (``en``, ``zh``)."""
    with open(DATA_DIR / "chapters_en_zh.csv", encoding="utf-8-sig", newline="") as f:
        return {
            row["chapter"].zfill(2): {"en": row["name_en"], "zh": row["name_zh"]} for row in csv.DictReader(f)
        }


@cache
def chinese_names() -> dict[str, str]:
    """Chinese names of headings and subheadings by code (``hs_names_zh.csv``)."""
    with open(DATA_DIR / "hs_names_zh.csv", encoding="utf-8", newline="") as f:
        return {row["code"]: row["name_zh"] for row in csv.DictReader(f)}


def is_chapter(code: str) -> bool:
    return code in chapter_names()


def name(code: str, language: str = "en") -> str | None:
    """The code's own name at its level (2, 4 or 6 digits; longer national
    lines are named by their subheading) in ``language`` (``zh``/``en``),
    or None when the nomenclature does not hold the code."""
    code = code[:6]
    if len(code) == 2:
        return chapter_names().get(code, {}).get(language) or None
    if language == "zh" and (chinese := chinese_names().get(code)):
        return chinese
    entry = entries().get(code)
    return entry.description if entry else None


def describe(code: str, language: str = "en") -> str:
    """:func:`name`, or an empty string for a code the nomenclature lacks."""
    return name(code, language) or ""


def label(code: str, language: str = "en") -> str:
    """The code as written (``4418.75``) followed by its name, or the code alone."""
    from hs.codes import display

    own = name(code, language)
    return f"{display(code)} {own}" if own else display(code)


# --- lookup by product name ------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A code found for a product name, with its names and how well it matched."""

    code: str
    score: float
    name_en: str
    name_zh: str


_WORD = re.compile(r"[a-z]+")
_HAN = re.compile(r"[\u3400-\u9fff]+")
_STOP = frozenset(
    ["and", "or", "of", "the", "for", "with", "in", "not", "other", "than", "nes", "etc", "their", "its"]
)


def search(query: str, limit: int = 10) -> list[Match]:
    """Headings and subheadings whose names (in either language, with China's
    8-digit lines and the EU's official English labels) best match ``query``, best
    first; an empty list when nothing matches. Words match on a common start
    of four letters or more (``wooden`` finds ``wood``); Chinese matches on
    pairs of characters. The index is built on the first call."""
    index = _index()
    scores: dict[str, float] = defaultdict(float)
    for term in set(_terms(query)):
        weights: dict[str, float] = {}  # a code counts a query term once, however many forms it has
        for known in index.expand(term):
            for code in index.postings[known]:
                weights[code] = max(weights.get(code, 0.0), index.idf[known])
        for code, weight in weights.items():
            scores[code] += weight
    best = sorted(scores.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[:limit]
    return [
        Match(code, round(score, 3), name(code, "en") or "", name(code, "zh") or "") for code, score in best
    ]


def _terms(text: str) -> Iterable[str]:
    """English words (plural ``s`` dropped) and Chinese character pairs (a
    lone character stands for itself)."""
    for word in _WORD.findall(text.lower()):
        if word not in _STOP and len(word) > 1:
            yield word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
    for run in _HAN.findall(text):
        yield from (run[i : i + 2] for i in range(len(run) - 1)) if len(run) > 1 else (run,)


@dataclass
class _Index:
    postings: dict[str, set[str]]
    idf: dict[str, float]
    words_by_start: dict[str, list[str]]

    def expand(self, term: str) -> list[str]:
        """Index terms that ``term`` stands for: itself, or an English word of
        four letters or more that differs from it only by an ending of up to
        two letters (``wood``/``wooden``, not ``sock``/``sockeye``)."""
        if not term.isascii() or len(term) < 4:
            return [term] if term in self.postings else []
        return [
            w
            for w in self.words_by_start.get(term[:4], [])
            if abs(len(w) - len(term)) <= 2 and (w.startswith(term) or term.startswith(w))
        ]


@cache
def _index() -> _Index:
    texts: dict[str, list[str]] = defaultdict(list)
    for code, text in _documents():
        texts[code].append(text)
    postings: dict[str, set[str]] = defaultdict(set)
    for code, parts in texts.items():
        for term in set(_terms(" ".join(parts))):
            postings[term].add(code)
    total = len(texts)
    idf = {term: math.log(1 + total / len(codes)) for term, codes in postings.items()}
    by_start: dict[str, list[str]] = defaultdict(list)
    for term in postings:
        if term.isascii() and len(term) >= 4:
            by_start[term[:4]].append(term)
    return _Index(dict(postings), idf, dict(by_start))


def _documents() -> Iterable[tuple[str, str]]:
    """(code, text) of every name known for a heading or subheading."""
    for code, entry in entries().items():
        if len(code) in (4, 6):
            yield code, entry.description
    yield from chinese_names().items()
    with open(NOMENCLATURE / "china_customs_hs8" / "china_customs_hs8_2023.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row["code"][:6], f"{row['name_zh_hans']} {row['name_en']}"
    with open(NOMENCLATURE / "hs2022_hs6_multilingual" / "hs2022_hs6_en_fr_es.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row["hs6"], row["name_en_eu"]

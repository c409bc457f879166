"""Product terms: words and phrases that name an HS heading or chapter.

Two sources, both shipped:

- ``nlp/data/product_terms.csv``: curated synonyms in English, Chinese,
  Spanish and French (``code, language, term``), see PROVENANCE.md;
- the HS nomenclature itself: product names cut out of heading and
  subheading descriptions ("Hosiery; panty hose, tights, stockings …"
  gives "hosiery", "panty hose", "tights", "stockings"), kept only when
  the name belongs to one heading (tagged at heading level) or at least
  to one chapter (tagged at chapter level).

A curated term is trusted more than a derived one; the weights are the
tags' scores.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hs.codes import try_normalise
from hs.nomenclature import chapter_names, entries
from store.errors import InputError, InputProblem

CURATED_TERMS = Path(__file__).parent / "data" / "product_terms.csv"
# Mined from the customs nomenclatures by ``python -m nlp.mining``.
NOMENCLATURE_TERMS = Path(__file__).parent / "data" / "nomenclature_terms.csv"
CURATED_WEIGHT = 0.9
CURATED_CHAPTER_WEIGHT = 0.75  # broad words ("steel", "paper") say less
DERIVED_WEIGHT = 0.6
LANGUAGES = ("en", "zh", "es", "fr")

# Words that name no product by themselves.
_GENERIC_WORDS = """other others parts part articles article products product thereof n.e.c. nes
    similar including incl excluding excl whether not or and of the a an for with
    without in on by to from kind kinds used use type types such as like fresh
    chilled frozen dried live new old mixed prepared preserved n.e.c wholly mainly
    containing put up retail sale forms form primary waste scrap pieces powder
    whole cut certain base material materials goods item items apparatus
    equipment machines machinery instruments appliances parts accessories
    sets set composite natural synthetic artificial plain coated covered
    worked unworked raw semi-manufactured manufactures articles"""
_GENERIC = frozenset(_GENERIC_WORDS.split())
_QUALIFIER_WORDS = (
    "not for in of with without those otherwise whether than having being mainly solely exceeding less more"
    " but using containing that the which parts"
)
_QUALIFIER_LEADS = frozenset(_QUALIFIER_WORDS.split())
_SPLIT = re.compile(
    r"[;,:()\[\]]|\bn\.e\.c\.?|\bwhether or not\b|\bother than\b|\bexcl(?:uding|\.)?\b|\bor\b|\band\b"
)
_LEADING = re.compile(r"^(?:(?:and|or|of|the|a|an|other|similar|including|incl\.?|e\.g\.?)\s+)+")
_WORD = re.compile(r"[a-z][a-z'-]+")


@dataclass(frozen=True)
class ProductTerm:
    """A phrase that names products of one HS code (2, 4 or 6 digits)."""

    term: str
    code: str
    language: str
    weight: float


def curated_terms(path: Path = CURATED_TERMS) -> list[ProductTerm]:
    """The curated synonyms. Raises :class:`InputError` naming each bad row."""
    terms: list[ProductTerm] = []
    problems: list[InputProblem] = []
    with open(path, encoding="utf-8", newline="") as rows:
        for number, row in enumerate(csv.DictReader(rows), start=2):
            term = _curated_row(row, f"line {number}", problems)
            if term is not None:
                terms.append(term)
    if problems:
        raise InputError(str(path), problems)
    return terms


def _curated_row(row: dict[str, str], where: str, problems: list[InputProblem]) -> ProductTerm | None:
    code = try_normalise(row.get("code") or "")
    if code is None or code not in entries():
        problems.append(InputProblem(where, "code", f"{row.get('code')!r} is not a code of the nomenclature"))
    language = (row.get("language") or "").strip()
    if language not in LANGUAGES:
        problems.append(
            InputProblem(where, "language", f"{language!r}: expected one of {', '.join(LANGUAGES)}")
        )
    term = (row.get("term") or "").strip()
    if not term:
        problems.append(InputProblem(where, "term", "missing: expected a word or phrase"))
    if code is None or code not in entries() or language not in LANGUAGES or not term:
        return None
    weight = CURATED_CHAPTER_WEIGHT if len(code) == 2 else CURATED_WEIGHT
    return ProductTerm(term, code, language, weight)


def chapter_title_terms() -> list[ProductTerm]:
    """Chinese chapter titles, each a term for its chapter (English titles
    are long lists that the derived terms already cover)."""
    return [
        ProductTerm(names["zh"], chapter, "zh", CURATED_CHAPTER_WEIGHT)
        for chapter, names in chapter_names().items()
        if names.get("zh")
    ]


def derived_terms() -> list[ProductTerm]:
    """Product names from heading and subheading descriptions that belong to
    one heading (or else one chapter); names shared across chapters are
    dropped as too vague. A name that opens one heading's description
    belongs to that heading even if others mention it ("Plywood, veneered
    panels ..." is 4412; 4408 only covers sheets "for veneer or plywood")."""
    codes_by_name: dict[str, set[str]] = defaultdict(set)
    lead_headings: dict[str, set[str]] = defaultdict(set)
    for code, entry in entries().items():
        names = description_names(entry.description) if len(code) in (4, 6) else []
        for name in names:
            codes_by_name[name].add(code[:4])
        if len(code) == 4 and names:
            lead_headings[names[0]].add(code)
    terms: list[ProductTerm] = []
    for name, headings in sorted(codes_by_name.items()):
        shared = _shared_code(headings, lead_headings.get(name, set()))
        if shared is not None:
            terms.append(ProductTerm(name, shared, "en", DERIVED_WEIGHT))
    return terms


def _shared_code(headings: set[str], leads: set[str]) -> str | None:
    if len(headings) == 1:
        return next(iter(headings))
    if len(leads) == 1:
        return next(iter(leads))
    chapters = {h[:2] for h in headings}
    return next(iter(chapters)) if len(chapters) == 1 else None


def description_names(description: str) -> list[str]:
    """Product names in one HS description, lower-cased: the pieces between
    punctuation and qualifiers that have a specific word in them."""
    names = []
    for piece in _SPLIT.split(description.lower()):
        name = _LEADING.sub("", piece.strip(" .-'\"")).strip()
        if _is_product_name(name):
            names.append(name)
    return names


def _is_product_name(name: str) -> bool:
    """A name, not a qualifier: no digits, not led by a preposition or
    negation ("not bamboo", "for sugar manufacture", "in heading no. 4418"),
    not ending in a participle ("decorated or printed"), and with a word
    that is not generic."""
    words = _WORD.findall(name)
    if not 1 <= len(words) <= 4 or any(ch.isdigit() for ch in name) or words[0] in _QUALIFIER_LEADS:
        return False
    if words[-1].endswith("ed") or not any(len(w) >= 4 and w not in _GENERIC for w in words):
        return False
    return len(words) > 1 or (len(words[0]) >= 6 and not words[0].endswith("'s"))


def nomenclature_terms(path: Path = NOMENCLATURE_TERMS) -> list[ProductTerm]:
    """Terms mined from the customs nomenclatures (:mod:`nlp.mining`), in
    English, French, Spanish and Chinese, each for one subheading, heading
    or chapter."""
    with open(path, encoding="utf-8", newline="") as rows:
        return [
            ProductTerm(row["term"], row["code"], row["language"], DERIVED_WEIGHT)
            for row in csv.DictReader(rows)
        ]


def all_terms() -> list[ProductTerm]:
    """Curated, chapter-title, derived and mined terms; a curated term wins
    over a derived or mined one with the same wording, and a wording derived
    from the HS descriptions over the same wording mined elsewhere."""
    derived = derived_terms()
    known = {t.term.lower() for t in derived}
    mined = [t for t in nomenclature_terms() if t.term.lower() not in known]
    return merge_terms([*curated_terms(), *chapter_title_terms(), *derived, *mined])


def merge_terms(terms: Iterable[ProductTerm]) -> list[ProductTerm]:
    """One entry per (wording, code); the first given wins. A wording given
    for several codes keeps each (the tagger reports them all)."""
    seen: dict[tuple[str, str], ProductTerm] = {}
    curated_wordings: set[str] = set()
    for term in terms:
        key = (term.term.lower(), term.code)
        if term.weight == DERIVED_WEIGHT and term.term.lower() in curated_wordings:
            continue  # the curated entry already says what this wording means
        if term.weight != DERIVED_WEIGHT:
            curated_wordings.add(term.term.lower())
        seen.setdefault(key, term)
    return list(seen.values())


def plural_variants(term: ProductTerm) -> list[str]:
    """The term and its other English number (sock/socks, box/boxes)."""
    if term.language != "en" or not term.term[-1:].isalpha():
        return [term.term]
    text = term.term
    if text.endswith("ies"):
        return [text, text[:-3] + "y"]
    if text.endswith(("ses", "xes", "ches", "shes")):
        return [text, text[:-2]]
    if text.endswith("s") and not text.endswith("ss"):
        return [text, text[:-1]]
    return [text, text + "s"]

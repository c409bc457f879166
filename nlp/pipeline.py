"""The spaCy pipeline that reads HS evidence out of a notice.

Three components after a multilingual tokenizer (``nlp/config.cfg`` is the
complete configuration):

1. ``hs_explicit_codes``: codes written in the text, any form
   (:func:`hs.codes.find_codes`), into ``doc._.hs_codes``;
2. ``hs_product_terms``: a PhraseMatcher over product terms
   (:mod:`nlp.terms`), hits into ``doc._.hs_terms`` as :class:`TermHit`;
3. ``textcat_multilabel`` (bag of words): a probability per HS chapter in
   ``doc.cats``.

The tokenizer (:mod:`nlp.tokenizer`) is spaCy's own with a few cheap rules
and each CJK character made a token of its own, so Chinese needs no word
segmenter (jieba, pkuseg) and no download: terms such as 多层木地板 match
character by character, and the bag of words sees characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import spacy
import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import load_config

from hs.codes import find_codes
from nlp import classifier  # noqa: F401  (registers the classifier's architecture)
from nlp.terms import ProductTerm, all_terms, plural_variants
from nlp.tokenizer import NoticeTokenizer, notice_text

CONFIG_PATH = Path(__file__).parent / "config.cfg"
TEXTCAT = "textcat_multilabel"
if not Doc.has_extension("hs_codes"):
    Doc.set_extension("hs_codes", default=None)
if not Doc.has_extension("hs_terms"):
    Doc.set_extension("hs_terms", default=None)


@Language.component("hs_explicit_codes")
def explicit_codes(doc: Doc) -> Doc:
    """Sets ``doc._.hs_codes``: the HS codes the text writes, normalised."""
    doc._.hs_codes = find_codes(notice_text(doc))
    return doc


@Language.factory("hs_product_terms")
def make_product_term_matcher(nlp: Language, name: str) -> ProductTermMatcher:
    return ProductTermMatcher(nlp, name)


class TermHit(NamedTuple):
    """A product term found in a notice: the code it names, its weight, and
    whether it is a phrase of several tokens ("petroleum jelly", "phenolic
    resins", 玩具 — each Chinese character is a token), which names one
    product more surely than a single word ("jelly")."""

    code: str
    weight: float
    phrase: bool = False


class ProductTermMatcher:
    """Sets ``doc._.hs_terms``: a :class:`TermHit` for each product term found.

    Terms are matched case-insensitively, English ones in both numbers.
    Where terms overlap, the longest wins: "petroleum jelly" is found, not
    also its "jelly" (a jam of 2007). The term list is saved with the
    model, so a model keeps the terms it was evaluated with.
    """

    def __init__(self, nlp: Language, name: str = "hs_product_terms") -> None:
        self.name = name
        self.nlp = nlp  # its tokenizer turns terms into patterns
        self.vocab = nlp.vocab
        self.terms: list[ProductTerm] = []
        self.matcher = PhraseMatcher(self.vocab, attr="LOWER")

    def __call__(self, doc: Doc) -> Doc:
        hits = []
        for key, start, end in self._longest(doc):
            code, weight = self.vocab.strings[key].split(":")
            hits.append(TermHit(code, float(weight), end - start > 1))
        doc._.hs_terms = hits
        return doc

    def found(self, doc: Doc) -> list[tuple[str, str]]:
        """``(wording, code)`` of each term found in ``doc``, as written there."""
        return [
            (doc[start:end].text.lower(), self.vocab.strings[key].split(":")[0])
            for key, start, end in self._longest(doc)
        ]

    def _longest(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Matches that overlap no longer one (of two equally long, the
        earlier wins); a wording that names several codes keeps them all."""
        matches = sorted(self.matcher(doc), key=lambda m: (m[1] - m[2], m[1]))
        taken = bytearray(len(doc))
        kept: list[tuple[int, int, int]] = []
        spans: set[tuple[int, int]] = set()
        for key, start, end in matches:
            if (start, end) in spans or not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                spans.add((start, end))
                kept.append((key, start, end))
        return kept

    def drop_terms(self, unreliable: set[tuple[str, str]]) -> int:
        """Remove terms whose ``(wording, code)`` (either number) is in
        ``unreliable``; returns how many were removed."""
        kept = [
            t for t in self.terms if not any((w.lower(), t.code) in unreliable for w in plural_variants(t))
        ]
        removed = len(self.terms) - len(kept)
        self.set_terms(kept)
        return removed

    def initialize(
        self, get_examples: Callable[[], Iterable[Any]] | None = None, *, nlp: Language | None = None
    ) -> None:
        """Load the shipped terms (curated, chapter titles, derived from HS)."""
        self.set_terms(all_terms())

    def set_terms(self, terms: list[ProductTerm]) -> None:
        self.terms = list(terms)
        self.matcher = PhraseMatcher(self.vocab, attr="LOWER")
        by_key: dict[str, list[str]] = {}
        for term in self.terms:
            by_key.setdefault(f"{term.code}:{term.weight}", []).extend(plural_variants(term))
        for key, wordings in by_key.items():
            self.matcher.add(key, self._pattern_docs(wordings))

    def _pattern_docs(self, wordings: list[str]) -> list[Doc]:
        tokenizer = self.nlp.tokenizer
        if isinstance(tokenizer, NoticeTokenizer):
            return tokenizer.pattern_docs(wordings)  # leaves the tokenizer's cache to notices
        return [self.nlp.make_doc(wording) for wording in wordings]

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path.mkdir(parents=True, exist_ok=True)
        rows = [[t.term, t.code, t.language, t.weight] for t in self.terms]
        srsly.write_json(path / "terms.json", rows)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> ProductTermMatcher:
        # The tokenizer is loaded before the components, so patterns made
        # here are tokenized exactly as the notices will be.
        rows = srsly.read_json(path / "terms.json")
        self.set_terms([ProductTerm(term, code, language, weight) for term, code, language, weight in rows])
        return self


def blank_pipeline(config_path: Path = CONFIG_PATH, overrides: dict[str, Any] | None = None) -> Language:
    """An untrained pipeline from the committed configuration."""
    config = load_config(config_path, overrides=overrides or {}, interpolate=False)
    return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)


def load_pipeline(model_dir: Path) -> Language:
    """A trained pipeline saved by :mod:`nlp.train`.

    Raises ``OSError`` when ``model_dir`` holds no pipeline.
    """
    return spacy.load(model_dir)


@dataclass
class Evidence:
    """What the pipeline read in one notice."""

    codes: list[str]  # written in the text
    terms: list[TermHit]  # product terms found
    chapter_probabilities: dict[str, float] = field(default_factory=dict)


def read_evidence(nlp: Language, texts: Iterable[str], batch_size: int = 256) -> Iterator[Evidence]:
    """Evidence for each text, in order."""
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield Evidence(list(doc._.hs_codes or ()), list(doc._.hs_terms or ()), dict(doc.cats))

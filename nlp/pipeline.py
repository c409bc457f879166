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
and each CJK character made a token of its own, its NORM the simplified
character: terms such as 多层木地板 match character by character in either
script; the bag of words sees the characters and, cut by jieba, the words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import spacy
import srsly
from spacy.attrs import IS_ALPHA, NORM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import load_config

from hs.codes import find_codes
from nlp import classifier  # noqa: F401  (registers the classifier's architecture)
from nlp.terms import ProductTerm, all_terms, plural_variants
from nlp.tokenizer import CJK_CHARACTERS, NoticeTokenizer, notice_text

CONFIG_PATH = Path(__file__).parent / "config.cfg"
_HAN = re.compile(f"[{CJK_CHARACTERS}]")
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


@Language.factory("hs_product_terms", default_config={"attr": "NORM", "window": 2})
def make_product_term_matcher(nlp: Language, name: str, attr: str, window: int) -> ProductTermMatcher:
    return ProductTermMatcher(nlp, name, attr=attr, window=window)


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

    Terms are matched on the NORM (``attr``; see :mod:`nlp.tokenizer`): case,
    number ("sock"/"Socks"), HS spelling and Chinese script (襪/袜) do not
    matter. Where terms overlap, the longest wins: "petroleum jelly" is
    found, not also its "jelly" (a jam of 2007). A term of several words is
    also found with up to ``window`` other words among its own and in any
    order, within one sentence ("threaded steel rod", "rod, threaded"), at
    :data:`WINDOW_FACTOR` of its weight, where no exact term covers those
    words. The term list is saved with the model, so a model keeps the
    terms it was evaluated with.
    """

    def __init__(
        self, nlp: Language, name: str = "hs_product_terms", attr: str = "NORM", window: int = 2
    ) -> None:
        self.name = name
        self.nlp = nlp  # its tokenizer turns terms into patterns
        self.vocab = nlp.vocab
        self.attr = attr
        self.window = window
        self.terms: list[ProductTerm] = []
        self.matcher = PhraseMatcher(self.vocab, attr=attr)
        # Terms of several words for the window: by their rarest word, each
        # with all its words and its match key.
        self._by_rare_word: dict[int, list[tuple[tuple[int, ...], str, str]]] = {}

    def __call__(self, doc: Doc) -> Doc:
        hits = []
        for key, start, end, windowed in self._longest(doc):
            code, weight = key.split(":")
            trust = float(weight) * WINDOW_FACTOR if windowed else float(weight)
            hits.append(TermHit(code, trust, end - start > 1))
        doc._.hs_terms = hits
        return doc

    def found(self, doc: Doc) -> list[tuple[str, str]]:
        """``(wording, code)`` of each term found in ``doc``: as written there
        for an exact match, the term's own wording for a match in a window."""
        return [
            (windowed or doc[start:end].text.lower(), key.split(":")[0])
            for key, start, end, windowed in self._longest(doc)
        ]

    def _longest(self, doc: Doc) -> list[tuple[str, int, int, str]]:
        """Matches that overlap no longer one (of two equally long, the
        earlier wins); a wording that names several codes keeps them all.
        Then the terms found in a window over words that no exact match of
        as many words took; a longer term found so replaces the shorter exact
        ones inside it ("wood flooring" in "multilayered oak wood flooring").
        Each as ``(key, start, end, wording)``, wording empty for exact ones."""
        matches = sorted(self.matcher(doc), key=lambda m: (m[1] - m[2], m[1]))
        taken = bytearray(len(doc))
        kept: list[tuple[str, int, int, str]] = []
        spans: set[tuple[int, int]] = set()
        strings = self.vocab.strings
        for key, start, end in matches:
            if (start, end) in spans or not any(taken[start:end]):
                taken[start:end] = bytes([min(end - start, 255)]) * (end - start)
                spans.add((start, end))
                kept.append((strings[key], start, end, ""))
        if self.window and self._by_rare_word:
            windowed = self._in_window(doc, taken)
            if windowed:
                covered = bytearray(len(doc))
                for _, start, end, _ in windowed:
                    covered[start:end] = b"\x01" * (end - start)
                kept = [m for m in kept if not any(covered[m[1] : m[2]])] + windowed
        return kept

    def _in_window(self, doc: Doc, taken: bytearray) -> list[tuple[str, int, int, str]]:
        norms = doc.to_array(NORM).tolist()
        present = set(norms)
        index = self._by_rare_word
        # Over the notice's words, not the index's: a set's intersection with
        # a dict walks the dict (tens of thousands of words) for every notice.
        candidates = [
            entry
            for rare in present
            if rare in index
            for entry in index[rare]
            if present.issuperset(entry[0])
        ]
        if not candidates:
            return []
        needed = {word for words, _, _ in candidates for word in words}
        where: dict[int, list[int]] = {}
        for i, norm in enumerate(norms):
            if norm in needed:
                where.setdefault(norm, []).append(i)
        found = []
        for words, key, wording in sorted(candidates, key=lambda c: -len(c[0])):
            span = self._window_span(words, where, taken, doc)
            if span is not None:
                start, end = span
                taken[start:end] = bytes([min(len(words), 255)]) * (end - start)
                found.append((key, start, end, wording))
        return found

    def _window_span(
        self, words: tuple[int, ...], where: dict[int, list[int]], taken: bytearray, doc: Doc
    ) -> tuple[int, int] | None:
        """The first span of at most ``len(words) + window`` tokens holding
        every word of ``words``, none of them taken by a match of as many
        words or more (``taken`` holds each token's match length), no
        sentence end inside."""
        limit = len(words) + self.window
        for anchor in where[words[0]]:
            positions = [anchor]
            for word in words[1:]:
                near = [p for p in where[word] if abs(p - anchor) < limit and p not in positions]
                if not near:
                    break
                positions.append(min(near, key=lambda p: abs(p - anchor)))
            else:
                start, end = min(positions), max(positions) + 1
                fits = end - start <= limit and all(taken[p] < len(words) for p in range(start, end))
                if fits and not any(doc[i].text in _SENTENCE_ENDS for i in range(start, end)):
                    return start, end
        return None

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
        self.matcher = PhraseMatcher(self.vocab, attr=self.attr)
        by_key: dict[str, list[str]] = {}
        for term in self.terms:
            wordings = plural_variants(term) if self.attr == "LOWER" else [term.term]
            by_key.setdefault(f"{term.code}:{term.weight}", []).extend(wordings)
        window_terms: list[tuple[tuple[int, ...], str, str]] = []
        for key, wordings in by_key.items():
            docs = self._pattern_docs(wordings)
            self.matcher.add(key, docs)
            if self.window:  # a Doc's text is its wording: the tokenizer keeps every character
                window_terms += [
                    (words, key, wording.lower())
                    for wording, doc in zip(wordings, docs, strict=True)
                    if len(words := _window_words(doc, wording)) > 1
                ]
        self._by_rare_word = _by_rare_word(window_terms)

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


# A term found with other words among its own counts this share of its weight.
WINDOW_FACTOR = 0.8
_SENTENCE_ENDS = frozenset(".;:!?。；：！？\n")


def _window_words(doc: Doc, text: str) -> tuple[int, ...]:
    """The NORMs of the words of a term (``doc``, made from ``text``), for
    finding it in a window: terms of several words, letters only (no
    Chinese, whose characters are tokens, no numbers).

    Read as arrays, not token by token, and the Han test on the wording, not
    on ``doc.text`` (which joins the tokens again): loading runs this for
    each of the ~49,000 terms, and the token walk took a sixth of the load."""
    if len(doc) < 2 or _HAN.search(text):
        return ()
    alpha, norms = doc.to_array([IS_ALPHA, NORM]).T.tolist()
    if not all(alpha):
        return ()
    return tuple(norms)


def _by_rare_word(
    terms: list[tuple[tuple[int, ...], str, str]],
) -> dict[int, list[tuple[tuple[int, ...], str, str]]]:
    """Each term under its rarest word among the terms, so a notice looks
    only at terms whose rarest word it holds."""
    counts: dict[int, int] = {}
    for words, _, _ in terms:
        for word in set(words):
            counts[word] = counts.get(word, 0) + 1
    index: dict[int, list[tuple[tuple[int, ...], str, str]]] = {}
    for entry in terms:
        rare = min(entry[0], key=lambda w: counts[w])
        index.setdefault(rare, []).append(entry)
    return index


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

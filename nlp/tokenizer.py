"""The notice tokenizer: cheap splitting rules on spaCy's own tokenizer.

Notices are English, Spanish, French or Chinese. The rules only need to
give the bag of words and the product-term matcher the same words on
both sides, so they are a few short patterns instead of a language's
full prefix, suffix and infix lists:

- one punctuation mark at a time comes off the front and the back of each
  space-separated chunk;
- inside a chunk, punctuation next to a letter is split off ("cut-to-length",
  "d'étiquetage", "G/TBT/N/USA"), while numbers keep their dots, commas and
  hyphens ("4418.75", "1,000", "2025-06-11");
- each Han character is a token of its own, its NORM the simplified
  character (OpenCC, :func:`fold_chinese`): product terms match character
  by character whatever the script; the classifier also reads Chinese words
  (jieba, see :mod:`nlp.classifier`).

spaCy's tokenizer (compiled) caches the tokens of each chunk it has seen,
which makes it several times faster than building a ``Doc`` from words in
Python; the cache is kept for notices (see :meth:`NoticeTokenizer.pattern_docs`).
Each ``Doc`` keeps the text it was made from (``doc._.notice_text``), because
rebuilding ``doc.text`` from the tokens costs more than the whole tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

import opencc
import spacy
from spacy.attrs import NORM
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Han ideographs (and their extensions), and CJK or full-width punctuation.
CJK_CHARACTERS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
_PREFIX = re.compile(r"^[^\w\s]")
_SUFFIX = re.compile(r"[^\w\s]$")
_INFIX = re.compile(
    rf"[{CJK_CHARACTERS}]|[{_CJK_PUNCTUATION}()\[\]]"
    r"|(?<=[^\W\d_])[^\w\s]+(?=\w)"  # after a letter: "cut-to", "d'é", "N/USA"
    r"|(?<=\d)[^\w\s]+(?=[^\W\d_])"  # before a letter: "12-ounce"
    r"|(?<=\d)[^\w\s.,\-]+(?=\d)"  # between digits, all but a number's own marks
)

if not Doc.has_extension("notice_text"):
    Doc.set_extension("notice_text", default=None)


class NoticeTokenizer(Tokenizer):
    """spaCy's tokenizer that also records each Doc's text in ``doc._.notice_text``."""

    max_cache_size: int  # spaCy's, declared for the type checker

    def __call__(self, text: str) -> Doc:
        doc = super().__call__(text)
        doc._.notice_text = text
        return doc

    def pattern_docs(self, texts: Iterable[str]) -> list[Doc]:
        """Docs of ``texts`` made without filling the chunk cache.

        The cache holds a fixed number of chunks (10,000) and never lets one
        go: filled with the thousands of product-term wordings, it left no
        room for the words of notices, which were then split by the rules
        every time (three to four times slower).
        """
        size = self.max_cache_size
        self.max_cache_size = 0
        try:
            make = super().__call__  # patterns need no notice_text
            return [make(text) for text in texts]
        finally:
            self.max_cache_size = size


def notice_text(doc: Doc) -> str:
    """The text ``doc`` was made from (``doc.text`` for Docs made otherwise)."""
    text = doc._.notice_text
    return text if isinstance(text, str) else doc.text


@spacy.registry.tokenizers("barrierwatch.notice_tokenizer.v2")
def create_notice_tokenizer() -> Callable[[Language], NoticeTokenizer]:
    """The notice tokenizer; also sets the vocabulary's NORM (:func:`notice_norm`)."""

    def make(nlp: Language) -> NoticeTokenizer:
        _set_lexeme_attributes(nlp.vocab)
        return NoticeTokenizer(
            nlp.vocab,
            rules={},
            prefix_search=_PREFIX.search,
            suffix_search=_SUFFIX.search,
            infix_finditer=_INFIX.finditer,
            url_match=None,
        )

    return make


# American spellings read as the HS writes them, so "sulfanilic acid" meets
# "sulphanilic acid" in the descriptions the classifier learnt from.
# Singular forms: plurals are folded first (see fold_plural).
SPELLING_NORMS = {
    "sulfur": "sulphur",
    "sulfate": "sulphate",
    "sulfide": "sulphide",
    "sulfite": "sulphite",
    "sulfonic": "sulphonic",
    "sulfonated": "sulphonated",
    "sulfanilic": "sulphanilic",
    "sulfuric": "sulphuric",
    "aluminum": "aluminium",
    "fiber": "fibre",
    "fiberboard": "fibreboard",
    "color": "colour",
    "colored": "coloured",
    "coloring": "colouring",
    "tire": "tyre",
    "mold": "mould",
    "molded": "moulded",
    "jewelry": "jewellery",
    "fertilizer": "fertiliser",
    "vapor": "vapour",
    "gray": "grey",
    "liter": "litre",
    "center": "centre",
    "labeled": "labelled",
    "galvanized": "galvanised",
    "vulcanized": "vulcanised",
    "polymerized": "polymerised",
}


def notice_norm(word: str) -> str:
    """A word's NORM: lower case, singular, spelt as the HS spells it
    ("Tires" -> "tyre"), so that notices and the HS meet on one form; a
    Chinese character in its simplified form (襪 -> 袜, :func:`fold_chinese`)."""
    if _HAN.search(word):
        return fold_chinese(word)
    singular = fold_plural(word.lower())
    return SPELLING_NORMS.get(singular, singular)


_HAN = re.compile(f"[{CJK_CHARACTERS}]")


def fold_chinese(text: str) -> str:
    """``text`` with traditional Chinese characters made simplified (OpenCC's
    ``tw2s``: characters only, no rewording of Taiwan's phrasing), so
    多層實木複合地板 meets 多层实木复合地板."""
    return _tw2s().convert(text)


@cache
def _tw2s() -> opencc.OpenCC:
    return opencc.OpenCC("tw2s")


def fold_plural(word: str) -> str:
    """``word`` without a plural ending, by spelling alone ("batteries" ->
    "battery", "boxes" -> "box", "socks" -> "sock"; "glass", "gas" and
    "status" stay). Notices and the HS go through the same rules, so a
    wrong singular ("series" -> "sery") still meets its own kind."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _set_lexeme_attributes(vocab: Vocab) -> None:
    """NORM by :func:`notice_norm`, set on the lexeme: once per word, so it
    costs nothing per token."""
    getters = vocab.lex_attr_getters  # type: ignore[attr-defined]
    getters[NORM] = notice_norm
    for lexeme in vocab:  # made before the getter was set
        lexeme.norm_ = notice_norm(lexeme.orth_)

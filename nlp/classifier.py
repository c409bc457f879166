"""The chapter classifier's model: a bag of product words, one weight row per label.

It is spaCy's ``TextCatBOW.v3`` (a hashed sparse linear layer and a logistic
output, trained by spaCy's ``textcat_multilabel``) with its own features:
the NORM (lower case, singular, one spelling; see :mod:`nlp.tokenizer`) of
the words that can name a product. Numbers, dates, punctuation and place
names are left out: an anti-dumping notice says "from Korea, Republic of
... Initiation: 2001-10-26" as often as it names the product, and with a
few hundred labelled notices the classifier learnt that Korea means steel.

Predicting, the model remembers each word's weight row (:class:`WordRows`)
instead of hashing every word of every notice into the table again: the
same scores, three times faster.
"""

from __future__ import annotations

import logging
import re
from functools import cache, partial
from typing import Any, cast

import numpy
import pycountry
import spacy
from spacy.attrs import NORM
from spacy.ml.models.textcat import resize_and_set_ref
from spacy.strings import StringStore
from spacy.tokens import Doc
from thinc.api import (
    Logistic,
    Model,
    NumpyOps,
    SparseLinear_v2,
    chain,
    resizable,
    softmax_activation,
    with_cpu,
)
from thinc.layers.resizable import resize_linear_weighted
from thinc.types import Floats2d

from hs.nomenclature import entries
from nlp.tokenizer import CJK_CHARACTERS, fold_chinese, notice_norm, notice_text

# What the feature layer gives the sparse linear layer: hashed keys, their
# counts, and how many keys each Doc has.
Features = tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]
_OPS = NumpyOps()


@spacy.registry.architectures("barrierwatch.TextCatBOWWords.v1")
def build_bow_words_classifier(
    exclusive_classes: bool,
    ngram_size: int,
    no_output_layer: bool,
    length: int = 262144,
    nO: int | None = None,
    chinese_words: bool = False,
) -> Model[list[Doc], Floats2d]:
    """spaCy's TextCatBOW.v3 over :func:`product_words` instead of every
    token's text; predicting through :class:`WordRows` when it reads single
    words. With ``chinese_words``, Chinese text also gives its words
    (:func:`chinese_word_keys`) beside its characters."""
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": 0.0, "W": 0.0}
    output_layer = None
    if not no_output_layer:
        fill_defaults["b"] = -5000.0  # new labels start switched off, as in spaCy
        output_layer = softmax_activation() if exclusive_classes else Logistic()
    resizable_layer: Model[Any, Any] = resizable(
        sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    bow: Model[Any, Any] = with_cpu(
        chain(product_words(ngram_size, chinese_words), resizable_layer), NumpyOps()
    )
    layers = [bow] if output_layer is None else [bow, with_cpu(output_layer, NumpyOps())]
    model: Model[list[Doc], Floats2d] = Model(
        "bow_product_words",
        _classifier_forward,
        init=_classifier_init,
        layers=layers,
        dims={"nO": nO},
        refs={"output_layer": sparse_linear},
        attrs={
            "multi_label": not exclusive_classes,
            "resize_output": partial(_resize, resizable_layer=resizable_layer),
            "ngram_size": ngram_size,
            "chinese_words": chinese_words,
            "word_rows": WordRows(),  # not saved: rebuilt from the weights when predicting
        },
    )
    return model


def _classifier_init(model: Model, X: list[Doc] | None = None, Y: Floats2d | None = None) -> None:
    model.layers[0].initialize(X=X, Y=Y)  # the sparse linear layer learns its width from Y
    model.set_dim("nO", model.get_ref("output_layer").get_dim("nO"), force=True)


def _resize(model: Model, new_nO: int, resizable_layer: Model) -> Model:
    resize_and_set_ref(model, new_nO, resizable_layer)
    model.attrs["word_rows"].forget()
    return model


def _classifier_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Floats2d, Any]:
    if is_train or model.attrs["ngram_size"] != 1:
        model.attrs["word_rows"].forget()  # the weights are about to change
        return _chain_forward(model, docs, is_train)
    scores = model.attrs["word_rows"].scores(
        model.get_ref("output_layer"), docs, model.attrs["chinese_words"]
    )
    for output_layer in model.layers[1:]:
        scores = output_layer.predict(scores)
    return scores, lambda d_scores: []


def _chain_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Floats2d, Any]:
    backprops = []
    outputs: Any = docs
    for layer in model.layers:
        outputs, backprop = layer(outputs, is_train)
        backprops.append(backprop)

    def backprop_chain(d_outputs: Any) -> Any:
        for backprop in reversed(backprops):
            d_outputs = backprop(d_outputs)
        return d_outputs

    return outputs, backprop_chain


class WordRows:
    """The sparse linear layer's weights, remembered per word (NORM hash).

    The layer hashes each word twice into a table per label; a notice's
    score for a label is the label's bias plus, for each word, its count
    times its weight. Each word's weights across all labels (its row) are
    read once from the layer and kept; words that are no features keep a
    row of zeros. Rows are forgotten when the layer's weights change
    (training, resizing, loading).
    """

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.keys = numpy.empty(0, dtype="uint64")  # sorted
        self.slots = numpy.empty(0, dtype="int64")  # row of each key, in the same order
        self.rows = numpy.empty((0, 0), dtype="float32")  # grows by doubling; `size` used
        self.size = 0
        self._weights: tuple[Any, Any] | None = None  # the arrays the rows were read from

    def scores(self, sparse_linear: Model, docs: list[Doc], chinese_words: bool = False) -> Floats2d:
        """What the sparse linear layer gives for ``docs``' features
        (:func:`product_words` with single words), bias included."""
        self._check_weights(sparse_linear)
        words = [numpy.unique(_word_keys(doc, chinese_words), return_counts=True) for doc in docs]
        keys = numpy.concatenate([doc_keys for doc_keys, _ in words]) if words else self.keys[:0]
        unknown = numpy.unique(keys[~self._known(keys)])
        if len(unknown):
            self._learn(sparse_linear, docs[0].vocab.strings, unknown)
        slots = self.slots[numpy.searchsorted(self.keys, keys)]
        bias = sparse_linear.get_param("b")
        scores = numpy.empty((len(docs), bias.shape[0]), dtype="float32")
        start = 0
        for i, (doc_keys, counts) in enumerate(words):
            scores[i] = counts.astype("float32") @ self.rows[slots[start : start + len(doc_keys)]]
            start += len(doc_keys)
        return scores + bias

    def _check_weights(self, sparse_linear: Model) -> None:
        weights = (sparse_linear.get_param("W"), sparse_linear.get_param("b"))
        if self._weights is None or any(a is not b for a, b in zip(weights, self._weights, strict=True)):
            self.forget()  # loaded or swapped since the rows were read
            self._weights = weights

    def _known(self, keys: numpy.ndarray) -> numpy.ndarray:
        where = numpy.searchsorted(self.keys, keys)
        known = where < len(self.keys)
        known[known] = self.keys[where[known]] == keys[known]
        return known

    def _learn(self, sparse_linear: Model, strings: StringStore, keys: numpy.ndarray) -> None:
        """Read the rows of ``keys`` (sorted, none known yet) from the layer."""
        bias = sparse_linear.get_param("b")
        rows = numpy.zeros((len(keys), bias.shape[0]), dtype="float32")
        words = _product_word_flags(strings, keys)
        if words.any():
            # One "document" per word, with count 1: the layer gives its row plus the bias.
            single = numpy.ones(int(words.sum()), dtype="int32")
            rows[words] = sparse_linear.predict((keys[words], single.astype("float32"), single)) - bias
        self._append(rows)
        where = numpy.searchsorted(self.keys, keys)
        self.keys = numpy.insert(self.keys, where, keys)
        self.slots = numpy.insert(self.slots, where, numpy.arange(self.size - len(keys), self.size))

    def _append(self, rows: numpy.ndarray) -> None:
        needed = self.size + len(rows)
        if needed > len(self.rows):
            grown = numpy.empty((max(needed, 2 * len(self.rows), 1024), rows.shape[1]), dtype="float32")
            if self.size:
                grown[: self.size] = self.rows[: self.size]
            self.rows = grown
        self.rows[self.size : needed] = rows
        self.size = needed


def product_words(ngram_size: int = 1, chinese_words: bool = False) -> Model[list[Doc], Features]:
    """Features of each Doc: the NORM of its words that can name a product
    (:func:`is_product_word`), and runs of up to ``ngram_size`` of them,
    with their counts; with ``chinese_words``, its Chinese words too."""
    return Model(
        "product_words",
        _product_words_forward,
        attrs={"ngram_size": ngram_size, "chinese_words": chinese_words},
    )


def _product_words_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Features, Any]:
    keys: list[numpy.ndarray] = []
    counts: list[numpy.ndarray] = []
    for doc in docs:
        found = _doc_keys(doc, model.attrs["ngram_size"], model.attrs["chinese_words"])
        doc_keys, doc_counts = numpy.unique(found, return_counts=True)
        keys.append(doc_keys)
        counts.append(doc_counts)
    lengths = numpy.asarray([len(k) for k in keys], dtype="int32")
    features = (
        numpy.concatenate(keys).astype("uint64"),
        numpy.concatenate(counts).astype("float32"),
        lengths,
    )
    return features, lambda d_features: []


def _word_keys(doc: Doc, chinese_words: bool) -> numpy.ndarray:
    """The NORM of each token, and the Chinese words when asked."""
    norms = doc.to_array(NORM)
    return numpy.concatenate([norms, chinese_word_keys(doc)]) if chinese_words else norms


_HAN_RUN = re.compile(f"[{CJK_CHARACTERS}]{{2,}}")
if not Doc.has_extension("chinese_word_keys"):
    Doc.set_extension("chinese_word_keys", default=None)
_NO_KEYS = numpy.empty(0, dtype="uint64")


def chinese_word_keys(doc: Doc) -> numpy.ndarray:
    """Hashes (in ``doc``'s string store) of the words of two characters or
    more in the Chinese runs of ``doc``'s text, folded to simplified
    characters and cut by jieba's dictionary (its HMM for unknown words is
    left off: slower, and the characters are features anyway)."""
    cached = doc._.chinese_word_keys  # a training example is read every epoch
    if cached is not None:
        return cast(numpy.ndarray, cached)
    runs = _HAN_RUN.findall(notice_text(doc))
    keys = _NO_KEYS
    if runs:
        strings = doc.vocab.strings
        words = [
            strings.add(word)
            for run in fold_chinese("\n".join(runs)).split("\n")
            for word in _segmenter().lcut(run, HMM=False)
            if len(word) > 1
        ]
        keys = numpy.asarray(words, dtype="uint64")
    doc._.chinese_word_keys = keys
    return keys


@cache
def _segmenter() -> Any:
    """jieba's segmenter, made on the first Chinese text (it reads its
    dictionary then: about a second, cached by jieba in the temp folder)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    return segmenter


def _doc_keys(doc: Doc, ngram_size: int, chinese_words: bool = False) -> numpy.ndarray:
    norms = _word_keys(doc, chinese_words)
    distinct, inverse = numpy.unique(norms, return_inverse=True)
    words = norms[_product_word_flags(doc.vocab.strings, distinct)[inverse]]
    if ngram_size == 1:
        return words
    return numpy.concatenate([words, *(_OPS.ngrams(n, words) for n in range(2, ngram_size + 1))])


# NORM hash -> whether the word can name a product (hashes are the same in every vocabulary).
_PRODUCT_WORD: dict[int, bool] = {}


def _product_word_flags(strings: StringStore, keys: numpy.ndarray) -> numpy.ndarray:
    flags = numpy.empty(len(keys), dtype=bool)
    for i, key in enumerate(keys.tolist()):
        flag = _PRODUCT_WORD.get(key)
        if flag is None:
            flag = _PRODUCT_WORD[key] = is_product_word(strings[key])
        flags[i] = flag
    return flags


def is_product_word(norm: str) -> bool:
    """True when a word (its NORM) can name a product: letters only, and
    not a place name (:func:`place_norms`)."""
    return norm.isalpha() and norm not in place_norms()


# WTO member names that differ from the ISO country names pycountry knows.
_WTO_MEMBER_NAMES = ("Chinese Taipei", "Hong Kong, China", "Macao, China", "European Union")
_COUNTRY_NAME_FIELDS = ("name", "official_name", "common_name")
_WORDS = re.compile(r"[^\W\d_]+")


@cache
def place_norms() -> frozenset[str]:
    """Words of country and territory names (pycountry, WTO member names),
    as NORMs, except those the HS uses ("turkey", "brazil" nuts, "china",
    "of"): they tell whom a notice is about, not what product."""
    names = [*_WTO_MEMBER_NAMES]
    for country in pycountry.countries:
        names += [
            getattr(country, key) for key in ("name", "official_name", "common_name") if hasattr(country, key)
        ]
    return frozenset(_norms(" ".join(names)) - _norms(" ".join(e.description for e in entries().values())))


def _norms(text: str) -> set[str]:
    return {notice_norm(word) for word in set(_WORDS.findall(text))}

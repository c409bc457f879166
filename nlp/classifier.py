"""The chapter classifier's model: a bag of product words, one weight row per label.

It is spaCy's ``TextCatBOW.v3`` (a hashed sparse linear layer and a logistic
output, trained by spaCy's ``textcat_multilabel``) with its own features:
the token's NORM (lower case, one spelling, one number; see
:mod:`nlp.tokenizer`) of the tokens that can name a product. Numbers,
dates, punctuation and place names are left out: an anti-dumping notice
says "from Korea, Republic of ... Initiation: 2001-10-26" as often as it
names the product, and with a few hundred labelled notices the classifier
learnt that Korea means steel.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy
import spacy
from spacy.attrs import IS_ALPHA, IS_STOP, NORM
from spacy.ml.models.textcat import resize_and_set_ref
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
) -> Model[list[Doc], Floats2d]:
    """spaCy's TextCatBOW.v3 over :func:`product_words` instead of every token's text."""
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
    model: Model[Any, Any] = chain(product_words(ngram_size), resizable_layer)
    model = with_cpu(model, model.ops)
    if output_layer is not None:
        model = chain(model, with_cpu(output_layer, output_layer.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return model


def product_words(ngram_size: int = 1) -> Model[list[Doc], Features]:
    """Features of each Doc: the NORM of its alphabetic tokens that are not
    stop words (the tokenizer marks place names so), and runs of up to
    ``ngram_size`` of them, with their counts."""
    return Model("product_words", _product_words_forward, attrs={"ngram_size": ngram_size})


def _product_words_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Features, Any]:
    keys: list[numpy.ndarray] = []
    counts: list[numpy.ndarray] = []
    for doc in docs:
        doc_keys, doc_counts = numpy.unique(_doc_keys(doc, model.attrs["ngram_size"]), return_counts=True)
        keys.append(doc_keys)
        counts.append(doc_counts)
    lengths = numpy.asarray([len(k) for k in keys], dtype="int32")
    features = (
        numpy.concatenate(keys).astype("uint64"),
        numpy.concatenate(counts).astype("float32"),
        lengths,
    )
    return features, lambda d_features: []


def _doc_keys(doc: Doc, ngram_size: int) -> numpy.ndarray:
    columns = doc.to_array([NORM, IS_ALPHA, IS_STOP])
    words = columns[(columns[:, 1] == 1) & (columns[:, 2] == 0), 0]
    if ngram_size == 1:
        return words
    return numpy.concatenate([words, *(_OPS.ngrams(n, words) for n in range(2, ngram_size + 1))])

"""The classifier's features: product words only, in their NORM."""

from __future__ import annotations

import pytest
from spacy.language import Language

from nlp.classifier import product_words
from nlp.pipeline import blank_pipeline


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_pipeline()


def feature_words(nlp: Language, text: str) -> dict[str, float]:
    keys, counts, lengths = product_words().predict([nlp.make_doc(text)])
    assert lengths.tolist() == [len(keys)]
    return {nlp.vocab.strings[int(k)]: float(c) for k, c in zip(keys, counts, strict=True)}


def test_features_are_the_product_words_in_their_norm(nlp: Language) -> None:
    words = feature_words(
        nlp,
        "Anti-dumping: Steel Tires from Korea, Republic of. Partner affected: Korea, Republic of. "
        "Initiation: 2001-10-26. Tires, HS 4011.",
    )
    # "of" stays: the HS uses it, so it is no place name.
    assert words == {"anti": 1, "dumping": 1, "steel": 1, "tyre": 2, "from": 1, "of": 2, "partner": 1,
                     "affected": 1, "initiation": 1, "hs": 1}  # fmt: skip


def test_chinese_features_are_characters(nlp: Language) -> None:
    assert feature_words(nlp, "袜子，袜子") == {"袜": 2, "子": 2}


def test_word_pairs_are_features_when_asked(nlp: Language) -> None:
    keys, _counts, _lengths = product_words(ngram_size=2).predict([nlp.make_doc("wood flooring, 2025")])
    assert len(keys) == 3  # wood, flooring, and the pair

"""The classifier: product words only, in their NORM; remembered rows score as the layer does."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Model

from nlp.classifier import _chain_forward, is_product_word, place_norms, product_words
from nlp.pipeline import blank_pipeline, load_pipeline
from nlp.train import TrainingResult
from tests.nlp_fixtures import toy_model

__all__ = ["toy_model"]  # the shared fixture


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


def test_place_names_are_no_features_unless_the_hs_names_products_so(nlp: Language) -> None:
    words = feature_words(nlp, "Hazelnuts from Korea, Republic of, Chinese Taipei and Turkey")
    assert set(words) == {"hazelnut", "from", "of", "chinese", "and", "turkey"}
    assert {"korea", "republic", "taipei", "bahama"} <= place_norms()
    assert not is_product_word("korea") and is_product_word("turkey") and not is_product_word("4418")


def test_chinese_features_are_characters(nlp: Language) -> None:
    assert feature_words(nlp, "袜子，袜子") == {"袜": 2, "子": 2}


def test_word_pairs_are_features_when_asked(nlp: Language) -> None:
    keys, _counts, _lengths = product_words(ngram_size=2).predict([nlp.make_doc("wood flooring, 2025")])
    assert len(keys) == 3  # wood, flooring, and the pair


def chain_scores(model: Model, docs: list[Doc]) -> numpy.ndarray:
    """The classifier's scores the way training computes them (no remembered rows)."""
    return numpy.asarray(_chain_forward(model, docs, False)[0])


NOTICES = [
    "Anti-dumping: Hardwood plywood from China. Partner affected: China.",
    "Products covered: HS 6115\nDescription: labelling of socks and tights",
    "美国对中国多层木地板发起反倾销调查",
    "",
    "Circular welded carbon steel pipe; 2025-06-11; 4418.75",
]


def test_remembered_rows_give_the_layers_scores(toy_model: tuple[Path, TrainingResult]) -> None:
    nlp = load_pipeline(toy_model[0])
    model = nlp.get_pipe("textcat_multilabel").model  # type: ignore[attr-defined]
    docs = [nlp.make_doc(text) for text in NOTICES]
    first = numpy.asarray(model.predict(docs))
    assert numpy.allclose(first, chain_scores(model, docs), atol=1e-5)
    assert numpy.allclose(model.predict(docs[::-1]), first[::-1], atol=1e-5)  # rows now remembered


def test_rows_are_forgotten_when_training_changes_the_weights(toy_model: tuple[Path, TrainingResult]) -> None:
    nlp = load_pipeline(toy_model[0])
    textcat = nlp.get_pipe("textcat_multilabel")
    docs = [nlp.make_doc(text) for text in NOTICES]
    before = numpy.asarray(textcat.model.predict(docs))  # type: ignore[attr-defined]
    example = Example.from_dict(nlp.make_doc(NOTICES[0]), {"cats": {"44": 1.0, "72": 0.0}})
    optimizer = nlp.resume_training()
    for _ in range(3):
        nlp.update([example], sgd=optimizer)
    after = numpy.asarray(textcat.model.predict(docs))  # type: ignore[attr-defined]
    assert not numpy.allclose(before, after)
    assert numpy.allclose(after, chain_scores(textcat.model, docs), atol=1e-5)  # type: ignore[attr-defined]


def test_a_saved_classifier_scores_the_same_when_loaded(
    toy_model: tuple[Path, TrainingResult], tmp_path: Path
) -> None:
    nlp = load_pipeline(toy_model[0])
    scores = [doc.cats for doc in nlp.pipe(NOTICES)]
    nlp.to_disk(tmp_path / "copy")
    loaded = [doc.cats for doc in load_pipeline(tmp_path / "copy").pipe(NOTICES)]
    for original, again in zip(scores, loaded, strict=True):
        assert again == pytest.approx(original, abs=1e-6)


def test_chinese_words_are_features_beside_the_characters_when_asked(nlp: Language) -> None:
    keys, counts, _lengths = product_words(chinese_words=True).predict([nlp.make_doc("進口聚苯硫醚，袜子")])
    words = {nlp.vocab.strings[int(k)]: float(c) for k, c in zip(keys, counts, strict=True)}
    # Traditional characters folded to simplified before jieba cuts the words.
    assert {"进口", "聚苯硫醚", "袜子"} <= set(words)
    assert words["袜"] == 1 and "進" not in words

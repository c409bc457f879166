"""Evidence becomes tags: written codes decide, terms and the model add up."""

from __future__ import annotations

from nlp.fusion import EXPLICIT_SCORE, Thresholds, chapter_scores, fuse, tagged_chapters, tune_thresholds
from nlp.pipeline import Evidence


def test_written_codes_decide_the_chapters() -> None:
    evidence = Evidence(["441875"], [("6115", 0.9)], {"44": 0.2, "61": 0.9})
    assert [s.chapter for s in tagged_chapters(evidence, Thresholds(0.5))] == ["44"]


def test_several_terms_outweigh_one() -> None:
    evidence = Evidence([], [("3808", 0.9), ("3808", 0.9), ("3406", 0.9)], {})
    scores = chapter_scores(evidence)
    assert scores[0].chapter == "38" and scores[0].score > scores[1].score
    assert scores[0].method == "terms"


def test_term_scale_weakens_terms_against_the_model() -> None:
    evidence = Evidence([], [("3406", 0.9)], {"38": 0.6})
    assert chapter_scores(evidence, 1.0)[0].chapter == "34"
    assert chapter_scores(evidence, 0.5)[0].chapter == "38"


def test_fuse_keeps_publisher_codes_first_and_one_tag_per_code() -> None:
    evidence = Evidence(["6115"], [("6115", 0.9), ("611595", 0.9)], {"61": 0.8, "72": 0.1})
    tags = fuse(evidence, Thresholds(0.5), publisher_codes=["6115"])
    by_code = {t.code: t for t in tags}
    assert len(by_code) == len(tags)
    assert by_code["6115"].method == "publisher"
    assert by_code["611595"].method == "terms"
    assert by_code["61"].method == "explicit" and by_code["61"].score >= EXPLICIT_SCORE
    assert "72" not in by_code


def test_terms_below_chapter_level_need_their_chapter_tagged() -> None:
    evidence = Evidence([], [("9603", 0.3)], {"32": 0.9})
    codes = {t.code for t in fuse(evidence, Thresholds(0.5))}
    assert codes == {"32"}


def test_tuned_thresholds_separate_right_from_wrong_scores() -> None:
    right = Evidence([], [], {"72": 0.7})
    wrong = Evidence([], [], {"72": 0.3})
    scored = [chapter_scores(e) for e in [right, wrong, right, wrong, right]]
    gold = [frozenset({"72"}), frozenset({"73"}), frozenset({"72"}), frozenset({"73"}), frozenset({"72"})]
    thresholds = tune_thresholds(scored, gold)
    assert 0.3 < thresholds.of("72") <= 0.7
    assert Thresholds.from_json(thresholds.to_json()) == thresholds

"""Evidence becomes tags: written codes decide, terms and the model add up."""

from __future__ import annotations

from nlp.fusion import (
    BEST_CHAPTER_FLOOR,
    EXPLICIT_SCORE,
    Thresholds,
    chapter_scores,
    fuse,
    tagged_chapters,
    tune_thresholds,
)
from nlp.pipeline import Evidence, TermHit


def test_written_codes_decide_the_chapters() -> None:
    evidence = Evidence(["441875"], [TermHit("6115", 0.9)], {"44": 0.2, "61": 0.9})
    assert [s.chapter for s in tagged_chapters(evidence, Thresholds(0.5))] == ["44"]


def test_several_terms_outweigh_one() -> None:
    evidence = Evidence([], [TermHit("3808", 0.9), TermHit("3808", 0.9), TermHit("3406", 0.9)], {})
    scores = chapter_scores(evidence)
    assert scores[0].chapter == "38" and scores[0].score > scores[1].score
    assert scores[0].method == "terms"


def test_term_scale_weakens_terms_against_the_model() -> None:
    evidence = Evidence([], [TermHit("3406", 0.9)], {"38": 0.6})
    assert chapter_scores(evidence, 1.0)[0].chapter == "34"
    assert chapter_scores(evidence, 0.5)[0].chapter == "38"


def test_a_phrase_counts_its_full_weight_a_single_word_is_scaled() -> None:
    word = Evidence([], [TermHit("2712", 0.9)], {"20": 0.6})
    phrase = Evidence([], [TermHit("2712", 0.9, phrase=True)], {"20": 0.6})
    assert chapter_scores(word, 0.4)[0].chapter == "20"
    assert chapter_scores(phrase, 0.4)[0].chapter == "27"
    assert chapter_scores(phrase, 0.4)[0].score == 0.9


def test_a_short_notice_keeps_its_best_chapter_when_none_reaches_its_threshold() -> None:
    thresholds = Thresholds(0.65)
    toys = Evidence([], [TermHit("9503", 0.5)], {"39": 0.05})
    assert [s.chapter for s in tagged_chapters(toys, thresholds)] == ["95"]
    faint = Evidence([], [], {"39": BEST_CHAPTER_FLOOR - 0.01, "95": 0.1})
    assert tagged_chapters(faint, thresholds) == []
    # Once a chapter reaches its threshold, the floor adds nothing.
    sure = Evidence([], [TermHit("9503", 0.5)], {"39": 0.7})
    assert [s.chapter for s in tagged_chapters(sure, thresholds)] == ["39"]


def test_fuse_keeps_publisher_codes_first_and_one_tag_per_code() -> None:
    evidence = Evidence(["6115"], [TermHit("6115", 0.9), TermHit("611595", 0.9)], {"61": 0.8, "72": 0.1})
    tags = fuse(evidence, Thresholds(0.5), publisher_codes=["6115"])
    by_code = {t.code: t for t in tags}
    assert len(by_code) == len(tags)
    assert by_code["6115"].method == "publisher"
    assert by_code["611595"].method == "terms"
    assert by_code["61"].method == "explicit" and by_code["61"].score >= EXPLICIT_SCORE
    assert "72" not in by_code


def test_terms_below_chapter_level_need_their_chapter_tagged() -> None:
    evidence = Evidence([], [TermHit("9603", 0.3)], {"32": 0.9})
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

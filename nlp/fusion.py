"""Combine the pipeline's evidence into HS tags with one score each.

Per chapter, the three kinds of evidence are independent witnesses, so
their scores combine like probabilities that each is right (noisy-or):
``1 - (1 - explicit) (1 - terms) (1 - model)``. A chapter is tagged when
that score reaches its threshold (tuned per chapter on the dev set, see
:func:`tune_thresholds`). Codes below chapter level (headings and
subheadings written in the text or named by a product term) are tagged
when their chapter is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp.pipeline import Evidence
from nlp.results import TagResult

EXPLICIT_SCORE = 0.95  # as the code tagger: written codes are nearly certain
DEFAULT_THRESHOLD = 0.5
# Classifier scores below this are noise (every sigmoid is above zero);
# leaving them out keeps fusion cheap.
MIN_MODEL_SCORE = 0.01
# Chapters with fewer dev notices than this keep the global threshold:
# a threshold tuned on one or two notices only remembers them.
MIN_SUPPORT_FOR_OWN_THRESHOLD = 3
# A notice whose best chapter misses its threshold still gets that chapter
# when the evidence is this strong: thresholds are tuned on long notices,
# where the classifier is sure, and would leave a short one ("Safety
# requirements for toys", "Étiquetage du miel") without a tag, so no
# exporter would hear of it. On the hand-written probe, micro-F1 went from
# 0.62 to 0.86; on the shipped dev split it cost 0.002 (nlp/README.md).
BEST_CHAPTER_FLOOR = 0.3
_GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass
class Thresholds:
    """Score a chapter needs to be tagged: its own, else the global one."""

    default: float = DEFAULT_THRESHOLD
    per_chapter: dict[str, float] = field(default_factory=dict)
    # How far a product term is trusted next to the classifier (tuned).
    term_scale: float = 1.0

    def of(self, chapter: str) -> float:
        return self.per_chapter.get(chapter, self.default)

    def to_json(self) -> dict[str, object]:
        return {
            "default": self.default,
            "per_chapter": dict(sorted(self.per_chapter.items())),
            "term_scale": self.term_scale,
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> Thresholds:
        per_chapter = raw.get("per_chapter") or {}
        assert isinstance(per_chapter, dict)
        return cls(
            float(str(raw.get("default", DEFAULT_THRESHOLD))),
            {k: float(v) for k, v in per_chapter.items()},
            float(str(raw.get("term_scale", 1.0))),
        )


@dataclass
class ChapterScore:
    chapter: str
    score: float
    method: str  # explicit | terms | model: the strongest witness


def chapter_scores(evidence: Evidence, term_scale: float = 1.0) -> list[ChapterScore]:
    """Every chapter with any evidence, best first (chapters of written codes
    before the others); the weights of one-word product terms count
    ``term_scale`` times, terms of several words their full weight."""
    explicit = {code[:2] for code in evidence.codes}
    # Each term found is one more witness for its chapter: "insecticides",
    # "mosquito repellent" and "herbicides" together outweigh one "candles".
    # A single word is often used for something else ("jelly", "compounds");
    # a phrase such as "phenolic resins" rarely is. Over the shipped split
    # and five others, trusting phrases fully (with the longest of overlapping
    # terms winning) raised the mean top-1 of the other splits from 0.868 to
    # 0.880 (nlp/README.md).
    missing: dict[str, float] = {}
    for code, weight, phrase in evidence.terms:
        trust = weight if phrase else weight * term_scale
        missing[code[:2]] = missing.get(code[:2], 1.0) * (1.0 - trust)
    terms = {chapter: 1.0 - left for chapter, left in missing.items()}
    model = {c: p for c, p in evidence.chapter_probabilities.items() if p >= MIN_MODEL_SCORE}
    chapters = explicit | set(terms) | set(model)
    scores = [
        _score(c, c in explicit, terms.get(c, 0.0), evidence.chapter_probabilities.get(c, 0.0))
        for c in chapters
    ]
    # Written codes rank first: they are what the notice says it covers.
    return sorted(scores, key=lambda s: (s.method != "explicit", -s.score, s.chapter))


def _score(chapter: str, explicit: bool, term: float, model: float) -> ChapterScore:
    written = EXPLICIT_SCORE if explicit else 0.0
    score = 1.0 - (1.0 - written) * (1.0 - term) * (1.0 - model)
    method = "explicit" if explicit else ("terms" if term >= model else "model")
    return ChapterScore(chapter, round(score, 4), method)


def tagged_chapters(evidence: Evidence, thresholds: Thresholds) -> list[ChapterScore]:
    """The chapters a notice is tagged with, best first.

    When the notice writes codes, their chapters are its chapters: a
    notice that says "HS 8517" is about telephones even if its wording
    also evokes other goods.
    """
    return chosen(chapter_scores(evidence, thresholds.term_scale), thresholds)


def chosen(scores: Sequence[ChapterScore], thresholds: Thresholds) -> list[ChapterScore]:
    """The chapters tagged among ``scores`` (best first): the written codes'
    chapters when there are any; else those reaching their threshold; else
    the best chapter when its score reaches :data:`BEST_CHAPTER_FLOOR`."""
    if any(s.method == "explicit" for s in scores):
        return [s for s in scores if s.method == "explicit"]
    tagged = [s for s in scores if s.score >= thresholds.of(s.chapter)]
    if not tagged and scores and scores[0].score >= BEST_CHAPTER_FLOOR:
        return [scores[0]]
    return tagged


def fuse(evidence: Evidence, thresholds: Thresholds, publisher_codes: Sequence[str] = ()) -> list[TagResult]:
    """Tags of one notice, one per code, strongest evidence first in kind:
    publisher codes (1.0), written codes, product terms, then chapters."""
    chapters = {s.chapter: s for s in tagged_chapters(evidence, thresholds)}
    tags = {code: TagResult(code, 1.0, "publisher") for code in publisher_codes}
    # The first tag of a code stays; "not in" before building one, because
    # a notice finds thirty terms on average, most of them more than once.
    for code in evidence.codes:
        if code not in tags:
            tags[code] = TagResult(code, EXPLICIT_SCORE, "explicit")
    for code, weight, _phrase in sorted(evidence.terms, key=lambda t: -t.weight):
        if code[:2] in chapters and code not in tags:
            tags[code] = TagResult(code, weight, "terms")
    for chapter, score in chapters.items():
        if chapter not in tags:
            tags[chapter] = TagResult(chapter, score.score, score.method)
    return list(tags.values())


def tune_thresholds(scored: Sequence[list[ChapterScore]], gold: Sequence[frozenset[str]]) -> Thresholds:
    """Thresholds that maximise F1 on a dev set: one global (micro-F1), and
    one per chapter with enough dev notices (that chapter's F1; ties keep
    the value nearest the global one)."""
    default = max(_GRID, key=lambda t: (_f1(_counts(scored, gold, t, None)), -abs(t - DEFAULT_THRESHOLD)))
    support: dict[str, int] = {}
    for chapters in gold:
        for chapter in chapters:
            support[chapter] = support.get(chapter, 0) + 1
    per_chapter = {
        chapter: _best_threshold(scored, gold, chapter, default)
        for chapter, count in support.items()
        if count >= MIN_SUPPORT_FOR_OWN_THRESHOLD
    }
    return Thresholds(default, per_chapter)


def _best_threshold(
    scored: Sequence[list[ChapterScore]], gold: Sequence[frozenset[str]], chapter: str, default: float
) -> float:
    def quality(threshold: float) -> tuple[float, float]:
        return _f1(_counts(scored, gold, threshold, chapter)), -abs(threshold - default)

    return max(_GRID, key=quality)


def _counts(
    scored: Sequence[list[ChapterScore]], gold: Sequence[frozenset[str]], threshold: float, only: str | None
) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for scores, truth in zip(scored, gold, strict=True):
        predicted = {
            s.chapter for s in scores if s.score >= threshold and (only is None or s.chapter == only)
        }
        relevant = truth if only is None else truth & {only}
        tp += len(predicted & relevant)
        fp += len(predicted - relevant)
        fn += len(relevant - predicted)
    return tp, fp, fn


def _f1(counts: tuple[int, int, int]) -> float:
    tp, fp, fn = counts
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

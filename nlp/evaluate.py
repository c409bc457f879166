"""Measure chapter tagging on labelled notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from nlp.corpus import LabelledNotice, mask_codes
from nlp.fusion import ChapterScore, Thresholds, chapter_scores, chosen
from nlp.metrics import Figures, chapter_figures
from nlp.pipeline import Evidence, read_evidence


@dataclass
class Evaluation:
    """Figures over all notices and per detected language."""

    overall: Figures
    by_language: dict[str, Figures] = field(default_factory=dict)

    def to_json(self, worst: int = 10) -> dict[str, Any]:
        return {
            **self.overall.summary(),
            "by_language": {lang: f.summary() for lang, f in sorted(self.by_language.items())},
            "worst_labels": [vars(f) for f in self.overall.worst(worst)],
        }


def notice_evidence(nlp: Language, notices: Sequence[LabelledNotice]) -> list[Evidence]:
    """What the pipeline reads in each notice."""
    return list(read_evidence(nlp, (n.content for n in notices)))


def score_notices(
    nlp: Language, notices: Sequence[LabelledNotice], term_scale: float = 1.0
) -> list[list[ChapterScore]]:
    """Chapter scores of each notice, best first."""
    return [chapter_scores(e, term_scale) for e in notice_evidence(nlp, notices)]


def evaluate(
    nlp: Language, thresholds: Thresholds, notices: Sequence[LabelledNotice], mask: bool = False
) -> Evaluation:
    """Chapter figures for ``notices`` (publisher codes cut from the text when ``mask``)."""
    if mask:
        notices = [n.masked() for n in notices]
    return evaluate_scores(score_notices(nlp, notices, thresholds.term_scale), notices, thresholds)


def evaluate_scores(
    scored: Sequence[list[ChapterScore]], notices: Sequence[LabelledNotice], thresholds: Thresholds
) -> Evaluation:
    overall = _figures(scored, notices, thresholds)
    languages = sorted({n.language for n in notices})
    by_language = {
        lang: _figures(*_only(scored, notices, lambda n, lang=lang: n.language == lang), thresholds)
        for lang in languages
    }
    return Evaluation(overall, by_language)


def _figures(
    scored: Sequence[list[ChapterScore]], notices: Sequence[LabelledNotice], thresholds: Thresholds
) -> Figures:
    predicted = [_predicted(scores, thresholds) for scores in scored]
    best = [scores[0].chapter if scores else None for scores in scored]
    return chapter_figures(predicted, best, [n.chapters for n in notices])


def _predicted(scores: list[ChapterScore], thresholds: Thresholds) -> set[str]:
    return {s.chapter for s in chosen(scores, thresholds)}


def _only(
    scored: Sequence[list[ChapterScore]], notices: Sequence[LabelledNotice], keep: Any
) -> tuple[list[list[ChapterScore]], list[LabelledNotice]]:
    pairs = [(s, n) for s, n in zip(scored, notices, strict=True) if keep(n)]
    return [s for s, _ in pairs], [n for _, n in pairs]


def states_codes(notice: LabelledNotice) -> bool:
    """True when the notice's text writes its publisher's codes."""
    return mask_codes(notice.content) != notice.content


def format_report(evaluation: Evaluation, worst: int = 10) -> str:
    """A plain-text report: summary, per language, per label, worst labels."""
    f = evaluation.overall
    lines = [
        f"notices {f.notices}  top-1 chapter accuracy {f.top1:.3f}",
        f"micro  P {f.micro_precision:.3f}  R {f.micro_recall:.3f}  F1 {f.micro_f1:.3f}",
        f"macro  P {f.macro_precision:.3f}  R {f.macro_recall:.3f}  F1 {f.macro_f1:.3f}",
        "",
        "language  notices  top-1  micro-F1",
    ]
    for lang, g in sorted(evaluation.by_language.items()):
        lines.append(f"{lang:<9} {g.notices:>7}  {g.top1:.3f}  {g.micro_f1:.3f}")
    lines += ["", "chapter  support  predicted  P      R      F1"]
    for label in f.labels:
        lines.append(
            f"{label.label:<8} {label.support:>7}  {label.predicted:>9}  "
            f"{label.precision:.3f}  {label.recall:.3f}  {label.f1:.3f}"
        )
    lines += [
        "",
        "worst labels: " + ", ".join(f"{w.label} (F1 {w.f1:.2f}, n={w.support})" for w in f.worst(worst)),
    ]
    return "\n".join(lines)

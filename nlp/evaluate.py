"""Measure tagging on labelled notices: chapters, and headings where the
publisher's codes go that deep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from nlp.corpus import LabelledNotice, mask_codes
from nlp.fusion import ChapterScore, Thresholds, chapter_scores, chosen, fuse
from nlp.metrics import Figures, chapter_figures
from nlp.pipeline import Evidence, read_evidence


@dataclass
class Evaluation:
    """Figures over all notices and per detected language."""

    overall: Figures
    by_language: dict[str, Figures] = field(default_factory=dict)
    headings: HeadingFigures | None = None

    def to_json(self, worst: int = 10) -> dict[str, Any]:
        figures: dict[str, Any] = {
            **self.overall.summary(),
            "by_language": {lang: f.summary() for lang, f in sorted(self.by_language.items())},
            "worst_labels": [vars(f) for f in self.overall.worst(worst)],
        }
        if self.headings is not None:
            figures["headings"] = self.headings.to_json()
        return figures


@dataclass
class HeadingFigures:
    """Heading-level figures (4 digits) over the notices whose publisher
    codes name a heading: ``top1`` counts a notice right when its best
    heading tag (highest score) is one of the publisher's headings (no
    heading tag is a miss); ``precision``/``recall`` count every heading tag
    of those notices; ``coverage`` is the share with any heading tag."""

    notices: int
    top1: float
    precision: float
    recall: float
    coverage: float

    def to_json(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in vars(self).items()}


def heading_figures(
    evidence: Sequence[Evidence], notices: Sequence[LabelledNotice], thresholds: Thresholds
) -> HeadingFigures:
    """:class:`HeadingFigures` of the tags :func:`nlp.fusion.fuse` gives."""
    counted = right = tagged = tp = fp = fn = 0
    for found, notice in zip(evidence, notices, strict=True):
        gold = {code[:4] for code in notice.codes if len(code) >= 4}
        if not gold:
            continue
        counted += 1
        tags = [t for t in fuse(found, thresholds) if len(t.code) >= 4]
        predicted = {t.code[:4] for t in tags}
        if tags:
            tagged += 1
            right += max(tags, key=lambda t: t.score).code[:4] in gold
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    return HeadingFigures(
        counted,
        right / counted if counted else 0.0,
        tp / (tp + fp) if tp + fp else 0.0,
        tp / (tp + fn) if tp + fn else 0.0,
        tagged / counted if counted else 0.0,
    )


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
    evidence = notice_evidence(nlp, notices)
    scored = [chapter_scores(e, thresholds.term_scale) for e in evidence]
    evaluation = evaluate_scores(scored, notices, thresholds)
    evaluation.headings = heading_figures(evidence, notices, thresholds)
    return evaluation


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
    if (h := evaluation.headings) is not None:
        lines += [
            "",
            f"headings (4 digits, {h.notices} notices with a heading code): top-1 {h.top1:.3f}"
            f"  P {h.precision:.3f}  R {h.recall:.3f}  notices with a heading tag {h.coverage:.3f}",
        ]
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

"""Chapter-level quality figures: per-label and micro/macro P/R/F1, top-1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass
class LabelFigures:
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # notices that truly have the label
    predicted: int


@dataclass
class Figures:
    """Figures of one evaluation; ``top1`` counts a notice right when its
    best chapter is one of the publisher's."""

    notices: int
    top1: float
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    labels: list[LabelFigures]

    def worst(self, count: int = 10) -> list[LabelFigures]:
        """Labels that occur in the data, lowest F1 first (then most frequent)."""
        present = [f for f in self.labels if f.support]
        return sorted(present, key=lambda f: (f.f1, -f.support))[:count]

    def summary(self) -> dict[str, float | int]:
        figures = asdict(self)
        figures.pop("labels")
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}


def chapter_figures(
    predicted: Sequence[set[str]], best: Sequence[str | None], gold: Sequence[frozenset[str]]
) -> Figures:
    """Figures for predicted chapter sets and best chapters against gold sets.

    Macro averages run over labels present in gold or predictions.
    """
    labels = sorted(set().union(*gold, *predicted)) if gold else []
    per_label = [_label_figures(label, predicted, gold) for label in labels]
    tp = sum(len(p & g) for p, g in zip(predicted, gold, strict=True))
    n_pred = sum(len(p) for p in predicted)
    n_gold = sum(len(g) for g in gold)
    micro_p, micro_r = _ratio(tp, n_pred), _ratio(tp, n_gold)
    top1 = _ratio(sum(1 for b, g in zip(best, gold, strict=True) if b in g), len(gold))
    return Figures(
        notices=len(gold),
        top1=top1,
        micro_precision=micro_p,
        micro_recall=micro_r,
        micro_f1=_harmonic(micro_p, micro_r),
        macro_precision=_mean([f.precision for f in per_label]),
        macro_recall=_mean([f.recall for f in per_label]),
        macro_f1=_mean([f.f1 for f in per_label]),
        labels=per_label,
    )


def _label_figures(label: str, predicted: Sequence[set[str]], gold: Sequence[frozenset[str]]) -> LabelFigures:
    tp = sum(1 for p, g in zip(predicted, gold, strict=True) if label in p and label in g)
    n_pred = sum(1 for p in predicted if label in p)
    n_gold = sum(1 for g in gold if label in g)
    precision, recall = _ratio(tp, n_pred), _ratio(tp, n_gold)
    return LabelFigures(label, precision, recall, _harmonic(precision, recall), n_gold, n_pred)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _harmonic(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0

"""Build the tagging model from shipped data, reproducibly.

Steps (``barrierwatch nlp train``):

1. examples: HS descriptions and chapter titles as weak labels (each
   names its chapter), the curated product terms, and the labelled notices
   with their publisher codes cut out of the text (so the classifier
   learns products, not code numbers), plus inspector corrections when
   given;
2. split the labelled notices by family (:func:`nlp.corpus.dev_split`),
   train on one side, tune per-chapter thresholds on the other and
   measure it (``metrics.json``);
3. train again on all labelled notices with the same settings and save
   that model with the tuned thresholds.

The same inputs give the same model version (a hash of the inputs).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, load_config, minibatch
from thinc.api import Adam

from hs.nomenclature import chapter_names, entries
from nlp.classifier import place_norms
from nlp.corpus import DATA_DIR, SHIPPED_LABELLED, LabelledNotice, dev_split, read_labelled, shipped_notices
from nlp.evaluate import (
    evaluate,
    evaluate_scores,
    heading_figures,
    notice_evidence,
    score_notices,
    states_codes,
)
from nlp.fusion import ChapterScore, Thresholds, chapter_scores, tune_thresholds
from nlp.model import PIPELINE_VERSION, ModelInfo, save_model
from nlp.pipeline import CONFIG_PATH, TEXTCAT, Evidence, blank_pipeline
from nlp.terms import CURATED_TERMS, NOMENCLATURE_TERMS, curated_terms

Log = Callable[[str], None]
PROBE_FILE = DATA_DIR / "probe" / "probe_multilingual.jsonl"


@dataclass(frozen=True)
class TrainingSettings:
    """The ``[barrierwatch.training]`` section of the configuration."""

    epochs: int = 10
    dropout: float = 0.1
    batch_size: int = 256
    learn_rate: float = 0.01
    labelled_repeats: int = 3
    dev_share: float = 0.25
    split_seed: str = "bw-dev-1"
    seed: int = 7
    # Learn from the HS descriptions too (weak labels); off only in tests,
    # to train a toy model in seconds.
    hs_descriptions: bool = True

    @classmethod
    def from_config(cls, config_path: Path, overrides: dict[str, Any] | None = None) -> TrainingSettings:
        section = dict(load_config(config_path, interpolate=False)["barrierwatch"]["training"])
        section.update(overrides or {})
        return cls(**section)


@dataclass
class TrainingResult:
    version: str
    metrics: dict[str, Any]
    seconds: float


def chapter_labels() -> list[str]:
    """Every HS chapter the classifier can give (national chapters excluded)."""
    return sorted(c for c in entries() if len(c) == 2 and c not in {"98", "99"})


def weak_examples(hs_descriptions: bool = True) -> list[tuple[str, frozenset[str]]]:
    """HS descriptions (if asked), chapter titles and curated terms, each
    with its chapter."""
    labels = set(chapter_labels())
    texts = [
        (e.description, code[:2]) for code, e in entries().items() if code[:2] in labels and hs_descriptions
    ]
    texts += [(names[lang], chapter) for chapter, names in chapter_names().items() for lang in ("en", "zh")]
    texts += [(t.term, t.code[:2]) for t in curated_terms()]
    return [(text, frozenset({chapter})) for text, chapter in texts if text and chapter in labels]


def fit(
    labelled: Sequence[LabelledNotice],
    settings: TrainingSettings,
    config_path: Path = CONFIG_PATH,
    overrides: dict[str, Any] | None = None,
    log: Log = print,
) -> Language:
    """A pipeline whose classifier learnt from weak examples and ``labelled``
    (masked, repeated ``labelled_repeats`` times per epoch)."""
    fix_random_seed(settings.seed)
    nlp = blank_pipeline(config_path, overrides)
    labels = chapter_labels()
    textcat = nlp.get_pipe(TEXTCAT)
    for label in labels:
        textcat.add_label(label)  # type: ignore[attr-defined]
    pairs = (
        weak_examples(settings.hs_descriptions)
        + [(n.masked().content, n.chapters) for n in labelled] * settings.labelled_repeats
    )
    examples = [_example(nlp, text, chapters, labels) for text, chapters in pairs]
    nlp.initialize(lambda: examples)
    dropped = prune_terms(nlp, labelled)
    log(f"{dropped} product terms dropped as unreliable on the training notices")
    optimizer = Adam(settings.learn_rate)
    shuffler = random.Random(settings.seed)
    for epoch in range(1, settings.epochs + 1):
        shuffler.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=settings.batch_size):
            nlp.update(batch, drop=settings.dropout, sgd=optimizer, losses=losses)
        log(f"epoch {epoch}/{settings.epochs}: loss {losses.get(TEXTCAT, 0.0):.3f}")
    return nlp


# A term found at least this often in training notices, and right less than
# half the time, names something else in notices than in the HS (the
# "Chinese" of "Chinese lamb" furskins is the "Chinese" of "Chinese Taipei").
MIN_TERM_HITS = 2
MIN_TERM_PRECISION = 0.5


def prune_terms(nlp: Language, labelled: Sequence[LabelledNotice]) -> int:
    """Drop product terms that are mostly wrong on ``labelled``; returns how many."""
    matcher = nlp.get_pipe("hs_product_terms")
    hits: dict[tuple[str, str], list[bool]] = {}
    for notice in labelled:
        doc = nlp.make_doc(notice.masked().content)
        for wording, code in set(matcher.found(doc)):  # type: ignore[attr-defined]
            hits.setdefault((wording, code), []).append(code[:2] in notice.chapters)
    unreliable = {
        key
        for key, right in hits.items()
        if len(right) >= MIN_TERM_HITS and sum(right) < MIN_TERM_PRECISION * len(right)
    }
    return int(matcher.drop_terms(unreliable))  # type: ignore[attr-defined]


def _example(nlp: Language, text: str, chapters: frozenset[str], labels: list[str]) -> Example:
    return Example.from_dict(
        nlp.make_doc(text), {"cats": {label: float(label in chapters) for label in labels}}
    )


def train_model(
    model_dir: Path,
    *,
    labelled: Sequence[LabelledNotice] | None = None,
    corrections: Sequence[LabelledNotice] = (),
    config_path: Path = CONFIG_PATH,
    overrides: dict[str, Any] | None = None,
    log: Log = print,
) -> TrainingResult:
    """Train, tune and measure on the dev split, retrain on everything and
    save to ``model_dir``. ``labelled`` defaults to the shipped notices."""
    started = time.perf_counter()
    settings = TrainingSettings.from_config(config_path, (overrides or {}).get("training"))
    spacy_overrides = {k: v for k, v in (overrides or {}).items() if k != "training"}
    notices = [*(shipped_notices() if labelled is None else labelled), *corrections]
    train, dev = dev_split(notices, settings.dev_share, settings.split_seed)
    log(f"{len(notices)} labelled notices: {len(train)} train, {len(dev)} dev (grouped by family)")
    nlp = fit(train, settings, config_path, spacy_overrides, log)
    thresholds, dev_metrics = measure_dev(nlp, dev)
    log(f"dev (codes masked): {_headline(dev_metrics['masked'])}")
    final = fit(notices, settings, config_path, spacy_overrides, log) if dev else nlp
    version = model_version(config_path, notices, spacy_overrides)
    seconds = round(time.perf_counter() - started, 1)
    metrics = {
        "probe_multilingual": probe_figures(final, thresholds),
        "model_version": version,
        "train_seconds": seconds,
        "data": {
            "labelled": len(notices),
            "train": len(train),
            "dev": len(dev),
            "corrections": len(corrections),
        },
        "settings": asdict(settings),
        "dev": dev_metrics,
    }
    info = ModelInfo(
        version, thresholds, {"pipeline_version": PIPELINE_VERSION, "settings": asdict(settings)}
    )
    model_dir.mkdir(parents=True, exist_ok=True)
    save_model(final, model_dir, info, metrics)
    log(f"model {version} saved to {model_dir} in {seconds} s")
    return TrainingResult(version, metrics, seconds)


def probe_figures(nlp: Language, thresholds: Thresholds) -> dict[str, Any]:
    """Figures on the hand-written multilingual probe (see PROVENANCE.md):
    the same subjects in four languages, an indication, not a measure."""
    evaluation = evaluate(nlp, thresholds, read_labelled(PROBE_FILE))
    return {"note": "hand-written probe, not real notices", **evaluation.to_json(worst=5)}


def measure_dev(nlp: Language, dev: Sequence[LabelledNotice]) -> tuple[Thresholds, dict[str, Any]]:
    """Thresholds tuned on the masked dev notices, and the dev figures:
    masked (tuned and with the single global threshold), unmasked, and
    the notices whose text states its codes."""
    if not dev:
        return Thresholds(), {}
    masked = [n.masked() for n in dev]
    evidence = notice_evidence(nlp, masked)
    thresholds, masked_scores = max(
        (_tuned(evidence, masked, scale) for scale in TERM_SCALES), key=lambda tuned: _quality(tuned, masked)
    )
    global_only = Thresholds(thresholds.default, term_scale=thresholds.term_scale)
    stated = [n for n in dev if states_codes(n)]
    scale = thresholds.term_scale
    metrics = {
        "masked": evaluate_scores(masked_scores, masked, thresholds).to_json(),
        "masked_headings": heading_figures(evidence, masked, thresholds).to_json(),
        "masked_global_threshold": evaluate_scores(masked_scores, masked, global_only).to_json(),
        "unmasked": evaluate_scores(score_notices(nlp, dev, scale), dev, thresholds).to_json(),
        "stated_codes": evaluate_scores(score_notices(nlp, stated, scale), stated, thresholds).to_json(),
        "thresholds": thresholds.to_json(),
    }
    return thresholds, metrics


# How far product terms are trusted next to the classifier: tried on the dev set.
TERM_SCALES = (0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


def _tuned(
    evidence: Sequence[Evidence], notices: Sequence[LabelledNotice], term_scale: float
) -> tuple[Thresholds, list[list[ChapterScore]]]:
    scored = [chapter_scores(e, term_scale) for e in evidence]
    thresholds = tune_thresholds(scored, [n.chapters for n in notices])
    thresholds.term_scale = term_scale
    return thresholds, scored


def _quality(tuned: tuple[Thresholds, list[list[ChapterScore]]], notices: Sequence[LabelledNotice]) -> float:
    figures = evaluate_scores(tuned[1], notices, tuned[0]).overall
    return figures.top1 + figures.micro_f1


def _headline(figures: dict[str, Any]) -> str:
    return (
        f"top-1 {figures['top1']:.3f}, micro-F1 {figures['micro_f1']:.3f}, macro-F1 {figures['macro_f1']:.3f}"
    )


# The code that decides what a model is and scores (tuning grids, fusion,
# term extraction, code reading): a change to it is a new model version.
_NLP_DIR = Path(__file__).parent
MODEL_CODE = (
    *(
        _NLP_DIR / name
        for name in (
            "train.py",
            "pipeline.py",
            "tokenizer.py",
            "classifier.py",
            "fusion.py",
            "terms.py",
            "corpus.py",
        )
    ),
    _NLP_DIR.parent / "hs" / "codes.py",
)


def model_version(config_path: Path, notices: Sequence[LabelledNotice], overrides: dict[str, Any]) -> str:
    """A short hash of everything the model is built from: configuration,
    terms, place names, shipped and given labelled notices, overrides and
    the code."""
    digest = hashlib.sha256(f"pipeline {PIPELINE_VERSION}\n".encode())
    for path in (config_path, CURATED_TERMS, NOMENCLATURE_TERMS, *SHIPPED_LABELLED, *MODEL_CODE):
        digest.update(path.read_bytes())
    digest.update(" ".join(sorted(place_norms())).encode())  # from pycountry's data
    for notice in notices:
        digest.update(f"{notice.id}\t{notice.content}\t{','.join(notice.codes)}\n".encode())
    digest.update(repr(sorted(overrides.items())).encode())
    return "hs-" + digest.hexdigest()[:12]

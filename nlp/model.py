"""The trained model as an artefact, and the tagger that runs it.

A model directory holds the spaCy pipeline, ``barrierwatch.json`` (model
version, thresholds, what it was trained on) and ``metrics.json`` (dev-set
figures measured when it was trained). The version is a hash of
everything the model was built from (configuration, terms, labelled data,
inspector corrections, pipeline code version), so the same inputs give the
same version and any change re-tags notices (see :mod:`nlp.classify`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language

from nlp.fusion import Thresholds, fuse, tagged_chapters
from nlp.pipeline import Evidence, load_pipeline, read_evidence
from nlp.results import TagResult
from nlp.tagger import DEFAULT_MODEL_DIR

ARTEFACT_FILE = "barrierwatch.json"
METRICS_FILE = "metrics.json"
# Bump when the pipeline code changes what a model means.
PIPELINE_VERSION = "3"


class ModelMissing(FileNotFoundError):
    """No trained model where one was looked for."""


@dataclass
class ModelInfo:
    version: str
    thresholds: Thresholds
    details: dict[str, Any]


def has_model(model_dir: Path = DEFAULT_MODEL_DIR) -> bool:
    return (model_dir / ARTEFACT_FILE).is_file()


def save_model(nlp: Language, model_dir: Path, info: ModelInfo, metrics: dict[str, Any]) -> None:
    """Write the pipeline, its artefact record and metrics; the artefact
    record is written last, so a half-written directory is not a model."""
    (model_dir / ARTEFACT_FILE).unlink(missing_ok=True)
    nlp.to_disk(model_dir)
    _write_json(model_dir / METRICS_FILE, metrics)
    record = {"version": info.version, "thresholds": info.thresholds.to_json(), **info.details}
    _write_json(model_dir / ARTEFACT_FILE, record)


def read_model_info(model_dir: Path) -> ModelInfo:
    """The artefact record. Raises :class:`ModelMissing` when there is none."""
    path = model_dir / ARTEFACT_FILE
    if not path.is_file():
        raise ModelMissing(f"no trained model in {model_dir} (run `barrierwatch nlp train`)")
    record = json.loads(path.read_text(encoding="utf-8"))
    version = record.pop("version")
    thresholds = Thresholds.from_json(record.pop("thresholds"))
    return ModelInfo(version, thresholds, record)


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


class PipelineTagger:
    """Tags notices with the spaCy pipeline: written codes, product terms and
    the chapter classifier, fused (:mod:`nlp.fusion`); publisher codes are
    kept as method ``publisher`` like :class:`nlp.tagger.CodeTagger` does."""

    def __init__(self, nlp: Language, info: ModelInfo) -> None:
        self.nlp = nlp
        self.info = info
        self.version = f"spacy-{info.version}"

    @classmethod
    def load(cls, model_dir: Path = DEFAULT_MODEL_DIR) -> PipelineTagger:
        """Raises :class:`ModelMissing` when ``model_dir`` holds no model."""
        info = read_model_info(model_dir)
        return cls(load_pipeline(model_dir), info)

    def tag(self, title: str, text: str, publisher_codes: Sequence[str]) -> list[TagResult]:
        evidence = next(read_evidence(self.nlp, [f"{title}\n{text}"]))
        return fuse(evidence, self.info.thresholds, publisher_codes)

    def evidence(self, texts: Iterable[str]) -> Iterable[Evidence]:
        """The pipeline's evidence for many texts (faster than one by one)."""
        return read_evidence(self.nlp, texts)

    def headings(self, evidence: Evidence) -> list[dict[str, Any]]:
        """Tagged headings and subheadings (4 or 6 digits, from written codes
        or product terms, under a tagged chapter) as ``{code, score, method}``,
        best first."""
        tags = [t for t in fuse(evidence, self.info.thresholds) if len(t.code) >= 4]
        return [
            {"code": t.code, "score": t.score, "method": t.method}
            for t in sorted(tags, key=lambda t: (-t.score, t.code))
        ]

    def chapters(self, evidence: Evidence) -> list[dict[str, Any]]:
        """Tagged chapters as ``{code, score, method}``, best first."""
        return [
            {"code": s.chapter, "score": s.score, "method": s.method}
            for s in tagged_chapters(evidence, self.info.thresholds)
        ]

"""Taggers turn a notice into HS tags with a score and the method that found them.

Every tagger has a ``version``; it is stored on each tag so that a new
tagger re-tags what an older one tagged (see :mod:`nlp.classify`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from hs.codes import find_codes
from nlp.results import TagResult

__all__ = ["CodeTagger", "TagResult", "Tagger", "load_tagger"]

logger = logging.getLogger(__name__)
DEFAULT_MODEL_DIR = Path(__file__).parent / "model"


class Tagger(Protocol):
    version: str

    def tag(self, title: str, text: str, publisher_codes: Sequence[str]) -> list[TagResult]:
        """Tags of one notice, at most one per code (the strongest evidence)."""
        ...


class CodeTagger:
    """Tags the codes a notice states: those its publisher attached
    (score 1.0) and those written in its title or text (score 0.95)."""

    version = "codes-1"

    def tag(self, title: str, text: str, publisher_codes: Sequence[str]) -> list[TagResult]:
        tags = {code: TagResult(code, 1.0, "publisher") for code in publisher_codes}
        for code in find_codes(f"{title}\n{text}"):
            tags.setdefault(code, TagResult(code, 0.95, "explicit"))
        return list(tags.values())


def load_tagger(model_dir: Path | None = None) -> Tagger:
    """The tagger the product runs with: the spaCy pipeline
    (:class:`nlp.model.PipelineTagger`) when a trained model is in
    ``model_dir`` (default ``nlp/model``), else :class:`CodeTagger`, with a
    log line saying so."""
    # Imported here: spaCy takes a second to import and CodeTagger needs none of it.
    from nlp.model import ModelMissing, PipelineTagger

    try:
        return PipelineTagger.load(model_dir or DEFAULT_MODEL_DIR)
    except ModelMissing as exc:
        logger.warning("%s; tagging with written and publisher codes only (%s)", exc, CodeTagger.version)
        return CodeTagger()

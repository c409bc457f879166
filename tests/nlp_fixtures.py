"""A toy tagging model, trained in seconds, shared by the nlp tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.corpus import LabelledNotice, shipped_notices
from nlp.train import TrainingResult, train_model

# Few epochs, a small feature table and no HS descriptions: a toy, not the product model.
TOY_OVERRIDES = {
    "components.textcat_multilabel.model.length": 4096,
    "training": {"epochs": 4, "hs_descriptions": False, "labelled_repeats": 2},
}
TOY_CHAPTERS = frozenset({"29", "39", "44", "72", "73", "87"})


def toy_notices() -> list[LabelledNotice]:
    """Shipped notices whose chapters all lie in a few well-represented chapters."""
    return [n for n in shipped_notices() if n.chapters <= TOY_CHAPTERS]


def train_toy_model(model_dir: Path, notices: list[LabelledNotice] | None = None) -> TrainingResult:
    return train_model(
        model_dir,
        labelled=toy_notices() if notices is None else notices,
        overrides=TOY_OVERRIDES,
        log=lambda _: None,
    )


@pytest.fixture(scope="session")
def toy_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrainingResult]:
    """A toy model trained once per test session: (directory, training result)."""
    model_dir = tmp_path_factory.mktemp("model")
    return model_dir, train_toy_model(model_dir)

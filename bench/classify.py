"""Tagging throughput on ~300-word notices, beside the bare tokenizer, and model load time.

The same texts go through spaCy's blank English tokenizer (the ceiling
for any spaCy pipeline), the pipeline's own tokenizer, and the whole
tagger (pipeline + fusion). Variants run interleaved, several rounds, and
the median counts, because the machine's speed drifts from run to run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import spacy

from bench import Figure
from nlp.corpus import shipped_notices
from nlp.fusion import fuse
from nlp.model import PipelineTagger
from nlp.tagger import DEFAULT_MODEL_DIR

WORDS_PER_NOTICE = 300


def notice_texts(count: int) -> list[str]:
    """``count`` texts of about 300 words, made of shipped notices laid end to end."""
    words = " ".join(n.content for n in shipped_notices()).split(" ")
    step = WORDS_PER_NOTICE
    return [" ".join(words[(i * step) % len(words) :][:step]) for i in range(count)]


def rate(work: Callable[[list[str]], object], texts: list[str]) -> float:
    started = time.perf_counter()
    work(texts)
    return len(texts) / (time.perf_counter() - started)


def interleaved(
    variants: dict[str, Callable[[list[str]], object]], texts: list[str], rounds: int
) -> dict[str, float]:
    """Median docs/s of each variant over ``rounds`` interleaved runs (A B A B …)."""
    rates: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, work in variants.items():
            rates[name].append(rate(work, texts))
    return {name: statistics.median(values) for name, values in rates.items()}


def run(quick: bool) -> Iterator[Figure]:
    tagger = PipelineTagger.load(DEFAULT_MODEL_DIR)
    blank = spacy.blank("en")
    texts = notice_texts(300 if quick else 2000)

    def tag_all(batch: list[str]) -> None:
        for evidence in tagger.evidence(batch):
            fuse(evidence, tagger.info.thresholds)

    rates = interleaved(
        {
            "blank": lambda batch: [blank.make_doc(t) for t in batch],
            "tokenizer": lambda batch: [tagger.nlp.make_doc(t) for t in batch],
            "tagger": tag_all,
        },
        texts,
        rounds=2 if quick else 5,
    )
    yield Figure("blank_en_tokenizer", round(rates["blank"]), "notices/s")
    yield Figure("notice_tokenizer", round(rates["tokenizer"]), "notices/s", round(rates["blank"]))
    yield Figure("classify", round(rates["tagger"]), "notices/s", round(rates["blank"]))
    yield Figure("model_load", round(load_seconds(in_process=True), 3), "s")
    yield Figure("model_load_with_imports", round(load_seconds(in_process=False), 3), "s")


def load_seconds(in_process: bool) -> float:
    """Seconds to load the model; with imports, in a fresh interpreter."""
    if in_process:
        started = time.perf_counter()
        PipelineTagger.load(DEFAULT_MODEL_DIR)
        return time.perf_counter() - started
    code = (
        "import time; t = time.perf_counter(); from nlp.model import PipelineTagger; "
        "PipelineTagger.load(); print(time.perf_counter() - t)"
    )
    return float(
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    )

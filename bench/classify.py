"""Tagging throughput on ~300-word notices, beside the bare tokenizer, and model load time.

The same texts go through spaCy's blank English tokenizer (the ceiling
for any spaCy pipeline), the pipeline's own tokenizer, and the whole
tagger (pipeline + fusion). Variants run interleaved, several rounds, and
the median counts, because the machine's speed drifts from run to run.

The main figure tags 2,000 texts cut from the shipped notices, so their
words repeat and every tokenizer's cache is warm, as in a long-running
service. ``classify_first_pass`` tags each 300 words of those notices
once, with a tagger and a blank tokenizer loaded afresh for every round:
the cold case.

Chinese notices are timed apart, beside spaCy's blank Chinese tokenizer
(one token per character): ``classify_zh`` with the classifier reading
jieba's words (as trained), ``classify_zh_characters`` with characters only,
the difference being what segmenting costs. Their texts are the probe's
Chinese notices laid end to end, about 400 characters each.

Without a trained model in ``nlp/model``, a quick run trains a small one
(two epochs, no HS descriptions) in a temporary folder, so the smoke run
works on a fresh clone; a full run asks for ``make model``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import spacy

from bench import Figure
from nlp.corpus import read_labelled, shipped_notices
from nlp.fusion import fuse
from nlp.model import ModelMissing, PipelineTagger, has_model
from nlp.tagger import DEFAULT_MODEL_DIR
from nlp.train import train_model

WORDS_PER_NOTICE = 300
CHARACTERS_PER_CHINESE_NOTICE = 400
PROBE = Path(__file__).resolve().parent.parent / "nlp" / "data" / "probe" / "probe_multilingual.jsonl"


def notice_texts(count: int | None = None) -> list[str]:
    """``count`` texts of about 300 words, made of shipped notices laid end to end
    (repeating them as needed); without ``count``, each 300 words once."""
    words = " ".join(n.content for n in shipped_notices()).split(" ")
    step = WORDS_PER_NOTICE
    count = len(words) // step if count is None else count
    return [" ".join(words[(i * step) % len(words) :][:step]) for i in range(count)]


def chinese_texts(count: int) -> list[str]:
    """``count`` Chinese texts of about 400 characters from the probe's Chinese notices."""
    text = "\n".join(n.content for n in read_labelled(PROBE) if n.language == "zh")
    size = CHARACTERS_PER_CHINESE_NOTICE
    return [(text * (2 + size // max(1, len(text))))[(i * 37) % len(text) :][:size] for i in range(count)]


def model_dir(quick: bool) -> Path:
    """The trained model; for a quick run without one, a small one trained now."""
    if has_model(DEFAULT_MODEL_DIR):
        return DEFAULT_MODEL_DIR
    if not quick:
        raise ModelMissing(f"no trained model in {DEFAULT_MODEL_DIR}: run `make model` first")
    small = Path(tempfile.gettempdir()) / "bw-bench-small-model"
    if not has_model(small):
        train_model(
            small, overrides={"training": {"epochs": 2, "hs_descriptions": False}}, log=lambda _: None
        )
    return small


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


def tag_all(tagger: PipelineTagger, batch: list[str]) -> None:
    for evidence in tagger.evidence(batch):
        fuse(evidence, tagger.info.thresholds)


def run(quick: bool) -> Iterator[Figure]:
    model = model_dir(quick)
    tagger = PipelineTagger.load(model)
    blank = spacy.blank("en")
    texts = notice_texts(300 if quick else 2000)

    rates = interleaved(
        {
            "blank": lambda batch: [blank.make_doc(t) for t in batch],
            "tokenizer": lambda batch: [tagger.nlp.make_doc(t) for t in batch],
            "tagger": lambda batch: tag_all(tagger, batch),
        },
        texts,
        rounds=2 if quick else 5,
    )
    yield Figure("blank_en_tokenizer", round(rates["blank"]), "notices/s")
    yield Figure("notice_tokenizer", round(rates["tokenizer"]), "notices/s", round(rates["blank"]))
    yield Figure("classify", round(rates["tagger"]), "notices/s", round(rates["blank"]))
    yield from chinese_rates(tagger, chinese_texts(200 if quick else 1000), rounds=2 if quick else 5)
    first_tagger, first_blank = first_pass(model, notice_texts(), rounds=1 if quick else 3)
    yield Figure("classify_first_pass", round(first_tagger), "notices/s", round(first_blank))
    yield Figure("model_load", round(load_seconds(model, in_process=True), 3), "s")
    yield Figure("model_load_with_imports", round(load_seconds(model, in_process=False), 3), "s")


def chinese_rates(tagger: PipelineTagger, texts: list[str], rounds: int) -> Iterator[Figure]:
    """Chinese notices: the tagger with and without jieba's words, beside
    spaCy's blank Chinese tokenizer."""
    blank = spacy.blank("zh")
    textcat = tagger.nlp.get_pipe("textcat_multilabel").model  # type: ignore[attr-defined]
    words = bool(textcat.attrs.get("chinese_words"))

    def characters_only(batch: list[str]) -> None:
        textcat.attrs["chinese_words"] = False
        try:
            tag_all(tagger, batch)
        finally:
            textcat.attrs["chinese_words"] = words

    tag_all(tagger, texts[:5])  # jieba reads its dictionary once per process: not a per-notice cost
    rates = interleaved(
        {
            "blank": lambda batch: [blank.make_doc(t) for t in batch],
            "tagger": lambda batch: tag_all(tagger, batch),
            "characters": characters_only,
        },
        texts,
        rounds,
    )
    yield Figure("blank_zh_tokenizer", round(rates["blank"]), "notices/s")
    yield Figure("classify_zh", round(rates["tagger"]), "notices/s", round(rates["blank"]))
    yield Figure("classify_zh_characters", round(rates["characters"]), "notices/s", round(rates["blank"]))


def first_pass(model: Path, texts: list[str], rounds: int) -> tuple[float, float]:
    """Median docs/s of a freshly loaded tagger and a fresh blank tokenizer, each
    reading ``texts`` once per round (cold caches), interleaved."""
    tagger_rates, blank_rates = [], []
    for _ in range(rounds):
        tagger_rates.append(rate(partial(tag_all, PipelineTagger.load(model)), texts))
        blank_rates.append(rate(partial(_tokenize_all, spacy.blank("en")), texts))
    return statistics.median(tagger_rates), statistics.median(blank_rates)


def _tokenize_all(nlp: spacy.language.Language, batch: list[str]) -> None:
    for text in batch:
        nlp.make_doc(text)


def load_seconds(model: Path, in_process: bool) -> float:
    """Seconds to load the model; with imports, in a fresh interpreter."""
    if in_process:
        started = time.perf_counter()
        PipelineTagger.load(model)
        return time.perf_counter() - started
    code = (
        "import sys, time; from pathlib import Path; t = time.perf_counter(); "
        "from nlp.model import PipelineTagger; PipelineTagger.load(Path(sys.argv[1])); "
        "print(time.perf_counter() - t)"
    )
    return float(
        subprocess.run(
            [sys.executable, "-c", code, str(model)], check=True, capture_output=True, text=True
        ).stdout
    )

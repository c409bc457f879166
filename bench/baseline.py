"""The pipeline's dev figures beside a plain TF-IDF + logistic-regression model.

Both learn from the same examples (the weak HS examples and the labelled
training side of the grouped split, codes masked) and are measured on
the same masked dev side; the baseline's global threshold is tuned on dev
as the pipeline's are. Needs scikit-learn (``pip install -e .[bench]``).

A quick run leaves the HS descriptions out of the baseline's examples
(fitting them takes most of the time), so its baseline is the
labelled-only one: a smoke figure, not a comparison.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from bench import Figure
from bench.classify import model_dir
from nlp.corpus import LabelledNotice, dev_split, shipped_notices
from nlp.metrics import Figures, chapter_figures
from nlp.model import METRICS_FILE
from nlp.pipeline import CONFIG_PATH
from nlp.train import TrainingSettings, weak_examples


def baseline_figures(train: Sequence[LabelledNotice], dev: Sequence[LabelledNotice], weak: bool) -> Figures:
    pairs = (weak_examples() if weak else []) + [(n.masked().content, n.chapters) for n in train]
    texts, labels = [t for t, _ in pairs], [sorted(c) for _, c in pairs]
    binarizer = MultiLabelBinarizer()
    targets = binarizer.fit_transform(labels)
    vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    model = OneVsRestClassifier(LogisticRegression(C=10.0, max_iter=2000))
    model.fit(vectorizer.fit_transform(texts), targets)
    masked = [n.masked() for n in dev]
    probabilities = model.predict_proba(vectorizer.transform([n.content for n in masked]))
    classes = list(binarizer.classes_)
    best = [classes[int(i)] for i in np.argmax(probabilities, axis=1)]
    gold = [n.chapters for n in masked]
    return max(
        (chapter_figures(_above(probabilities, classes, t), best, gold) for t in np.arange(0.05, 0.95, 0.05)),
        key=lambda f: f.micro_f1,
    )


def _above(probabilities: np.ndarray, classes: list[str], threshold: float) -> list[set[str]]:
    return [{classes[j] for j in np.flatnonzero(row >= threshold)} for row in probabilities]


def run(quick: bool) -> Iterator[Figure]:
    settings = TrainingSettings.from_config(CONFIG_PATH)
    train, dev = dev_split(shipped_notices(), settings.dev_share, settings.split_seed)
    labelled_only = baseline_figures(train, dev, weak=False)
    baseline = labelled_only if quick else baseline_figures(train, dev, weak=True)
    pipeline = json.loads((model_dir(quick) / METRICS_FILE).read_text())["dev"]["masked"]
    yield Figure("baseline_tfidf_lr_labelled_only_top1_masked", round(labelled_only.top1, 4), "fraction")
    yield Figure(
        "baseline_tfidf_lr_labelled_only_micro_f1_masked", round(labelled_only.micro_f1, 4), "fraction"
    )
    yield Figure("dev_top1_masked", pipeline["top1"], "fraction", round(baseline.top1, 4))
    yield Figure("dev_micro_f1_masked", pipeline["micro_f1"], "fraction", round(baseline.micro_f1, 4))
    yield Figure("dev_macro_f1_masked", pipeline["macro_f1"], "fraction", round(baseline.macro_f1, 4))

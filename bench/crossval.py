"""Dev figures over several grouped splits, to show how much one split's figure varies.

Each round draws another family-grouped split (another seed), trains on
its train side and measures on its dev side with codes masked, exactly as
``barrierwatch nlp train`` does for the shipped split. A quick run draws
one split and trains the small model (two epochs, no HS descriptions).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from bench import Figure
from nlp.corpus import dev_split, shipped_notices
from nlp.pipeline import CONFIG_PATH
from nlp.train import TrainingSettings, fit, measure_dev


def run(quick: bool) -> Iterator[Figure]:
    small = {"epochs": 2, "hs_descriptions": False} if quick else {}
    settings = TrainingSettings.from_config(CONFIG_PATH, small)
    notices = shipped_notices()
    figures: dict[str, list[float]] = {
        "top1": [],
        "micro_f1": [],
        "heading_top1": [],
        "heading_precision": [],
    }
    for round_number in range(1, 2 if quick else 6):
        train, dev = dev_split(notices, settings.dev_share, f"bw-crossval-{round_number}")
        nlp = fit(train, settings, log=lambda _: None)
        measured = measure_dev(nlp, dev)[1]
        masked = {**measured["masked"], "heading_top1": measured["masked_headings"]["top1"]}
        masked["heading_precision"] = measured["masked_headings"]["precision"]
        for name in figures:
            figures[name].append(masked[name])
            yield Figure(f"split{round_number}_dev_{name}_masked", masked[name], "fraction")
    for name, values in figures.items():
        yield Figure(f"mean_dev_{name}_masked", round(statistics.mean(values), 4), "fraction")
        yield Figure(f"min_dev_{name}_masked", min(values), "fraction")

"""The benchmark harness runs end to end: `python -m bench all --quick`, the smoke run CI does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.__main__ import PARTS

ROOT = Path(__file__).resolve().parent.parent
FIGURE_KEYS = {"name", "value", "unit", "baseline", "ratio"}
# A figure each part always prints.
PART_FIGURES = {
    "classify": "classify_first_pass",
    "baseline": "dev_top1_masked",
    "crossval": "mean_dev_top1_masked",
    "crawl": "crawl_pages_per_s",
    "match": "match_time_growth_for_10x_enterprises",
    "send": "send_500_digests_over_8_connections",
    "weekly": "weekly_500_notices_2000_enterprises_total",
    "web": "web_queue_first_page_500_alerts_1000_enterprises_2000_notices",
}


def test_quick_benchmarks_print_one_figure_per_line_for_every_part(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "bench", "all", "--quick"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "skipped" not in run.stderr, run.stderr  # every part ran (`make` installs the bench extras)
    machine, *figures = [json.loads(line) for line in run.stdout.splitlines()]
    assert machine["quick"] is True and machine["cpus"]
    assert figures and all(set(figure) >= FIGURE_KEYS for figure in figures)
    assert all(isinstance(f["value"], int | float) and f["value"] >= 0 for f in figures)
    for figure in figures:
        if figure["baseline"]:
            ratio = figure["value"] / figure["baseline"]
            assert abs(figure["ratio"] - ratio) <= 0.05 * ratio + 0.001, figure
    assert set(PART_FIGURES) == set(PARTS)
    assert set(PART_FIGURES.values()) <= {f["name"] for f in figures}

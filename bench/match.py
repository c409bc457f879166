"""Matching: 10,000 notices against 5,000 and 50,000 enterprises.

Each size runs in a fresh process (so peak RSS is the match's own) on a
fresh SQLite database. The baseline is a nested loop (every notice against
every enterprise, the same rules without the index) timed on a sample of
notices and scaled to all of them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from alerts.match import NoticeFacts, match_notice
from alerts.notices import load_notice_facts
from alerts.profiles import ProfileIndex, load_profiles
from alerts.queue import run_matching
from bench import synthetic
from store.db import open_database

TODAY = date(2026, 11, 25)


def _measure(enterprises: int, notices: int, sample: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{Path(folder) / 'bench.db'}")
        synthetic.enterprises(engine, enterprises)
        synthetic.notices(engine, notices)
        with Session(engine) as session:
            started = time.perf_counter()
            result = run_matching(session, TODAY, 14)
            session.commit()
            seconds = time.perf_counter() - started
            facts = load_notice_facts(session)[:sample]
            profiles = load_profiles(session)
        naive = _nested_loop_seconds(facts, profiles) * notices / len(facts)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "alerts": result.created, "rss_mb": rss_mb, "naive_seconds": naive}


def _nested_loop_seconds(facts: list[NoticeFacts], profiles: dict[int, Any]) -> float:
    """Every notice against every enterprise, one at a time (the same rules,
    each enterprise's own index built beforehand): what the shared index saves."""
    singles = [ProfileIndex({p.id: p}) for p in profiles.values()]
    started = time.perf_counter()
    for notice in facts:
        for single in singles:
            match_notice(notice, single, TODAY, 14)
    return time.perf_counter() - started


def _in_subprocess(enterprises: int, notices: int, sample: int) -> dict[str, Any]:
    code = (
        "import json; from bench.match import _measure; "
        f"print(json.dumps(_measure({enterprises}, {notices}, {sample})))"
    )

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool) -> Iterator[dict[str, Any]]:
    notices, sizes, sample = (1000, (500, 5000), 20) if quick else (10_000, (5000, 50_000), 20)
    results = {size: _in_subprocess(size, notices, sample) for size in sizes}
    small, large = (results[s] for s in sizes)
    for size, r in results.items():
        yield {
            "name": f"match_{notices}_notices_{size}_enterprises",
            "value": round(r["seconds"], 2),
            "unit": "s",
            "baseline": round(r["naive_seconds"], 1),
            "ratio": round(r["seconds"] / r["naive_seconds"], 4),
            "alerts": r["alerts"],
        }
        yield {
            "name": f"match_peak_rss_{size}_enterprises",
            "value": round(r["rss_mb"]),
            "unit": "MB",
            "baseline": None,
            "ratio": None,
        }
    growth = large["seconds"] / small["seconds"]
    yield {
        "name": "match_time_growth_for_10x_enterprises",
        "value": round(growth, 2),
        "unit": "x",
        "baseline": 10.0,
        "ratio": round(growth / 10, 3),
    }

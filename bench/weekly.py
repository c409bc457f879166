"""The weekly run end to end: classify, match (approving by policy) and send, on N notices
and M enterprises, mails to a local SMTP sink; seconds per stage and peak RSS.

Runs in a process of its own so that the peak RSS is the run's. Crawling is left out (its
figures are the crawl part's): the notices are inserted untagged, as a crawl leaves them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import synthetic
from bench.send import _free_port, smtp_process
from config import Settings
from store.db import open_database


def _measure(notices: int, enterprises: int, port: int) -> dict[str, Any]:
    import pipeline

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'weekly.db'}",
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
            smtp_connections=8,
            secret_key="bench",
            auto_approve="stated-codes",
            max_new_alerts_per_run=10**9,
        )
        engine = open_database(settings.database_url)
        synthetic.enterprises(engine, enterprises)
        synthetic.notices(engine, notices, tagged=False)
        started = time.perf_counter()
        report = pipeline.weekly(engine, settings, datetime.now(UTC), crawl=False)
        total = time.perf_counter() - started
    return {
        "total": total,
        "seconds": report.seconds,
        "alerts": report.alerts_created,
        "mails": report.mails_sent,
        "failed": report.mails_failed,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(quick: bool) -> Iterator[dict[str, Any]]:
    notices, enterprises = (500, 2000) if quick else (10_000, 50_000)
    port = _free_port()
    code = (
        "import json; from bench.weekly import _measure; "
        f"print(json.dumps(_measure({notices}, {enterprises}, {port})))"
    )
    with smtp_process(port):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    size = f"{notices}_notices_{enterprises}_enterprises"
    yield {
        "name": f"weekly_{size}_total",
        "value": round(r["total"], 1),
        "unit": "s",
        "baseline": None,
        "ratio": None,
        "alerts": r["alerts"],
        "mails": r["mails"],
        "failed": r["failed"],
    }
    for stage, seconds in r["seconds"].items():
        yield {
            "name": f"weekly_{size}_{stage}",
            "value": seconds,
            "unit": "s",
            "baseline": None,
            "ratio": None,
        }
    yield {
        "name": f"weekly_{size}_peak_rss",
        "value": round(r["rss_mb"]),
        "unit": "MB",
        "baseline": None,
        "ratio": None,
    }

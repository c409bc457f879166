"""The inspector's pages at scale: server time of the review queue's first
page and of a notice search, with 10,000 pending alerts, 50,000
enterprises and 100,000 notices (``--quick``: 500, 1,000 and 2,000).

Each page is requested through the whole application (routing, session,
queries, template) in process, as a signed-in inspector; its baseline is
a bare query of the same rows in the same run (the alerts, notices and
enterprises a page shows, or the first 50 full-text matches unranked), so
the ratio says what ordering, grouping, counting and rendering cost. The
goal is 200 ms a page. Figures are medians of several requests.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from bench import synthetic
from config import Settings
from store.db import open_database, session_scope
from store.models import Alert
from store.users import add_user
from web.app import create_app

GOAL_MS = 200.0
SEARCH = "conformity labelling"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _alerts(engine: Engine, count: int, notices: int, enterprises: int, seed: int = 5) -> None:
    """``count`` pending alerts on distinct (notice, enterprise) pairs."""
    rng, now = random.Random(seed), datetime.now(UTC)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        pairs.add((rng.randint(1, notices), rng.randint(1, enterprises)))
    severities = rng.choices(("critical", "high", "normal"), (10, 30, 60), k=count)
    rows = [
        {"notice_id": n, "enterprise_id": e, "severity": s, "score": 0.9, "reason": "HS", "evidence": {}}
        | {"status": "pending_review", "created_at": now, "updated_at": now}
        for (n, e), s in zip(sorted(pairs), severities, strict=True)
    ]
    with engine.begin() as connection:
        connection.execute(insert(Alert), rows)


def _signed_in(engine: Engine) -> TestClient:
    with session_scope(engine) as session:
        add_user(
            session, username="bench", password="bench-password-1", role="inspector", language="zh", actor="b"
        )
    client = TestClient(create_app(Settings(), engine))
    token = _CSRF.search(client.get("/login").text)
    assert token, "no CSRF token on /login"
    form = {"username": "bench", "password": "bench-password-1", "csrf_token": token.group(1), "next": "/"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return client


def _median_ms(work: Callable[[], Any], repeat: int) -> float:
    work()  # warm: the first request compiles templates and fills caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _get(client: TestClient, path: str, **params: str) -> Callable[[], Any]:
    def request() -> None:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text[:300]

    return request


def _bare(engine: Engine, sql: str) -> Callable[[], Any]:
    def query() -> None:
        with engine.connect() as connection:
            connection.execute(text(sql)).all()

    return query


QUEUE_ROWS = """SELECT alert.*, notice.title, notice.external_id, notice.comment_deadline, enterprise.name
FROM alert JOIN notice ON notice.id = alert.notice_id JOIN enterprise ON enterprise.id = alert.enterprise_id
WHERE alert.status = 'pending_review' ORDER BY alert.id LIMIT 25"""
SEARCH_ROWS = f"""SELECT notice.* FROM notice_fts JOIN notice ON notice.id = notice_fts.rowid
WHERE notice_fts MATCH '{SEARCH}' LIMIT 50"""


def _measure(alerts: int, enterprises: int, notices: int, repeat: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{Path(folder) / 'bench.db'}")
        started = time.perf_counter()
        synthetic.enterprises(engine, enterprises)
        synthetic.notices(engine, notices)
        _alerts(engine, alerts, notices, enterprises)
        load_seconds = time.perf_counter() - started
        client = _signed_in(engine)
        queue = _median_ms(_get(client, "/"), repeat)
        queue_bare = _median_ms(_bare(engine, QUEUE_ROWS), repeat)
        search = _median_ms(_get(client, "/notices", q=SEARCH), repeat)
        search_bare = _median_ms(_bare(engine, SEARCH_ROWS), repeat)
        filtered = _median_ms(_get(client, "/notices", q=SEARCH, hs="84", deadline_within="60"), repeat)
        engine.dispose()
    size = f"{alerts}_alerts_{enterprises}_enterprises_{notices}_notices"
    return [
        _figure(f"web_queue_first_page_{size}", queue, queue_bare),
        _figure(f"web_search_page_{size}", search, search_bare),
        _figure(f"web_search_filtered_page_{size}", filtered, search_bare),
        {
            "name": "web_bench_data_load",
            "value": round(load_seconds, 1),
            "unit": "s",
            "baseline": None,
            "ratio": None,
        },
    ]


def _figure(name: str, value: float, baseline: float) -> dict[str, Any]:
    # The bare queries take a fraction of a millisecond: three decimals keep the printed
    # ratio equal to value / baseline as printed.
    return {
        "name": name,
        "value": round(value, 1),
        "unit": "ms",
        "baseline": round(baseline, 3),
        "ratio": round(value / baseline, 1) if baseline else None,
        "goal_ms": GOAL_MS,
        "within_goal": value <= GOAL_MS,
    }


def run(quick: bool) -> Iterator[dict[str, Any]]:
    sizes = (500, 1000, 2000, 3) if quick else (10_000, 50_000, 100_000, 7)
    yield from _measure(*sizes)

"""Start a crawl: the chosen sources run in a separate Scrapy process; their
outcomes come back as :class:`SourceResult` and stay on the Source rows.

This is the one entry to crawling for the CLI, the scheduler and the demo::

    with serve_recordings(root) as base_urls:
        specs = all_sources(settings, base_urls)
        results = crawl(settings.database_url, specs, settings)
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Engine

from config import Settings
from crawler.sources import SourceSpec, record_outcome
from store.db import open_database, session_scope
from store.sources import CrawlOutcome, feed_validators, is_disabled

log = logging.getLogger(__name__)
# Sources that cannot run without a key: (settings field, variable). ePing falls back to its
# public backend without one.
KEY_NEEDED: dict[str, tuple[str, str]] = {}


@dataclass
class SourceResult:
    """What a crawl did for one source: status ``ok``, ``failed`` or ``skipped``."""

    slug: str
    status: str
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    pages: int = 0
    problems: list[str] = field(default_factory=list)
    skipped_items: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.status == "skipped":
            return f"{self.slug}: skipped ({'; '.join(self.problems)})"
        counts = f"{self.new} new, {self.revised} revised, {self.unchanged} unchanged, {self.pages} pages"
        if self.skipped_items:
            counts += f", {len(self.skipped_items)} left out ({self.skipped_items[0]})"
        if self.status == "ok":
            return f"{self.slug}: ok, {counts}"
        return f"{self.slug}: FAILED, {counts}: {self.problems[0] if self.problems else '?'}"


def scrapy_settings(
    settings: Settings, database_url: str, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Scrapy settings for a crawl, from BarrierWatch's settings; ``overrides`` win."""
    return {
        "USER_AGENT": f"BarrierWatch/0.1 (+mailto:{settings.contact_email})",
        "ROBOTSTXT_OBEY": settings.crawl_obey_robots,
        "DOWNLOAD_DELAY": settings.crawl_delay,
        "AUTOTHROTTLE_START_DELAY": settings.crawl_delay,
        "DOWNLOAD_TIMEOUT": settings.crawl_timeout,
        "RETRY_TIMES": settings.crawl_retries,
        "DOWNLOAD_MAXSIZE": settings.crawl_max_bytes,
        "DOWNLOAD_WARNSIZE": settings.crawl_max_bytes // 4,
        "BARRIERWATCH_DATABASE_URL": database_url,
        "BARRIERWATCH_MAX_PAGES": settings.crawl_max_pages,
        "BARRIERWATCH_LOOKBACK_DAYS": settings.crawl_lookback_days,
        "BARRIERWATCH_FULL_TEXT": settings.federalregister_full_text,
        "BARRIERWATCH_EPING_API_KEY": settings.eping_api_key or "",
        "BARRIERWATCH_EPING_PUBLIC_URL": settings.eping_public_url,
        **(overrides or {}),
    }


def crawl(
    database_url: str,
    sources: Sequence[SourceSpec],
    settings: Settings,
    overrides: Mapping[str, Any] | None = None,
    log_to: TextIO | None = None,
) -> list[SourceResult]:
    """Crawl ``sources`` into the database; one result per source, in order.

    Disabled sources and sources lacking a required key are skipped with the
    reason. A crawl process that dies or overruns ``crawl_process_timeout``
    is recorded as a failure on every source it did not finish.
    """
    engine = open_database(database_url)
    try:
        runnable, skipped = _plan(engine, sources, settings)
        done = _run_process(runnable, scrapy_settings(settings, database_url, overrides), settings, log_to)
        _record_unfinished(engine, runnable, done)
    finally:
        engine.dispose()
    results = {**skipped, **done}
    return [results[spec.slug] for spec in sources]


def _plan(
    engine: Engine, sources: Sequence[SourceSpec], settings: Settings
) -> tuple[list[SourceSpec], dict[str, SourceResult]]:
    runnable, skipped = [], {}
    with session_scope(engine) as session:
        for spec in sources:
            reason = _skip_reason(spec, settings) or ("disabled" if is_disabled(session, spec.slug) else None)
            if reason:
                log.warning("source %s skipped: %s", spec.slug, reason)
                skipped[spec.slug] = SourceResult(spec.slug, "skipped", problems=[reason])
                continue
            etag, last_modified = feed_validators(session, spec.slug)
            runnable.append(replace(spec, etag=etag, last_modified=last_modified))
    return runnable, skipped


def _skip_reason(spec: SourceSpec, settings: Settings) -> str | None:
    if not spec.enabled:
        return "disabled in sources.toml"
    if spec.kind in KEY_NEEDED:
        setting, variable = KEY_NEEDED[spec.kind]
        if not getattr(settings, setting):
            return f"{variable} is not set (this source's API needs a subscription key)"
    return None


def _run_process(
    specs: Sequence[SourceSpec], scrapy: dict[str, Any], settings: Settings, log_to: TextIO | None
) -> dict[str, SourceResult]:
    if not specs:
        return {}
    with tempfile.TemporaryDirectory(prefix="bw-crawl-") as folder:
        job_path, results_path = Path(folder) / "job.json", Path(folder) / "results.jsonl"
        job = {
            "settings": {**scrapy, "BARRIERWATCH_RESULTS_FILE": str(results_path)},
            "sources": [s.to_json() for s in specs],
        }
        job_path.write_text(json.dumps(job), encoding="utf-8")
        os.chmod(job_path, 0o600)  # it may hold an API key
        command = [sys.executable, "-m", "crawler.runner", str(job_path)]
        try:
            subprocess.run(
                command, timeout=settings.crawl_process_timeout, stdout=log_to, stderr=log_to, check=False
            )
        except subprocess.TimeoutExpired:
            log.error("crawl process overran %ss and was stopped", settings.crawl_process_timeout)
        return _read_results(results_path)


def _read_results(path: Path) -> dict[str, SourceResult]:
    results = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            results[row["slug"]] = SourceResult(
                row["slug"],
                row["status"],
                row["new"],
                row["revised"],
                row["unchanged"],
                row["pages"],
                row["problems"],
                row.get("skipped_items", []),
            )
    return results


def _record_unfinished(engine: Engine, specs: Sequence[SourceSpec], done: dict[str, SourceResult]) -> None:
    for spec in specs:
        if spec.slug in done:
            continue
        problem = "the crawl process ended before this source finished (crashed, killed or overran its time)"
        log.error("source %s: %s", spec.slug, problem)
        record_outcome(engine, spec, CrawlOutcome(problems=[problem]))
        done[spec.slug] = SourceResult(spec.slug, "failed", problems=[problem])

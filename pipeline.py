"""The stages of BarrierWatch, each run recorded as a Run row.

The command line, the demo and the scheduler all call these functions, so
a stage behaves the same whoever starts it. Each takes the moment it runs
(``now``) so that tests can fix the clock.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from alerts.deliver import RetryPolicy, SendResult, mail_domain, send_pending
from alerts.digest import KINDS, DigestResult, build_digests
from alerts.enterprises import ImportResult, read_enterprises, save_enterprises
from alerts.queue import ApprovalPolicy, MatchResult, review, run_matching
from alerts.transports import transport_for
from config import Settings
from crawler.crawl import SourceResult, crawl
from crawler.importers import read_notices
from crawler.offline import crawl_recordings
from crawler.sources import all_sources
from nlp.classify import ClassifyResult, classify_pending
from nlp.tagger import load_tagger
from store.db import session_scope
from store.notices import SaveResult, ensure_source, save_notices
from store.runs import recorded_run


class UnknownSource(ValueError):
    """A source slug that is neither built in nor declared in BW_SOURCES."""


def crawl_sources(
    engine: Engine, settings: Settings, only: str | None = None, recordings: bool = False
) -> list[SourceResult]:
    """Crawl every source (or ``only`` one) in a Scrapy process of its own;
    with ``recordings``, the bundled recordings served on 127.0.0.1 instead
    of the internet, through the same spiders. One result per source."""
    with recorded_run(engine, "crawl") as counts:
        if recordings:
            results = crawl_recordings(settings.database_url, settings)
        else:
            specs = [s for s in all_sources(settings) if only in (None, s.slug)]
            if not specs:
                raise UnknownSource(f"unknown source {only!r}: see `barrierwatch sources list`")
            results = crawl(settings.database_url, specs, settings)
        counts.update({r.slug: r.status for r in results})
        for outcome in ("new", "revised", "unchanged"):
            counts[outcome] = sum(getattr(r, outcome) for r in results)
        failed = [r.slug for r in results if r.status == "failed"]
        if failed:
            counts.flag(f"sources failed: {', '.join(failed)}")
    return results


def ingest_file(engine: Engine, path: Path) -> SaveResult:
    """Store the notices of one file; the file is validated whole first."""
    records = read_notices(path)
    with recorded_run(engine, "ingest") as counts, session_scope(engine) as session:
        for slug in sorted({r.source for r in records}):
            ensure_source(session, slug, kind="file", url=str(path))
        saved = save_notices(session, records)
        counts.update(file=str(path), new=saved.new, revised=saved.revised, unchanged=saved.unchanged)
    return saved


def import_enterprises(engine: Engine, settings: Settings, path: Path) -> ImportResult:
    profiles = read_enterprises(path, settings.home_country)
    with recorded_run(engine, "enterprises") as counts, session_scope(engine) as session:
        result = save_enterprises(session, profiles)
        counts.update(file=str(path), **asdict(result))
    return result


def classify(engine: Engine) -> tuple[ClassifyResult, str]:
    tagger = load_tagger()
    with recorded_run(engine, "classify") as counts, session_scope(engine) as session:
        result = classify_pending(session, tagger)
        counts.update(notices=result.notices, tags=result.tags, tagger=tagger.version)
    return result, tagger.version


def match(engine: Engine, settings: Settings, now: datetime) -> MatchResult:
    """Match, then approve new alerts per policy unless the circuit breaker holds the run."""
    today = now.astimezone(settings.zone).date()
    policy = ApprovalPolicy(
        settings.auto_approve, settings.auto_approve_min_score, settings.max_new_alerts_per_run
    )
    with recorded_run(engine, "match") as counts, session_scope(engine) as session:
        result = run_matching(session, today, settings.critical_deadline_days, policy)
        counts.update(
            notices=result.notices,
            created=result.created,
            updated=result.updated,
            withdrawn=result.withdrawn,
            unchanged=result.unchanged,
            auto_approved=result.auto_approved,
            by_severity=dict(result.by_severity),
        )
        if result.held:
            counts.flag(
                f"circuit breaker: {result.created} new alerts in one run, more than "
                f"BW_MAX_NEW_ALERTS_PER_RUN={policy.max_new_alerts}; none approved automatically"
            )
    return result


def approve(engine: Engine, alert_ids: list[int] | None, reviewer: str) -> list[int]:
    with recorded_run(engine, "approve") as counts, session_scope(engine) as session:
        changed = review(session, alert_ids, "approved", reviewer)
        counts.update(approved=len(changed), reviewer=reviewer)
    return changed


def send(
    engine: Engine, settings: Settings, now: datetime, kinds: tuple[str, ...] = KINDS
) -> tuple[DigestResult, SendResult]:
    """Gather approved alerts of ``kinds`` into digests, then deliver every due mail."""
    with recorded_run(engine, "send") as counts:
        with session_scope(engine) as session:
            digests = build_digests(session, now, settings.zone, mail_domain(settings.mail_from), kinds)

        retry = RetryPolicy(retries=settings.send_retries, base_seconds=settings.retry_base_seconds)
        connections = settings.smtp_connections if settings.smtp_host else 1
        sent = asyncio.run(
            send_pending(engine, settings, lambda: transport_for(settings), now, connections, retry)
        )

        counts.update(digests=asdict(digests), delivery=asdict(sent))
    return digests, sent

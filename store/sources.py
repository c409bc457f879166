"""Source rows: what each crawl left behind (health, feed validators)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, select

from store.models import Source
from store.notices import ensure_source
from store.types import utcnow

MAX_ERROR_CHARS = 4000


@dataclass
class CrawlOutcome:
    """What one crawl of one source did; any problem makes it a failure."""

    problems: list[str] = field(default_factory=list)
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    pages: int = 0
    etag: str | None = None
    last_modified: str | None = None
    # Notices left out for their own faults (named by id, with the reason): reported on the
    # source, but one bad item never fails its whole source.
    skipped_items: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def skipped_text(self) -> str | None:
        if not self.skipped_items:
            return None
        shown = self.skipped_items[:10]
        extra = len(self.skipped_items) - 10
        more = f"\n… and {extra} more" if extra > 0 else ""
        head = f"{len(self.skipped_items)} notice(s) left out, the rest stored:\n"
        return (head + "\n".join(shown) + more)[:MAX_ERROR_CHARS]

    def error_text(self) -> str:
        shown = self.problems[:10]
        more = f"\n… and {len(self.problems) - 10} more problems" if len(self.problems) > 10 else ""
        return ("\n".join(shown) + more)[:MAX_ERROR_CHARS]

    def to_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "failed", **asdict(self)}


def record_crawl(
    session: Session, *, slug: str, kind: str, url: str, outcome: CrawlOutcome, **details: Any
) -> Source:
    """Write a crawl's outcome on the source's row (created on first crawl).

    Success: ``last_success_at`` now, failures reset, error cleared (or set to the
    notices left out for their own faults), feed validators kept. Failure:
    ``consecutive_failures`` + 1 and the problems as ``last_error``; the validators
    are cleared so that the next crawl fetches in full rather than trusting a 304 for content never stored.
    """
    source = ensure_source(session, slug, kind=kind, url=url, **details)
    source.kind, source.url = kind, url
    if outcome.ok:
        source.last_success_at = utcnow()
        source.consecutive_failures = 0
        source.last_error = outcome.skipped_text()
        source.etag, source.last_modified = outcome.etag, outcome.last_modified
    else:
        source.consecutive_failures += 1
        source.last_error = outcome.error_text()
        source.etag = source.last_modified = None
    session.add(source)
    return source


def feed_validators(session: Session, slug: str) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) of the source's last successful fetch, if any."""
    source = session.exec(select(Source).where(Source.slug == slug)).first()
    return (source.etag, source.last_modified) if source else (None, None)


def is_disabled(session: Session, slug: str) -> bool:
    source = session.exec(select(Source).where(Source.slug == slug)).first()
    return source is not None and not source.enabled


def source_health(session: Session) -> list[dict[str, Any]]:
    """Every source row as ``{slug, kind, url, enabled, last_success_at,
    consecutive_failures, last_error}``, by slug."""
    rows = session.exec(select(Source).order_by(Source.slug)).all()
    return [
        {
            "slug": s.slug,
            "kind": s.kind,
            "url": s.url,
            "enabled": s.enabled,
            "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
            "consecutive_failures": s.consecutive_failures,
            "last_error": s.last_error,
        }
        for s in rows
    ]

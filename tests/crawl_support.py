"""Fixtures for crawler tests: recorded sites served on 127.0.0.1 and quick crawl settings.

Loaded by ``pytest_plugins`` in conftest.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from config import Settings
from crawler.crawl import SourceResult, crawl
from crawler.recordings import serve_recordings
from crawler.sources import BUILT_IN, all_sources
from store.models import Notice

FILES = Path(__file__).parent / "files"


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    """A private copy of tests/files, so a test may change or break a recording."""
    return Path(shutil.copytree(FILES, tmp_path / "recordings"))


@pytest.fixture
def quick_crawls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No politeness delay, 2 s timeouts, no retries: tests stay fast."""
    monkeypatch.setenv("BW_CRAWL_DELAY", "0")
    monkeypatch.setenv("BW_CRAWL_TIMEOUT", "2")
    monkeypatch.setenv("BW_CRAWL_RETRIES", "0")
    monkeypatch.setenv("BW_CRAWL_PROCESS_TIMEOUT", "60")
    (tmp_path / "sources.toml").touch()  # no extra sources; a test may write some
    monkeypatch.setenv("BW_SOURCES", str(tmp_path / "sources.toml"))


@pytest.fixture
def recorded_sites(
    recordings: Path, quick_crawls: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """The recordings served on 127.0.0.1, every built-in source pointed at them
    through its URL setting; yields ``{folder: base_url}``."""
    with serve_recordings(recordings) as base_urls:
        for slug, (url_setting, _country, _doc_type) in BUILT_IN.items():
            monkeypatch.setenv(f"BW_{url_setting.upper()}", base_urls[slug])
        monkeypatch.setenv("BW_EPING_PUBLIC_URL", base_urls["wto_eping"])
        yield base_urls


@pytest.fixture
def settings(quick_crawls: None) -> Settings:
    return Settings()


def stored_notices(engine: Engine, source: str | None = None) -> dict[str, Notice]:
    """Stored notices by external id (of one source, if given)."""
    with Session(engine) as session:
        query = select(Notice)
        if source is not None:
            query = query.where(Notice.source == source)
        return {n.external_id: n for n in session.exec(query).all()}


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated SQLite database (for crawler tests that need not run on both backends)."""
    from store.db import open_database

    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    engine = open_database(url)
    yield url, engine
    engine.dispose()


def crawl_source(slug: str, database_url: str, **overrides: object) -> SourceResult:
    """Crawl one source, as configured by the environment (see ``recorded_sites``)."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    (spec,) = [s for s in all_sources(settings) if s.slug == slug]
    (result,) = crawl(database_url, [spec], settings)
    return result

"""Shared fixtures: a fresh database on SQLite and, when CI provides one, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from store.db import open_database

POSTGRES_URL = os.environ.get("BW_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env or writes into the work tree."""
    for name in list(os.environ):
        if name.startswith("BW_") and name != "BW_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BW_DATABASE_URL", f"sqlite:///{tmp_path / 'bw.db'}")
    monkeypatch.setenv("BW_OUTBOX", str(tmp_path / "outbox"))
    # Tests tag with written and publisher codes unless they train a model themselves,
    # whether or not the work tree holds a trained model.
    monkeypatch.setenv("BW_MODEL_DIR", str(tmp_path / "no-model"))


def _postgres_schema_url() -> Iterator[str]:
    if not POSTGRES_URL:
        # A developer's run may skip PostgreSQL; CI (CI set, as .ci/run does) must not pass without it.
        if os.environ.get("CI"):
            pytest.fail("CI must test on PostgreSQL: set BW_TEST_POSTGRES_URL (.ci/run does)")
        pytest.skip("BW_TEST_POSTGRES_URL is not set: PostgreSQL tests need a server (.ci/run sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database's URL, on each backend (PostgreSQL skipped without a server)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def engine(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated database on each backend; the CLI's settings point at it too."""
    monkeypatch.setenv("BW_DATABASE_URL", database_url)
    engine = open_database(database_url)
    yield engine
    engine.dispose()


pytest_plugins = ["tests.crawl_support"]  # crawler fixtures: recorded sites on 127.0.0.1

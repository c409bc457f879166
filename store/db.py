"""Engine, sessions and schema versioning.

An empty database is brought to the current schema on first use; a
database created by an older BarrierWatch is refused until the operator
runs ``barrierwatch db upgrade`` (upgrading a live database is a decision,
not a side effect).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from store import search

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseOutdated(RuntimeError):
    """The database schema is older (or newer) than this BarrierWatch."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays consistent after a crash and skips an fsync per
    # commit; a power cut may undo the last commits (a mail then goes again,
    # with the same Message-ID).
    cursor.execute("PRAGMA synchronous=NORMAL")

    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite the folder is created and WAL,
    foreign keys and a busy timeout are switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; return (before, after)."""
    before = current_revision(engine)
    command.upgrade(_alembic_config(engine), "head")
    if engine.dialect.name == "sqlite":
        # A migration that rebuilds the notice table (batch mode) drops the
        # triggers that keep the full-text index in step: put them back.
        with engine.begin() as connection:
            search.install_sqlite_index(connection, rebuild=False)
    return before, head_revision()


def ensure_schema(engine: Engine) -> None:
    """Initialise an empty database; refuse one at another schema revision.

    Raises :class:`DatabaseOutdated` with the command that fixes it.
    """
    current = current_revision(engine)
    if current == head_revision():
        return
    if current is None:
        tables = set(inspect(engine).get_table_names())
        if tables - {"alembic_version"}:
            raise DatabaseOutdated(
                f"the database at {engine.url.render_as_string(hide_password=True)} has tables "
                "but no BarrierWatch schema version; point BW_DATABASE_URL at an empty database"
            )
        try:
            upgrade(engine)
        except Exception:
            # Another process started on the same empty database at the same
            # moment and is creating the schema: wait for it to finish.
            if not _wait_for_head(engine):
                raise
        return

    raise DatabaseOutdated(
        f"the database schema is at revision {current}, this BarrierWatch needs "
        f"{head_revision()}: run `barrierwatch db upgrade` (back up the database first)"
    )


def _wait_for_head(engine: Engine, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if current_revision(engine) == head_revision():
                return True
        except Exception:  # the other process's half-made tables can be read only later
            pass
        time.sleep(0.2)
    return False


def open_database(url: str) -> Engine:
    """An engine for ``url`` whose schema is known to be current."""
    engine = make_engine(url)
    ensure_schema(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


_SERIALISED = 0x4257  # "BW": the class of PostgreSQL advisory locks taken by serialised()


def serialised(session: Session, name: str) -> None:
    """Make ``session``'s transaction the only one doing ``name`` until it ends.

    Work that reads before it writes (making digests from waiting alerts)
    would otherwise let two processes read the same rows and both insert.
    PostgreSQL: a transaction-scoped advisory lock. SQLite: the database's
    write lock, taken now by an UPDATE that changes nothing, so the reads
    that follow see every earlier writer's rows (a second process waits
    here, up to the busy timeout)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = zlib.crc32(name.encode()) & 0x7FFFFFFF
        connection.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": _SERIALISED, "k": key})
    else:
        connection.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 0 = 1"))

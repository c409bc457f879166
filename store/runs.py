"""Run rows: every stage run leaves its counts and its error in the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.models import Run
from store.types import utcnow


@contextmanager
def recorded_run(engine: Engine, stage: str) -> Iterator[dict[str, Any]]:
    """Record a run of ``stage``; the caller fills the yielded counts.

    The Run row is written in its own transaction, so it survives the
    stage's rollback and shows the error that stopped it.
    """
    with Session(engine, expire_on_commit=False) as session:
        run = Run(stage=stage)
        session.add(run)
        session.commit()
        counts: dict[str, Any] = {}
        try:
            yield counts
        except BaseException as exc:
            run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"[:4000]
            raise
        else:
            run.status = "ok"
        finally:
            run.finished_at, run.counts = utcnow(), dict(counts)
            session.add(run)
            session.commit()

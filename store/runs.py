"""Run rows: every stage run leaves its counts and its error in the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.models import Run
from store.types import utcnow


class RunCounts(dict[str, Any]):
    """The counts of a run; ``flag(reason)`` asks an administrator to look."""

    flagged: str | None = None

    def flag(self, reason: str) -> None:
        self.flagged = reason


@contextmanager
def recorded_run(engine: Engine, stage: str) -> Iterator[RunCounts]:
    """Record a run of ``stage``; the caller fills the yielded counts.

    The Run row is written in its own transaction, so it survives the
    stage's rollback and shows the error that stopped it.
    """
    with Session(engine, expire_on_commit=False) as session:
        run = Run(stage=stage)
        session.add(run)
        session.commit()
        counts = RunCounts()
        try:
            yield counts
        except BaseException as exc:
            run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"[:4000]
            raise
        else:
            run.status = "held" if counts.flagged else "ok"
            run.flagged, run.error = counts.flagged is not None, counts.flagged
        finally:
            run.finished_at, run.counts = utcnow(), dict(counts)
            session.add(run)
            session.commit()

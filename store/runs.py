"""Run rows: every stage run leaves its counts and its error in the database.

A run killed with SIGKILL (or on a machine that went down) cannot record
its end and would stay ``running`` for ever. So each run names the process
that runs it (``holder``: host, pid and the process's start time), and the
next run of the same stage marks such a run failed once that process is
gone: on PostgreSQL the holder keeps an advisory lock that the server
frees when the process dies, on any host; on SQLite (one machine) the
process itself is looked up.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from store.models import Run
from store.types import utcnow

_RUN_HOLDER = 0x4258  # "BX": the class of the PostgreSQL advisory lock a running process holds


class RunCounts(dict[str, Any]):
    """The counts of a run; ``flag(reason)`` asks an administrator to look,
    the run ending with ``status``: ``held`` (the circuit breaker held it) or
    ``partial`` (it ran, but part of it failed: sources of a crawl)."""

    flagged: str | None = None
    flagged_status: str = "held"

    def flag(self, reason: str, status: str = "held") -> None:
        self.flagged, self.flagged_status = reason, status


@contextmanager
def recorded_run(engine: Engine, stage: str) -> Iterator[RunCounts]:
    """Record a run of ``stage``; the caller fills the yielded counts.

    The Run row is written in its own transaction, so it survives the
    stage's rollback and shows the error that stopped it. Earlier runs of
    the stage whose process is gone are marked failed first.
    """
    with Session(engine, expire_on_commit=False) as session, _holding(engine) as holder:
        close_abandoned(session, stage)
        run = Run(stage=stage, holder=holder)
        session.add(run)
        session.commit()
        counts = RunCounts()
        try:
            yield counts
        except BaseException as exc:
            run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"[:4000]
            raise
        else:
            run.status = counts.flagged_status if counts.flagged else "ok"
            run.flagged, run.error = counts.flagged is not None, counts.flagged
        finally:
            run.finished_at, run.counts = utcnow(), dict(counts)
            session.add(run)
            session.commit()


def this_process() -> str:
    """``host:pid:start`` of this process (start: clock ticks after boot, Linux)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_ticks(os.getpid()) or ''}"


def close_abandoned(session: Session, stage: str) -> list[int]:
    """Mark failed the ``running`` runs of ``stage`` whose process is gone; their ids."""
    running = session.exec(select(Run).where(Run.stage == stage, col(Run.status) == "running")).all()
    closed = []
    for run in running:
        if run.holder and _is_gone(session.connection(), run.holder):
            run.status, run.finished_at = "failed", utcnow()
            run.error = (
                f"abandoned: the process that ran it ({run.holder}) stopped without finishing "
                "(killed, or its machine went down); marked failed by the next run of the stage"
            )
            session.add(run)
            closed.append(run.id)
    session.commit()
    return [i for i in closed if i is not None]


@contextmanager
def _holding(engine: Engine) -> Iterator[str]:
    """This process's holder name; on PostgreSQL its advisory lock, held meanwhile."""
    holder = this_process()
    if engine.dialect.name != "postgresql":
        yield holder
        return
    with engine.connect() as connection:
        # A try: when another connection of this process holds it, the process is alive all the same.
        got = _try_lock(connection, holder)
        connection.commit()
        try:
            yield holder
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:c, hashtext(:h))"), _key(holder))
                connection.commit()


def _key(holder: str) -> dict[str, Any]:
    return {"c": _RUN_HOLDER, "h": holder}


def _try_lock(connection: Connection, holder: str) -> bool:
    statement = text("SELECT pg_try_advisory_lock(:c, hashtext(:h))")
    return bool(connection.execute(statement, _key(holder)).scalar())


def _is_gone(connection: Connection, holder: str) -> bool:
    if connection.dialect.name == "postgresql":
        free = _try_lock(connection, holder)
        if free:
            connection.execute(text("SELECT pg_advisory_unlock(:c, hashtext(:h))"), _key(holder))
        return free
    host, _, rest = holder.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process: nothing here can tell
    return not _alive(int(pid), int(start) if start.isdigit() else None)


def _alive(pid: int, start: int | None) -> bool:
    """Whether process ``pid`` runs, and is the one that started at ``start``
    (a pid can be reused by a later process)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    return start is None or _start_ticks(pid) in (None, start)


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22, counted after the command name, which may itself hold spaces and parentheses.
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None

"""What every command shares: output, errors, settings and the database."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from alerts.transports import SendingStopped
from config import Settings, get_settings
from store.db import DatabaseOutdated, open_database
from store.errors import InputError

console = Console(stderr=True)


ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


REASONS_AT = "each one's reason: `barrierwatch deliveries list`, or the Deliveries page of the web UI"


def exit_if_undelivered(failed: int, waiting: int) -> None:
    """Exit 1, saying where the reasons are, when mails that should have gone did not."""
    if failed or waiting:
        fail(
            f"{failed + waiting} mails not delivered ({failed} failed, {waiting} waiting to be "
            f"retried); {REASONS_AT}"
        )


def say(message: str) -> None:
    console.print(message, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True, markup=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:
        fail(f"bad setting: {exc}")


@contextmanager
def database() -> Iterator[tuple[Settings, Engine]]:
    """Settings and a database at the current schema; clear errors for bad input
    and for a database that refuses to be written."""
    settings = load_settings()
    try:
        engine = open_database(settings.database_url)
    except DatabaseOutdated as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(_database_refused(exc, settings))
    try:
        yield settings, engine
    except InputError as exc:
        fail(str(exc))
    except SendingStopped as exc:
        fail(f"sending stopped: {exc}. The mails not sent wait for the next run ({REASONS_AT}).")
    except OperationalError as exc:
        fail(_database_refused(exc, settings))
    finally:
        engine.dispose()


def _database_refused(exc: OperationalError, settings: Settings) -> str:
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    if "disk" in str(exc.orig).lower() or "no space" in str(exc.orig).lower():
        return (
            f"the database {where} cannot be written: its disk is full or failing ({exc.orig}). "
            "The change in hand was rolled back and nothing was marked done that was not; free some "
            "space and run the command again (a mail sent but not yet marked goes again with the same "
            "Message-ID)."
        )
    return (
        f"the database {where} refused the change ({exc.orig}): another process may hold a lock "
        "(BarrierWatch waited 10 s for it) or the database is read-only. The stage's changes were "
        "rolled back; run the command again when the database is free."
    )


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")

"""The ``barrierwatch`` command line: a thin layer over the stages."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.engine import Engine

from config import Settings, get_settings
from crawler.importers import read_notices
from nlp.classify import classify_pending
from nlp.tagger import load_tagger
from store.db import DatabaseOutdated, make_engine, open_database, session_scope, upgrade
from store.errors import InputError
from store.notices import ensure_source, save_notices
from store.runs import recorded_run

app = typer.Typer(no_args_is_help=True, help="BarrierWatch: trade-barrier alerts for exporters.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")
console = Console(stderr=True)


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"


def say(message: str) -> None:
    console.print(message, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def database() -> Iterator[tuple[Settings, Engine]]:
    """Settings and a ready database; clear errors for the usual mistakes."""
    try:
        settings = get_settings()
    except ValueError as exc:
        fail(f"bad setting: {exc}")
    try:
        engine = open_database(settings.database_url)
    except DatabaseOutdated as exc:
        fail(str(exc))
    try:
        yield settings, engine
    except InputError as exc:
        fail(str(exc))
    finally:
        engine.dispose()


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to this version of BarrierWatch."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    before, after = upgrade(engine)
    engine.dispose()
    say(f"schema {before or 'empty'} -> {after}")


@app.command()
def ingest(
    files: Annotated[
        list[Path], typer.Argument(help="JSONL or ePing .xlsx files", exists=True, dir_okay=False)
    ],
) -> None:
    """Import notices from JSONL files or ePing "export search results" workbooks."""
    with database() as (_settings, engine):
        for path in files:
            records = read_notices(path)  # validated whole before anything is written
            with recorded_run(engine, "ingest") as counts, session_scope(engine) as session:
                for slug in sorted({r.source for r in records}):
                    ensure_source(session, slug, kind="file", url=str(path))
                saved = save_notices(session, records)
                counts.update(file=str(path), new=saved.new, revised=saved.revised, unchanged=saved.unchanged)
            say(f"{path}: {saved.new} new, {saved.revised} revised, {saved.unchanged} unchanged")


@app.command()
def classify() -> None:
    """Tag notices that the current tagger has not tagged yet."""
    with database() as (_settings, engine):
        tagger = load_tagger()
        with recorded_run(engine, "classify") as counts, session_scope(engine) as session:
            result = classify_pending(session, tagger)
            counts.update(notices=result.notices, tags=result.tags, tagger=tagger.version)
        say(f"tagged {result.notices} notices with {result.tags} tags ({tagger.version})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

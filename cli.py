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


# --- crawler (issue 3): `crawl` and `sources list` -------------------------------------------

sources_app = typer.Typer(no_args_is_help=True, help="Sources of notices and their health.")
app.add_typer(sources_app, name="sources")


@app.command()
def crawl(
    source: Annotated[str | None, typer.Option("--source", help="Crawl only this source slug.")] = None,
) -> None:
    """Crawl the built-in sources and those of sources.toml (BW_SOURCES); exit 1 if any failed."""
    from crawler.crawl import crawl as crawl_sources
    from crawler.sources import all_sources

    with database() as (settings, engine):
        specs = all_sources(settings)
        if source is not None:
            specs = [s for s in specs if s.slug == source]
            if not specs:
                fail(f"unknown source {source!r}: see `barrierwatch sources list`")
        with recorded_run(engine, "crawl") as counts:
            results = crawl_sources(settings.database_url, specs, settings)
            counts.update({r.slug: r.status for r in results})
            for outcome in ("new", "revised", "unchanged"):
                counts[outcome] = sum(getattr(r, outcome) for r in results)
        for result in results:
            say(result.summary())
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@sources_app.command("list")
def sources_list(
    output: Annotated[OutputFormat, typer.Option("--format", help="json, csv or table")] = OutputFormat.table,
) -> None:
    """Every source with its health: last success, consecutive failures, last error."""
    import csv

    from crawler.sources import all_sources
    from store.sources import source_health

    with database() as (settings, engine), session_scope(engine) as session:
        rows = source_health(session)
        known = {row["slug"] for row in rows}
        for spec in all_sources(settings):
            if spec.slug not in known:
                rows.append(
                    {
                        "slug": spec.slug,
                        "kind": spec.kind,
                        "url": spec.url,
                        "enabled": spec.enabled,
                        "last_success_at": None,
                        "consecutive_failures": 0,
                        "last_error": None,
                    }
                )
    rows.sort(key=lambda row: row["slug"])
    if output is OutputFormat.json:
        print_json(rows)
    elif output is OutputFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["slug"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            if row["last_error"]:
                health = f"{row['consecutive_failures']} failures"
            else:
                health = "ok" if row["last_success_at"] else "not crawled"
            error = (row["last_error"] or "").splitlines()[0] if row["last_error"] else ""
            sys.stdout.write(f"{row['slug']:<28} {row['kind']:<26} {health:<12} {error}\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

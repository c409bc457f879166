"""Commands that bring notices in: crawl, ingest, classify; notices and sources."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

import pipeline
from cli.common import ListFormat, database, fail, print_json, say
from store.queries import notices_with_tags
from store.spreadsheet import safe_cell

app = typer.Typer()
notices_app = typer.Typer(no_args_is_help=True, help="Gathered notices.")
sources_app = typer.Typer(no_args_is_help=True, help="Sources of notices and their health.")


class SourcesFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
def crawl(
    source: Annotated[str | None, typer.Option("--source", help="Crawl only this source slug.")] = None,
) -> None:
    """Crawl the built-in sources and those of sources.toml (BW_SOURCES); exit 1 if any failed."""
    with database() as (settings, engine):
        try:
            results = pipeline.crawl_sources(engine, settings, source)
        except pipeline.UnknownSource as exc:
            fail(str(exc))
    for result in results:
        say(result.summary())
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def ingest(files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Import notices from JSONL files or ePing "export search results" workbooks."""
    with database() as (_settings, engine):
        for path in files:
            saved = pipeline.ingest_file(engine, path)
            say(f"{path}: {saved.new} new, {saved.revised} revised, {saved.unchanged} unchanged")


@app.command()
def classify() -> None:
    """Tag notices that the current tagger has not tagged yet."""
    with database() as (settings, engine):
        result, version = pipeline.classify(engine, settings)
        say(f"tagged {result.notices} notices with {result.tags} tags ({version})")


@notices_app.command("list")
def notices_list(
    format: Annotated[ListFormat, typer.Option(help="table or json")] = ListFormat.table,
    limit: Annotated[int | None, typer.Option(help="At most this many, newest first.")] = None,
) -> None:
    """List gathered notices with their tags, newest first."""
    with database() as (_settings, engine), Session(engine) as session:
        rows = notices_with_tags(session, limit)
    if format == ListFormat.json:
        print_json(rows)
        return
    table = Table("id", "published", "type", "country", "external id", "title", "tags")
    for r in rows:
        tags = " ".join(t["code"] for t in r["tags"])
        table.add_row(
            str(r["id"]),
            str(r["published"] or ""),
            r["doc_type"],
            r["country"],
            r["external_id"],
            r["title"][:70],
            tags,
        )
    Console().print(table)


@sources_app.command("list")
def sources_list(
    output: Annotated[
        SourcesFormat, typer.Option("--format", help="json, csv or table")
    ] = SourcesFormat.table,
) -> None:
    """Every source with its health: last success, consecutive failures, last error."""
    from crawler.sources import all_sources
    from store.sources import source_health

    with database() as (settings, engine), Session(engine) as session:
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
    if output is SourcesFormat.json:
        print_json(rows)
    elif output is SourcesFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["slug"])
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    else:
        for row in rows:
            if row["last_error"]:
                health = f"{row['consecutive_failures']} failures"
            else:
                health = "ok" if row["last_success_at"] else "not crawled"
            error = (row["last_error"] or "").splitlines()[0] if row["last_error"] else ""
            sys.stdout.write(f"{row['slug']:<28} {row['kind']:<26} {health:<12} {error}\n")

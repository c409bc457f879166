"""Commands that bring notices in: crawl, ingest, classify; notices and sources."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

import pipeline
from cli.common import database, fail, print_json, say
from store.notice_export import notice_row, to_csv, to_xlsx
from store.search import QueryRefused, parse_query, search_notices
from store.spreadsheet import safe_cell
from store.types import utcnow

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


class NoticesFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


@notices_app.command("list")
def notices_list(
    format: Annotated[NoticesFormat, typer.Option(help="table, json, csv or xlsx")] = NoticesFormat.table,
    q: Annotated[str, typer.Option("--q", help="Words to find (all of them), best matches first.")] = "",
    country: Annotated[str, typer.Option(help="Issuing country or group: US, EU.")] = "",
    kind: Annotated[str, typer.Option("--kind", help="tbt, sps, antidumping, countervailing, …")] = "",
    hs: Annotated[str, typer.Option(help="HS code at any level: 44, 4418, 4418.75.")] = "",
    source: Annotated[str, typer.Option(help="Source slug.")] = "",
    published_from: Annotated[str, typer.Option(help="Published on or after YYYY-MM-DD.")] = "",
    published_to: Annotated[str, typer.Option(help="Published on or before YYYY-MM-DD.")] = "",
    deadline_within: Annotated[str, typer.Option(help="Comment deadline open, within N days.")] = "",
    case_number: Annotated[str, typer.Option(help="Notices of this trade-remedy case.")] = "",
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
    language: Annotated[str, typer.Option(help="Headings of csv/xlsx: en or zh.")] = "en",
) -> None:
    """List gathered notices with their tags: newest first, or best matches
    first with --q; filters combine. --format xlsx needs --out."""
    params = {
        "q": q, "country": country, "doc_type": kind, "hs": hs, "source": source,
        "published_from": published_from, "published_to": published_to,
        "deadline_within": deadline_within, "case_number": case_number,
    }  # fmt: skip
    try:
        query = parse_query(params)
    except QueryRefused as exc:
        option = "kind" if exc.field == "doc_type" else exc.field.replace("_", "-")
        fail(f"--{option}: {exc.problem % exc.values}")
    if format == NoticesFormat.xlsx and out is None:
        fail("--format xlsx writes a workbook: give --out FILE.xlsx")
    with database() as (settings, engine), Session(engine) as session:
        today = utcnow().astimezone(settings.zone).date()
        found = search_notices(session, query, today=today, limit=limit or 10**9)
    rows = [notice_row(n, found.tags.get(n.id or 0, [])) for n in found.notices]
    _write_notices(rows, format, out, language if language in ("en", "zh") else "en")


def _write_notices(rows: list[dict[str, Any]], format: NoticesFormat, out: Path | None, lang: str) -> None:
    if format == NoticesFormat.table:
        _print_notices_table(rows)
        return
    if format == NoticesFormat.json:
        body = json.dumps(rows, ensure_ascii=False, indent=2, default=str).encode() + b"\n"
    else:
        body = to_xlsx(rows, lang) if format == NoticesFormat.xlsx else to_csv(rows, lang)
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    out.write_bytes(body)
    say(f"{len(rows)} notices written to {out}")


def _print_notices_table(rows: list[dict[str, Any]]) -> None:
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
            if row["kind"] == "file":  # imported, never crawled: neither "ok" nor "not crawled"
                health = "file import"
            elif row["last_error"]:
                health = f"{row['consecutive_failures']} failures"
            else:
                health = "ok" if row["last_success_at"] else "not crawled"
            error = (row["last_error"] or "").splitlines()[0] if row["last_error"] else ""
            sys.stdout.write(f"{row['slug']:<28} {row['kind']:<26} {health:<12} {error}\n")

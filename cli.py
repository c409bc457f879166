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


# --- nlp: the product-tagging model (train, tag, evaluate) -------------------

nlp_app = typer.Typer(no_args_is_help=True, help="The product-tagging model: train, tag, evaluate.")
app.add_typer(nlp_app, name="nlp")
ModelDirOption = Annotated[
    Path | None, typer.Option("--model", help="Model directory [default: nlp/model].", file_okay=False)
]


def _model_dir(given: Path | None) -> Path:
    from nlp.tagger import DEFAULT_MODEL_DIR

    return given or DEFAULT_MODEL_DIR


def _ready_tagger(given: Path | None) -> Any:
    """The pipeline tagger in the model directory, trained first if there is none."""
    # nlp.model and nlp.train load spaCy: imported only by the commands that need it.
    from nlp.model import PipelineTagger, has_model
    from nlp.train import train_model

    model_dir = _model_dir(given)
    if not has_model(model_dir):
        say(f"no model in {model_dir}: training one from the shipped data first")
        train_model(model_dir, log=say)
    return PipelineTagger.load(model_dir)


@nlp_app.command("train")
def nlp_train(
    model_dir: ModelDirOption = None,
    corrections: Annotated[
        bool, typer.Option("--corrections", help="Also learn from inspector corrections in the database.")
    ] = False,
) -> None:
    """Rebuild the tagging model from the shipped data (and corrections); writes metrics.json."""
    from nlp.train import train_model

    learnt = []
    if corrections:
        from nlp.corrections import inspector_corrections

        with database() as (_settings, engine), session_scope(engine) as session:
            learnt = inspector_corrections(session)
        say(f"{len(learnt)} notices corrected by inspectors")
    result = train_model(_model_dir(model_dir), corrections=learnt, log=say)
    dev = result.metrics["dev"]["masked"]
    say(f"model {result.version}: dev top-1 {dev['top1']:.3f}, micro-F1 {dev['micro_f1']:.3f}, codes masked")


@nlp_app.command("tag")
def nlp_tag(
    in_file: Annotated[
        Path, typer.Argument(help="JSONL lines {id, title, text}", exists=True, dir_okay=False)
    ],
    out_file: Annotated[Path, typer.Argument(help="JSONL lines {id, chapters, codes}", dir_okay=False)],
    model_dir: ModelDirOption = None,
) -> None:
    """Tag notices from a file: chapters with score and method, and the codes each text writes."""
    from nlp.corpus import read_tag_requests

    try:
        requests = read_tag_requests(in_file)
    except InputError as exc:
        fail(str(exc))
    tagger = _ready_tagger(model_dir)
    texts = (f"{r.title}\n{r.text}" for r in requests)
    with open(out_file, "w", encoding="utf-8") as out:
        for request, evidence in zip(requests, tagger.evidence(texts), strict=True):
            line = {"id": request.id, "chapters": tagger.chapters(evidence), "codes": evidence.codes}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    say(f"{len(requests)} notices tagged into {out_file} ({tagger.version})")


@nlp_app.command("evaluate")
def nlp_evaluate(
    labelled_file: Annotated[
        Path, typer.Argument(help="JSONL lines {title, text, hs_codes}", exists=True, dir_okay=False)
    ],
    mask_codes: Annotated[
        bool, typer.Option("--mask-codes", help="Cut the publisher's codes out of the texts first.")
    ] = False,
    model_dir: ModelDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Chapter-level P/R/F1 per label, micro and macro, top-1 accuracy and the worst labels."""
    from nlp.corpus import read_labelled
    from nlp.evaluate import evaluate, format_report

    try:
        notices = read_labelled(labelled_file)
    except InputError as exc:
        fail(str(exc))
    tagger = _ready_tagger(model_dir)
    evaluation = evaluate(tagger.nlp, tagger.info.thresholds, notices, mask=mask_codes)
    if as_json:
        print_json({"model": tagger.version, "masked": mask_codes, **evaluation.to_json()})
    else:
        sys.stdout.write(f"model {tagger.version}, codes {'masked' if mask_codes else 'as written'}\n")
        sys.stdout.write(format_report(evaluation) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

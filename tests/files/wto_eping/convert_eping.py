"""Rebuild this folder's ePing recordings from the real ePing export in ../shared/data/recorded.

Run once by hand (``python tests/files/wto_eping/convert_eping.py [RECORDED_DIR]``); see
PROVENANCE.md for what is real and what is shaped after ../shared/SOURCES.md.
"""

from __future__ import annotations

import html
import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pycountry
from openpyxl import load_workbook

HERE = Path(__file__).parent
RECORDED = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/recorded")
KEYED_PAGE = 10
KEYED_ROWS = 20
PUBLIC_PAGE = 20
_HYPERLINK = re.compile(r'"([^"]*)"\s*,\s*"([^"]*)"\)')
_HS_ITEM = re.compile(r"(?:^|;)\s*(\d{2,6})\s+-\s+([^;]*)")
_ICS_ITEM = re.compile(r"(?:^|;)\s*([\d.]+)\s+-\s+([^;]*)")
FIRST_ID = 310001  # ePing ids are not in the export: invented, sequential, stated in PROVENANCE.md


def _timestamp(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT00:00:00+00:00") if isinstance(value, datetime) else None


def _html(text: str) -> str:
    return '<p style="margin:0">' + html.escape(text).replace("\n", "<br/>") + "</p>" if text else ""


def _member_code(name: str) -> str:
    if name == "European Union":
        return "U918"
    try:
        return "C" + pycountry.countries.lookup(name).numeric
    except LookupError:
        return ""


def _named(cell: Any, pattern: re.Pattern[str], start: int) -> list[dict[str, Any]]:
    return [
        {"id": start + n, "code": code, "name": f"{code} - {name.strip()}"}
        for n, (code, name) in enumerate(pattern.findall(str(cell or "")))
    ]


def notification(row: dict[str, Any], number: int) -> dict[str, Any] | None:
    link = _HYPERLINK.search(str(row["Document symbol"] or ""))
    if link is None:
        return None
    symbol = link.group(2)  # as exported: a leading space, joint symbols comma-joined
    title = " ".join(str(row["Title"] or "").split())
    description = str(row["Description"] or "").strip()
    products = " ".join(str(row["Products covered"] or "").split())
    documents = str(row["Notified document"] or "").strip()
    dol = _HYPERLINK.search(str(row["Link to notification(EN)"] or ""))
    return {
        "id": FIRST_ID + number,
        "documentSymbol": symbol,
        "area": "TBT" if "/TBT/" in symbol else "SPS",
        "notificationType": row["Notification type"],
        "notifyingMember": row["Notifying Member"],
        "notifyingMemberCode": _member_code(str(row["Notifying Member"] or "")),
        "distributionDate": _timestamp(row["Distribution date"]),
        "commentDeadlineDate": _timestamp(row["Final date for comments"]),
        "proposedEntryIntoForceDate": None,
        "proposedEntryIntoForceDateText": None,
        "title": _html(title),
        "titlePlain": title,
        "description": _html(description),
        "descriptionPlain": " ".join(description.split()),
        "productsFreeText": _html(products),
        "productsFreeTextPlain": products,
        "hsCodes": _named(row["HS code(s)"], _HS_ITEM, 1000),
        "icsCodes": _named(row["ICS code(s)"], _ICS_ITEM, 2000),
        "objectives": [
            {"id": 10 + n, "name": o.strip()}
            for n, o in enumerate(str(row["Objectives"] or "").split(";"))
            if o.strip()
        ],
        "keywords": [
            {"id": 50 + n, "name": k.strip()}
            for n, k in enumerate(str(row["Keywords"] or "").split(";"))
            if k.strip()
        ],
        "linkToNotification": f"https://epingalert.org/en/Search?viewData={symbol}",
        "notifiedDocumentLink": documents.replace("\n", "\r\n"),
        "dolLink": dol.group(1) if dol else None,
        "isOpenForComments": row["Final date for comments"] is not None,
    }


def keyed_pages(items: list[dict[str, Any]]) -> None:
    folder = HERE / "eping/notifications"
    folder.mkdir(parents=True, exist_ok=True)
    chosen = items[:KEYED_ROWS]
    for page in (1, 2):
        chunk = chosen[(page - 1) * KEYED_PAGE : page * KEYED_PAGE]
        name = "search.json" if page == 1 else "search-page-2.json"
        _write(folder / name, {"items": chunk, "totalCount": len(chosen)})


def public_pages(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    folder = HERE / "api/v1/azureSearch"
    folder.mkdir(parents=True, exist_ok=True)
    routes = []
    for domain, area in ((1, "TBT"), (2, "SPS")):
        of_domain = [i for i in items if i["area"] == area]
        pages = max(1, -(-len(of_domain) // PUBLIC_PAGE))
        for page in range(1, pages + 1):
            chunk = of_domain[(page - 1) * PUBLIC_PAGE : page * PUBLIC_PAGE]
            name = f"getAll-{area.lower()}-{page}.json"
            body = {
                "items": chunk,
                "totalCount": len(of_domain),
                "isCountExceeded": False,
                "endRow": (page - 1) * PUBLIC_PAGE + len(chunk),
                "facets": {"area": [{"value": area, "count": len(of_domain)}]},
            }
            _write(folder / name, body)
            routes.append(
                {
                    "path": "/api/v1/azureSearch/getAll",
                    "query": {"domainIds": str(domain), "page": str(page)},
                    "file": f"api/v1/azureSearch/{name}",
                }
            )
    return routes


def _write(path: Path, body: Any) -> None:
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    sheet = load_workbook(RECORDED / "eping-export-search-results-2025-06-sample.xlsx", read_only=True)
    rows = sheet["Notifications"].iter_rows(values_only=True)
    header = [str(c) for c in next(rows)]
    built = (notification(dict(zip(header, r, strict=False)), n) for n, r in enumerate(rows))
    items = [n for n in built if n][:60]
    keyed_pages(items)
    routes = [
        {
            "path": "/eping/notifications/search",
            "query": {"page": "2"},
            "file": "eping/notifications/search-page-2.json",
        },
        {"path": "/eping/notifications/search", "file": "eping/notifications/search.json"},
        *public_pages(items),
    ]
    (HERE / "_routes.json").write_text(json.dumps(routes, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

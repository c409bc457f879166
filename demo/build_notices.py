"""Rebuild demo/notices.jsonl from the real public data in the shared data folder.

    python demo/build_notices.py ../shared/data > demo/notices.jsonl

Every notice is a real published measure; only the shape is converted to
BarrierWatch's JSONL (see demo/README.md for each source).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ITIP = "labelled/itip_us_antidumping_train.jsonl"
USITC = "recorded/usitc-adcvd-orders-in-place.csv"
ITA_ORDERS = "recorded/ita-adcvd-orders-api-2019-11-10.json"


def _usitc_rows(data: Path) -> list[dict[str, str]]:
    with open(data / USITC, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _case_numbers(usitc: list[dict[str, str]], product: str, country: str, kind: str) -> list[str]:
    wanted = product.casefold().strip()
    return sorted(
        {
            r["DOCNo"].strip()
            for r in usitc
            if r["Product"].casefold().strip() == wanted and r["Country"] == country and r["ADCVD"] == kind
        }
    )


def itip_antidumping(data: Path, usitc: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
    """US anti-dumping measures on Chinese goods still in force (WTO I-TIP)."""
    for line in (data / ITIP).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "Partner affected: China." not in row["text"] or "Withdrawn: None" not in row["text"]:
            continue
        product = row["title"].removeprefix("Anti-dumping: ").removesuffix(" from China")
        yield {
            "id": row["id"],
            "source": "wto_itip_antidumping",
            "doc_type": "antidumping",
            "country": "US",
            "subject_countries": ["CN"],
            "title": row["title"],
            "text": row["text"],
            "published": row["published"],
            "hs_codes": row["hs_codes"],
            "case_numbers": _case_numbers(usitc, product, "China", "A"),
            "case_product": product,
        }


def usitc_countervailing(usitc: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
    """US countervailing duty orders in place on Chinese goods (USITC list)."""
    for r in usitc:
        if r["Country"] != "China" or r["ADCVD"] != "C":
            continue
        y, m, d = r["Orderdate"].split("/")
        text = (
            f"Countervailing duty order on {r['Product']} from China, Commerce case {r['DOCNo']}, "
            f"USITC investigation {r['ITCcaseNo']}. Order date: {r['Orderdate']}."
        )
        if r["Continueddate"].strip():
            text += f" Continued after sunset review: {r['Continueddate'].strip()}."
        yield {
            "id": r["DOCNo"].strip(),
            "source": "us_usitc_orders",
            "doc_type": "countervailing",
            "country": "US",
            "subject_countries": ["CN"],
            "title": f"Countervailing duty order: {r['Product']} from China",
            "text": text,
            "published": f"{y}-{int(m):02d}-{int(d):02d}",
            "case_numbers": [r["DOCNo"].strip()],
            "url": r["Link"].strip() or None,
            "case_product": r["Product"],
        }


def ita_orders(data: Path) -> Iterator[dict[str, Any]]:
    """ITA AD/CVD orders (paper products from several countries)."""
    for r in json.loads((data / ITA_ORDERS).read_text(encoding="utf-8"))["results"]:
        kind = "antidumping" if r["case_number"].startswith("A-") else "countervailing"
        label = "Anti-dumping" if kind == "antidumping" else "Countervailing duty"
        yield {
            "id": r["case_number"],
            "source": "us_ita_adcvd_orders",
            "doc_type": kind,
            "country": "US",
            "subject_countries": [r["country"]],
            "title": f"{label} order: {r['product']} from {r['country']}",
            "text": f"{label} order on {r['product']} ({r['commodity']}) from {r['country']}, case "
            f"{r['case_number']}. HTS numbers: {', '.join(r['hts_numbers'])}.",
            "url": r["url"],
            "hs_codes": r["hts_numbers"],
            "case_numbers": [r["case_number"]],
            "case_product": r["product"],
        }


def main(data: Path) -> None:
    usitc = _usitc_rows(data)
    # The Federal Register document is not here: `barrierwatch demo` crawls it from the recordings.
    for source in (itip_antidumping(data, usitc), usitc_countervailing(usitc), ita_orders(data)):
        for notice in source:
            clean = {k: v for k, v in notice.items() if v not in (None, [], "")}
            sys.stdout.write(json.dumps(clean, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(re.sub(r"/$", "", sys.argv[1] if len(sys.argv) > 1 else "../shared/data")))

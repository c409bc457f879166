"""Rebuild this folder's Federal Register fixtures from the real recordings in ../shared/data/recorded.

Run once by hand (``python tests/files/us_federalregister_adcvd/convert_federalregister.py``);
see PROVENANCE.md for what is real and what is shaped.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from lxml import etree

from crawler.spiders.us_federalregister_adcvd import FIELDS  # the fixture holds what the spider asks for

HERE = Path(__file__).parent
RECORDED = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/recorded")
ISSUE_DOCS = ("2016-08787", "2016-08229", "2016-08650", "2016-08789")
SITE = "https://www.federalregister.gov"


def flat(element: etree._Element | None) -> str | None:
    return " ".join(element.xpath("string()").split()) if element is not None else None


def url_slug(title: str) -> str:
    """The readable tail of a document URL, made the way federalregister.gov makes it."""
    words = re.sub(r"[^a-z0-9]+", " ", title.lower().replace("'", "")).split()
    return "-".join(words)[:100].rstrip("-")


def issue_document(notice: etree._Element, number: str) -> tuple[dict[str, Any], str]:
    title = flat(notice.find(".//SUBJECT"))
    summary = flat(notice.find(".//SUM"))
    agency_names = [flat(e) for e in notice.findall(".//AGENCY") + notice.findall(".//SUBAGY")]
    dockets = [flat(d).strip("[]") for d in notice.findall(".//DEPDOC")]  # type: ignore[union-attr]
    day = "2016/04/15"
    document = {
        "document_number": number,
        "title": title,
        "type": "Notice",
        "abstract": summary.removeprefix("SUMMARY: ") if summary else None,
        "agencies": [{"raw_name": name, "name": (name or "").title()} for name in agency_names],
        "publication_date": "2016-04-15",
        "effective_on": None,
        "comments_close_on": None,
        "docket_ids": dockets,
        "html_url": f"{SITE}/documents/{day}/{number}/{url_slug(title or '')}",
        "raw_text_url": f"{SITE}/documents/full_text/text/{day}/{number}.txt",
    }
    text = "\n".join(" ".join(p.xpath("string()").split()) for p in notice.iter("P", "HD", "SUBJECT"))
    return document, text


def main() -> None:
    issue = etree.parse(str(RECORDED / "federal-register-issue-2016-04-15.xml"))
    page_one = []
    for notice in issue.iter("NOTICE"):
        frdoc = notice.findtext(".//FRDOC") or ""
        number = frdoc.split()[2] if frdoc.count(" ") >= 2 else ""
        if number in ISSUE_DOCS:
            document, text = issue_document(notice, number)
            page_one.append(document)
            target = HERE / "documents/full_text/text/2016/04/15" / f"{number}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text + "\n", encoding="utf-8")
    real = json.loads((RECORDED / "federal-register-api-document-2025-05887.json").read_text())
    page_two = [{key: real[key] for key in FIELDS}]
    query = "conditions%5Btype%5D%5B%5D=NOTICE&per_page=4&order=newest"
    api = HERE / "api/v1"
    api.mkdir(parents=True, exist_ok=True)
    pages = {
        "documents.json": {
            "count": 7,
            "total_pages": 3,
            "next_page_url": f"{SITE}/api/v1/documents.json?page=2&{query}",
            "results": page_one,
        },
        "documents-page-2.json": {
            "count": 7,
            "total_pages": 3,
            "next_page_url": f"{SITE}/api/v1/documents.json?page=3&{query}",
            "results": page_two,
        },
        "documents-page-3.json": {"count": 7, "total_pages": 3, "results": omnibus_documents()},
    }
    for name, body in pages.items():
        (api / name).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# The two monthly omnibus notices, built in the Federal Register's raw-text layout from
# real active orders of the USITC list (case number, product, country); dates invented.
OMNIBUS = (
    (
        "2026-02101",
        "Antidumping or Countervailing Duty Order, Finding, or Suspended Investigation; "
        "Opportunity To Request Administrative Review and Join Annual Inquiry Service List",
        ("A-570-008", "A-570-010", "A-570-016", "C-570-011", "A-580-876"),
        False,
    ),
    (
        "2026-02275",
        "Initiation of Antidumping and Countervailing Duty Administrative Reviews",
        ("A-570-012", "A-570-018", "C-570-017", "A-533-873"),
        True,
    ),
)
COMPANIES = ("Example Trading Co., Ltd.", "Sample Industrial Group Co., Ltd.")  # invented


def usitc_orders() -> dict[str, dict[str, str]]:
    import csv

    with (RECORDED / "usitc-adcvd-orders-in-place.csv").open(encoding="utf-8-sig") as rows:
        return {row["DOCNo"].strip(): row for row in csv.DictReader(rows)}


def omnibus_text(title: str, numbers: tuple[str, ...], companies: bool) -> str:
    orders = usitc_orders()
    lines = [
        title,
        "AGENCY:",
        "Enforcement and Compliance, International Trade Administration, Commerce.",
        "",
    ]
    for heading, letter in (("Antidumping Duty Proceedings", "A"), ("Countervailing Duty Proceedings", "C")):
        lines += ["", f"{'':60}Period", "", heading, ""]
        for number in (n for n in numbers if n.startswith(letter)):
            order = orders[number]
            country = order["Country"].upper() if letter == "A" else f"The {order['Country']}"
            if order["Country"] == "China":
                country = (
                    "THE PEOPLE'S REPUBLIC OF CHINA" if letter == "A" else "The People's Republic of China"
                )
            entry = f"{country}: {order['Product'].strip()}, {number}"
            lines.append(f"{entry} {'.' * max(3, 70 - len(entry))} 2/1/25-1/31/26")
            lines += [f"    {c}" for c in COMPANIES] if companies else []
    lines += [
        "",
        "Suspension Agreements",
        "",
        "None.",
        "",
        "Notification to Interested Parties",
        "",
        "This notice is published in accordance with section 751(a) of the Tariff Act of 1930, as "
        "amended, and 19 CFR 351.213 of the Department's regulations, which apply to the cases above.",
    ]
    return "\n".join(lines) + "\n"


def omnibus_documents() -> list[dict[str, Any]]:
    documents = []
    for number, title, cases, companies in OMNIBUS:
        day = "2026/02/02"
        documents.append(
            {
                "document_number": number,
                "title": title,
                "type": "Notice",
                "abstract": None,
                "agencies": [
                    {
                        "raw_name": "International Trade Administration",
                        "name": "International Trade Administration",
                    }
                ],
                "publication_date": "2026-02-02",
                "effective_on": None,
                "comments_close_on": None,
                "docket_ids": [],
                "html_url": f"{SITE}/documents/{day}/{number}/{url_slug(title)}",
                "raw_text_url": f"{SITE}/documents/full_text/text/{day}/{number}.txt",
            }
        )
        target = HERE / "documents/full_text/text" / day / f"{number}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(omnibus_text(title, cases, companies), encoding="utf-8")
    return documents


if __name__ == "__main__":
    main()

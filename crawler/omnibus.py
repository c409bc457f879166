"""The two monthly US omnibus notices, split into one event per listed case.

Commerce publishes every month "Antidumping or Countervailing Duty Order, Finding,
or Suspended Investigation; Opportunity To Request Administrative Review" and
"Initiation of Antidumping and Countervailing Duty Administrative Reviews". Neither
names one product in its title; their full text lists every case concerned, one per
line, under "Antidumping Duty Proceedings", "Countervailing Duty Proceedings" and
"Suspension Agreements"::

    THE PEOPLE'S REPUBLIC OF CHINA: Glycine, A-570-836 ............ 3/1/20-2/28/21
    Socialist Republic of Vietnam: Steel Nails, A-552-818 ......... 7/1/20-6/30/21
        Company A Co., Ltd.
        Company B

(an initiation lists the companies under their case). A product name may wrap
onto the next line; countries come in capitals or not, formal or short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.stages import stage_from_title
from crawler.trade_remedies import subject_countries

OMNIBUS_STAGES = ("review_opportunity", "review_initiation")
_CASE_LINE = re.compile(
    r"^[ \t]*(?P<country>[A-Z][A-Za-z'’ .,()-]{1,70}?):[ \t]*"
    r"(?P<product>[^\n:]{2,300}?(?:\n[ \t]*[^\n:]{1,200}?)?)[ \t]*,?[ \t]*(?:\n[ \t]*)?"
    r"(?P<case>[ACR]-\d{3}-\d{3})(?P<rest>[^\n]*)",
    re.M,
)
_PERIOD = re.compile(r"(\d{1,2}/\d{1,2}/\d{2,4})\s*[-–]\s*(\d{1,2}/\d{1,2}/\d{2,4})")
_HEADING = re.compile(r"^\s*(?:Antidumping|Countervailing|Suspension|Suspended|Period|-{3,}|_{3,})", re.I)
MAX_COMPANY_LINES = 40
# A company's name fits on a line; a longer line is the notice's running text again.
MAX_COMPANY_CHARS = 100


@dataclass(frozen=True)
class ListedCase:
    """One case an omnibus notice lists."""

    case_number: str
    product: str
    countries: tuple[str, ...]  # ISO codes
    period: str | None  # "3/1/20-2/28/21" as written
    companies: tuple[str, ...]  # for initiations: the companies whose entries are reviewed


def omnibus_stage(title: str) -> str | None:
    """``review_opportunity`` or ``review_initiation`` for the two omnibus titles, else None.
    A title in the "<Product> From <Country>: <Action>" form is one case's notice, not these."""
    stage = stage_from_title(title)
    return stage if stage in OMNIBUS_STAGES and " From " not in title else None


def listed_cases(full_text: str) -> list[ListedCase]:
    """Every case listed in an omnibus notice's text, in order, each once."""
    matches = list(_CASE_LINE.finditer(full_text))
    cases: dict[str, ListedCase] = {}
    for index, found in enumerate(matches):
        number = found["case"]
        if number in cases:
            continue
        end = matches[index + 1].start() if index + 1 < len(matches) else len(full_text)
        period = _PERIOD.search(found["rest"])
        cases[number] = ListedCase(
            case_number=number,
            product=_clean_product(found["product"]),
            countries=subject_countries([_country_name(found["country"])]),
            period=f"{period[1]}-{period[2]}" if period else None,
            companies=_companies(full_text[found.end() : end]),
        )
    return list(cases.values())


def _clean_product(raw: str) -> str:
    product = " ".join(raw.split()).rstrip(" ,.")
    return re.sub(r"^Certain\s+", "", product)


def _country_name(raw: str) -> str:
    name = " ".join(raw.split())
    return name.title() if name.isupper() else name


def _companies(block: str) -> tuple[str, ...]:
    names: list[str] = []
    for line in block.splitlines()[1:]:
        text = re.sub(r"[\s.]{3,}$", "", " ".join(line.split()))
        if not text:
            continue
        if len(text) > MAX_COMPANY_CHARS or _HEADING.match(text) or _PERIOD.fullmatch(text):
            break
        names.append(text)
        if len(names) >= MAX_COMPANY_LINES:
            break
    return tuple(names)

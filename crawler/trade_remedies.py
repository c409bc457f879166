"""Reading trade-remedy notices: case numbers, subject countries and case stage from titles.

US titles read "<Product> From <Country>[, <Country> and <Country>]: <Action>"
(the USITC uses "; " before the action); Commerce case numbers look like
A-570-970 (A anti-dumping, C countervailing, 570 China) and USITC
investigations like 731-TA-1291.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.chinese_titles import parse_chinese_title
from crawler.stages import stage_from_title
from hs.markets import UnknownCountry, country_code

log = logging.getLogger(__name__)

_TITLE = re.compile(r"^(?P<product>.+?)\s+[Ff]rom\s+(?P<countries>.+?)\s*[:;]\s*(?P<action>.+)$")
# "the Socialist Republic of Vietnam", "the Kingdom of Thailand": formal names shortened when unknown.
_FORMAL = re.compile(
    r"^(?:(?:Socialist|Federative|Islamic|Arab|Bolivarian|Democratic|Oriental)\s+)*"
    r"(?:Republic|Kingdom|Sultanate|State|Federation|Commonwealth)\s+of\s+(?:the\s+)?",
    re.I,
)
_COUNTRY_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
# Bounded by non-alphanumerics, not \b: in Chinese text "案号A-570-836" has no word boundary.
CASE_NUMBER = re.compile(
    r"(?<![A-Za-z0-9-])(?:[ACR]-\d{3}-\d{3}|(?:701|731)-TA-\d+(?:-\d+)?|A[DS]\d{3,4})(?![A-Za-z0-9])"
)
# Most specific first: "Preliminary Results of ... Administrative Review" is an administrative review.


# Commerce case numbers carry a country code (A-570-970: China). The codes of the orders
# most often met, as the USITC list of orders in place pairs them with countries
# (../shared/data/recorded/usitc-adcvd-orders-in-place.csv).
COMMERCE_COUNTRIES = {
    "122": "CA", "201": "MX", "351": "BR", "357": "AR", "412": "GB", "421": "NL", "427": "FR",
    "428": "DE", "469": "ES", "475": "IT", "489": "TR", "520": "AE", "523": "OM", "533": "IN",
    "535": "PK", "549": "TH", "552": "VN", "557": "MY", "560": "ID", "565": "PH", "570": "CN",
    "580": "KR", "583": "TW", "588": "JP", "602": "AU", "791": "ZA", "821": "RU", "823": "UA",
}  # fmt: skip


def commerce_country(number: str) -> str | None:
    """The subject country of a Commerce case number (A-570-970 -> CN), if its code is known."""
    found = re.match(r"^[ACR]-(\d{3})-\d{3}$", number)
    return COMMERCE_COUNTRIES.get(found.group(1)) if found else None


@dataclass(frozen=True)
class RemedyTitle:
    product: str
    countries: tuple[str, ...]  # ISO codes of the subject countries
    action: str


def parse_title(title: str) -> RemedyTitle | None:
    """Product, subject countries and action of a "<Product> From <Country>: <Action>" title,
    or None if the title is not in that form. Unknown country names are logged and left out."""
    match = _TITLE.match(" ".join(title.split()))
    if not match:
        return None
    product = re.sub(r"^Certain\s+", "", match["product"]).strip()
    return RemedyTitle(product, subject_countries(_COUNTRY_SPLIT.split(match["countries"])), match["action"])


def subject_countries(names: Iterable[str]) -> tuple[str, ...]:
    codes: list[str] = []
    for name in names:
        name = re.sub(r"^the\s+", "", name.strip().replace("\u2019", "'"), flags=re.I)
        if not name:
            continue
        code = _country(name) or _country(_FORMAL.sub("", name))
        if code is None:
            log.warning("unknown subject country %r left out", name)
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _country(name: str) -> str | None:
    try:
        return country_code(name)
    except UnknownCountry:
        return None


def case_stage(action: str) -> str | None:
    """The case stage an action names (see :data:`store.models.STAGES`), if any."""
    return stage_from_title(action)


def case_numbers(texts: Iterable[str]) -> list[str]:
    numbers: list[str] = []
    for text in texts:
        numbers.extend(n for n in CASE_NUMBER.findall(text or "") if n not in numbers)
    return numbers


def remedy_type(numbers: Iterable[str], title: str) -> str:
    """antidumping, countervailing or safeguard: from the first Commerce case
    number's letter, else from the title's words."""
    for number in numbers:
        if number.startswith("C-"):
            return "countervailing"
        if number.startswith("A-"):
            return "antidumping"
    lowered = title.lower()
    if "safeguard" in lowered:
        return "safeguard"
    if "countervailing" in lowered and "antidumping" not in lowered and "anti-dumping" not in lowered:
        return "countervailing"
    return "antidumping"


def title_facts(title: str, text: str = "") -> dict[str, object]:
    """Case facts a trade-remedy title states, as notice fields: ``case_product``,
    ``subject_countries``, ``case_stage``, ``doc_type``, ``case_numbers`` (from title and
    text), and ``country`` for a Chinese title (its investigating country). Fields the
    title does not state are left out, so a source's defaults stay."""
    facts: dict[str, object] = {}
    numbers = case_numbers([title, text])
    if numbers:
        facts["case_numbers"] = numbers
    english = parse_title(title)
    if english is not None:
        facts.update(case_product=english.product, case_stage=case_stage(english.action))
        facts["doc_type"] = remedy_type(numbers, title)
        if english.countries:
            facts["subject_countries"] = list(english.countries)
        return facts
    chinese = parse_chinese_title(title)
    if chinese is not None:
        facts.update(
            case_product=chinese.product,
            case_stage=chinese.stage,
            doc_type=chinese.remedy,
            subject_countries=list(chinese.subject_countries),
        )
        if chinese.country:
            facts["country"] = chinese.country
    return facts

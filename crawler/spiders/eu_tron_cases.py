"""EU trade defence cases from TRON (no key), as ``../shared/SOURCES.md`` describes it.

``investigations/api/eucase/lastUpdate`` (epoch milliseconds) first: when it
equals the value of the last successful crawl (kept as the source's ETag), the
crawl stops there. Otherwise ``…/list/ongoing`` (a bare array of cases), then
``…/details/{id}`` of each case with a detail page.

Each publication of a case (notice of initiation, provisional or definitive
regulation, expiry review …) is one notice, ``<caseNumber>/<casePublicationId>``;
an unchanged publication is found unchanged by its content hash and costs
nothing downstream. The case's timetable (pre-disclosure, provisional and
definitive measures, investigation period) is kept in every notice's text.
Fields may be missing, ``null``, HTML or "Not applicable"; URLs may be "N/A".
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from crawler.dates import source_date
from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, expect, read_json, strict_text
from crawler.stages import stage_from_title
from crawler.text import html_to_text
from crawler.trade_remedies import subject_countries
from hs.codes import find_codes

API = "/investigations/api/eucase"
CASE_PAGE = "https://tron.trade.ec.europa.eu/investigations/case-view?caseId={id}"
CASE_TYPES = {"anti-dumping": "antidumping", "anti-subsidy": "countervailing", "safeguard": "safeguard"}
NUMBER_PREFIXES = {"AD": "antidumping", "AS": "countervailing", "SG": "safeguard"}
# Timetable fields of a case's details, in case order, with the words shown to readers.
TIMETABLE = (
    ("initDate", "Initiation"),
    ("tpvFrom", "Investigation period from"),
    ("tpvTo", "Investigation period to"),
    ("predisc", "Pre-disclosure"),
    ("provMeasures", "Provisional measures"),
    ("returnCMTSDisc", "Comments on disclosure"),
    ("returnCMTSFinalDisc", "Comments on final disclosure"),
    ("defMeasures", "Definitive measures"),
)
VERSION_PREFIX = "lastUpdate="


class TronCasesSpider(NoticeSpider):
    name = "eu_tron_cases"

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(self.site_url(f"{API}/lastUpdate"), self.parse_last_update)

    def parse_last_update(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        version = _parse_last_update(strict_text(response))
        if version is not None:
            self.validators["etag"] = VERSION_PREFIX + version
            if self.source.etag == VERSION_PREFIX + version:
                self.logger.info("source %s: unchanged since the last crawl (lastUpdate)", self.source.slug)
                return
        yield self.get(self.site_url(f"{API}/list/ongoing"), self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        found = read_json(response)
        if isinstance(found, dict):  # tolerate an envelope around the array
            found = found.get("cases") or found.get("items") or found.get("content")
        expect(isinstance(found, list), response, "a JSON array of ongoing cases")
        # Each case costs one detail request; the page limit caps them at 100 per "page".
        for case in found[: self.max_pages * 100]:
            case_id = case.get("id", case.get("caseId")) if isinstance(case, dict) else None
            if case_id in (None, ""):
                self.report_item(f"{response.url}: a case without an id was left out: {str(case)[:120]}")
                continue
            if case.get("hasDetailPage") is False:
                continue
            yield self.get(self.site_url(f"{API}/details/{quote(str(case_id))}"), self.parse_case)

    def parse_case(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        case = read_json(response)
        expect(
            isinstance(case, dict) and bool(case.get("caseNumber")),
            response,
            "case details with a caseNumber",
        )
        publications = case.get("publications") or []
        expect(isinstance(publications, list), response, "a publications list (or none)")
        for publication in publications:
            if isinstance(publication, dict):
                yield self._parse_publication(case, publication)

    def _parse_publication(self, case: dict[str, Any], publication: dict[str, Any]) -> NoticeItem:
        number = str(case["caseNumber"]).strip()
        kind = _text(publication.get("typeOfPublication"))
        contents = _text(publication.get("contents"))
        publication_id = publication.get("casePublicationId") or publication.get("id")
        return self.notice(
            id=f"{number}/{publication_id if publication_id is not None else kind}",
            doc_type=_parse_remedy(case),
            title=_parse_title(case, kind, contents),
            text=_parse_text(case, kind, contents),
            url=_parse_url(case, publication),
            published=source_date(publication.get("datePublication")),
            case_numbers=[number],
            subject_countries=list(subject_countries(_country_names(case))),
            hs_codes=_parse_cn_codes(case, contents),
            case_product=_text(case.get("shortName")) or None,
            case_stage=stage_from_title(f"{kind}. {contents}") or _stage_of_case(case),
        )


def _parse_last_update(body: str) -> str | None:
    digits = re.search(r"\d{9,}", body)
    return digits.group(0) if digits else None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("contents") or value.get("name")
    return html_to_text(value) if isinstance(value, str) else ""


def _parse_remedy(case: dict[str, Any]) -> str:
    kind = _text(case.get("caseType")).lower().replace("antidumping", "anti-dumping")
    for word, remedy in CASE_TYPES.items():
        if word in kind:
            return remedy
    return NUMBER_PREFIXES.get(str(case.get("caseNumber"))[:2].upper(), "antidumping")


def _country_names(case: dict[str, Any]) -> list[str]:
    names = []
    for country in case.get("caseCountries") or []:
        name = country.get("countryName") if isinstance(country, dict) else country
        if isinstance(name, str) and name.strip():
            names.append(name)
    return names


def _parse_title(case: dict[str, Any], kind: str, contents: str) -> str:
    if contents:
        return contents.split("\n")[0][:500]
    return f"{_text(case.get('shortName')) or case['caseNumber']}: {kind or 'publication'}"


def _parse_text(case: dict[str, Any], kind: str, contents: str) -> str:
    countries = ", ".join(_country_names(case))
    head = f"Case {case['caseNumber']}: {_text(case.get('shortName'))}" + (
        f" ({countries})" if countries else ""
    )
    lines = [head, kind, contents, _timetable(case)]
    return "\n".join(line for line in lines if line)


def _timetable(case: dict[str, Any]) -> str:
    steps = [
        f"{label}: {_text(case.get(field))}"
        for field, label in TIMETABLE
        if _text(case.get(field)) and _text(case.get(field)).lower() not in ("not applicable", "n/a")
    ]
    return "Timetable: " + "; ".join(steps) if steps else ""


def _parse_url(case: dict[str, Any], publication: dict[str, Any]) -> str:
    for field in ("url", "urlTransformed"):
        link = str(publication.get(field) or "").strip()
        if link.startswith(("http://", "https://")):
            return link
    return CASE_PAGE.format(id=case.get("id"))


def _parse_cn_codes(case: dict[str, Any], contents: str) -> list[str]:
    given = [str(c) for c in case.get("cnCodes") or [] if isinstance(c, str | int)]
    return given or find_codes(" ".join((contents, _text(case.get("initPublication")))))


def _stage_of_case(case: dict[str, Any]) -> str | None:
    return stage_from_title(" ".join(_text(case.get(f)) for f in ("articleOfToc", "category")))

"""EU trade defence cases from TRON (JSON): the case list, then each case's details.

Each publication of a case (notice of initiation, duty regulation …) is one
notice, identified by the case number and the publication id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, expect, read_json
from crawler.stages import stage_from_title
from crawler.trade_remedies import subject_countries

CASE_TYPES = {"anti-dumping": "antidumping", "anti-subsidy": "countervailing", "safeguard": "safeguard"}


class TronCasesSpider(NoticeSpider):
    name = "eu_tron_cases"

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(self.site_url("/api/cases.json"), self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        found = read_json(response)
        expect(isinstance(found, dict) and isinstance(found.get("cases"), list), response, "a cases list")
        # Each case costs one detail request; the page limit caps them at 100 per "page".
        for case in found["cases"][: self.max_pages * 100]:
            number = str(case.get("caseNumber") or "")
            expect(bool(number), response, "a caseNumber on every case")
            yield self.get(self.site_url(f"/api/cases/{quote(number)}.json"), self.parse_case)

    def parse_case(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        case = read_json(response)
        expect(
            isinstance(case, dict) and isinstance(case.get("publications"), list),
            response,
            "case details with a publications list",
        )
        for publication in case["publications"]:
            yield self._parse_publication(case, publication)

    def _parse_publication(self, case: dict[str, Any], publication: dict[str, Any]) -> NoticeItem:
        number = str(case["caseNumber"])
        return self.notice(
            id=f"{number}/{publication.get('id') or publication.get('ojReference')}",
            doc_type=CASE_TYPES.get(str(case.get("caseType", "")).lower(), "antidumping"),
            title=publication.get("title"),
            text=_parse_text(case, publication),
            url=publication.get("url"),
            published=publication.get("date"),
            case_numbers=[number],
            subject_countries=list(subject_countries(case.get("caseCountries") or [])),
            hs_codes=list(case.get("cnCodes") or []),
            case_product=case.get("product") or case.get("shortName"),
            case_stage=stage_from_title(str(publication.get("type") or case.get("stage") or "")),
        )


def _parse_text(case: dict[str, Any], publication: dict[str, Any]) -> str:
    lines = [
        f"Case {case['caseNumber']}: {case.get('product') or case.get('shortName')}",
        str(publication.get("type") or case.get("stage") or ""),
        f"Published in {publication['ojReference']}." if publication.get("ojReference") else "",
    ]
    return "\n".join(line for line in lines if line)

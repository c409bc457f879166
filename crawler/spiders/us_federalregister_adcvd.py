"""US anti-dumping and countervailing notices from the Federal Register API (no key).

``/api/v1/documents.json`` searched for ITA and USITC notices published in the
lookback window, page after page; each document's full text is fetched (when
enabled) for the HTS numbers of its scope. The two monthly omnibus notices
(opportunity to request, and initiation of, administrative reviews) are split
into one notice per case they list (:mod:`crawler.omnibus`), ``<document>/<case>``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import NoticeItem
from crawler.omnibus import ListedCase, listed_cases, omnibus_stage
from crawler.spiders.base import NoticeSpider, expect, read_json, strict_text
from crawler.text import html_to_text
from crawler.trade_remedies import case_numbers, case_stage, parse_title, remedy_type
from hs.markets import country_name

FIELDS = (
    "document_number",
    "title",
    "type",
    "abstract",
    "agencies",
    "publication_date",
    "effective_on",
    "comments_close_on",
    "docket_ids",
    "html_url",
    "raw_text_url",
)
OMNIBUS_ACTIONS = {
    "review_opportunity": "Opportunity To Request Administrative Review",
    "review_initiation": "Initiation of Administrative Review",
}
AGENCIES = ("international-trade-administration", "international-trade-commission")
# HTS numbers in scope paragraphs: 2922.49.4020, 7208.10.15 (eight digits at least, so not a CFR section).
_HTS = re.compile(r"(?<![\d.])\d{4}\.\d{2}\.\d{2}(?:\d{2}|\.\d{2})?(?![\d])")


class FederalRegisterADCVDSpider(NoticeSpider):
    name = "us_federalregister_adcvd"

    def read_settings(self, settings: Any) -> None:
        super().read_settings(settings)
        self.lookback_days = settings.getint("BARRIERWATCH_LOOKBACK_DAYS")
        self.full_text = settings.getbool("BARRIERWATCH_FULL_TEXT")

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(self.search_url(), self.parse, cb_kwargs={"page": 1})

    def search_url(self) -> str:
        since = date.today() - timedelta(days=self.lookback_days)
        query = (
            [("conditions[agencies][]", a) for a in AGENCIES]
            + [
                ("conditions[type][]", "NOTICE"),
                ("conditions[publication_date][gte]", since.isoformat()),
                ("per_page", "100"),
                ("order", "newest"),
            ]
            + [("fields[]", f) for f in FIELDS]
        )
        return self.site_url("/api/v1/documents.json?" + urlencode(query))

    def parse(self, response: Response, page: int = 1, **kwargs: Any) -> Iterator[Any]:
        found = read_json(response)
        expect(
            isinstance(found, dict) and isinstance(found.get("results", []), list),
            response,
            "a documents.json search result with a results list",
        )
        for document in found.get("results", []):
            yield from self._document(document)
        next_page = found.get("next_page_url")
        if next_page and page < self.max_pages:
            yield self.get(self.site_url(next_page), self.parse, cb_kwargs={"page": page + 1})

    def _document(self, document: dict[str, Any]) -> Iterator[Any]:
        title = " ".join(str(document.get("title") or "").split())
        if omnibus_stage(title) and document.get("raw_text_url"):
            # Its cases are listed in the full text only: fetched even when full texts are off.
            yield self.get(
                self.site_url(document["raw_text_url"]), self.parse_omnibus, cb_kwargs={"document": document}
            )
            return
        notice = self._parse_notice(document)
        if notice is None:
            self.logger.debug("not a trade-remedy notice: %s", document.get("title"))
            return
        text_url = document.get("raw_text_url")
        if self.full_text and text_url:
            yield scrapy.Request(
                self.site_url(text_url),
                self.parse_full_text,
                errback=self._full_text_failed,
                cb_kwargs={"notice": notice},
            )
        else:
            yield notice

    def _parse_notice(self, document: dict[str, Any]) -> NoticeItem | None:
        title = " ".join(str(document.get("title") or "").split())
        numbers = case_numbers(document.get("docket_ids") or [])
        remedy = parse_title(title)
        if remedy is None and not numbers:
            return None
        return self.notice(
            id=document.get("document_number"),
            doc_type=remedy_type(numbers, title),
            title=title,
            text=html_to_text(document.get("abstract") or ""),
            case_stage=case_stage(remedy.action if remedy else title),
            url=document.get("html_url"),
            published=document.get("publication_date"),
            comment_deadline=document.get("comments_close_on"),
            effective_on=document.get("effective_on"),
            case_numbers=numbers,
            subject_countries=list(remedy.countries) if remedy else [],
            case_product=remedy.product if remedy else None,
        )

    def parse_full_text(self, response: Response, notice: NoticeItem, **kwargs: Any) -> Iterator[NoticeItem]:
        full_text = html_to_text(strict_text(response))
        notice["hs_codes"] = _parse_hts_numbers(full_text)
        notice["text"] = "\n\n".join(p for p in (notice.get("text"), full_text) if p)
        yield notice

    def parse_omnibus(
        self, response: Response, document: dict[str, Any], **kwargs: Any
    ) -> Iterator[NoticeItem]:
        """One notice per case the omnibus notice lists: its followers and the makers
        of its product hear of it as of any notice of that case."""
        title = " ".join(str(document.get("title") or "").split())
        stage = omnibus_stage(title)
        cases = listed_cases(html_to_text(strict_text(response)))
        if not cases:
            self.report(f"{response.url}: expected a list of cases in the omnibus notice {title!r}")
            return
        for case in cases:
            yield self._parse_listed_case(document, case, stage)

    def _parse_listed_case(self, document: dict[str, Any], case: ListedCase, stage: str | None) -> NoticeItem:
        action = OMNIBUS_ACTIONS.get(stage or "", "Administrative Review")
        countries = ", ".join(country_name(c) for c in case.countries) or "?"
        lines = [
            f"{case.product} ({case.case_number}), {countries}: {action.lower()}",
            f"Period of review: {case.period}" if case.period else "",
            "Companies: " + "; ".join(case.companies) if case.companies else "",
            f"Listed in: {' '.join(str(document.get('title') or '').split())}",
            html_to_text(document.get("abstract") or ""),
        ]
        return self.notice(
            id=f"{document.get('document_number')}/{case.case_number}",
            doc_type=remedy_type([case.case_number], ""),
            title=f"{case.product} From {countries}: {action}",
            text="\n".join(line for line in lines if line),
            case_stage=stage,
            url=document.get("html_url"),
            published=document.get("publication_date"),
            comment_deadline=document.get("comments_close_on"),
            effective_on=document.get("effective_on"),
            case_numbers=[case.case_number],
            subject_countries=list(case.countries),
            case_product=case.product,
        )

    def _full_text_failed(self, failure: Failure) -> Iterator[NoticeItem]:
        # The search result alone is a complete notice; only its HTS numbers are missing.
        notice = failure.request.cb_kwargs["notice"]  # type: ignore[attr-defined]
        if isinstance(failure.value, HttpError) and failure.value.response.status == 404:
            # No full text published (yet): nothing for an operator to fix, so no warning.
            self.logger.info("no full text of %s (HTTP 404); stored without HTS numbers", notice["id"])
        else:
            self.logger.warning(
                "full text of %s not fetched (%s); stored without HTS numbers",
                notice["id"],
                failure.getErrorMessage(),
            )
        yield notice


def _parse_hts_numbers(full_text: str) -> list[str]:
    numbers: list[str] = []
    for number in _HTS.findall(full_text):
        if number not in numbers:
            numbers.append(number)
    return numbers

"""Foreign trade-remedy cases against Chinese exports, from China Trade Remedies
Information (cacs.mofcom.gov.cn), column 出口应诉: list pages, then each article.

Titles read "<调查国>对华<产品><反倾销|反补贴|保障措施><阶段>"; the investigating
country becomes the notice's country, China the subject country.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scrapy.http import Response

from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, SourceFormatError, expect, strict_text
from crawler.text import html_to_text
from crawler.trade_remedies import case_numbers
from hs.codes import find_codes
from hs.markets import country_name

COLUMN_PATH = "/cacscms/view/notice/ckys"
SITE = "http://cacs.mofcom.gov.cn"  # notices link to the real site even when crawled from a mirror
# Authorities that investigate Chinese exports most often, by their Chinese names.
INVESTIGATORS = {
    country_name(code, "zh"): code
    for code in (
        "US",
        "EU",
        "IN",
        "BR",
        "TR",
        "MX",
        "AR",
        "AU",
        "CA",
        "KR",
        "ZA",
        "CO",
        "ID",
        "TH",
        "VN",
        "MY",
        "GB",
        "JP",
        "UA",
        "EG",
        "RU",
    )
}
_INVESTIGATOR = re.compile(r"^(?P<country>.+?)对(?:华|中国)")
_REMEDIES = (("反补贴", "countervailing"), ("保障措施", "safeguard"), ("反倾销", "antidumping"))
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CacsTradeRemediesSpider(NoticeSpider):
    name = "cn_cacs_trade_remedies"

    async def start(self) -> AsyncIterator[Any]:
        yield self.get(self.site_url(COLUMN_PATH), self.parse, cb_kwargs={"page": 1})

    def parse(self, response: Response, page: int = 1, **kwargs: Any) -> Iterator[Any]:
        links = response.css(".news-list li a::attr(href)").getall()
        expect(bool(links) or page > 1, response, "a 出口应诉 list with article links (.news-list li a)")
        for link in links:
            yield self.get(self.site_url(response.urljoin(link)), self.parse_article)
        next_page = response.css(".pager a.next::attr(href)").get()
        if next_page and page < self.max_pages:
            yield self.get(
                self.site_url(response.urljoin(next_page)), self.parse, cb_kwargs={"page": page + 1}
            )

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        strict_text(response)  # a page in another encoding than declared is refused, not garbled
        title = " ".join(response.css(".article-title::text").getall()).strip()
        body_html = response.css(".article-content").get()
        if not title or body_html is None:
            raise SourceFormatError(
                f"{response.url}: expected an article with .article-title and .article-content"
            )
        text = html_to_text(body_html)
        yield self.notice(
            id=_parse_article_id(response.url),
            doc_type=_parse_remedy(title),
            country=_parse_investigator(title),
            title=title,
            text=text,
            url=SITE
            + urlsplit(response.url).path.removeprefix(urlsplit(self.source.url).path)
            + "?"
            + urlsplit(response.url).query,
            published=_parse_date(response),
            subject_countries=["CN"],
            case_numbers=case_numbers([text]),
            hs_codes=find_codes(text),
        )


def _parse_article_id(url: str) -> str:
    article_id = parse_qs(urlsplit(url).query).get("articleId", [""])[0]
    return f"cacs-{article_id}" if article_id else url


def _parse_investigator(title: str) -> str | None:
    match = _INVESTIGATOR.match(title)
    return INVESTIGATORS.get(match["country"], match["country"]) if match else None


def _parse_remedy(title: str) -> str:
    return next((kind for word, kind in _REMEDIES if word in title), "antidumping")


def _parse_date(response: Response) -> str | None:
    found = _DATE.search(" ".join(response.css(".article-info ::text").getall()))
    return found.group(0) if found else None

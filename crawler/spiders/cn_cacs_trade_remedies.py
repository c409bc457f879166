"""Foreign trade-remedy cases against Chinese exports, from China Trade Remedies
Information (cacs.mofcom.gov.cn), column 出口应诉, as ``../shared/SOURCES.md`` describes it.

List pages ``list/ajycs/ckyy/{page}/cateinfo.html`` (``ul#infoList li``: a link
and a date), then each article, in either URL family: the static
``/article/…/188785.html`` or the CMS ``/cacscms/articleDetail/ckys?articleId=…``.
An article is ``section.article`` with ``h1#show_title``, ``h2#show_time``
("2026-03-13 16:51:29 商务部贸易救济调查局": time and issuing body) and the body;
the ``div.lawShow`` disclaimer is dropped. Pages are UTF-8 today; a page in
another declared encoding is read in it, an undeclared non-UTF-8 page refused.

Incremental: an article already stored with the date the list shows is not
fetched again, and paging stops at the first list page with nothing new.
The title gives the investigating country, subject countries, product, remedy
and stage (:mod:`crawler.chinese_titles`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
from parsel import Selector
from scrapy.http import Response

from crawler.chinese_titles import parse_chinese_title
from crawler.dates import source_date
from crawler.items import NoticeItem
from crawler.spiders.base import NoticeSpider, SourceFormatError, expect, strict_text
from crawler.text import html_to_text
from crawler.trade_remedies import case_numbers
from hs.codes import find_codes

LIST_PATH = "/list/ajycs/ckyy/{page}/cateinfo.html"
SITE = "https://cacs.mofcom.gov.cn"  # notices link to the real site even when crawled from a mirror
BROWSER_HEADERS = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 BarrierWatch",
    "Accept-Language": "zh-CN,zh;q=0.9",
}
_STATIC_ID = re.compile(r"/(\d+)\.s?html?$")
_ARTICLE_LINK = "a[href*='/article/'], a[href*='articleDetail'], a[href*='articleId=']"
# Boilerplate that is not the article: the disclaimer, sharing and print links, navigation.
_DROPPED = "div.lawShow, .share, .print, script, style, nav, #show_title, #show_time"


class CacsTradeRemediesSpider(NoticeSpider):
    name = "cn_cacs_trade_remedies"
    SITE = SITE

    async def start(self) -> AsyncIterator[Any]:
        self.known = self.stored_dates()
        yield self.list_request(1)

    def list_request(self, page: int) -> Any:
        url = self.site_url(LIST_PATH.format(page=page))
        referer = self.site_url(LIST_PATH.format(page=max(1, page - 1)))
        headers = {**BROWSER_HEADERS, "Referer": referer}
        if page == 1:
            return self.get(url, self.parse, headers=headers, cb_kwargs={"page": page})
        # Past the last page the site may answer 404: the end of the list, not a failure.
        return self.get(
            url, self.parse, headers=headers, cb_kwargs={"page": page}, meta={"handle_httpstatus_list": [404]}
        )

    def parse(self, response: Response, page: int = 1, **kwargs: Any) -> Iterator[Any]:
        if response.status == 404:
            return
        items = _parse_list(Selector(text=strict_text(response)))
        expect(bool(items) or page > 1, response, "a 出口应诉 list (ul#infoList li with article links)")
        fresh = [(link, day) for link, day in items if self._is_new(self.link(response, link), day)]
        for link, _day in fresh:
            url = self.site_url(self.link(response, link))
            yield self.get(url, self.parse_article, headers={**BROWSER_HEADERS, "Referer": response.url})
        if fresh and page < self.max_pages:
            yield self.list_request(page + 1)

    def _is_new(self, url: str, day: str | None) -> bool:
        stored = self.known.get(_parse_article_id(url))
        return stored is None or (day is not None and stored != day)

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[NoticeItem]:
        page = Selector(text=strict_text(response))
        title = _parse_title(page)
        issued, issuer = _parse_time_and_issuer(page)
        body = _parse_body(page)
        if not title or body is None:
            raise SourceFormatError(
                f"{response.url}: expected an article (h1#show_title and section.article)"
            )
        facts = parse_chinese_title(title)
        if facts is None:  # a summary or news item of the column, not one case's notice
            self.logger.info("source %s: not a case notice: %s (%s)", self.source.slug, title, response.url)
            return
        text = "\n".join(part for part in (body, f"发布机构：{issuer}" if issuer else "") if part)
        yield self.notice(
            id=_parse_article_id(response.url),
            doc_type=facts.remedy,
            country=facts.country,
            subject_countries=list(facts.subject_countries),
            case_product=facts.product,
            case_stage=facts.stage,
            title=title,
            text=text,
            url=response.url,  # stored as the real site's address (NoticeSpider.notice)
            published=issued,
            case_numbers=case_numbers([text]),
            hs_codes=find_codes(text),
        )


def _parse_list(page: Selector) -> list[tuple[str, str | None]]:
    """(link, date) of each list item: any link of ``ul#infoList``; elsewhere (a changed
    layout) only links that look like articles, so navigation is never followed."""
    rows = page.css("ul#infoList li")
    links = "a::attr(href)" if rows else f"{_ARTICLE_LINK.replace(', ', '::attr(href), ')}::attr(href)"
    items: list[tuple[str, str | None]] = []
    for row in rows or page.css("li"):
        link = row.css(links).get()
        if not link or link.startswith(("javascript:", "#")):
            continue
        day = source_date(" ".join(row.css("span::text, em::text, .date::text").getall()))
        if (link, day) not in items:
            items.append((link, day))
    return items


def _parse_article_id(url: str) -> str:
    parts = urlsplit(url)
    article_id = parse_qs(parts.query).get("articleId", [""])[0]
    static = _STATIC_ID.search(parts.path)
    if article_id:
        return f"cacs-{article_id}"
    return f"cacs-{static.group(1)}" if static else url


def _parse_title(page: Selector) -> str:
    for query in ("h1#show_title", "section.article h1", ".article-title", "h1", "title"):
        title = " ".join(" ".join(page.css(f"{query} ::text").getall()).split())
        if title:
            return title
    return ""


def _parse_body(page: Selector) -> str | None:
    article = page.css("section.article") or page.css(".article-content, .article, #zoom, .content")
    if not article:
        return None
    root = article[0].root
    for dropped in article[0].css(_DROPPED):
        dropped.root.drop_tree()
    return html_to_text(lxml.html.tostring(root, encoding="unicode"))


def _parse_time_and_issuer(page: Selector) -> tuple[str | None, str | None]:
    line = " ".join(" ".join(page.css("h2#show_time ::text, .article-info ::text").getall()).split())
    issued = source_date(line)
    issuer = re.sub(r"^\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*", "", line).strip()
    issuer = re.sub(r"^(?:来源|发布机构)[:：]\s*", "", issuer)
    return issued, issuer or None

"""CACS 出口应诉: list pages and articles in both URL families, titles parsed into case facts."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.chinese_titles import parse_chinese_title
from crawler.recordings import SeenRequest, serve_recordings
from tests.crawl_support import crawl_source, stored_notices


def test_articles_of_every_list_page_become_notices(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("cn_cacs_trade_remedies", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 4), result.problems
    glass = notices["cacs-188785"]  # a static /article/… address
    assert glass.title == "印度对华光伏玻璃反倾销调查作出终裁"
    assert (glass.country, glass.subject_countries, glass.doc_type) == ("IN", ["CN"], "antidumping")
    assert (glass.case_stage, glass.published_on) == ("final", date(2026, 3, 13))
    assert glass.publisher_hs_codes == ["700719", "702000"]
    assert "免责声明" not in glass.text and "出口应诉" not in glass.text  # disclaimer and navigation dropped
    assert glass.text.endswith("发布机构：商务部贸易救济调查局")
    assert glass.url == "https://cacs.mofcom.gov.cn/article/sqfb/202603/188785.html"
    flooring = notices["cacs-70021"]  # a CMS articleDetail address
    assert (flooring.case_stage, flooring.case_numbers) == ("review_preliminary", ["A-570-970"])
    assert flooring.url == "https://cacs.mofcom.gov.cn/cacscms/articleDetail/ckys?articleId=70021"
    tableware = notices["cacs-188790"]
    assert (tableware.country, tableware.subject_countries) == ("EU", ["CN", "VN"])
    assert (tableware.case_stage, tableware.publisher_hs_codes) == ("sunset_review", ["691110", "691200"])
    wheels = notices["cacs-187700"]  # declared gb2312 on page 2
    assert (wheels.country, wheels.case_stage) == ("BR", "initiation")
    assert "cacs-70009" not in notices  # a monthly summary, not a case


def test_recrawl_fetches_no_article_already_stored(recordings, quick_crawls, sqlite_db, monkeypatch):
    database_url, _engine = sqlite_db
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        monkeypatch.setenv("BW_CACS_URL", base_urls["cn_cacs_trade_remedies"])
        crawl_source("cn_cacs_trade_remedies", database_url)
        first = len(seen)
        again = crawl_source("cn_cacs_trade_remedies", database_url)
    fetched = [r.path for r in seen[first:] if "robots" not in r.path]
    assert again.status == "ok" and again.new == 0
    assert not [p for p in fetched if "/article/" in p]
    assert len(fetched) < first - 1  # list pages only (and the summary, which is never stored)


def test_requests_look_like_a_browser_with_a_referer(recordings, quick_crawls, sqlite_db, monkeypatch):
    database_url, _engine = sqlite_db
    seen: list[SeenRequest] = []
    with serve_recordings(recordings, seen) as base_urls:
        monkeypatch.setenv("BW_CACS_URL", base_urls["cn_cacs_trade_remedies"])
        crawl_source("cn_cacs_trade_remedies", database_url)
    article = next(r for r in seen if "188785" in r.path)
    assert "Mozilla/5.0" in article.headers["User-Agent"]
    assert article.headers["Referer"].endswith("/list/ajycs/ckyy/1/cateinfo.html")


def test_a_list_page_without_items_fails_the_source_with_the_reason(recorded_sites, recordings, sqlite_db):
    (recordings / "cn_cacs_trade_remedies/list/ajycs/ckyy/1/cateinfo.html").write_text(
        "<html><body><p>系统维护中</p></body></html>", encoding="utf-8"
    )
    database_url, _engine = sqlite_db
    result = crawl_source("cn_cacs_trade_remedies", database_url)
    assert result.status == "failed"
    assert "expected a 出口应诉 list" in result.problems[0]


@pytest.mark.parametrize(
    ("title", "country", "subjects", "product", "remedy", "stage"),
    [
        ("印度对华光伏玻璃反倾销调查作出终裁", "IN", ("CN",), "光伏玻璃", "antidumping", "final"),
        (
            "美国对华多层木地板反倾销行政复审初裁",
            "US",
            ("CN",),
            "多层木地板",
            "antidumping",
            "review_preliminary",
        ),
        (
            "欧盟对原产于中国和越南的陶瓷餐具发起反倾销调查",
            "EU",
            ("CN", "VN"),
            "陶瓷餐具",
            "antidumping",
            "initiation",
        ),
        ("巴西对中国产钢制轮毂反倾销日落复审立案", "BR", ("CN",), "钢制轮毂", "antidumping", "sunset_review"),
        ("阿根廷对华电饭锅作出反倾销初裁", "AR", ("CN",), "电饭锅", "antidumping", "preliminary"),
        ("韩国对华大型板材双反调查立案", "KR", ("CN",), "大型板材", "antidumping", "initiation"),
        ("土耳其对中国产光伏组件发起保障措施调查", "TR", ("CN",), "光伏组件", "safeguard", "initiation"),
        ("墨西哥对华钢丝绳反补贴期中复审终裁", "MX", ("CN",), "钢丝绳", "countervailing", "interim_review"),
        ("美国对华铝线缆发起反规避调查", "US", ("CN",), "铝线缆", "antidumping", "circumvention"),
        ("澳大利亚对华铁路车轮终止反倾销措施", "AU", ("CN",), "铁路车轮", "antidumping", "revocation"),
        ("欧亚经济联盟对华冷轧板反倾销调查立案", None, ("CN",), "冷轧板", "antidumping", "initiation"),
    ],
)
def test_chinese_title_gives_country_subjects_product_remedy_and_stage(
    title, country, subjects, product, remedy, stage
):
    parsed = parse_chinese_title(title)
    assert parsed is not None
    assert (parsed.country, parsed.subject_countries, parsed.product, parsed.remedy, parsed.stage) == (
        country,
        subjects,
        product,
        remedy,
        stage,
    )


def test_a_title_that_names_no_case_is_not_parsed():
    assert parse_chinese_title("2026年1月国外对华贸易救济调查情况") is None
    assert parse_chinese_title("商务部召开贸易救济工作会议") is None

"""CACS 出口应诉: Chinese list and article pages (GB2312 declared only in a meta tag)."""

from __future__ import annotations

from datetime import date

from tests.crawl_support import crawl_source, stored_notices


def test_articles_of_every_list_page_become_notices(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("cn_cacs_trade_remedies", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 3)
    glycine = notices["cacs-70021"]  # on the second list page
    assert glycine.title == "美国对华甘氨酸反倾销行政复审初裁"
    assert glycine.text.startswith(
        "2016年4月15日，美国商务部发布公告，对原产于中国的甘氨酸作出反倾销行政复审初裁"
    )
    assert (glycine.country, glycine.subject_countries, glycine.doc_type) == ("US", ["CN"], "antidumping")
    assert (glycine.case_numbers, glycine.publisher_hs_codes) == (["A-570-836"], ["292249"])
    assert glycine.published_on == date(2016, 4, 18)
    assert glycine.url == "http://cacs.mofcom.gov.cn/cacscms/article/ckys?articleId=70021"
    assert notices["cacs-70022"].doc_type == "countervailing"
    assert notices["cacs-70023"].country == "EU"

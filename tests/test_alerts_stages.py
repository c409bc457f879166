"""Case stages explained, and the one-line summary of a notice, in both languages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from store.models import STAGES, DocType, Notice
from store.stages import all_guides, explain_stage, key_date, stage_guide
from store.summary import notice_brief, notice_summary

TODAY = date(2026, 12, 1)
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
# A country of each authority that has lines of its own, plus one that has none (general lines).
COUNTRY_OF = {"US": "US", "EU": "DE", "GB": "GB", "IN": "IN", "CN": "CN", None: "BR"}


def test_every_stage_of_the_vocabulary_has_a_general_line():
    assert {stage for authority, stage in all_guides() if authority is None} == set(STAGES)


@pytest.mark.parametrize(("authority", "stage"), all_guides())
def test_each_stage_line_reads_in_chinese_and_in_english(authority, stage):
    country = COUNTRY_OF[authority]
    zh, en = stage_guide(country, stage, "zh"), stage_guide(country, stage, "en")
    assert zh is not None and en is not None
    # Chinese: the name and the line are translated (no English word left but names like DGTR/ITC).
    assert HAN.search(zh.name) and HAN.search(zh.meaning)
    assert not [w for w in LATIN_WORD.findall(zh.meaning) if w not in {"DGTR"}]
    # English: the message ids themselves, a sentence that says what to do or that nothing is to do.
    assert not HAN.search(en.meaning) and en.meaning.endswith(".") and len(en.meaning) > 40
    assert zh.action == en.action


def test_an_authority_speaks_its_own_words():
    eu, us = stage_guide("FR", "sunset_review", "zh"), stage_guide("US", "sunset_review", "zh")
    assert eu is not None and us is not None
    assert (eu.name, us.name) == ("期终复审", "日落复审")  # an EU member's notice is the Commission's
    assert "15 天" in eu.meaning and "15 天内提交参与意向" in us.meaning
    initiation = stage_guide("US", "initiation", "en")
    assert initiation is not None and "quantity and value questionnaire" in initiation.meaning
    assert stage_guide("US", None, "en") is None and stage_guide("US", "nonsense", "en") is None


def test_the_date_that_matters_comes_from_the_notice():
    # The comment deadline when the notice gives one; for an opportunity to request a review
    # the end of the anniversary month; otherwise none.
    comment = key_date("US", "initiation", date(2026, 11, 3), date(2026, 11, 24))
    assert comment is not None and (comment.kind, comment.on) == ("comment", date(2026, 11, 24))
    window = key_date("US", "review_opportunity", date(2026, 12, 2), None)
    assert window is not None and (window.kind, window.on) == ("request", date(2026, 12, 31))
    assert key_date("US", "order", date(2026, 12, 2), None) is None
    explained = explain_stage("US", "review_opportunity", "zh", date(2026, 12, 2))
    assert explained is not None
    assert (explained["name"], explained["date_label"], explained["date"]) == (
        "可申请行政复审",
        "复审申请截止",
        "2026-12-31",
    )


def _notice(**fields) -> Notice:
    base = {
        "source": "x",
        "external_id": "1",
        "country": "US",
        "title": "Title in the publisher's language",
        "content_hash": "h",
        "subject_countries": [],
        "publisher_hs_codes": [],
    }
    return Notice(**{**base, **fields})


def test_the_summary_of_a_review_result_reads_like_the_issue_says():
    notice = _notice(
        doc_type="antidumping",
        case_stage="review_final",
        subject_countries=["CN"],
        publisher_hs_codes=["441875"],
        published_on=date(2026, 11, 20),
    )
    assert notice_summary(notice, "zh", TODAY) == (
        "美国 · 反倾销 · 行政复审终裁 · 多层已装拼的木地板（HS 4418.75） · 涉及中国 · 无评议期限"
    )
    assert notice_summary(notice, "en", TODAY) == (
        "United States · Anti-dumping · final results of review · "
        "Wood; assembled flooring panels, not of bamboo… (HS 4418.75) · "
        "concerning China · no comment deadline"
    )


SUMMARIES = [
    (
        {"doc_type": DocType.TBT, "country": "EU", "publisher_hs_codes": ["6115"]},
        "欧盟 · 技术法规（WTO/TBT） · 裤袜、紧身袜裤、长袜、短袜及其他袜（HS 6115） · "
        "评议截止日 2026年12月6日（还剩 5 天）",
    ),
    (
        {"doc_type": DocType.SPS, "country": "JP", "publisher_hs_codes": ["0703"]},
        "日本 · ",
    ),
    (
        {"doc_type": DocType.COUNTERVAILING, "case_stage": "initiation", "subject_countries": ["CN", "VN"]},
        "美国 · 反补贴 · 立案 · 涉及中国，越南 · 评议截止日 2026年12月6日（还剩 5 天）",
    ),
    (
        {"doc_type": DocType.SAFEGUARD, "country": "IN", "case_stage": "final", "subject_countries": ["CN"]},
        "印度 · 保障措施 · 终裁 · 涉及中国",
    ),
    ({"doc_type": DocType.RECALL, "publisher_hs_codes": ["611595"]}, "美国 · "),
    ({"doc_type": DocType.REGULATION, "country": "GB"}, "英国 · "),
]


@pytest.mark.parametrize(("fields", "start"), SUMMARIES)
def test_every_kind_of_notice_has_a_summary_in_both_languages(fields, start):
    notice = _notice(comment_deadline=date(2026, 12, 6), **fields)
    zh, en = notice_summary(notice, "zh", TODAY), notice_summary(notice, "en", TODAY)
    assert zh.startswith(start)
    assert "评议截止日 2026年12月6日（还剩 5 天）" in zh and "Comment deadline 6 Dec 2026 (5 days left)" in en
    assert not HAN.search(en)
    # Every field part is Chinese in a Chinese summary (HS codes and WTO abbreviations excepted).
    assert not [w for w in LATIN_WORD.findall(zh)], zh


def test_an_expired_deadline_is_marked_closed_never_as_an_action():
    notice = _notice(doc_type="tbt", comment_deadline=date(2025, 7, 29))
    assert notice_summary(notice, "zh", TODAY).endswith("评议已截止")
    assert notice_summary(notice, "en", TODAY).endswith("comment period closed")
    brief = notice_brief(notice, "zh", TODAY)
    assert brief["deadline"] == {
        "label": "评议截止日",
        "date": "2025-07-29",
        "days_left": None,
        "closed": True,
    }
    today = notice_brief(_notice(doc_type="tbt", comment_deadline=TODAY), "zh", TODAY)
    assert today["deadline"]["days_left"] == 0 and today["summary"].endswith("（今天截止）")


def test_the_brief_for_pages_and_the_api_names_the_stage_and_its_line():
    notice = _notice(
        doc_type="antidumping", country="DE", case_stage="initiation", comment_deadline=date(2026, 12, 16)
    )
    brief = notice_brief(notice, "en", TODAY, codes=["4418"])
    assert brief["summary"].startswith("Germany · Anti-dumping · initiation · Builders' joinery")
    assert brief["stage"]["name"] == "initiation" and "within 15 days" in brief["stage"]["meaning"]
    assert brief["deadline"]["days_left"] == 15 and not brief["deadline"]["closed"]

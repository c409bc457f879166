from datetime import date

from alerts.match import NoticeFacts, TagFact, effective_tags, match_notice
from alerts.profiles import Profile, ProfileIndex

TODAY = date(2026, 11, 25)
FLOORING = Profile(1, "zh", "CN", products=["441875"], markets={"US", "EU"})
TABLEWARE = Profile(2, "en", "CN", products=["4419"], markets={"US"})
SOCKS = Profile(3, "en", "CN", products=["6115"], markets={"EU", "US", "JP"}, keywords=["azo dyes", "袜"])
VIETNAMESE_FLOORING = Profile(4, "en", "VN", products=["4418"], markets={"US"})
CASE_FOLLOWER = Profile(5, "en", "CN", products=["9403"], markets={"CA"}, followed_cases={"A-570-970"})


def index(*profiles):
    return ProfileIndex({p.id: p for p in profiles})


def notice(**fields):
    base = {"id": 10, "doc_type": "tbt", "country": "US", "title": "A rule", "text": "", "tags": []}
    return NoticeFacts(**{**base, **fields})


def tag(code, method="explicit", tag_id=None):
    return TagFact(tag_id or int(code), code, 1.0, method)


def matched(notice_facts, *profiles):
    return {m.enterprise_id: m for m in match_notice(notice_facts, index(*profiles), TODAY, 14)}


def test_heading_tag_matches_a_subheading_product_but_not_a_sibling_heading():
    result = matched(notice(tags=[tag("4418")]), FLOORING, TABLEWARE)
    assert set(result) == {FLOORING.id}


def test_subheading_tag_matches_a_heading_product_and_chapter_tag_matches_both():
    assert set(matched(notice(tags=[tag("441875")]), FLOORING, TABLEWARE)) == {FLOORING.id}
    assert set(matched(notice(tags=[tag("44")]), FLOORING, TABLEWARE)) == {FLOORING.id, TABLEWARE.id}


def test_a_model_chapter_tag_yields_to_a_stated_heading_inside_it():
    tags = [tag("4418", "publisher"), TagFact(99, "44", 0.7, "model")]
    assert [t.code for t in effective_tags(tags)] == ["4418"]
    assert set(matched(notice(tags=tags), FLOORING, TABLEWARE)) == {FLOORING.id}


def test_wrong_market_does_not_match():
    assert matched(notice(country="JP", tags=[tag("4418")]), FLOORING) == {}


def test_a_member_state_rule_reaches_an_eu_exporter():
    assert set(matched(notice(country="DE", tags=[tag("4418")]), FLOORING)) == {FLOORING.id}


def test_keyword_matches_without_codes_latin_as_a_word_cjk_anywhere():
    assert set(matched(notice(country="EU", text="Restriction of azo dyes in textiles"), SOCKS)) == {SOCKS.id}
    assert set(matched(notice(country="JP", title="关于儿童短袜的规定"), SOCKS)) == {SOCKS.id}
    assert matched(notice(country="EU", text="hazo dyestuff hazard"), SOCKS) == {}


def test_trade_remedy_needs_the_home_country_among_subject_countries():
    remedy = notice(
        doc_type="antidumping", subject_countries=["CN"], tags=[tag("4418")], case_numbers=["A-570-970"]
    )
    assert set(matched(remedy, FLOORING, VIETNAMESE_FLOORING)) == {FLOORING.id}
    against_vietnam = notice(doc_type="antidumping", subject_countries=["VN"], tags=[tag("4418")])
    assert set(matched(against_vietnam, FLOORING, VIETNAMESE_FLOORING)) == {VIETNAMESE_FLOORING.id}


def test_a_safeguard_naming_no_country_reaches_every_origin():
    safeguard = notice(doc_type="safeguard", tags=[tag("4418")])
    assert set(matched(safeguard, FLOORING, VIETNAMESE_FLOORING)) == {FLOORING.id, VIETNAMESE_FLOORING.id}


def test_a_followed_case_matches_whatever_the_tags_and_market():
    remedy = notice(doc_type="antidumping", subject_countries=["CN"], case_numbers=["A-570-970"])
    result = matched(remedy, CASE_FOLLOWER)
    assert set(result) == {CASE_FOLLOWER.id}
    assert "you follow case A-570-970" in result[CASE_FOLLOWER.id].reason


def test_severity_rules():
    remedy = notice(
        doc_type="countervailing",
        subject_countries=["CN"],
        tags=[tag("4418")],
        case_stage="order",
        published_on=date(2026, 11, 1),
    )
    assert matched(remedy, FLOORING)[FLOORING.id].severity == "critical"
    soon = notice(tags=[tag("4418")], comment_deadline=date(2026, 12, 9))
    assert matched(soon, FLOORING)[FLOORING.id].severity == "critical"
    later = notice(tags=[tag("4418")], comment_deadline=date(2026, 12, 10))
    assert matched(later, FLOORING)[FLOORING.id].severity == "high"
    chapter_wide_soon = notice(tags=[tag("44")], comment_deadline=date(2026, 12, 9))
    assert matched(chapter_wide_soon, FLOORING)[FLOORING.id].severity == "normal"
    assert matched(notice(tags=[tag("4418")]), FLOORING)[FLOORING.id].severity == "high"
    assert (
        matched(notice(tags=[TagFact(1, "4418", 0.8, "model")]), FLOORING)[FLOORING.id].severity == "normal"
    )


def test_reason_names_the_evidence_in_the_enterprise_language():
    remedy = notice(
        doc_type="antidumping",
        subject_countries=["CN"],
        tags=[tag("441875")],
        case_numbers=["A-570-970"],
        comment_deadline=date(2026, 12, 5),
    )
    zh = matched(remedy, FLOORING)[FLOORING.id].reason
    assert zh == (
        "通报载明贵司产品的编码；HS 4418.75 与贵司产品 4418.75 相符；市场：美国；反倾销案 A-570-970；"
        "评议截止 2026-12-05"
    )
    english = Profile(6, "en", "CN", products=["441875"], markets={"US"})
    en = matched(remedy, english)[6].reason
    assert en == (
        "the notice states your product's code; HS 4418.75 matches your product 4418.75; "
        "market United States; anti-dumping case A-570-970; comments due 2026-12-05"
    )


def test_evidence_keeps_the_tag_ids():
    result = matched(notice(tags=[tag("4418", tag_id=41), tag("6115", tag_id=42)]), FLOORING)
    assert result[FLOORING.id].evidence["tag_ids"] == [41]

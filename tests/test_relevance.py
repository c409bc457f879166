"""Relevance (#14): one measure, one alert, the right severity.

Each negative case a user met is a named test: the tableware maker and the
flooring order, the hanger maker and steel pipe, the workbook + API duplicate,
the 2007 order, the addendum without codes, keyword-only alerts, the glass
keyword and the glass-fibre case.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import Session, col, select

import pipeline
from alerts.enterprises import EnterpriseProfile, save_enterprises
from alerts.match import NoticeFacts, TagFact, match_notice
from alerts.profiles import Profile, ProfileIndex
from alerts.queue import run_matching
from config import get_settings
from nlp.classify import classify_pending
from nlp.tagger import CodeTagger, TagResult
from store.db import session_scope
from store.measures import case_number, event_key, measure_key, thread_key, wto_symbol
from store.models import Alert, AuditEvent, Enterprise, Notice
from store.notices import NoticeRecord, save_notices
from store.queries import alerts_for_export, notices_with_tags
from tests.scenario import NOW

TODAY = date(2026, 11, 25)
TABLEWARE = Profile(1, "en", "CN", products=["4419", "4421"], markets={"US"})
FLOORING = Profile(2, "en", "CN", products=["441875"], markets={"US"})
HANGERS = Profile(3, "en", "CN", products=["732620"], markets={"US"})
SOCKS = Profile(4, "en", "CN", products=["6115"], markets={"EU", "US"}, keywords=["formaldehyde"])
GLASS_TABLEWARE = Profile(5, "en", "CN", products=["7013"], markets={"US"}, keywords=["glass"])
GLASS_TRADER = Profile(6, "zh", "CN", products=[], markets={"US"}, keywords=["glass"])
PIPE_WATCHER = Profile(7, "en", "CN", products=["9403"], markets={"CA"}, followed_cases={"C-570-999"})


def facts(**fields):
    base = {"id": 10, "doc_type": "tbt", "country": "US", "title": "A rule", "text": "", "tags": []}
    return NoticeFacts(**{**base, **fields})


def tag(code, method="publisher", score=1.0, tag_id=None):
    return TagFact(tag_id or int(code), code, score, method)


def matched(notice, *profiles, told=()):
    index = ProfileIndex({p.id: p for p in profiles})
    return {m.enterprise_id: m for m in match_notice(notice, index, TODAY, 14, 60, told)}


def recent_order(**fields):
    base = {
        "doc_type": "antidumping",
        "subject_countries": ["CN"],
        "case_numbers": ["A-570-970"],
        "case_stage": "order",
        "published_on": date(2026, 11, 1),
    }
    return facts(**{**base, **fields})


# --- Measures ---------------------------------------------------------------------------


def test_a_wto_family_is_one_measure_whatever_the_spelling_and_each_document_one_event():
    base = measure_key("wto_eping", "G/TBT/N/USA/1234")
    assert base == "wto:G/TBT/N/USA/1234"
    assert measure_key("wto_eping_export", " G/TBT/N/USA/1234 /Add.1") == base
    assert measure_key("feed", "g/tbt/n/usa/1234/Rev.2/Corr.1") == base
    assert event_key(base, "G/TBT/N/USA/1234/add.1") == event_key(base, "G/TBT/N/USA/1234/Add.1")
    assert event_key(base, "G/TBT/N/USA/1234/Add.1") != event_key(base, "G/TBT/N/USA/1234")
    assert wto_symbol("2017-28202") is None


def test_a_case_event_is_the_case_and_its_stage_and_ad_and_cvd_stay_two_measures():
    fr = measure_key("us_federalregister_adcvd", "2017-28202", ["A-570-970"], "order")
    ita = measure_key("us_ita_adcvd_orders", "A-570-970", ["a–570–970"], "order")
    assert fr == ita == "case:A-570-970:order"
    assert measure_key("x", "1", ["C-570-971"], "order") != fr
    assert (
        thread_key(measure_key("x", "2", ["A-570-970"], "review_final")) == thread_key(fr) == "case:A-570-970"
    )
    assert case_number("ad 712") == "AD712"
    # Without a stage the date stands in; without either the notice is its own measure.
    assert measure_key("tron", "n1", ["AD712"], None, date(2025, 3, 1)) == "case:AD712:2025-03-01"
    assert measure_key("tron", "n1", ["AD712"]) == "notice:tron:n1"
    assert measure_key("cpsc", "recall-1") == "notice:cpsc:recall-1"


# --- Evidence levels and what each may do -------------------------------------------------


def test_tableware_maker_does_not_get_the_flooring_order():
    model_guess = recent_order(tags=[tag("44", "model", 0.8)])
    assert TABLEWARE.id not in matched(model_guess, TABLEWARE, FLOORING)
    stated = recent_order(tags=[tag("441875"), tag("44", "model", 0.8, tag_id=99)])
    result = matched(stated, TABLEWARE, FLOORING)
    assert set(result) == {FLOORING.id}
    assert result[FLOORING.id].severity == "critical"


def test_hanger_maker_does_not_get_steel_pipe_cases():
    for tags in (
        [tag("73", "explicit")],
        [tag("73", "model", 0.9)],
        [tag("7306"), tag("73", "model", 0.9, tag_id=9)],
    ):
        pipe = facts(
            doc_type="countervailing",
            subject_countries=["CN"],
            case_numbers=["C-570-999"],
            case_stage="initiation",
            published_on=date(2026, 11, 20),
            title="Circular Welded Carbon Steel Pipe From China: Initiation",
            tags=tags,
        )
        assert HANGERS.id not in matched(pipe, HANGERS), tags


def test_a_followed_case_reaches_and_is_critical_when_recent():
    pipe = facts(
        doc_type="countervailing",
        subject_countries=["CN"],
        case_numbers=["C-570-999"],
        case_stage="final",
        published_on=date(2026, 11, 20),
    )
    assert matched(pipe, PIPE_WATCHER)[PIPE_WATCHER.id].severity == "critical"


def test_a_technical_regulation_reaches_by_chapter_only_when_it_is_chapter_wide():
    all_textiles = facts(country="EU", title="All textile articles", tags=[tag("61", "explicit")])
    assert set(matched(all_textiles, SOCKS)) == {SOCKS.id}
    assert matched(all_textiles, SOCKS)[SOCKS.id].level == "chapter"
    model_chapter = facts(country="EU", title="Knitted gloves", tags=[tag("61", "model", 0.9)])
    assert matched(model_chapter, SOCKS) == {}
    heading_guess = facts(country="EU", title="Knitted hosiery", tags=[tag("6115", "model", 0.7)])
    assert matched(heading_guess, SOCKS)[SOCKS.id].level == "model"


def test_sibling_headings_never_match():
    assert matched(facts(tags=[tag("4418")]), TABLEWARE) == {}
    assert matched(facts(tags=[tag("4420", "model", 0.9)]), TABLEWARE) == {}


def test_glass_keyword_does_not_carry_a_glass_fibre_case_to_a_glass_tableware_maker():
    fibre = recent_order(title="Glass Fibre From China: Antidumping Duty Order", tags=[tag("7019")])
    result = matched(fibre, GLASS_TABLEWARE, GLASS_TRADER)
    # The trader states no products: the keyword may carry the case to it, as normal.
    assert set(result) == {GLASS_TRADER.id}
    assert result[GLASS_TRADER.id].severity == "normal"
    assert result[GLASS_TRADER.id].level == "keyword"


def test_a_keyword_does_not_carry_a_rule_on_other_stated_products():
    flooring_rule = facts(title="Formaldehyde emissions from wood flooring", tags=[tag("4418")])
    assert matched(flooring_rule, SOCKS) == {}
    unstated = facts(title="Formaldehyde in consumer products")
    assert set(matched(unstated, SOCKS)) == {SOCKS.id}


def test_sock_maker_does_not_get_a_flooring_rule_through_the_formaldehyde_keyword():
    rule = facts(
        doc_type="regulation",
        title="Formaldehyde emission standards for composite wood flooring",
        tags=[tag("441875", "explicit", 0.95), tag("44", "model", 0.8, tag_id=44)],
    )
    assert set(matched(rule, SOCKS, FLOORING)) == {FLOORING.id}


def test_a_mistaken_term_match_does_not_keep_a_keyword_from_its_notice():
    # "Children's knit socks" read by the term matcher as 1901: the keyword "socks" still reaches.
    socks = Profile(9, "en", "CN", products=["6115"], markets={"US"}, keywords=["socks"])
    recall = facts(
        doc_type="recall", title="Children's Knit Socks recalled", tags=[tag("1901", "terms", 0.6)]
    )
    assert set(matched(recall, socks)) == {socks.id}
    guessed = facts(doc_type="recall", title="Formaldehyde emissions", tags=[tag("4418", "model", 0.6)])
    assert set(matched(guessed, SOCKS)) == {SOCKS.id}


def test_a_keyword_carries_a_vehicle_standard_to_a_parts_maker_of_the_same_chapter():
    parts = Profile(
        8, "en", "CN", products=["870821", "870899"], markets={"US"}, keywords=["child restraint"]
    )
    standard = facts(
        title="Child Restraint Systems: side impact protection", tags=[tag("8703"), tag("8702", "terms")]
    )
    result = matched(standard, parts)
    assert set(result) == {parts.id} and result[parts.id].level == "keyword"
    # The same keyword does not carry a trade remedy outside its stated codes.
    case = recent_order(title="Child restraint seats From China: Order", tags=[tag("940120")])
    assert matched(case, parts) == {}


def test_keyword_only_is_never_critical():
    initiation = recent_order(title="Formaldehyde resin From China: Initiation")
    initiation.case_stage = "initiation"
    assert matched(initiation, SOCKS)[SOCKS.id].severity == "normal"
    deadline = facts(title="Formaldehyde limits", comment_deadline=date(2026, 11, 30))
    assert matched(deadline, SOCKS)[SOCKS.id].severity == "normal"


def test_2007_order_is_not_critical():
    old = recent_order(tags=[tag("441875")], published_on=date(2007, 5, 3))
    assert matched(old, FLOORING)[FLOORING.id].severity == "high"
    undated = recent_order(tags=[tag("441875")], published_on=None)
    assert matched(undated, FLOORING)[FLOORING.id].severity == "high"
    revocation = recent_order(tags=[tag("441875")], case_stage="revocation")
    assert matched(revocation, FLOORING)[FLOORING.id].severity == "high"
    tomorrow = recent_order(tags=[tag("441875")], published_on=date(2026, 11, 26))
    assert matched(tomorrow, FLOORING)[FLOORING.id].severity == "critical"
    last_day = recent_order(tags=[tag("441875")], published_on=date(2026, 9, 26))
    assert matched(last_day, FLOORING)[FLOORING.id].severity == "critical"
    too_old = recent_order(tags=[tag("441875")], published_on=date(2026, 9, 25))
    assert matched(too_old, FLOORING)[FLOORING.id].severity == "high"


def test_an_expired_deadline_is_not_critical_and_an_open_one_on_a_heading_is():
    expired = facts(tags=[tag("6115")], comment_deadline=date(2026, 11, 24))
    assert matched(expired, SOCKS)[SOCKS.id].severity == "high"
    guessed = facts(tags=[tag("6115", "model", 0.8)], comment_deadline=date(2026, 12, 1))
    assert matched(guessed, SOCKS)[SOCKS.id].severity == "critical"


def test_reasons_state_the_evidence_level_in_words_in_both_languages():
    keyword = matched(facts(title="Formaldehyde in consumer products"), SOCKS)[SOCKS.id]
    assert keyword.reason.startswith("keyword only; your keyword “formaldehyde” appears in the notice")
    assert keyword.evidence["level"] == "keyword"
    fibre = recent_order(title="Glass products", tags=[])
    assert matched(fibre, GLASS_TRADER)[GLASS_TRADER.id].reason.startswith(
        "仅关键词相符；通报中出现贵司关键词“glass”"
    )
    named = matched(facts(tags=[tag("6115", "terms", 0.9)]), SOCKS)[SOCKS.id]
    assert named.reason.startswith("the notice names your product;")
    assert named.evidence["level"] == "named"


# --- One alert per event and enterprise; updates; re-matching -----------------------------

SOCK_MAKER = EnterpriseProfile(
    name="Liaoyuan Socks",
    emails=["a@socks.example"],
    products={"6115": "6115"},
    markets=["EU", "US"],
    language="en",
)
FLOORING_MAKER = EnterpriseProfile(
    name="Fusong Flooring",
    emails=["f@fusong.example"],
    products={"441875": "4418.75"},
    markets=["US"],
    language="en",
)
TABLEWARE_MAKER = EnterpriseProfile(
    name="Fusong Tableware",
    emails=["t@tableware.example"],
    products={"4419": "4419", "4421": "4421"},
    markets=["US"],
    language="en",
)
SOCK_RULE = NoticeRecord(
    source="wto_eping",
    external_id="G/TBT/N/EU/1100",
    doc_type="tbt",
    country="EU",
    title="Restriction of PFAS in hosiery",
    text="Products: socks and hosiery (HS 6115).",
    published_on=date(2026, 11, 2),
)
SOCK_RULE_WORKBOOK = replace(SOCK_RULE, source="wto_eping_export", external_id="G/TBT/N/EU/1100 ")
SOCK_RULE_ADDENDUM = NoticeRecord(
    source="wto_eping",
    external_id="G/TBT/N/EU/1100/Add.1",
    doc_type="tbt",
    country="EU",
    title="Addendum: the comment period is extended",
    text="The comment period is extended by 30 days.",
    published_on=date(2026, 11, 20),
)
ORDER_FR = NoticeRecord(
    source="us_federalregister_adcvd",
    external_id="2026-20001",
    doc_type="antidumping",
    country="US",
    title="Multilayered Wood Flooring From the People's Republic of China: Antidumping Duty Order",
    text="The products are classified under HTSUS 4418.75.4000.",
    subject_countries=("CN",),
    case_numbers=("A-570-970",),
    case_stage="order",
    published_on=date(2026, 11, 10),
)
ORDER_ITA = replace(ORDER_FR, source="us_ita_adcvd_orders", external_id="A-570-970", text="Case A-570-970.")
ORDER_USITC = replace(ORDER_FR, source="us_usitc_orders", external_id="731-TA-1179", text="HTS 4418.75")
REVIEW = replace(
    ORDER_FR,
    external_id="2026-21000",
    title="Multilayered Wood Flooring From China: Final Results of Antidumping Duty Administrative Review",
    text="Case A-570-970.",
    case_stage="review_final",
    published_on=date(2026, 11, 18),
)


def load(engine, notices, enterprises=(SOCK_MAKER, FLOORING_MAKER, TABLEWARE_MAKER), tagger=None):
    with session_scope(engine) as session:
        save_notices(session, notices)
        save_enterprises(session, list(enterprises))
    with session_scope(engine) as session:
        classify_pending(session, tagger or CodeTagger())


def exported(engine):
    with Session(engine) as session:
        return alerts_for_export(session)


def test_workbook_and_api_copies_of_one_notification_make_one_alert(engine):
    load(engine, [SOCK_RULE, SOCK_RULE_WORKBOOK])
    first = pipeline.match(engine, get_settings(), NOW)
    assert first.created == 1
    [alert] = exported(engine)
    assert (alert["measure"], alert["notice_external_id"], alert["update"]) == (
        "wto:G/TBT/N/EU/1100",
        "G/TBT/N/EU/1100",
        False,
    )
    with Session(engine) as session:
        measures = {n["measure"] for n in notices_with_tags(session)}
    assert measures == {"wto:G/TBT/N/EU/1100"}
    again = pipeline.match(engine, get_settings(), NOW)
    assert (again.created, again.withdrawn) == (0, 0) and len(exported(engine)) == 1


def test_the_same_order_from_three_lists_makes_one_alert_and_the_next_stage_an_update(engine):
    load(engine, [ORDER_FR, ORDER_ITA, ORDER_USITC, REVIEW])
    pipeline.match(engine, get_settings(), NOW)
    rows = [r for r in exported(engine) if r["enterprise"] == "Fusong Flooring"]
    assert [(r["measure"], r["update"], r["severity"]) for r in rows] == [
        ("case:A-570-970:order", False, "critical"),
        ("case:A-570-970:review_final", True, "critical"),
    ]
    assert not [r for r in exported(engine) if r["enterprise"] == "Fusong Tableware"]
    with Session(engine) as session:
        update = session.exec(select(Alert).where(Alert.is_update)).one()
    assert update.evidence["update"] is True and update.evidence["measure"] == "case:A-570-970:review_final"
    assert "follow-up of A-570-970" in update.reason


def test_addendum_without_codes_inherits_its_base(engine):
    load(engine, [SOCK_RULE, SOCK_RULE_ADDENDUM])
    pipeline.match(engine, get_settings(), NOW)
    rows = exported(engine)
    assert [(r["notice_external_id"], r["enterprise"], r["update"]) for r in rows] == [
        ("G/TBT/N/EU/1100", "Liaoyuan Socks", False),
        ("G/TBT/N/EU/1100/Add.1", "Liaoyuan Socks", True),
    ]
    assert rows[1]["hs_codes"] == ["6115"]
    with Session(engine) as session:
        addendum = session.exec(select(Notice).where(Notice.external_id == "G/TBT/N/EU/1100/Add.1")).one()
        base = session.exec(select(Notice).where(Notice.external_id == "G/TBT/N/EU/1100")).one()
    assert addendum.revision_of == base.id


class ChapterTagger:
    """A later tagger that finds only chapter 03 in every notice."""

    version = "test-chapter"

    def tag(self, title, text, publisher_codes):
        return [TagResult("03", 0.9, "model")]


def test_rematching_withdraws_pending_alerts_with_audit_and_never_touches_sent_ones(engine):
    load(engine, [SOCK_RULE, ORDER_FR])
    pipeline.match(engine, get_settings(), NOW)
    with session_scope(engine) as session:
        sent = session.exec(select(Alert).order_by(col(Alert.id))).first()
        assert sent is not None
        sent.status = "sent"
        session.add(sent)
    with session_scope(engine) as session:
        classify_pending(session, ChapterTagger())
    result = pipeline.match(engine, get_settings(), NOW)
    with Session(engine) as session:
        statuses = sorted(a.status for a in session.exec(select(Alert)))
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "alert.withdrawn")).one()
    assert (result.withdrawn, statuses) == (1, ["sent", "withdrawn"])
    assert audit.detail["count"] == 1
    again = pipeline.match(engine, get_settings(), NOW)
    assert (again.created, again.withdrawn, again.updated) == (0, 0, 0)


def test_duplicates_made_before_measures_are_withdrawn_keeping_the_decided_one(engine):
    load(engine, [SOCK_RULE, SOCK_RULE_WORKBOOK])
    with session_scope(engine) as session:
        socks = session.exec(select(Enterprise)).first()
        notices = session.exec(select(Notice).order_by(col(Notice.id))).all()
        assert socks is not None
        for n, status in zip(notices, ("pending_review", "approved"), strict=True):
            assert n.id is not None and socks.id is not None
            session.add(
                Alert(notice_id=n.id, enterprise_id=socks.id, severity="high", reason="old", status=status)
            )
    with session_scope(engine) as session:
        result = run_matching(session, TODAY, 14)
    with Session(engine) as session:
        statuses = [a.status for a in session.exec(select(Alert).order_by(col(Alert.id)))]
    assert (result.created, statuses) == (0, ["withdrawn", "approved"])


def test_upgrade_gives_every_notice_its_measure_key_and_every_alert_its_measure(database_url):
    from alembic import command
    from sqlalchemy import text

    from store.db import _alembic_config, make_engine, upgrade

    engine = make_engine(database_url)
    command.upgrade(_alembic_config(engine), "0006")
    columns = (
        "source, external_id, doc_type, country, subject_countries, title, text, case_numbers, case_stage, "
        "publisher_hs_codes, content_hash, version, published_on, first_seen_at, updated_at"
    )
    with engine.begin() as conn:
        for source, external_id, cases, stage in (
            ("wto_eping", "G/TBT/N/EU/1100/Add.1", "[]", None),
            ("us_ita_adcvd_orders", "A-570-970", '["A-570-970"]', "order"),
        ):
            conn.execute(
                text(
                    f"INSERT INTO notice ({columns}) VALUES (:s, :e, 'tbt', 'EU', '[]', 't', '', :c, :st, "
                    "'[]', 'h', 1, '2026-11-02', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"s": source, "e": external_id, "c": cases, "st": stage},
            )
        conn.execute(
            text(
                "INSERT INTO enterprise (name, home_country, keywords, followed_cases, language, frequency, "
                "active, created_at, updated_at) VALUES ('E', 'CN', '[]', '[]', 'en', 'weekly', true, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO alert (notice_id, enterprise_id, severity, score, reason, evidence, status, "
                "created_at, updated_at) SELECT min(id), (SELECT min(id) FROM enterprise), 'high', 1, 'r', "
                "'{}', 'sent', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM notice"
            )
        )
    upgrade(engine)
    with Session(engine) as session:
        keys = sorted(n.measure_key for n in session.exec(select(Notice)))
        [alert] = session.exec(select(Alert)).all()
    assert keys == ["case:A-570-970:order", "wto:G/TBT/N/EU/1100"]
    assert (alert.measure_key, alert.is_update) == ("wto:G/TBT/N/EU/1100", False)
    engine.dispose()


def test_a_follow_up_is_an_update_only_for_enterprises_told_of_the_measure():
    addendum = facts(
        external_id="G/TBT/N/EU/1100/Add.1",
        measure_key="wto:G/TBT/N/EU/1100",
        country="EU",
        tags=[tag("6115")],
        follow_up=True,
    )
    told = matched(addendum, SOCKS, told={SOCKS.id})[SOCKS.id]
    assert (told.update, told.evidence["update"], told.evidence["measure"]) == (
        True,
        True,
        "wto:G/TBT/N/EU/1100",
    )
    assert "follow-up of G/TBT/N/EU/1100" in told.reason
    first_news = matched(addendum, SOCKS)[SOCKS.id]
    assert (first_news.update, first_news.evidence["update"]) == (False, False)


def test_match_and_reasons_share_facts_without_importing_each_other():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "alerts"

    def imports(name):
        tree = ast.parse((root / f"{name}.py").read_text())
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    assert "alerts.match" not in imports("reasons")
    assert "alerts.match" not in imports("facts") and "alerts.reasons" not in imports("facts")
    assert "alerts.facts" in imports("match") and "alerts.facts" in imports("reasons")

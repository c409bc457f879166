from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from alerts.emails import source_failure_message
from config import get_settings
from store.models import Source


@pytest.mark.parametrize(("language", "words"), [("en", "failures in a row: 4"), ("zh", "连续失败：4 次")])
def test_source_failure_notice_lists_each_failing_source_escaped(language, words):
    failing = Source(
        slug="cn_cacs_trade_remedies",
        kind="spider",
        consecutive_failures=4,
        last_error="HTTP 503 <script>alert(1)</script>",
    )
    mail = source_failure_message(
        templates_dir=get_settings().templates_dir,
        language=language,
        sources=[failing],
        threshold=3,
        sender="BarrierWatch <a@b.example>",
        recipient="admin@bureau.example",
        message_id="<x@b.example>",
        sent_at=datetime(2026, 11, 25, tzinfo=UTC),
    )
    parsed = message_from_bytes(mail.data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text_part, html_part = parsed.get_body(("plain",)), parsed.get_body(("html",))

    assert text_part is not None and html_part is not None
    assert words in text_part.get_content()
    html = html_part.get_content()

    assert "&lt;script&gt;" in html and "<script>" not in html


# --- what a reader sees: sections, dates, messages, one critical mail ---------------------------

from datetime import date, timedelta  # noqa: E402

from sqlmodel import Session, select  # noqa: E402

import pipeline  # noqa: E402
from alerts.emails import date_range, period_words  # noqa: E402
from alerts.health import FailedCrawl  # noqa: E402
from alerts.queue import review  # noqa: E402
from store.db import session_scope  # noqa: E402
from store.models import Alert, AlertStatus, Digest, Enterprise, Notice  # noqa: E402
from tests.scenario import NOW, load  # noqa: E402
from tests.test_alerts_delivery import outbox_messages  # noqa: E402

INTERNAL = "检验员备注：周审核通过"


def _mail_texts(message: EmailMessage) -> list[str]:
    return [message["Subject"], *(part.get_content() for part in message.iter_parts())]


def test_periods_are_dates_in_the_readers_language_never_internal_keys():
    assert period_words("weekly", "2026-W48", "zh") == "11月23日–11月29日"
    assert period_words("weekly", "2026-W48", "en") == "23–29 Nov 2026"
    assert period_words("weekly", "2026-W49", "en") == "30 Nov – 6 Dec 2026"
    assert period_words("weekly", "2026-W53", "zh") == "2026年12月28日–2027年1月3日"
    assert period_words("daily", "2026-11-25", "zh") == "2026年11月25日"
    assert period_words("critical", "critical-16", "en", date(2026, 11, 25)) == "25 Nov 2026"
    assert date_range(date(2026, 11, 24), date(2026, 11, 30), "zh") == "11月24日–11月30日"


def test_the_internal_note_reaches_no_mail_and_the_message_to_the_enterprise_does(engine):
    load(engine)
    settings = get_settings()
    pipeline.match(engine, settings, NOW)
    with session_scope(engine) as session:
        review(session, None, "approved", "inspector-li", note=INTERNAL, message="请于1月10日前联系检验局")
    pipeline.send(engine, settings, NOW)
    mails = outbox_messages(settings)
    assert len(mails) == 3
    texts = [text for mail in mails for text in _mail_texts(mail)]
    assert not [t for t in texts if "周审核通过" in t or "检验员备注" in t]
    fusong = next(m for m in mails if m["To"] == "trade@fusong.example")
    assert "检验检疫部门留言：请于1月10日前联系检验局" in fusong.get_body(("plain",)).get_content()
    with Session(engine) as session:
        assert {a.note for a in session.exec(select(Alert))} == {INTERNAL}  # kept for inspectors


def test_a_chinese_critical_mail_says_what_happened_what_it_means_and_what_to_do(engine):
    load(engine)
    settings = get_settings()
    pipeline.match(engine, settings, NOW)
    pipeline.approve(engine, None, "inspector-li")
    pipeline.send(engine, settings, NOW)
    fusong = next(m for m in outbox_messages(settings) if m["To"] == "trade@fusong.example")
    text = fusong.get_body(("plain",)).get_content()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    summary = "* 美国 · 反倾销 · 继续征税 · 多层已装拼的木地板（HS 4418.75） · 涉及中国 · 无评议期限"
    # The summary in Chinese comes above the original title, then the stage explained.
    assert lines[lines.index(summary) + 1].startswith("Multilayered Wood Flooring")
    assert "阶段：继续征税。措施再延续一个周期（通常为五年），继续征税。" in lines
    assert "2026年11月25日" in lines[0] and "critical-" not in text and "critical-" not in fusong["Subject"]
    html = fusong.get_body(("html",)).get_content()
    assert "critical-" not in html and "涉及中国" in html


def test_one_critical_mail_per_enterprise_per_send_lists_every_new_critical_item(engine):
    load(engine)
    settings = get_settings()
    pipeline.match(engine, settings, NOW)
    pipeline.approve(engine, None, "inspector-li")
    with session_scope(engine) as session:
        fusong = session.exec(select(Enterprise).where(Enterprise.name == "抚松地板")).one()
        for n in range(2):
            notice = Notice(
                source="eu_oj_trade_defence",
                external_id=f"AD{700 + n}",
                doc_type="antidumping",
                country="EU",
                title=f"Notice of initiation of an anti-dumping proceeding concerning wood flooring {n}",
                content_hash=str(n),
                case_stage="initiation",
                subject_countries=["CN"],
                publisher_hs_codes=["441875"],
                published_on=NOW.date() - timedelta(days=2),
                comment_deadline=NOW.date() + timedelta(days=10 + n),
            )
            session.add(notice)
            session.flush()
            assert notice.id is not None and fusong.id is not None
            session.add(
                Alert(
                    notice_id=notice.id,
                    enterprise_id=fusong.id,
                    severity="critical",
                    reason="HS 4418.75",
                    status=AlertStatus.APPROVED,
                )
            )
    pipeline.send(engine, settings, NOW)
    mails = [m for m in outbox_messages(settings) if m["To"] == "trade@fusong.example"]
    assert len(mails) == 1
    text = mails[0].get_body(("plain",)).get_content()
    assert mails[0]["Subject"] == "【紧急预警】抚松地板：3 条贸易壁垒预警"
    assert text.count("\n* ") == 3 and "== 需要处理（2） ==" in text and "== 新措施（1） ==" in text
    # The open deadline with days left; the EU's own words for what to do.
    assert "评议截止日：2026年12月5日（还剩 10 天）" in text and "请在公告发布后 15 天内登记" in text
    with Session(engine) as session:
        assert len(session.exec(select(Digest).where(Digest.kind == "critical")).all()) == 1


def test_digest_sections_come_in_order_action_new_updates_information(engine):
    load(engine)
    settings = get_settings()
    pipeline.match(engine, settings, NOW)
    pipeline.approve(engine, None, "inspector-li")
    with session_scope(engine) as session:
        socks = session.exec(select(Enterprise).where(Enterprise.name == "Liaoyuan Socks")).one()
        rows = [
            ("G/TBT/N/EU/1", "high", {}, None),
            ("G/TBT/N/EU/1/Add.1", "normal", {"update": True, "measure": "wto:G/TBT/N/EU/1"}, None),
            ("G/TBT/N/EU/2", "normal", {}, None),
            ("G/TBT/N/EU/3", "normal", {}, date(2025, 7, 29)),
        ]
        for external_id, severity, evidence, deadline in rows:
            notice = Notice(
                source="wto_eping",
                external_id=external_id,
                doc_type="tbt",
                country="EU",
                title=f"Hosiery rule {external_id}",
                content_hash=external_id,
                comment_deadline=deadline,
            )
            session.add(notice)
            session.flush()
            assert notice.id is not None and socks.id is not None
            session.add(
                Alert(
                    notice_id=notice.id,
                    enterprise_id=socks.id,
                    severity=severity,
                    reason="HS 6115",
                    evidence=evidence,
                    status=AlertStatus.APPROVED,
                )
            )
    pipeline.send(engine, settings, NOW)
    mail = next(m for m in outbox_messages(settings) if m["To"] == "a@socks.example")
    text = mail.get_body(("plain",)).get_content()
    headings = [line for line in text.splitlines() if line.startswith("== ")]
    assert headings == [
        "== New measures (2) ==",  # the scenario's PFAS rule (high) and G/TBT/N/EU/1
        "== Updates to measures you were told about (1) ==",
        "== For information (2) ==",
    ]
    assert "Update to a measure you were told about." in text
    # The expired deadline is shown closed, in "For information", never as an action.
    assert "Comment deadline: 29 Jul 2025 (closed)" in text
    assert text.index("29 Jul 2025") > text.index("== For information")
    assert "2026-W48" not in mail["Subject"] and "23–29 Nov 2026" in mail["Subject"]


def test_a_crawl_with_failed_sources_is_not_called_held_by_the_circuit_breaker():
    crawl = FailedCrawl(7, datetime(2026, 11, 24, tzinfo=UTC), ["cn_cacs_trade_remedies"])
    for language in ("en", "zh"):
        mail = source_failure_message(
            templates_dir=get_settings().templates_dir,
            language=language,
            sources=[],
            failed_crawls=[crawl],
            threshold=3,
            sender="BarrierWatch <a@b.example>",
            recipient="admin@bureau.example",
            message_id="<y@b.example>",
            sent_at=datetime(2026, 11, 25, tzinfo=UTC),
        )
        parsed = message_from_bytes(mail.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        texts = _mail_texts(parsed)
        assert not [t for t in texts if "circuit breaker" in t or "熔断" in t or "暂停" in t]
        assert "cn_cacs_trade_remedies" in texts[1]
    assert "1 次抓取有数据源失败" in texts[0] and "失败的数据源：cn_cacs_trade_remedies" in texts[1]


def test_a_crawl_run_with_failed_sources_is_recorded_and_mailed_as_what_it_is(engine, monkeypatch):
    from alerts.health import find_problems
    from store.models import Run
    from store.runs import recorded_run

    monkeypatch.setenv("BW_ADMIN_EMAILS", "ops@bureau.example")
    with recorded_run(engine, "crawl") as counts:
        counts.update({"cn_cacs_trade_remedies": "failed", "wto_eping": "ok"})
        counts.flag("sources failed: cn_cacs_trade_remedies", status="partial")
    with Session(engine) as session:
        run = session.exec(select(Run).where(Run.stage == "crawl")).one()
        assert (run.status, run.flagged) == ("partial", True)
        report = find_problems(session, 3, run.started_at - timedelta(minutes=1))
    assert report.held_runs == [] and [c.failed for c in report.failed_crawls] == [["cn_cacs_trade_remedies"]]
    settings = get_settings()
    pipeline.health_check(engine, settings, run.started_at + timedelta(minutes=5))
    (mail,) = outbox_messages(settings)
    texts = _mail_texts(mail)
    assert "1 次抓取有数据源失败" in texts[0] and not [t for t in texts if "熔断" in t or "暂停" in t]

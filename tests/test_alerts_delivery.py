from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlmodel import Session, select

import pipeline
from alerts.deliver import STALE_CLAIM, claim, sendable_ids
from alerts.digest import build_digests
from alerts.tokens import InvalidToken, read_token
from config import get_settings
from store.db import session_scope
from store.models import Alert, Contact, Delivery, Digest, Enterprise, Notice
from store.notices import NoticeRecord, save_notices
from tests.scenario import NOW, load
from tests.smtp_server import Sink, smtp_server


def prepare(engine):
    load(engine)
    settings = get_settings()
    pipeline.match(engine, settings, NOW)
    pipeline.approve(engine, None, "inspector-li")
    return settings


def use_smtp(monkeypatch, port):
    """Send through the test's SMTP server on 127.0.0.1, in the clear."""
    monkeypatch.setenv("BW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BW_SMTP_PORT", str(port))
    monkeypatch.setenv("BW_SMTP_SECURITY", "none")


def outbox_messages(settings):
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default) for p in (settings.outbox / "new").iterdir()
    ]


def test_digests_go_to_the_outbox_once_per_contact_and_a_rerun_sends_nothing(engine):
    settings = prepare(engine)
    digests, sent = pipeline.send(engine, settings, NOW)
    assert (digests.digests, sent.sent) == (2, 3)  # flooring: 1 contact, socks: 2 contacts
    again_digests, again = pipeline.send(engine, settings, NOW)
    assert (again_digests.digests, again.sent) == (0, 0)
    assert len(outbox_messages(settings)) == 3
    with Session(engine) as session:
        assert {a.status for a in session.exec(select(Alert))} == {"sent"}
        periods = {d.kind: d.period for d in session.exec(select(Digest))}
    # The anti-dumping order is critical: a mail of its own at once. The PFAS rule waits for the week.
    assert periods == {"critical": "critical-1", "weekly": "2026-W48"}


def test_digest_is_multipart_in_the_enterprise_language_with_escaped_text(engine):
    settings = prepare(engine)
    pipeline.send(engine, settings, NOW)
    by_recipient = {m["To"]: m for m in outbox_messages(settings)}
    zh = by_recipient["trade@fusong.example"]
    assert zh.get_content_type() == "multipart/alternative"
    # The summary in the reader's language, not the foreign title, nor an internal key.
    assert (
        zh["Subject"]
        == "【紧急预警】美国 · 反倾销 · 继续征税 · 多层已装拼的木地板（HS 4418.75） · 涉及中国 · 无评议期限"
    )
    assert "反倾销案 A-570-970" in zh.get_body(("plain",)).get_content()
    assert "此条为紧急预警，即时发送" in zh.get_body(("plain",)).get_content()
    assert en_subject(by_recipient) == "BarrierWatch 23–29 Nov 2026: 1 trade-barrier alert for Liaoyuan Socks"
    en = by_recipient["a@socks.example"]
    html = en.get_body(("html",)).get_content()
    assert "Safer Products Restrictions and Reporting &lt;b&gt;PFAS&lt;/b&gt;" in html
    assert "<b>PFAS</b>" not in html
    assert "Comment deadline: 15 Jan 2027 (51 days left)" in en.get_body(("plain",)).get_content()
    assert en["Message-ID"] != by_recipient["b@socks.example"]["Message-ID"]


def test_a_new_approval_after_the_digest_went_out_waits_for_next_week(engine):
    settings = prepare(engine)
    pipeline.send(engine, settings, NOW)
    late_rule = NoticeRecord(
        source="wto_eping",
        external_id="G/TBT/N/EU/1100",
        doc_type="tbt",
        country="EU",
        title="Azo dyes in hosiery",
        text="HS 6115",
    )
    with session_scope(engine) as session:
        save_notices(session, [late_rule])
    pipeline.classify(engine, settings)
    pipeline.match(engine, settings, NOW)
    assert len(pipeline.approve(engine, None, "inspector-li")) == 1
    digests, sent = pipeline.send(engine, settings, NOW)
    assert (digests.digests, sent.sent) == (0, 0)
    digests, sent = pipeline.send(engine, settings, NOW + timedelta(days=7))
    assert (digests.digests, sent.sent) == (1, 2)


def test_smtp_delivery_records_refusals_and_retries_deferrals(engine, monkeypatch):
    sink = Sink(refuse={"b@socks.example"}, defer={"trade@fusong.example"})
    with smtp_server(sink) as port:
        use_smtp(monkeypatch, port)
        monkeypatch.setenv("BW_RETRY_BASE_SECONDS", "0.01")
        settings = prepare(engine)
        _, first = pipeline.send(engine, settings, NOW)
        assert (first.sent, first.failed, first.retry_later) == (1, 1, 1)
        assert [to for _, to in sink.envelopes] == [["a@socks.example"]]
        with Session(engine) as session:
            rows = {d.email: d for d in session.exec(select(Delivery))}
        assert rows["b@socks.example"].status == "failed"
        assert str(rows["b@socks.example"].last_error).startswith("550")
        deferred = rows["trade@fusong.example"]
        assert deferred.status == "pending" and deferred.attempts == 3  # one try and two retries in the run
        assert str(deferred.last_error).startswith("451")
        assert deferred.next_attempt_at is not None and deferred.next_attempt_at > NOW

        sink.defer.clear()
        _, too_early = pipeline.send(engine, settings, NOW)
        assert too_early.sent == 0  # still backing off
        _, second = pipeline.send(engine, settings, NOW + timedelta(days=1))
        assert (second.sent, second.failed) == (1, 0)

        assert [to for _, to in sink.envelopes] == [["a@socks.example"], ["trade@fusong.example"]]
        received = sink.received[-1]
        assert received.get_content_type() == "multipart/alternative"
        assert received["Subject"].startswith("【紧急预警】")


def test_a_delivery_is_claimed_by_one_sender_only_and_a_stale_claim_is_taken_over(engine):
    settings = prepare(engine)
    with session_scope(engine) as session:
        build_digests(session, NOW, settings.zone, "example.org")
    with engine.connect() as first, engine.connect() as second:
        delivery_id = sendable_ids(first, NOW)[0]
        assert claim(first, delivery_id, NOW) is True
        assert claim(second, delivery_id, NOW) is False
        assert claim(second, delivery_id, NOW + STALE_CLAIM + timedelta(seconds=1)) is True


def test_each_mail_carries_one_click_unsubscribe_for_its_own_contact(engine):
    settings = prepare(engine)
    pipeline.send(engine, settings, NOW)
    with Session(engine) as session:
        contacts = {c.id: c.email for c in session.exec(select(Contact))}
    for message in outbox_messages(settings):
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = message["List-Unsubscribe"].strip().strip("<>")
        assert url.startswith("http://127.0.0.1:8000/u/")
        token = read_token(settings.signing_key(), url.rsplit("/", 1)[1], "unsubscribe")
        assert contacts[token.contact_id] == message["To"]
        assert url in message.get_body(("plain",)).get_content()
        with pytest.raises(InvalidToken):
            read_token(settings.signing_key(), url.rsplit("/", 1)[1], "preferences")


def en_subject(by_recipient):
    return by_recipient["a@socks.example"]["Subject"]


def test_subject_lines_cannot_carry_injected_headers(engine):
    settings = prepare(engine)
    with session_scope(engine) as session:
        notice = session.exec(select(Notice).where(Notice.external_id == "2017-28202")).one()
        notice.title = "Flooring\r\nBcc: victim@example.org\nX-Injected: yes"
        session.add(notice)
    pipeline.send(engine, settings, NOW)
    message = next(m for m in outbox_messages(settings) if m["To"] == "trade@fusong.example")
    assert message["Bcc"] is None and message["X-Injected"] is None
    # The subject is the summary built from the notice's fields; the title is in the body, on one line.
    assert "Flooring" not in message["Subject"] and "涉及中国" in message["Subject"]
    assert "Flooring" in message.get_body(("plain",)).get_content()


def test_a_stored_title_with_bidi_controls_reaches_no_subject_or_body_with_them(engine):
    settings = prepare(engine)
    with session_scope(engine) as session:  # stored before notices were cleaned where they enter
        notice = session.exec(select(Notice).where(Notice.external_id == "2017-28202")).one()
        notice.title = "Flooring \u202eexe.fdp\u202c order"
        session.add(notice)
    pipeline.send(engine, settings, NOW)
    message = next(m for m in outbox_messages(settings) if m["To"] == "trade@fusong.example")
    shown = [message["Subject"], *(part.get_content() for part in message.iter_parts())]
    assert "Flooring exe.fdp order" in shown[1] and all("\u202e" not in text for text in shown)


def test_daily_enterprises_get_a_digest_per_day(engine):
    settings = prepare(engine)
    with session_scope(engine) as session:
        for enterprise in session.exec(select(Enterprise)):
            enterprise.frequency = "daily"
            session.add(enterprise)
    pipeline.send(engine, settings, NOW)
    with Session(engine) as session:
        periods = {d.kind: d.period for d in session.exec(select(Digest))}
    assert periods == {"critical": "critical-1", "daily": "2026-11-25"}


def test_a_connection_lost_mid_batch_is_retried_and_every_mail_arrives_once(engine, monkeypatch):
    sink = Sink(drop_once={"a@socks.example"})
    with smtp_server(sink) as port:
        use_smtp(monkeypatch, port)
        monkeypatch.setenv("BW_SMTP_CONNECTIONS", "2")
        monkeypatch.setenv("BW_RETRY_BASE_SECONDS", "0.01")
        settings = prepare(engine)
        _, result = pipeline.send(engine, settings, NOW)
        _, rerun = pipeline.send(engine, settings, NOW + timedelta(hours=1))
    assert (result.sent, result.failed, rerun.sent) == (3, 0, 0)
    received = sorted(to for _, [to] in sink.envelopes)
    assert received == ["a@socks.example", "b@socks.example", "trade@fusong.example"]
    assert len({m["Message-ID"] for m in sink.received}) == 3
    with Session(engine) as session:
        retried = session.exec(select(Delivery).where(Delivery.email == "a@socks.example")).one()
    assert retried.status == "sent" and retried.attempts == 2


def test_a_permanently_failing_mail_gives_up_after_the_attempt_limit(engine, monkeypatch):
    sink = Sink(defer={"trade@fusong.example"})
    with smtp_server(sink) as port:
        use_smtp(monkeypatch, port)
        monkeypatch.setenv("BW_RETRY_BASE_SECONDS", "0.01")
        settings = prepare(engine)
        for day in range(4):
            pipeline.send(engine, settings, NOW + timedelta(days=day))
    with Session(engine) as session:
        deferred = session.exec(select(Delivery).where(Delivery.email == "trade@fusong.example")).one()
    assert deferred.status == "failed" and deferred.attempts == 5
    assert "gave up after 5 attempts" in str(deferred.last_error)


def test_only_http_links_from_notices_reach_a_mail(engine):
    settings = prepare(engine)
    with session_scope(engine) as session:
        notice = session.exec(select(Notice).where(Notice.external_id == "2017-28202")).one()
        notice.url = "javascript:alert(document.cookie)"
        session.add(notice)
    pipeline.send(engine, settings, NOW)
    message = next(m for m in outbox_messages(settings) if m["To"] == "trade@fusong.example")
    assert "javascript:" not in message.get_body(("html",)).get_content()
    assert "javascript:" not in message.get_body(("plain",)).get_content()

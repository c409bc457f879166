"""Reminders of coming deadlines, under a frozen clock.

The scenario's PFAS rule (comment deadline 2027-01-15) reaches the sock maker
and is sent on 2026-11-25 (NOW); its reminders are due on 2027-01-01 (14 days
left) and 2027-01-12 (3 days left), once each, and never after the deadline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, func, select

import pipeline
from alerts.reminders import due_thresholds
from config import get_settings
from store.db import session_scope
from store.models import Alert, AlertReminder, AlertStatus, Digest, Enterprise, Notice
from tests.scenario import NOW, load
from tests.test_alerts_delivery import outbox_messages

DEADLINE = date(2027, 1, 15)


def at(day: date) -> datetime:
    """10:00 in Shanghai on ``day``."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def sent_scenario(engine):
    load(engine)
    settings = get_settings()
    pipeline.match(engine, settings, NOW)
    pipeline.approve(engine, None, "inspector-li")
    pipeline.send(engine, settings, NOW)
    return settings


def reminders(engine) -> list[tuple[int, date, int]]:
    with Session(engine) as session:
        rows = session.exec(select(AlertReminder).order_by(col(AlertReminder.id))).all()
        return [(r.alert_id, r.deadline, r.threshold) for r in rows]


def test_thresholds_reached_once_each_and_none_after_the_deadline():
    assert due_thresholds(DEADLINE, date(2026, 12, 31), (14, 3)) == []
    assert due_thresholds(DEADLINE, date(2027, 1, 1), (14, 3)) == [14]
    assert due_thresholds(DEADLINE, date(2027, 1, 12), (14, 3)) == [14, 3]
    assert due_thresholds(DEADLINE, date(2027, 1, 15), (14, 3)) == [14, 3]
    assert due_thresholds(DEADLINE, date(2027, 1, 16), (14, 3)) == []
    # The first mail went out 10 days before: it was itself within 14 days; only 3 is left.
    assert due_thresholds(DEADLINE, date(2027, 1, 12), (14, 3), told_on=date(2027, 1, 5)) == [3]


def test_a_sent_alert_is_reminded_at_14_and_3_days_once_each(engine):
    settings = sent_scenario(engine)
    day = date(2026, 12, 20)
    recorded_on: dict[date, int] = {}
    while day <= date(2027, 1, 20):
        recorded = pipeline.remind(engine, settings, at(day))
        pipeline.remind(engine, settings, at(day) + timedelta(hours=1))  # a second run the same day
        if recorded:
            recorded_on[day] = recorded
        day += timedelta(days=1)
    assert recorded_on == {date(2027, 1, 1): 1, date(2027, 1, 12): 1}
    assert [(d, t) for _, d, t in reminders(engine)] == [(DEADLINE, 14), (DEADLINE, 3)]


def test_reminders_ride_in_the_next_mail_once_and_say_days_left(engine):
    settings = sent_scenario(engine)
    pipeline.remind(engine, settings, at(date(2027, 1, 1)))
    digests, sent = pipeline.send(engine, settings, at(date(2027, 1, 1)), ("critical",))
    assert (digests.reminders, sent.sent) == (1, 2)  # one reminder, to the sock maker's two contacts
    again, resent = pipeline.send(engine, settings, at(date(2027, 1, 1)) + timedelta(hours=1))
    assert (again.reminders, resent.sent) == (0, 0)
    mails = [m for m in outbox_messages(settings) if m["Subject"].startswith("[Reminder]")]
    assert len(mails) == 2
    text = mails[0].get_body(("plain",)).get_content()
    assert "Comment deadline: 15 Jan 2027 (14 days left)" in text
    assert "Reminder: a deadline you were told about is coming." in text
    assert "Action needed" in text and "W0" not in text and "reminder-" not in mails[0]["Subject"]


def test_a_reminder_is_folded_into_a_critical_mail_of_the_same_send(engine):
    settings = sent_scenario(engine)
    pipeline.remind(engine, settings, at(date(2027, 1, 12)))
    with session_scope(engine) as session:
        sock = session.exec(select(Enterprise).where(Enterprise.name == "Liaoyuan Socks")).one()
        other = Notice(
            source="wto_eping",
            external_id="G/TBT/N/EU/2000",
            doc_type="tbt",
            country="EU",
            title="Hosiery labelling",
            content_hash="x",
            comment_deadline=date(2027, 1, 20),
        )
        session.add(other)
        session.flush()
        assert sock.id is not None and other.id is not None
        session.add(
            Alert(
                notice_id=other.id,
                enterprise_id=sock.id,
                severity="critical",
                reason="HS 6115",
                status=AlertStatus.APPROVED,
            )
        )
    digests, sent = pipeline.send(engine, settings, at(date(2027, 1, 12)), ("critical",))
    # Both thresholds were reached by the first reminder run (14 was never recorded): two rows,
    # one mention, in the critical mail of the send, not a mail of their own.
    assert (digests.digests, digests.reminders, sent.sent) == (1, 2, 2)
    critical = [m for m in outbox_messages(settings) if m["Subject"].startswith("[Critical]")]
    text = critical[0].get_body(("plain",)).get_content()
    assert text.count("PFAS") == 1 and "(3 days left)" in text and "Hosiery labelling" in text
    with Session(engine) as session:
        kinds = session.exec(select(Digest.kind, func.count()).group_by(Digest.kind)).all()
    assert dict(kinds)["critical"] == 2 and "reminder" not in dict(kinds)


def test_no_reminder_for_a_rejected_alert_nor_after_the_deadline(engine):
    load(engine)
    settings = get_settings()
    pipeline.match(engine, settings, NOW)
    with session_scope(engine) as session:
        from alerts.queue import review

        review(session, None, "rejected", "inspector-li")
    for day in (date(2027, 1, 1), date(2027, 1, 12)):
        assert pipeline.remind(engine, settings, at(day)) == 0
    assert reminders(engine) == []
    # An alert sent, but whose reminder waits in no mail until after the deadline, is never sent.
    with session_scope(engine) as session:
        for alert in session.exec(select(Alert)):
            alert.status = AlertStatus.SENT
            session.add(alert)
    assert pipeline.remind(engine, settings, at(date(2027, 1, 12))) >= 1
    late, _ = pipeline.send(engine, settings, at(date(2027, 1, 16)), ("critical",))
    assert late.reminders == 0
    assert pipeline.remind(engine, settings, at(date(2027, 1, 16))) == 0

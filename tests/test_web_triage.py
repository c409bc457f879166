"""The triage queue: critical first, then the soonest open comment deadline,
then the newest; counts per severity; days left and expired marks; one row
per measure; approve or reject every alert shown, after a confirmation
that names the count; paging with no cap."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlmodel import Session, col, select

from store.db import session_scope
from store.models import Alert, AuditEvent, Enterprise, Notice
from store.notices import NoticeRecord, save_notices
from store.types import utcnow
from tests.web_personas import CHEAP_HASHER, INSPECTOR, build_app, csrf_of, persona
from web.triage import measure_of

# Deadlines count from the inspectors' day (BW_TIMEZONE, Asia/Shanghai by default), not UTC's.
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


def record(external_id, title, **fields):
    fields = {"source": "wto_eping", "doc_type": "tbt", "country": "EU", **fields}
    return NoticeRecord(external_id=external_id, title=title, **fields)


EXTRA = [
    (record("T-1", "Normal soon", comment_deadline=TODAY + timedelta(days=5)), "normal"),
    (
        record(
            "T-2", "High expired", comment_deadline=TODAY - timedelta(days=400), published_on=date(2025, 1, 1)
        ),
        "high",
    ),
    (record("T-3", "High open later", comment_deadline=TODAY + timedelta(days=30)), "high"),
    (record("T-4", "High newest without deadline", published_on=date(2026, 11, 1)), "high"),
    (record("T-5", "Critical in Japan", country="JP", published_on=date(2020, 1, 1)), "critical"),
]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


@pytest.fixture
def app(engine):
    built = build_app(engine)
    with session_scope(engine) as session:
        ids = save_notices(session, [r for r, _s in EXTRA]).notice_ids
        enterprise = session.exec(select(Enterprise).order_by(col(Enterprise.id))).first()
        assert enterprise is not None
        now = utcnow()
        rows = [
            {"notice_id": i, "enterprise_id": enterprise.id, "severity": severity, "score": 1.0}
            | {
                "reason": "test",
                "evidence": {},
                "status": "pending_review",
                "created_at": now,
                "updated_at": now,
            }
            for i, (_r, severity) in zip(ids, EXTRA, strict=True)
        ]
        session.connection().execute(insert(Alert), rows)
    return built


@pytest.fixture
def inspector(app):
    return persona(app, INSPECTOR)


def order_of(page: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=lambda t: page.index(t))


def test_critical_first_then_open_deadline_soonest_then_newest(inspector):
    page = inspector.get("/").text
    assert order_of(
        page, ["Critical in Japan", "High open later", "High newest", "High expired", "Normal soon"]
    ) == [
        "Critical in Japan",
        "High open later",
        "High newest",
        "High expired",
        "Normal soon",
    ]


def test_counts_per_severity_days_left_and_expired_marks(inspector, engine):
    page = inspector.get("/").text
    with Session(engine) as session:
        pending = list(session.exec(select(Alert).where(Alert.status == "pending_review")))
    for severity in ("critical", "high", "normal"):
        count = sum(a.severity == severity for a in pending)
        assert re.search(rf'class="count severity-{severity}"[^>]*>[^<]*<strong>{count}</strong>', page)
    assert "30 days left" in page and "5 days left" in page
    row = page[page.index("High expired") :]
    assert 'class="expired"' in row[: row.index("</tr>")]
    assert str(TODAY - timedelta(days=400)) in page  # the date itself, not only the mark


def test_approve_all_shown_names_the_count_then_decides_and_audits_each(engine, inspector):
    filtered = inspector.get("/", params={"severity": "high"}).text
    shown = re.findall(r'name="shown_id" value="(\d+)"', filtered)
    with Session(engine) as session:
        high = session.exec(select(Alert).where(Alert.severity == "high")).all()
    assert sorted(shown) == sorted(str(a.id) for a in high) and len(shown) >= 3
    count = len(shown)
    form = {
        "csrf_token": csrf_of(inspector, "/"),
        "shown_id": shown,
        "bulk": "approved",
        "query": "severity=high",
    }
    confirm = inspector.post("/alerts/review-shown", data=form)
    assert f"Approve {count} alerts?" in confirm.text and "high" in confirm.text
    with Session(engine) as session:  # nothing decided before the confirmation
        assert session.exec(select(Alert).where(Alert.status == "approved")).first() is None
    done = inspector.post("/alerts/review-shown", data={**form, "confirmed": "yes", "note": "week 48"})
    assert f"Alerts approved: {count}." in done.text and "No alerts match these filters." in done.text
    with Session(engine) as session:
        approved = list(session.exec(select(Alert).where(Alert.status == "approved")))
        events = list(session.exec(select(AuditEvent).where(AuditEvent.action == "alert.approved")))
    assert sorted(str(a.id) for a in approved) == sorted(shown) and {a.severity for a in approved} == {"high"}
    assert {a.note for a in approved} == {"week 48"}
    assert sorted(str(e.object_id) for e in events) == sorted(shown)


def test_paging_reaches_every_measure(inspector, monkeypatch):
    monkeypatch.setattr("web.review.QUEUE_PAGE", 2)
    seen = []
    offset = 0
    while True:
        page = inspector.get("/", params={"offset": offset}).text
        seen += re.findall(r'name="alert_id" value="(\d+)"', page)
        if 'rel="next"' not in page:
            break
        offset += 2
    assert len(seen) == len(set(seen)) == 7


def test_a_measure_key_groups_notices_and_is_the_notice_without_one():
    assert measure_of(SimpleNamespace(id=7, measure_key=None)) == "notice:7"
    assert measure_of(SimpleNamespace(id=7, measure_key="case:A-570-970")) == "case:A-570-970"
    assert measure_of(SimpleNamespace(id=8)) == "notice:8"


def test_notices_of_one_measure_make_one_row_with_their_enterprises(engine, inspector):
    with session_scope(engine) as session:
        for notice in session.exec(select(Notice).where(col(Notice.external_id).in_(["T-1", "T-3"]))):
            notice.measure_key = "case:TEST-1:final"
            session.add(notice)
    page = inspector.get("/").text
    assert page.count('class="measure ') == 6  # seven notices with alerts, two of one measure
    assert "2 notices of this measure" in page
    row = page[page.index("2 notices of this measure") :]
    row = row[: row.index("</tr>")]
    assert "T-1" in row and "T-3" in row and "5 days left" in page


def test_a_message_to_the_enterprise_goes_with_the_decision(engine, inspector):
    form = {"alert_id": ["1"], "message_1": "Please check your HTS lines", "decision": "approved"}
    inspector.post("/alerts/review", data={**form, "csrf_token": csrf_of(inspector, "/")})
    with Session(engine) as session:
        alert = session.get(Alert, 1)
    assert alert is not None and alert.status == "approved" and alert.message == "Please check your HTS lines"

from dataclasses import replace

from sqlmodel import Session, select

import pipeline
from alerts.queue import review, run_matching
from config import get_settings
from nlp.classify import classify_pending
from nlp.tagger import CodeTagger, TagResult
from store.db import session_scope
from store.models import Alert, AuditEvent, Enterprise, Run
from store.notices import save_notices
from tests.scenario import FLOORING_ORDER, NOW, load


def alerts(engine):
    with Session(engine) as session:
        names = {e.id: e.name for e in session.exec(select(Enterprise))}
        return {(a.notice_id, names[a.enterprise_id]): a for a in session.exec(select(Alert))}


def test_match_creates_pending_alerts_and_a_rerun_creates_none(engine):
    load(engine)
    first = pipeline.match(engine, get_settings(), NOW)
    assert first.created == 2
    second = pipeline.match(engine, get_settings(), NOW)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert {a.status for a in alerts(engine).values()} == {"pending_review"}


class RetaggingTagger:
    """A later tagger that finds only chapter 03 in every notice."""

    version = "test-2"

    def tag(self, title, text, publisher_codes):
        return [TagResult("03", 0.9, "model")]


def test_after_retagging_pending_alerts_are_withdrawn_and_decided_ones_kept(engine):
    load(engine)
    pipeline.match(engine, get_settings(), NOW)
    decided = next(a for (_, name), a in alerts(engine).items() if name == "Liaoyuan Socks")
    with session_scope(engine) as session:
        review(session, [decided.id], "approved", "inspector-li")
    with session_scope(engine) as session:
        classify_pending(session, RetaggingTagger())
    result = pipeline.match(engine, get_settings(), NOW)
    statuses = {name: a.status for (_, name), a in alerts(engine).items()}
    # The flooring alert had only its code behind it: withdrawn. The approved one stays approved.
    assert statuses == {"抚松地板": "withdrawn", "Liaoyuan Socks": "approved"}
    assert result.withdrawn == 1


def test_a_revised_notice_updates_its_pending_alert(engine):
    load(engine)
    pipeline.match(engine, get_settings(), NOW)
    with session_scope(engine) as session:
        save_notices(session, [replace(FLOORING_ORDER, case_numbers=("A-570-970", "C-570-971"))])
        classify_pending(session, CodeTagger())
    result = pipeline.match(engine, get_settings(), NOW)
    assert result.updated == 1
    flooring = next(a for (_, name), a in alerts(engine).items() if name == "抚松地板")
    assert "C-570-971" in flooring.reason and flooring.status == "pending_review"


def test_approve_by_id_records_reviewer_and_audit(engine):
    load(engine)
    pipeline.match(engine, get_settings(), NOW)
    target = min(a.id for a in alerts(engine).values())
    assert pipeline.approve(engine, [target], "inspector-wang") == [target]
    with Session(engine) as session:
        alert = session.exec(select(Alert).where(Alert.id == target)).one()
        assert (alert.status, alert.reviewer) == ("approved", "inspector-wang")
        [event] = session.exec(select(AuditEvent)).all()
        assert (event.actor, event.action, event.object_id) == ("inspector-wang", "alert.approved", target)
    assert pipeline.approve(engine, [target], "inspector-wang") == []


def test_inactive_enterprises_are_not_matched(engine):
    load(engine)
    with session_scope(engine) as session:
        for enterprise in session.exec(select(Enterprise)):
            enterprise.active = False
            session.add(enterprise)
    with session_scope(engine) as session:
        assert run_matching(session, NOW.date(), 14).created == 0


def test_stated_code_matches_are_auto_approved_by_policy(engine, monkeypatch):
    monkeypatch.setenv("BW_AUTO_APPROVE", "stated-codes")
    load(engine)
    result = pipeline.match(engine, get_settings(), NOW)
    statuses = {name: (a.status, a.reviewer) for (_, name), a in alerts(engine).items()}
    # The flooring order states HTSUS 4418.75: approved. The sock alert rests on "HS 6115" in the text too.
    assert statuses["抚松地板"] == ("approved", "policy:auto-approve")
    assert result.auto_approved == 2 and not result.held


def test_the_circuit_breaker_holds_a_run_with_too_many_new_alerts(engine, monkeypatch):
    monkeypatch.setenv("BW_AUTO_APPROVE", "stated-codes")
    monkeypatch.setenv("BW_MAX_NEW_ALERTS_PER_RUN", "1")
    load(engine)
    result = pipeline.match(engine, get_settings(), NOW)
    assert result.held and result.auto_approved == 0
    assert {a.status for a in alerts(engine).values()} == {"pending_review"}
    with Session(engine) as session:
        run = session.exec(select(Run).where(Run.stage == "match")).one()
    assert run.flagged and run.status == "held" and "circuit breaker: 2 new alerts" in str(run.error)


def test_alert_scores_weigh_chapters_below_headings(engine):
    load(engine)
    pipeline.match(engine, get_settings(), NOW)
    assert {a.score for a in alerts(engine).values()} == {0.95}

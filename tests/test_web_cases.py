"""Cases: status from the stages on record, the step expected next, linked
cases and followers; the list filtered and paged."""

from __future__ import annotations

import pytest
from sqlmodel import select

from store.case_status import case_status, next_step
from store.db import session_scope
from store.models import Enterprise
from tests.web_personas import CHEAP_HASHER, INSPECTOR, build_app, persona


@pytest.mark.parametrize(
    ("stages", "status", "expected_next"),
    [
        (["initiation"], "investigation", "preliminary"),
        (["initiation", "preliminary", "final"], "investigation", "order"),
        (["initiation", None, "order"], "in_force", "review_opportunity"),
        (["order", "sunset_review"], "in_force", "continuation"),
        (["continuation"], "in_force", "review_opportunity"),
        (["order", "revocation"], "revoked", None),
        (["initiation", "termination"], "terminated", None),
        ([None], "unknown", None),
    ],
)
def test_status_and_next_step_follow_the_stages_on_record(stages, status, expected_next):
    assert case_status(stages) == status and next_step(stages) == expected_next


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


def test_a_2010_order_continued_is_in_force_and_shows_who_follows_it(engine):
    app = build_app(engine)
    with session_scope(engine) as session:
        maker = session.exec(select(Enterprise).where(Enterprise.name == "抚松地板")).one()
        maker.followed_cases = ["A-570-970"]
        session.add(maker)
    inspector = persona(app, INSPECTOR)
    case = inspector.get("/cases/1").text
    assert "measure in force" in case and "Fusong Flooring" in case
    assert "opportunity to request review" in case  # the next expected step
    listed = inspector.get("/cases", params={"q": "570"}).text
    assert "A-570-970" in listed and "measure in force" in listed and "1 cases." in listed
    assert "A-570-970" not in inspector.get("/cases", params={"country": "EU"}).text


def test_runs_deliveries_and_audit_show_counts_labels_and_links(engine):
    app = build_app(engine)
    inspector = persona(app, INSPECTOR)
    runs = inspector.get("/runs").text
    assert '<a href="/">matching</a>' in runs and "created <strong>" in runs and "{&#34;" not in runs
    assert "No runs yet." in inspector.get("/runs", params={"failed": "true"}).text
    assert "No deliveries." in inspector.get("/deliveries", params={"status": "failed"}).text
    assert "signed in" in inspector.get("/audit").text

"""Route tests of the web UI with personas over a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from sqlmodel import Session, SQLModel, col, select

from config import Settings
from store.db import session_scope
from store.models import Alert, AuditEvent, Enterprise, Notice, Run, Source, Tag, User
from store.notices import NoticeRecord, save_notices
from tests.hostile_workbooks import unpacking_bomb
from tests.web_personas import ADMIN, CHEAP_HASHER, INSPECTOR, build_app, csrf_of, persona, sign_in

ROOT = Path(__file__).resolve().parents[1]
# Mail links: the signed token in the path is the credential.
OPEN_TO_VISITORS = {
    "/login",
    "/health",
    "/language",
    "/u/{token}",
    "/p/{token}",
    "/u/{token}/resubscribe",
    "/p/{token}/resubscribe",
}


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


@pytest.fixture
def app(engine):
    return build_app(engine)


@pytest.fixture
def anonymous(app):
    return persona(app, None)


@pytest.fixture
def inspector(app):
    return persona(app, INSPECTOR)


@pytest.fixture
def admin(app):
    return persona(app, ADMIN)


def _all_routes(routes):
    # FastAPI 0.16x keeps an included router as one wrapper in app.routes: look inside.
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _all_routes(route.original_router.routes)


def routes(app, method):
    found = [r for r in _all_routes(app.routes) if method in (r.methods or ())]
    assert len(found) > 3, "the app's routes were not found: a test over them would test nothing"
    return found


def found(session, model, row_id):
    """The row, which the test knows exists."""
    row = session.get(model, row_id)
    assert row is not None, f"no {model.__name__} {row_id}"
    return row


def concrete(path):
    return re.sub(r"\{[a-z_]+\}", "1", path)


def audit_actions(engine, actor=None):
    with Session(engine) as session:
        query = select(AuditEvent).order_by(col(AuditEvent.id))
        if actor:
            query = query.where(AuditEvent.actor == actor)
        return [e.action for e in session.exec(query)]


# --- who reaches what -------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login_from_every_page(app, anonymous):
    for route in routes(app, "GET"):
        if route.path in OPEN_TO_VISITORS:
            continue
        response = anonymous.get(concrete(route.path), follow_redirects=False)
        if route.path.startswith("/api/v1"):
            assert response.status_code == 401, route.path
        else:
            assert response.status_code == 303, route.path
            assert response.headers["location"].startswith("/login?next="), route.path


def database_rows(engine):
    """Every row of every table, to compare before and after."""
    with engine.connect() as connection:
        return {
            table.name: sorted(map(repr, connection.execute(table.select())))
            for table in SQLModel.metadata.sorted_tables
        }


def test_anonymous_visitor_cannot_change_anything(engine, app, anonymous):
    with session_scope(engine) as session:
        session.add(Source(slug="wto_eping", kind="file"))
    token = csrf_of(anonymous)
    before = database_rows(engine)
    for route in routes(app, "POST"):
        if route.path in OPEN_TO_VISITORS:
            continue
        path = concrete(route.path)
        response = anonymous.post(path, data={"csrf_token": token}, follow_redirects=False)
        if route.path.startswith("/api/v1"):
            assert response.status_code == 401, route.path
            assert response.headers["www-authenticate"] == "Bearer", route.path
        else:
            assert response.status_code == 303, route.path
            assert response.headers["location"] == f"/login?next={quote(path)}", route.path
    assert database_rows(engine) == before


def test_visitor_reaches_login_static_files_and_health(anonymous):
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/static/style.css").status_code == 200
    assert anonymous.get("/health").json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "path", ["/users", "/enterprises/1/edit", "/enterprises/import"], ids=["users", "edit", "import"]
)
def test_inspector_cannot_open_admin_pages(inspector, path):
    assert inspector.get(path).status_code == 403


def test_inspector_cannot_add_users_edit_enterprises_or_switch_sources(engine, inspector):
    with session_scope(engine) as session:
        session.add(Source(slug="wto_eping", kind="file"))
    token = csrf_of(inspector, "/")
    attempts = {
        "/users": {"username": "mallory", "password": "x" * 12, "role": "admin", "language": "en"},
        "/users/1": {"role": "admin", "active": "yes"},
        "/enterprises/1/edit": {"markets": "US"},
        "/sources/1/enabled": {},
    }
    for path, data in attempts.items():
        assert inspector.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    with Session(engine) as session:
        assert session.exec(select(User).where(User.username == "mallory")).first() is None
        assert session.exec(select(Source)).one().enabled
        assert found(session, User, 1).role == "inspector"


def test_admin_adds_an_inspector_who_can_then_sign_in(engine, app, admin):
    form = {"username": "li.wei", "password": "a-long-password", "role": "inspector", "language": "zh"}
    response = admin.post("/users", data={**form, "csrf_token": csrf_of(admin, "/users")})
    assert response.status_code == 200 and "li.wei" in response.text
    assert "user.added" in audit_actions(engine, actor=ADMIN[0])
    newcomer = persona(app, ("li.wei", "a-long-password"))
    assert "审核队列" in newcomer.get("/").text  # the account's language is Chinese


def test_admin_gets_the_problems_of_a_bad_account(admin):
    form = {"username": "x", "password": "short", "role": "boss", "language": "en"}
    response = admin.post("/users", data={**form, "csrf_token": csrf_of(admin, "/users")})
    assert response.status_code == 400
    for problem in ("username", "too short", "expected inspector or admin"):
        assert problem in response.text


def test_deactivated_user_loses_their_session_at_once(engine, admin, inspector):
    assert inspector.get("/").status_code == 200
    token = csrf_of(admin, "/users")
    admin.post("/users/1", data={"role": "inspector", "active": "no", "csrf_token": token})
    assert inspector.get("/", follow_redirects=False).status_code == 303


# --- sessions, CSRF, rate limit ---------------------------------------------------------


def test_session_cookie_is_signed_httponly_and_samesite(app):
    client = persona(app, None)
    response = sign_in(client, *INSPECTOR)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    forged = persona(app, None)
    forged.cookies.set("bw_session", client.cookies["bw_session"][:-4] + "AAAA")
    assert forged.get("/", follow_redirects=False).status_code == 303


def test_every_form_post_without_the_csrf_token_is_refused(engine, app, admin):
    with session_scope(engine) as session:
        session.add(Source(slug="wto_eping", kind="file"))
    before = audit_actions(engine)
    for route in routes(app, "POST"):
        if route.path.startswith("/api/v1") or route.path == "/u/{token}":
            continue  # bearer-token API and RFC 8058 one-click: no cookie to ride on
        response = admin.post(concrete(route.path), data={"csrf_token": "forged"})
        assert response.status_code == 403, route.path
        assert "did not come from this site" in response.text
    assert audit_actions(engine) == before


def test_sign_in_is_refused_after_five_failures_even_with_the_right_password(engine, anonymous):
    for _ in range(5):
        assert sign_in(anonymous, INSPECTOR[0], "wrong-password").status_code == 401
    blocked = sign_in(anonymous, *INSPECTOR)
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text
    assert audit_actions(engine, actor=INSPECTOR[0]).count("login.failed") == 5


def test_sign_in_is_refused_from_an_address_that_tried_five_names(anonymous):
    for name in ("root", "admin", "test", "guest", "user"):
        assert sign_in(anonymous, name, "password123").status_code == 401
    assert sign_in(anonymous, *INSPECTOR).status_code == 429


def test_sign_in_goes_only_to_local_pages(anonymous):
    data = {"username": INSPECTOR[0], "password": INSPECTOR[1], "csrf_token": csrf_of(anonymous)}
    response = anonymous.post("/login", data={**data, "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_a_user_changes_their_password_with_the_current_one(engine, app, inspector):
    token = csrf_of(inspector, "/account")
    wrong = inspector.post(
        "/account/password", data={"current": "guess", "new": "n" * 12, "csrf_token": token}
    )
    assert wrong.status_code == 400 and "current password: does not match" in wrong.text
    done = inspector.post(
        "/account/password", data={"current": INSPECTOR[1], "new": "n" * 12, "csrf_token": token}
    )
    assert "Password changed." in done.text
    assert sign_in(persona(app, None), *INSPECTOR).status_code == 401
    assert sign_in(persona(app, None), INSPECTOR[0], "n" * 12).status_code == 303
    assert "user.password" in audit_actions(engine, actor=INSPECTOR[0])


def test_logout_ends_the_session(inspector):
    response = inspector.post("/logout", data={"csrf_token": csrf_of(inspector, "/")}, follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert inspector.get("/", follow_redirects=False).status_code == 303


def signed_in_with(app, cookie):
    """A browser that has ``cookie`` (a copy of someone's session cookie)."""
    client = persona(app, None)
    client.cookies.set("bw_session", cookie)
    return client.get("/", follow_redirects=False).status_code == 200


def test_a_copy_of_the_cookie_no_longer_signs_in_after_logout(app, inspector):
    copy = inspector.cookies["bw_session"]
    assert signed_in_with(app, copy)
    inspector.post("/logout", data={"csrf_token": csrf_of(inspector, "/")})
    assert not signed_in_with(app, copy)
    assert persona(app, INSPECTOR).get("/").status_code == 200  # signing in again works


def test_a_password_change_ends_the_other_sign_ins_but_not_this_one(app, inspector):
    elsewhere = persona(app, INSPECTOR)
    copy = inspector.cookies["bw_session"]
    token = csrf_of(inspector, "/account")
    done = inspector.post(
        "/account/password", data={"current": INSPECTOR[1], "new": "n" * 12, "csrf_token": token}
    )
    assert done.status_code == 200 and "Password changed." in done.text
    assert inspector.get("/", follow_redirects=False).status_code == 200
    assert elsewhere.get("/", follow_redirects=False).status_code == 303
    assert not signed_in_with(app, copy)


def sign_in_at_once(app, attempts):
    """``attempts`` (username, password) sign-ins, each from its own browser, let go together."""
    clients = [persona(app, None) for _ in attempts]
    tokens = [csrf_of(client) for client in clients]
    start = threading.Barrier(len(attempts))

    def attempt(i):
        start.wait()
        username, password = attempts[i]
        form = {"username": username, "password": password, "csrf_token": tokens[i], "next": "/"}
        return clients[i].post("/login", data=form, follow_redirects=False)

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, range(len(attempts))))


class CountingHasher(PasswordHasher):
    """Real argon2id, slow enough that sign-ins overlap, counting the checks
    and how many run at once."""

    def __init__(self, pause=0.05):
        super().__init__(time_cost=2, memory_cost=8192, parallelism=1)
        self.pause = pause
        self.checks, self.running, self.most_at_once = 0, 0, 0
        self.lock = threading.Lock()

    def verify(self, hash, password):
        with self.lock:
            self.checks += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            time.sleep(self.pause)
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.running -= 1


def test_twelve_wrong_passwords_at_once_get_at_most_five_checks(engine, app, monkeypatch):
    hasher = CountingHasher()
    monkeypatch.setattr("store.users._HASHER", hasher)
    answers = sign_in_at_once(app, [(INSPECTOR[0], f"guess-{i}") for i in range(12)])
    statuses = [a.status_code for a in answers]
    # Attempts are counted before they are checked: in a burst some of the first five may
    # see the others' counts and be refused too, but never more than five are checked.
    assert hasher.checks <= 5 and statuses.count(401) == hasher.checks
    assert statuses.count(429) == 12 - hasher.checks
    assert audit_actions(engine, actor=INSPECTOR[0]).count("login.failed") == hasher.checks


def test_at_most_two_password_checks_run_at_once_and_the_rest_are_refused(app, monkeypatch):
    hasher = CountingHasher(pause=1.0)
    monkeypatch.setattr("store.users._HASHER", hasher)
    monkeypatch.setattr("web.auth.HASH_WAIT_SECONDS", 0.2)
    answers = sign_in_at_once(app, [(f"visitor-{i}", "password123") for i in range(5)])
    assert hasher.most_at_once == 2
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 3 and all("Too many sign-ins at this moment" in a.text for a in refused)


# --- the queue ---------------------------------------------------------------------------


def test_queue_groups_alerts_by_notice_and_filters_them(inspector):
    page = inspector.get("/").text
    assert "Multilayered Wood Flooring" in page and "Liaoyuan Socks" in page
    page = inspector.get("/", params={"doc_type": "tbt"}).text
    assert "Liaoyuan Socks" in page and "Multilayered Wood Flooring" not in page
    page = inspector.get("/", params={"chapter": "44"}).text
    assert "Multilayered Wood Flooring" in page and "Liaoyuan Socks" not in page
    page = inspector.get("/", params={"deadline_before": "2027-01-31"}).text
    assert "PFAS" in page and "Multilayered Wood Flooring" not in page
    page = inspector.get("/", params={"source": "us_federalregister_adcvd", "severity": "critical"}).text
    assert "Multilayered Wood Flooring" in page and "PFAS" not in page


def test_the_queue_pages_through_every_measure_with_no_cap(inspector, monkeypatch):
    monkeypatch.setattr("web.review.QUEUE_PAGE", 1)
    first = inspector.get("/").text
    assert first.count('name="alert_id"') == 1 and 'rel="next"' in first
    second = inspector.get("/", params={"offset": 1}).text
    assert second.count('name="alert_id"') == 1 and 'rel="prev"' in second and 'rel="next"' not in second


def test_the_audit_log_pages_back_through_older_events(engine, inspector, monkeypatch):
    monkeypatch.setattr("web.operations.LOG_LIMIT", 2)
    with session_scope(engine) as session:
        for n in range(3):
            session.add(AuditEvent(actor="old.hand", action=f"alert.approved.{n}", object_type="alert"))
    newest = inspector.get("/audit", params={"actor": "old.hand"}).text
    assert "alert.approved.2" in newest and "alert.approved.0" not in newest
    older_link = re.search(r'href="/audit\?([^"]+)"', newest)
    assert older_link
    older = inspector.get("/audit?" + older_link.group(1).replace("&amp;", "&")).text
    assert "alert.approved.0" in older and "alert.approved.2" not in older


def test_a_bad_filter_is_named_not_ignored_silently(inspector):
    response = inspector.get("/", params={"deadline_before": "next week"})
    assert response.status_code == 400 and "deadline_before" in response.text


def test_bulk_approval_keeps_each_alerts_own_note_and_is_audited(engine, inspector):
    form = {
        "alert_id": ["1", "2"],
        "note_1": "Check the HTS lines with the exporter",
        "note": "reviewed",
        "decision": "approved",
        "csrf_token": csrf_of(inspector, "/"),
    }
    response = inspector.post("/alerts/review", data=form)
    assert "Alerts approved: 2." in response.text
    with Session(engine) as session:
        alerts = {a.id: a for a in session.exec(select(Alert))}
    assert alerts[1].status == alerts[2].status == "approved"
    assert alerts[1].note == "Check the HTS lines with the exporter" and alerts[2].note == "reviewed"
    assert alerts[1].reviewer == INSPECTOR[0]
    assert audit_actions(engine, actor=INSPECTOR[0]).count("alert.approved") == 2


def test_rejecting_a_decided_alert_is_refused_by_id(engine, inspector):
    token = csrf_of(inspector, "/")
    inspector.post("/alerts/review", data={"alert_id": "1", "decision": "approved", "csrf_token": token})
    response = inspector.post(
        "/alerts/review", data={"alert_id": ["1", "2"], "decision": "rejected", "csrf_token": token}
    )
    assert "Alerts rejected: 1." in response.text and "left as they are: 1" in response.text
    with Session(engine) as session:
        assert [a.status for a in session.exec(select(Alert).order_by(col(Alert.id)))] == [
            "approved",
            "rejected",
        ]


def test_notes_can_be_saved_without_a_decision(engine, inspector):
    form = {"alert_id": "2", "note_2": "ask the enquiry point", "decision": "note"}
    inspector.post("/alerts/review", data={**form, "csrf_token": csrf_of(inspector, "/")})
    with Session(engine) as session:
        alert = found(session, Alert, 2)
    assert (alert.status, alert.note) == ("pending_review", "ask the enquiry point")
    assert "alert.note" in audit_actions(engine, actor=INSPECTOR[0])


# --- notices and tag corrections ---------------------------------------------------------


def test_script_in_a_notice_title_is_shown_as_text_everywhere(engine, inspector):
    hostile = NoticeRecord(
        source="wto_eping",
        external_id="G/TBT/N/USA/9999",
        doc_type="tbt",
        country="US",
        title="Hosiery <script>alert('x')</script> labelling",
        text="<img src=x onerror=alert(1)> HS 6115",
        url="javascript:alert(document.cookie)",
    )
    with session_scope(engine) as session:
        save_notices(session, [hostile])
    from nlp.classify import classify_pending
    from nlp.tagger import CodeTagger

    with session_scope(engine) as session:
        classify_pending(session, CodeTagger())
    import pipeline
    from tests.scenario import NOW

    pipeline.match(engine, Settings(), NOW)
    with Session(engine) as session:
        notice = session.exec(select(Notice).where(Notice.external_id == hostile.external_id)).one()
        alert = session.exec(select(Alert).where(Alert.notice_id == notice.id)).one()
    token = csrf_of(inspector, "/")
    inspector.post("/alerts/review", data={"alert_id": alert.id, "decision": "approved", "csrf_token": token})
    for path in (
        "/",
        "/?status=approved",
        f"/notices/{notice.id}",
        "/enterprises/2",
        "/enterprises/2/digest",
    ):
        page = inspector.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
    assert "&lt;script&gt;" in inspector.get(f"/notices/{notice.id}").text
    notice_page = inspector.get(f"/notices/{notice.id}").text
    assert "&lt;img src=x" in notice_page
    assert 'href="javascript:' not in notice_page and "javascript:alert(document.cookie)" in notice_page


def test_notice_page_shows_text_and_tags_with_method_and_score(inspector):
    page = inspector.get("/notices/1").text
    assert "HTSUS 4418.75.4000" in page
    assert "4418.75 Wood; assembled flooring panels" in page
    assert "code in the text" in page and "0.95" in page and "codes-1" in page
    assert "A-570-970" in page


def test_notice_page_says_when_the_tagger_read_part_of_it_or_failed(engine, inspector):
    with session_scope(engine) as session:
        notice = found(session, Notice, 1)
        notice.tag_chars_read, notice.tag_error = 40, "ValueError: [E088] Text of length 2000000 exceeds"
        session.add(notice)
    page = inspector.get("/notices/1").text
    assert "the tagger read 40 of its" in page and "Tagging this notice failed: ValueError: [E088]" in page


def test_a_follow_up_links_to_the_notification_it_follows(engine, inspector):
    from dataclasses import replace

    from tests.scenario import PFAS_RULE

    base = replace(PFAS_RULE, external_id="G/TBT/N/USA/1958", title="Safer Products (original)")
    with session_scope(engine) as session:
        save_notices(session, [base, PFAS_RULE])
        base_id = session.exec(select(Notice.id).where(Notice.external_id == base.external_id)).one()
    assert f'<a href="/notices/{base_id}">#{base_id}</a>' in inspector.get("/notices/2").text


def test_an_inspector_tag_is_stored_and_the_notice_matched_again(engine, inspector):
    # The onions notice (Japan, HS 0703) concerns nobody; the inspector says it is about hosiery.
    response = inspector.post(
        "/notices/3/tags", data={"code": "6115.10", "csrf_token": csrf_of(inspector, "/")}
    )
    assert "Tag 6115.10 added" in response.text
    with Session(engine) as session:
        tag = session.exec(select(Tag).where(Tag.notice_id == 3, Tag.method == "inspector")).one()
        alert = session.exec(select(Alert).where(Alert.notice_id == 3)).one()
        runs = session.exec(select(Run).where(Run.stage == "match")).all()
    assert (tag.code, tag.model_version) == ("611510", "inspector:ina")
    assert alert.enterprise_id == 2 and alert.status == "pending_review"
    assert len(runs) == 2  # the scenario's match and the one after the correction
    assert "tag.added" in audit_actions(engine, actor=INSPECTOR[0])


def test_a_bad_code_is_refused_with_the_reason(engine, inspector):
    response = inspector.post(
        "/notices/3/tags", data={"code": "socks", "csrf_token": csrf_of(inspector, "/")}
    )
    assert "is not an HS code" in response.text
    with Session(engine) as session:
        assert session.exec(select(Tag).where(Tag.method == "inspector")).first() is None


def test_removing_a_wrong_tag_withdraws_the_pending_alert_and_keeps_the_example(engine, inspector):
    with Session(engine) as session:
        tag = session.exec(select(Tag).where(Tag.notice_id == 2)).one()
    inspector.post(f"/notices/2/tags/{tag.id}/remove", data={"csrf_token": csrf_of(inspector, "/")})
    with Session(engine) as session:
        assert found(session, Alert, 2).status == "withdrawn"
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "tag.removed")).one()
    assert event.detail["code"] == "6115" and event.detail["method"] == "explicit"


# --- enterprises ----------------------------------------------------------------------------


def test_admin_edits_an_enterprise_with_the_import_rules(engine, admin):
    page = admin.get("/enterprises/2/edit").text
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    fields.update(markets="EU; Atlantis", csrf_token=csrf_of(admin, "/enterprises/2/edit"))
    fields.update(language="en", frequency="weekly", active="yes")
    refused = admin.post("/enterprises/2/edit", data=fields)
    assert refused.status_code == 400 and "unknown country &#39;Atlantis&#39;" in refused.text
    fields["markets"] = "EU; JP"
    assert admin.post("/enterprises/2/edit", data=fields).status_code == 200
    with Session(engine) as session:
        enterprise = found(session, Enterprise, 2)
        markets = admin.get("/enterprises/2").text
    assert enterprise.name == "Liaoyuan Socks" and "EU; JP" in markets
    assert "enterprise.edited" in audit_actions(engine, actor=ADMIN[0])


def test_admin_imports_enterprises_from_csv_whole_or_not_at_all(engine, admin):
    token = csrf_of(admin, "/enterprises/import")
    good = "name,email,hs_codes,markets,language\nFusong Doors,sales@doors.example,4418.20,US;EU,en\n"
    bad = good + "Broken,not-an-address,4418,US,en\n"
    refused = admin.post(
        "/enterprises/import",
        data={"csrf_token": token},
        files={"file": ("firms.csv", bad.encode(), "text/csv")},
    )
    assert (
        refused.status_code == 400 and "firms.csv: 1 problem(s)" in refused.text and "row 3" in refused.text
    )
    done = admin.post(
        "/enterprises/import",
        data={"csrf_token": token},
        files={"file": ("firms.csv", good.encode(), "text/csv")},
    )
    assert "1 created, 0 updated" in done.text
    with Session(engine) as session:
        names = {e.name for e in session.exec(select(Enterprise))}
    assert "Fusong Doors" in names and "Broken" not in names
    assert "enterprise.imported" in audit_actions(engine, actor=ADMIN[0])


def test_admin_upload_of_a_workbook_that_unpacks_too_far_is_refused_naming_it(engine, admin, tmp_path):
    header = ["name", "email", "hs_codes", "markets", "language"]
    bomb = unpacking_bomb(tmp_path / "upload.xlsx", "Sheet", header, 60_000_000).read_bytes()
    assert len(bomb) < 1_000_000
    before = database_rows(engine)
    refused = admin.post(
        "/enterprises/import",
        data={"csrf_token": csrf_of(admin, "/enterprises/import")},
        files={"file": ("firms.xlsx", bomb, "application/octet-stream")},
    )
    assert refused.status_code == 400 and "firms.xlsx: 1 problem(s)" in refused.text
    assert "the workbook is too big" in refused.text and "expected at most 50,000,000 bytes" in refused.text
    assert database_rows(engine) == before


def test_digest_preview_renders_the_approved_alerts_and_stores_nothing(engine, inspector):
    assert "No approved alerts are waiting" in inspector.get("/enterprises/2/digest").text
    inspector.post(
        "/alerts/review",
        data={"alert_id": "2", "decision": "approved", "csrf_token": csrf_of(inspector, "/")},
    )
    page = inspector.get("/enterprises/2/digest").text
    assert "Safer Products Restrictions and Reporting" in page and "a@socks.example" in page
    assert "/u/" in page  # the mail's own unsubscribe link, as the contact would get it
    with Session(engine) as session:
        assert found(session, Alert, 2).digest_id is None
        from store.models import Digest

        assert session.exec(select(Digest)).first() is None


# --- operations pages -------------------------------------------------------------------------


def test_sources_show_their_health_and_admins_switch_them(engine, admin, inspector):
    with session_scope(engine) as session:
        session.add(
            Source(slug="eu_tron_ad", kind="feed", consecutive_failures=4, last_error="HTTP 503 from TRON")
        )
        session.add(Source(slug="bulletin_upload", kind="file", url="bulletin.jsonl"))
    page = inspector.get("/sources").text
    assert "failing" in page and "HTTP 503 from TRON" in page and "Disable" not in page
    # A file importer is never crawled: it is not a source that "never succeeded" (issue #19 item 8).
    row = page.split("<td>bulletin_upload</td>", 1)[1].split("</tr>", 1)[0]
    assert "imported from a file" in row and "never succeeded" not in row
    admin.post("/sources/1/enabled", data={"csrf_token": csrf_of(admin, "/sources")})
    with Session(engine) as session:
        assert not found(session, Source, 1).enabled
    assert "source.disabled" in audit_actions(engine, actor=ADMIN[0])


def test_runs_cases_deliveries_and_audit_pages_show_their_rows(inspector):
    assert "match" in inspector.get("/runs").text
    case = inspector.get("/cases/1").text
    assert "A-570-970" in case and "2026-11-03" in case
    assert "<strong>continuation</strong>" in case  # the stage its title names

    assert "No deliveries" in inspector.get("/deliveries").text
    assert "signed in" in inspector.get("/audit").text  # login.succeeded, in the page's language


# --- languages ------------------------------------------------------------------------------


def test_an_inspector_switches_the_interface_to_chinese(engine, inspector):
    inspector.post("/language", data={"language": "zh", "next": "/", "csrf_token": csrf_of(inspector, "/")})
    page = inspector.get("/").text
    assert "审核队列" in page and "批准所选" in page
    with Session(engine) as session:
        assert session.exec(select(User).where(User.username == INSPECTOR[0])).one().language == "zh"


def test_the_summary_line_and_stage_are_shown_in_the_pages_language(engine, inspector):
    """Issue #15: the summary line above the title on the queue and the notice page, the
    stage explained on the notice and case pages, as in the mails, in the page's language."""
    for language, country, kind in (("en", "United States", "Anti-dumping"), ("zh", "美国", "反倾销")):
        form = {"language": language, "next": "/", "csrf_token": csrf_of(inspector, "/")}
        inspector.post("/language", data=form)
        notice_page = inspector.get("/notices/1").text
        summary = notice_page.split('<p class="summary">', 1)[1].split("</p>", 1)[0]
        assert summary.startswith(f"{country} · {kind} · ")
        assert notice_page.index('class="summary"') < notice_page.index("<h1>")
        assert 'class="stage' in notice_page
        assert f'<div class="summary">{country} · {kind} · ' in inspector.get("/").text
        assert 'class="stage' in inspector.get("/cases/1").text


# --- layout -----------------------------------------------------------------------------------


def test_only_entry_points_import_the_web_package():
    importers = []
    folders = [
        p
        for p in ROOT.iterdir()
        if p.is_dir()
        and p.name[0] not in "._"
        and p.name not in ("web", "tests", "cli", "bench")  # cli: an entry point; bench measures them
    ]
    modules = list(ROOT.glob("*.py")) + [m for f in folders for m in f.rglob("*.py")]
    for module in modules:
        relative = module.relative_to(ROOT)
        if re.search(r"^\s*(from web[. ]|import web\b)", module.read_text(encoding="utf-8"), re.MULTILINE):
            importers.append(str(relative))
    assert importers == []


def test_importing_the_app_builds_no_engine_or_settings(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("BW_TIMEZONE", "Not/AZone")  # building settings now would raise
    for name in [m for m in sys.modules if m == "web" or m.startswith("web.")]:
        monkeypatch.delitem(sys.modules, name)
    assert importlib.import_module("web.app").create_app is not None

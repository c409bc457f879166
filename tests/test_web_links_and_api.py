"""Pages reached from mail links (no login), the JSON API and the account commands."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import pipeline
from alerts.tokens import make_token
from cli import app as cli_app
from config import Settings
from store.models import AuditEvent, Contact, EnterpriseMarket, User
from tests.web_personas import ADMIN, CHEAP_HASHER, INSPECTOR, build_app, csrf_of, persona

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


@pytest.fixture
def app(engine):
    return build_app(engine)


def contact(engine, email):
    with Session(engine) as session:
        return session.exec(select(Contact).where(Contact.email == email)).one()


def link(engine, email, purpose):
    found = contact(engine, email)
    return f"/{purpose[0]}/{make_token(Settings().signing_key(), found.id, found.link_secret, purpose)}"


# --- unsubscribe ---------------------------------------------------------------------------


def test_unsubscribe_link_asks_before_it_unsubscribes(engine, app):
    page = persona(app, None).get(link(engine, "a@socks.example", "unsubscribe"))
    assert page.status_code == 200 and "a@socks.example" in page.text and "Liaoyuan Socks" in page.text
    assert contact(engine, "a@socks.example").unsubscribed_at is None


def test_one_click_post_unsubscribes_without_cookie_or_csrf(engine, app):
    mail_client = TestClient(app)  # a mail provider's server: no session, no form token
    response = mail_client.post(
        link(engine, "a@socks.example", "unsubscribe"),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200 and "will receive no more digests" in response.text
    assert contact(engine, "a@socks.example").unsubscribed_at is not None
    assert contact(engine, "b@socks.example").unsubscribed_at is None
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "contact.unsubscribed")).one()
    assert event.actor == "contact:a@socks.example"


def test_unsubscribe_page_speaks_the_enterprises_language(engine, app):
    page = persona(app, None).get(link(engine, "trade@fusong.example", "unsubscribe")).text
    assert "是否停止向 trade@fusong.example 发送" in page


@pytest.mark.parametrize(
    "make_path",
    [
        lambda engine: "/u/not-a-token",
        lambda engine: link(engine, "a@socks.example", "preferences").replace("/p/", "/u/"),
        lambda engine: link(engine, "a@socks.example", "unsubscribe")[:-3] + "xyz",
    ],
    ids=["garbage", "other-purpose", "tampered"],
)
def test_a_bad_link_gets_a_clear_400_page(engine, app, make_path):
    client = persona(app, None)
    for method in (client.get, client.post):
        response = method(make_path(engine))
        assert response.status_code == 400
        assert "This link cannot be used" in response.text and "链接无效" in response.text
    assert contact(engine, "a@socks.example").unsubscribed_at is None


def test_an_expired_link_says_so(engine, app, monkeypatch):
    found = contact(engine, "a@socks.example")
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: 1_000_000_000.0)  # signed in 2001
        token = make_token(Settings().signing_key(), found.id, found.link_secret, "unsubscribe")
    response = persona(app, None).post(f"/u/{token}")
    assert response.status_code == 400 and "this link has expired" in response.text


def import_enterprises(engine, folder, *rows):
    path = folder / "enterprises.csv"
    path.write_text("name,email,hs_codes,markets,language\n" + "\n".join(rows) + "\n", encoding="utf-8")
    pipeline.import_enterprises(engine, Settings(), path)


def test_an_id_freed_by_an_import_is_never_handed_out_again(engine, app, tmp_path):
    freed = contact(engine, "b@socks.example").id
    import_enterprises(engine, tmp_path, "Liaoyuan Socks,a@socks.example,6115,EU;US;JP,en")
    import_enterprises(engine, tmp_path, "Harbin Gloves,buyer@gloves.example,6116,US,en")
    assert contact(engine, "buyer@gloves.example").id > freed


def test_an_old_link_never_reaches_the_contact_that_took_its_id(engine, app, tmp_path):
    old_links = [link(engine, "b@socks.example", purpose) for purpose in ("unsubscribe", "preferences")]
    freed = contact(engine, "b@socks.example").id
    import_enterprises(engine, tmp_path, "Liaoyuan Socks,a@socks.example,6115,EU;US;JP,en")
    import_enterprises(engine, tmp_path, "Harbin Gloves,buyer@gloves.example,6116,US,en")
    # As a database that hands ids out again would (SQLite before AUTOINCREMENT, a reset sequence):
    with Session(engine) as session:
        session.exec(update(Contact).where(col(Contact.email) == "buyer@gloves.example").values(id=freed))
        session.commit()
    client = persona(app, None)
    for response in (client.get(old_links[0]), client.post(old_links[0]), client.get(old_links[1])):
        assert response.status_code == 400 and "no longer on file" in response.text
        assert "Harbin Gloves" not in response.text
    newcomer = contact(engine, "buyer@gloves.example")
    assert newcomer.id == freed and newcomer.unsubscribed_at is None
    own = client.get(link(engine, "buyer@gloves.example", "preferences"))
    assert own.status_code == 200 and "Harbin Gloves" in own.text


# --- preferences ---------------------------------------------------------------------------


def test_preferences_link_shows_and_saves_products_and_markets(engine, app):
    client = persona(app, None)
    path = link(engine, "b@socks.example", "preferences")
    page = client.get(path)
    assert page.status_code == 200 and 'value="6115"' in page.text
    form = {"hs_codes": "6115; 6104", "markets": "EU; US; JP; GB", "language": "zh", "frequency": "weekly"}
    saved = client.post(path, data={**form, "csrf_token": csrf_of(client, path)})
    assert saved.status_code == 200 and "偏好已保存" in saved.text  # now in the new language
    with Session(engine) as session:
        markets = set(
            session.exec(select(EnterpriseMarket.market).where(EnterpriseMarket.enterprise_id == 2))
        )
    assert markets == {"EU", "US", "JP", "GB"}
    assert contact(engine, "a@socks.example").unsubscribed_at is None  # contacts are left alone


def test_preferences_refuse_bad_codes_naming_the_field(engine, app):
    client = persona(app, None)
    path = link(engine, "b@socks.example", "preferences")
    form = {"hs_codes": "socks", "markets": "US", "language": "en", "frequency": "hourly"}
    response = client.post(path, data={**form, "csrf_token": csrf_of(client, path)})
    assert response.status_code == 400
    assert "hs_codes: &#39;socks&#39; is not an HS code" in response.text and "frequency" in response.text


def test_preferences_form_needs_its_csrf_token(engine, app):
    path = link(engine, "b@socks.example", "preferences")
    form = {"hs_codes": "01", "markets": "US", "language": "en", "frequency": "weekly"}
    assert persona(app, None).post(path, data=form).status_code == 403


# --- JSON API ------------------------------------------------------------------------------


def api_token(engine, username):
    from store.db import session_scope
    from store.users import find_user, issue_api_token

    with session_scope(engine) as session:
        user = find_user(session, username=username)
        assert user is not None
        return issue_api_token(session, user, actor="test")


def test_api_needs_a_valid_bearer_token(engine, app):
    client = TestClient(app)
    assert client.get("/api/v1/alerts").status_code == 401
    assert client.get("/api/v1/alerts", headers={"Authorization": "Bearer bw_wrong"}).status_code == 401
    signed_in = persona(app, INSPECTOR)  # a session cookie is not an API credential
    assert signed_in.get("/api/v1/alerts").status_code == 401


def test_api_lists_alerts_notices_enterprises_and_cases(engine, app):
    headers = {"Authorization": f"Bearer {api_token(engine, INSPECTOR[0])}"}
    client = TestClient(app, headers=headers)
    alerts = client.get("/api/v1/alerts").json()
    assert [(a["notice_id"], a["enterprise"], a["status"]) for a in alerts] == [
        (2, "Liaoyuan Socks", "pending_review"),
        (1, "抚松地板", "pending_review"),
    ]
    notice = client.get("/api/v1/notices/1").json()
    assert notice["external_id"] == "2017-28202" and notice["tags"][0]["code"] == "441875"
    assert notice["tag_chars_read"] is None and notice["tag_error"] is None  # read whole, tagged
    # The summary line and the stage explained, in the inspector's language.
    assert notice["brief"]["summary"].startswith("United States · Anti-dumping · continuation · ")
    assert notice["brief"]["stage"]["name"] == "continuation" and notice["brief"]["deadline"] is None
    assert len(client.get("/api/v1/notices", params={"limit": 2}).json()) == 2
    socks = client.get("/api/v1/enterprises/2").json()
    assert socks["hs_codes"] == ["6115"] and set(socks["markets"]) == {"EU", "US", "JP"}
    case = client.get("/api/v1/cases").json()[0]
    assert case["case_number"] == "A-570-970" and case["notice_ids"] == [1]
    assert client.get("/api/v1/notices/999").status_code == 404


def test_api_review_approves_and_names_alerts_it_cannot_review(engine, app):
    client = TestClient(app, headers={"Authorization": f"Bearer {api_token(engine, INSPECTOR[0])}"})
    done = client.post("/api/v1/alerts/review", json={"alert_ids": [2], "decision": "approved", "note": "ok"})
    assert done.json() == {"changed": [2]}
    again = client.post("/api/v1/alerts/review", json={"alert_ids": [1, 2], "decision": "approved"})
    assert again.status_code == 409 and again.json()["detail"] == {
        "2": "status is approved, not pending_review"
    }
    assert client.get("/api/v1/alerts", params={"status": "approved"}).json()[0]["note"] == "ok"


def test_api_docs_are_for_signed_in_users_only(app):
    assert persona(app, None).get("/api/docs", follow_redirects=False).status_code == 303
    assert persona(app, None).get("/api/openapi.json", follow_redirects=False).status_code == 303
    docs = persona(app, INSPECTOR).get("/api/docs").text
    assert "GET /api/v1/alerts" in docs and "POST /api/v1/alerts/review" in docs and "CaseOut" in docs
    assert "/login" not in docs and "/enterprises/import" not in docs  # the UI's pages are not the API


def test_a_new_token_from_the_account_page_replaces_the_old_one(engine, app):
    old = api_token(engine, ADMIN[0])
    admin = persona(app, ADMIN)
    page = admin.post("/account/token", data={"csrf_token": csrf_of(admin, "/account")}).text
    new = page.split('<code class="token">')[1].split("</code>")[0]
    assert TestClient(app, headers={"Authorization": f"Bearer {new}"}).get("/api/v1/cases").status_code == 200
    assert TestClient(app, headers={"Authorization": f"Bearer {old}"}).get("/api/v1/cases").status_code == 401
    with Session(engine) as session:
        stored = session.exec(select(User.api_token_hash).where(col(User.username) == ADMIN[0])).one()
    assert stored and new not in stored


def test_admin_imports_an_xlsx_workbook(engine, app):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "email", "hs_codes", "markets", "language", "keywords"])
    sheet.append(["延边人参", "export@ginseng.example", "1211.20", "KR; JP", "zh", "人参"])
    content = BytesIO()
    workbook.save(content)
    admin = persona(app, ADMIN)
    response = admin.post(
        "/enterprises/import",
        data={"csrf_token": csrf_of(admin, "/enterprises/import")},
        files={"file": ("firms.xlsx", content.getvalue(), "application/octet-stream")},
    )
    assert "1 created, 0 updated" in response.text and "延边人参" in response.text


def test_import_refuses_other_kinds_of_file(app):
    admin = persona(app, ADMIN)
    response = admin.post(
        "/enterprises/import",
        data={"csrf_token": csrf_of(admin, "/enterprises/import")},
        files={"file": ("firms.pdf", b"%PDF-1.7", "application/pdf")},
    )
    assert response.status_code == 400 and "expected a .csv or .xlsx file" in response.text


# --- the account commands ------------------------------------------------------------------


def test_users_add_takes_the_password_from_the_environment_and_token_prints_once(engine, app, monkeypatch):
    monkeypatch.setenv("BW_NEW_PASSWORD", "a-password-from-env")
    added = runner.invoke(cli_app, ["users", "add", "wang", "--role", "admin", "--language", "en"])
    assert added.exit_code == 0, added.output
    assert persona(app, ("wang", "a-password-from-env")).get("/users").status_code == 200
    issued = runner.invoke(cli_app, ["users", "token", "wang"])
    token = issued.stdout.strip().splitlines()[-1]
    assert token.startswith("bw_")
    assert (
        TestClient(app, headers={"Authorization": f"Bearer {token}"}).get("/api/v1/cases").status_code == 200
    )


def test_users_add_refuses_a_short_password_and_an_unknown_role(engine):
    short = runner.invoke(cli_app, ["users", "add", "zhao", "--role", "admin"], input="short\nshort\n")
    assert short.exit_code == 1 and "too short" in short.output
    unknown = runner.invoke(
        cli_app, ["users", "add", "zhao", "--role", "boss"], env={"BW_NEW_PASSWORD": "x" * 12}
    )
    assert unknown.exit_code == 2
    assert runner.invoke(cli_app, ["users", "token", "nobody"]).exit_code == 1

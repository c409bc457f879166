"""Ids no row can have, and a database that cannot answer: the UI answers
404 or 503 pages and the API 422 or 503, never a 500 (a TestClient raises
any server error, so a crash fails these tests)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import event

from config import Settings
from store.db import make_engine, open_database
from store.users import find_user, issue_api_token
from tests.web_personas import ADMIN, CHEAP_HASHER, INSPECTOR, build_app, csrf_of, persona, sign_in
from web.app import create_app

HUGE_IDS = [2**63, 2**63 + 1, 2**64, 2**31, 10**30]
_PARAM = re.compile(r"\{[a-z_]+_id\}")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


@pytest.fixture
def app(engine):
    return build_app(engine)


def every_route(routes, prefix=""):
    """Every APIRoute, also inside included routers (FastAPI 0.16x keeps those
    as wrappers in ``app.routes``, so a flat look at it finds none)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route.methods or set()
        elif hasattr(route, "original_router"):
            yield from every_route(route.original_router.routes, prefix + route.include_context.prefix)


def id_routes(app, method):
    return [path for path, methods in every_route(app.routes) if method in methods and _PARAM.search(path)]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_pages_with_an_id_no_row_can_have_are_not_found(app, huge):
    admin = persona(app, ADMIN)
    pages = [p for p in id_routes(app, "GET") if not p.startswith("/api/")]
    assert len(pages) >= 4
    for path in pages:
        response = admin.get(_PARAM.sub(str(huge), path))
        assert response.status_code == 404, path
        assert "There is no such record." in response.text
    token = csrf_of(admin, "/")
    for path in id_routes(app, "POST"):
        response = admin.post(_PARAM.sub(str(huge), path), data={"csrf_token": token, "code": "4418"})
        assert response.status_code == 404, path


def test_an_api_id_no_row_can_have_is_refused_naming_the_parameter(engine, app):
    from sqlmodel import Session

    with Session(engine) as session:
        user = find_user(session, username=INSPECTOR[0])
        assert user is not None
        token = issue_api_token(session, user, actor="test")
        session.commit()
    client = persona(app, None)
    client.headers["Authorization"] = f"Bearer {token}"
    for path in id_routes(app, "GET"):
        if path.startswith("/api/"):
            response = client.get(_PARAM.sub(str(2**63), path))
            assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "path", path
            assert client.get(_PARAM.sub("2147483647", path)).status_code == 404, path
    assert client.get(f"/api/v1/notices?limit={2**63}").status_code == 422
    review = client.post("/api/v1/alerts/review", json={"alert_ids": [2**63], "decision": "approved"})
    assert review.status_code == 422


def test_forms_and_queries_with_huge_numbers_change_nothing_and_do_not_crash(app):
    inspector = persona(app, INSPECTOR)
    token = csrf_of(inspector, "/")
    form = {"csrf_token": token, "decision": "approved", "alert_id": [str(2**63), "²", "1" * 40]}
    response = inspector.post("/alerts/review", data=form, follow_redirects=False)
    assert response.status_code in (303, 200)
    assert inspector.get(f"/audit?before={2**63}").status_code == 422


def test_a_sign_in_while_the_database_is_locked_gets_a_clear_page(tmp_path):
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    setup = open_database(url)
    build_app(setup)  # accounts and a scenario in the database
    setup.dispose()
    engine = make_engine(url)
    # The default busy timeout is 10 s; the test waits a tenth of a second for the lock.
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=100"))
    app = create_app(Settings(database_url=url), engine)
    client = persona(app, None)
    token = csrf_of(client)
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing: a long import, a backup
    try:
        response = client.post(
            "/login", data={"username": INSPECTOR[0], "password": INSPECTOR[1], "csrf_token": token}
        )
        api = client.get("/api/v1/alerts", headers={"Authorization": "Bearer bw_x"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "10"
    assert "The database is busy or unavailable just now; nothing was changed." in response.text
    assert api.status_code in (401, 503)
    assert sign_in(client, *INSPECTOR).status_code == 303  # once the lock is gone
    engine.dispose()


def test_a_nul_character_in_a_query_or_a_note_is_refused_not_a_crash(engine, app):
    inspector = persona(app, INSPECTOR)
    listed = inspector.get("/?source=wto%00eping&country=U%00")
    form = {"csrf_token": csrf_of(inspector, "/"), "decision": "note", "alert_id": ["1"], "note_1": "ok\x00"}
    noted = inspector.post("/alerts/review", data=form, follow_redirects=False)
    if engine.dialect.name == "postgresql":  # PostgreSQL text cannot hold NUL
        assert listed.status_code == 422 and noted.status_code == 422
        assert "cannot be stored or searched for" in noted.text
    else:
        assert listed.status_code == 200 and noted.status_code in (200, 303)

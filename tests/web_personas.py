"""Personas for the web tests: an anonymous visitor, an inspector and an
admin, each a TestClient over the same app and the same real database."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import pipeline
from config import Settings
from store.db import session_scope
from store.users import add_user
from tests import scenario
from web.app import create_app

INSPECTOR = ("ina", "inspector-password")
ADMIN = ("ada", "admin-password-1")
# Real argon2id with the smallest cost: the production cost (about 0.3 s a
# hash here) would make every persona's sign-in the slowest part of a test.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_app(engine: Engine, settings: Settings | None = None):
    """The scenario's notices, enterprises and pending alerts, two accounts, and the app."""
    settings = settings or Settings()
    scenario.load(engine)
    pipeline.match(engine, settings, scenario.NOW)
    with session_scope(engine) as session:
        add_user(
            session, username=INSPECTOR[0], password=INSPECTOR[1], role="inspector", language="en", actor="t"
        )
        add_user(session, username=ADMIN[0], password=ADMIN[1], role="admin", language="en", actor="t")
    return create_app(settings, engine)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page of ``path`` carries in its forms."""
    found = _CSRF.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(client), "next": "/"},
        follow_redirects=False,
    )


def persona(app, credentials: tuple[str, str] | None) -> TestClient:
    client = TestClient(app, headers={"Accept-Language": "en-GB,en;q=0.8"})
    if credentials:
        assert sign_in(client, *credentials).status_code == 303
    return client

"""An enterprise serves itself through the link in its mails (/p/TOKEN):
keywords and followed cases, an HS code found by product name, and an
unsubscribe that says what it stops and can be undone."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from alerts.tokens import make_token
from config import Settings
from store.models import AuditEvent, Contact, Enterprise
from tests.web_personas import CHEAP_HASHER, build_app, persona


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


@pytest.fixture
def app(engine):
    return build_app(engine)


def link(engine, email, purpose):
    with Session(engine) as session:
        found = session.exec(select(Contact).where(Contact.email == email)).one()
    assert found.id is not None
    return f"/{purpose[0]}/{make_token(Settings().signing_key(), found.id, found.link_secret, purpose)}"


def form_of(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    fields["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    fields.update(language="en", frequency="weekly")
    return fields


def test_keywords_and_followed_cases_are_saved_and_audited(engine, app):
    visitor, path = persona(app, None), link(engine, "a@socks.example", "preferences")
    form = {
        **form_of(visitor.get(path).text),
        "keywords": "apparel; dyes",
        "followed_cases": "A-570-970; AD712",
    }
    saved = visitor.post(path, data=form)
    assert saved.status_code == 200 and "Preferences saved." in saved.text
    with Session(engine) as session:
        socks = session.exec(select(Enterprise).where(Enterprise.name == "Liaoyuan Socks")).one()
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "enterprise.preferences")).one()
    assert socks.keywords == ["apparel", "dyes"] and socks.followed_cases == ["A-570-970", "AD712"]
    assert set(event.detail) == {"keywords", "followed_cases"}


def test_a_case_number_that_is_none_is_refused_naming_it(engine, app):
    visitor, path = persona(app, None), link(engine, "a@socks.example", "preferences")
    form = {**form_of(visitor.get(path).text), "followed_cases": "A-570-970; please follow flooring"}
    refused = visitor.post(path, data=form)
    assert refused.status_code == 400 and "followed_cases" in refused.text
    assert "&#39;please follow flooring&#39; is not a case number" in refused.text
    with Session(engine) as session:
        socks = session.exec(select(Enterprise).where(Enterprise.name == "Liaoyuan Socks")).one()
    assert socks.followed_cases == []


@pytest.mark.parametrize(
    ("product", "code"),
    [("socks", "6115"), ("短袜", "6115"), ("木地板", "4418.75"), ("wood flooring", "4418")],
)
def test_an_hs_code_is_found_by_product_name_in_either_language(engine, app, product, code):
    visitor = persona(app, None)
    page = visitor.get(link(engine, "a@socks.example", "preferences"), params={"product": product}).text
    assert re.search(rf"<td>{re.escape(code)}[.\d]*</td>", page), page[page.find("hs-lookup") :][:500]


def test_unsubscribe_says_what_it_stops_and_can_be_undone(engine, app):
    visitor, path = persona(app, None), link(engine, "a@socks.example", "unsubscribe")
    asking = visitor.get(path).text
    assert "the critical alerts sent at once" in asking and "Other addresses of Liaoyuan Socks" in asking
    done = visitor.post(path, content=b"List-Unsubscribe=One-Click")
    token = re.search(r'name="csrf_token" value="([^"]+)"', done.text).group(1)  # type: ignore[union-attr]
    again = visitor.post(f"{path}/resubscribe", data={"csrf_token": token})
    assert "will receive BarrierWatch mails again" in again.text
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.email == "a@socks.example")).one()
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert contact.unsubscribed_at is None and actions[-2:] == [
        "contact.unsubscribed",
        "contact.resubscribed",
    ]


def test_the_preferences_page_offers_to_resubscribe(engine, app):
    visitor = persona(app, None)
    visitor.post(link(engine, "a@socks.example", "unsubscribe"), content=b"List-Unsubscribe=One-Click")
    path = link(engine, "a@socks.example", "preferences")
    page = visitor.get(path).text
    assert "is unsubscribed: it receives no digests and no critical alerts" in page
    visitor.post(f"{path}/resubscribe", data={"csrf_token": form_of(page)["csrf_token"]})
    assert "is unsubscribed" not in visitor.get(path).text


def test_a_reimport_keeps_the_enterprises_own_newer_change_and_reports_it(engine, app, tmp_path):
    import pipeline
    from alerts.enterprises import export_enterprises

    settings = Settings()
    with Session(engine) as session:  # the bureau's file, exported before the enterprise's change
        rows = [r for r in export_enterprises(session) if r["name"] == "Liaoyuan Socks"]
    path = tmp_path / "enterprises.csv"
    header = ["name", "email", "hs_codes", "markets", "language", "keywords", "followed_cases"]
    lines = [",".join(header)] + [
        ",".join("; ".join(r[k]) if isinstance(r[k], list) else str(r[k] or "") for k in header) for r in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pipeline.import_enterprises(engine, settings, path)  # the last import
    visitor, link_path = persona(app, None), link(engine, "a@socks.example", "preferences")
    form = {**form_of(visitor.get(link_path).text), "keywords": "apparel; dyes"}
    assert visitor.post(link_path, data=form).status_code == 200
    again = pipeline.import_enterprises(engine, settings, path)  # the same old file
    assert len(again.conflicts) == 1 and "Liaoyuan Socks, field 'keywords'" in again.conflicts[0]
    with Session(engine) as session:
        socks = session.exec(select(Enterprise).where(Enterprise.name == "Liaoyuan Socks")).one()
    assert socks.keywords == ["apparel", "dyes"]

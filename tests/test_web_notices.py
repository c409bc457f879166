"""Finding notices: full-text search and filters through one query function
(FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL), the notices page,
its exports, the API and ``notices list``."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli import app as cli_app
from nlp.classify import classify_pending
from nlp.tagger import CodeTagger
from store.db import session_scope
from store.models import Notice
from store.notices import NoticeRecord, save_notices
from store.search import NoticeQuery, fts5_query, search_notices
from store.users import find_user, issue_api_token
from tests.web_personas import CHEAP_HASHER, INSPECTOR, build_app, persona

# Deadlines count from the inspectors' day (BW_TIMEZONE, Asia/Shanghai by default), not UTC's.
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
DYES = NoticeRecord(
    source="wto_eping",
    external_id="G/TBT/N/EU/1100",
    doc_type="tbt",
    country="EU",
    title="Azo dyes in textile articles",
    text="Restriction of azo colourants in socks and hosiery, HS 6115.",
    published_on=date(2026, 10, 1),
    comment_deadline=TODAY + timedelta(days=20),
    publisher_hs_codes=("611595",),
)
MENTIONS_DYES = NoticeRecord(
    source="wto_eping",
    external_id="G/TBT/N/JPN/900",
    doc_type="tbt",
    country="JP",
    title="Household goods labelling",
    text="Covers labelling of goods; mentions a dye once.",
    published_on=date(2026, 11, 1),
    comment_deadline=TODAY + timedelta(days=90),
)
FORMULA = NoticeRecord(
    source="wto_eping",
    external_id="G/SPS/N/USA/7",
    doc_type="sps",
    country="US",
    title='=HYPERLINK("http://evil.example","click") apples',
    published_on=date(2025, 5, 5),
)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("store.users._HASHER", CHEAP_HASHER)


@pytest.fixture
def app(engine):
    built = build_app(engine)
    with session_scope(engine) as session:
        save_notices(session, [DYES, MENTIONS_DYES, FORMULA])
    with session_scope(engine) as session:
        classify_pending(session, CodeTagger())
    return built


@pytest.fixture
def api(engine, app):
    with session_scope(engine) as session:
        user = find_user(session, username=INSPECTOR[0])
        assert user is not None
        token = issue_api_token(session, user, actor="test")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [n["external_id"] for n in response.json()]


def test_words_are_stemmed_and_ranked_title_first(api):
    assert ids(api.get("/api/v1/notices", params={"q": "dye"})) == ["G/TBT/N/EU/1100", "G/TBT/N/JPN/900"]
    assert ids(api.get("/api/v1/notices", params={"q": "azo hosiery"})) == ["G/TBT/N/EU/1100"]
    assert ids(api.get("/api/v1/notices", params={"q": "dye nothinglikethis"})) == []


def test_case_numbers_and_references_are_found_as_written(api):
    assert ids(api.get("/api/v1/notices", params={"q": "G/TBT/N/JPN/900"})) == ["G/TBT/N/JPN/900"]
    assert ids(api.get("/api/v1/notices", params={"case_number": "a-570-970"})) == ["2017-28202"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "eu"}, ["G/TBT/N/EU/1100"]),
        ({"doc_type": "sps"}, ["G/SPS/N/USA/7", "G/SPS/N/JPN/1"]),
        ({"hs": "44"}, ["2017-28202"]),
        ({"hs": "4418.75"}, ["2017-28202"]),
        ({"hs": "6115", "country": "EU"}, ["G/TBT/N/EU/1100"]),
        ({"source": "us_federalregister_adcvd"}, ["2017-28202"]),
        ({"published_from": "2026-01-01", "published_to": "2026-10-31"}, ["G/TBT/N/EU/1100"]),
        ({"deadline_within": "30"}, ["G/TBT/N/EU/1100"]),
        ({"q": "dye", "deadline_within": "100"}, ["G/TBT/N/EU/1100", "G/TBT/N/JPN/900"]),
    ],
)
def test_filters_combine(api, params, expected):
    assert ids(api.get("/api/v1/notices", params=params)) == expected


def test_paging_gives_the_total(api):
    first = api.get("/api/v1/notices", params={"limit": 2})
    second = api.get("/api/v1/notices", params={"limit": 2, "offset": 2})
    assert first.headers["X-Total-Count"] == "6" and len(first.json()) == 2
    assert not {n["id"] for n in first.json()} & {n["id"] for n in second.json()}


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"hs": "44x"}, "hs"),
        ({"published_from": "yesterday"}, "published_from"),
        ({"deadline_within": "-3"}, "deadline_within"),
        ({"country": "Germany"}, "country"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_a_parameter_not_understood_is_named(api, params, named):
    response = api.get("/api/v1/notices", params=params)
    assert response.status_code == 422 and response.json()["detail"].startswith(f"{named}:")


def test_words_that_are_fts_syntax_are_only_words(api):
    for q in ['"', "AND OR NOT", "title:*", "(", "NEAR(a b)", "^x", "-", "a*b"]:
        assert api.get("/api/v1/notices", params={"q": q}).status_code == 200, q
    assert fts5_query('say "hi" NEAR(x)') == '"say" "hi" "NEAR x"'


def test_index_follows_inserts_revisions_and_deletions(engine, app):
    def found(words):
        with Session(engine) as session:
            page = search_notices(session, NoticeQuery(q=words), today=TODAY)
            return [n.external_id for n in page.notices]

    with session_scope(engine) as session:
        save_notices(session, [NoticeRecord(**{**DYES.__dict__, "title": "Phthalates in toys"})])
    assert found("phthalates") == ["G/TBT/N/EU/1100"]
    assert found("azo") == ["G/TBT/N/EU/1100"]  # still in its text
    assert found("colourants textile") == []  # the old title is gone from the index
    with session_scope(engine) as session:
        notice = session.exec(select(Notice).where(Notice.external_id == "G/SPS/N/USA/7")).one()
        session.delete(notice)
    assert found("apples") == []


def test_migration_backfills_notices_saved_before_it(engine):
    with session_scope(engine) as session:
        save_notices(session, [DYES])
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:  # as if the notices came before the index
            connection.execute(text("INSERT INTO notice_fts(notice_fts) VALUES ('delete-all')"))
            connection.execute(text("INSERT INTO notice_fts(notice_fts) VALUES ('rebuild')"))
    with Session(engine) as session:
        assert search_notices(session, NoticeQuery(q="azo"), today=TODAY).total == 1


def test_notices_page_searches_and_pages(app):
    client = persona(app, INSPECTOR)
    page = client.get("/notices", params={"q": "dyes", "limit": 1})
    assert page.status_code == 200
    assert "Azo dyes in textile articles" in page.text and "Household goods" not in page.text
    assert "2 notices found." in page.text and 'rel="next"' in page.text
    refused = client.get("/notices", params={"hs": "forty-four"})
    assert refused.status_code == 422 and 'class="error"' in refused.text and "hs:" in refused.text


def test_export_is_the_current_result_with_formulas_neutralised(app):
    client = persona(app, INSPECTOR)
    workbook = client.get("/notices/export", params={"format": "xlsx", "doc_type": "sps"})
    assert workbook.status_code == 200 and workbook.headers["X-Total-Count"] == "2"
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("ID", "Reference", "Kind code")
    assert [r[1] for r in rows[1:]] == ["G/SPS/N/USA/7", "G/SPS/N/JPN/1"]
    assert rows[1][6].startswith("'=HYPERLINK")
    table = client.get("/notices/export", params={"format": "csv", "q": "apples"})
    parsed = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert len(parsed) == 2 and parsed[1][6].startswith("'=HYPERLINK")
    assert client.get("/notices/export", params={"format": "pdf"}).status_code == 422


def test_cli_lists_searches_and_writes_files(engine, app, tmp_path):
    runner = CliRunner()
    listed = runner.invoke(cli_app, ["notices", "list", "--q", "dye", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert [n["external_id"] for n in json.loads(listed.stdout)] == ["G/TBT/N/EU/1100", "G/TBT/N/JPN/900"]
    out = tmp_path / "found.xlsx"
    written = runner.invoke(
        cli_app, ["notices", "list", "--kind", "sps", "--format", "xlsx", "--out", str(out)]
    )
    assert written.exit_code == 0 and "2 notices written" in written.output
    assert load_workbook(out).active.max_row == 3
    refused = runner.invoke(cli_app, ["notices", "list", "--hs", "abc"])
    assert refused.exit_code != 0 and "--hs" in refused.output

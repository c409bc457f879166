"""Fuzzing the boundaries: malformed input gives a clear error, never a crash or a partial write;
untrusted text is escaped in mail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

import pipeline
from alerts.emails import DigestItem, alerts_context, render_mail, safe_link
from alerts.enterprises import read_enterprises
from alerts.mail import encode_mail
from config import Settings
from crawler.feeds.reader import FeedProblem, parse_feed
from crawler.importers import read_notices
from store.db import open_database
from store.errors import InputError
from store.models import Enterprise, Notice

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
notice_like = st.fixed_dictionaries(
    {},
    optional={
        key: json_values | st.text(max_size=40)
        for key in (
            "id",
            "source",
            "doc_type",
            "country",
            "title",
            "text",
            "url",
            "published",
            "hs_codes",
            "case_numbers",
            "comment_deadline",
            "subject_countries",
        )
    },
)


@FUZZ
@given(lines=st.lists(notice_like | json_values | st.text(max_size=60), min_size=1, max_size=6))
def test_any_jsonl_is_read_whole_or_refused_with_line_and_field(tmp_path, lines):
    path = tmp_path / "fuzz.jsonl"
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines), encoding="utf-8"
    )
    try:
        records = read_notices(path)
    except InputError as exc:
        assert exc.problems and all(p.where.startswith(("line", "file")) for p in exc.problems)
        return
    assert all(r.title and r.external_id and len(r.country) == 2 for r in records)


@FUZZ
@given(body=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_malformed_feeds_are_refused_with_a_feed_problem(body):
    try:
        parse_feed(body, "application/rss+xml")
    except FeedProblem as exc:
        assert str(exc)


@FUZZ
@given(rows=st.lists(st.lists(st.text(max_size=20), min_size=0, max_size=7), max_size=5))
def test_any_enterprise_csv_is_read_whole_or_refused_with_row_and_field(tmp_path, rows):
    path = tmp_path / "enterprises.csv"
    text = "name,email,hs_codes,markets,language\n" + "\n".join(",".join(r) for r in rows)
    path.write_bytes(text.encode("utf-8", "replace"))
    try:
        profiles = read_enterprises(path, "CN")
    except InputError as exc:
        assert all(p.where.startswith(("row", "header", "file")) for p in exc.problems)
        return
    assert all(p.products and p.markets and p.emails for p in profiles)


def test_a_refused_file_writes_nothing_even_after_good_lines(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'fuzz.db'}")
    good = {"id": "A/1", "source": "s", "doc_type": "tbt", "country": "US", "title": "t"}
    path = tmp_path / "half.jsonl"
    path.write_text(json.dumps(good) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        pipeline.ingest_file(engine, path)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Notice)).one() == 0


hostile = st.text(alphabet=st.sampled_from(list("<>\"'&\r\n/ascriptonerlf:=()Bc")), min_size=1, max_size=60)


@FUZZ
@given(title=hostile, note=hostile, url=hostile)
def test_hostile_notice_text_is_escaped_and_cannot_add_headers(title, note, url):
    item = DigestItem(
        alert_id=1,
        severity="high",
        title="<script>x</script>" + title,
        country="US",
        kind="TBT",
        products=[],
        reason=note,
        message=note,
        url=safe_link(url),
        summary=title,
    )
    context = {
        **alerts_context([item], Enterprise(name="X", language="en"), "weekly", "2026-W48"),
        "unsubscribe_url": "http://u",
        "preferences_url": "http://p",
    }
    subject, text, html = render_mail(Settings().templates_dir, "digest", "en", context)
    assert "<script>" not in html and "javascript:" not in html.lower().replace(" ", "")
    mail = encode_mail(
        subject=subject + title,
        text=text,
        html=html,
        sender="a@b.example",
        recipient="c@d.example",
        message_id="<m@b.example>",
        sent_at=datetime(2026, 11, 25, tzinfo=UTC),
    )
    parsed = message_from_bytes(mail.data, policy=policy.default)
    assert set(parsed.keys()) == {
        "Content-Type",
        "MIME-Version",
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
        "Auto-Submitted",
    }

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from store.db import DatabaseOutdated, current_revision, head_revision, make_engine, open_database
from store.models import Notice, Source


def test_empty_database_is_initialised_on_first_use(database_url):
    engine = open_database(database_url)
    assert current_revision(engine) == head_revision()
    assert {"notice", "alert", "delivery", "enterprise"} <= set(inspect(engine).get_table_names())


def test_outdated_schema_stops_with_the_upgrade_command(database_url):
    engine = open_database(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(DatabaseOutdated, match="barrierwatch db upgrade"):
        open_database(database_url)


def test_foreign_tables_without_version_are_not_touched(database_url):
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE payroll (id INTEGER PRIMARY KEY)"))
    with pytest.raises(DatabaseOutdated, match="empty database"):
        open_database(database_url)


def test_timestamps_come_back_utc_aware(engine):
    shanghai = timezone(timedelta(hours=8))
    written = datetime(2026, 11, 25, 9, 30, tzinfo=shanghai)
    with Session(engine) as session:
        session.add(Source(slug="s", kind="file", last_success_at=written))
        session.commit()
        session.expunge_all()
        read = session.exec(select(Source)).one().last_success_at
    assert read == written
    assert read.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(engine):
    with Session(engine) as session:
        session.add(Source(slug="s", kind="file", last_success_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()


def test_same_source_and_external_id_cannot_be_stored_twice(engine):
    def notice():
        return Notice(
            source="s", external_id="X/1", doc_type="tbt", country="US", title="t", content_hash="h"
        )

    with Session(engine) as session:
        session.add(notice())
        session.commit()
        session.add(notice())
        with pytest.raises(Exception, match=r"(?i)unique"):
            session.commit()

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, col, select

from store.db import DatabaseOutdated, current_revision, head_revision, make_engine, open_database, upgrade
from store.models import Contact, Notice, Run, Source


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


def test_db_upgrade_brings_an_older_schema_with_data_to_the_current_one(database_url):
    engine = make_engine(database_url)
    from alembic import command

    from store.db import _alembic_config

    command.upgrade(_alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO run (stage, started_at, status, counts) VALUES ('ingest', "
                "CURRENT_TIMESTAMP, 'ok', '{}')"
            )
        )
    with pytest.raises(DatabaseOutdated):
        open_database(database_url)
    before, after = upgrade(engine)
    assert (before, after) == ("0001", head_revision())
    with Session(open_database(database_url)) as session:
        [run] = session.exec(select(Run)).all()
    assert run.stage == "ingest" and run.flagged is False


def test_upgrade_gives_each_contact_a_link_secret_and_keeps_ids_from_coming_back(database_url):
    engine = make_engine(database_url)
    from alembic import command

    from store.db import _alembic_config

    command.upgrade(_alembic_config(engine), "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO enterprise (name, home_country, keywords, followed_cases, language, "
                "frequency, active, created_at, updated_at) VALUES ('Fusong', 'CN', '[]', '[]', 'zh', "
                "'weekly', true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        for email in ("a@fusong.example", "b@fusong.example", "c@fusong.example"):
            conn.execute(text("INSERT INTO contact (enterprise_id, email) VALUES (1, :e)"), {"e": email})
    upgrade(engine)
    with Session(open_database(database_url)) as session:
        contacts = session.exec(select(Contact).order_by(col(Contact.id))).all()
        assert len({c.link_secret for c in contacts}) == 3 and all(len(c.link_secret) >= 16 for c in contacts)
        session.delete(contacts[-1])
        session.commit()
        session.add(Contact(enterprise_id=1, email="d@fusong.example"))
        session.commit()
        newest = session.exec(select(Contact).where(Contact.email == "d@fusong.example")).one()
    assert newest.id is not None and newest.id > 3


def test_migration_0008_keeps_existing_notes_internal_and_starts_messages_empty(database_url):
    from alembic import command

    from store.db import _alembic_config
    from store.models import Alert, Enterprise, Notice

    engine = open_database(database_url)
    with Session(engine) as session:
        notice = Notice(
            source="s", external_id="1", doc_type="tbt", country="US", title="t", content_hash="h"
        )
        enterprise = Enterprise(name="e")
        session.add_all([notice, enterprise])
        session.flush()
        assert notice.id is not None and enterprise.id is not None
        session.add(
            Alert(
                notice_id=notice.id,
                enterprise_id=enterprise.id,
                severity="high",
                reason="r",
                note="周审核通过",
            )
        )
        session.commit()
    command.downgrade(_alembic_config(engine), "0007")  # a database from before the message column
    upgrade(engine)
    with Session(open_database(database_url)) as session:
        [alert] = session.exec(select(Alert)).all()
    assert (alert.note, alert.message) == ("周审核通过", None)

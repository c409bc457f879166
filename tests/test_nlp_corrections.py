"""Inspector corrections become training notices."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from nlp.corpus import LabelledNotice
from nlp.corrections import inspector_corrections
from nlp.train import train_model
from store.models import Notice, Tag, TagMethod
from tests.nlp_fixtures import TOY_OVERRIDES, toy_notices


def add_notice(session: Session, external_id: str, title: str) -> int:
    notice = Notice(
        source="test",
        external_id=external_id,
        doc_type="tbt",
        country="US",
        title=title,
        content_hash=external_id,
    )
    session.add(notice)
    session.commit()
    assert notice.id is not None
    return notice.id


def test_only_inspector_tags_make_corrections(engine: Engine) -> None:
    with Session(engine) as session:
        corrected = add_notice(session, "N/1", "Knitted socks for children")
        machine_only = add_notice(session, "N/2", "Steel pipe")
        session.add(
            Tag(notice_id=corrected, code="6115", method=TagMethod.INSPECTOR, model_version="inspector")
        )
        session.add(
            Tag(notice_id=corrected, code="6111", method=TagMethod.INSPECTOR, model_version="inspector")
        )
        session.add(Tag(notice_id=corrected, code="61", method=TagMethod.MODEL, model_version="m"))
        session.add(Tag(notice_id=machine_only, code="7306", method=TagMethod.EXPLICIT, model_version="m"))
        session.commit()
        corrections = inspector_corrections(session)
    assert [(c.id, c.codes, c.chapters) for c in corrections] == [
        ("test:N/1", ("6111", "6115"), frozenset({"61"}))
    ]


def test_corrections_change_the_model_version(tmp_path: Path) -> None:
    notices = toy_notices()[:60]
    plain = train_model(tmp_path / "a", labelled=notices, overrides=TOY_OVERRIDES, log=lambda _: None)
    correction = LabelledNotice("test:N/1", "Knitted socks", "", ("6115",), "en")
    corrected = train_model(
        tmp_path / "b",
        labelled=notices,
        corrections=[correction],
        overrides=TOY_OVERRIDES,
        log=lambda _: None,
    )
    assert corrected.version != plain.version
    assert corrected.metrics["data"]["corrections"] == 1

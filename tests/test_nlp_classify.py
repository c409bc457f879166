"""The classify stage with the spaCy tagger: idempotent, inspector tags kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from nlp.classify import MAX_TAGGED_CHARS, classify_pending
from nlp.model import PipelineTagger
from nlp.tagger import CodeTagger, load_tagger
from nlp.train import TrainingResult
from store.models import Notice, Tag, TagMethod
from tests.nlp_fixtures import toy_model

__all__ = ["toy_model"]  # the shared fixture


def add_notices(session: Session) -> list[int]:
    notices = [
        Notice(
            source="test",
            external_id="G/TBT/N/USA/1",
            doc_type="tbt",
            country="US",
            title="Formaldehyde emission standards for hardwood plywood",
            text="Products covered: plywood (HS code(s): 4412)",
            publisher_hs_codes=["4412"],
            content_hash="a",
        ),
        Notice(
            source="test",
            external_id="A-570-1",
            doc_type="antidumping",
            country="US",
            title="Circular welded carbon steel pipe from China",
            text="The merchandise is classified under HTSUS 7306.30.1000.",
            content_hash="b",
        ),
    ]
    session.add_all(notices)
    session.commit()
    return [n.id for n in notices if n.id is not None]


def tags_of(session: Session) -> list[tuple[int, str, str, str]]:
    rows = session.exec(select(Tag).order_by(col(Tag.notice_id), col(Tag.code), col(Tag.method))).all()
    return [(t.notice_id, t.code, t.method, t.model_version) for t in rows]


def test_classify_twice_tags_once(engine: Engine, toy_model: tuple[Path, TrainingResult]) -> None:
    tagger = PipelineTagger.load(toy_model[0])
    with Session(engine) as session:
        add_notices(session)
        first = classify_pending(session, tagger)
        tags = tags_of(session)
        second = classify_pending(session, tagger)
        assert first.notices == 2 and first.tags == len(tags) > 0
        assert second.notices == 0 and tags_of(session) == tags
        assert {version for *_, version in tags} == {tagger.version}
        assert ("4412", "publisher") in {(code, method) for _, code, method, _ in tags}


def test_a_new_model_retags_but_keeps_inspector_tags(
    engine: Engine, toy_model: tuple[Path, TrainingResult]
) -> None:
    with Session(engine) as session:
        first_id = add_notices(session)[0]
        classify_pending(session, CodeTagger())
        session.add(
            Tag(notice_id=first_id, code="4418", method=TagMethod.INSPECTOR, model_version="inspector")
        )
        session.commit()
        tagger = PipelineTagger.load(toy_model[0])
        assert classify_pending(session, tagger).notices == 2
        versions = {
            (code, method): version for nid, code, method, version in tags_of(session) if nid == first_id
        }
        assert versions[("4418", "inspector")] == "inspector"
        assert {v for (_, m), v in versions.items() if m != "inspector"} == {tagger.version}


def test_load_tagger_falls_back_to_written_codes_without_a_model(tmp_path: Path) -> None:
    assert isinstance(load_tagger(tmp_path / "no-model"), CodeTagger)


def test_load_tagger_uses_a_trained_model(toy_model: tuple[Path, TrainingResult]) -> None:
    tagger = load_tagger(toy_model[0])
    assert isinstance(tagger, PipelineTagger) and toy_model[1].version in tagger.version


def test_a_notice_of_a_million_and_a_half_characters_is_tagged_from_its_start_and_end(
    engine: Engine, toy_model: tuple[Path, TrainingResult]
) -> None:
    tagger = PipelineTagger.load(toy_model[0])
    filler = "The measure applies to the products listed in the annex of this regulation. " * 20_000
    with Session(engine) as session:
        add_notices(session)
        huge = Notice(
            source="test",
            external_id="2026-99999",
            doc_type="antidumping",
            country="US",
            title="Wooden bedroom furniture from China: final results",
            text="Merchandise under HTSUS 9403.50.9042. " + filler + " Also HTSUS 4418.75.4000.",
            content_hash="c",
        )
        session.add(huge)
        session.commit()
        assert len(huge.text) > 1_500_000
        result = classify_pending(session, tagger)
        codes = {code for nid, code, *_ in tags_of(session) if nid == huge.id}
        session.refresh(huge)
    assert result.notices == 3 and result.failed == 0
    assert {"9403", "4418"} <= {code[:4] for code in codes}  # read at its start and its end
    assert huge.tag_chars_read is not None and huge.tag_chars_read <= MAX_TAGGED_CHARS
    assert huge.tag_error is None and huge.tagger_version == tagger.version


def test_a_notice_the_tagger_fails_on_is_recorded_and_the_others_are_tagged(
    engine: Engine, toy_model: tuple[Path, TrainingResult]
) -> None:
    tagger = PipelineTagger.load(toy_model[0])
    tagger.nlp.max_length = 1_000  # spaCy then refuses the long notice below (error E088)
    with Session(engine) as session:
        first, second = add_notices(session)
        session.add(
            Notice(
                source="test",
                external_id="G/TBT/N/EU/2",
                doc_type="tbt",
                country="EU",
                title="Toys",
                text="Toy safety requirements. " * 100,
                content_hash="d",
            )
        )
        session.commit()
        result = classify_pending(session, tagger)
        again = classify_pending(session, tagger)
        failed = session.exec(select(Notice).where(Notice.external_id == "G/TBT/N/EU/2")).one()
        tagged = {nid for nid, *_ in tags_of(session)}
    assert (result.notices, result.failed) == (3, 1) and again.notices == 0
    assert {first, second} <= tagged and failed.id not in tagged
    assert failed.tag_error is not None and "E088" in failed.tag_error

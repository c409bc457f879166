import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

import pipeline
from crawler.importers import read_eping_xlsx, read_notices
from store.errors import InputError
from store.models import Case, CaseNotice, Notice, NoticeVersion
from tests.hostile_workbooks import declared_dimension, unpacking_bomb

DEMO = Path(__file__).resolve().parents[1] / "demo"
EPING = DEMO / "eping-export-search-results-2025-06-sample.xlsx"


def notice(**fields):
    base = {
        "id": "G/TBT/N/USA/2208",
        "source": "wto_eping",
        "doc_type": "tbt",
        "country": "US",
        "title": "Dibutyl Phthalate (DBP); Draft Risk Evaluation",
        "text": "HS 3917",
        "published": "2025-06-10",
    }
    return {**base, **fields}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_jsonl_fields_are_validated_into_records(tmp_path):
    path = write_jsonl(
        tmp_path / "n.jsonl",
        [notice(hs_codes=["3917.21"], subject_countries="CN; VN", comment_deadline="2025-08-04 00:00:00")],
    )
    [record] = read_notices(path)
    assert record.publisher_hs_codes == ("391721",)
    assert record.subject_countries == ("CN", "VN")
    assert str(record.comment_deadline) == "2025-08-04"


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ('{"id": "x", broken', r"line 2, field '\(line\)': not valid JSON"),
        (notice(country="Atlantis"), r"line 2, field 'country': unknown country 'Atlantis'"),
        (notice(hs_codes=["44a8"]), r"line 2, field 'hs_codes': '44a8' is not an HS code"),
        (notice(doc_type="rumour"), r"line 2, field 'doc_type': 'rumour' is not a kind of notice"),
        (notice(title=""), r"line 2, field 'title': missing"),
        (notice(published="10/06/2025"), r"line 2, field 'published': '10/06/2025' is not a date"),
        ("[1, 2]", r"line 2, field '\(line\)': expected a JSON object"),
    ],
)
def test_bad_jsonl_names_file_line_and_field(tmp_path, bad_line, expected):
    path = write_jsonl(tmp_path / "bad.jsonl", [notice(id="ok/1"), bad_line])
    with pytest.raises(InputError, match=expected) as error:
        read_notices(path)
    assert "bad.jsonl" in str(error.value)


def test_same_id_with_other_content_in_one_file_is_refused(tmp_path):
    path = write_jsonl(tmp_path / "dup.jsonl", [notice(), notice(title="Another title")])
    with pytest.raises(InputError, match=r"line 2, field 'id': .* was given on line 1 with other content"):
        read_notices(path)


def test_a_bad_file_stores_nothing(engine, tmp_path):
    path = write_jsonl(tmp_path / "half.jsonl", [notice(id="good/1"), notice(id="bad/1", country="Nowhere")])
    with pytest.raises(InputError):
        pipeline.ingest_file(engine, path)
    with Session(engine) as session:
        assert session.exec(select(Notice)).all() == []


def test_reingest_is_a_no_op_and_a_change_becomes_a_revision(engine, tmp_path):
    first = write_jsonl(tmp_path / "a.jsonl", [notice()])
    assert pipeline.ingest_file(engine, first).new == 1
    assert pipeline.ingest_file(engine, first).unchanged == 1
    changed = write_jsonl(tmp_path / "b.jsonl", [notice(comment_deadline="2025-09-01")])
    assert pipeline.ingest_file(engine, changed).revised == 1
    with Session(engine) as session:
        [stored] = session.exec(select(Notice)).all()
        [old] = session.exec(select(NoticeVersion)).all()
    assert stored.version == 2 and str(stored.comment_deadline) == "2025-09-01"
    assert old.version == 1 and old.content["comment_deadline"] is None


def test_case_numbers_create_one_case_linked_to_each_notice(engine, tmp_path):
    rows = [
        notice(
            id=f"FR-{i}",
            source="us_federalregister_adcvd",
            doc_type="antidumping",
            case_numbers=["A-570-970"],
            subject_countries=["CN"],
        )
        for i in range(2)
    ]
    pipeline.ingest_file(engine, write_jsonl(tmp_path / "c.jsonl", rows))
    with Session(engine) as session:
        [case] = session.exec(select(Case)).all()
        assert case.case_number == "A-570-970" and case.subject_countries == ["CN"]
        assert len(session.exec(select(CaseNotice)).all()) == 2


def test_real_eping_export_reads_every_row_with_its_own_symbol():
    records = read_eping_xlsx(EPING)
    assert len(records) == 143
    by_id = {r.external_id: r for r in records}
    # A joint East African notification repeats the row per member: each keeps its own symbol.
    assert by_id["G/TBT/N/RWA/1200"].country == "RW"
    assert by_id["G/TBT/N/KEN/1801"].country == "KE"
    pfas = by_id["G/TBT/N/USA/1958/Rev.1"]
    assert pfas.doc_type == "tbt" and str(pfas.comment_deadline) == "2025-07-20"
    assert "_x000D_" not in pfas.text and "Apparel" in pfas.text
    assert by_id["G/SPS/N/EU/860"].publisher_hs_codes == ("2309",)


def test_eping_addenda_link_to_their_base_notification(engine, tmp_path):
    rows = [
        notice(id="G/TBT/N/USA/2107", source="wto_eping"),
        notice(id="G/TBT/N/USA/2107/Add.3", source="wto_eping", title="Addendum"),
    ]
    pipeline.ingest_file(engine, write_jsonl(tmp_path / "add.jsonl", rows))
    with Session(engine) as session:
        base = session.exec(select(Notice).where(Notice.external_id == "G/TBT/N/USA/2107")).one()
        addendum = session.exec(select(Notice).where(Notice.external_id == "G/TBT/N/USA/2107/Add.3")).one()
    assert addendum.revision_of == base.id


def test_eping_workbook_without_its_columns_is_refused(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Notifications"
    sheet.append(["Notifying Member", "Title"])
    path = tmp_path / "partial.xlsx"
    workbook.save(path)
    with pytest.raises(InputError, match=r"row 1, field 'Document symbol': column missing"):
        read_notices(path)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")
    with pytest.raises(InputError, match=r"not a readable \.xlsx"):
        read_notices(path)


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda p: unpacking_bomb(p, "Notifications", ["Title"], 60_000_000), "bytes unpacked"),
        (lambda p: declared_dimension(p, "Notifications", ["Title"], "A1:B1048576"), "1,048,576 rows"),
        (lambda p: declared_dimension(p, "Notifications", ["Title"], "A1:XFD2"), "16,384 columns"),
    ],
    ids=["unpacks-to-60-MB", "a-million-rows", "sixteen-thousand-columns"],
)
def test_a_workbook_too_big_once_unpacked_is_refused_before_it_is_opened(engine, tmp_path, build, expected):
    path = build(tmp_path / "eping.xlsx")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match="the workbook is too big") as refused:
        pipeline.ingest_file(engine, path)
    assert (
        str(path) in str(refused.value)
        and expected in str(refused.value)
        and "expected at most" in str(refused.value)
    )
    with Session(engine) as session:
        assert session.exec(select(Notice)).all() == []


def test_bidi_controls_are_stripped_from_notices_where_they_enter(engine, tmp_path):
    path = write_jsonl(
        tmp_path / "n.jsonl",
        [
            notice(
                title="Toys \u202eexe.fdp\u202c safety",
                text="\u2066HS 9503\u2069 \u200fnotice",
                case_numbers=["A-\u202e570-970"],
            )
        ],
    )
    pipeline.ingest_file(engine, path)
    with Session(engine) as session:
        stored = session.exec(select(Notice)).one()
    assert stored.title == "Toys exe.fdp safety"
    assert stored.text == "HS 9503 notice" and stored.case_numbers == ["A-570-970"]

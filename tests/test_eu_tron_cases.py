"""EU TRON cases: list, then details; one notice per publication, linked to its case."""

from __future__ import annotations

from sqlmodel import Session, select

from store.models import Case
from tests.crawl_support import crawl_source, stored_notices


def test_each_publication_of_each_case_is_a_notice(recorded_sites, sqlite_db):
    database_url, engine = sqlite_db
    result = crawl_source("eu_tron_cases", database_url)
    notices = stored_notices(engine)

    assert (result.status, result.new) == ("ok", 3)
    duties = notices["AD901/AD901-R1"]
    assert (duties.doc_type, duties.country, duties.case_numbers) == ("antidumping", "EU", ["AD901"])
    assert duties.publisher_hs_codes == ["611595", "611596"]
    assert "Provisional duty regulation" in duties.text and duties.case_stage == "preliminary"
    flooring = notices["AS902/AS902-N1"]
    assert (flooring.doc_type, flooring.subject_countries) == ("countervailing", ["CN", "VN"])
    with Session(engine) as session:
        case = session.exec(select(Case).where(Case.case_number == "AS902")).one()
    assert case.product == "Multilayer wood flooring (example case)"

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

import pipeline
from alerts.enterprises import read_enterprises
from config import get_settings
from store.errors import InputError
from store.models import Contact, Enterprise, EnterpriseMarket, EnterpriseProduct
from store.types import utcnow

HEADER = "name,name_en,email,hs_codes,markets,language,keywords,followed_cases\n"
SOCKS = "辽源袜业,Liaoyuan Socks,a@socks.example;b@socks.example,6115.10;611596,EU;US;Japan,zh,袜;azo,\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "enterprises.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_profile_fields_are_normalised(tmp_path):
    [profile] = read_enterprises(write(tmp_path, SOCKS), "CN")
    assert profile.products == {"611510": "6115.10", "611596": "611596"}
    assert profile.markets == ["EU", "US", "JP"]
    assert profile.emails == ["a@socks.example", "b@socks.example"]
    assert profile.keywords == ["袜", "azo"] and profile.home_country == "CN"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("X,,x@x.example,44a8,US,zh,,\n", r"row 3, field 'hs_codes': '44a8' is not an HS code"),
        ("X,,x@x.example,4418,Narnia,zh,,\n", r"row 3, field 'markets': unknown country 'Narnia'"),
        ("X,,not-an-address,4418,US,zh,,\n", r"row 3, field 'email': 'not-an-address' is not an e-mail"),
        ("X,,x@x.example,4418,US,fr,,\n", r"row 3, field 'language': 'fr' is not supported"),
        (",,x@x.example,4418,US,zh,,\n", r"row 3, field 'name': missing"),
        ("X,,x@x.example,,US,zh,,\n", r"row 3, field 'hs_codes': missing"),
    ],
)
def test_bad_rows_name_row_and_field(tmp_path, row, expected):
    with pytest.raises(InputError, match=expected):
        read_enterprises(write(tmp_path, SOCKS + row), "CN")


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path, "X,x@x.example,US,zh\n", header="name,email,markets,language\n")
    with pytest.raises(InputError, match=r"header, field 'hs_codes': column missing"):
        read_enterprises(path, "CN")


def test_xlsx_is_read_like_csv(tmp_path):
    workbook = Workbook()
    workbook.active.append(["name", "email", "hs_codes", "markets", "language"])
    workbook.active.append(["抚松地板", "t@floor.example", "4418.75.4000", "US", "zh"])
    path = tmp_path / "e.xlsx"
    workbook.save(path)
    [profile] = read_enterprises(path, "CN")
    assert profile.products == {"441875": "4418.75.4000"}


def test_reimport_updates_in_place_and_keeps_unsubscribed_contacts(engine, tmp_path):
    settings = get_settings()
    assert pipeline.import_enterprises(engine, settings, write(tmp_path, SOCKS)).created == 1
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.email == "b@socks.example")).one()
        contact.unsubscribed_at = utcnow()
        session.add(contact)
        session.commit()
    changed = SOCKS.replace("EU;US;Japan", "US").replace("6115.10;611596", "6115")
    assert pipeline.import_enterprises(engine, settings, write(tmp_path, changed)).updated == 1
    with Session(engine) as session:
        assert len(session.exec(select(Enterprise)).all()) == 1
        assert [p.code for p in session.exec(select(EnterpriseProduct))] == ["6115"]
        assert [m.market for m in session.exec(select(EnterpriseMarket))] == ["US"]
        kept = session.exec(select(Contact).where(Contact.email == "b@socks.example")).one()
        assert kept.unsubscribed_at is not None


def test_a_bad_file_changes_no_enterprise(engine, tmp_path):
    settings = get_settings()
    pipeline.import_enterprises(engine, settings, write(tmp_path, SOCKS))
    bad = SOCKS.replace("EU;US;Japan", "US") + "Y,,y@y.example,99,US,zh,,\n"
    with pytest.raises(InputError):
        pipeline.import_enterprises(engine, settings, write(tmp_path, bad))
    with Session(engine) as session:
        assert len(session.exec(select(EnterpriseMarket)).all()) == 3


def test_reimporting_an_unchanged_file_reports_nothing_updated(engine, tmp_path):
    settings = get_settings()
    pipeline.import_enterprises(engine, settings, write(tmp_path, SOCKS))
    again = pipeline.import_enterprises(engine, settings, write(tmp_path, SOCKS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

"""Small real data sets for tests that run several stages."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from alerts.digest import build_digests
from alerts.enterprises import EnterpriseProfile, save_enterprises
from bench import synthetic
from config import Settings
from nlp.classify import classify_pending
from nlp.tagger import CodeTagger
from store.db import session_scope
from store.models import Alert, Delivery
from store.notices import NoticeRecord, save_notices

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai

FLOORING_ORDER = NoticeRecord(
    source="us_federalregister_adcvd",
    external_id="2017-28202",
    doc_type="antidumping",
    country="US",
    title="Multilayered Wood Flooring From the People's Republic of China: Continuation of Orders",
    text="The products are classified under HTSUS 4418.75.4000 and 4418.75.7000.",
    subject_countries=("CN",),
    case_numbers=("A-570-970",),
    # Published 2018-01-03; dated within BW_CRITICAL_EVENT_DAYS of NOW here so that the
    # order is news (critical), as the tests of the critical mail need.
    published_on=date(2026, 11, 3),
    case_stage="continuation",
)
PFAS_RULE = NoticeRecord(
    source="wto_eping",
    external_id="G/TBT/N/USA/1958/Rev.1",
    doc_type="tbt",
    country="US",
    title="Safer Products Restrictions and Reporting <b>PFAS</b>",
    text="Restricts the intentional use of PFAS in apparel and accessories. HS 6115",
    comment_deadline=date(2027, 1, 15),
)
ONIONS = NoticeRecord(
    source="wto_eping",
    external_id="G/SPS/N/JPN/1",
    doc_type="sps",
    country="JP",
    title="Onions",
    text="HS 0703",
)

FLOORING_MAKER = EnterpriseProfile(
    name="抚松地板",
    name_en="Fusong Flooring",
    emails=["trade@fusong.example"],
    products={"441875": "4418.75"},
    markets=["US", "EU"],
    language="zh",
)
SOCK_MAKER = EnterpriseProfile(
    name="Liaoyuan Socks",
    emails=["a@socks.example", "b@socks.example"],
    products={"6115": "6115"},
    markets=["EU", "US", "JP"],
    language="en",
)


def load(
    engine: Engine, notices=(FLOORING_ORDER, PFAS_RULE, ONIONS), enterprises=(FLOORING_MAKER, SOCK_MAKER)
):
    with session_scope(engine) as session:
        save_notices(session, notices)
        save_enterprises(session, list(enterprises))
    with session_scope(engine) as session:
        classify_pending(session, CodeTagger())


def approved_digests(engine: Engine, enterprises: int) -> list[str]:
    """``enterprises`` synthetic exporters with one approved alert each, put
    into digests with one delivery each; the deliveries' Message-IDs."""
    synthetic.enterprises(engine, enterprises)
    synthetic.notices(engine, 50)
    now = datetime.now(UTC)
    alert = {"severity": "high", "score": 1.0, "reason": "HS 6115", "evidence": {"tag_ids": []}}
    with engine.begin() as connection:
        connection.execute(
            insert(Alert),
            [
                {**alert, "notice_id": i % 50 + 1, "enterprise_id": i, "status": "approved"}
                | {"created_at": now, "updated_at": now}
                for i in range(1, enterprises + 1)
            ],
        )
    with session_scope(engine) as session:
        build_digests(session, NOW, Settings().zone, "example.org")
    with engine.connect() as connection:
        return list(connection.execute(select(col(Delivery.message_id))).scalars())

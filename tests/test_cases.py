from datetime import date

import pytest
from sqlmodel import select

from alerts.cases import current_stage, timeline
from crawler.stages import stage_from_title
from store.db import session_scope
from store.notices import NoticeRecord, save_notices


def fr(number, title, published):
    """A Federal Register notice of case A-570-970, its stage read from the title."""
    return NoticeRecord(
        source="us_federalregister_adcvd",
        external_id=number,
        doc_type="antidumping",
        country="US",
        title=title,
        subject_countries=("CN",),
        case_numbers=("A-570-970",),
        published_on=published,
        case_stage=stage_from_title(title),
    )


@pytest.mark.parametrize(
    ("title", "stage"),
    [
        (
            "Multilayered Wood Flooring From the People's Republic of China: Initiation of Antidumping Duty "
            "Investigation",
            "initiation",
        ),
        (
            "2,4-Dichlorophenoxyacetic Acid From the People's Republic of China: Final Affirmative "
            "Countervailing Duty Determination",
            "final",
        ),
        (
            "Multilayered Wood Flooring From the People's Republic of China: Preliminary Results of "
            "Antidumping Duty Administrative Review; 2019-2020",
            "administrative_review",
        ),
        (
            "Multilayered Wood Flooring From the People's Republic of China: Continuation of Antidumping and "
            "Countervailing Duty Orders",
            "continuation",
        ),
        ("Multilayered Wood Flooring From China: Final Results of Expedited Sunset Reviews", "sunset_review"),
        ("Countervailing duty order: Multilayered Wood Flooring from China", "order"),
        (
            "Commission Implementing Regulation imposing a provisional anti-dumping duty on imports of "
            "plywood originating in China",
            "preliminary",
        ),
        ("关于对原产于中国的多层木地板反倾销调查的立案公告", "initiation"),
        ("Certain Steel Nails: Notice of Court Decision", None),
    ],
)
def test_stage_is_read_from_the_title(title, stage):
    assert stage_from_title(title) == stage


def test_case_timeline_orders_notices_by_date_then_stage(engine):

    with session_scope(engine) as session:
        save_notices(
            session,
            [
                fr("2018-00001", "Flooring: Continuation of Antidumping Duty Order", date(2018, 1, 3)),
                fr(
                    "2010-29999", "Flooring: Initiation of Antidumping Duty Investigation", date(2010, 11, 18)
                ),
                fr("2011-30000", "Flooring: Antidumping Duty Order", date(2011, 12, 8)),
                fr(
                    "2011-29000",
                    "Flooring: Final Determination of Sales at Less Than Fair Value",
                    date(2011, 12, 8),
                ),
            ],
        )
    with session_scope(engine) as session:
        stages = [e.stage for e in timeline(session, "A-570-970")]
        assert stages == ["initiation", "final", "order", "continuation"]
        assert current_stage(session, "A-570-970") == "continuation"


def test_the_web_case_page_lists_notices_in_timeline_order(engine):
    from store.models import Case
    from web.queries import case_notices

    with session_scope(engine) as session:
        save_notices(
            session,
            [
                fr("2011-30000", "Flooring: Antidumping Duty Order", date(2011, 12, 8)),
                fr(
                    "2011-29000",
                    "Flooring: Final Determination of Sales at Less Than Fair Value",
                    date(2011, 12, 8),
                ),
                fr(
                    "2010-29999", "Flooring: Initiation of Antidumping Duty Investigation", date(2010, 11, 18)
                ),
            ],
        )
    with session_scope(engine) as session:
        case = session.exec(select(Case)).one()
        assert [n.case_stage for n in case_notices(session, case_id=case.id or 0)] == [
            "initiation",
            "final",
            "order",
        ]

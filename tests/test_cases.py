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
            "review_preliminary",
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


@pytest.mark.parametrize(
    ("title", "stage"),
    [
        (
            "Antidumping or Countervailing Duty Order, Finding, or Suspended Investigation; Opportunity To "
            "Request Administrative Review and Join Annual Inquiry Service List",
            "review_opportunity",
        ),
        ("Initiation of Antidumping and Countervailing Duty Administrative Reviews", "review_initiation"),
        (
            "Fresh Garlic From China: Final Results of Antidumping Duty Administrative Review and Final "
            "Determination of No Shipments; 2022-2023",
            "review_final",
        ),
        (
            "Silicomanganese From Ukraine: Notice of Rescission of Antidumping Duty Administrative Review",
            "administrative_review",
        ),
        ("Honey From Argentina: Continuation of Antidumping Duty Order", "continuation"),
        ("Paper Clips From China: Final Results of Sunset Review and Revocation of Order", "revocation"),
        ("Aluminum Foil From China: Final Scope Ruling", "scope"),
        (
            "Aluminum Wire and Cable From China: Affirmative Final Determination of Circumvention of the "
            "Antidumping Duty Order",
            "circumvention",
        ),
        ("Steel Nails From Vietnam: Amended Final Determination and Antidumping Duty Order", "order"),
        ("Glycine From India; Institution of Five-Year Reviews", "sunset_review"),
        (
            "Notice of initiation of an expiry review of the anti-dumping measures applicable to imports of "
            "ceramic tiles originating in the People's Republic of China",
            "sunset_review",
        ),
        (
            "Notice of initiation of a partial interim review of the anti-dumping measures applicable to "
            "imports of glass fibre",
            "interim_review",
        ),
        (
            "Commission Implementing Regulation (EU) 2026/101 imposing a definitive anti-dumping duty on "
            "imports of ceramic tiles originating in China following an expiry review pursuant to Article "
            "11(2)",
            "continuation",
        ),
        (
            "Commission Implementing Regulation imposing a definitive anti-dumping duty and definitively "
            "collecting the provisional duty imposed on imports of plywood",
            "order",
        ),
        (
            "Commission Implementing Decision terminating the anti-dumping proceeding concerning imports of "
            "tartaric acid",
            "termination",
        ),
        (
            "Notice of initiation of an anti-dumping proceeding concerning imports of steel wheels",
            "initiation",
        ),
        ("印度对华光伏玻璃反倾销调查作出终裁", "final"),
        ("美国对华多层木地板反倾销行政复审初裁", "review_preliminary"),
        ("美国对华钢制螺杆反倾销行政复审终裁", "review_final"),
        ("欧盟对华陶瓷餐具反倾销期终复审立案", "sunset_review"),
        ("欧盟对华自行车反倾销期终复审终裁", "continuation"),
        ("欧盟对华玻璃纤维反倾销期中复审立案", "interim_review"),
        ("巴西对华钢制轮毂反倾销日落复审立案", "sunset_review"),
        ("美国对华铝线缆反规避调查立案", "circumvention"),
        ("美国对华大蒜反倾销新出口商复审初裁", "new_shipper_review"),
        ("印度对华聚酯纱线反倾销调查终止", "termination"),
        ("澳大利亚对华铁路车轮终止反倾销措施", "revocation"),
        ("土耳其对华光伏组件反倾销调查立案", "initiation"),
        ("阿根廷对华电饭锅反倾销调查初裁", "preliminary"),
    ],
)
def test_stage_vocabulary_covers_reviews_and_other_jurisdictions(title, stage):
    assert stage_from_title(title) == stage


def test_every_stage_read_is_a_stored_stage_code():
    from crawler.stages import _RULES
    from store.models import STAGES

    assert {stage for stage, _ in _RULES} <= set(STAGES)
    assert all(len(stage) <= 32 for stage in STAGES)


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

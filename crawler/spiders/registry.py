"""Spider classes by kind: ``feed`` and one per built-in source slug."""

from __future__ import annotations

from crawler.spiders.base import NoticeSpider
from crawler.spiders.ca_cbsa_sima import CbsaMeasuresSpider
from crawler.spiders.cn_cacs_trade_remedies import CacsTradeRemediesSpider
from crawler.spiders.eu_oj_trade_defence import OfficialJournalSpider
from crawler.spiders.eu_safety_gate import SafetyGateSpider
from crawler.spiders.eu_tron_cases import TronCasesSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.gb_tra_cases import TradeRemediesAuthoritySpider
from crawler.spiders.in_dgtr_cases import DgtrCasesSpider
from crawler.spiders.us_cbp_csms import CsmsSpider
from crawler.spiders.us_cpsc_recalls import CpscRecallsSpider
from crawler.spiders.us_federalregister_adcvd import FederalRegisterADCVDSpider
from crawler.spiders.wto_eping import EPingSpider

SPIDERS: dict[str, type[NoticeSpider]] = {
    spider.name: spider
    for spider in (
        FeedSpider,
        FederalRegisterADCVDSpider,
        EPingSpider,
        TronCasesSpider,
        CacsTradeRemediesSpider,
        CpscRecallsSpider,
        OfficialJournalSpider,
        SafetyGateSpider,
        DgtrCasesSpider,
        TradeRemediesAuthoritySpider,
        CbsaMeasuresSpider,
        CsmsSpider,
    )
}

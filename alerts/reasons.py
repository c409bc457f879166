"""Why an alert was raised, said in the enterprise's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from hs.codes import display
from hs.markets import country_name
from store.models import DocType

if TYPE_CHECKING:
    from alerts.match import NoticeFacts, TagFact
    from alerts.profiles import Profile

REMEDY_NAMES = {
    DocType.ANTIDUMPING: {"en": "anti-dumping", "zh": "反倾销"},
    DocType.COUNTERVAILING: {"en": "countervailing duty", "zh": "反补贴"},
    DocType.SAFEGUARD: {"en": "safeguard", "zh": "保障措施"},
}

_PHRASES = {
    "en": {
        "code": "HS {notice_code} matches your product {product}",
        "keyword": "your keyword “{keyword}” appears in the notice",
        "market": "market {market}",
        "case": "{kind} case {case}",
        "remedy": "{kind} measure against {countries}",
        "followed": "you follow case {case}",
        "deadline": "comments due {deadline}",
        "separator": "; ",
    },
    "zh": {
        "code": "HS {notice_code} 与贵司产品 {product} 相符",
        "keyword": "通报中出现贵司关键词“{keyword}”",
        "market": "市场：{market}",
        "case": "{kind}案 {case}",
        "remedy": "针对{countries}的{kind}措施",
        "followed": "贵司关注的案件 {case}",
        "deadline": "评议截止 {deadline}",
        "separator": "；",
    },
}


@dataclass
class Evidence:
    codes: list[tuple[TagFact, str]] = field(default_factory=list)  # (notice tag, enterprise product)
    keywords: list[str] = field(default_factory=list)
    followed_cases: list[str] = field(default_factory=list)
    market: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "tag_ids": sorted({tag.id for tag, _ in self.codes}),
            "codes": [
                {"notice": tag.code, "product": product, "method": tag.method} for tag, product in self.codes
            ],
            "keywords": self.keywords,
            "followed_cases": self.followed_cases,
            "market": self.market,
        }


def reason_text(notice: NoticeFacts, evidence: Evidence, profile: Profile, today: date) -> str:
    """One sentence that names every piece of evidence behind an alert."""
    lang = profile.language if profile.language in _PHRASES else "en"
    say = _PHRASES[lang]
    parts = [
        say["code"].format(notice_code=display(tag.code), product=display(product))
        for tag, product in _most_specific(evidence.codes)
    ]
    parts += [say["keyword"].format(keyword=k) for k in evidence.keywords]
    parts.append(say["market"].format(market=country_name(evidence.market, lang)))
    kind = (
        REMEDY_NAMES.get(DocType(notice.doc_type), {}).get(lang) if notice.doc_type in REMEDY_NAMES else None
    )
    if kind:
        parts += [say["case"].format(kind=kind, case=c) for c in notice.case_numbers]
        if not notice.case_numbers and notice.subject_countries:
            names = ", ".join(country_name(c, lang) for c in notice.subject_countries)
            parts.append(say["remedy"].format(kind=kind, countries=names))
    parts += [say["followed"].format(case=c) for c in evidence.followed_cases]
    if notice.comment_deadline and notice.comment_deadline >= today:
        # The date, not the days left: a stored reason must not go stale; mails count the days.
        parts.append(say["deadline"].format(deadline=notice.comment_deadline.isoformat()))

    return say["separator"].join(parts)


def _most_specific(codes: list[tuple[TagFact, str]]) -> list[tuple[TagFact, str]]:
    """One line per product: the most specific notice code that touched it."""
    best: dict[str, tuple[TagFact, str]] = {}
    for tag, product in codes:
        if product not in best or len(tag.code) > len(best[product][0].code):
            best[product] = (tag, product)
    return list(best.values())

"""Enterprise profiles as matching reads them, and the index over them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from hs.codes import prefixes
from hs.markets import markets_covering
from store.models import Enterprise, EnterpriseMarket, EnterpriseProduct


@dataclass
class Profile:
    id: int
    language: str
    home_country: str
    products: list[str] = field(default_factory=list)
    markets: set[str] = field(default_factory=set)
    keywords: list[str] = field(default_factory=list)
    followed_cases: set[str] = field(default_factory=set)


def load_profiles(session: Session) -> dict[int, Profile]:
    """Every active enterprise with its products and markets, by id."""
    profiles = {
        e.id: Profile(
            e.id, e.language, e.home_country, keywords=list(e.keywords), followed_cases=set(e.followed_cases)
        )
        for e in session.exec(select(Enterprise).where(col(Enterprise.active).is_(True)))
        if e.id is not None
    }
    for product in session.exec(select(EnterpriseProduct)):
        if product.enterprise_id in profiles:
            profiles[product.enterprise_id].products.append(product.code)
    for market in session.exec(select(EnterpriseMarket)):
        if market.enterprise_id in profiles:
            profiles[market.enterprise_id].markets.add(market.market)
    return profiles


class ProfileIndex:
    """Inverted indexes over profiles: by HS code and prefix, by market,
    by keyword and by followed case, so that a notice meets only the
    enterprises it can concern instead of every enterprise."""

    def __init__(self, profiles: dict[int, Profile]) -> None:
        self.profiles = profiles
        self.by_product: dict[str, set[int]] = defaultdict(set)  # exact product code
        self.under: dict[str, set[int]] = defaultdict(set)  # products at or below a code
        self.by_market: dict[str, set[int]] = defaultdict(set)
        self.by_case: dict[str, set[int]] = defaultdict(set)
        keywords: dict[str, set[int]] = defaultdict(set)
        for p in profiles.values():
            for code in p.products:
                self.by_product[code].add(p.id)
                for prefix in prefixes(code):
                    self.under[prefix].add(p.id)
            for market in p.markets:
                self.by_market[market].add(p.id)
            for case in p.followed_cases:
                self.by_case[case].add(p.id)
            for keyword in p.keywords:
                keywords[keyword.casefold()].add(p.id)
        self.by_keyword = dict(keywords)
        self._keyword_pattern = _keyword_pattern(list(keywords))

    def products_touching(self, code: str) -> set[int]:
        """Enterprises with a product equal to, inside, or containing ``code``."""
        found = set(self.under.get(code, ()))
        for prefix in prefixes(code)[:-1] if len(code) > 2 else []:
            found |= self.by_product.get(prefix, set())
        return found

    def in_market_of(self, country: str) -> set[int]:
        """Enterprises exporting to a market that a measure of ``country`` reaches."""
        found: set[int] = set()
        for market in markets_covering(country):
            found |= self.by_market.get(market, set())
        return found

    def keywords_in(self, text: str) -> dict[int, list[str]]:
        """Enterprise id -> the enterprise's keywords found in ``text``."""
        if self._keyword_pattern is None:
            return {}
        found: dict[int, list[str]] = defaultdict(list)
        for keyword in {m.group(0).casefold() for m in self._keyword_pattern.finditer(text)}:
            for enterprise_id in self.by_keyword.get(keyword, ()):
                found[enterprise_id].append(keyword)
        return found


def _keyword_pattern(keywords: list[str]) -> re.Pattern[str] | None:
    """One pattern for all keywords; Latin words must stand alone ("azo" is
    not found in "hazard"), CJK words are found anywhere."""
    if not keywords:
        return None
    alternatives = []
    for keyword in sorted(keywords, key=len, reverse=True):
        escaped = re.escape(keyword)
        alternatives.append(escaped if re.search(r"[\u4e00-\u9fff]", keyword) else rf"(?<!\w){escaped}(?!\w)")
    return re.compile("|".join(alternatives), re.IGNORECASE)

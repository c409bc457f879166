"""Enterprise profiles as matching reads them, and the index over them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from hs.codes import prefixes
from hs.markets import markets_covering
from store.models import Enterprise, EnterpriseMarket, EnterpriseProduct

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff]")
MAX_KEYWORD_WORDS = 5


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
    """Every active enterprise with its products and markets, by id (read column by column)."""
    columns = (
        Enterprise.id,
        Enterprise.language,
        Enterprise.home_country,
        Enterprise.keywords,
        Enterprise.followed_cases,
    )
    profiles = {
        i: Profile(i, lang, home, keywords=list(kw or []), followed_cases={c.upper() for c in cases or []})
        for i, lang, home, kw, cases in session.exec(
            select(*columns).where(col(Enterprise.active).is_(True))  # type: ignore[call-overload]
        )
    }
    for enterprise_id, code in session.exec(select(EnterpriseProduct.enterprise_id, EnterpriseProduct.code)):
        if enterprise_id in profiles:
            profiles[enterprise_id].products.append(code)
    for enterprise_id, market in session.exec(
        select(EnterpriseMarket.enterprise_id, EnterpriseMarket.market)
    ):
        if enterprise_id in profiles:
            profiles[enterprise_id].markets.add(market)
    return profiles


def keyword_key(text: str) -> str:
    """How keywords are compared: case-folded words joined by one space
    ("Azo-Dyes" and "azo dyes" are the same keyword)."""
    return " ".join(_WORD.findall(text.casefold()))


class ProfileIndex:
    """Inverted indexes over profiles: by HS code and prefix, by market,
    by keyword and by followed case, so that a notice meets only the
    enterprises it can concern instead of every enterprise."""

    def __init__(self, profiles: dict[int, Profile]) -> None:
        self.profiles = profiles
        # market -> code -> (enterprise, product) for products equal to or inside the code:
        # a notice only ever looks at the markets it reaches.
        self.under: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
        self.exact: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
        self.by_market: dict[str, set[int]] = defaultdict(set)
        self.by_case: dict[str, set[int]] = defaultdict(set)
        # market -> keyword -> enterprises; Latin keywords by keyword_key, CJK ones found as substrings
        self.by_keyword: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.cjk_keywords: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.latin_keys: set[str] = set()
        for p in profiles.values():
            self._add(p)
        self.max_words = max((k.count(" ") + 1 for k in self.latin_keys), default=0)

    def _add(self, p: Profile) -> None:
        for code in p.products:
            pair = (p.id, code)
            for market in p.markets:
                self.exact[market][code].append(pair)
                for prefix in prefixes(code):
                    self.under[market][prefix].append(pair)
        for market in p.markets:
            self.by_market[market].add(p.id)
        for case in p.followed_cases:
            self.by_case[case].add(p.id)
        for keyword in p.keywords:
            cjk = bool(_CJK.search(keyword))
            key = keyword if cjk else keyword_key(keyword)
            if not key:
                continue
            if not cjk:
                self.latin_keys.add(key)
            for market in p.markets:
                (self.cjk_keywords if cjk else self.by_keyword)[market][key].append(p.id)

    def products_touching(self, code: str, markets: set[str]) -> set[tuple[int, str]]:
        """(enterprise, product) pairs of enterprises selling to one of
        ``markets`` whose product equals, lies inside, or contains ``code``."""
        found: set[tuple[int, str]] = set()
        for market in markets:
            if market not in self.under:
                continue
            found.update(self.under[market].get(code, ()))
            for prefix in prefixes(code)[:-1]:
                found.update(self.exact[market].get(prefix, ()))
        return found

    def in_market_of(self, country: str) -> set[int]:
        """Enterprises exporting to a market that a measure of ``country`` reaches."""
        found: set[int] = set()
        for market in markets_covering(country):
            found |= self.by_market.get(market, set())
        return found

    def keywords_in(self, text: str, markets: set[str]) -> dict[int, list[str]]:
        """Enterprise id -> its keywords found in ``text``, for enterprises
        selling to one of ``markets``: Latin keywords as whole words ("azo" is
        not in "hazard"), Chinese ones anywhere."""
        found: dict[int, list[str]] = defaultdict(list)
        phrases = self._latin_phrases(text)
        has_cjk = bool(self.cjk_keywords) and bool(_CJK.search(text))
        for market in markets:
            for key in phrases:
                for enterprise_id in self.by_keyword[market].get(key, ()):
                    found[enterprise_id].append(key)
            if has_cjk:
                for keyword, ids in self.cjk_keywords[market].items():
                    if keyword in text:
                        for enterprise_id in ids:
                            found[enterprise_id].append(keyword)
        if len(markets) > 1:  # an enterprise in two covering markets (EU and DE) counts once
            return {e: sorted(set(k)) for e, k in found.items()}
        return found

    def _latin_phrases(self, text: str) -> set[str]:
        if not self.latin_keys:
            return set()
        words = _WORD.findall(text.casefold())
        phrases: set[str] = set()
        for size in range(1, min(self.max_words, MAX_KEYWORD_WORDS) + 1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if phrase in self.latin_keys:
                    phrases.add(phrase)
        return phrases

"""Seeded synthetic notices and enterprises with a realistic spread of codes and markets.

HS codes are drawn from the real nomenclature, weighted towards the
chapters Chinese exporters and foreign measures concern most (textiles,
machinery, furniture, plastics, wood, steel, food); markets and notifying
countries are weighted like WTO notification volumes.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from hs.nomenclature import entries
from store.models import Contact, Enterprise, EnterpriseMarket, EnterpriseProduct, Notice, Tag

BUSY_CHAPTERS = {
    "61": 6,
    "62": 5,
    "63": 2,
    "64": 3,
    "84": 8,
    "85": 9,
    "94": 4,
    "39": 4,
    "44": 3,
    "73": 4,
    "72": 3,
    "87": 3,
    "95": 2,
    "03": 2,
    "08": 2,
    "20": 2,
    "29": 3,
    "40": 2,
    "48": 2,
    "69": 1,
}
MARKETS = {
    "US": 10,
    "EU": 10,
    "JP": 5,
    "KR": 3,
    "GB": 3,
    "CA": 2,
    "AU": 2,
    "RU": 2,
    "BR": 1,
    "IN": 1,
    "MX": 1,
    "SA": 1,
    "AE": 1,
    "VN": 1,
    "TH": 1,
    "MY": 1,
    "ID": 1,
    "CL": 1,
}
# Notifying members of TBT/SPS notifications, as counted in the bundled ePing export
# (demo/eping-export-search-results-2025-06-sample.xlsx, 143 notifications of June 2025).
NOTIFIERS = {
    "MW": 27,
    "US": 23,
    "CN": 11,
    "TZ": 8,
    "UG": 8,
    "IN": 7,
    "RW": 7,
    "KE": 7,
    "BI": 7,
    "CR": 6,
    "BR": 5,
    "TH": 5,
    "JP": 3,
    "TW": 2,
    "EG": 2,
    "CL": 2,
    "CO": 2,
    "NZ": 1,
    "UA": 1,
    "RU": 1,
    "AU": 1,
    "AE": 1,
    "EU": 1,
    "KG": 1,
    "KW": 1,
    "MN": 1,
    "SE": 1,
    "DO": 1,
}

DOC_TYPES = {"tbt": 60, "sps": 20, "antidumping": 9, "countervailing": 5, "safeguard": 2, "recall": 4}
KEYWORDS = [
    "socks",
    "formaldehyde",
    "azo dyes",
    "lead",
    "phthalates",
    "flooring",
    "plywood",
    "LED lamps",
    "toys",
    "cosmetics",
    "honey",
    "garlic",
    "solar panels",
    "tyres",
    "steel pipe",
    "ceramic tiles",
]
WORDS = [
    "regulation",
    "requirement",
    "product",
    "safety",
    "labelling",
    "conformity",
    "assessment",
    "limit",
    "substance",
    "testing",
    "import",
    "standard",
    "draft",
    "amendment",
    "notification",
    "maximum",
    "residue",
    "level",
    "packaging",
    "energy",
    "efficiency",
]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _codes_by_chapter() -> dict[str, list[str]]:
    """The HS subheadings (6 digits) of each chapter."""
    by_chapter: dict[str, list[str]] = {}
    for code in entries():
        if len(code) == 6:
            by_chapter.setdefault(code[:2], []).append(code)
    return by_chapter


def _code(rng: random.Random, by_chapter: dict[str, list[str]]) -> str:
    """A subheading: a third of the draws from the busy chapters, the rest
    from the whole nomenclature (each subheading equally likely)."""
    if rng.random() < 0.33:
        return rng.choice(by_chapter[_weighted(rng, BUSY_CHAPTERS)])
    return rng.choice(_all_codes(by_chapter))


def _all_codes(by_chapter: dict[str, list[str]]) -> list[str]:
    if not _ALL:
        _ALL.extend(code for codes in by_chapter.values() for code in codes)
    return _ALL


_ALL: list[str] = []


def enterprises(engine: Engine, count: int, seed: int = 7) -> None:
    """Insert ``count`` active enterprises with 1-4 products (80% subheadings, 20% headings),
    1-4 markets, some keywords."""

    rng, by_chapter, now = random.Random(seed), _codes_by_chapter(), datetime.now(UTC)
    companies, products, markets, contacts = [], [], [], []
    for i in range(1, count + 1):
        companies.append(
            {
                "id": i,
                "name": f"enterprise-{i}",
                "home_country": "CN" if rng.random() < 0.9 else "VN",
                "keywords": rng.sample(KEYWORDS, rng.choice((0, 0, 1, 2))),
                "followed_cases": [],
                "language": rng.choice(("zh", "en")),
                "frequency": "weekly",
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        # Some enterprises declare only the heading of a product.
        codes = {_code(rng, by_chapter) for _ in range(rng.randint(1, 4))}
        for code in {c[:4] if rng.random() < 0.2 else c for c in codes}:
            products.append({"enterprise_id": i, "code": code, "raw": code})

        for market in {_weighted(rng, MARKETS) for _ in range(rng.randint(1, 4))}:
            markets.append({"enterprise_id": i, "market": market})
        contacts.append({"enterprise_id": i, "email": f"export@enterprise-{i}.example"})
    with engine.begin() as conn:
        for model, rows in (
            (Enterprise, companies),
            (EnterpriseProduct, products),
            (EnterpriseMarket, markets),
            (Contact, contacts),
        ):
            conn.execute(insert(model), rows)


def notices(engine: Engine, count: int, seed: int = 11, tagged: bool = True) -> None:
    """Insert ``count`` notices (codes per notice and their levels as in real notifications):
    tagged already, or (``tagged=False``) with the codes as the publisher's, for classify to tag."""
    rng, by_chapter, now = random.Random(seed), _codes_by_chapter(), datetime.now(UTC)
    rows, tags = [], []
    for i in range(1, count + 1):
        doc_type = _weighted(rng, DOC_TYPES)
        remedy = doc_type in ("antidumping", "countervailing", "safeguard")
        text = " ".join(rng.choices(WORDS, k=rng.randint(150, 300)))
        if rng.random() < 0.1:
            text += " " + rng.choice(KEYWORDS)
        rows.append(
            {
                "id": i,
                "source": "bench",
                "external_id": f"B/{i}",
                "doc_type": doc_type,
                "country": "US" if remedy and rng.random() < 0.6 else _weighted(rng, NOTIFIERS),
                "subject_countries": (["CN"] if rng.random() < 0.6 else ["VN", "IN"]) if remedy else [],
                "title": f"Notice {i}",
                "text": text,
                "case_numbers": [],
                "publisher_hs_codes": [],
                "content_hash": f"{i:064d}",
                "version": 1,
                "tagger_version": "bench" if tagged else None,
                "comment_deadline": date(2026, 11, 25) + timedelta(days=rng.randint(-30, 90)),
                "first_seen_at": now,
                "updated_at": now,
            }
        )
        # Codes per notice and their levels as in the bundled ePing export: mostly one code;
        # 8% chapters, 62% headings, 30% subheadings.
        for code in {_code(rng, by_chapter) for _ in range(rng.choices((1, 2, 3), (85, 8, 7))[0])}:
            level = rng.random()
            code = code[:2] if level < 0.08 else code[:4] if level < 0.7 else code

            tags.append(
                {
                    "notice_id": i,
                    "code": code,
                    "score": 0.95,
                    "method": "explicit",
                    "model_version": "bench",
                    "created_at": now,
                }
            )
    if not tagged:
        for tag in tags:
            codes: list[str] = rows[int(str(tag["notice_id"])) - 1]["publisher_hs_codes"]  # type: ignore[assignment]
            if str(tag["code"]) not in codes:
                codes.append(str(tag["code"]))

    with engine.begin() as conn:
        conn.execute(insert(Notice), rows)
        if tagged:
            conn.execute(insert(Tag), [dict(t) for t in {tuple(sorted(t.items())): t for t in tags}.values()])

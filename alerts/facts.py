"""The facts that matching and its reasons share: a notice as matching reads it,
its tags, the evidence tying it to an enterprise and how strong that evidence is.

``alerts.match`` decides with them, ``alerts.reasons`` puts them in words; both
import this module and neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from i18n import N_
from store.models import TagMethod

STATED_METHODS = frozenset({TagMethod.PUBLISHER, TagMethod.EXPLICIT, TagMethod.INSPECTOR})
INFERRED_METHODS = frozenset({TagMethod.TERMS, TagMethod.MODEL})
HEADING = 4  # digits of an HS heading: codes this long or longer are heading-level evidence


class EvidenceLevel(StrEnum):
    """How the product evidence ties a notice to an enterprise, strongest first."""

    STATED = "stated"  # a code the publisher, the text or an inspector states, heading or finer
    NAMED = "named"  # the text names the product (term match), heading or finer
    MODEL = "model"  # the model's guess, heading or finer
    CHAPTER = "chapter"  # chapter level only
    KEYWORD = "keyword"  # one of the enterprise's keywords, no product code
    FOLLOWED = "followed"  # a case the enterprise follows, nothing else


LEVEL_ORDER = tuple(EvidenceLevel)

# The level in words (zh through the catalogue), for reasons and screens.
LEVEL_LABELS = {
    EvidenceLevel.STATED: N_("the notice states your product's code"),
    EvidenceLevel.NAMED: N_("the notice names your product"),
    EvidenceLevel.MODEL: N_("the notice probably concerns your product (automatic estimate)"),
    EvidenceLevel.CHAPTER: N_("the notice concerns your product's HS chapter as a whole"),
    EvidenceLevel.KEYWORD: N_("keyword only"),
    EvidenceLevel.FOLLOWED: N_("a case you follow"),
}


@dataclass(frozen=True)
class TagFact:
    id: int
    code: str
    score: float
    method: str

    @property
    def stated(self) -> bool:
        return self.method in STATED_METHODS

    @property
    def heading_level(self) -> bool:
        return len(self.code) >= HEADING

    def level(self) -> EvidenceLevel:
        if not self.heading_level:
            return EvidenceLevel.CHAPTER
        if self.stated:
            return EvidenceLevel.STATED
        if self.method == TagMethod.TERMS:
            return EvidenceLevel.NAMED
        return EvidenceLevel.MODEL


@dataclass
class NoticeFacts:
    """What matching needs to know of a notice (or of one event reported by
    several notices: see :mod:`store.measures`)."""

    id: int
    doc_type: str
    country: str
    title: str
    text: str
    subject_countries: list[str] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    comment_deadline: date | None = None
    tags: list[TagFact] = field(default_factory=list)
    external_id: str = ""
    measure_key: str = ""
    case_stage: str | None = None
    published_on: date | None = None
    # Set by matching for a follow-up (addendum, next stage): the thread it continues
    # was there before it; ``inherited``: tags taken from the thread's earlier notices.
    follow_up: bool = False
    inherited_tags: bool = False

    def stated_codes(self) -> list[str]:
        return [t.code for t in self.tags if t.stated]

    def scope_codes(self) -> list[str]:
        """The products the notice says it is about: the codes it states (publisher,
        text, inspector). A term match or a model's guess is no statement: a mistaken
        one ("knit socks" read as 1901) must not keep a keyword from its notice."""
        return self.stated_codes()


@dataclass
class Evidence:
    codes: list[tuple[TagFact, str]] = field(default_factory=list)  # (notice tag, enterprise product)
    keywords: list[str] = field(default_factory=list)
    followed_cases: list[str] = field(default_factory=list)
    market: str = ""

    def level(self) -> EvidenceLevel:
        """The strongest evidence: a product code's level, else keyword, else a followed case."""
        levels = [tag.level() for tag, _ in self.codes]
        if levels:
            return min(levels, key=LEVEL_ORDER.index)
        if self.keywords:
            return EvidenceLevel.KEYWORD
        return EvidenceLevel.FOLLOWED

    def heading_level(self) -> bool:
        return any(tag.heading_level for tag, _ in self.codes)

    def stated_heading(self) -> bool:
        return any(tag.stated and tag.heading_level for tag, _ in self.codes)

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

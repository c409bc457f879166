"""Matching: which enterprises a notice concerns, how badly, and why.

A notice concerns an enterprise when
- product: one of the notice's HS tags equals, contains or lies inside one
  of the enterprise's products (sibling headings do not match), or one of
  the enterprise's keywords occurs in the notice; the most specific
  evidence decides: a model or term tag is ignored where a stated code
  inside it exists;
- market: the notice's country is one of the enterprise's markets, or
  belongs to a group among them (a German rule reaches an EU exporter);
- trade remedies (anti-dumping, countervailing, safeguard): the
  enterprise's home country is among the subject countries (a safeguard
  naming none applies to every origin).
Following a case number is a subscription of its own: it matches every
notice of the case whatever its tags.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from alerts.profiles import Profile, ProfileIndex
from alerts.reasons import Evidence, reason_text
from hs.markets import markets_covering
from store.models import TRADE_REMEDIES, DocType, Severity, TagMethod

STATED_METHODS = frozenset({TagMethod.PUBLISHER, TagMethod.EXPLICIT, TagMethod.INSPECTOR})
INFERRED_METHODS = frozenset({TagMethod.TERMS, TagMethod.MODEL})


@dataclass(frozen=True)
class TagFact:
    id: int
    code: str
    score: float
    method: str


@dataclass
class NoticeFacts:
    """What matching needs to know of a notice."""

    id: int
    doc_type: str
    country: str
    title: str
    text: str
    subject_countries: list[str] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    comment_deadline: date | None = None
    tags: list[TagFact] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    enterprise_id: int
    severity: str
    score: float
    reason: str
    evidence: dict[str, Any]
    stated_code: bool  # a code the notice states matched, at heading level or finer
    evidence_json: str = ""  # ``evidence`` serialised once for bulk writes


CHAPTER_WEIGHT = 0.6  # a chapter says less about a product than a heading
KEYWORD_SCORE = 0.5


def match_score(evidence: Evidence) -> float:
    """How strongly the evidence ties the notice to the enterprise, 0..1:
    the best code match (chapter-level matches weigh less), a keyword 0.5,
    a followed case 1.0."""
    scores = [tag.score * (1.0 if len(tag.code) >= 4 else CHAPTER_WEIGHT) for tag, _ in evidence.codes]
    if evidence.keywords:
        scores.append(KEYWORD_SCORE)
    if evidence.followed_cases:
        scores.append(1.0)
    return round(max(scores, default=0.0), 4)


def effective_tags(tags: list[TagFact]) -> list[TagFact]:
    """Drop inferred tags made redundant by a more specific tag inside them.

    A model tag on chapter 44 beside a stated code 4418 would otherwise let
    a 4419 maker match a notice that is about 4418 only.
    """
    return [
        t
        for t in tags
        if t.method not in INFERRED_METHODS
        or not any(o.code != t.code and o.code.startswith(t.code) for o in tags)
    ]


def remedy_reaches(notice: NoticeFacts, home_country: str) -> bool:
    if notice.doc_type == DocType.SAFEGUARD and not notice.subject_countries:
        return True
    return home_country in notice.subject_countries


def match_notice(notice: NoticeFacts, index: ProfileIndex, today: date, deadline_days: int) -> list[Match]:
    """Every enterprise ``notice`` concerns, with severity, reason and evidence."""
    markets = markets_covering(notice.country)
    product_hits = _product_hits(notice, index, markets)
    keyword_hits = index.keywords_in(f"{notice.title}\n{notice.text}", markets)
    candidates = set(product_hits) | set(keyword_hits)

    is_remedy = notice.doc_type in TRADE_REMEDIES
    followers: dict[int, list[str]] = defaultdict(list)
    for case in notice.case_numbers:
        for enterprise_id in index.by_case.get(case.upper(), ()):
            followers[enterprise_id].append(case)
    # Enterprises reached by the same evidence share severity, score, reason and
    # evidence: work them out once per distinct evidence and language.
    verdicts: dict[tuple[Any, ...], Match] = {}
    matches = []
    for enterprise_id in candidates | set(followers):
        profile = index.profiles[enterprise_id]
        if enterprise_id not in followers and is_remedy and not remedy_reaches(notice, profile.home_country):
            continue
        codes = product_hits.get(enterprise_id, [])
        keywords = tuple(sorted(keyword_hits.get(enterprise_id, [])))
        followed = tuple(followers.get(enterprise_id, []))
        key = (profile.language, tuple((t.id, p) for t, p in codes), keywords, followed)
        verdict = verdicts.get(key)
        if verdict is None:
            evidence = Evidence(
                codes=codes, keywords=list(keywords), followed_cases=list(followed), market=notice.country
            )
            verdict = verdicts[key] = _match(notice, profile, evidence, today, deadline_days)
        v = verdict  # a new Match per enterprise; dataclasses.replace costs three times more
        matches.append(
            Match(enterprise_id, v.severity, v.score, v.reason, v.evidence, v.stated_code, v.evidence_json)
        )
    return matches


def _product_hits(
    notice: NoticeFacts, index: ProfileIndex, markets: set[str]
) -> dict[int, list[tuple[TagFact, str]]]:
    hits: dict[int, list[tuple[TagFact, str]]] = defaultdict(list)
    for tag in effective_tags(notice.tags):
        for enterprise_id, product in sorted(index.products_touching(tag.code, markets)):
            hits[enterprise_id].append((tag, product))
    return hits


def severity_of(notice: NoticeFacts, evidence: Evidence, today: date, deadline_days: int) -> str:
    """critical: a trade remedy that reaches the enterprise, or a comment
    deadline ``deadline_days`` away or closer; high: a stated code at
    heading level or finer; normal: everything else (chapter level,
    inferred tags, keywords only)."""
    if notice.doc_type in TRADE_REMEDIES:
        return Severity.CRITICAL
    if notice.comment_deadline and 0 <= (notice.comment_deadline - today).days <= deadline_days:
        return Severity.CRITICAL
    if any(tag.method in STATED_METHODS and len(tag.code) >= 4 for tag, _ in evidence.codes):
        return Severity.HIGH
    return Severity.NORMAL


def _match(
    notice: NoticeFacts, profile: Profile, evidence: Evidence, today: date, deadline_days: int
) -> Match:
    evidence_dict = evidence.as_json()
    return Match(
        enterprise_id=profile.id,
        severity=severity_of(notice, evidence, today, deadline_days),
        score=match_score(evidence),
        reason=reason_text(notice, evidence, profile, today),
        evidence=evidence_dict,
        evidence_json=json.dumps(evidence_dict, ensure_ascii=False, sort_keys=True),
        stated_code=any(tag.method in STATED_METHODS and len(tag.code) >= 4 for tag, _ in evidence.codes),
    )

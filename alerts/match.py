"""Matching: which enterprises a notice concerns, how badly, and why.

A notice concerns an enterprise when
- product: one of the notice's HS tags equals, contains or lies inside one
  of the enterprise's products (sibling headings do not match), or one of
  the enterprise's keywords occurs in the notice; the most specific
  evidence decides: a model or term tag is ignored where a stated code
  inside it exists;
- what the evidence may do depends on its level (``alerts.facts.EvidenceLevel``)
  and on the kind of notice:
  - a trade remedy reaches on heading-level (or finer) evidence, a followed
    case or a keyword, never on a chapter alone;
  - any other notice reaches on heading-level evidence, on a chapter only when
    the notice itself is chapter-wide (it states a chapter code and no heading
    inside it), or on a keyword;
  - when the notice states its product codes, they define its scope: a keyword
    does not carry a trade remedy to an enterprise whose products all lie
    outside them, nor any other notice to an enterprise with no product in
    their chapters;
- market: the notice's country is one of the enterprise's markets, or
  belongs to a group among them (a German rule reaches an EU exporter);
- trade remedies (anti-dumping, countervailing, safeguard): the
  enterprise's home country is among the subject countries (a safeguard
  naming none applies to every origin).
Following a case number is a subscription of its own: it matches every
notice of the case whatever its tags.

Severity (see README, "Matching"): *critical* for a trade-remedy event
(initiation, determination, order, review initiation or results) published in
the last ``event_days`` days that reaches on heading-level evidence or a
followed case, or for an open comment deadline ``deadline_days`` away or
closer on heading-level evidence; *high* for a stated code at heading level or
finer; *normal* for the rest.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from alerts.facts import (
    INFERRED_METHODS,
    STATED_METHODS,
    Evidence,
    EvidenceLevel,
    NoticeFacts,
    TagFact,
)
from alerts.profiles import Profile, ProfileIndex
from alerts.reasons import reason_text
from hs.codes import overlaps
from hs.markets import markets_covering
from store.models import TRADE_REMEDIES, DocType, Severity

__all__ = [
    "CRITICAL_STAGES",
    "INFERRED_METHODS",
    "STATED_METHODS",
    "Match",
    "NoticeFacts",
    "TagFact",
    "effective_tags",
    "match_notice",
    "match_score",
    "severity_of",
]

# Case stages that are news worth a critical alert when recent: an initiation, a
# determination (preliminary or final, of an investigation or of a review), an order,
# the initiation of an administrative or expiry (sunset) review, the outcome of one.
CRITICAL_STAGES = frozenset(
    {
        "initiation",
        "preliminary",
        "final",
        "order",
        "review_initiation",
        "review_preliminary",
        "review_final",
        "sunset_review",
        "continuation",
    }
)
DEFAULT_EVENT_DAYS = 60
FUTURE_DAYS = 7


@dataclass(frozen=True)
class Match:
    enterprise_id: int
    severity: str
    score: float
    reason: str
    evidence: dict[str, Any]
    stated_code: bool  # a code the notice states matched, at heading level or finer
    evidence_json: str = ""  # ``evidence`` serialised once for bulk writes
    level: str = EvidenceLevel.KEYWORD
    update: bool = False  # a follow-up of a measure the enterprise was told about
    measure: str = ""


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


def chapter_wide(tags: list[TagFact]) -> set[str]:
    """The chapters a notice states as a whole: a stated two-digit code with no
    stated heading inside it ("all textile articles" is chapter-wide; a model's
    chapter guess is not)."""
    stated = [t.code for t in tags if t.method in STATED_METHODS]
    return {c for c in stated if len(c) == 2 and not any(o != c and o.startswith(c) for o in stated)}


def usable_tags(notice: NoticeFacts) -> list[TagFact]:
    """The tags that may carry the notice to an enterprise: heading level or finer,
    and chapters only where the notice is chapter-wide (never for a trade remedy)."""
    tags = effective_tags(notice.tags)
    wide = set() if notice.doc_type in TRADE_REMEDIES else chapter_wide(tags)
    return [t for t in tags if len(t.code) >= 4 or (t.code in wide and t.method in STATED_METHODS)]


def remedy_reaches(notice: NoticeFacts, home_country: str) -> bool:
    if notice.doc_type == DocType.SAFEGUARD and not notice.subject_countries:
        return True
    return home_country in notice.subject_countries


def in_scope(profile: Profile, scope: list[str], exact: bool) -> bool:
    """Whether a keyword may carry a notice about products ``scope`` (the codes it
    states, see :meth:`NoticeFacts.scope_codes`) to ``profile``: yes when
    the notice states none or the enterprise declared no products; else when one of
    its products overlaps the scope (``exact``: a trade remedy's product codes are its
    legal scope) or lies in the same chapter (a rule on vehicles concerns their parts,
    a rule on flooring does not concern socks)."""
    if not scope or not profile.products:
        return True
    if exact:
        return any(overlaps(product, code) for product in profile.products for code in scope)
    chapters = {code[:2] for code in scope}
    return any(product[:2] in chapters for product in profile.products)


def match_notice(
    notice: NoticeFacts,
    index: ProfileIndex,
    today: date,
    deadline_days: int,
    event_days: int = DEFAULT_EVENT_DAYS,
    told: Collection[int] = (),
) -> list[Match]:
    """Every enterprise ``notice`` concerns, with severity, reason and evidence.

    ``told``: enterprises already alerted to an earlier notice of the same
    thread (the base notification, an earlier stage of the case); for them a
    follow-up is an update.
    """
    markets = markets_covering(notice.country)
    product_hits = _product_hits(notice, index, markets)
    keyword_hits = index.keywords_in(f"{notice.title}\n{notice.text}", markets)
    candidates = set(product_hits) | set(keyword_hits)
    scope = notice.scope_codes()

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
        keywords: tuple[str, ...] = ()
        if enterprise_id in keyword_hits and (codes or in_scope(profile, scope, is_remedy)):
            keywords = tuple(sorted(keyword_hits[enterprise_id]))
        followed = tuple(followers.get(enterprise_id, []))
        if not (codes or keywords or followed):
            continue
        update = notice.follow_up and enterprise_id in told
        key = (profile.language, tuple((t.id, p) for t, p in codes), keywords, followed, update)
        verdict = verdicts.get(key)
        if verdict is None:
            evidence = Evidence(
                codes=codes, keywords=list(keywords), followed_cases=list(followed), market=notice.country
            )
            verdict = verdicts[key] = _match(
                notice, profile, evidence, today, deadline_days, event_days, update
            )
        v = verdict  # a new Match per enterprise; dataclasses.replace costs three times more
        matches.append(
            Match(
                enterprise_id,
                v.severity,
                v.score,
                v.reason,
                v.evidence,
                v.stated_code,
                v.evidence_json,
                v.level,
                v.update,
                v.measure,
            )
        )
    return matches


def _product_hits(
    notice: NoticeFacts, index: ProfileIndex, markets: set[str]
) -> dict[int, list[tuple[TagFact, str]]]:
    hits: dict[int, list[tuple[TagFact, str]]] = defaultdict(list)
    for tag in usable_tags(notice):
        for enterprise_id, product in sorted(index.products_touching(tag.code, markets)):
            hits[enterprise_id].append((tag, product))
    return hits


def is_recent_event(notice: NoticeFacts, today: date, event_days: int) -> bool:
    """A trade-remedy event of a critical kind published in the last ``event_days``
    days (history imported from files is older, and informational)."""
    if notice.doc_type not in TRADE_REMEDIES or notice.case_stage not in CRITICAL_STAGES:
        return False
    if notice.published_on is None:
        return False
    # A few days ahead is still news: the Federal Register lists documents for public
    # inspection the day before they are published.
    return -FUTURE_DAYS <= (today - notice.published_on).days <= event_days


def severity_of(
    notice: NoticeFacts,
    evidence: Evidence,
    today: date,
    deadline_days: int,
    event_days: int = DEFAULT_EVENT_DAYS,
) -> str:
    """critical: a recent trade-remedy event reaching on heading-level evidence or a
    followed case, or an open comment deadline ``deadline_days`` away or closer on
    heading-level evidence; high: a stated code at heading level or finer; normal:
    everything else (chapter level, keywords only)."""
    heading = evidence.heading_level()
    if (heading or evidence.followed_cases) and is_recent_event(notice, today, event_days):
        return Severity.CRITICAL
    if heading and notice.comment_deadline and 0 <= (notice.comment_deadline - today).days <= deadline_days:
        return Severity.CRITICAL
    if evidence.stated_heading():
        return Severity.HIGH
    return Severity.NORMAL


def _match(
    notice: NoticeFacts,
    profile: Profile,
    evidence: Evidence,
    today: date,
    deadline_days: int,
    event_days: int,
    update: bool,
) -> Match:
    level = evidence.level()
    evidence_dict = evidence.as_json()
    evidence_dict.update(measure=notice.measure_key, update=update, level=str(level))
    return Match(
        enterprise_id=profile.id,
        severity=severity_of(notice, evidence, today, deadline_days, event_days),
        score=match_score(evidence),
        reason=reason_text(notice, evidence, profile, today),
        evidence=evidence_dict,
        evidence_json=json.dumps(evidence_dict, ensure_ascii=False, sort_keys=True),
        stated_code=evidence.stated_heading(),
        level=str(level),
        update=update,
        measure=notice.measure_key,
    )

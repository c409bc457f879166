"""Why an alert was raised, said in the enterprise's language (words from the catalogue)."""

from __future__ import annotations

from datetime import date

from alerts.facts import LEVEL_LABELS, Evidence, EvidenceLevel, NoticeFacts, TagFact
from alerts.profiles import Profile
from hs.codes import display
from hs.markets import country_name
from i18n import N_, gettext, language
from store.measures import thread_key
from store.models import DocType

REMEDY_KINDS = {
    DocType.ANTIDUMPING: N_("anti-dumping"),
    DocType.COUNTERVAILING: N_("countervailing duty"),
    DocType.SAFEGUARD: N_("safeguard"),
}

# One line per matched product, worded by the level of its evidence.
_CODE_PHRASES = {
    EvidenceLevel.STATED: N_("HS {notice_code} matches your product {product}"),
    EvidenceLevel.NAMED: N_("the notice names products of HS {notice_code}, your product {product}"),
    EvidenceLevel.MODEL: N_("HS {notice_code} (estimated from the text) matches your product {product}"),
    EvidenceLevel.CHAPTER: N_(
        "the notice covers all of HS chapter {notice_code}, where your product {product} lies"
    ),
}


def reason_text(notice: NoticeFacts, evidence: Evidence, profile: Profile, today: date) -> str:
    """One sentence: the evidence level in words, then every piece of evidence behind an alert."""
    lang = language(profile.language)

    def say(msgid: str, **values: str) -> str:
        return gettext(lang, msgid).format(**values)

    parts = [gettext(lang, LEVEL_LABELS[evidence.level()])]
    if notice.follow_up:
        parts.append(say(N_("follow-up of {measure}"), measure=_thread_name(notice)))
    parts += [
        say(_CODE_PHRASES[tag.level()], notice_code=display(tag.code), product=display(product))
        for tag, product in _most_specific(evidence.codes)
    ]
    if notice.inherited_tags and evidence.codes:
        parts.append(say(N_("products as stated by the notice it follows up")))
    parts += [say(N_("your keyword “{keyword}” appears in the notice"), keyword=k) for k in evidence.keywords]
    parts.append(say(N_("market {market}"), market=country_name(evidence.market, lang)))
    kind_id = REMEDY_KINDS.get(DocType(notice.doc_type)) if notice.doc_type in REMEDY_KINDS else None
    if kind_id:
        kind = gettext(lang, kind_id)
        parts += [say(N_("{kind} case {case}"), kind=kind, case=c) for c in notice.case_numbers]
        if not notice.case_numbers and notice.subject_countries:
            names = ", ".join(country_name(c, lang) for c in notice.subject_countries)
            parts.append(say(N_("{kind} measure against {countries}"), kind=kind, countries=names))
    parts += [say(N_("you follow case {case}"), case=c) for c in evidence.followed_cases]
    if notice.comment_deadline and notice.comment_deadline >= today:
        # The date, not the days left: a stored reason must not go stale; mails count the days.
        parts.append(say(N_("comments due {deadline}"), deadline=notice.comment_deadline.isoformat()))

    return gettext(lang, N_("; ")).join(parts)


def _thread_name(notice: NoticeFacts) -> str:
    """The measure a follow-up continues, as people write it: the base WTO symbol or the case."""
    thread = thread_key(notice.measure_key)
    return thread.split(":", 1)[1] if ":" in thread else notice.external_id


def _most_specific(codes: list[tuple[TagFact, str]]) -> list[tuple[TagFact, str]]:
    """One line per product: the most specific notice code that touched it."""
    best: dict[str, tuple[TagFact, str]] = {}
    for tag, product in codes:
        if product not in best or len(tag.code) > len(best[product][0].code):
            best[product] = (tag, product)
    return list(best.values())

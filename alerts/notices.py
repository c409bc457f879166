"""Notices as matching reads them: the fields it needs, with their tags, one
entry per event however many sources reported it (see :mod:`store.measures`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from alerts.facts import NoticeFacts, TagFact
from store.measures import event_key, follow_up_rank, thread_key
from store.models import STAGES, Notice, Tag


def load_notice_facts(session: Session) -> list[NoticeFacts]:
    """Every tagged notice with its tags, read column by column (no ORM objects)."""
    tags: dict[int, list[TagFact]] = defaultdict(list)
    for tag_id, notice_id, code, score, method in session.exec(
        select(Tag.id, Tag.notice_id, Tag.code, Tag.score, Tag.method)  # type: ignore[call-overload]
    ):
        tags[notice_id].append(TagFact(tag_id, code, score, method))
    columns = (
        Notice.id,
        Notice.doc_type,
        Notice.country,
        Notice.title,
        Notice.text,
        Notice.subject_countries,
        Notice.case_numbers,
        Notice.comment_deadline,
        Notice.external_id,
        Notice.measure_key,
        Notice.case_stage,
        Notice.published_on,
    )
    rows = session.exec(
        select(*columns).where(col(Notice.tagger_version).is_not(None)).order_by(col(Notice.id))  # type: ignore[call-overload]
    )
    return [
        NoticeFacts(
            id=i,
            doc_type=d,
            country=c,
            title=t,
            text=x,
            subject_countries=list(s or []),
            case_numbers=list(k or []),
            comment_deadline=dl,
            tags=tags.get(i, []),
            external_id=ext,
            measure_key=mk,
            case_stage=stage,
            published_on=pub,
        )
        for i, d, c, t, x, s, k, dl, ext, mk, stage, pub in rows
    ]


@dataclass
class Event:
    """One event (see :func:`store.measures.event_key`): the facts of its notices
    merged, the notices themselves, and the thread it belongs to."""

    facts: NoticeFacts
    key: str
    thread: str
    notice_ids: list[int]


def events_by_thread(notices: list[NoticeFacts]) -> list[list[Event]]:
    """The notices grouped into events (copies from several sources merged), the
    events grouped into threads, each thread in order (base notification, then its
    follow-ups; a case's stages by date). A follow-up is marked as such and, when it
    states no product codes or subject countries, takes those of the thread before it."""
    copies: dict[str, list[NoticeFacts]] = defaultdict(list)
    for notice in notices:
        copies[event_key(notice.measure_key or f"notice:{notice.id}", notice.external_id)].append(notice)
    threads: dict[str, list[Event]] = defaultdict(list)
    for key, group in copies.items():
        facts = _merged(group)
        thread = thread_key(facts.measure_key) if facts.measure_key else key
        threads[thread].append(Event(facts, key, thread, [n.id for n in group]))
    ordered = []
    for events in threads.values():
        events.sort(key=_order)
        for position, event in enumerate(events):
            if position:
                _follow(event.facts, [e.facts for e in events[:position]])
        ordered.append(events)
    return ordered


def _order(event: Event) -> tuple[tuple[int, ...], date, int, int]:
    f = event.facts
    stage_rank = STAGES.index(f.case_stage) if f.case_stage in STAGES else len(STAGES)
    return (follow_up_rank(f.external_id), f.published_on or date.max, stage_rank, f.id)


def _merged(group: list[NoticeFacts]) -> NoticeFacts:
    """One notice's facts for copies of one event: the first-stored copy's, with the
    tags, countries, cases and texts of all of them."""
    if len(group) == 1:
        return group[0]
    first = min(group, key=lambda n: n.id)
    tags: dict[tuple[str, str], TagFact] = {}
    for notice in sorted(group, key=lambda n: n.id):
        for tag in notice.tags:
            known = tags.get((tag.code, tag.method))
            if known is None or tag.score > known.score:
                tags[(tag.code, tag.method)] = tag
    texts = list(dict.fromkeys(n.text for n in sorted(group, key=lambda n: n.id) if n.text))
    dates = [n.published_on for n in group if n.published_on]
    deadlines = [n.comment_deadline for n in group if n.comment_deadline]
    return NoticeFacts(
        id=first.id,
        doc_type=first.doc_type,
        country=first.country,
        title=first.title,
        text="\n".join(texts),
        subject_countries=list(dict.fromkeys(c for n in group for c in n.subject_countries)),
        case_numbers=list(dict.fromkeys(c for n in group for c in n.case_numbers)),
        comment_deadline=first.comment_deadline or (max(deadlines) if deadlines else None),
        tags=list(tags.values()),
        external_id=first.external_id,
        measure_key=first.measure_key,
        case_stage=first.case_stage or next((n.case_stage for n in group if n.case_stage), None),
        published_on=min(dates) if dates else None,
    )


def _follow(facts: NoticeFacts, earlier: list[NoticeFacts]) -> None:
    """Mark ``facts`` a follow-up of ``earlier``; inherit what it does not state."""
    facts.follow_up = True
    if not facts.stated_codes():
        inherited = {(t.code, t.method): t for e in earlier for t in e.tags if t.stated}
        if not inherited and not facts.tags:
            inherited = {(t.code, t.method): t for e in earlier for t in e.tags}
        own = {(t.code, t.method) for t in facts.tags}
        extra = [t for k, t in inherited.items() if k not in own]
        if extra:
            facts.tags = facts.tags + extra
            facts.inherited_tags = True
    if not facts.subject_countries:
        facts.subject_countries = list(dict.fromkeys(c for e in earlier for c in e.subject_countries))

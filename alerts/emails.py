"""Rendering mails from the templates in ``templates/emails``.

Each kind of mail is a triplet: ``subject.txt``, ``body.txt`` and
``body.html``, whose words come from the catalogue (:mod:`i18n`) through
Jinja's i18n extension: one environment per language, the templates of a
kind looked up once per language. Notice titles and texts come from
foreign websites: HTML is autoescaped and the subject is folded onto one
line so that no CR/LF can inject a header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from jinja2.defaults import DEFAULT_NAMESPACE
from sqlmodel import Session, col, select

import i18n
from alerts.mail import OutgoingMail, encode_mail, one_line
from hs.markets import country_name
from hs.nomenclature import label as hs_label
from i18n import N_
from i18n.templates import FoldedWords
from i18n.templates import install as install_catalogue
from store.labels import label
from store.models import TRADE_REMEDIES, Alert, Digest, Enterprise, Notice, Severity, Tag
from store.stages import StageGuide, key_date, stage_guide
from store.summary import DeadlineView, SummaryFields, deadline_view, format_day, notice_summary
from store.text import strip_bidi

SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.NORMAL)
_SEVERITY_RANK = {severity.value: rank for rank, severity in enumerate(SEVERITY_ORDER)}


# The sections of a mail, in order, and what puts an item in each (see :func:`section_of`).
SECTIONS = ("action", "new", "updates", "info")


@dataclass(frozen=True)
class Windows:
    """When an item needs action: an open deadline ``deadline_days`` away or
    closer, a trade-remedy step published ``event_days`` ago or less (the
    same windows as the severity rules: BW_CRITICAL_DEADLINE_DAYS and
    BW_CRITICAL_EVENT_DAYS)."""

    deadline_days: int = 14
    event_days: int = 60


WINDOWS = Windows()


@dataclass
class DigestItem:
    """One alert as a mail shows it (all words already in the reader's language)."""

    alert_id: int
    severity: str
    title: str
    country: str
    kind: str
    products: list[str]
    reason: str
    url: str | None
    summary: str = ""
    stage: StageGuide | None = None
    stage_line: str | None = None  # "Stage: <name>. <what it means and what to do>"
    deadline: DeadlineView | None = None  # the key date: comment deadline or request window
    published: str | None = None  # " (published <day>)", written right after the title
    effective: str | None = None
    message: str | None = None  # the reviewer's message to the enterprise (never the internal note)
    update: bool = False  # a follow-up of a measure the enterprise was told about
    reminder: bool = False  # sent before; shown again because its deadline is coming
    section: str = "info"


@cache
def _environment(templates_dir: Path, language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        auto_reload=False,  # templates ship with the code: no stat() of each file at every mail
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n", FoldedWords],
    )
    # Jinja copies every global (range, dict, cycler, …) into each render's context; mail
    # templates use none of them, and the copies cost a fifth of rendering a digest. They
    # keep only the language's gettext functions and its code.
    for name in DEFAULT_NAMESPACE:
        environment.globals.pop(name, None)
    install_catalogue(environment, language)
    environment.globals["lang"] = language
    return environment


def digest_items(session: Session, alerts: Sequence[Alert], language: str, today: date) -> list[DigestItem]:
    """``alerts`` as template items, in mail order (two queries, whatever the number of alerts)."""
    notice_ids = [a.notice_id for a in alerts]
    notices = {n.id: n for n in session.exec(select(Notice).where(col(Notice.id).in_(notice_ids))) if n.id}
    tag_ids = [i for a in alerts for i in a.evidence.get("tag_ids", [])]
    tag_codes = (
        {t.id: t.code for t in session.exec(select(Tag).where(col(Tag.id).in_(tag_ids))) if t.id}
        if tag_ids
        else {}
    )
    return digest_items_from(alerts, notices, tag_codes, language, today)


class AlertFields(Protocol):
    """What a digest item reads of an alert: an :class:`Alert` or a row of its columns."""

    @property
    def id(self) -> int | None: ...
    @property
    def notice_id(self) -> int: ...
    @property
    def severity(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def message(self) -> str | None: ...
    @property
    def evidence(self) -> dict[str, Any]: ...


class NoticeFields(SummaryFields, Protocol):
    """What a digest item reads of a notice: a :class:`Notice` or a row of its columns."""

    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def effective_on(self) -> date | None: ...


class EnterpriseFields(Protocol):
    """What a mail reads of an enterprise: an :class:`Enterprise` or a row of its columns."""

    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    @property
    def frequency(self) -> str: ...


def digest_items_from(
    alerts: Sequence[AlertFields],
    notices: Mapping[int, NoticeFields],
    tag_codes: Mapping[int, str],
    language: str,
    today: date,
    reminders: Sequence[AlertFields] = (),
    windows: Windows = WINDOWS,
) -> list[DigestItem]:
    """``alerts`` (and the alerts sent before that ``reminders`` recall) as
    template items in mail order: by section, most severe first, from notices
    and tag codes (by tag id) already read. A reminder of an alert that is in
    the mail anyway is not shown twice."""
    items = [_item(alert, notices[alert.notice_id], tag_codes, language, today, windows) for alert in alerts]
    shown = {alert.notice_id for alert in alerts}
    for alert in reminders:
        if alert.notice_id not in shown:
            shown.add(alert.notice_id)
            notice = notices[alert.notice_id]
            items.append(_item(alert, notice, tag_codes, language, today, windows, reminder=True))
    return sorted(items, key=lambda i: (_SECTION_RANK[i.section], _SEVERITY_RANK[i.severity], i.alert_id))


_SECTION_RANK = {section: rank for rank, section in enumerate(SECTIONS)}


def _item(
    alert: AlertFields,
    notice: NoticeFields,
    tag_codes: Mapping[int, str],
    language: str,
    today: date,
    windows: Windows,
    reminder: bool = False,
) -> DigestItem:
    assert alert.id is not None
    codes = list(dict.fromkeys(tag_codes[i] for i in alert.evidence.get("tag_ids", []) if i in tag_codes))
    deadline = deadline_view(
        key_date(notice.country, notice.case_stage, notice.published_on, notice.comment_deadline),
        language,
        today,
    )
    update = bool(alert.evidence.get("update", False))
    item = DigestItem(
        alert_id=alert.id,
        severity=alert.severity,
        title=strip_bidi(notice.title),  # stored before notices were cleaned of them
        country=country_name(notice.country, language),
        kind=label(language, "kind", notice.doc_type),
        products=[hs_label(code, language) for code in codes],
        reason=alert.reason,
        url=safe_link(notice.url),
        summary=notice_summary(notice, language, today, codes or None),
        stage=_stage_now(notice, language, today, deadline, windows),
        deadline=deadline,
        published=_published(notice.published_on, language),
        effective=format_day(notice.effective_on, language) if notice.effective_on else None,
        message=alert.message,
        update=update,
        reminder=reminder,
    )
    item.section = section_of(item, notice, today, windows)
    if item.stage is not None:
        words = {"name": item.stage.name, "meaning": item.stage.meaning}
        item.stage_line = i18n.gettext(language, "Stage: %(name)s. %(meaning)s") % words
    return item


def _published(day: date | None, language: str) -> str | None:
    if day is None:
        return None
    # The space that separates it from the title is the message's: Chinese needs none.
    return i18n.gettext(language, " (published %(day)s)") % {"day": format_day(day, language)}


def section_of(item: DigestItem, notice: NoticeFields, today: date, windows: Windows = WINDOWS) -> str:
    """Where an item goes: *action* (a reminder, an open deadline within
    ``windows.deadline_days``, or a recent trade-remedy event that asks something of
    exporters), *updates* (follow-ups of a measure the enterprise was told
    about), *new* (critical and high), else *info*. Severity alone puts
    nothing under *action*: an old order is news to the reader, not a task."""
    left = item.deadline.days_left if item.deadline else None
    if item.reminder or (left is not None and left <= windows.deadline_days):
        return "action"
    if item.update:
        return "updates"
    if _recent_event(notice, today, windows) and item.stage is not None and item.stage.action:
        return "action"
    return "new" if item.severity in (Severity.CRITICAL, Severity.HIGH) else "info"


def _recent_event(notice: NoticeFields, today: date, windows: Windows) -> bool:
    """A trade-remedy notice published within ``windows.event_days``."""
    return (
        notice.doc_type in TRADE_REMEDIES
        and notice.published_on is not None
        and (today - notice.published_on).days <= windows.event_days
    )


def _stage_now(
    notice: NoticeFields, language: str, today: date, deadline: DeadlineView | None, windows: Windows
) -> StageGuide | None:
    """The notice's stage explained; a step that asked something of exporters
    long ago (a 2010 initiation imported from a file) is not presented as
    something to do now, unless the notice gives a date still open."""
    guide = stage_guide(notice.country, notice.case_stage, language)
    if (
        guide is None
        or not guide.action
        or _recent_event(notice, today, windows)
        or (deadline and not deadline.closed)
    ):
        return guide
    past = i18n.gettext(language, "An earlier step of the case: what it asked of exporters is past.")
    return replace(guide, meaning=past, action=False)


_HTTP_LINK = re.compile(r"https?://[^\s\"'<>]+$", re.IGNORECASE)


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None: a notice from a
    foreign site must not put a ``javascript:`` or ``data:`` link in a mail."""
    if url and _HTTP_LINK.match(url.strip()):
        return url.strip()
    return None


MAIL_KINDS = ("digest", "critical_alert", "source_failure")
MAIL_PARTS = ("subject.txt", "body.txt", "body.html")


def render_mail(
    templates_dir: Path, kind: str, language: str, context: dict[str, Any]
) -> tuple[str, str, str]:
    """(subject, text, html) of a mail of ``kind`` in ``language`` (``zh``/``en``;
    any other language gets English)."""
    subject, text, html = _triplet(templates_dir, kind, i18n.language(language))
    return one_line(subject.render(context)), text.render(context), html.render(context)


@cache  # looked up for every mail; the environment's own cache takes a lock each time
def _triplet(templates_dir: Path, kind: str, language: str) -> tuple[Template, Template, Template]:
    assert kind in MAIL_KINDS, kind
    env, folder = _environment(templates_dir, language), f"emails/{kind}"
    subject, text, html = (env.get_template(f"{folder}/{name}") for name in MAIL_PARTS)
    return subject, text, html


def digest_context(session: Session, digest: Digest, enterprise: Enterprise, today: date) -> dict[str, Any]:
    """What the templates of a digest's mail need."""
    alerts = session.exec(select(Alert).where(Alert.digest_id == digest.id).order_by(col(Alert.id))).all()
    items = digest_items(session, alerts, enterprise.language, today)
    return alerts_context(items, enterprise, digest.kind, digest.period, today)


_SECTION_WORDS = {
    "action": N_("Action needed"),
    "new": N_("New measures"),
    "updates": N_("Updates to measures you were told about"),
    "info": N_("For information"),
}


def alerts_context(
    items: list[DigestItem], enterprise: EnterpriseFields, kind: str, period: str, today: date | None = None
) -> dict[str, Any]:
    """Template context for ``items`` addressed to ``enterprise`` (also used for previews).

    ``period`` is the digest's internal key; the mail shows ``period_words``
    (dates in the reader's language) instead."""
    language = enterprise.language
    groups = [(s.value, [i for i in items if i.severity == s]) for s in SEVERITY_ORDER]
    sections = [(name, [i for i in items if i.section == name]) for name in SECTIONS]
    return {
        "enterprise": enterprise,
        "name": enterprise.name if language == "zh" else (enterprise.name_en or enterprise.name),
        "kind": kind,
        "period": period_words(kind, period, i18n.language(language), today),
        "items": items,
        "groups": [(severity, group) for severity, group in groups if group],
        "counts": {severity: len(group) for severity, group in groups},
        "sections": [
            (name, _heading(name, len(group), language), group) for name, group in sections if group
        ],
        "reminders": sum(1 for i in items if i.reminder),
    }


def _heading(section: str, count: int, language: str) -> str:
    """A section's heading with its count: ``需要处理（2）``, ``Action needed (2)``."""
    title = i18n.gettext(language, _SECTION_WORDS[section])
    return i18n.gettext(language, "%(title)s (%(num)s)") % {"title": title, "num": count}


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def period_words(kind: str, period: str, language: str, today: date | None = None) -> str:
    """A digest's period as a reader writes it: the week's dates
    (``11月24日–11月30日``, ``24–30 Nov 2026``), the day, or for a critical or
    reminder mail the day it is sent; never the internal key."""
    if week := _WEEK.match(period):
        monday = date.fromisocalendar(int(week[1]), int(week[2]), 1)
        return date_range(monday, monday + timedelta(days=6), language)
    try:
        return format_day(date.fromisoformat(period), language)
    except ValueError:
        return format_day(today, language) if today else ""


def _en(day: date) -> str:
    return format_date(day, "d MMM y", locale="en_GB")


@cache
def date_range(first: date, last: date, language: str) -> str:
    """``11月24日–11月30日`` (zh; with the years when they differ) or ``24–30 Nov 2026`` (en)."""
    if language == "zh":
        pattern = "y年M月d日" if first.year != last.year else "M月d日"
        return f"{format_date(first, pattern, locale='zh')}–{format_date(last, pattern, locale='zh')}"
    if first.year != last.year:
        return f"{format_date(first, 'd MMM y', locale='en_GB')} – {_en(last)}"
    if first.month != last.month:
        return (
            f"{format_date(first, 'd MMM', locale='en_GB')} – {format_date(last, 'd MMM y', locale='en_GB')}"
        )
    return f"{first.day}–{format_date(last, 'd MMM y', locale='en_GB')}"


def template_kind(digest_kind: str) -> str:
    """The template folder of a digest kind (weekly and daily share one; a
    mail of reminders alone is laid out as a critical mail)."""
    return "critical_alert" if digest_kind in ("critical", "reminder") else "digest"


def source_failure_message(
    *,
    templates_dir: Path,
    language: str,
    sources: Sequence[Any],
    held_runs: Sequence[Any] = (),
    failed_crawls: Sequence[Any] = (),
    threshold: int,
    sender: str,
    recipient: str,
    message_id: str,
    sent_at: datetime,
) -> OutgoingMail:
    """The notice to an administrator that sources keep failing, that crawl
    runs had sources fail, or that the circuit breaker held match runs."""

    context = {
        "sources": sources,
        "held_runs": held_runs,
        "failed_crawls": failed_crawls,
        "threshold": threshold,
    }

    subject, text, html = render_mail(templates_dir, "source_failure", language, context)
    return encode_mail(
        subject=subject,
        text=text,
        html=html,
        sender=sender,
        recipient=recipient,
        message_id=message_id,
        sent_at=sent_at,
    )

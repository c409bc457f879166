"""Rendering mails from the templates in ``templates/emails``.

Each kind of mail is a triplet per language: ``subject.txt``, ``body.txt``
and ``body.html``. Notice titles and texts come from foreign websites:
HTML is autoescaped and the subject is folded onto one line so that no
CR/LF can inject a header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape
from sqlmodel import Session, col, select

from alerts.mail import OutgoingMail, encode_mail, one_line
from hs.codes import display
from hs.markets import country_name
from hs.nomenclature import describe
from store.models import Alert, Digest, Enterprise, Notice, Severity, Tag
from store.text import strip_bidi

SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.NORMAL)
_SEVERITY_RANK = {severity.value: rank for rank, severity in enumerate(SEVERITY_ORDER)}
DOC_TYPE_NAMES = {
    "en": {
        "tbt": "Technical regulation (WTO TBT)",
        "sps": "Sanitary/phytosanitary measure (WTO SPS)",
        "antidumping": "Anti-dumping",
        "countervailing": "Countervailing duty",
        "safeguard": "Safeguard",
        "recall": "Product recall",
        "regulation": "National regulation",
    },
    "zh": {
        "tbt": "技术法规（WTO/TBT）",
        "sps": "卫生与植物卫生措施（WTO/SPS）",
        "antidumping": "反倾销",
        "countervailing": "反补贴",
        "safeguard": "保障措施",
        "recall": "产品召回",
        "regulation": "国家法规",
    },
}


@dataclass
class DigestItem:
    alert_id: int
    severity: str
    title: str
    country: str
    kind: str
    products: list[str]
    reason: str
    note: str | None
    url: str | None
    published_on: date | None
    comment_deadline: date | None
    days_left: int | None
    effective_on: date | None


@cache
def _environment(templates_dir: Path) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        auto_reload=False,  # templates ship with the code: no stat() of each file at every mail
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Jinja copies every global (range, dict, cycler, …) into each render's context; mail
    # templates use none of them, and the copies cost a fifth of rendering a digest.
    environment.globals.clear()
    return environment


def digest_items(session: Session, alerts: Sequence[Alert], language: str, today: date) -> list[DigestItem]:
    """``alerts`` as template items, most severe first (two queries, whatever the number of alerts)."""
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
    def note(self) -> str | None: ...
    @property
    def evidence(self) -> dict[str, Any]: ...


class NoticeFields(Protocol):
    """What a digest item reads of a notice: a :class:`Notice` or a row of its columns."""

    @property
    def title(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def doc_type(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def published_on(self) -> date | None: ...
    @property
    def comment_deadline(self) -> date | None: ...
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
) -> list[DigestItem]:
    """``alerts`` as template items, most severe first, from notices and tag
    codes (by tag id) already read."""
    items = [_item(alert, notices[alert.notice_id], tag_codes, language, today) for alert in alerts]
    return sorted(items, key=lambda i: (_SEVERITY_RANK[i.severity], i.alert_id))


def _item(
    alert: AlertFields, notice: NoticeFields, tag_codes: Mapping[int, str], language: str, today: date
) -> DigestItem:
    assert alert.id is not None
    codes = [tag_codes[i] for i in alert.evidence.get("tag_ids", []) if i in tag_codes]
    products = [f"{display(code)} {describe(code[:2], language)}" for code in codes]
    deadline = notice.comment_deadline
    return DigestItem(
        alert_id=alert.id,
        severity=alert.severity,
        title=strip_bidi(notice.title),  # stored before notices were cleaned of them
        country=country_name(notice.country, language),
        kind=DOC_TYPE_NAMES[language].get(notice.doc_type, notice.doc_type),
        products=list(dict.fromkeys(products)),
        reason=alert.reason,
        note=alert.note,
        url=safe_link(notice.url),
        published_on=notice.published_on,
        comment_deadline=deadline,
        days_left=(deadline - today).days if deadline and deadline >= today else None,
        effective_on=notice.effective_on,
    )


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
    """(subject, text, html) of a mail of ``kind`` in ``language`` (``zh``/``en``)."""
    subject, text, html = _triplet(templates_dir, kind, language if language in ("zh", "en") else "en")
    return one_line(subject.render(context)), text.render(context), html.render(context)


@cache  # looked up for every mail; the environment's own cache takes a lock each time
def _triplet(templates_dir: Path, kind: str, language: str) -> tuple[Template, Template, Template]:
    assert kind in MAIL_KINDS, kind
    env, folder = _environment(templates_dir), f"emails/{kind}/{language}"
    subject, text, html = (env.get_template(f"{folder}/{name}") for name in MAIL_PARTS)
    return subject, text, html


def digest_context(session: Session, digest: Digest, enterprise: Enterprise, today: date) -> dict[str, Any]:
    """What the templates of a digest's mail need."""
    alerts = session.exec(select(Alert).where(Alert.digest_id == digest.id).order_by(col(Alert.id))).all()
    items = digest_items(session, alerts, enterprise.language, today)
    return alerts_context(items, enterprise, digest.kind, digest.period)


def alerts_context(
    items: list[DigestItem], enterprise: EnterpriseFields, kind: str, period: str
) -> dict[str, Any]:
    """Template context for ``items`` addressed to ``enterprise`` (also used for previews)."""
    language = enterprise.language
    groups = [(s.value, [i for i in items if i.severity == s]) for s in SEVERITY_ORDER]
    return {
        "enterprise": enterprise,
        "name": enterprise.name if language == "zh" else (enterprise.name_en or enterprise.name),
        "kind": kind,
        "period": period,
        "items": items,
        "groups": [(severity, group) for severity, group in groups if group],
        "counts": {severity: len(group) for severity, group in groups},
    }


def template_kind(digest_kind: str) -> str:
    """The template folder of a digest kind (weekly and daily share one)."""
    return "critical_alert" if digest_kind == "critical" else "digest"


def source_failure_message(
    *,
    templates_dir: Path,
    language: str,
    sources: Sequence[Any],
    held_runs: Sequence[Any] = (),
    threshold: int,
    sender: str,
    recipient: str,
    message_id: str,
    sent_at: datetime,
) -> OutgoingMail:
    """The notice to an administrator that sources keep failing."""

    context = {"sources": sources, "held_runs": held_runs, "threshold": threshold}

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

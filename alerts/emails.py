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
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session, col, select

from hs.codes import display
from hs.markets import country_name
from hs.nomenclature import describe
from store.models import Alert, Digest, Enterprise, Notice, Severity, Tag

SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.NORMAL)
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
    return Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        auto_reload=False,  # templates ship with the code: no stat() of each file at every mail
        trim_blocks=True,
        lstrip_blocks=True,
    )


def digest_items(session: Session, alerts: Sequence[Alert], language: str, today: date) -> list[DigestItem]:
    """``alerts`` as template items, most severe first (two queries, whatever the number of alerts)."""
    notice_ids = [a.notice_id for a in alerts]
    notices = {n.id: n for n in session.exec(select(Notice).where(col(Notice.id).in_(notice_ids))) if n.id}
    tag_ids = [i for a in alerts for i in a.evidence.get("tag_ids", [])]
    tags = (
        {t.id: t for t in session.exec(select(Tag).where(col(Tag.id).in_(tag_ids))) if t.id}
        if tag_ids
        else {}
    )
    return digest_items_from(alerts, notices, tags, language, today)


def digest_items_from(
    alerts: Sequence[Alert],
    notices: Mapping[int, Notice],
    tags: Mapping[int, Tag],
    language: str,
    today: date,
) -> list[DigestItem]:
    """``alerts`` as template items, most severe first, from notices and tags already read."""
    items = [_item(alert, notices[alert.notice_id], tags, language, today) for alert in alerts]
    return sorted(items, key=lambda i: (SEVERITY_ORDER.index(Severity(i.severity)), i.alert_id))


def _item(alert: Alert, notice: Notice, tags: Mapping[int, Tag], language: str, today: date) -> DigestItem:
    assert alert.id is not None
    codes = [tags[i].code for i in alert.evidence.get("tag_ids", []) if i in tags]
    products = [f"{display(code)} {describe(code[:2], language)}" for code in codes]
    deadline = notice.comment_deadline
    return DigestItem(
        alert_id=alert.id,
        severity=alert.severity,
        title=notice.title,
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


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None: a notice from a
    foreign site must not put a ``javascript:`` or ``data:`` link in a mail."""
    if url and re.match(r"https?://[^\s\"'<>]+$", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


MAIL_KINDS = ("digest", "critical_alert", "source_failure")


def render_mail(
    templates_dir: Path, kind: str, language: str, context: dict[str, Any]
) -> tuple[str, str, str]:
    """(subject, text, html) of a mail of ``kind`` in ``language`` (``zh``/``en``)."""
    assert kind in MAIL_KINDS, kind
    env = _environment(templates_dir)
    folder = f"emails/{kind}/{language if language in ('zh', 'en') else 'en'}"
    subject = env.get_template(f"{folder}/subject.txt").render(context)
    text = env.get_template(f"{folder}/body.txt").render(context)
    html = env.get_template(f"{folder}/body.html").render(context)
    return one_line(subject), text, html


def one_line(value: str) -> str:
    """Fold CR, LF and other control characters to spaces (no header injection)."""
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", value).strip()


def digest_context(session: Session, digest: Digest, enterprise: Enterprise, today: date) -> dict[str, Any]:
    """What the templates of a digest's mail need."""
    alerts = session.exec(select(Alert).where(Alert.digest_id == digest.id).order_by(col(Alert.id))).all()
    items = digest_items(session, alerts, enterprise.language, today)
    return alerts_context(items, enterprise, digest.kind, digest.period)


def alerts_context(items: list[DigestItem], enterprise: Enterprise, kind: str, period: str) -> dict[str, Any]:
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


def build_message(
    *, subject: str, text: str, html: str, sender: str, recipient: str, message_id: str, sent_at: datetime
) -> Message:
    """A multipart/alternative mail, UTF-8: plain text first, HTML preferred.

    Built with the compat32 MIME classes: the modern header registry
    parses every header again and costs more than rendering the digest.
    """
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(one_line(subject), "utf-8")  # type: ignore[assignment]

    name, address = parseaddr(sender)
    message["From"] = formataddr((str(Header(name, "utf-8")) if not name.isascii() else name, address))
    message["To"] = one_line(recipient)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = one_line(message_id)
    message["Auto-Submitted"] = "auto-generated"
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message


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
) -> Message:
    """The notice to an administrator that sources keep failing."""

    context = {"sources": sources, "held_runs": held_runs, "threshold": threshold}

    subject, text, html = render_mail(templates_dir, "source_failure", language, context)
    return build_message(
        subject=subject,
        text=text,
        html=html,
        sender=sender,
        recipient=recipient,
        message_id=message_id,
        sent_at=sent_at,
    )

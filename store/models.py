"""The tables of BarrierWatch (see DESIGN.md, "Data model").

Every stage writes rows that the next stage reads; the unique constraints
below are what make each stage safe to rerun.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, MetaData, Table, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime, utcnow


@event.listens_for(Table, "after_parent_attach")
def _ids_never_reused(table: Table, metadata: MetaData) -> None:
    """Every table of ours hands out ids with AUTOINCREMENT on SQLite: without
    it SQLite gives the highest id again once its row is deleted, and a link
    or bookmark naming the old row would reach the new one. (PostgreSQL's
    sequences never hand an id out twice.)"""
    if metadata is SQLModel.metadata:
        table.dialect_options["sqlite"]["autoincrement"] = True


def new_link_secret() -> str:
    """A contact's random link secret (96 bits), signed into its mail links."""
    return secrets.token_urlsafe(12)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def _timestamp(nullable: bool = False) -> Any:
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, nullable=True)
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DocType(StrEnum):
    TBT = "tbt"
    SPS = "sps"
    ANTIDUMPING = "antidumping"
    COUNTERVAILING = "countervailing"
    SAFEGUARD = "safeguard"
    RECALL = "recall"
    REGULATION = "regulation"


TRADE_REMEDIES = frozenset({DocType.ANTIDUMPING, DocType.COUNTERVAILING, DocType.SAFEGUARD})


# The steps of a trade-remedy case, in the order a case goes through them.
# Codes of at most 32 characters. ``preliminary`` covers EU provisional duties, ``order`` EU
# definitive duties; ``termination`` ends an investigation without measures, ``revocation`` ends
# a measure; ``review_*`` are the phases of an administrative review (``administrative_review``
# when the phase is not said); ``sunset_review`` opens an expiry review, ``continuation`` keeps
# the measure after it.
STAGES = (
    "initiation",
    "preliminary",
    "final",
    "order",
    "termination",
    "review_opportunity",
    "review_initiation",
    "review_preliminary",
    "review_final",
    "administrative_review",
    "new_shipper_review",
    "scope",
    "circumvention",
    "interim_review",
    "sunset_review",
    "continuation",
    "revocation",
)


class TagMethod(StrEnum):
    PUBLISHER = "publisher"  # codes the publisher attached to the notice
    EXPLICIT = "explicit"  # codes written in the notice text
    TERMS = "terms"
    MODEL = "model"
    INSPECTOR = "inspector"


class AlertStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # no longer supported by the notice's tags
    SENT = "sent"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    NORMAL = "normal"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Source(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=64)
    kind: str = Field(max_length=32)  # "file", "feed", or a spider slug
    url: str | None = None
    country: str | None = Field(default=None, max_length=2)
    doc_type: str | None = Field(default=None, max_length=32)
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    last_success_at: datetime | None = _timestamp(nullable=True)
    consecutive_failures: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _timestamp()


class Notice(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64, index=True)
    external_id: str = Field(max_length=200)
    doc_type: str = Field(max_length=32, index=True)
    country: str = Field(max_length=2, index=True)
    subject_countries: list[str] = _json_list()
    title: str = Field(sa_type=Text)
    text: str = Field(default="", sa_type=Text)
    language: str | None = Field(default=None, max_length=8)
    url: str | None = None
    published_on: date | None = None
    comment_deadline: date | None = None
    effective_on: date | None = None
    case_numbers: list[str] = _json_list()
    # Trade remedies: the step of the case this notice records (see alerts.cases.STAGES).
    case_stage: str | None = Field(default=None, max_length=32)
    publisher_hs_codes: list[str] = _json_list()
    content_hash: str = Field(max_length=64)
    version: int = 1
    # The measure this notice reports (store.measures.measure_key): derived from the fields
    # above, recomputed whenever the notice is saved; copies from several sources share it.
    measure_key: str = Field(default="", max_length=300, index=True)
    # The notification this one follows up (G/TBT/N/USA/1234 for .../Add.1).
    revision_of: int | None = Field(default=None, foreign_key="notice.id")
    tagger_version: str | None = Field(default=None, max_length=64)
    first_seen_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # The tagger reads at most nlp.classify.MAX_TAGGED_CHARS of a notice: set
    # (characters read) when the title and text were longer, else None.
    tag_chars_read: int | None = None
    # Why tagging this notice failed (the stage goes on with the others).
    tag_error: str | None = Field(default=None, sa_type=Text)


class NoticeVersion(SQLModel, table=True):
    """An earlier content of a notice, kept when its publisher changed it."""

    __table_args__ = (UniqueConstraint("notice_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    version: int
    content_hash: str = Field(max_length=64)
    content: dict[str, Any] = _json_dict()
    replaced_at: datetime = _timestamp()


class Case(SQLModel, table=True):
    __tablename__ = "trade_case"  # "case" is an SQL keyword

    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(unique=True, max_length=40)
    doc_type: str = Field(max_length=32)
    country: str = Field(max_length=2)  # the investigating authority's country
    product: str | None = None
    subject_countries: list[str] = _json_list()
    created_at: datetime = _timestamp()


class CaseNotice(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("case_id", "notice_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="trade_case.id", index=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)


class Tag(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("notice_id", "code", "method"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    code: str = Field(max_length=6, index=True)  # HS chapter, heading or subheading
    score: float = 1.0
    method: str = Field(max_length=16)
    model_version: str = Field(max_length=64)
    created_at: datetime = _timestamp()


class Enterprise(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    home_country: str = Field(default="CN", max_length=2)
    keywords: list[str] = _json_list()
    followed_cases: list[str] = _json_list()
    language: str = Field(default="zh", max_length=2)
    frequency: str = Field(default="weekly", max_length=16)
    active: bool = True
    preference_token: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Contact(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("enterprise_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    email: str = Field(max_length=254)
    name: str | None = None
    unsubscribed_at: datetime | None = _timestamp(nullable=True)
    # Signed into the contact's mail links (alerts.tokens): a link made for a
    # contact removed since never reaches one added later under the same id.
    link_secret: str = Field(
        default_factory=new_link_secret, max_length=32, sa_column_kwargs={"default": new_link_secret}
    )


class EnterpriseProduct(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    code: str = Field(max_length=6, index=True)  # normalised HS code, 2-6 digits
    raw: str = Field(max_length=20)  # as the enterprise wrote it (may be a tariff line)


class EnterpriseMarket(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("enterprise_id", "market"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    market: str = Field(max_length=2, index=True)  # ISO alpha-2 or a group (EU)


class Alert(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("notice_id", "enterprise_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    severity: str = Field(max_length=16)
    score: float = 0.0  # strength of the evidence, 0..1 (see alerts.match.match_score)
    reason: str = Field(sa_type=Text)
    evidence: dict[str, Any] = _json_dict()
    status: str = Field(default=AlertStatus.PENDING_REVIEW, max_length=16, index=True)
    reviewer: str | None = None
    reviewed_at: datetime | None = _timestamp(nullable=True)
    # The reviewer's note, for inspectors only: never shown to the enterprise.
    note: str | None = Field(default=None, sa_type=Text)
    # What the mail tells the enterprise beside the alert (optional).
    message: str | None = Field(default=None, sa_type=Text)
    digest_id: int | None = Field(default=None, foreign_key="digest.id", index=True)
    # The measure the alert is about (Notice.measure_key); ``is_update``: a follow-up (an
    # addendum, the next stage of a case) of a measure the enterprise was told about;
    # ``evidence_level``: how the product evidence ties the notice to the enterprise
    # (alerts.facts.EvidenceLevel). The same three are in ``evidence`` ("measure",
    # "update", "level").
    measure_key: str | None = Field(default=None, max_length=300, index=True)
    is_update: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    evidence_level: str | None = Field(default=None, max_length=16)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class AlertReminder(SQLModel, table=True):
    """A reminder that an alert already sent has a deadline coming: one per
    alert, deadline and threshold (days before it), put in the next mail."""

    __tablename__ = "alert_reminder"
    __table_args__ = (UniqueConstraint("alert_id", "deadline", "threshold"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    deadline: date
    threshold: int  # days before the deadline
    digest_id: int | None = Field(default=None, foreign_key="digest.id", index=True)
    created_at: datetime = _timestamp()


class Digest(SQLModel, table=True):
    """One mail's worth of alerts for one enterprise and one period."""

    __table_args__ = (UniqueConstraint("enterprise_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    period: str = Field(max_length=32)  # "2026-W48"
    kind: str = Field(default="weekly", max_length=16)
    created_at: datetime = _timestamp()


class Delivery(SQLModel, table=True):
    """One digest to one contact: the row is the send queue, claimed atomically."""

    __table_args__ = (UniqueConstraint("digest_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digest.id", index=True)
    email: str = Field(max_length=254)
    message_id: str = Field(max_length=255, unique=True)
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    next_attempt_at: datetime | None = _timestamp(nullable=True)  # backoff after a transient failure
    claimed_at: datetime | None = _timestamp(nullable=True)
    sent_at: datetime | None = _timestamp(nullable=True)


class Run(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    stage: str = Field(max_length=32, index=True)
    started_at: datetime = _timestamp()
    finished_at: datetime | None = _timestamp(nullable=True)
    status: str = Field(default="running", max_length=16)
    # Set when the run needs an administrator (e.g. the mass-change circuit breaker held it).
    flagged: bool = False
    counts: dict[str, Any] = _json_dict()
    error: str | None = Field(default=None, sa_type=Text)
    # The process running it (host:pid:start), so that the next run can tell it was killed.
    holder: str | None = Field(default=None, max_length=200)


class SchedulerLock(SQLModel, table=True):
    """Which scheduler process runs the jobs (SQLite; PostgreSQL uses an advisory lock)."""

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=200)
    heartbeat_at: datetime = _timestamp()


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp()
    actor: str = Field(max_length=100)
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: int | None = None
    detail: dict[str, Any] = _json_dict()


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=100)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)  # inspector | admin
    language: str = Field(default="zh", max_length=2)
    active: bool = True
    # SHA-256 of the user's API token; the token itself is shown once, never stored.
    api_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = _timestamp()
    # Signed into the session cookie; bumped on logout and password change,
    # which ends every cookie signed before.
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

"""BarrierWatch settings: one pydantic-settings object, read from ``BW_*``
environment variables and an optional ``.env`` file.

Settings are built when an entry point asks for them (:func:`get_settings`),
never at import time, so tests and tools can set the environment first.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from hs.markets import UnknownCountry, country_code

PROJECT_ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Every setting of BarrierWatch. Each one is documented in the README's
    configuration table (a test checks that none is missing)."""

    model_config = SettingsConfigDict(env_prefix="BW_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/barrierwatch.db",
        description="SQLAlchemy URL of the database; postgresql+psycopg://… at scale.",
    )
    outbox: Path = Field(
        Path("var/outbox"), description="Maildir folder that receives mail when no SMTP host is set."
    )
    timezone: str = Field(
        "Asia/Shanghai", description="IANA zone for schedules, digest weeks and dates in mails."
    )
    sources: Path = Field(Path("sources.toml"), description="File declaring extra sources.")
    home_country: str = Field("CN", description="Default home country of enterprises (ISO code).")
    model_dir: Path = Field(
        PROJECT_ROOT / "nlp" / "model",
        description="The trained tagging model (`barrierwatch nlp train`); without one, codes only.",
    )
    templates_dir: Path = Field(
        PROJECT_ROOT / "templates", description="Folder of the Jinja2 mail and web templates."
    )
    smtp_host: str | None = Field(None, description="SMTP server; mail goes to the outbox if unset.")
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls, tls (implicit TLS) or none."
    )
    smtp_username: str | None = Field(None, description="SMTP login, if the server needs one.")
    smtp_password: str | None = Field(None, description="SMTP password.")
    smtp_timeout: float = Field(30.0, description="Seconds before an SMTP command times out.")
    smtp_ca_file: Path | None = Field(
        None, description="PEM file of the CA that signed the SMTP server's certificate (a private CA)."
    )
    smtp_verify: bool = Field(True, description="Verify the SMTP server's TLS certificate and name.")
    allow_insecure_links: bool = Field(
        False, description="Send mail links on a loopback or http BW_BASE_URL through a real SMTP host."
    )
    smtp_connections: int = Field(4, ge=1, le=64, description="SMTP connections used at once when sending.")
    send_retries: int = Field(2, ge=0, description="Retries within one run after a transient SMTP failure.")
    retry_base_seconds: float = Field(
        1.0, gt=0, description="First retry delay; doubled at each retry, jittered by ±50%."
    )

    stale_claim_seconds: int = Field(
        600, ge=1, description="A delivery claimed longer ago by a sender that died is taken over."
    )
    mail_from: str = Field(
        "BarrierWatch <alerts@barrierwatch.localhost>", description="From header of every mail."
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public address of the web app, for links in mails."
    )
    secret_key: str | None = Field(
        None,
        description="Key that signs sessions and mail links; unset: a key kept beside the SQLite database.",
    )
    auto_approve: Literal["off", "stated-codes"] = Field(
        "off",
        description="off: inspectors approve every alert; stated-codes: approve matches on stated codes.",
    )
    auto_approve_min_score: float = Field(0.9, description="Lowest alert score that stated-codes approves.")
    max_new_alerts_per_run: int = Field(
        1000, description="Circuit breaker: a match run creating more new alerts approves none automatically."
    )
    critical_deadline_days: int = Field(
        14,
        description="An open comment deadline this many days away or closer makes an alert critical "
        "(on heading-level product evidence).",
    )
    critical_event_days: int = Field(
        60,
        ge=0,
        description="A trade-remedy event (initiation, determination, order, review) published this many "
        "days ago or less makes an alert critical (on heading-level evidence or a followed case); older "
        "ones are history.",
    )
    reminder_days: str = Field(
        "14,3",
        description="Days before an open deadline at which enterprises already told of it get a "
        "reminder, separated by ','.",
    )
    remind_cron: str = Field("0 7 * * *", description="When reminders of coming deadlines are recorded.")
    trusted_proxies: str = Field(
        "",
        description="Addresses or networks of reverse proxies whose X-Forwarded-For `serve` believes; "
        "empty: none.",
    )

    # Crawling (crawler/): politeness, limits, and where each source lives.
    contact_email: str = Field(
        "crawler@barrierwatch.localhost",
        description="Contact address put in the crawler's User-Agent so site operators can reach us.",
    )
    crawl_obey_robots: bool = Field(True, description="Obey robots.txt of every crawled site.")
    crawl_delay: float = Field(
        1.0, description="Seconds between requests to one site (AutoThrottle adapts from here)."
    )
    crawl_timeout: float = Field(30.0, description="Seconds before one download is given up.")
    crawl_retries: int = Field(2, description="Retries of a download that failed or got a 5xx.")
    crawl_max_bytes: int = Field(
        20_000_000, description="Largest response accepted, in bytes; larger ones are refused."
    )
    crawl_max_pages: int = Field(20, description="Most result pages read from one source per crawl.")
    crawl_lookback_days: int = Field(
        30, description="How far back date-filtered sources (Federal Register, CPSC) are searched."
    )
    crawl_process_timeout: float = Field(
        1800.0, description="Seconds a whole crawl process may run before it is stopped."
    )
    federalregister_url: str = Field(
        "https://www.federalregister.gov", description="Federal Register site (or a mirror of it)."
    )
    federalregister_full_text: bool = Field(
        True, description="Fetch each Federal Register notice's full text (for HTS numbers)."
    )
    eping_url: str = Field("https://api.wto.org", description="WTO API host serving ePing (or a mirror).")
    eping_api_key: str | None = Field(
        None, description="WTO API subscription key for ePing; without it the public ePing backend is read."
    )
    eping_public_url: str = Field(
        "https://epingalert.org",
        description="ePing web site whose public backend is read when no API key is set (or a mirror).",
    )
    tron_url: str = Field(
        "https://tron.trade.ec.europa.eu", description="EU TRON trade defence site (or a mirror)."
    )
    cacs_url: str = Field(
        "https://cacs.mofcom.gov.cn", description="China Trade Remedies Information site (or a mirror)."
    )
    cpsc_url: str = Field(
        "https://www.saferproducts.gov", description="CPSC recalls web services host (or a mirror)."
    )
    eu_oj_url: str = Field(
        "https://eur-lex.europa.eu",
        description="EUR-Lex, whose Official Journal C series RSS is read (or a mirror).",
    )
    safety_gate_url: str = Field(
        "https://ec.europa.eu",
        description="European Commission site serving Safety Gate weekly reports (or a mirror).",
    )
    dgtr_url: str = Field(
        "https://www.dgtr.gov.in",
        description="India's Directorate General of Trade Remedies site (or a mirror).",
    )
    tra_url: str = Field(
        "https://www.trade-remedies.service.gov.uk",
        description="UK Trade Remedies Authority public service (or a mirror).",
    )
    cbsa_url: str = Field(
        "https://www.cbsa-asfc.gc.ca",
        description="Canada Border Services Agency site, SIMA measures (or a mirror).",
    )
    cbp_csms_url: str = Field(
        "https://content.govdelivery.com",
        description="GovDelivery host of US CBP's CSMS message feed (or a mirror).",
    )

    # Scheduling (scheduler.py): times are crontab lines in BW_TIMEZONE.
    crawl_cron: str = Field(
        "0 2 * * *", description="When the scheduler crawls, then classifies and matches."
    )
    weekly_digest_cron: str = Field("0 8 * * mon", description="When weekly digests are sent.")
    daily_digest_cron: str = Field("0 8 * * *", description="When daily digests are sent.")
    critical_cron: str = Field("*/15 * * * *", description="How often approved critical alerts are sent.")
    health_cron: str = Field(
        "30 7 * * *", description="When administrators hear of failing sources and held runs."
    )
    misfire_grace_seconds: int = Field(
        3600, ge=1, description="A job that missed its time still runs this late."
    )
    source_failure_threshold: int = Field(3, ge=1, description="Failures in a row before admins are told.")
    admin_emails: str = Field("", description="Administrators' addresses for health mails, separated by ';'.")

    @field_validator(
        "crawl_cron", "weekly_digest_cron", "daily_digest_cron", "critical_cron", "health_cron", "remind_cron"
    )
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a crontab line (minute hour day month weekday): {exc}"
            ) from None
        return value

    @field_validator("reminder_days")
    @classmethod
    def _reminder_days(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.isdigit() and 0 < int(p) <= 365 for p in parts):
            raise ValueError(
                f"{value!r}: expected whole numbers of days from 1 to 365 separated by ',', e.g. 14,3"
            )
        return value

    @property
    def reminder_thresholds(self) -> tuple[int, ...]:
        """The reminder days, largest first, each once."""
        return tuple(sorted({int(p) for p in self.reminder_days.split(",") if p.strip()}, reverse=True))

    @property
    def admin_addresses(self) -> list[str]:
        return [a.strip() for a in self.admin_emails.replace(",", ";").split(";") if a.strip()]

    @model_validator(mode="after")
    def _sources_file_exists(self) -> Settings:
        # Only when BW_SOURCES is set: the default sources.toml may be absent (no extra sources).
        if "sources" in self.model_fields_set and not self.sources.is_file():
            raise ValueError(
                f"BW_SOURCES names {self.sources}, which is not a file: create it, or unset BW_SOURCES "
                "to crawl the built-in sources only"
            )
        return self

    @field_validator("smtp_ca_file")
    @classmethod
    def _readable_ca_file(cls, value: Path | None) -> Path | None:
        if value is not None and not (value.is_file() and os.access(value, os.R_OK)):
            raise ValueError(f"{value} is not a readable file: expected a PEM file of CA certificates")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: expected an IANA name such as Asia/Shanghai"
            ) from None
        return value

    @field_validator("home_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        try:
            return country_code(value)
        except UnknownCountry as exc:
            raise ValueError(str(exc)) from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def signing_key(self) -> str:
        """``secret_key``, or a random key created once in :meth:`key_file`
        so that the embedded default works without configuration."""
        if self.secret_key:
            return self.secret_key
        return _stored_key(self.key_file())

    def key_file(self) -> Path:
        """Where the key is kept when ``secret_key`` is unset: ``secret.key``
        beside the SQLite database, so every command and the web server
        using that database sign alike from any working directory; with a
        database server, ``var/secret.key`` of the checkout (processes on
        other machines need ``BW_SECRET_KEY``)."""
        try:
            url = make_url(self.database_url)
        except ArgumentError:  # the database's own error says what is wrong with the URL
            return PROJECT_ROOT / "var" / "secret.key"
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).resolve().parent / "secret.key"
        return PROJECT_ROOT / "var" / "secret.key"


@cache  # asked for every mail's links: the file is read once per process
def _stored_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def get_settings() -> Settings:
    """Read the settings from the environment and ``.env`` now."""
    return Settings()

"""The source registry: built-in spiders by slug, plus sources declared in sources.toml.

A source is what BarrierWatch crawls: a slug, the kind of reader (``feed`` or
a spider slug), where it lives and what it publishes. Built-in spiders get
their URL from settings, so each can be pointed at a mirror or a recording
server; ``sources.toml`` adds feeds (or re-points spiders) with no code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from config import Settings
from crawler.records import SLUG
from hs.markets import UnknownCountry, country_code
from store.db import session_scope
from store.errors import InputError, InputProblem
from store.models import DocType
from store.sources import CrawlOutcome, record_crawl

FEED = "feed"
# What ``extract`` may name: "trade_remedy_title" reads "<Product> From <Country>: <Action>"
# and "<调查国>对华<产品><救济><阶段>" titles into product, subject countries, remedy and stage.
EXTRACTIONS = ("trade_remedy_title",)


@dataclass(frozen=True)
class SourceSpec:
    """One source to crawl. ``country``/``doc_type`` are defaults for its notices;
    ``etag``/``last_modified`` are the validators of the last successful fetch."""

    slug: str
    kind: str
    url: str
    country: str | None = None
    doc_type: str | None = None
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    # Hosts a redirect may lead to (else redirects stay on the source's own host).
    redirect_hosts: tuple[str, ...] = ()
    # Countries the source's notices are about (a trade-remedy feed's targets), ISO codes.
    subject_countries: tuple[str, ...] = ()
    # Case facts read from each entry's title: None, or one of EXTRACTIONS.
    extract: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# slug -> (settings field holding its base URL, country, doc_type)
BUILT_IN: dict[str, tuple[str, str | None, str | None]] = {
    "us_federalregister_adcvd": ("federalregister_url", "US", "antidumping"),
    "wto_eping": ("eping_url", None, None),
    "eu_tron_cases": ("tron_url", "EU", "antidumping"),
    "cn_cacs_trade_remedies": ("cacs_url", None, "antidumping"),
    "us_cpsc_recalls": ("cpsc_url", "US", "recall"),
    "eu_oj_trade_defence": ("eu_oj_url", "EU", "antidumping"),
    "eu_safety_gate": ("safety_gate_url", "EU", "recall"),
    "in_dgtr_cases": ("dgtr_url", "IN", "antidumping"),
    "gb_tra_cases": ("tra_url", "GB", "antidumping"),
    "ca_cbsa_sima": ("cbsa_url", "CA", "antidumping"),
    "us_cbp_csms": ("cbp_csms_url", "US", "antidumping"),
}
KINDS = (FEED, *BUILT_IN)


def built_in_sources(settings: Settings, base_urls: Mapping[str, str] | None = None) -> list[SourceSpec]:
    """The built-in spiders, at the URLs the settings (or ``base_urls``) give."""
    specs = []
    for slug, (url_setting, country, doc_type) in BUILT_IN.items():
        url = (base_urls or {}).get(slug) or str(getattr(settings, url_setting))
        specs.append(SourceSpec(slug=slug, kind=slug, url=url, country=country, doc_type=doc_type))
    return specs


def declared_sources(path: Path) -> list[SourceSpec]:
    """The ``[[source]]`` tables of a sources.toml; none if the file is absent.

    Raises :class:`InputError` naming each bad table and field.
    """
    if not path.exists():
        return []
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8")).get("source", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(path), [InputProblem("file", "toml", str(exc))]) from None
    specs: list[SourceSpec] = []
    problems: list[InputProblem] = []
    for number, table in enumerate(tables, start=1):
        spec, found = _declared_source(table, f"source {number}")
        problems.extend(found)
        if spec is not None and any(s.slug == spec.slug for s in specs):
            problems.append(InputProblem(f"source {number}", "slug", f"{spec.slug!r} is declared twice"))
        elif spec is not None:
            specs.append(spec)
    if problems:
        raise InputError(str(path), problems)
    return specs


def _declared_source(table: Mapping[str, Any], where: str) -> tuple[SourceSpec | None, list[InputProblem]]:
    problems: list[InputProblem] = []

    def problem(field: str, message: str) -> None:
        problems.append(InputProblem(where, field, message))

    slug, kind, url = (str(table.get(k, "")).strip() for k in ("slug", "kind", "url"))
    if not SLUG.match(slug):
        problem("slug", f"{slug!r} is not a source slug: expected lower-case letters, digits, _ - .")
    if kind not in KINDS:
        problem("kind", f"{kind!r} is not a kind of source: expected one of {', '.join(KINDS)}")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        problem("url", f"{url!r} is not an http(s) URL")
    country = _declared_country(table.get("country"), problem)
    doc_type = table.get("doc_type")
    if doc_type is not None and doc_type not in DocType.__members__.values():
        problem("doc_type", f"{doc_type!r} is not a kind of notice: expected one of {', '.join(DocType)}")
    if kind == FEED and (country is None or doc_type is None):
        problem("country", "a feed needs both country and doc_type (its entries carry neither)")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        problem("enabled", f"{enabled!r} is not true or false")
    redirect_hosts = _declared_hosts(table.get("redirect_hosts", []), problem)
    subjects = _declared_countries(table.get("subject_countries", []), problem)
    extract = table.get("extract")
    if extract is not None and extract not in EXTRACTIONS:
        problem("extract", f"{extract!r} is not an extraction: expected one of {', '.join(EXTRACTIONS)}")
    if problems:
        return None, problems
    return SourceSpec(
        slug,
        kind,
        url,
        country,
        doc_type,
        enabled,
        redirect_hosts=redirect_hosts,
        subject_countries=subjects,
        extract=extract,
    ), []


def _declared_hosts(value: Any, problem: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(h, str) and h.strip() for h in value):
        problem("redirect_hosts", f'{value!r} is not a list of host names such as ["ec.europa.eu"]')
        return ()
    hosts = tuple(h.strip().lower() for h in value)
    for host in hosts:
        if "/" in host or ":" in host or " " in host:
            problem("redirect_hosts", f"{host!r} is not a host name (no scheme, port or path)")
    return hosts


def _declared_countries(value: Any, problem: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        problem("subject_countries", f'{value!r} is not a list of countries such as ["CN"]')
        return ()
    codes: list[str] = []
    for name in value:
        try:
            codes.append(country_code(name))
        except UnknownCountry as exc:
            problem("subject_countries", str(exc))
    return tuple(dict.fromkeys(codes))


def _declared_country(value: Any, problem: Any) -> str | None:
    if value is None:
        return None
    try:
        return country_code(str(value))
    except UnknownCountry as exc:
        problem("country", str(exc))
        return None


def all_sources(settings: Settings, base_urls: Mapping[str, str] | None = None) -> list[SourceSpec]:
    """Built-in sources, then sources.toml; a declared source with a built-in
    slug replaces the built-in one (that is how a spider is re-pointed)."""
    by_slug = {spec.slug: spec for spec in built_in_sources(settings, base_urls)}
    for spec in declared_sources(settings.sources):
        by_slug[spec.slug] = spec
    return list(by_slug.values())


def with_validators(spec: SourceSpec, etag: str | None, last_modified: str | None) -> SourceSpec:
    return replace(spec, etag=etag, last_modified=last_modified)


def record_outcome(engine: Engine, spec: SourceSpec, outcome: CrawlOutcome) -> None:
    """Write a crawl's outcome on the Source row of ``spec``, in its own transaction."""
    with session_scope(engine) as session:
        record_crawl(
            session,
            slug=spec.slug,
            kind=spec.kind,
            url=spec.url,
            outcome=outcome,
            country=spec.country,
            doc_type=spec.doc_type,
        )

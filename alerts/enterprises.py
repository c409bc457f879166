"""Enterprise profiles: import from CSV/XLSX, load for matching.

Columns: ``name, email, hs_codes, markets, language`` and optionally
``name_en, keywords, frequency, home_country, followed_cases, active``;
lists are separated by ``;``. An enterprise is identified by its name: a
re-import updates it. A file is imported whole or not at all.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session, col, delete, select

from hs.codes import InvalidHSCode, normalise
from hs.markets import GROUPS, UnknownCountry, country_code
from store.errors import InputError, InputProblem, guarded, wide_encoding
from store.limits import max_lengths, unstorable
from store.models import AuditEvent, Contact, Enterprise, EnterpriseMarket, EnterpriseProduct
from store.spreadsheet import cell_value, xlsx_size_problem
from store.types import utcnow

REQUIRED_COLUMNS = ("name", "email", "hs_codes", "markets", "language")
OPTIONAL_COLUMNS = ("name_en", "keywords", "frequency", "home_country", "followed_cases", "active")
LANGUAGES = ("zh", "en")
FREQUENCIES = ("weekly", "daily")
_EMAIL = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[^@\s;,<>]+$")


@dataclass
class EnterpriseProfile:
    """A validated row of an enterprise file."""

    name: str
    emails: list[str]
    products: dict[str, str]  # normalised code -> as written
    markets: list[str]
    language: str
    name_en: str | None = None
    keywords: list[str] = field(default_factory=list)
    frequency: str = "weekly"
    home_country: str = "CN"
    followed_cases: list[str] = field(default_factory=list)
    active: bool = True


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # already exactly as the file says: nothing written
    # Per enterprise and field: the enterprise changed it itself after the last import, and
    # the file says otherwise; the enterprise's own change was kept.
    conflicts: list[str] = field(default_factory=list)


def _split(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[;；\n]", str(value or "")) if part.strip()]


def read_enterprises(path: Path, home_country: str) -> list[EnterpriseProfile]:
    """Validated profiles of a CSV or XLSX file; :class:`InputError` lists every bad field."""
    xlsx = path.suffix.lower() == ".xlsx"
    rows = guarded(_xlsx_rows(path), "not a readable .xlsx") if xlsx else _csv_rows(path)
    profiles: list[EnterpriseProfile] = []
    problems: list[InputProblem] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        if isinstance(row, InputProblem):
            problems.append(row)
            continue
        row = {column: cell_value(value) for column, value in row.items()}  # as exported
        profile, found = _profile(row, where, home_country)
        problems.extend(found)
        if profile is None:
            continue
        if profile.name in seen:
            problems.append(
                InputProblem(where, "name", f"{profile.name!r} is already on {seen[profile.name]}")
            )
            continue
        seen[profile.name] = where
        profiles.append(profile)
    if problems:
        raise InputError(str(path), problems)
    return profiles


def profile_from_fields(fields: Mapping[str, Any], where: str, home_country: str) -> EnterpriseProfile:
    """One profile from form fields named like the file's columns (lists
    separated by ``;``), validated as a file row is; raises
    :class:`InputError` listing every bad field."""
    profile, problems = _profile(fields, where, home_country)
    if profile is None:
        raise InputError(where, problems)
    return profile


def _check_header(header: list[str]) -> InputProblem | None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return InputProblem(
            "header", ", ".join(missing), f"column missing; expected {', '.join(REQUIRED_COLUMNS)}"
        )
    return None


def _csv_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | InputProblem]]:
    if problem := _wide_encoding(path):
        yield "file", problem
        return
    number = 1
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in reader.fieldnames or []]
            if problem := _check_header(header):
                yield "header", problem
                return
            reader.fieldnames = header
            for number, row in enumerate(reader, start=2):
                yield f"row {number}", row
    except UnicodeDecodeError as exc:
        yield "file", InputProblem("file", "(encoding)", f"not UTF-8 text: {exc.reason} at byte {exc.start}")
    except csv.Error as exc:  # a field over csv.field_size_limit(), a broken quote
        yield f"row {number + 1}", InputProblem(f"row {number + 1}", "(row)", f"not readable as CSV: {exc}")


def _wide_encoding(path: Path) -> InputProblem | None:
    """A problem when the file starts with a UTF-16 or UTF-32 byte order mark."""
    with open(path, "rb") as f:
        wide = wide_encoding(f.read(4))
    if wide:
        return InputProblem("file", "(encoding)", f"the file is {wide}: expected UTF-8 (save as CSV UTF-8)")
    return None


def _xlsx_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | InputProblem]]:
    if too_big := xlsx_size_problem(path):
        yield "file", too_big
        return
    try:
        sheet = load_workbook(path, read_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        yield "file", InputProblem("file", "(workbook)", f"not a readable .xlsx: {exc}")
        return
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    if problem := _check_header(header):
        yield "header", problem
        return
    for number, values in enumerate(rows, start=2):
        if any(v not in (None, "") for v in values):
            yield f"row {number}", dict(zip(header, values, strict=False))


def _profile(
    row: Mapping[str, Any], where: str, home_country: str
) -> tuple[EnterpriseProfile | None, list[InputProblem]]:
    problems: list[InputProblem] = []

    def problem(field_name: str, message: str) -> None:
        problems.append(InputProblem(where, field_name, message))

    name = str(row.get("name") or "").strip()
    if not name:
        problem("name", "missing: expected the enterprise's name")
    emails = _split(row.get("email"))
    for email in emails:
        if not _EMAIL.match(email):
            problem("email", f"{email!r} is not an e-mail address")
    if not emails:
        problem("email", "missing: expected one or more addresses separated by ';'")
    products = _products(_split(row.get("hs_codes")), problem)
    markets = _markets(_split(row.get("markets")), problem)
    language = str(row.get("language") or "").strip().lower()
    if language not in LANGUAGES:
        problem("language", f"{language!r} is not supported: expected zh or en")
    frequency = str(row.get("frequency") or "weekly").strip().lower()
    if frequency not in FREQUENCIES:
        problem(
            "frequency", f"{frequency!r}: expected weekly or daily (critical items are always sent at once)"
        )
    home = _home_country(row.get("home_country"), home_country, problem)
    active = str(row.get("active") if row.get("active") is not None else "yes").strip().lower()
    if active not in ("yes", "no", "true", "false", "1", "0", ""):
        problem("active", f"{active!r}: expected yes or no")
    if problems:
        return None, problems
    profile = EnterpriseProfile(
        name=name,
        emails=emails,
        products=products,
        markets=markets,
        language=language,
        name_en=str(row.get("name_en") or "").strip() or None,
        keywords=_split(row.get("keywords")),
        frequency=frequency,
        home_country=home,
        followed_cases=[c.upper() for c in _split(row.get("followed_cases"))],
        active=active in ("yes", "true", "1", ""),
    )
    problems = _unstorable_fields(profile, where)
    return (None, problems) if problems else (profile, [])


def _unstorable_fields(profile: EnterpriseProfile, where: str) -> list[InputProblem]:
    """Every text of ``profile`` fits its column (the lengths of
    :mod:`store.models`) and holds no NUL or lone surrogate."""
    enterprise, product = max_lengths(Enterprise), max_lengths(EnterpriseProduct)
    texts: list[tuple[str, str | None, int | None]] = [
        ("name", profile.name, enterprise["name"]),
        ("name_en", profile.name_en, enterprise["name_en"]),
        *(("email", email, max_lengths(Contact)["email"]) for email in profile.emails),
        *(("hs_codes", raw, product["raw"]) for raw in profile.products.values()),
        *(("keywords", keyword, None) for keyword in profile.keywords),
        *(("followed_cases", case, None) for case in profile.followed_cases),
    ]
    return [
        InputProblem(where, field_name, why)
        for field_name, value, limit in texts
        if value is not None and (why := unstorable(value, limit))
    ]


def _products(values: list[str], problem: Any) -> dict[str, str]:
    products: dict[str, str] = {}
    for raw in values:
        try:
            products.setdefault(normalise(raw), raw)
        except InvalidHSCode as exc:
            problem("hs_codes", str(exc))
    if not values:
        problem("hs_codes", "missing: expected HS codes or tariff lines separated by ';'")
    return products


def _markets(values: list[str], problem: Any) -> list[str]:
    markets: list[str] = []
    for raw in values:
        try:
            code = country_code(raw)
        except UnknownCountry as exc:
            problem("markets", str(exc))
            continue
        if code not in markets:
            markets.append(code)
    if not values:
        problem(
            "markets", f"missing: expected ISO country codes or groups ({', '.join(GROUPS)}) separated by ';'"
        )
    return markets


def _home_country(value: Any, default: str, problem: Any) -> str:
    if value in (None, ""):
        return default
    try:
        return country_code(str(value))
    except UnknownCountry as exc:
        problem("home_country", str(exc))
        return default


def save_enterprises(
    session: Session,
    profiles: list[EnterpriseProfile],
    *,
    since: datetime | None = None,
    keep_own: bool = False,
) -> ImportResult:
    """Create or update each profile (by name); its codes, markets and
    contacts become exactly those of the file. Unsubscribed contacts stay
    unsubscribed. With ``keep_own`` (a file import), a field the enterprise
    changed itself (its preferences link) after ``since`` (the last import;
    None: ever) keeps the enterprise's value, and the conflict is reported."""
    result = ImportResult()
    for profile in profiles:
        enterprise = session.exec(select(Enterprise).where(Enterprise.name == profile.name)).first()
        if enterprise is None:
            enterprise = Enterprise(name=profile.name)
            result.created += 1
        else:
            if keep_own:
                profile = _keep_own_changes(session, enterprise, profile, since, result.conflicts)
            if _stored(session, enterprise) == _given(profile):
                result.unchanged += 1
                continue
            result.updated += 1
        for attr in _PROFILE_ATTRS:
            setattr(enterprise, attr, getattr(profile, attr))
        enterprise.updated_at = utcnow()
        session.add(enterprise)
        session.flush()
        assert enterprise.id is not None
        _replace_children(session, enterprise.id, profile)
    return result


# Preference fields (web.contact.EDITABLE) -> the profile attribute each one sets.
_OWN_FIELDS = {
    "hs_codes": "products",
    "markets": "markets",
    "language": "language",
    "frequency": "frequency",
    "keywords": "keywords",
    "followed_cases": "followed_cases",
}


def _keep_own_changes(
    session: Session,
    enterprise: Enterprise,
    profile: EnterpriseProfile,
    since: datetime | None,
    conflicts: list[str],
) -> EnterpriseProfile:
    """``profile`` with the enterprise's own later changes kept, each conflict noted."""
    events = select(AuditEvent).where(
        AuditEvent.action == "enterprise.preferences", AuditEvent.object_id == enterprise.id
    )
    if since is not None:
        events = events.where(col(AuditEvent.at) > since)
    changed: dict[str, datetime] = {}
    for event in session.exec(events.order_by(col(AuditEvent.id))):
        changed.update({name: event.at for name in event.detail if name in _OWN_FIELDS})
    stored = _stored_values(session, enterprise)
    kept = {}
    for name, when in changed.items():
        attr = _OWN_FIELDS[name]
        if _comparable(getattr(profile, attr)) != _comparable(stored[attr]):
            kept[attr] = stored[attr]
            conflicts.append(
                f"{profile.name}, field {name!r}: kept the enterprise's own change of "
                f"{when:%Y-%m-%d %H:%M} UTC (the file has {_shown(getattr(profile, attr))})"
            )
    return replace(profile, **kept) if kept else profile


def _stored_values(session: Session, enterprise: Enterprise) -> dict[str, Any]:
    products = session.exec(select(EnterpriseProduct).where(EnterpriseProduct.enterprise_id == enterprise.id))
    query = select(EnterpriseMarket.market).where(EnterpriseMarket.enterprise_id == enterprise.id)
    return {
        "products": {p.code: p.raw for p in products},
        "markets": list(session.exec(query)),
        **{
            attr: getattr(enterprise, attr)
            for attr in ("language", "frequency", "keywords", "followed_cases")
        },
    }


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return sorted(value)
    return sorted(value) if isinstance(value, list) else value


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(value.values()) or "nothing"
    return "; ".join(value) or "nothing" if isinstance(value, list) else str(value)


_PROFILE_ATTRS = ("name_en", "keywords", "frequency", "home_country", "followed_cases", "active", "language")


def _given(profile: EnterpriseProfile) -> tuple[Any, ...]:
    """What an import would store for ``profile``, comparable with :func:`_stored`."""
    attrs = tuple(getattr(profile, a) for a in _PROFILE_ATTRS)
    return (*attrs, sorted(profile.products.items()), sorted(profile.markets), sorted(profile.emails))


def _stored(session: Session, enterprise: Enterprise) -> tuple[Any, ...]:
    attrs = tuple(getattr(enterprise, a) for a in _PROFILE_ATTRS)
    products = session.exec(select(EnterpriseProduct).where(EnterpriseProduct.enterprise_id == enterprise.id))
    markets = session.exec(
        select(EnterpriseMarket.market).where(EnterpriseMarket.enterprise_id == enterprise.id)
    )
    emails = session.exec(select(Contact.email).where(Contact.enterprise_id == enterprise.id))
    return (*attrs, sorted((p.code, p.raw) for p in products), sorted(markets), sorted(emails))


def _replace_children(session: Session, enterprise_id: int, profile: EnterpriseProfile) -> None:
    session.exec(delete(EnterpriseProduct).where(col(EnterpriseProduct.enterprise_id) == enterprise_id))
    session.exec(delete(EnterpriseMarket).where(col(EnterpriseMarket.enterprise_id) == enterprise_id))
    for code, raw in profile.products.items():
        session.add(EnterpriseProduct(enterprise_id=enterprise_id, code=code, raw=raw))
    for market in profile.markets:
        session.add(EnterpriseMarket(enterprise_id=enterprise_id, market=market))
    known = {c.email: c for c in session.exec(select(Contact).where(Contact.enterprise_id == enterprise_id))}
    for email in profile.emails:
        if email not in known:
            session.add(Contact(enterprise_id=enterprise_id, email=email))
    for email, contact in known.items():
        if email not in profile.emails:
            session.delete(contact)


EXPORT_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


def export_enterprises(session: Session) -> list[dict[str, Any]]:
    """Every enterprise as a row of the import format (lists as lists)."""
    products: dict[int, list[str]] = {}
    for p in session.exec(select(EnterpriseProduct).order_by(col(EnterpriseProduct.id))):
        products.setdefault(p.enterprise_id, []).append(p.raw)
    markets: dict[int, list[str]] = {}
    for m in session.exec(select(EnterpriseMarket).order_by(col(EnterpriseMarket.id))):
        markets.setdefault(m.enterprise_id, []).append(m.market)
    emails: dict[int, list[str]] = {}
    for c in session.exec(select(Contact).order_by(col(Contact.id))):
        emails.setdefault(c.enterprise_id, []).append(c.email)
    return [
        {
            "name": e.name,
            "email": emails.get(e.id, []),
            "hs_codes": products.get(e.id, []),
            "markets": markets.get(e.id, []),
            "language": e.language,
            "name_en": e.name_en or "",
            "keywords": e.keywords,
            "frequency": e.frequency,
            "home_country": e.home_country,
            "followed_cases": e.followed_cases,
            "active": "yes" if e.active else "no",
        }
        for e in session.exec(select(Enterprise).order_by(col(Enterprise.id)))
        if e.id is not None
    ]

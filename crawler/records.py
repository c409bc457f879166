"""Validate raw notice fields into :class:`NoticeRecord`, naming what is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from crawler.stages import stage_from_title
from hs.codes import InvalidHSCode, normalise
from hs.markets import UnknownCountry, country_code
from store.errors import InputProblem
from store.limits import max_lengths, unstorable
from store.models import STAGES as CASE_STAGES
from store.models import TRADE_REMEDIES, Case, DocType, Notice
from store.notices import NoticeRecord
from store.text import strip_bidi

SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
DOC_TYPES = ", ".join(t.value for t in DocType)


class _Problems(list[InputProblem]):
    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def add(self, field: str, message: str) -> None:
        self.append(InputProblem(self.where, field, message))


def _text(raw: Mapping[str, Any], field: str, problems: _Problems, required: bool) -> str | None:
    value = raw.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, "missing: expected a non-empty text")
        return None
    if not isinstance(value, str | int):
        problems.add(field, f"expected a text, got {type(value).__name__}")
        return None
    return strip_bidi(str(value)).strip()


def parse_date(value: Any) -> date:
    """A date from ``date``/``datetime`` objects or ``YYYY-MM-DD[ hh:mm:ss]`` text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date: expected YYYY-MM-DD") from None


def _date(raw: Mapping[str, Any], field: str, problems: _Problems) -> date | None:
    value = raw.get(field)
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.add(field, str(exc))
        return None


def _list(raw: Mapping[str, Any], field: str, problems: _Problems) -> list[str]:
    value = raw.get(field)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[;,]", strip_bidi(value)) if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return [strip_bidi(str(v)).strip() for v in value if strip_bidi(str(v)).strip()]
    problems.add(field, "expected a list of texts or a text separated by ';'")
    return []


def _country(value: str | None, field: str, problems: _Problems) -> str | None:
    if value is None:
        return None
    try:
        return country_code(value)
    except UnknownCountry as exc:
        problems.add(field, str(exc))
        return None


def _hs_codes(values: list[str], field: str, problems: _Problems) -> tuple[str, ...]:
    codes: list[str] = []
    for value in values:
        try:
            code = normalise(value)
        except InvalidHSCode as exc:
            problems.add(field, str(exc))
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _case_stage(
    raw: Mapping[str, Any], doc_type: str, title: str, text: str, problems: _Problems
) -> str | None:
    given = raw.get("case_stage")
    if given not in (None, ""):
        if given not in CASE_STAGES:
            problems.add(
                "case_stage", f"{given!r} is not a case stage: expected one of {', '.join(CASE_STAGES)}"
            )
        return str(given)
    if doc_type in TRADE_REMEDIES:
        return stage_from_title(title, text)
    return None


def notice_record(
    raw: Mapping[str, Any], where: str, default_source: str | None = None
) -> tuple[NoticeRecord | None, list[InputProblem]]:
    """Validate one raw notice (the JSONL fields of DESIGN.md).

    Returns the record, or ``None`` and every problem found.
    """
    problems = _Problems(where)
    external_id = _text(raw, "id", problems, required=True)
    source = _text(raw, "source", problems, required=default_source is None) or default_source
    if source is not None and not SLUG.match(source):
        problems.add("source", f"{source!r} is not a source slug: expected lower-case letters, digits, _ - .")
    doc_type = _text(raw, "doc_type", problems, required=True)
    if doc_type is not None and doc_type not in DocType.__members__.values():
        problems.add("doc_type", f"{doc_type!r} is not a kind of notice: expected one of {DOC_TYPES}")
    country = _country(_text(raw, "country", problems, required=True), "country", problems)
    title = _text(raw, "title", problems, required=True)
    subjects = [_country(c, "subject_countries", problems) for c in _list(raw, "subject_countries", problems)]
    record_fields = {
        "text": _text(raw, "text", problems, required=False) or "",
        "url": _text(raw, "url", problems, required=False),
        "published_on": _date(raw, "published", problems),
        "comment_deadline": _date(raw, "comment_deadline", problems),
        "effective_on": _date(raw, "effective_on", problems),
        "case_numbers": tuple(_list(raw, "case_numbers", problems)),
        "publisher_hs_codes": _hs_codes(_list(raw, "hs_codes", problems), "hs_codes", problems),
        "subject_countries": tuple(c for c in subjects if c),
        "case_product": _text(raw, "case_product", problems, required=False),
    }
    if problems:
        return None, list(problems)
    assert external_id and source and doc_type and country and title
    record_fields["case_stage"] = _case_stage(raw, doc_type, title, str(record_fields["text"]), problems)
    if problems:
        return None, list(problems)
    record = NoticeRecord(
        source=source,
        external_id=external_id,
        doc_type=doc_type,
        country=country,
        title=title,
        **record_fields,  # type: ignore[arg-type]
    )
    _check_storable(record, problems)
    if problems:
        return None, list(problems)
    return record, []


# Record attributes that the input names otherwise.
_INPUT_NAMES = {"external_id": "id"}
_TEXTS = ("external_id", "source", "title", "text", "url", "case_stage", "case_product")


def _check_storable(record: NoticeRecord, problems: _Problems) -> None:
    """Every text of ``record`` fits its column (the lengths of
    :mod:`store.models`) and holds no NUL or lone surrogate."""
    limits = max_lengths(Notice)
    for name in _TEXTS:
        value = getattr(record, name)
        if isinstance(value, str) and (why := unstorable(value, limits.get(name))):
            problems.add(_INPUT_NAMES.get(name, name), why)
    case_limit = max_lengths(Case)["case_number"]
    for number in record.case_numbers:
        if why := unstorable(number, case_limit):
            problems.add("case_numbers", f"{number[:case_limit]!r}…: {why}")

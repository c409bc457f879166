"""A notice in one line in the reader's language, built from its fields.

Country · kind of measure · stage · product (HS name and code) · subject
countries · key date, e.g. ``美国 · 反倾销 · 行政复审终裁 · 多层已装拼的木地板（HS
4418.75） · 涉及中国 · 无评议期限``. Nothing is machine-translated: every part is
a catalogue word, a CLDR country name or a name from the HS nomenclature.

Used by the mails and, through :func:`notice_summary` and
:func:`notice_brief`, by the queue, the notice pages and the API.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from babel.dates import format_date

from hs.codes import display
from hs.markets import country_name
from hs.nomenclature import name as hs_name
from i18n import N_, gettext, ngettext
from store.labels import label
from store.models import TRADE_REMEDIES
from store.stages import KeyDate, explain_stage, key_date, stage_name

SEPARATOR = " · "
_SHORT = 48  # characters of an HS name in a summary line


class SummaryFields(Protocol):
    """What a summary reads of a notice: a :class:`Notice` or a row of its columns."""

    @property
    def country(self) -> str: ...
    @property
    def doc_type(self) -> str: ...
    @property
    def case_stage(self) -> str | None: ...
    @property
    def subject_countries(self) -> list[str]: ...
    @property
    def publisher_hs_codes(self) -> list[str]: ...
    @property
    def published_on(self) -> date | None: ...
    @property
    def comment_deadline(self) -> date | None: ...


@lru_cache(maxsize=4096)
def format_day(day: date, language: str) -> str:
    """``day`` as a reader writes it: ``2026年12月3日``, ``3 Dec 2026``."""
    return format_date(day, "medium", locale="zh" if language == "zh" else "en_GB")


@lru_cache(maxsize=4096)
def short_product(code: str, language: str) -> str:
    """The HS name of ``code`` cut to its head (``多层已装拼的木地板``, ``assembled
    flooring panels``), followed by the code: ``多层已装拼的木地板（HS 4418.75）``."""
    own = hs_name(code, language) or ""
    if language == "zh":
        own = own.split("，", 1)[0]
        own = own[2:] if own.startswith("其他") and len(own) > 4 else own
    else:
        own = re.split(r",? including |\s\(", own, maxsplit=1)[0]
    if len(own) > _SHORT:
        own = own[: own.rfind(" ", 0, _SHORT)].rstrip(",;: ") + "…"
    if not own:
        return f"HS {display(code)}"
    return gettext(language, "%(name)s (HS %(code)s)") % {"name": own, "code": display(code)}


@dataclass(frozen=True)
class DeadlineView:
    """A key date for a reader: open with its days left, or closed; ``line``
    is the whole of it: ``评议截止：2026年12月3日（还剩5天）``, ``…（已截止）``."""

    label: str
    day: str
    days_left: int | None  # None once it has passed
    kind: str
    line: str

    @property
    def closed(self) -> bool:
        return self.days_left is None


def state_words(days_left: int | None, language: str) -> str:
    """``5 days left``, ``last day`` or ``closed``."""
    if days_left is None:
        return gettext(language, "closed")
    if days_left == 0:
        return gettext(language, "last day")
    return ngettext(language, "%(num)s day left", "%(num)s days left", days_left) % {"num": days_left}


def deadline_view(when: KeyDate | None, language: str, today: date) -> DeadlineView | None:
    """``when`` as a reader sees it on ``today``; None for no date."""
    return None if when is None else _view(when, language, today)


@lru_cache(maxsize=8192)  # the same few dates come back in every mail of a send
def _view(when: KeyDate, language: str, today: date) -> DeadlineView:
    left: int | None = (when.on - today).days
    left = left if left is not None and left >= 0 else None
    words = when.label(language), format_day(when.on, language)
    line = gettext(language, "%(label)s: %(day)s (%(state)s)") % {
        "label": words[0],
        "day": words[1],
        "state": state_words(left, language),
    }
    return DeadlineView(words[0], words[1], left, when.kind, line)


def notice_summary(
    notice: SummaryFields, language: str, today: date, codes: Sequence[str] | None = None
) -> str:
    """The notice in one line in ``language``; ``codes`` are the product codes
    to name (an alert's, or the notice's tags), else those the publisher stated."""
    return _summary(
        _Fields(
            notice.country,
            notice.doc_type,
            notice.case_stage,
            tuple(notice.subject_countries),
            (),
            notice.published_on,
            notice.comment_deadline,
        ),
        language,
        today,
        tuple(codes if codes is not None else notice.publisher_hs_codes),
    )


@dataclass(frozen=True)
class _Fields:
    """The fields a summary reads, hashable: many mails of a send summarise the same notices."""

    country: str
    doc_type: str
    case_stage: str | None
    subject_countries: tuple[str, ...]
    publisher_hs_codes: tuple[str, ...]
    published_on: date | None
    comment_deadline: date | None


@lru_cache(maxsize=8192)
def _summary(notice: _Fields, language: str, today: date, codes: tuple[str, ...]) -> str:
    parts = [country_name(notice.country, language), label(language, "kind", notice.doc_type)]
    if notice.case_stage:
        parts.append(stage_name(notice.country, notice.case_stage, language))
    products = _products(codes)
    if products:
        parts.append(gettext(language, "; ").join(short_product(code, language) for code in products))
    if notice.doc_type in TRADE_REMEDIES and notice.subject_countries:
        names = gettext(language, ", ").join(country_name(c, language) for c in notice.subject_countries[:3])
        parts.append(gettext(language, "concerning %(countries)s") % {"countries": names})
    parts.append(_date_part(notice, language, today))
    return SEPARATOR.join(parts)


def _products(codes: Sequence[str]) -> list[str]:
    """At most two codes, the most specific first, none inside another shown."""
    ordered = sorted(dict.fromkeys(c for c in codes if c), key=lambda c: (-len(c), c))
    kept: list[str] = []
    for code in ordered:
        if not any(k.startswith(code) for k in kept):
            kept.append(code)
    return kept[:2]


_CLOSED = {
    "comment": N_("comment period closed"),
    "request": N_("review request window closed"),
    "effective": N_("in effect"),
}


def _date_part(notice: _Fields, language: str, today: date) -> str:
    when = deadline_view(
        key_date(notice.country, notice.case_stage, notice.published_on, notice.comment_deadline),
        language,
        today,
    )
    if when is None:
        return gettext(language, "no comment deadline")
    if when.closed:
        return gettext(language, _CLOSED[when.kind])
    return gettext(language, "%(label)s %(day)s (%(state)s)") % {
        "label": when.label,
        "day": when.day,
        "state": state_words(when.days_left, language),
    }


def notice_brief(
    notice: Any, language: str, today: date, codes: Sequence[str] | None = None
) -> dict[str, Any]:
    """The summary line, the stage explained and the key date of a notice, as
    a JSON-ready dict for pages and the API:
    ``{summary, stage: {...} | None, deadline: {label, date, days_left, closed} | None}``."""
    when = key_date(notice.country, notice.case_stage, notice.published_on, notice.comment_deadline)
    view = deadline_view(when, language, today)
    return {
        "summary": notice_summary(notice, language, today, codes),
        "stage": explain_stage(
            notice.country, notice.case_stage, language, notice.published_on, notice.comment_deadline
        ),
        "deadline": None
        if when is None or view is None
        else {
            "label": view.label,
            "date": when.on.isoformat(),
            "days_left": view.days_left,
            "closed": view.closed,
        },
    }

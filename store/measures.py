"""Measures: one thing that happened in the world, however many sources report it.

Every notice carries a *measure key*, derived from its own fields (so it can
be recomputed at any time with the same result):

- a WTO notification family, ``wto:G/TBT/N/USA/1234``: the base symbol, upper
  case, without spaces; its ``/Add.n``, ``/Rev.n`` and ``/Corr.n`` belong to it;
- a trade-remedy case event, ``case:A-570-970:order``: the case number
  (normalised) and the stage the notice records. A notice naming several cases
  (a joint AD and CVD notice) takes the first in sorted order; an anti-dumping
  and a countervailing case on one product stay two measures, linked by their
  :class:`store.models.Case` rows. Without a known stage, the publication date
  stands in for it (``case:AD712:2025-03-01``); without either, the notice is
  its own measure;
- otherwise the notice alone, ``notice:<source>:<external id>``.

Two finer keys are derived beside it (never stored, always recomputed):

- the *event* key: what one alert is about. A WTO symbol with its follow-up
  suffix (``wto:G/TBT/N/USA/1234/ADD.1``) — the same symbol from the ePing
  API, a workbook and a feed is one event; for the rest, the measure key;
- the *thread* key: what follow-ups follow. The WTO family, or the case
  (``case:A-570-970``): an addendum, a revision, the next stage of a case are
  news of the same thread, sent as updates.

This module is imported by the crawler pipelines (through
:func:`store.notices.save_notices`) and by matching; it imports nothing of ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

MAX_KEY_LENGTH = 300

# "G/TBT/N/USA/1234", "G/SPS/N/EU/55/Add.1/Corr.2", with stray spaces or any letter case.
_WTO = re.compile(r"^(G/(?:TBT|SPS)/N/[A-Z]{2,4}/\d+)((?:/(?:ADD|REV|CORR)\.\d+)*)$")
_FOLLOW_UP_PART = re.compile(r"/(ADD|REV|CORR)\.(\d+)")
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)


def wto_symbol(external_id: str) -> tuple[str, str] | None:
    """(base symbol, follow-up suffix) of a WTO notification symbol, both
    normalised (upper case, no spaces, leading zeros of numbers dropped), or
    None when ``external_id`` is not one."""
    compact = re.sub(r"\s+", "", external_id).upper()
    found = _WTO.match(compact)
    if not found:
        return None
    base, suffix = found.groups()
    head, number = base.rsplit("/", 1)
    suffix = _FOLLOW_UP_PART.sub(lambda m: f"/{m.group(1)}.{int(m.group(2))}", suffix)
    return f"{head}/{int(number)}", suffix


def case_number(raw: str) -> str:
    """A case number as measures compare it: upper case, no spaces, one kind of dash
    ("ad 712" and "AD712" are one case; "A–570–970" is "A-570-970")."""
    return re.sub(r"\s+", "", raw.translate(_DASHES)).upper()


def measure_key(
    source: str,
    external_id: str,
    case_numbers: Iterable[str] = (),
    case_stage: str | None = None,
    published_on: date | None = None,
) -> str:
    """The measure key of a notice (see the module's docstring)."""
    wto = wto_symbol(external_id)
    if wto is not None:
        return f"wto:{wto[0]}"
    numbers = sorted({case_number(n) for n in case_numbers if n and n.strip()})
    if numbers and (case_stage or published_on):
        return _bounded(f"case:{numbers[0]}:{case_stage or published_on.isoformat()}")  # type: ignore[union-attr]
    return _bounded(f"notice:{source}:{external_id}")


def event_key(measure: str, external_id: str) -> str:
    """What one alert is about: the exact WTO symbol (base or follow-up), else the measure."""
    if measure.startswith("wto:"):
        wto = wto_symbol(external_id)
        if wto is not None:
            return f"wto:{wto[0]}{wto[1]}"
    return measure


def thread_key(measure: str) -> str:
    """What follow-ups follow: the WTO family, or the case of a case event, else the measure."""
    if measure.startswith("case:"):
        return measure.split(":", 2)[0] + ":" + measure.split(":", 2)[1]
    return measure


def follow_up_rank(external_id: str) -> tuple[int, ...]:
    """Orders the documents of a WTO family: base first, then its follow-ups by number."""
    wto = wto_symbol(external_id)
    if wto is None or not wto[1]:
        return ()
    return tuple(1 + int(m.group(2)) for m in _FOLLOW_UP_PART.finditer(wto[1]))


def _bounded(key: str) -> str:
    return key if len(key) <= MAX_KEY_LENGTH else key[:MAX_KEY_LENGTH]

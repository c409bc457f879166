"""Parse, validate and normalise HS codes and national tariff lines.

National tariff lines (US HTS 10 digits, EU CN 8 / TARIC 10, China 10)
share their first six digits with the international HS, so every code is
normalised to at most six digits: the part all markets agree on.
"""

from __future__ import annotations

import re

HS_LEVELS = (2, 4, 6)
_SEPARATORS = re.compile(r"[\s.\-]")
# Chapters 98 and 99 are national provisions (special classification,
# temporary duties), not part of the HS: they cannot be matched abroad.
_NATIONAL_CHAPTERS = {"98", "99"}


class InvalidHSCode(ValueError):
    """A written code that is not an HS code or national tariff line."""


def normalise(raw: str) -> str:
    """Return ``raw`` as HS digits, at most six (``"4418.75.40"`` -> ``"441875"``).

    Raises :class:`InvalidHSCode` when ``raw`` is not 2, 4, 6, 8 or 10
    digits (dots, spaces and hyphens allowed) or names a national chapter.
    """
    digits = _SEPARATORS.sub("", str(raw))
    if not digits.isdigit():
        raise InvalidHSCode(f"{raw!r} is not an HS code: expected digits such as 4418 or 4418.75")
    if len(digits) not in (2, 4, 6, 7, 8, 9, 10):
        raise InvalidHSCode(f"{raw!r} has {len(digits)} digits: expected 2, 4, 6, 8 or 10")
    if digits[:2] in _NATIONAL_CHAPTERS or digits[:2] == "00":
        raise InvalidHSCode(f"{raw!r} is in chapter {digits[:2]}, which is not an HS chapter")
    return digits[:6]


def try_normalise(raw: str) -> str | None:
    """Like :func:`normalise` but return ``None`` instead of raising."""
    try:
        return normalise(raw)
    except InvalidHSCode:
        return None


def prefixes(code: str) -> list[str]:
    """The HS chapter, heading and subheading a code belongs to, shortest first."""
    return [code[:n] for n in HS_LEVELS if len(code) >= n]


def overlaps(a: str, b: str) -> bool:
    """True when one code contains the other (4418 and 441875), false for siblings."""
    return a.startswith(b) or b.startswith(a)


def display(code: str) -> str:
    """Write a code the way people read it: ``441875`` -> ``4418.75``."""
    return f"{code[:4]}.{code[4:]}" if len(code) > 4 else code

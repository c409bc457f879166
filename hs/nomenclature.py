"""The HS nomenclature shipped in ``hs/data`` (see its PROVENANCE.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class HSEntry:
    code: str
    description: str
    section: str


@cache
def entries() -> dict[str, HSEntry]:
    """Every chapter, heading and subheading, keyed by its code."""
    with open(DATA_DIR / "harmonized-system.csv", encoding="utf-8-sig", newline="") as f:
        return {
            row["hscode"]: HSEntry(row["hscode"], row["description"], row["section"])
            for row in csv.DictReader(f)
        }


@cache
def chapter_names() -> dict[str, dict[str, str]]:
    """Chapter titles by chapter code and language (``en``, ``zh``)."""
    with open(DATA_DIR / "chapters_en_zh.csv", encoding="utf-8-sig", newline="") as f:
        return {
            row["chapter"].zfill(2): {"en": row["name_en"], "zh": row["name_zh"]} for row in csv.DictReader(f)
        }


def is_chapter(code: str) -> bool:
    return code in chapter_names()


def describe(code: str, language: str = "en") -> str:
    """A readable name for a code: the chapter title in ``language`` for
    chapters, the English HS description for headings and subheadings
    (Chinese heading names are not shipped), the chapter title as a
    fallback for codes the nomenclature does not hold (older HS versions)."""
    if len(code) == 2:
        return chapter_names().get(code, {}).get(language, "")
    entry = entries().get(code)
    if entry is not None:
        return entry.description
    return chapter_names().get(code[:2], {}).get(language, "")

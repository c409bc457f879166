"""Product terms mined from the customs nomenclatures shipped in ``hs/data/nomenclature``.

``python -m nlp.mining`` writes ``nlp/data/nomenclature_terms.csv``
(``code, language, term``); ``tests/test_nlp_mining.py`` fails while the
shipped file differs from what this derives, and ``make`` rebuilds the
model when it changes.

Sources, each line read with the code it sits under:

- English: the HS 2022 headings and subheadings (``harmonized-system.csv``),
  every row of the US HTS 2026 (a row without a number belongs to the
  nearest numbered row above it with a smaller indent, its parent chain),
  the EU CN 2026, China Customs' and Taiwan's English names;
- French and Spanish: the EU CN 2026 and the EU's HS 2022 labels;
- Chinese: China Customs' 8-digit names, Taiwan's names folded from
  traditional to simplified characters (OpenCC ``tw2s``, characters only)
  and the derived names of ``hs/data/hs_names_zh.csv``.

Each line is cut into product names: at punctuation, "or"/"and" and their
French, Spanish and Chinese counterparts (ou/et, o/y, 、及或和与), dropping
pieces led by a qualifier ("of cotton", "pour la vente", "除外"), bare
"Other"/"其他" lines and names of generic words only. A name is kept when
every line it comes from lies in one subheading (tagged at 6 digits when it
is a phrase that precise), else in one heading (4 digits), else in one
chapter (2 digits); a name shared across chapters is too vague. English
names also keep the heading whose own HS description opens with them
(:func:`nlp.terms.derived_terms`'s rule: "plywood" is 4412).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from hs.nomenclature import NOMENCLATURE, chinese_names, entries
from nlp.terms import description_names

OUTPUT = Path(__file__).parent / "data" / "nomenclature_terms.csv"
HTS = NOMENCLATURE / "us_hts_2026r4" / "hts_2026r4_descriptions.csv"
CN = NOMENCLATURE / "eu_cn2026" / "cn2026_names_en_fr_es.csv"
CN8_CHINA = NOMENCLATURE / "china_customs_hs8" / "china_customs_hs8_2023.csv"
HS6_EU = NOMENCLATURE / "hs2022_hs6_multilingual" / "hs2022_hs6_en_fr_es.csv"
TAIWAN = NOMENCLATURE / "taiwan_tariff" / "taiwan_tariff_zh_hant_en.csv"
SOURCES = (HTS, CN, CN8_CHINA, HS6_EU, TAIWAN, NOMENCLATURE.parent / "hs_names_zh.csv")

Line = tuple[str, str, str]  # (code of 4 or 6 digits, language, description)

# --- French and Spanish --------------------------------------------------------------------------

_ROMANCE_SPLIT = re.compile(
    r"[;,:()\[\]]|\b(?:ou|et|o|y|e|u|même|incluso|autres que|distintos? de|distintas? de|"
    r"à l'exclusion de|excepto|sauf|n\.d\.a\.?|n\.c\.o\.p\.?)\b",
    re.IGNORECASE,
)
_ROMANCE_LEADING = re.compile(
    r"^(?:(?:autres|autre|les|le|la|l'|des|los demás|las demás|los|las|el|la|otros|otras|"
    r"demás|similaires|similares)\s*)+",
)
_ROMANCE_QUALIFIER_WORDS = """de du des d' pour en à au aux avec sans dont non ne contenant destinés destinées
    para con sin que del al en los las cuyo cuya no presentados presentadas según como
    par sur entre plus moins dans"""
_ROMANCE_QUALIFIERS = frozenset(_ROMANCE_QUALIFIER_WORDS.split())
_ROMANCE_GENERIC_WORDS = """autres autre parties partie articles article produits produit
    matières matériaux ouvrages
    appareils machines instruments préparations mélanges déchets débris sortes
    demás partes piezas artículos productos materias materiales manufacturas aparatos máquinas
    instrumentos preparaciones mezclas desperdicios desechos tipos similares"""
_ROMANCE_GENERIC = frozenset(_ROMANCE_GENERIC_WORDS.split())
_ROMANCE_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['-](?=[^\W\d_]))*")

# --- Chinese ---------------------------------------------------------------------------------------

_ZH_CLAUSE = re.compile(r"[，,；;：:（）()\[\]〔〕]")
_ZH_SPLIT = re.compile(r"[、及和或与/]")
_ZH_LEADING = re.compile(r"^(?:其他|其它|未列名|非|另|本章|本品目)+")
_ZH_QUALIFIER = re.compile(r"除外|者$|^以|^按|^用于|^含|^不|^每|^未|^已|^经|^供|^仅|以上$|以下$|%|[0-9０-９]")
_ZH_GENERIC_WORDS = """零件 附件 制品 物品 产品 材料 其他 其它 部件 配件 设备 机器
    器具 装置 用品 货品 废料 碎料 制成品 类似品"""
_ZH_GENERIC = frozenset(_ZH_GENERIC_WORDS.split())
_HAN = re.compile(r"^[\u3400-\u9fff]+$")
MIN_ZH_CHARS = 2
MAX_ZH_CHARS = 12
# A name is tagged at 6 digits only when it is this specific: several words
# (English, French, Spanish) or at least this many characters (Chinese).
MIN_ZH_CHARS_FOR_SUBHEADING = 4


def names(language: str, description: str) -> list[str]:
    """Product names in one description line, lower-cased, in ``language``."""
    if language == "en":
        return [name for name in map(_tidy, description_names(description)) if _english_name(name)]
    if language == "zh":
        return zh_names(description)
    return romance_names(description)


_PREPOSITIONS = frozenset(("with", "by", "in", "on", "of", "to", "from"))


def _tidy(name: str) -> str:
    return " ".join(name.removeprefix("so-called ").split())


def _english_name(name: str) -> bool:
    """Not a qualifier left over by the split: no participle or adverb first
    ("plated with base metal", "partly covered with flock"), no lone "-ing" word
    ("working"), no word cut short by the source ("cast iron enam")."""
    words = name.split()
    if words[0].endswith("ed") or (len(words) == 1 and words[0].endswith("ing")):
        return False
    if words[0].endswith("ly") and _PREPOSITIONS.intersection(words):  # "partly covered with flock"
        return False
    return not name.endswith(".")


def romance_names(description: str) -> list[str]:
    """Product names in a French or Spanish description."""
    found = []
    for piece in _ROMANCE_SPLIT.split(description.lower().replace("’", "'")):
        name = _ROMANCE_LEADING.sub("", piece.strip(" .-'\"")).strip()
        words = _ROMANCE_WORD.findall(name)
        if not 1 <= len(words) <= 4 or any(ch.isdigit() for ch in name):
            continue
        if words[0] in _ROMANCE_QUALIFIERS or words[0].startswith(("d'", "l'")):
            continue
        if not any(len(w) >= 4 and w not in _ROMANCE_GENERIC for w in words):
            continue
        if len(words) == 1 and len(words[0]) < 6:
            continue
        found.append(" ".join(words))
    return found


def zh_names(description: str) -> list[str]:
    """Product names in a Chinese description (simplified characters): the
    goods come before the first comma (``其他螺钉及螺栓，抗拉强度…``), the
    qualifiers after it."""
    head = _ZH_CLAUSE.split(description.strip())[0]
    found = []
    for piece in _ZH_SPLIT.split(head):
        name = _ZH_LEADING.sub("", piece.strip())
        if not _HAN.match(name) or not MIN_ZH_CHARS <= len(name) <= MAX_ZH_CHARS:
            continue
        if _ZH_QUALIFIER.search(name) or name in _ZH_GENERIC:
            continue
        found.append(name)
    return found


# --- the lines of each source ----------------------------------------------------------------------


def _code(raw: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 4:
        return None
    return digits[:6] if len(digits) >= 6 else digits[:4]


def hts_lines(path: Path = HTS) -> Iterator[Line]:
    """US HTS rows with the code of their parent chain (an uncoded row takes
    the nearest numbered row above it with a smaller indent)."""
    chain: list[tuple[int, str | None]] = []  # (indent, code) of the rows above
    with open(path, encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            indent = int(row["indent"] or 0)
            while chain and chain[-1][0] >= indent:
                chain.pop()
            code = _code(row["hts_number"]) or next((c for _, c in reversed(chain) if c), None)
            chain.append((indent, code))
            if code and code[:2] not in ("98", "99"):
                yield code, "en", row["description"]


def cn_lines(path: Path = CN) -> Iterator[Line]:
    with open(path, encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            code = _code(row["code"]) if row["level"] in ("heading", "hs6", "cn8") else None
            if code:
                for language in ("en", "fr", "es"):
                    yield code, language, row[f"name_{language}"]


def eu_hs6_lines(path: Path = HS6_EU) -> Iterator[Line]:
    with open(path, encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            for language in ("fr", "es"):
                yield row["hs6"], language, row[f"name_{language}_eu"]
                yield row["heading"], language, row[f"heading_{language}_eu"]


def china_lines(path: Path = CN8_CHINA) -> Iterator[Line]:
    with open(path, encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            code = _code(row["code"])
            if code:
                yield code, "zh", row["name_zh_hans"]
                yield code, "en", row["name_en"]


def taiwan_lines(path: Path = TAIWAN) -> Iterator[Line]:
    converter = _tw2s()
    with open(path, encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            code = _code(row["code"]) if row["digits"] not in ("section", "2") else None
            if code:
                yield code, "zh", converter.convert(row["name_zh_hant"])
                yield code, "en", row["name_en"]


@cache
def _tw2s() -> Any:
    import opencc  # only to mine the terms

    return opencc.OpenCC("tw2s")


def hs_lines() -> Iterator[Line]:
    for code, entry in entries().items():
        if len(code) in (4, 6):
            yield code, "en", entry.description
    for code, name in chinese_names().items():
        yield code, "zh", name


def all_lines() -> Iterator[Line]:
    yield from hs_lines()
    yield from hts_lines()
    yield from cn_lines()
    yield from eu_hs6_lines()
    yield from china_lines()
    yield from taiwan_lines()


# --- from names to terms ---------------------------------------------------------------------------


def mine(lines: Iterable[Line]) -> list[tuple[str, str, str]]:
    """``(code, language, term)`` rows, sorted: each name with the one
    subheading, heading or chapter all its lines lie in."""
    codes_by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    known = entries()
    for raw, language, description in lines:
        # A subheading of another HS version (Taiwan's 2017, a national
        # split) counts for its heading when HS 2022 has that heading.
        code = raw if raw in known else raw[:4] if raw[:4] in known else None
        if code is None:
            continue
        for name in names(language, description):
            codes_by_name[(language, name)].add(code)
    leads = _lead_headings()
    rows = []
    for (language, name), codes in codes_by_name.items():
        code = _shared(language, name, codes, leads.get(name, set()) if language == "en" else set())
        if code is not None:
            rows.append((code, language, name))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def _lead_headings() -> dict[str, set[str]]:
    """English names that open a heading's HS description, with the heading."""
    leads: dict[str, set[str]] = defaultdict(set)
    for code, entry in entries().items():
        if len(code) == 4 and (found := description_names(entry.description)):
            leads[found[0]].add(code)
    return leads


def _shared(language: str, name: str, codes: set[str], leads: set[str]) -> str | None:
    subheadings = {c for c in codes if len(c) == 6}
    if len(subheadings) == 1 and subheadings == codes and _precise(language, name):
        return next(iter(subheadings))
    headings = {c[:4] for c in codes}
    if len(headings) == 1:
        return next(iter(headings))
    if len(leads) == 1:
        return next(iter(leads))
    chapters = {c[:2] for c in codes}
    return next(iter(chapters)) if len(chapters) == 1 else None


def _precise(language: str, name: str) -> bool:
    if language == "zh":
        return len(name) >= MIN_ZH_CHARS_FOR_SUBHEADING
    return " " in name


def render(rows: list[tuple[str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "language", "term"])
    writer.writerows(rows)
    return out.getvalue()


def build() -> str:
    return render(mine(all_lines()))


def main() -> None:
    text = build()
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{text.count(chr(10)) - 1} terms written to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Chinese names of HS headings and subheadings, derived from customs code lists.

Builds ``hs/data/hs_names_zh.csv`` (``code, name_zh, source``) for every
heading (4 digits) and subheading (6 digits) of HS 2022 in
``hs/data/harmonized-system.csv``. Run ``python -m hs.names_zh`` after a
code list changes; ``tests/test_hs_nomenclature.py`` fails while the shipped
file differs from what this derives.

Where the names come from (``source`` names the rule and the lines used):

- A subheading with a single 8-digit line in China Customs' 2023 code list
  (``nomenclature/china_customs_hs8``) takes that line's name (``cn8``):
  the line covers the whole subheading.
- A subheading split into several lines takes what their names share
  (``cn8-common``): Chinese names put the qualifiers after a comma and the
  goods last (``其他螺钉及螺栓，抗拉强度在800兆帕以下``), so the part before
  the first comma when every line has the same one, else the longest
  common ending of those parts (``…用变速箱及其零件`` → ``变速箱及其零件``)
  when it is at least two characters.
- Otherwise, and for every heading, the Taiwan customs tariff's own name
  of the code (``nomenclature/taiwan_tariff``, HS 2017 basis) folded from
  traditional to simplified characters with OpenCC's ``tw2s`` (``tw``):
  China's list has no heading names, and Taiwan's are the full legal
  texts. Characters only: ``tw2sp`` also rewrites Taiwan phrasing and
  turned 軟體動物 (molluscs) into 软件类动物 (software).
- A subheading split into lines that share nothing lists their goods when
  they are few (``cn8-list``, at most four and 30 characters: ``数控立式车床、
  数控车床``), else it is named by its heading's goods (up to the first
  semicolon) and Taiwan's own label of the subheading, which often only
  makes sense under its heading (``其他``, ``染色者``) (``tw-composed``).
- A heading Taiwan's 2017-based tariff lacks (HS 2022 additions) is named
  from its 8-digit lines like a subheading. The few codes left without a
  Chinese name are shown with their English one (:mod:`hs.nomenclature`).

OpenCC builds the file; reading it needs none (the tagger uses OpenCC on its own, see nlp/tokenizer.py).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
NOMENCLATURE = DATA_DIR / "nomenclature"
CN8 = NOMENCLATURE / "china_customs_hs8" / "china_customs_hs8_2023.csv"
TAIWAN = NOMENCLATURE / "taiwan_tariff" / "taiwan_tariff_zh_hant_en.csv"
OUTPUT = DATA_DIR / "hs_names_zh.csv"

_COMMA = re.compile(r"[，,]")
_FULL_WIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})
# Leaf labels of Taiwan's tariff that only make sense under their parent.
_PARTIAL = re.compile(r"^(其他|其它|未列名)|者$|^[^\w]*$")
_PARTICLES = "的用制之、及或和与"
_DAMAGED = "?"  # a character the code list's GB18030 text could not carry


def hs_codes() -> list[str]:
    """Headings and subheadings of HS 2022, in code order."""
    with open(DATA_DIR / "harmonized-system.csv", encoding="utf-8-sig", newline="") as f:
        return [row["hscode"] for row in csv.DictReader(f) if len(row["hscode"]) in (4, 6)]


def cn8_lines() -> dict[str, list[tuple[str, str]]]:
    """China's 8-digit lines (code, name) by subheading."""
    lines: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with open(CN8, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["name_zh_hans"]:
                lines[row["code"][:6]].append((row["code"], row["name_zh_hans"].strip()))
    return lines


def taiwan_names(codes: Iterable[str]) -> dict[str, str]:
    """Taiwan's names of ``codes`` (4 and 6 digits) in simplified characters."""
    import opencc  # only the build needs it

    wanted = set(codes)
    convert = opencc.OpenCC("tw2s").convert
    with open(TAIWAN, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["code"] in wanted]
    return {r["code"]: convert(r["name_zh_hant"].translate(_FULL_WIDTH).strip()) for r in rows}


def common_name(names: list[str]) -> str | None:
    """What several 8-digit names share (see the module docstring), or None."""
    heads = [_COMMA.split(name, maxsplit=1)[0].strip() for name in names]
    if len(set(heads)) == 1:
        return heads[0]
    ending = _common_ending(heads).lstrip(_PARTICLES)
    if len(ending) < 2 or not any(_starts_a_word(head, ending) for head in heads):
        return None
    return ending


def _common_ending(texts: list[str]) -> str:
    shortest = min(texts, key=len)
    size = 0
    while size < len(shortest) and all(t[-size - 1] == shortest[-size - 1] for t in texts):
        size += 1
    return shortest[len(shortest) - size :]


def _starts_a_word(head: str, ending: str) -> bool:
    """True when ``ending`` is a whole word of ``head``: all of it, or after
    a particle or a list mark (so ``录像机``/``摄像机`` do not share ``像机``)."""
    before = head[: -len(ending)]
    return not before or before[-1] in _PARTICLES or before.endswith(("其他", "其它"))


def listed_name(names: list[str]) -> str | None:
    """The distinct goods of several 8-digit names, listed, when they are few."""
    heads = [_COMMA.split(name, maxsplit=1)[0].strip() for name in names]
    goods = list(dict.fromkeys(re.sub(r"^(其他|其它|未列名)+的?", "", head) for head in heads))
    # 改良种用鹅 and (其他)鹅 are both 鹅: keep the general name.
    goods = [g for g in goods if not any(g != other and g.endswith(other) for other in goods)]
    text = "、".join(goods)
    return text if 1 <= len(goods) <= 4 and len(text) <= 30 and all(goods) else None


def derive(
    codes: list[str], lines: dict[str, list[tuple[str, str]]], taiwan: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(code, name, source) of every code; see the module docstring."""
    headings = {code: _heading(code, taiwan.get(code), lines) for code in codes if len(code) == 4}
    names = dict(headings)
    for code in (c for c in codes if len(c) == 6):
        names[code] = _subheading(code, lines.get(code, []), taiwan.get(code), headings.get(code[:4]))
    return [(code, *names[code]) for code in codes if names[code][0]]


def _subheading(
    code: str, lines: list[tuple[str, str]], taiwan: str | None, heading: tuple[str, str] | None
) -> tuple[str, str]:
    lines = [line for line in lines if _DAMAGED not in line[1]] or lines
    names = [name for _, name in lines]
    listed = " ".join(c for c, _ in lines)
    if len(lines) == 1 and _DAMAGED not in names[0]:
        return names[0], f"cn8 {listed}"
    if lines and (common := common_name(names)):
        return common, f"cn8-common {listed}"
    if lines and (goods := listed_name(names)):
        return goods, f"cn8-list {listed}"
    if heading and heading[0]:
        leaf, goods = taiwan or "其他", short(heading[0])
        return (
            leaf if leaf in (heading[0], goods) else f"{goods}：{leaf}"
        ), f"tw-composed {code[:4]} {code if taiwan else ''}".strip()
    return "", ""


def short(name: str) -> str:
    """A heading's name up to its first semicolon: the goods, without the list of inclusions."""
    return re.split(r"[；;]", name, maxsplit=1)[0].strip()


def _heading(code: str, taiwan: str | None, lines: dict[str, list[tuple[str, str]]]) -> tuple[str, str]:
    if taiwan:
        return taiwan, f"tw {code}"
    own = [line for sub, sublines in sorted(lines.items()) if sub.startswith(code) for line in sublines]
    names = [name for _, name in own if _DAMAGED not in name]
    listed = " ".join(c for c, _ in own)
    if len(names) == 1:
        return names[0], f"cn8 {listed}"
    if names and (goods := listed_name(names)):
        return goods, f"cn8-list {listed}"
    return "", ""


def render(rows: list[tuple[str, str, str]]) -> str:
    """The CSV text of ``rows``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name_zh", "source"])
    writer.writerows(rows)
    return out.getvalue()


def build() -> str:
    """The CSV text derived from the shipped code lists."""
    codes = hs_codes()
    return render(derive(codes, cn8_lines(), taiwan_names(codes)))


def main() -> None:
    OUTPUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

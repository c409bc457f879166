"""Case facts from the Chinese titles of trade-remedy news (CACS 出口应诉 and alike).

Titles name the investigating country, the subject (China, sometimes with
others), the product, the remedy and the stage::

    印度对华光伏玻璃反倾销调查作出终裁
    美国对华多层木地板反倾销行政复审初裁
    欧盟对原产于中国和越南的陶瓷餐具发起反倾销调查
    巴西对中国产钢制轮毂反倾销日落复审立案

Country names are read with ISO 3166's Chinese names (pycountry's zh_CN
catalogue) plus the short forms the press uses (韩国, 印尼, 欧盟 …).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import cache

import pycountry

from crawler.stages import stage_from_title

# Short forms in common use that ISO's Chinese names do not give.
_SHORT_NAMES = {
    "欧盟": "EU",
    "欧洲联盟": "EU",
    "韩国": "KR",
    "南韩": "KR",
    "印尼": "ID",
    "多米尼加": "DO",
    "中国台湾": "TW",
    "台湾": "TW",
    "中国香港": "HK",
    "越南": "VN",
    "俄罗斯": "RU",
    "美国": "US",
    "英国": "GB",
    "土耳其": "TR",
    "阿联酋": "AE",
    "沙特": "SA",
    "华": "CN",
    "中国": "CN",
}
# Remedies, longest first; 双反 is anti-dumping and countervailing at once.
_REMEDIES = (
    ("反倾销和反补贴", "antidumping"),
    ("反倾销及反补贴", "antidumping"),
    ("反倾销与反补贴", "antidumping"),
    ("双反", "antidumping"),
    ("反倾销", "antidumping"),
    ("反补贴", "countervailing"),
    ("特别保障措施", "safeguard"),
    ("保障措施", "safeguard"),
    ("特保", "safeguard"),
    ("反规避", "antidumping"),
)
_REMEDY = re.compile("|".join(re.escape(word) for word, _ in _REMEDIES))
_SUBJECT_JOIN = r"(?:及|和|与|、|以及)"
# Verbs that stand between the product and the remedy: "光伏玻璃作出反倾销终裁".
_TRAILING_VERBS = re.compile(r"(?:发起|启动|作出|做出|开始|实施|征收|终止|取消|继续|发布|公布|进行|的)+$")
_LEADING_WORDS = re.compile(r"^(?:产|出口的|进口的|进口|的)+")


@dataclass(frozen=True)
class ChineseRemedyTitle:
    """What a title says; ``country`` is None when the investigator is not a known country."""

    country: str | None
    subject_countries: tuple[str, ...]
    product: str | None
    remedy: str
    stage: str | None


@cache
def chinese_country_names() -> dict[str, str]:
    """Chinese country name -> alpha-2 code (ISO names, then the usual short forms)."""
    names: dict[str, str] = {}
    catalogue: gettext.NullTranslations
    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:  # a pycountry without its catalogues: the short forms still work
        catalogue = gettext.NullTranslations()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            translated = catalogue.gettext(value) if value else None
            if translated and translated != value:
                names.setdefault(translated, country.alpha_2)
    names.update(_SHORT_NAMES)
    return names


@cache
def _country_pattern() -> re.Pattern[str]:
    names = sorted(chinese_country_names(), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names))


def parse_chinese_title(title: str) -> ChineseRemedyTitle | None:
    """The case facts of a "<调查国>对<华|中国…><产品><救济><阶段>" title, or None if it is
    not in that form (no 对 before a remedy word)."""
    title = "".join(title.split())
    remedy_match = _REMEDY.search(title)
    at = title.find("对")
    if remedy_match is None or at <= 0 or at > remedy_match.start():
        return None
    country = chinese_country_names().get(title[:at])
    subjects, product_start = _subjects(title, at + 1)
    product = _product(title[product_start : remedy_match.start()])
    remedy = next(kind for word, kind in _REMEDIES if word == remedy_match.group(0))
    return ChineseRemedyTitle(country, subjects, product, remedy, stage_from_title(title))


def _subjects(title: str, start: int) -> tuple[tuple[str, ...], int]:
    """Subject countries after 对 ("华", "中国及越南", "原产于中国的") and where the product begins."""
    position = start
    for prefix in ("原产于", "原产自", "来自", "自"):
        if title.startswith(prefix, position):
            position += len(prefix)
    codes: list[str] = []
    pattern, names = _country_pattern(), chinese_country_names()
    while (found := pattern.match(title, position)) is not None:
        if names[found.group(0)] not in codes:
            codes.append(names[found.group(0)])
        position = found.end()
        joined = re.compile(_SUBJECT_JOIN).match(title, position)
        if joined is None or pattern.match(title, joined.end()) is None:
            break
        position = joined.end()
    return tuple(codes) or ("CN",), position


def _product(raw: str) -> str | None:
    product = _TRAILING_VERBS.sub("", _LEADING_WORDS.sub("", raw))
    return product or None

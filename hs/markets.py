"""Countries and market groups, as ISO 3166 alpha-2 codes.

Sources name countries in many ways (``United States of America``,
``Chinese Taipei``, ``the People's Republic of China``); everything inside
BarrierWatch uses the alpha-2 code. ``EU`` stands for the European Union,
both as a WTO member that notifies measures and as an export market.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

EU_MEMBERS = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
GROUPS: dict[str, frozenset[str]] = {"EU": EU_MEMBERS}
GROUP_NAMES = {"EU": {"en": "European Union", "zh": "欧盟"}}

# Names used by the WTO, the Federal Register and trade-remedy notices
# that ISO does not know, lower-cased.
_ALIASES = {
    "european union": "EU",
    "european communities": "EU",
    "chinese taipei": "TW",
    "taiwan": "TW",
    "hong kong, china": "HK",
    "macao, china": "MO",
    "china": "CN",
    "the people's republic of china": "CN",
    "people's republic of china": "CN",
    "prc": "CN",
    "korea, republic of": "KR",
    "korea": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "kuwait, the state of": "KW",
    "kyrgyz republic": "KG",
    "russia": "RU",
    "russian federation": "RU",
    "turkey": "TR",
    "türkiye": "TR",
    "turkiye": "TR",
    "viet nam": "VN",
    "vietnam": "VN",
    "united states": "US",
    "usa": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "czech republic": "CZ",
    "bolivia, plurinational state of": "BO",
    "venezuela, bolivarian republic of": "VE",
    "iran": "IR",
    "moldova, republic of": "MD",
    "tanzania": "TZ",
    "the gambia": "GM",
    "lao people's democratic republic": "LA",
}

_ZH_NAMES = {
    "CN": "中国",
    "US": "美国",
    "EU": "欧盟",
    "JP": "日本",
    "KR": "韩国",
    "GB": "英国",
    "IN": "印度",
    "CA": "加拿大",
    "AU": "澳大利亚",
    "BR": "巴西",
    "MX": "墨西哥",
    "RU": "俄罗斯",
    "TR": "土耳其",
    "VN": "越南",
    "TH": "泰国",
    "ID": "印度尼西亚",
    "MY": "马来西亚",
    "TW": "中国台湾",
    "HK": "中国香港",
    "DE": "德国",
    "FR": "法国",
    "IT": "意大利",
    "ES": "西班牙",
    "NL": "荷兰",
    "SE": "瑞典",
    "ZA": "南非",
    "AR": "阿根廷",
    "CL": "智利",
    "CO": "哥伦比亚",
    "EG": "埃及",
    "SA": "沙特阿拉伯",
    "AE": "阿联酋",
    "NZ": "新西兰",
    "UA": "乌克兰",
    "PT": "葡萄牙",
    "KE": "肯尼亚",
}


# WTO usage, which the bureau's readers expect, over ISO's short names.
_EN_NAMES = {"TW": "Chinese Taipei", "HK": "Hong Kong, China", "MO": "Macao, China"}


class UnknownCountry(ValueError):
    """A country name or code that is neither ISO 3166 nor a known alias."""


@cache
def _by_name() -> dict[str, str]:
    names = dict(_ALIASES)
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(value.lower(), c.alpha_2)
    return names


def country_code(value: str) -> str:
    """Return the alpha-2 code (or ``EU``) for a code or a country name.

    Raises :class:`UnknownCountry` naming the value when it is not known.
    """
    text = re.sub(r"\s+", " ", str(value)).strip()
    upper = text.upper()
    if upper in GROUPS or (len(upper) == 2 and pycountry.countries.get(alpha_2=upper)):
        return upper
    if len(upper) == 3 and (c := pycountry.countries.get(alpha_3=upper)):
        return c.alpha_2
    code = _by_name().get(text.lower())
    if code is None:
        raise UnknownCountry(
            f"unknown country {value!r}: expected an ISO 3166 code such as CN or US, EU, or a country name"
        )
    return code


def alpha3(code: str) -> str | None:
    """ISO alpha-3 of an alpha-2 code (``EU`` has none)."""
    c = pycountry.countries.get(alpha_2=code)
    return c.alpha_3 if c else None


def market_covers(market: str, country: str) -> bool:
    """True when a measure of ``country`` reaches exporters selling to ``market``.

    An EU regulation applies in every member state and a member state's
    measure applies inside the EU market, so ``EU`` and its members cover
    each other.
    """
    if market == country:
        return True
    return country in GROUPS.get(market, ()) or market in GROUPS.get(country, ())


def markets_covering(country: str) -> set[str]:
    """Every market code (country or group) that a measure of ``country`` reaches."""
    covering = {country}
    covering.update(g for g, members in GROUPS.items() if country in members)
    covering.update(GROUPS.get(country, ()))
    return covering


@cache  # every digest item asks; pycountry's lookup costs more than the rest of the item
def country_name(code: str, language: str = "en") -> str:
    """Display name of a country or group code in ``language`` (``en``/``zh``)."""
    if language == "zh" and code in _ZH_NAMES:
        return _ZH_NAMES[code]
    if code in GROUP_NAMES:
        return GROUP_NAMES[code]["en"]
    if code in _EN_NAMES:
        return _EN_NAMES[code]
    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or (c.name if c else code)

"""Countries and market groups, as ISO 3166 alpha-2 codes.

Sources name countries in many ways (``United States of America``,
``Chinese Taipei``, ``the People's Republic of China``); everything inside
BarrierWatch uses the alpha-2 code. ``EU`` stands for the European Union,
both as a WTO member that notifies measures and as an export market.

Names shown to readers are CLDR's (through Babel) for every country, in
English and Chinese, except the WTO's own names of Chinese Taipei, Hong
Kong, China and Macao, China; all of them, ISO's and the aliases below
are understood on input.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry
from babel import Locale

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

# The WTO's own names of the three customs territories, which the bureau's
# readers expect in both languages over CLDR's (台湾, Hong Kong SAR China).
_WTO_NAMES = {
    "TW": {"en": "Chinese Taipei", "zh": "中国台湾"},
    "HK": {"en": "Hong Kong, China", "zh": "中国香港"},
    "MO": {"en": "Macao, China", "zh": "中国澳门"},
}
_CLDR_LOCALES = {"en": "en", "zh": "zh_Hans"}


class UnknownCountry(ValueError):
    """A country name or code that is neither ISO 3166 nor a known alias."""


@cache
def _by_name() -> dict[str, str]:
    """Lower-cased names to codes: the aliases above, ISO's names, and
    CLDR's and the WTO's names in every language of the product."""
    names = dict(_ALIASES)
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                names.setdefault(value.lower(), c.alpha_2)
    for language in _CLDR_LOCALES:
        for code, name in _territories(language).items():
            if code in GROUPS or pycountry.countries.get(alpha_2=code):
                names.setdefault(name.lower(), code)
        for code, wto in _WTO_NAMES.items():
            names.setdefault(wto[language].lower(), code)
    return names


@cache
def _territories(language: str) -> dict[str, str]:
    """CLDR's territory names in ``language`` (``en``/``zh``), by code."""
    return dict(Locale.parse(_CLDR_LOCALES[language]).territories)


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


@cache  # every digest item asks
def country_name(code: str, language: str = "en") -> str:
    """Display name of a country or group code in ``language`` (``en``/``zh``):
    the WTO's name for TW, HK and MO, else CLDR's (through Babel), else the
    code itself."""
    language = language if language in _CLDR_LOCALES else "en"
    if code in _WTO_NAMES:
        return _WTO_NAMES[code][language]
    return _territories(language).get(code, code)

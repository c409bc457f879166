import pytest

from hs.codes import InvalidHSCode, find_codes, normalise, overlaps, prefixes
from hs.markets import UnknownCountry, country_code, market_covers, markets_covering
from hs.nomenclature import describe


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4418.75", "441875"),
        ("4418.75.4000", "441875"),  # US HTS 10 digits
        ("44187540", "441875"),  # EU CN 8 digits
        ("6115", "6115"),
        ("44", "44"),
        ("34011", "3401"),  # ePing lists 5-digit groups
        (" 4412 31 ", "441231"),
    ],
)
def test_tariff_lines_normalise_to_hs_digits(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw", ["44a8", "4", "12345678901", "9903.88.15", ""])
def test_codes_that_are_not_hs_are_refused_with_the_value(raw):
    with pytest.raises(InvalidHSCode, match=repr(raw).replace(".", r"\.")):
        normalise(raw)


def test_prefixes_and_overlap_tell_containment_from_siblings():
    assert prefixes("441875") == ["44", "4418", "441875"]
    assert overlaps("4418", "441875") and overlaps("441875", "44")
    assert not overlaps("4418", "4419")


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Products covered: HS 4418.75 and heading 6115", ["441875", "6115"]),
        ("HTSUS 4412.31.0520, 4412.32.0520", ["441231", "441232"]),
        ("(HS code(s): 3208); Paints", ["3208"]),
        ("all goods of Chapter 44", ["44"]),
        ("税号4418项下的多层木地板", ["4418"]),
        ("第61章 针织服装", ["61"]),
        ("In 2019, 1234 units were sold", []),
    ],
)
def test_explicit_codes_are_found_only_where_the_text_states_them(text, codes):
    assert find_codes(text) == codes


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("United States of America", "US"),
        ("Chinese Taipei", "TW"),
        ("chn", "CN"),
        ("European Union", "EU"),
        ("Kuwait, the State of", "KW"),
        ("jp", "JP"),
    ],
)
def test_country_names_of_wto_and_iso_resolve(name, code):
    assert country_code(name) == code


def test_unknown_country_names_the_value():
    with pytest.raises(UnknownCountry, match="'Atlantis'"):
        country_code("Atlantis")


def test_eu_and_its_members_cover_each_other():
    assert market_covers("EU", "DE") and market_covers("DE", "EU")
    assert not market_covers("US", "DE")
    assert "EU" in markets_covering("FR")


def test_chapter_names_in_both_languages():
    assert describe("61", "zh") == "针织或钩编的服装及衣着附件"
    assert "flooring" in describe("441875")

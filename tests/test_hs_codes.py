"""The explicit-code extractor reads codes in the forms notices write them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hs import codes
from hs.codes import MAX_RANGE_CODES, expand_range, find_code_mentions, find_codes
from hs.nomenclature import entries
from nlp.corpus import shipped_notices


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Products covered: HS 4418.75", ["441875"]),
        ("HTSUS 4412.31.0520", ["441231"]),
        ("classified under heading 6115", ["6115"]),
        ("heading no. 6115 and subheading 6115.95", ["6115", "611595"]),
        ("Chapter 44", ["44"]),
        ("chapter 7 covers vegetables", ["07"]),
        ("HS code(s): 0102; 0103; 010613; 0201", ["0102", "0103", "010613", "0201"]),
        ("HS 4418, 4419 and 4420", ["4418", "4419", "4420"]),
        ("HS441875", ["441875"]),
        ("Products covered: 8543.70.90.00", ["854370"]),
        ("tariff lines 7304.29.10.10 and 7304.29.20.20", ["730429"]),
        ("CN code 6115 95 00", ["611595"]),
        # The EU's spaced CN/TARIC form, "ex" marking part of a code.
        ("currently falling under CN codes ex 6115 95 00 and 7318 15 88", ["611595", "731815"]),
        ("CN codes ex 7019 11 00 (TARIC codes 7019 11 00 10 and 7019 12 00 22)", ["701911", "701912"]),
        ("ex\u00a06115\u00a096\u00a099", ["611596"]),
        ("published on 2026 12 01", []),
    ],
)
def test_english_forms(text: str, codes: list[str]) -> None:
    assert find_codes(text) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("partida 44.18 y subpartida 4418.75", ["4418", "441875"]),
        ("capítulos 44 y 94", ["44", "94"]),
        ("código SA 6115", ["6115"]),
        ("fracción arancelaria 6115.95.01", ["611595"]),
        ("chapitre 61, position 61.15, sous-position 6115.95", ["61", "6115", "611595"]),
        ("Produits visés: SH 6115", ["6115"]),
        ("税号4418", ["4418"]),
        ("商品编码：4418750090", ["441875"]),
        ("第44章和第94章的产品", ["44", "94"]),
        ("HS编码 6115.95、6115.96", ["611595", "611596"]),
        # Inside running Chinese text, where no space separates the keyword from its words.
        ("涉案产品海关编码为70071900和70200090。", ["700719", "702000"]),
        ("涉案产品税号是4418.75", ["441875"]),
    ],
)
def test_spanish_french_and_chinese_forms(text: str, codes: list[str]) -> None:
    assert find_codes(text) == codes


def test_subheading_range_gives_each_subheading_in_the_nomenclature() -> None:
    codes = find_codes("subheadings 4418.73 through 4418.79")
    expected = sorted(c for c in entries() if len(c) == 6 and "441873" <= c <= "441879")
    assert codes == expected
    assert "441875" in codes and len(codes) >= 2


@pytest.mark.parametrize("separator", ["-", "–", " to ", " a ", " à ", "至"])
def test_range_separators(separator: str) -> None:
    assert find_codes(f"HS 6115.95{separator}6115.99") == list(expand_range("6115.95", "6115.99"))


def test_wide_range_collapses_to_the_shared_prefix() -> None:
    inside = [c for c in entries() if len(c) == 4 and "3901" <= c <= "3913"]
    assert len(inside) > MAX_RANGE_CODES
    assert find_codes("headings 3901 to 3913") == ["39"]


def test_chapter_range_lists_each_chapter() -> None:
    assert find_codes("Chapters 50-52") == ["50", "51", "52"]


def test_years_and_quantities_are_not_codes() -> None:
    assert find_codes("In 2025 the HS 2022 edition entered into force; 4418 units were sold.") == []


def test_codes_in_exclusions_and_cross_references_are_left_out() -> None:
    text = (
        "Motor cars (excl. motor vehicles of heading 8702) (HS code(s): 8703); "
        "solutions of products of headings 3901 to 3913 (HS code(s): 3208)"
    )
    assert find_codes(text) == ["8703", "3208"]


def test_ics_codes_are_not_hs_codes() -> None:
    assert find_codes("HS Code(s): 20, 3203; ICS Code(s): 67; (ICS code(s): 43.040.40)") == ["20", "3203"]


def test_national_chapters_are_refused() -> None:
    assert find_codes("HTSUS 9903.88.15 and chapter 99") == []


def test_mentions_point_at_the_written_code() -> None:
    text = "Socks (HS 6115.95) and flooring (HS 4418.75)"
    spans = [text[m.start : m.end] for m in find_code_mentions(text)]
    assert spans == ["6115.95", "4418.75"]


def test_each_code_is_given_once_in_order_of_appearance() -> None:
    assert find_codes("HS 4418.75 … heading 6115 … HS 4418.75.40") == ["441875", "6115"]


# Pieces that notices and their near misses are made of: every keyword in
# several cases, the letters that change in lower case, digits, separators.
_PIECES = [
    *("HS", "hs", "HTSUS", "HTS", "H.S.", "CN", "TARIC", "SH", "SA", "NCM", "NCMx", "xHS"),
    *("heading", "Subheading", "SUB-HEADING", "sub-headings", "xsub-heading", "harmonised system"),
    *("Harmonized Tariff Schedule", "tariff lines", "commodity code", "partidas arancelarias", "subpartida"),
    *("Fracción arancelaria", "código SA", "CÓDIGO del SA", "sous-positions", "xsous-position", "Position"),
    *("lignes tarifaires", "codes SH", "Chapter", "capítulo", "CAPITULO", "chapitres", "posıtion", "ſub"),
    *("İ", "税号", "税则号列", "商品编码", "海关编码", "编码", "品目", "子目", "第", "章"),
    *("4418", "4418.75", "44.18", "6115.95.90", "2025", ".", ",", ";", " to ", "-", "(", "(excl. ", ")"),
    *(" ", " ", ": ", "\n", "x", "é", "products of "),
]
_NOTICE_LIKE = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_NOTICE_LIKE)
def test_anchored_scans_find_what_a_full_scan_finds(text: str) -> None:
    assert_same_as_full_scan(text)


@pytest.mark.parametrize(
    "text",
    [
        "xsub-heading 4418; xsous-position 4418.75",  # the keyword starts inside a longer one
        "posıtion 4418, ſubheading 4418.75",  # letters that ignore-case matching folds
        "İ: HS 4418.75 and heading 6115",  # a letter that grows in lower case
        "CÓDIGO del SA 4418 y Capítulo 44",
        "4418.75.40.4418.75 1234.56 (HS 6115.95.90)",
    ],
)
def test_anchored_scans_find_what_a_full_scan_finds_in_edge_cases(text: str) -> None:
    assert_same_as_full_scan(text)
    assert find_codes(text)


def test_anchored_scans_find_what_a_full_scan_finds_in_the_shipped_notices() -> None:
    for notice in shipped_notices():
        assert_same_as_full_scan(notice.content)


def assert_same_as_full_scan(text: str) -> None:
    """The anchored scans of hs.codes give exactly what trying the patterns
    at every character gives."""
    keywords = [m.span() for m in codes._KEYWORD.finditer(text)]
    assert [m.span() for m in codes._keyword_matches(text)] == keywords
    dotted = [(m.start(1), m.end(1)) for m in codes._DOTTED.finditer(text) if codes._codes_of(m.group(1))]
    assert [(m.start, m.end) for m in codes._dotted_mentions(text)] == dotted

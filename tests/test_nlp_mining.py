"""Product terms mined from the customs nomenclatures (nlp/mining.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from hs.nomenclature import entries
from nlp.mining import OUTPUT, hts_lines, mine, romance_names, zh_names
from nlp.terms import DERIVED_WEIGHT, ProductTerm, nomenclature_terms


def test_chinese_names_are_the_goods_before_the_first_comma() -> None:
    assert zh_names("其他螺钉及螺栓，抗拉强度在800兆帕以下") == ["螺钉", "螺栓"]
    assert zh_names("其他") == []
    assert zh_names("光伏电池、组件") == ["光伏电池", "组件"]


def test_french_and_spanish_names_skip_qualifiers() -> None:
    found = romance_names("Bas-culottes (collants), bas, mi-bas, chaussettes et autres articles chaussants")
    assert found[:4] == ["bas-culottes", "collants", "mi-bas", "chaussettes"]
    assert romance_names("de coton") == []
    assert romance_names("Los demás") == []
    assert "tornillos" in romance_names("Los demás tornillos y pernos, incluso con sus tuercas")


def test_hts_rows_without_a_number_belong_to_their_parent_chain(tmp_path: Path) -> None:
    path = tmp_path / "hts.csv"
    rows = [
        ("7318", "0", "Screws, bolts, nuts:"),
        ("", "1", "Threaded articles:"),
        ("7318.15", "2", "Other screws and bolts:"),
        ("", "3", "Continuously threaded rod"),
        ("7319", "0", "Sewing needles"),
    ]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["hts_number", "indent", "description"])
        writer.writerows(rows)
    assert [code for code, _, _ in hts_lines(path)] == ["7318", "7318", "731815", "731815", "7319"]


def test_a_name_takes_the_one_code_all_its_lines_share() -> None:
    rows = mine(
        [
            ("731815", "en", "Continuously threaded rod"),
            ("731815", "en", "Continuously threaded rod, of steel"),
            ("732393", "en", "Tableware; of stainless steel"),  # heading 7323 only
            ("732394", "en", "Tableware, of iron, enamelled"),
            ("610910", "en", "Undershirts of cotton"),  # chapter 61 only
            ("620711", "en", "Undershirts"),
            ("392410", "en", "Melamine dinnerware"),
            ("691110", "en", "Melamine dinnerware"),  # two chapters: too vague
        ]
    )
    assert ("731815", "en", "continuously threaded rod") in rows
    assert ("7323", "en", "tableware") in rows
    assert not any(term == "melamine dinnerware" for _, _, term in rows)


def test_shipped_terms_name_codes_of_the_nomenclature() -> None:
    terms = nomenclature_terms()
    assert ProductTerm("continuously threaded rod", "731815", "en", DERIVED_WEIGHT) in terms
    assert ProductTerm("chaussettes", "6115", "fr", DERIVED_WEIGHT) in terms
    assert {t.language for t in terms} == {"en", "fr", "es", "zh"}
    known = entries()
    assert all(t.code in known for t in terms[:: max(1, len(terms) // 2000)])
    assert OUTPUT.stat().st_size < 5_000_000

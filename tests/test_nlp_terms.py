"""Product terms: curated synonyms in four languages and names from the HS."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from nlp.pipeline import blank_pipeline
from nlp.terms import (
    CURATED_WEIGHT,
    DERIVED_WEIGHT,
    ProductTerm,
    curated_terms,
    derived_terms,
    description_names,
    plural_variants,
)
from store.errors import InputError


@pytest.fixture(scope="module")
def term_pipeline() -> Language:
    nlp = blank_pipeline()
    nlp.get_pipe("hs_product_terms").initialize(nlp=nlp)  # type: ignore[attr-defined]
    return nlp


def found_codes(nlp: Language, text: str) -> set[str]:
    doc = nlp.get_pipe("hs_product_terms")(nlp.make_doc(text))
    return {hit.code for hit in doc._.hs_terms}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("美国对中国多层木地板发起反倾销调查", "441875"),
        ("欧盟对袜子的标签要求", "6115"),
        ("短袜和连裤袜", "6115"),
        ("胶合板甲醛释放限量", "4412"),
        ("Requirements for multilayered wood flooring", "441875"),
        ("Labelling of socks and tights", "6115"),
        ("Hardwood Plywood from China", "4412"),
        ("Reglamento sobre calcetines", "6115"),
        ("Exigences pour le contreplaqué", "4412"),
    ],
)
def test_terms_are_found_in_every_language(term_pipeline: Language, text: str, code: str) -> None:
    assert code in found_codes(term_pipeline, text)


def test_chinese_is_split_into_characters_without_a_segmenter(term_pipeline: Language) -> None:
    words = [t.text for t in term_pipeline.make_doc("多层木地板(HS 4418.75)")]
    assert words[:5] == ["多", "层", "木", "地", "板"]
    assert "4418.75" in words


def test_a_term_inside_a_longer_one_is_not_found(term_pipeline: Language) -> None:
    doc = term_pipeline.get_pipe("hs_product_terms")(term_pipeline.make_doc("Petroleum jelly for udders"))
    assert [(hit.code, hit.phrase) for hit in doc._.hs_terms] == [("2712", True)]
    assert "2007" in found_codes(term_pipeline, "Fruit jelly")  # alone, "jelly" is a jam of 2007


def test_a_term_inside_another_word_is_not_found(term_pipeline: Language) -> None:
    assert "6115" not in found_codes(term_pipeline, "sockets and switches")


def test_both_english_numbers_are_matched(term_pipeline: Language) -> None:
    assert "6115" in found_codes(term_pipeline, "a sock")
    assert plural_variants(ProductTerm("battery", "8507", "en", CURATED_WEIGHT)) == ["battery", "batterys"]
    assert plural_variants(ProductTerm("batteries", "8507", "en", CURATED_WEIGHT)) == ["batteries", "battery"]
    assert plural_variants(ProductTerm("袜", "6115", "zh", CURATED_WEIGHT)) == ["袜"]


def test_curated_terms_name_codes_of_the_nomenclature() -> None:
    terms = curated_terms()
    assert {t.language for t in terms} == {"en", "zh", "es", "fr"}
    assert any(t.code == "6115" and t.language == "zh" for t in terms)


def test_bad_curated_rows_are_refused_with_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text("code,language,term\n6115,en,socks\n9999,en,nothing\n6115,de,Socken\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        curated_terms(path)
    message = str(refused.value)
    assert "line 3, field 'code'" in message and "line 4, field 'language'" in message


def test_description_names_leave_qualifiers_out() -> None:
    names = description_names(
        "Hosiery; panty hose, tights, stockings; not of bamboo, n.e.c. in 6115.9, knitted"
    )
    assert {"hosiery", "panty hose", "tights", "stockings"} <= set(names)
    assert not any(name.startswith("not ") or any(ch.isdigit() for ch in name) for name in names)


def test_derived_terms_belong_to_one_heading_or_one_chapter() -> None:
    terms = derived_terms()
    assert terms and all(t.weight == DERIVED_WEIGHT and len(t.code) in (2, 4) for t in terms)
    assert ProductTerm("plywood", "4412", "en", DERIVED_WEIGHT) in terms


def test_derived_names_are_split_at_or_and_and() -> None:
    assert ProductTerm("hazelnuts", "0802", "en", DERIVED_WEIGHT) in derived_terms()


def test_traditional_characters_meet_simplified_terms(term_pipeline: Language) -> None:
    assert "441875" in found_codes(term_pipeline, "多層實木複合地板")
    assert "6115" in found_codes(term_pipeline, "襪子的標籤")


def test_a_term_is_found_with_a_modifier_inside_or_its_words_turned(term_pipeline: Language) -> None:
    matcher = term_pipeline.get_pipe("hs_product_terms")
    doc = matcher(term_pipeline.make_doc("Multilayered oak wood flooring"))
    assert ("multilayered wood flooring", "441875") in matcher.found(doc)  # type: ignore[attr-defined]
    assert "441875" in found_codes(term_pipeline, "Flooring, multilayered wood")
    # Not across a sentence, and not when the words lie far apart.
    assert "441875" not in found_codes(term_pipeline, "Multilayered. Wood flooring")
    assert "441875" not in found_codes(term_pipeline, "multilayered coatings for the tiles of wood flooring")


def test_an_exact_term_outweighs_the_same_term_in_a_window(term_pipeline: Language) -> None:
    matcher = term_pipeline.get_pipe("hs_product_terms")
    exact = matcher(term_pipeline.make_doc("multilayered wood flooring"))._.hs_terms
    window = matcher(term_pipeline.make_doc("multilayered oak wood flooring"))._.hs_terms
    weight = {h.code: h.weight for h in exact}["441875"]
    assert {h.code: h.weight for h in window}["441875"] < weight

"""The notice tokenizer: words in four languages, Chinese by character, the text kept."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from nlp.pipeline import blank_pipeline
from nlp.tokenizer import NoticeTokenizer, notice_text


@pytest.fixture(scope="module")
def nlp() -> Language:
    return blank_pipeline()


def words(nlp: Language, text: str) -> list[str]:
    return [t.text for t in nlp.make_doc(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Cut-to-length plate from China (HS 7208.51).",
            ["Cut", "-", "to", "-", "length", "plate", "from", "China", "(", "HS", "7208.51", ")", "."],
        ),
        ("Reglamento sobre calcetines, ¿qué?", ["Reglamento", "sobre", "calcetines", ",", "¿", "qué", "?"]),
        ("Exigences d'étiquetage des collants", ["Exigences", "d", "'", "étiquetage", "des", "collants"]),
        ("美国对中国多层木地板", ["美", "国", "对", "中", "国", "多", "层", "木", "地", "板"]),
        ("税号4418.75，胶合板。", ["税", "号", "4418.75", "，", "胶", "合", "板", "。"]),
    ],
)
def test_notices_split_into_words_punctuation_and_han_characters(
    nlp: Language, text: str, expected: list[str]
) -> None:
    assert words(nlp, text) == expected


def test_numbers_keep_their_dots_commas_and_hyphens(nlp: Language) -> None:
    assert words(nlp, "1,000 t on 2025-06-11 under 4418.75.40") == [
        "1,000",
        "t",
        "on",
        "2025-06-11",
        "under",
        "4418.75.40",
    ]


def test_symbols_split_at_slashes(nlp: Language) -> None:
    assert words(nlp, "G/TBT/N/USA/138") == ["G", "/", "TBT", "/", "N", "/", "USA", "/", "138"]


@pytest.mark.parametrize(
    "text",
    ["  Leading spaces,\n\ttabs and\r\nnew lines  ", "多层木地板 (HS 4418.75)\n\n税号 4418", ""],
)
def test_each_doc_keeps_its_exact_text(nlp: Language, text: str) -> None:
    doc = nlp.make_doc(text)
    assert doc.text == text and notice_text(doc) == text


def test_a_doc_made_from_words_still_has_its_text(nlp: Language) -> None:
    doc = Doc(nlp.vocab, words=["HS", "4418"], spaces=[True, False])
    assert notice_text(doc) == "HS 4418"


def test_pattern_docs_are_tokenized_like_notices(nlp: Language) -> None:
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, NoticeTokenizer)
    size = tokenizer.max_cache_size
    wordings = ["multilayer wood flooring", "多层木地板", "cut-to-length plate"]
    patterns = tokenizer.pattern_docs(wordings)
    assert [[t.text for t in d] for d in patterns] == [words(nlp, w) for w in wordings]
    assert tokenizer.max_cache_size == size


def test_spelling_norms_meet_the_hs_wording(nlp: Language) -> None:
    assert [t.norm_ for t in nlp.make_doc("Sulfanilic ALUMINUM fiber")] == [
        "sulphanilic",
        "aluminium",
        "fibre",
    ]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("美国对中国多层木地板征收反倾销税，税号4418.75。", ["441875"]),
        ("Products covered: HS 6115; heading 4412", ["6115", "4412"]),
        ("Partidas arancelarias 44.18 y 44.12", ["4418", "4412"]),
    ],
)
def test_the_code_component_reads_the_notice_text(nlp: Language, text: str, codes: list[str]) -> None:
    doc = nlp.get_pipe("hs_explicit_codes")(nlp.make_doc(text))
    assert doc._.hs_codes == codes


@pytest.mark.parametrize(
    ("word", "norm"),
    [
        ("Tires", "tyre"),
        ("batteries", "battery"),
        ("BOXES", "box"),
        ("socks", "sock"),
        ("glass", "glass"),
        ("gas", "gas"),
        ("status", "status"),
        ("Sulfates", "sulphate"),
        ("calcetines", "calcetine"),
        ("4418.75", "4418.75"),
    ],
)
def test_the_norm_is_lower_case_singular_and_spelt_as_the_hs(nlp: Language, word: str, norm: str) -> None:
    assert nlp.make_doc(word)[0].norm_ == norm

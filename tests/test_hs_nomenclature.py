"""Names of HS codes and countries from real references, and the lookup of
codes by product name."""

from __future__ import annotations

import re

import pycountry
import pytest

from hs import names_zh
from hs.markets import country_code, country_name
from hs.nomenclature import chapter_names, chinese_names, entries, label, name, search

HAN = re.compile(r"[\u3400-\u9fff]")


def test_a_subheading_shows_its_own_name_in_both_languages_not_its_chapter():
    assert name("870821", "zh") == "座椅安全带"
    assert label("870821", "en") == "8708.21 Vehicles; parts of bodies, safety seat belts"
    assert name("441875", "zh") == "其他多层已装拼的木地板"
    assert name("731815", "zh") == "其他螺钉及螺栓"  # what its two 8-digit lines share
    for code in ("870821", "441875", "611595"):
        assert name(code, "zh") != chapter_names()[code[:2]]["zh"]


def test_headings_and_chapters_are_named_at_their_own_level():
    assert "袜" in (name("6115", "zh") or "")
    assert "flooring" in (name("4418", "en") or "")
    assert name("61", "zh") == "针织或钩编的服装及衣着附件"
    assert label("4418", "zh").startswith("4418 ")


def test_a_code_the_nomenclature_lacks_has_no_name_rather_than_a_wrong_one():
    assert name("854140", "zh") is None  # HS 2017: split into 8541.41-49 in HS 2022
    assert label("854140", "zh") == "8541.40"
    assert name("44187510", "zh") == name("441875", "zh")  # a national line: its subheading's name


def test_nearly_every_hs2022_heading_and_subheading_has_a_chinese_name():
    codes = [c for c in entries() if len(c) in (4, 6) and not c.startswith("9999")]
    named = [c for c in codes if c in chinese_names()]
    assert len(named) / len(codes) > 0.995
    assert all(HAN.search(chinese_names()[c]) for c in named)


def test_the_shipped_chinese_names_are_what_the_code_lists_derive():
    pytest.importorskip("opencc")
    assert names_zh.build() == names_zh.OUTPUT.read_text(encoding="utf-8")


def test_several_8_digit_lines_give_what_their_names_share():
    assert names_zh.common_name(
        ["其他螺钉及螺栓，抗拉强度在800兆帕及以上", "其他螺钉及螺栓，抗拉强度在800兆帕以下"]
    ) == ("其他螺钉及螺栓")
    assert (
        names_zh.common_name(["牵引车用变速箱及其零件", "未列名机动车辆用变速箱及其零件"]) == "变速箱及其零件"
    )
    assert names_zh.common_name(["录像机", "摄像机"]) is None  # 像机 is no word
    assert names_zh.listed_name(["改良种用鹅,重量≤185克", "其他鹅,改良种用除外"]) == "鹅"


@pytest.mark.parametrize(
    ("query", "code"),
    [("多层木地板", "441875"), ("座椅安全带", "870821"), ("seat belts", "870821"), ("筷子", "441912")],
)
def test_products_are_found_by_their_name_in_chinese_or_english(query, code):
    found = search(query, limit=3)
    assert code in [m.code for m in found]
    match = next(m for m in found if m.code == code)
    assert match.name_zh == name(code, "zh") and match.name_en == name(code, "en")


def test_a_name_that_matches_nothing_finds_nothing():
    assert search("zzzqqq") == [] and search("") == []


def test_every_iso_country_has_a_cldr_name_in_both_languages():
    for country in pycountry.countries:
        zh, en = country_name(country.alpha_2, "zh"), country_name(country.alpha_2, "en")
        assert HAN.search(zh), (country.alpha_2, zh)
        assert en != country.alpha_2 and not HAN.search(en)
    assert (country_name("US", "zh"), country_name("KR", "en"), country_name("EU", "zh")) == (
        "美国",
        "South Korea",
        "欧盟",
    )


def test_the_wto_names_of_customs_territories_are_shown_and_understood():
    assert (country_name("TW", "en"), country_name("TW", "zh"), country_name("HK", "zh")) == (
        "Chinese Taipei",
        "中国台湾",
        "中国香港",
    )
    names = [
        "Chinese Taipei",
        "中国台湾",
        "台湾",
        "Hong Kong, China",
        "European Union",
        "欧盟",
        "European Communities",
    ]
    assert [country_code(n) for n in names] == ["TW", "TW", "TW", "HK", "EU", "EU", "EU"]


def test_cldr_names_in_both_languages_are_understood_on_input():
    assert [
        country_code(n) for n in ("韩国", "South Korea", "Türkiye", "土耳其", "科特迪瓦", "Côte d’Ivoire")
    ] == [
        "KR",
        "KR",
        "TR",
        "TR",
        "CI",
        "CI",
    ]


def test_the_cli_names_codes_and_finds_them_in_the_readers_language():
    import json

    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    named = runner.invoke(app, ["hs", "name", "4418.75", "8708.21"])
    assert named.exit_code == 0 and "名称" in named.output
    assert "其他多层已装拼的木地板" in named.output and "座椅安全带" in named.output
    found = runner.invoke(app, ["hs", "find", "seat belts", "--format", "json", "--limit", "1"])
    assert json.loads(found.output)[0]["code"] == "870821"
    english = runner.invoke(app, ["hs", "find", "筷子", "--language", "en"])
    assert "Name" in english.output and "4419.12" in english.output
    refused = runner.invoke(app, ["hs", "name", "99x"])
    assert refused.exit_code == 1 and "'99x' is not an HS code" in refused.output
    assert runner.invoke(app, ["hs", "find", "zzzqqq"]).exit_code == 1

"""Labelled notices: reading, masking the publisher's codes, the grouped dev split."""

from __future__ import annotations

from pathlib import Path

import pytest

from hs.codes import find_codes
from nlp.corpus import dev_split, family_keys, mask_codes, read_labelled, shipped_notices
from store.errors import InputError


@pytest.mark.parametrize(
    "text",
    [
        "Products covered: HS 8517\nDescription: routers",
        "Products covered: Bentonite (HS code(s): 250810); Chemicals (ICS code(s): 71.100.80)",
        "Products covered: HS Code(s): 20, 3203; ICS Code(s): 67",
        "Products covered: 8543.70.90.00\nDescription: vaping liquids",
        "Live fern plants (HS code: 060290), for propagation",
    ],
)
def test_masking_removes_the_publishers_codes(text: str) -> None:
    assert find_codes(mask_codes(text)) == []


def test_masking_keeps_the_product_words_and_ics_codes() -> None:
    masked = mask_codes(
        "Products covered: Bentonite (HS code(s): 250810); Chemicals (ICS code(s): 71.100.80)"
    )
    assert "Bentonite" in masked and "71.100.80" in masked


def test_shipped_eping_notices_lose_their_codes_when_masked() -> None:
    eping = [n for n in shipped_notices() if n.id.startswith("G/")]
    assert eping
    leaking = [n.id for n in eping if set(find_codes(n.masked().content)) & set(n.codes)]
    assert leaking == []


def test_dev_split_never_puts_a_family_on_both_sides() -> None:
    train, dev = dev_split(shipped_notices())
    assert train and dev
    train_keys = {k for n in train for k in family_keys(n)}
    assert not train_keys & {k for n in dev for k in family_keys(n)}


def test_dev_split_is_stable() -> None:
    notices = shipped_notices()
    assert [n.id for n in dev_split(notices)[1]] == [n.id for n in dev_split(list(notices))[1]]


def test_follow_ups_and_repeated_products_share_a_family() -> None:
    notices = {n.id: n for n in shipped_notices()}
    assert "symbol:G/TBT/N/USA/138" in family_keys(notices["G/TBT/N/USA/138/Rev.1"])
    tubular = [n for n in notices.values() if "product:oil country tubular goods" in family_keys(n)]
    assert len(tubular) > 1


def test_bad_labelled_lines_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"title": "ok", "text": "t", "hs_codes": ["4418"]}\nnot json\n{"title": "t", "hs_codes": ["ab"]}\n'
        '{"text": "no title", "hs_codes": ["6115"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        read_labelled(path)
    message = str(refused.value)
    assert "line 2, field '(line)'" in message
    assert "line 3, field 'hs_codes'" in message
    assert "line 4, field 'title'" in message

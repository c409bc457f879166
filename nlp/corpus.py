"""Labelled notices for training and evaluation, and the dev split.

A labelled line is ``{title, text, hs_codes}`` (``id`` optional). Labels
are HS chapters: the first two digits of each publisher code.

The dev split is grouped so that one product or one notification family
never lands on both sides: ePing symbols are reduced to their base
(``G/TBT/N/USA/138/Rev.1`` -> ``G/TBT/N/USA/138``), anti-dumping measures
to their product description, and rows sharing either key are joined.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hs.codes import try_normalise
from nlp.language import guess_language
from store.errors import InputError, InputProblem, jsonl_objects

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_LABELLED = sorted((DATA_DIR / "labelled").glob("*.jsonl"))

# Where a notice states its publisher's codes: "Products covered: HS 8517",
# "(HS code(s): 3208)", "(HS code: 060290)", "HS Code(s): 20, 3203".
# Evaluating "masked" removes these, so the model cannot read the answer.
_PUBLISHER_CODES = re.compile(
    r"\(?\s*\b(?:HS|SH|SA)\s*(?i:c[oó]digo|code)?\s*(?:\(s\))?\s*(?:de\s+la\s+)?(?:SH|SA)?\s*[:：]?\s*"
    r"\d{2,4}(?:[.\s]?\d{2}){0,4}(?:\s*[;,]\s*\d{2,4}(?:[.\s]?\d{2}){0,4})*\s*\)?",
)
_BARE_CODE_LIST = re.compile(r"(Products covered:\s*)\d{4}(?:\.\d{2}){1,3}")
_SYMBOL_BASE = re.compile(r"G/(?:TBT|SPS)/N/[A-Z]+/\d+")
_PRODUCT = re.compile(r"Product description:\s*([^.]+)")
_WORDS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LabelledNotice:
    """One notice with the HS chapters its publisher gave it."""

    id: str
    title: str
    text: str
    codes: tuple[str, ...]  # normalised publisher codes
    language: str

    @property
    def chapters(self) -> frozenset[str]:
        return frozenset(c[:2] for c in self.codes)

    @property
    def content(self) -> str:
        return f"{self.title}\n{self.text}"

    def masked(self) -> LabelledNotice:
        """The same notice with the publisher's codes cut out of its text."""
        return LabelledNotice(
            self.id, mask_codes(self.title), mask_codes(self.text), self.codes, self.language
        )


def mask_codes(text: str) -> str:
    """``text`` without the places where a publisher states HS codes."""
    return _PUBLISHER_CODES.sub(" ", _BARE_CODE_LIST.sub(r"\1", text))


def read_labelled(path: Path) -> list[LabelledNotice]:
    """Every line of a labelled JSONL file.

    Raises :class:`InputError` naming each bad line and field (missing
    title, no valid HS code, not JSON …); nothing is returned then.
    """
    notices: list[LabelledNotice] = []
    problems: list[InputProblem] = []
    for where, raw in jsonl_objects(path):
        if isinstance(raw, InputProblem):
            problems.append(raw)
        elif (notice := _labelled(raw, where, problems)) is not None:
            notices.append(notice)
    if problems:
        raise InputError(str(path), problems)
    return notices


def _labelled(raw: dict[str, Any], where: str, problems: list[InputProblem]) -> LabelledNotice | None:
    found = len(problems)
    title = _text_field(raw, "title", where, problems, required=True)
    text = _text_field(raw, "text", where, problems, required=False)
    codes = _code_field(raw, where, problems)
    if len(problems) > found:
        return None
    notice_id = str(raw.get("id") or where)
    return LabelledNotice(notice_id, title, text, codes, guess_language(f"{title}\n{text}"))


def _text_field(
    raw: dict[str, Any], field: str, where: str, problems: list[InputProblem], required: bool
) -> str:
    value = raw.get(field)
    if value is None or value == "":
        if required:
            problems.append(InputProblem(where, field, "missing: expected a non-empty text"))
        return ""
    if not isinstance(value, str):
        problems.append(InputProblem(where, field, f"expected a text, got {type(value).__name__}"))
        return ""
    return value


def _code_field(raw: dict[str, Any], where: str, problems: list[InputProblem]) -> tuple[str, ...]:
    values = raw.get("hs_codes")
    if not isinstance(values, list) or not values:
        problems.append(InputProblem(where, "hs_codes", "expected a non-empty list of HS codes"))
        return ()
    codes = [try_normalise(str(v)) for v in values]
    bad = [str(v) for v, c in zip(values, codes, strict=True) if c is None]
    if bad:
        problems.append(InputProblem(where, "hs_codes", f"not HS codes: {', '.join(bad[:5])}"))
    return tuple(dict.fromkeys(c for c in codes if c))


@dataclass(frozen=True)
class TagRequest:
    """A line of ``barrierwatch nlp tag`` input: ``{id, title, text}``."""

    id: str
    title: str
    text: str


def read_tag_requests(path: Path) -> list[TagRequest]:
    """Every line of a ``{id, title, text}`` JSONL file.

    Raises :class:`InputError` naming each bad line and field.
    """
    requests: list[TagRequest] = []
    problems: list[InputProblem] = []
    for where, raw in jsonl_objects(path):
        if isinstance(raw, InputProblem):
            problems.append(raw)
        elif (request := _tag_request(raw, where, problems)) is not None:
            requests.append(request)
    if problems:
        raise InputError(str(path), problems)
    return requests


def _tag_request(raw: dict[str, Any], where: str, problems: list[InputProblem]) -> TagRequest | None:
    found = len(problems)
    if raw.get("id") in (None, ""):
        problems.append(InputProblem(where, "id", "missing: expected the notice's id"))
    title = _text_field(raw, "title", where, problems, required=True)
    text = _text_field(raw, "text", where, problems, required=False)
    return TagRequest(str(raw.get("id")), title, text) if len(problems) == found else None


def shipped_notices() -> list[LabelledNotice]:
    """The labelled notices shipped in ``nlp/data/labelled`` (see PROVENANCE.md)."""
    return [n for path in SHIPPED_LABELLED for n in read_labelled(path)]


def family_keys(notice: LabelledNotice) -> list[str]:
    """Keys that tie a notice to its family: ePing symbol bases, the product
    of an anti-dumping measure, and the "Products covered" line."""
    keys = [f"symbol:{m}" for m in _SYMBOL_BASE.findall(notice.id)]
    if product := _PRODUCT.search(notice.text):
        keys.append("product:" + _product_words(product.group(1)))
    if notice.text.startswith("Products covered:"):
        keys.append("covered:" + _product_words(mask_codes(notice.text.split("\n", 1)[0])))
    return keys or [f"id:{notice.id}"]


def _product_words(description: str) -> str:
    # "Certain Cut-To-Length Plate" and "cut-to-length plate" are one product.
    words = [w for w in _WORDS.findall(description.lower()) if w != "certain"]
    return " ".join(words)


def family_groups(notices: list[LabelledNotice]) -> list[int]:
    """A group number per notice: notices sharing any family key share a group."""
    parent = list(range(len(notices)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, notice in enumerate(notices):
        for key in family_keys(notice):
            j = first_with.setdefault(key, i)
            parent[root(i)] = root(j)
    return [root(i) for i in range(len(notices))]


def dev_split(
    notices: list[LabelledNotice], dev_share: float = 0.25, seed: str = "bw-dev-1"
) -> tuple[list[LabelledNotice], list[LabelledNotice]]:
    """(train, dev): whole families go to one side, chosen by a stable hash
    of the family's first id, so the split is the same on every machine."""
    groups = family_groups(notices)
    first_id: dict[int, str] = {}
    for notice, group in zip(notices, groups, strict=True):
        first_id.setdefault(group, notice.id)
    train: list[LabelledNotice] = []
    dev: list[LabelledNotice] = []
    for notice, group in zip(notices, groups, strict=True):
        digest = hashlib.sha256(f"{seed}:{first_id[group]}".encode()).digest()
        (dev if digest[0] < 256 * dev_share else train).append(notice)
    return train, dev


def write_labelled(path: Path, notices: Iterable[LabelledNotice]) -> None:
    """Write notices as labelled JSONL (the format :func:`read_labelled` reads)."""
    with open(path, "w", encoding="utf-8") as out:
        for n in notices:
            record = {"id": n.id, "title": n.title, "text": n.text, "hs_codes": list(n.codes)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def chapters_of(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(c[:2] for c in codes)


def iter_contents(notices: Iterable[LabelledNotice]) -> Iterator[str]:
    return (n.content for n in notices)

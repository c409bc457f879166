"""Errors about bad input, shared by every boundary (files, feeds, forms)."""

from __future__ import annotations

import codecs
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class InputProblem:
    """One thing wrong with one field of one record of an input."""

    where: str  # "line 12", "row 4", "entry 7"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, field {self.field!r}: {self.message}"


class InputError(ValueError):
    """An input that cannot be taken as a whole; nothing of it was stored.

    ``problems`` lists every problem found (up to a limit), each naming the
    record and field, so the sender can fix the file in one go.
    """

    def __init__(self, source: str, problems: list[InputProblem]) -> None:
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  {source}: {p}" for p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{source}: {len(problems)} problem(s), nothing imported:\n{shown}{more}")


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def wide_encoding(start: bytes) -> str | None:
    """The wide encoding ("UTF-16", "UTF-32") whose byte order mark starts ``start``, or None."""
    return next((name for bom, name in _WIDE_BOMS if start.startswith(bom)), None)


def jsonl_objects(path: Path) -> Iterator[tuple[str, dict[str, Any] | InputProblem]]:
    """Each non-blank line of a JSONL file as ``("line N", object)``, or a
    problem for a line that is not a JSON object of valid UTF-8 text.

    A line is read as bytes and decoded itself, so that invalid UTF-8,
    UTF-16, nesting too deep for the parser, a number too long to convert
    and escaped lone surrogates (``"\\ud800"``) each become a problem of
    their line, never an exception."""
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"line {number}"
            if number == 1:
                if wide := wide_encoding(raw):
                    yield where, InputProblem(where, "(encoding)", f"the file is {wide}: expected UTF-8")
                    return
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            value = _json_object(raw, where)
            yield where, value


def _json_object(raw: bytes, where: str) -> dict[str, Any] | InputProblem:
    def problem(message: str, field: str = "(line)") -> InputProblem:
        return InputProblem(where, field, message)

    if b"\x00" in raw:
        return problem("NUL bytes in the line (UTF-16 or binary data?): expected UTF-8 JSON text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return problem(f"not UTF-8: byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return problem(f"not valid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return problem("not valid JSON here: arrays or objects nested too deeply")
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        return problem(f"not valid JSON here: {str(exc).split(':')[0]}")
    if not isinstance(value, dict):
        return problem("expected a JSON object")
    if field := _field_with_surrogate(value):
        return problem("a lone surrogate escape (\\ud800-\\udfff): not valid Unicode text", field)
    return value


def _field_with_surrogate(value: dict[str, Any]) -> str | None:
    """The first key whose name or value holds a lone surrogate, or None."""
    for key, item in value.items():
        if _SURROGATE.search(key) or _SURROGATE.search(json.dumps(item, ensure_ascii=False)):
            return key.encode("utf-8", "backslashreplace").decode()
    return None


# What a file reader (openpyxl, the XML parser under it) raises when a file breaks part way:
# a character reference to a NUL or a surrogate, a number too long to convert, a cut archive.
UNREADABLE = (ValueError, SyntaxError, KeyError, EOFError, OSError, zipfile.BadZipFile)


def guarded(rows: Iterator[tuple[str, Any]], what: str) -> Iterator[tuple[str, Any]]:
    """``rows`` as they come; when reading them raises one of :data:`UNREADABLE`,
    a last problem at the place reached, ``what`` and the reader's words."""
    where = "file"
    try:
        for where, value in rows:
            yield where, value
    except InputError:
        raise
    except UNREADABLE as exc:
        at = f"after {where}" if where != "file" else where
        yield at, InputProblem(at, "(file)", f"{what}: {exc}")

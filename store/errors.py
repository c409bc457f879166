"""Errors about bad input, shared by every boundary (files, feeds, forms)."""

from __future__ import annotations

import json
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


def jsonl_objects(path: Path) -> Iterator[tuple[str, dict[str, Any] | InputProblem]]:
    """Each non-blank line of a JSONL file as ``("line N", object)``, or a
    problem for a line that is not a JSON object."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            where = f"line {number}"
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield where, InputProblem(where, "(line)", f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(value, dict):
                yield where, InputProblem(where, "(line)", "expected a JSON object")
                continue
            yield where, value

"""What a column can hold, checked where text comes in.

PostgreSQL refuses a value longer than its ``VARCHAR(n)`` and any text with
a NUL character; SQLite stores both, so a file that imports on a laptop
could fail in production with a driver error. Inputs are checked against
the limits of :mod:`store.models` themselves, so that a column widened by
a migration widens the check with it.
"""

from __future__ import annotations

import re
from functools import cache

from sqlmodel import SQLModel

_SURROGATE = re.compile("[\ud800-\udfff]")


@cache
def max_lengths(model: type[SQLModel]) -> dict[str, int]:
    """Column name -> the most characters the column holds, for bounded text columns."""
    table = model.__table__  # type: ignore[attr-defined]
    # VARCHAR(n) columns: SQLModel's AutoString passes its length through to String.
    lengths = {column.name: getattr(column.type, "length", None) for column in table.columns}
    return {name: length for name, length in lengths.items() if isinstance(length, int) and length > 0}


def unstorable(value: str, max_length: int | None = None) -> str | None:
    """Why ``value`` cannot be stored as text (at most ``max_length``
    characters), or None: a NUL character, a lone surrogate, or its length."""
    if "\x00" in value:
        return "contains a NUL character (\\x00), which cannot be stored in text"
    if _SURROGATE.search(value):
        return "contains a lone surrogate (\\ud800-\\udfff): not valid Unicode text"
    if max_length is not None and len(value) > max_length:
        return f"{len(value)} characters long: at most {max_length} allowed"
    return None

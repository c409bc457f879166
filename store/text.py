"""Text from foreign sites, made safe to store and to show.

Bidirectional control characters (U+202A-U+202E embeddings and overrides,
U+2066-U+2069 isolates, the U+200E/U+200F marks and the Arabic letter mark
U+061C) reorder what a reader sees: a title with U+202E shows ``exe.fdp``
as ``pdf.exe``. Notices carry no meaning in them that the Unicode
bidirectional algorithm does not give the text by itself, so they are
removed where notices enter (:mod:`crawler.records`) and, as a second
line, from what mails show.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return BIDI_CONTROLS.sub("", text)

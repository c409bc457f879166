"""The result of tagging: one HS code with its score and the method that found it.

Its own module so that the taggers (:mod:`nlp.tagger`, :mod:`nlp.model`) and
the fusion of evidence (:mod:`nlp.fusion`) share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TagResult:
    code: str  # 2, 4 or 6 digits
    score: float
    method: str  # publisher | explicit | terms | model

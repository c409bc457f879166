"""The stage of a trade-remedy case that a notice records, read from its title.

Titles follow their publisher's habits: the Federal Register writes
"<Product> From <Country>: <Action>", the EU Official Journal "… imposing a
definitive anti-dumping duty …", CACS 立案/初裁/终裁. The most specific
action wins: "Preliminary Results of Antidumping Duty Administrative
Review" is an administrative review, not a preliminary determination.
"""

from __future__ import annotations

import re

# (stage, pattern), most specific first.
_RULES: tuple[tuple[str, str], ...] = (
    ("sunset_review", r"sunset review|five-year review|expiry review|日落复审|期终复审"),
    ("continuation", r"\bcontinuation\b|继续征收"),
    ("revocation", r"\brevocation\b|\brevok|\bterminat|撤销|终止"),
    ("new_shipper_review", r"new shipper|新出口商复审"),
    ("administrative_review", r"administrative review|interim review|期中复审|行政复审"),
    ("initiation", r"\binitiation\b|\binitiating\b|notice of initiation|立案"),
    ("preliminary", r"\bpreliminary\b|\bprovisional\b|初裁|初步裁定"),
    ("final", r"\bfinal\b|终裁|最终裁定"),
    ("order", r"\border\b|\bdefinitive\b|in force|征收反倾销税|征收反补贴税"),
)
_COMPILED = tuple((stage, re.compile(pattern, re.IGNORECASE)) for stage, pattern in _RULES)


def stage_from_title(title: str, text: str = "") -> str | None:
    """The case stage a trade-remedy notice records, or None when unclear."""
    for source in (title, text[:500]):
        for stage, pattern in _COMPILED:
            if pattern.search(source):
                return stage
    return None

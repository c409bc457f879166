"""The stage of a trade-remedy case that a notice records, read from its title.

Titles follow their publisher's habits: the Federal Register writes
"<Product> From <Country>: <Action>", the EU Official Journal "Notice of
initiation of an expiry review …" or "… imposing a definitive anti-dumping
duty …", CACS "<调查国>对华<产品>反倾销<阶段>" (立案, 初裁, 终裁, 期终复审 …).
The codes are those of :data:`store.models.STAGES`.

The most specific action wins: "Preliminary Results of Antidumping Duty
Administrative Review" is ``review_preliminary``, not ``preliminary``; an EU
regulation "imposing a definitive duty … following an expiry review" is a
``continuation`` of the measure, a notice of initiation of an expiry review a
``sunset_review``.
"""

from __future__ import annotations

import re

# A phase word followed, within the same action, by a review of the given kind.
_ADMIN_REVIEW = r"(?:administrative|annual|行政)\s*(?:review|复审)"
_WITHIN = r"[^;:]{0,120}?"

# (stage, pattern), most specific first.
_RULES: tuple[tuple[str, str], ...] = (
    ("review_opportunity", r"opportunity to request (?:an? )?administrative review"),
    ("new_shipper_review", r"new[- ]shipper|新出口商复审"),
    ("circumvention", r"circumvent|反规避"),
    ("scope", r"\bscope (?:ruling|inquir|determination|proceeding)|范围(?:调查|裁定)"),
    # Administrative reviews by phase ("Initiation of Antidumping and Countervailing Duty
    # Administrative Reviews").
    (
        "review_initiation",
        rf"(?:initiation|initiating)\b{_WITHIN}{_ADMIN_REVIEW}|行政复审立案|启动{_WITHIN}行政复审",
    ),
    ("review_preliminary", rf"\bpreliminary\b{_WITHIN}{_ADMIN_REVIEW}|行政复审初裁|行政复审初步"),
    ("review_final", rf"\bfinal\b{_WITHIN}{_ADMIN_REVIEW}|行政复审终裁|行政复审最终"),
    # The end of a measure or of an investigation.
    (
        "revocation",
        r"\brevocation\b|\brevok|撤销|取消(?:征收)?(?:反倾销|反补贴|保障)?措施|终止(?:征收|实施)?(?:反倾销|反补贴|保障)?(?:税|措施)",
    ),
    ("termination", r"\bterminat|\bdiscontinu|终止|撤诉"),
    # Expiry (sunset) reviews: a definitive duty "following an expiry review" keeps the measure.
    (
        "continuation",
        r"\bcontinuation\b|following an expiry review|继续(?:征收|实施)|(?:日落|期终)复审(?:终裁|裁定|决定)",
    ),
    ("sunset_review", r"sunset|five-year review|expiry review|日落复审|期终复审"),
    ("interim_review", r"interim review|changed circumstances review|期中复审"),
    ("administrative_review", rf"{_ADMIN_REVIEW}|\brescission\b"),
    # Original investigations.
    ("initiation", r"\binitiation\b|\binitiating\b|\binstitution\b|立案|发起"),
    ("order", r"\b(?:duty|duties)\s+orders?\b|\bdefinitive\b|\bin force\b|征收(?:反倾销|反补贴)税"),
    ("preliminary", r"\bpreliminary\b|\bprovisional\b|初裁|初步裁定|临时"),
    ("final", r"\bfinal\b|终裁|最终裁定"),
    ("order", r"\border\b"),
)
_COMPILED = tuple((stage, re.compile(pattern, re.IGNORECASE)) for stage, pattern in _RULES)


def stage_from_title(title: str, text: str = "") -> str | None:
    """The case stage a trade-remedy notice records, or None when unclear.

    The title decides when it names a stage; otherwise the first 500
    characters of the text are read the same way.
    """
    for source in (title, text[:500]):
        for stage, pattern in _COMPILED:
            if pattern.search(source):
                return stage
    return None

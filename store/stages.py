"""What each step of a trade-remedy case means for an exporter, and what it can do.

The stage codes are those of :data:`store.models.STAGES` (read from titles by
``crawler.stages``). Each (authority, stage) has a name as that authority's
notices (and CACS, in Chinese) call it and one line on what it means and what
an exporter can do; a stage an authority has no line of its own for takes the
general one. Both are English message ids, translated where they are shown.

The date that matters comes from the notice when it gives one: its comment
deadline, or for a US "opportunity to request administrative review" the end
of the anniversary month (the month the notice is published in).

Used by the mails, and by the notice and case pages and the API through
:func:`stage_guide` and :func:`explain_stage`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from i18n import N_, gettext
from store.labels import LABELS

# The EU's member states publish nothing of their own: the Commission acts for them.
_AUTHORITY = {"EU": "EU", "US": "US", "GB": "GB", "IN": "IN", "CN": "CN"}
_EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

# Stages whose notice asks something of exporters now (the others report a decision).
ACTION_STAGES = frozenset(
    {
        "initiation",
        "preliminary",
        "review_opportunity",
        "review_initiation",
        "review_preliminary",
        "new_shipper_review",
        "scope",
        "circumvention",
        "interim_review",
        "sunset_review",
    }
)


@dataclass(frozen=True)
class StageText:
    """Message ids of one stage at one authority; ``name`` None keeps the general label."""

    meaning: str
    name: str | None = None


_GENERAL: dict[str, StageText] = {
    "initiation": StageText(
        N_(
            "An investigation has begun. Register as an interested party and answer the questionnaire "
            "by the deadlines in the notice: exporters who stay silent get the highest rate."
        )
    ),
    "preliminary": StageText(
        N_(
            "Provisional duties or cash deposits may be collected from now on. Comment on the findings "
            "and prepare for verification."
        )
    ),
    "final": StageText(
        N_(
            "The authority has decided on dumping or subsidy and on the rates; a duty order usually "
            "follows. Check the rate that applies to you."
        )
    ),
    "order": StageText(
        N_(
            "Duties are now collected on imports of the product. Check the rate that applies to you; "
            "a review can change it."
        )
    ),
    "termination": StageText(N_("The investigation ended without duties. Nothing to do.")),
    "review_opportunity": StageText(
        N_(
            "You may request a review of your rate until the end of the anniversary month; without a "
            "request, duties are assessed at the deposit rate."
        )
    ),
    "review_initiation": StageText(
        N_(
            "A review of the rates has begun. If your company is named, answer the questionnaire on "
            "time: the rates of the review period will be recalculated."
        )
    ),
    "review_preliminary": StageText(
        N_("Preliminary rates of the review. Comment on them before the final results.")
    ),
    "review_final": StageText(
        N_(
            "Final rates of the review: they apply to imports of the review period and become the new "
            "deposit rates."
        )
    ),
    "administrative_review": StageText(
        N_("A review of the duty rates. Check whether your company is named and keep its deadlines.")
    ),
    "new_shipper_review": StageText(
        N_(
            "An exporter that first shipped after the investigation may ask for a rate of its own. "
            "Consider a request if that is your case."
        )
    ),
    "scope": StageText(
        N_(
            "The authority decides whether a product falls under the duties. Check whether yours is "
            "concerned and comment if it is."
        )
    ),
    "circumvention": StageText(
        N_(
            "The authority examines whether duties are avoided through third countries or slight "
            "changes to the product. Check your supply chain and cooperate with the inquiry."
        )
    ),
    "interim_review": StageText(
        N_(
            "The measure is re-examined before it expires because circumstances changed. Take part if "
            "your rate may change."
        )
    ),
    "sunset_review": StageText(
        N_(
            "The authority examines whether to keep the duties after five years. Take part to argue "
            "for their end."
        )
    ),
    "continuation": StageText(N_("The duties stay in force for another period, usually five years.")),
    "revocation": StageText(N_("The duties end. Check the date from which they no longer apply.")),
}

_BY_AUTHORITY: dict[tuple[str, str], StageText] = {
    ("US", "initiation"): StageText(
        N_(
            "Commerce and the ITC have opened an investigation. Answer the quantity and value "
            "questionnaire and register for the service list by the deadlines in the notice."
        )
    ),
    ("US", "order"): StageText(
        N_(
            "Commerce collects cash deposits at your rate on every entry. Each year, in the "
            "anniversary month, you may request an administrative review."
        )
    ),
    ("US", "sunset_review"): StageText(
        N_(
            "Five-year (sunset) review: file a notice of intent to participate within 15 days of "
            "the initiation and a substantive response within 30 days."
        )
    ),
    ("EU", "initiation"): StageText(
        N_(
            "The European Commission has opened an investigation. Make yourself known within 15 days "
            "of the notice and answer the questionnaire within 37 days."
        )
    ),
    ("EU", "preliminary"): StageText(
        N_(
            "Provisional duties apply for up to six months. Comment within the time the regulation "
            "gives and ask for a hearing if you need one."
        ),
        N_("provisional duties"),
    ),
    ("EU", "order"): StageText(
        N_("Definitive duties apply, normally for five years. Check your company's rate in the regulation."),
        N_("definitive duties"),
    ),
    ("EU", "sunset_review"): StageText(
        N_(
            "The Commission examines whether to keep the measure after five years; the duties stay "
            "in force meanwhile. Make yourself known within 15 days."
        ),
        N_("expiry review"),
    ),
    ("GB", "initiation"): StageText(
        N_(
            "The UK Trade Remedies Authority has opened an investigation. Register as an interested "
            "party on its public file within 15 days."
        )
    ),
    ("IN", "initiation"): StageText(
        N_(
            "India's DGTR has opened an investigation. Answer its questionnaire within 30 days; an "
            "extension may be requested."
        )
    ),
    ("IN", "final"): StageText(
        N_(
            "DGTR's final findings recommend duties; the Ministry of Finance decides within three "
            "months whether to impose them."
        )
    ),
    ("CN", "initiation"): StageText(
        N_(
            "China's Ministry of Commerce has opened an investigation into imports. Register with its "
            "Trade Remedy and Investigation Bureau within 20 days."
        )
    ),
    ("CN", "sunset_review"): StageText(
        N_("The Ministry of Commerce examines whether to keep the measure after five years."),
        N_("expiry review"),
    ),
}

# What the date that matters is called, by where it comes from.
_DATE_LABELS = {
    "comment": N_("Comment deadline"),
    "request": N_("Request a review by"),
    "effective": N_("In effect from"),
}


def authority(country: str) -> str | None:
    """The authority key of a notice's country (an EU member state is the EU)."""
    if country in _EU_MEMBERS:
        return "EU"
    return _AUTHORITY.get(country)


def _text(country: str, stage: str) -> StageText | None:
    return _BY_AUTHORITY.get((authority(country) or "", stage)) or _GENERAL.get(stage)


def stage_name(country: str, stage: str, language: str) -> str:
    """The stage as the authority's notices call it, in ``language``."""
    own = _text(country, stage)
    msgid = own.name if own and own.name else LABELS["stage"].get(stage)
    return gettext(language, msgid) if msgid else stage


@dataclass(frozen=True)
class KeyDate:
    """The date that matters: what it is (``comment``, ``request``, ``effective``) and when."""

    kind: str
    on: date

    def label(self, language: str) -> str:
        return gettext(language, _DATE_LABELS[self.kind])


def key_date(
    country: str,
    stage: str | None,
    published_on: date | None,
    comment_deadline: date | None,
) -> KeyDate | None:
    """The date that matters for an exporter, when the notice gives one: its
    comment deadline, else for an opportunity to request a review the last day
    of the month of publication (US practice: the anniversary month)."""
    if comment_deadline is not None:
        return KeyDate("comment", comment_deadline)
    if stage == "review_opportunity" and published_on is not None:
        last = calendar.monthrange(published_on.year, published_on.month)[1]
        return KeyDate("request", published_on.replace(day=last))
    return None


@dataclass(frozen=True)
class StageGuide:
    """A stage explained in one language: its name and the line on what to do."""

    code: str
    name: str
    meaning: str
    action: bool  # whether the stage asks something of exporters now


@lru_cache(maxsize=1024)  # every mail item asks
def stage_guide(country: str, stage: str | None, language: str) -> StageGuide | None:
    """The stage of a notice of ``country`` explained in ``language``; None
    when the stage is unknown (not a trade remedy, or not read from the title)."""
    if not stage:
        return None
    own = _text(country, stage)
    if own is None:
        return None
    name = stage_name(country, stage, language)
    return StageGuide(stage, name, gettext(language, own.meaning), stage in ACTION_STAGES)


def explain_stage(
    country: str,
    stage: str | None,
    language: str,
    published_on: date | None = None,
    comment_deadline: date | None = None,
) -> dict[str, str | bool | None] | None:
    """:func:`stage_guide` and :func:`key_date` as a JSON-ready dict for pages
    and the API: ``{stage, name, meaning, action, date_kind, date_label, date}``."""
    guide = stage_guide(country, stage, language)
    if guide is None:
        return None
    when = key_date(country, stage, published_on, comment_deadline)
    return {
        "stage": guide.code,
        "name": guide.name,
        "meaning": guide.meaning,
        "action": guide.action,
        "date_kind": when.kind if when else None,
        "date_label": when.label(language) if when else None,
        "date": when.on.isoformat() if when else None,
    }


def all_guides() -> list[tuple[str | None, str]]:
    """Every (authority, stage) that has a line: None is the general line."""
    general: list[tuple[str | None, str]] = [(None, stage) for stage in _GENERAL]
    return general + list(_BY_AUTHORITY)

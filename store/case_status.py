"""Where a trade-remedy case stands, read from the stages of its notices
(:data:`store.models.STAGES`), oldest first: its status, the step expected
next, the cases linked to it and the enterprises that follow it.

- ``revoked``: a revocation is on record (the measure ended);
- ``terminated``: the investigation ended without measures;
- ``in_force``: an order, or a review or continuation of one, is on record;
- ``investigation``: initiated, not yet decided;
- ``unknown``: no notice says a stage.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from i18n import N_
from store.models import Case, CaseNotice, Enterprise

INVESTIGATION_STAGES = frozenset({"initiation", "preliminary", "final"})
STATUS_LABELS = {
    "investigation": N_("investigation open"),
    "in_force": N_("measure in force"),
    "terminated": N_("terminated without measures"),
    "revoked": N_("revoked"),
    "unknown": N_("status not stated"),
}
# The step a case is expected to take after its latest one.
NEXT_STEP = {
    "initiation": "preliminary",
    "preliminary": "final",
    "final": "order",
    "order": "review_opportunity",
    "review_opportunity": "review_initiation",
    "review_initiation": "review_preliminary",
    "review_preliminary": "review_final",
    "review_final": "review_opportunity",
    "administrative_review": "review_final",
    "new_shipper_review": "review_final",
    "sunset_review": "continuation",
    "continuation": "review_opportunity",
    "interim_review": "review_final",
    "scope": "review_opportunity",
    "circumvention": "review_opportunity",
}


def case_status(stages: Sequence[str | None]) -> str:
    """The status of a case whose notices record ``stages`` (oldest first)."""
    known = [s for s in stages if s]
    if not known:
        return "unknown"
    if "revocation" in known:
        return "revoked"
    if known[-1] == "termination":
        return "terminated"
    if all(s in INVESTIGATION_STAGES for s in known):
        return "investigation"
    return "in_force"


def next_step(stages: Sequence[str | None]) -> str | None:
    """The stage expected after the latest one; None when the case has ended."""
    known = [s for s in stages if s]
    if not known or case_status(known) in ("revoked", "terminated"):
        return None
    return NEXT_STEP.get(known[-1])


def linked_cases(session: Session, case: Case) -> list[Case]:
    """Other cases on the same product from the same authority (a US anti-dumping
    case and its countervailing twin), or sharing a notice with this one."""
    shared = select(CaseNotice.case_id).where(
        col(CaseNotice.notice_id).in_(select(CaseNotice.notice_id).where(CaseNotice.case_id == case.id))
    )
    same_product = (
        func.lower(Case.product) == case.product.lower() if case.product else col(Case.id).in_(shared)
    )
    query = select(Case).where(
        Case.id != case.id, Case.country == case.country, or_(same_product, col(Case.id).in_(shared))
    )
    return list(session.exec(query.order_by(col(Case.case_number))))


def followers(session: Session, case: Case) -> list[Enterprise]:
    """The enterprises that list the case among their followed cases."""
    written = cast(Enterprise.followed_cases, String)
    candidates = session.exec(select(Enterprise).where(written.contains(case.case_number)))
    return [e for e in candidates if case.case_number in e.followed_cases]

"""What the product calls the values stored in rows, as English message ids.

Each table maps a stored value (an enum's value, a role, a stage code) to
its label, marked with :func:`i18n.N_` so that extraction puts it in the
catalogue; it is translated where it is shown (:func:`label`). A value
missing from its table is shown as it is stored.
"""

from __future__ import annotations

from i18n import N_, gettext
from store.case_status import STATUS_LABELS
from store.models import AlertStatus, DeliveryStatus, DocType, Severity, TagMethod

LABELS: dict[str, dict[str, str]] = {
    "status": {
        AlertStatus.PENDING_REVIEW: N_("pending review"),
        AlertStatus.APPROVED: N_("approved"),
        AlertStatus.REJECTED: N_("rejected"),
        AlertStatus.WITHDRAWN: N_("withdrawn"),
        AlertStatus.SENT: N_("sent"),
    },
    "severity": {
        Severity.CRITICAL: N_("critical"),
        Severity.HIGH: N_("high"),
        Severity.NORMAL: N_("normal"),
    },
    "delivery": {
        DeliveryStatus.PENDING: N_("pending"),
        DeliveryStatus.SENDING: N_("sending"),
        DeliveryStatus.SENT: N_("sent"),
        DeliveryStatus.FAILED: N_("failed"),
    },
    "method": {
        TagMethod.PUBLISHER: N_("stated by the publisher"),
        TagMethod.EXPLICIT: N_("code in the text"),
        TagMethod.TERMS: N_("product terms"),
        TagMethod.MODEL: N_("model"),
        TagMethod.INSPECTOR: N_("inspector"),
    },
    "kind": {
        DocType.TBT: N_("Technical regulation (WTO TBT)"),
        DocType.SPS: N_("Sanitary/phytosanitary measure (WTO SPS)"),
        DocType.ANTIDUMPING: N_("Anti-dumping"),
        DocType.COUNTERVAILING: N_("Countervailing duty"),
        DocType.SAFEGUARD: N_("Safeguard"),
        DocType.RECALL: N_("Product recall"),
        DocType.REGULATION: N_("National regulation"),
    },
    # Case stages in case order (the codes of store.models.STAGES, see ANNOUNCE contract 1).
    "stage": {
        "initiation": N_("initiation"),
        "preliminary": N_("preliminary determination"),
        "final": N_("final determination"),
        "order": N_("order"),
        "termination": N_("termination"),
        "review_opportunity": N_("opportunity to request review"),
        "review_initiation": N_("initiation of administrative review"),
        "review_preliminary": N_("preliminary results of review"),
        "review_final": N_("final results of review"),
        "administrative_review": N_("administrative review"),
        "new_shipper_review": N_("new shipper review"),
        "scope": N_("scope ruling"),
        "circumvention": N_("anti-circumvention"),
        "interim_review": N_("interim review"),
        "sunset_review": N_("sunset review"),
        "continuation": N_("continuation"),
        "revocation": N_("revocation"),
    },
    "role": {"inspector": N_("inspector"), "admin": N_("admin")},
    "language": {"zh": N_("Chinese"), "en": N_("English")},
    "frequency": {"weekly": N_("weekly"), "daily": N_("daily")},
    # Runs of the pipeline's stages (store.runs.recorded_run).
    "run_stage": {
        "crawl": N_("crawl"),
        "ingest": N_("file import"),
        "classify": N_("tagging"),
        "match": N_("matching"),
        "approve": N_("approval"),
        "send": N_("sending"),
        "worker": N_("delivery worker"),
        "health": N_("health check"),
        "remind": N_("deadline reminders"),
        "enterprises": N_("enterprise import"),
    },
    "run_status": {
        "running": N_("running"),
        "ok": N_("ok"),
        "failed": N_("failed"),
        "held": N_("held by the circuit breaker"),
        "partial": N_("some sources failed"),
    },
    # Sources by slug (crawler.sources); a file's or feed's own slug is shown as it is.
    "source": {
        "us_federalregister_adcvd": N_("US Federal Register (AD/CVD)"),
        "wto_eping": N_("WTO ePing (TBT/SPS notifications)"),
        "eu_tron_cases": N_("EU TRON trade defence cases"),
        "cn_cacs_trade_remedies": N_("China Trade Remedies Information (CACS)"),
        "us_cpsc_recalls": N_("US CPSC recalls"),
        "eu_oj_trade_defence": N_("EU Official Journal (trade defence)"),
        "eu_safety_gate": N_("EU Safety Gate"),
        "in_dgtr_cases": N_("India DGTR cases"),
        "gb_tra_cases": N_("UK Trade Remedies Authority cases"),
        "ca_cbsa_sima": N_("Canada CBSA (SIMA)"),
        "us_cbp_csms": N_("US CBP CSMS messages"),
    },
    "case_status": STATUS_LABELS,
    # Audit events (store.models.AuditEvent.action).
    "audit_action": {
        "alert.approved": N_("alert approved"),
        "alert.rejected": N_("alert rejected"),
        "alert.note": N_("alert note saved"),
        "alert.withdrawn": N_("alert withdrawn"),
        "contact.unsubscribed": N_("address unsubscribed"),
        "contact.resubscribed": N_("address resubscribed"),
        "deliveries.retry": N_("deliveries retried"),
        "enterprise.edited": N_("enterprise edited"),
        "enterprise.imported": N_("enterprises imported"),
        "enterprise.preferences": N_("preferences changed by the enterprise"),
        "login.failed": N_("sign-in failed"),
        "login.succeeded": N_("signed in"),
        "source.enabled": N_("source switched on"),
        "source.disabled": N_("source switched off"),
        "tag.added": N_("tag added"),
        "tag.removed": N_("tag removed"),
        "user.added": N_("user added"),
        "user.api_token": N_("API token issued"),
        "user.changed": N_("user changed"),
        "user.language": N_("interface language changed"),
        "user.password": N_("password changed"),
    },
    # Figures a stage run records (store.runs); others are shown by their key.
    "run_count": {
        "new": N_("new"),
        "revised": N_("revised"),
        "unchanged": N_("unchanged"),
        "notices": N_("notices"),
        "tags": N_("tags"),
        "created": N_("created"),
        "updated": N_("updated"),
        "withdrawn": N_("withdrawn"),
        "auto_approved": N_("approved by policy"),
        "approved": N_("approved"),
        "failed": N_("failed"),
        "digests": N_("digests"),
        "delivery": N_("mails"),
        "sent": N_("sent"),
        "retry_later": N_("to retry"),
        "pages": N_("pages"),
        "file": N_("file"),
        "reviewer": N_("reviewer"),
        "by_severity": N_("by severity"),
    },
    "health": {
        "ok": N_("ok"),
        "failing": N_("failing"),
        "stale": N_("no success for 3 days"),
        "never": N_("never succeeded"),
        "file": N_("imported from a file"),
        "disabled": N_("disabled"),
    },
}


def label(lang: str, kind: str, value: str) -> str:
    """The label of ``value`` in table ``kind`` (a key of :data:`LABELS`) in
    ``lang``; ``value`` itself when the table does not know it."""
    msgid = LABELS[kind].get(value)
    return gettext(lang, msgid) if msgid else str(value)

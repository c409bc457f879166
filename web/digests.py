"""The digest an enterprise would get now: the same code as `barrierwatch digests preview`."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from alerts.preview import DigestPreview
from alerts.preview import preview_digest as render_preview
from config import Settings
from store.models import Enterprise

__all__ = ["DigestPreview", "preview_digest"]


def preview_digest(
    session: Session, *, enterprise: Enterprise, settings: Settings, now: datetime
) -> DigestPreview | None:
    """The next digest of ``enterprise``, or None when no approved alert waits."""
    return render_preview(session, settings, enterprise, now)

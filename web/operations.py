"""What the operators watch: sources with their health, stage runs, trade
remedy cases, the delivery log and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, or_
from sqlmodel import col, select

from i18n import N_
from store.case_status import case_status, followers, linked_cases, next_step
from store.models import (
    TRADE_REMEDIES,
    AuditEvent,
    Case,
    CaseNotice,
    Delivery,
    DeliveryStatus,
    Digest,
    Enterprise,
    Notice,
    Run,
    Source,
)
from store.types import utcnow
from web.deps import MAX_ROW_ID, AdminDep, RowId, SessionDep, UserDep, csrf_protect
from web.queries import case_notices
from web.render import NOT_FOUND, flash, page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

LOG_LIMIT = 200
# A source that has not succeeded for this long is shown as stale even
# without recorded failures (a scheduler that stopped fails silently).
STALE_AFTER = timedelta(days=3)


def source_health(source: Source) -> str:
    """ok, failing, stale, never (no success yet), disabled, or file: notices
    imported from a file are not crawled, so they neither succeed nor go stale."""
    if not source.enabled:
        return "disabled"
    if source.kind == "file":
        return "file"
    if source.consecutive_failures:
        return "failing"
    if source.last_success_at is None:
        return "never"
    return "stale" if utcnow() - source.last_success_at > STALE_AFTER else "ok"


@router.get("/sources")
def sources(request: Request, user: UserDep, session: SessionDep) -> Response:
    rows = session.exec(select(Source).order_by(col(Source.slug))).all()
    counts = dict(session.exec(select(Notice.source, func.count()).group_by(col(Notice.source))).all())
    return page(request, "sources.html", {"sources": rows, "health": source_health, "counts": counts})


@router.post("/sources/{source_id}/enabled")
def toggle_source(request: Request, source_id: RowId, user: AdminDep, session: SessionDep) -> Response:
    """Switch a source on or off (admins); crawls skip disabled sources."""
    source = session.get(Source, source_id)
    if source is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    source.enabled = not source.enabled
    session.add(source)
    session.add(
        AuditEvent(
            actor=user.username,
            action="source.enabled" if source.enabled else "source.disabled",
            object_type="source",
            object_id=source.id,
            detail={"slug": source.slug},
        )
    )
    session.commit()
    flash(request, N_("Source %(slug)s saved."), slug=source.slug)
    return redirect("/sources")


# Where the rows a run of each stage concerns are shown.
RUN_LINKS = {"crawl": "/sources", "ingest": "/notices", "classify": "/notices", "match": "/",
             "approve": "/?status=approved", "send": "/deliveries", "worker": "/deliveries",
             "enterprises": "/enterprises"}  # fmt: skip


@router.get("/runs")
def runs(
    request: Request,
    user: UserDep,
    session: SessionDep,
    failed: bool = False,
    before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
) -> Response:
    """The newest LOG_LIMIT runs (failed or held ones only with ``failed``), or those before ``before``."""
    query = select(Run).order_by(col(Run.id).desc()).limit(LOG_LIMIT)
    if failed:
        query = query.where(or_(col(Run.status).in_(("failed", "held")), col(Run.flagged)))
    if before is not None:
        query = query.where(col(Run.id) < before)
    rows = session.exec(query).all()
    older = rows[-1].id if len(rows) == LOG_LIMIT else None
    context = {"runs": rows, "links": RUN_LINKS, "failed": failed, "older": older, "figures": run_figures}
    return page(request, "runs.html", context)


def run_figures(counts: dict[str, object]) -> list[tuple[str, str]]:
    """A run's counts as (key, value) pairs; nested counts flattened one level."""
    figures = []
    for key, value in counts.items():
        if isinstance(value, dict):
            figures += [(str(k), str(v)) for k, v in value.items() if not isinstance(v, dict | list)]
        elif isinstance(value, list):
            figures.append((key, ", ".join(map(str, value))))
        elif value is not None:
            figures.append((key, str(value)))
    return figures


CASES_PAGE = 50


@router.get("/cases")
def cases(request: Request, user: UserDep, session: SessionDep, country: str = "", doc_type: str = "",
          q: str = "", offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0) -> Response:  # fmt: skip
    """Cases with their status, filtered by country, kind, and number or product; paged."""
    query = select(Case)
    if country:
        query = query.where(Case.country == country.upper()[:2])
    if doc_type:
        query = query.where(Case.doc_type == doc_type)
    if q:
        words = f"%{q.strip().lower()[:100]}%"
        query = query.where(
            or_(func.lower(Case.case_number).like(words), func.lower(Case.product).like(words))
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Case.case_number)).offset(offset).limit(CASES_PAGE)).all()
    ids = [c.id for c in rows]
    counts = dict(
        session.exec(
            select(CaseNotice.case_id, func.count())
            .where(col(CaseNotice.case_id).in_(ids))
            .group_by(col(CaseNotice.case_id))
        ).all()
    )
    stages = {c.id: [n.case_stage for n in case_notices(session, case_id=c.id or 0)] for c in rows}
    params = {k: v for k, v in {"country": country, "doc_type": doc_type, "q": q}.items() if v}
    context = {
        "cases": rows,
        "counts": counts,
        "status": {i: case_status(s) for i, s in stages.items()},
        "last_stage": {i: next((x for x in reversed(s) if x), None) for i, s in stages.items()},
        "filters": {"country": country, "doc_type": doc_type, "q": q},
        "kinds": sorted(TRADE_REMEDIES),
        "countries": sorted(str(c) for c in session.exec(select(Case.country).distinct())),
        "total": total,
        "offset": offset,
        "next_offset": offset + CASES_PAGE if offset + CASES_PAGE < total else None,
        "previous_offset": max(offset - CASES_PAGE, 0) if offset else None,
        "page_link": lambda o: "/cases?" + urlencode({**params, "offset": o}),
    }
    return page(request, "cases.html", context)


@router.get("/cases/{case_id}")
def case_detail(request: Request, case_id: RowId, user: UserDep, session: SessionDep) -> Response:
    case = session.get(Case, case_id)
    if case is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    notices = case_notices(session, case_id=case_id)
    stages = [n.case_stage for n in notices]
    context = {
        "case": case,
        "notices": notices,
        "status": case_status(stages),
        "next_step": next_step(stages),
        "linked": linked_cases(session, case),
        "followers": followers(session, case),
    }
    return page(request, "case.html", context)


@router.get("/deliveries")
def deliveries(
    request: Request,
    user: UserDep,
    session: SessionDep,
    status: str = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
) -> Response:
    """The newest LOG_LIMIT deliveries (of one status: ``failed`` for the failed ones), then older ones."""
    query = (
        select(Delivery, Digest, Enterprise)
        .join(Digest, col(Digest.id) == col(Delivery.digest_id))
        .join(Enterprise, col(Enterprise.id) == col(Digest.enterprise_id))
        .order_by(col(Delivery.id).desc())
        .limit(LOG_LIMIT)
    )
    if status:
        query = query.where(Delivery.status == status)
    if before is not None:
        query = query.where(col(Delivery.id) < before)
    rows = session.exec(query).all()
    older = rows[-1][0].id if len(rows) == LOG_LIMIT else None
    statuses = [s.value for s in DeliveryStatus]
    return page(
        request, "deliveries.html", {"rows": rows, "status": status, "statuses": statuses, "older": older}
    )


@router.get("/audit")
def audit(
    request: Request,
    user: UserDep,
    session: SessionDep,
    actor: str = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
) -> Response:
    """The newest LOG_LIMIT events (of one actor), or those older than event ``before``."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(LOG_LIMIT)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if before is not None:
        query = query.where(col(AuditEvent.id) < before)
    events = session.exec(query).all()
    older = events[-1].id if len(events) == LOG_LIMIT else None
    context = {"events": events, "actor": actor, "older": older, "link": object_link, "figures": run_figures}
    return page(request, "audit.html", context)


OBJECT_PAGES = {"enterprise": "/enterprises/{}", "notice": "/notices/{}", "source": "/sources"}


def object_link(event: AuditEvent) -> str | None:
    """The page of what an audit event concerns, where there is one."""
    if event.object_type == "alert" and isinstance(event.detail.get("notice_id"), int):
        return f"/notices/{event.detail['notice_id']}"
    pattern = OBJECT_PAGES.get(event.object_type)
    return pattern.format(event.object_id) if pattern and event.object_id else None

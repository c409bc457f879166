"""The review queue (grouped by notice, filtered, bulk decisions with a
note per alert) and the notice page (text, tags, tag corrections)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

import pipeline
from alerts.queue import not_reviewable, review
from hs.codes import InvalidHSCode, display, normalise
from i18n import N_
from store.models import Alert, AlertStatus, AuditEvent, Notice, Severity, Tag, TagMethod, User
from store.types import utcnow
from web.deps import (
    FormDep,
    RowId,
    SessionDep,
    SettingsDep,
    UserDep,
    csrf_protect,
    int_fields,
    local_today,
    text_field,
)
from web.queries import (
    QueueFilters,
    filter_choices,
    notice_alerts,
    notice_cases,
    notice_tags,
)
from web.render import NOT_FOUND, flash, page, redirect
from web.triage import queue_page

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

DECISIONS = (AlertStatus.APPROVED, AlertStatus.REJECTED)
DECIDED: dict[str, str] = {
    AlertStatus.APPROVED: N_("Alerts approved: %(count)s."),
    AlertStatus.REJECTED: N_("Alerts rejected: %(count)s."),
}
QUEUE_PAGE = 25  # measures on one page of the queue


def parse_filters(params: dict[str, str]) -> tuple[QueueFilters, list[str]]:
    """Queue filters from query parameters, and the names of those refused."""
    refused = []
    deadline = None
    if params.get("deadline_before"):
        try:
            deadline = date.fromisoformat(params["deadline_before"])
        except ValueError:
            refused.append("deadline_before")
    chapter = params.get("chapter", "")
    if chapter and not (len(chapter) == 2 and chapter.isdigit()):
        refused.append("chapter")
        chapter = ""
    status = params.get("status", AlertStatus.PENDING_REVIEW)
    if status not in tuple(AlertStatus):
        refused.append("status")
        status = AlertStatus.PENDING_REVIEW
    filters = QueueFilters(
        status=status,
        severity=params.get("severity", "") if params.get("severity") in tuple(Severity) else "",
        country=params.get("country", "").upper()[:2],
        doc_type=params.get("doc_type", ""),
        chapter=chapter,
        deadline_before=deadline,
        source=params.get("source", ""),
    )
    return filters, refused


@router.get("/")
def queue(request: Request, user: UserDep, session: SessionDep, settings: SettingsDep) -> Response:
    params = dict(request.query_params)
    filters, refused = parse_filters(params)
    offset = _offset(params.get("offset", ""), refused)
    today = local_today(settings)
    found = queue_page(session, filters=filters, today=today, offset=offset, limit=QUEUE_PAGE)
    kept = {k: v for k, v in params.items() if v and k not in ("offset", *refused)}
    context = {
        "found": found,
        "today": today,
        "filters": filters,
        "choices": filter_choices(session),
        "refused": refused,
        "statuses": list(AlertStatus),
        "severities": list(Severity),
        "query": urlencode(kept),
        "page_link": lambda offset: "/?" + urlencode({**kept, "offset": offset}),
        "severity_link": lambda severity: "/?" + urlencode({**kept, "severity": severity}),
    }
    return page(request, "queue.html", context, status_code=400 if refused else 200)


def _offset(value: str, refused: list[str]) -> int:
    if not value:
        return 0
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    refused.append("offset")
    return 0


@router.post("/alerts/review")
def review_alerts(request: Request, user: UserDep, session: SessionDep, form: FormDep) -> Response:
    """Approve, reject or annotate the ticked alerts; each alert may carry
    its own note (``note_<id>``), else the form's common note applies."""
    ids, decision = int_fields(form, "alert_id"), text_field(form, "decision")
    back = "/?" + text_field(form, "query")
    if not ids:
        flash(request, N_("Tick at least one alert."))
        return redirect(back)
    if decision == "note":
        saved = save_notes(session, ids, form, user)
        flash(request, N_("Notes saved: %(count)s."), count=saved)
    elif decision in DECISIONS:
        _decide_and_say(request, session, ids, decision, form, user)
    else:
        flash(request, N_("Unknown decision."))
    session.commit()
    return redirect(back)


def _decide_and_say(
    request: Request, session: Session, ids: list[int], decision: str, form: FormData, user: User
) -> None:
    refused = not_reviewable(session, ids)
    changed = decide(session, [i for i in ids if i not in refused], decision, form, user)
    flash(request, DECIDED[decision], count=len(changed))
    if refused:
        flash(request, N_("Not pending review, left as they are: %(ids)s"), ids=", ".join(map(str, refused)))


@router.post("/alerts/review-shown")
def review_shown(request: Request, user: UserDep, session: SessionDep, form: FormDep) -> Response:
    """Approve or reject every alert the queue page showed (``shown_id``),
    under its filter: first a page naming the count and the filter, then,
    confirmed, each alert decided with its own audit event."""
    ids, decision = int_fields(form, "shown_id"), text_field(form, "bulk")
    back = "/?" + text_field(form, "query")
    if decision not in DECISIONS or not ids:
        flash(request, N_("Nothing to decide: the page showed no alerts."))
        return redirect(back)
    if text_field(form, "confirmed") != "yes":
        query = text_field(form, "query")
        filters = parse_filters(dict(parse_qsl(query)))[0]
        context = {"ids": ids, "decision": decision, "query": query, "note": text_field(form, "note")}
        context["message"] = text_field(form, "message")
        return page(request, "confirm_review.html", {**context, "filters": filters})
    _decide_and_say(request, session, ids, decision, form, user)
    session.commit()
    return redirect(back)


def note_for(form: FormData, alert_id: int) -> str | None:
    return text_field(form, f"note_{alert_id}") or text_field(form, "note") or None


def message_for(form: FormData, alert_id: int) -> str | None:
    """What the enterprise's mail shows beside the alert: its own field, else the common one."""
    return text_field(form, f"message_{alert_id}") or text_field(form, "message") or None


def decide(session: Session, ids: list[int], decision: str, form: FormData, user: User) -> list[int]:
    """Decide each alert with its own note and message (queue.review writes the audit events)."""
    changed = []
    for alert_id in ids:
        note, message = note_for(form, alert_id), message_for(form, alert_id)
        changed += review(session, [alert_id], decision, user.username, note, message)
    return changed


def save_notes(session: Session, ids: list[int], form: FormData, user: User) -> int:
    """Store the notes of the ticked alerts without deciding them."""
    saved = 0
    for alert in session.exec(select(Alert).where(col(Alert.id).in_(ids))):
        note = note_for(form, alert.id or 0)
        if note is None or note == alert.note:
            continue
        alert.note, alert.updated_at = note, utcnow()
        session.add(alert)
        session.add(
            AuditEvent(
                actor=user.username,
                action="alert.note",
                object_type="alert",
                object_id=alert.id,
                detail={"note": note},
            )
        )
        saved += 1
    return saved


@router.get("/notices/{notice_id}")
def notice_page(
    request: Request, notice_id: RowId, user: UserDep, session: SessionDep, settings: SettingsDep
) -> Response:
    notice = session.get(Notice, notice_id)
    if notice is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    tags = notice_tags(session, notice_id=notice_id)
    context = {
        "notice": notice,
        "today": local_today(settings),
        "codes": [t.code for t in tags] or None,
        "tags": tags,
        "alerts": notice_alerts(session, notice_id=notice_id),
        "cases": notice_cases(session, notice_id=notice_id),
        "tag_error": None,
    }
    return page(request, "notice.html", context)


@router.post("/notices/{notice_id}/tags")
def add_tag(
    request: Request,
    notice_id: RowId,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    """Store the inspector's HS code for the notice (a training example for
    the tagger, and stated evidence for matching), then match again."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    try:
        code = normalise(text_field(form, "code"))
    except InvalidHSCode as exc:
        flash(request, N_("Not added: %(problem)s"), problem=str(exc))
        return redirect(f"/notices/{notice_id}")
    if not _has_tag(session, notice_id, code, TagMethod.INSPECTOR):
        tag = Tag(notice_id=notice_id, code=code, method=TagMethod.INSPECTOR, model_version=_by(user))
        session.add(tag)
        _audit_tag(session, user, "tag.added", notice_id, code=code, method=TagMethod.INSPECTOR)
        session.commit()
        _rematch(request, settings)
    flash(request, N_("Tag %(code)s added; alerts matched again."), code=display(code))
    return redirect(f"/notices/{notice_id}")


@router.post("/notices/{notice_id}/tags/{tag_id}/remove")
def remove_tag(
    request: Request,
    notice_id: RowId,
    tag_id: RowId,
    user: UserDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Remove a wrong tag; the audit event keeps what it was (the negative
    training example), then match again so unsupported alerts are withdrawn."""
    tag = session.get(Tag, tag_id)
    if tag is None or tag.notice_id != notice_id:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    detail = {"code": tag.code, "method": tag.method, "score": tag.score, "model_version": tag.model_version}
    session.delete(tag)
    _audit_tag(session, user, "tag.removed", notice_id, **detail)
    session.commit()
    _rematch(request, settings)
    flash(request, N_("Tag %(code)s removed; alerts matched again."), code=display(str(detail["code"])))
    return redirect(f"/notices/{notice_id}")


def _by(user: User) -> str:
    return f"inspector:{user.username}"[:64]


def _has_tag(session: Session, notice_id: int, code: str, method: str) -> bool:
    found = session.exec(
        select(Tag).where(Tag.notice_id == notice_id, Tag.code == code, Tag.method == method)
    ).first()
    return found is not None


def _audit_tag(session: Session, user: User, action: str, notice_id: int, **detail: Any) -> None:
    session.add(
        AuditEvent(
            actor=user.username, action=action, object_type="notice", object_id=notice_id, detail=detail
        )
    )


def _rematch(request: Request, settings: Any) -> None:
    """Run the match stage (recorded as a run) so the queue follows the tags."""
    pipeline.match(request.app.state.engine, settings, utcnow())

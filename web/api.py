"""The JSON API under /api/v1, authenticated by a personal API token
(``Authorization: Bearer <token>``; ``barrierwatch users token NAME`` or
the account page issues one). A token is not a cookie, so the API needs no
CSRF token. The OpenAPI description and its readable page are for
signed-in users of the UI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from alerts.queue import not_reviewable, review
from store.models import Alert, AlertStatus, Case, Enterprise, Notice, User
from store.notice_export import notice_row
from store.search import QueryRefused, parse_query, search_notices
from store.users import user_for_api_token
from web.deps import MAX_ROW_ID, LoginRequired, RowId, SessionDep, SettingsDep, UserDep, local_today
from web.enterprises import enterprise_fields
from web.queries import QueueFilters, case_notices, notice_tags, queue_groups
from web.render import page


def api_user(request: Request, session: SessionDep) -> User:
    """The user whose bearer token the request carries; raises LoginRequired (401)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = user_for_api_token(session, token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise LoginRequired()
    return user


ApiUser = Annotated[User, Depends(api_user)]
router = APIRouter()
v1 = APIRouter(prefix="/api/v1", tags=["v1"])


class AlertOut(BaseModel):
    id: int
    notice_id: int
    enterprise_id: int
    enterprise: str
    status: str
    severity: str
    reason: str
    note: str | None = Field(description="the reviewer's internal note: never mailed")
    message: str | None = Field(description="the message to the enterprise that its mail shows")
    reviewer: str | None
    reviewed_at: datetime | None


class TagOut(BaseModel):
    code: str
    score: float
    method: str


class NoticeOut(BaseModel):
    id: int
    external_id: str
    source: str
    doc_type: str
    country: str
    subject_countries: list[str]
    case_numbers: list[str]
    title: str
    url: str | None
    published: date | None
    comment_deadline: date | None
    tags: list[TagOut]
    tag_chars_read: int | None = Field(
        None, description="set when the notice is long: the characters the tagger read of it"
    )
    tag_error: str | None = Field(None, description="why tagging this notice failed, if it did")


class EnterpriseOut(BaseModel):
    id: int
    name: str
    name_en: str | None
    language: str
    frequency: str
    active: bool
    hs_codes: list[str]
    markets: list[str]


class CaseOut(BaseModel):
    id: int
    case_number: str
    doc_type: str
    country: str
    product: str | None
    subject_countries: list[str]
    notice_ids: list[int] = Field(description="the case's notices in the order they were published")


class ReviewIn(BaseModel):
    alert_ids: list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]]
    decision: AlertStatus = Field(description="approved or rejected")
    note: str | None = Field(None, description="internal note for inspectors; never mailed")
    message: str | None = Field(
        None, max_length=2000, description="message to the enterprise, shown in its mail"
    )


class ReviewOut(BaseModel):
    changed: list[int]


def _alert_out(alert: Alert, enterprise: Enterprise) -> AlertOut:
    assert alert.id is not None and enterprise.id is not None
    return AlertOut(
        id=alert.id,
        notice_id=alert.notice_id,
        enterprise_id=enterprise.id,
        enterprise=enterprise.name,
        status=alert.status,
        severity=alert.severity,
        reason=alert.reason,
        note=alert.note,
        message=alert.message,
        reviewer=alert.reviewer,
        reviewed_at=alert.reviewed_at,
    )


@v1.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    user: ApiUser,
    session: SessionDep,
    status: AlertStatus = AlertStatus.PENDING_REVIEW,
    severity: str = "",
    country: str = "",
) -> list[AlertOut]:
    """Alerts with this status (pending review by default), by notice."""
    filters = QueueFilters(status=status, severity=severity, country=country.upper())
    groups = queue_groups(session, filters=filters, limit=2000)
    return [_alert_out(alert, enterprise) for g in groups for alert, enterprise in g.alerts]


@v1.post("/alerts/review", response_model=ReviewOut)
def review_alerts(body: ReviewIn, user: ApiUser, session: SessionDep) -> ReviewOut:
    """Approve or reject pending alerts; 409 naming every alert that is not pending."""
    if body.decision not in (AlertStatus.APPROVED, AlertStatus.REJECTED):
        raise HTTPException(422, "decision: expected approved or rejected")
    refused = not_reviewable(session, body.alert_ids)
    if refused:
        raise HTTPException(409, {str(i): why for i, why in refused.items()})
    changed = review(session, body.alert_ids, body.decision, user.username, body.note, body.message)
    session.commit()
    return ReviewOut(changed=changed)


@v1.get("/notices", response_model=list[NoticeOut])
def list_notices(
    request: Request,
    response: Response,
    user: ApiUser,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(description="words to find (all of them), ranked by relevance")] = "",
    country: Annotated[str, Query(description="the issuing country or group: US, EU")] = "",
    doc_type: Annotated[str, Query(description="kind: tbt, sps, antidumping, …")] = "",
    hs: Annotated[str, Query(description="HS code at any level: 44, 4418, 4418.75")] = "",
    source: Annotated[str, Query(description="slug of the source, as in sources list")] = "",
    published_from: Annotated[str, Query(description="YYYY-MM-DD")] = "",
    published_to: Annotated[str, Query(description="YYYY-MM-DD")] = "",
    deadline_within: Annotated[str, Query(description="comment deadline open, within N days")] = "",
    case_number: Annotated[str, Query(description="notices of this trade-remedy case")] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Notices matching the parameters with their tags: best matches first
    when ``q`` is given, else newest first. The total is in ``X-Total-Count``;
    a parameter that is not understood is a 422 naming it."""
    try:
        query = parse_query(request.query_params)
    except QueryRefused as exc:
        raise HTTPException(422, str(exc)) from None
    found = search_notices(session, query, today=local_today(settings), offset=offset, limit=limit)
    response.headers["X-Total-Count"] = str(found.total)
    return [notice_row(n, found.tags.get(n.id or 0, [])) for n in found.notices]


@v1.get("/notices/{notice_id}", response_model=NoticeOut)
def get_notice(notice_id: RowId, user: ApiUser, session: SessionDep) -> dict[str, Any]:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise HTTPException(404, f"no notice {notice_id}")
    tags = [
        TagOut(code=t.code, score=t.score, method=t.method) for t in notice_tags(session, notice_id=notice_id)
    ]
    return {**notice.model_dump(), "published": notice.published_on, "tags": tags}


def _enterprise_out(session: Session, enterprise: Enterprise) -> EnterpriseOut:
    fields = enterprise_fields(session, enterprise)
    assert enterprise.id is not None
    return EnterpriseOut(
        id=enterprise.id,
        name=enterprise.name,
        name_en=enterprise.name_en,
        language=enterprise.language,
        frequency=enterprise.frequency,
        active=enterprise.active,
        hs_codes=[c for c in fields["hs_codes"].split("; ") if c],
        markets=[m for m in fields["markets"].split("; ") if m],
    )


@v1.get("/enterprises", response_model=list[EnterpriseOut])
def list_enterprises(user: ApiUser, session: SessionDep) -> list[EnterpriseOut]:
    return [
        _enterprise_out(session, e) for e in session.exec(select(Enterprise).order_by(col(Enterprise.id)))
    ]


@v1.get("/enterprises/{enterprise_id}", response_model=EnterpriseOut)
def get_enterprise(enterprise_id: RowId, user: ApiUser, session: SessionDep) -> EnterpriseOut:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise HTTPException(404, f"no enterprise {enterprise_id}")
    return _enterprise_out(session, enterprise)


def _case_out(session: Session, case: Case) -> CaseOut:
    assert case.id is not None
    notice_ids = [n.id for n in case_notices(session, case_id=case.id) if n.id is not None]
    return CaseOut(**case.model_dump(exclude={"created_at"}), notice_ids=notice_ids)


@v1.get("/cases", response_model=list[CaseOut])
def list_cases(user: ApiUser, session: SessionDep) -> list[CaseOut]:
    return [_case_out(session, c) for c in session.exec(select(Case).order_by(col(Case.case_number)))]


@v1.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: RowId, user: ApiUser, session: SessionDep) -> CaseOut:
    case = session.get(Case, case_id)
    if case is None:
        raise HTTPException(404, f"no case {case_id}")
    return _case_out(session, case)


router.include_router(v1)


@router.get("/api/openapi.json", include_in_schema=False)
def openapi_json(request: Request, user: UserDep) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request, user: UserDep) -> Response:
    """The API described from its OpenAPI schema, rendered on the server
    (the usual Swagger page loads scripts from a CDN; this UI works offline)."""
    schema = request.app.openapi()
    operations = [
        (method.upper(), path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return page(
        request, "api_docs.html", {"operations": operations, "schemas": schema["components"]["schemas"]}
    )

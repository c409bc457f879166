"""Enterprises: list, detail, edit and file import (admins), digest preview."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

import pipeline
from alerts.enterprises import FREQUENCIES, LANGUAGES, profile_from_fields, save_enterprises
from hs.codes import display
from i18n import N_, gettext
from store.errors import InputError
from store.models import (
    Alert,
    AuditEvent,
    Contact,
    Delivery,
    Digest,
    Enterprise,
    EnterpriseMarket,
    EnterpriseProduct,
    Notice,
)
from store.types import utcnow
from web.deps import AdminDep, FormDep, RowId, SessionDep, SettingsDep, UserDep, csrf_protect, text_field
from web.digests import preview_digest
from web.render import NOT_FOUND, flash, language_of, page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

IMPORT_SUFFIXES = (".csv", ".xlsx")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def enterprise_fields(session: Session, enterprise: Enterprise) -> dict[str, str]:
    """An enterprise as the import file's columns (lists joined by '; ')."""
    products = session.exec(select(EnterpriseProduct).where(EnterpriseProduct.enterprise_id == enterprise.id))
    markets = session.exec(select(EnterpriseMarket).where(EnterpriseMarket.enterprise_id == enterprise.id))
    contacts = session.exec(select(Contact).where(Contact.enterprise_id == enterprise.id))
    return {
        "name": enterprise.name,
        "name_en": enterprise.name_en or "",
        "email": "; ".join(c.email for c in contacts),
        "hs_codes": "; ".join(p.raw for p in products),
        "markets": "; ".join(m.market for m in markets),
        "language": enterprise.language,
        "keywords": "; ".join(enterprise.keywords),
        "frequency": enterprise.frequency,
        "home_country": enterprise.home_country,
        "followed_cases": "; ".join(enterprise.followed_cases),
        "active": "yes" if enterprise.active else "no",
    }


@router.get("/enterprises")
def enterprise_list(request: Request, user: UserDep, session: SessionDep) -> Response:
    enterprises = session.exec(select(Enterprise).order_by(col(Enterprise.name))).all()
    rows = [(e, enterprise_fields(session, e)) for e in enterprises]
    return page(request, "enterprises.html", {"rows": rows})


# Declared before /enterprises/{enterprise_id}, which would otherwise take "import" as an id.
@router.get("/enterprises/import")
def import_form(request: Request, user: AdminDep) -> Response:
    return page(request, "enterprise_import.html", {"error": None})


@router.post("/enterprises/import")
async def import_file(request: Request, user: AdminDep, settings: SettingsDep, form: FormDep) -> Response:
    """Import a CSV or XLSX file whole or not at all (alerts.enterprises)."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = gettext(language_of(request), N_("Choose a .csv or .xlsx file first."))
        return page(request, "enterprise_import.html", {"error": error}, status_code=400)
    suffix = Path(upload.filename).suffix.lower()
    content = await upload.read(MAX_IMPORT_BYTES + 1)
    if suffix not in IMPORT_SUFFIXES or len(content) > MAX_IMPORT_BYTES:
        error = f"{upload.filename}: expected a .csv or .xlsx file of at most 5 MB"
        return page(request, "enterprise_import.html", {"error": error}, status_code=400)
    return await run_in_threadpool(
        _import, request, user.username, settings, upload.filename, suffix, content
    )


@router.get("/enterprises/{enterprise_id}")
def enterprise_detail(request: Request, enterprise_id: RowId, user: UserDep, session: SessionDep) -> Response:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    alerts = session.exec(
        select(Alert, Notice)
        .join(Notice, col(Notice.id) == col(Alert.notice_id))
        .where(Alert.enterprise_id == enterprise_id)
        .order_by(col(Alert.id).desc())
        .limit(100)
    ).all()
    context = {
        "enterprise": enterprise,
        "fields": enterprise_fields(session, enterprise),
        "products": session.exec(
            select(EnterpriseProduct).where(EnterpriseProduct.enterprise_id == enterprise_id)
        ).all(),
        "contacts": session.exec(select(Contact).where(Contact.enterprise_id == enterprise_id)).all(),
        "alerts": alerts,
        "display": display,
    }
    return page(request, "enterprise.html", context)


@router.get("/enterprises/{enterprise_id}/edit")
def enterprise_edit_form(
    request: Request, enterprise_id: RowId, user: AdminDep, session: SessionDep
) -> Response:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    return _edit_page(request, enterprise, enterprise_fields(session, enterprise), [])


def _edit_page(
    request: Request, enterprise: Enterprise, fields: dict[str, str], problems: list[Any], status: int = 200
) -> Response:
    context = {
        "enterprise": enterprise,
        "fields": fields,
        "problems": problems,
        "languages": LANGUAGES,
        "frequencies": FREQUENCIES,
    }
    return page(request, "enterprise_edit.html", context, status_code=status)


@router.post("/enterprises/{enterprise_id}/edit")
def enterprise_edit(
    request: Request,
    enterprise_id: RowId,
    user: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    """Validate the form as a file row is validated, then save; the name
    identifies the enterprise and is not editable here."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    fields = {name: text_field(form, name) for name in enterprise_fields(session, enterprise)}
    fields["name"] = enterprise.name
    try:
        profile = profile_from_fields(fields, "form", settings.home_country)
    except InputError as exc:
        return _edit_page(request, enterprise, fields, exc.problems, status=400)
    save_enterprises(session, [profile])
    session.add(
        AuditEvent(
            actor=user.username,
            action="enterprise.edited",
            object_type="enterprise",
            object_id=enterprise_id,
            detail={k: v for k, v in fields.items() if k != "name"},
        )
    )
    session.commit()
    flash(request, N_("Enterprise saved."))
    return redirect(f"/enterprises/{enterprise_id}")


def _import(
    request: Request, actor: str, settings: Any, filename: str, suffix: str, content: bytes
) -> Response:
    engine = request.app.state.engine
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            result = pipeline.import_enterprises(engine, settings, path)
        except InputError as exc:
            error = str(exc).replace(str(path), filename)
            return page(request, "enterprise_import.html", {"error": error}, status_code=400)
    with Session(engine) as session:
        detail = {"file": filename, "created": result.created, "updated": result.updated}
        detail["conflicts"] = result.conflicts
        session.add(
            AuditEvent(actor=actor, action="enterprise.imported", object_type="enterprise", detail=detail)
        )
        session.commit()
    flash(
        request,
        N_("Imported: %(created)s created, %(updated)s updated."),
        created=result.created,
        updated=result.updated,
    )
    for conflict in result.conflicts:
        flash(request, N_("Kept the enterprise's own change: %(conflict)s"), conflict=conflict)
    return redirect("/enterprises")


@router.get("/enterprises/{enterprise_id}/digest")
def digest_preview(
    request: Request, enterprise_id: RowId, user: UserDep, session: SessionDep, settings: SettingsDep
) -> Response:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    preview = preview_digest(session, enterprise=enterprise, settings=settings, now=utcnow())
    sent = session.exec(
        select(Delivery, Digest)
        .join(Digest, col(Digest.id) == col(Delivery.digest_id))
        .where(Digest.enterprise_id == enterprise_id)
        .order_by(col(Delivery.id).desc())
        .limit(50)
    ).all()
    return page(request, "digest_preview.html", {"enterprise": enterprise, "preview": preview, "sent": sent})

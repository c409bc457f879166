"""Account management, for admins only: add users, change roles, deactivate."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import col, select

from i18n import N_
from store.errors import InputError
from store.models import AuditEvent, User
from store.users import LANGUAGES, Role, add_user
from web.deps import AdminDep, FormDep, RowId, SessionDep, csrf_protect, text_field
from web.render import NOT_FOUND, flash, page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _users_page(
    request: Request, session: SessionDep, problems: Sequence[object], status: int = 200
) -> Response:
    users = session.exec(select(User).order_by(col(User.username))).all()
    context = {"users": users, "roles": list(Role), "languages": LANGUAGES, "problems": problems}
    return page(request, "users.html", context, status_code=status)


@router.get("/users")
def users(request: Request, user: AdminDep, session: SessionDep) -> Response:
    return _users_page(request, session, [])


@router.post("/users")
def create_user(request: Request, user: AdminDep, session: SessionDep, form: FormDep) -> Response:
    try:
        added = add_user(
            session,
            username=text_field(form, "username"),
            password=str(form.get("password") or ""),
            role=text_field(form, "role"),
            language=text_field(form, "language"),
            actor=user.username,
        )
    except InputError as exc:
        session.rollback()
        return _users_page(request, session, exc.problems, status=400)
    session.commit()
    flash(request, N_("User %(username)s added."), username=added.username)
    return redirect("/users")


@router.post("/users/{user_id}")
def update_user(
    request: Request, user_id: RowId, user: AdminDep, session: SessionDep, form: FormDep
) -> Response:
    """Change a user's role or active flag. An admin cannot demote or
    deactivate themself, so the last admin cannot lock everyone out."""
    target = session.get(User, user_id)
    if target is None:
        return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
    role, active = text_field(form, "role"), text_field(form, "active") == "yes"
    if role not in tuple(Role) or (target.id == user.id and (role != Role.ADMIN or not active)):
        flash(request, N_("Not changed: you cannot demote or deactivate yourself."))
        return redirect("/users")
    changes = {k: v for k, v in (("role", role), ("active", active)) if getattr(target, k) != v}
    if changes:
        target.role, target.active = role, active
        session.add(target)
        session.add(
            AuditEvent(
                actor=user.username,
                action="user.changed",
                object_type="user",
                object_id=target.id,
                detail=changes,
            )
        )
        session.commit()
    flash(request, N_("User %(username)s saved."), username=target.username)
    return redirect("/users")

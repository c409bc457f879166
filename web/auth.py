"""Signing in and out, the interface language, and the user's own API token.

Failed sign-ins are audit events; they are also what the rate limit
counts, so the limit holds across restarts and across several server
processes sharing the database.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from i18n import LANGUAGES, N_
from store.errors import InputError
from store.models import AuditEvent, User
from store.types import utcnow
from store.users import authenticate, change_password, issue_api_token
from web.deps import FormDep, SessionDep, UserDep, csrf_protect, text_field
from web.render import flash, page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_blocked(session: Session, *, username: str, address: str) -> bool:
    """True after MAX_FAILURES failed sign-ins within FAILURE_WINDOW for
    this username or from this address."""
    failures = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "login.failed", col(AuditEvent.at) >= utcnow() - FAILURE_WINDOW
        )
    ).all()
    by_name = sum(e.actor == username for e in failures)
    by_address = sum(e.detail.get("address") == address for e in failures)
    return max(by_name, by_address) >= MAX_FAILURES


def safe_next(target: str) -> str:
    """A local path to go to after signing in; anything else goes to the queue
    (an open redirect would make our login page a phishing tool)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return page(request, "login.html", {"next": safe_next(next), "error_key": None})


@router.post("/login")
def login(request: Request, session: SessionDep, form: FormDep) -> Response:
    username, password = text_field(form, "username")[:100], str(form.get("password") or "")
    target, address = safe_next(text_field(form, "next")), client_address(request)
    if login_blocked(session, username=username, address=address):
        context = {
            "next": target,
            "error_key": N_("Too many failed sign-ins. Wait 15 minutes and try again."),
        }
        return page(request, "login.html", context, status_code=429)
    user = authenticate(session, username=username, password=password)
    action = "login.failed" if user is None else "login.succeeded"
    session.add(AuditEvent(actor=username, action=action, object_type="user", detail={"address": address}))
    session.commit()
    if user is None:
        return page(
            request,
            "login.html",
            {"next": target, "error_key": N_("Wrong user name or password.")},
            status_code=401,
        )
    request.session.clear()  # a fresh session (and CSRF token) on every sign-in
    request.session["user_id"] = user.id
    return redirect(target)


@router.post("/logout")
def logout(request: Request, user: UserDep, session: SessionDep) -> Response:
    session.add(AuditEvent(actor=user.username, action="logout", object_type="user", object_id=user.id))
    session.commit()
    request.session.clear()
    return redirect("/login")


@router.post("/language")
def choose_language(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Switch the interface language: stored on the user, or in a visitor's session."""
    language = text_field(form, "language")
    if language in LANGUAGES:
        user = _signed_in(request, session)
        if user is not None:
            user.language = language
            session.add(user)
            session.add(
                AuditEvent(
                    actor=user.username,
                    action="user.language",
                    object_type="user",
                    object_id=user.id,
                    detail={"language": language},
                )
            )
            session.commit()
        request.session["language"] = language
    return redirect(safe_next(text_field(form, "next")))


def _signed_in(request: Request, session: Session) -> User | None:
    user_id = request.session.get("user_id")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active else None


@router.get("/account")
def account(request: Request, user: UserDep) -> Response:
    return page(request, "account.html", {"new_token": None, "problems": []})


@router.post("/account/password")
def new_password(request: Request, user: UserDep, session: SessionDep, form: FormDep) -> Response:
    current, new = str(form.get("current") or ""), str(form.get("new") or "")
    try:
        change_password(session, user, current=current, new=new)
    except InputError as exc:
        return page(request, "account.html", {"new_token": None, "problems": exc.problems}, status_code=400)
    session.commit()
    flash(request, N_("Password changed."))
    return redirect("/account")


@router.post("/account/token")
def new_api_token(request: Request, user: UserDep, session: SessionDep) -> Response:
    """Issue a new API token for the signed-in user and show it once."""
    token = issue_api_token(session, user, actor=user.username)
    session.commit()
    flash(request, N_("New API token issued. Copy it now."))
    return page(request, "account.html", {"new_token": token, "problems": []})

"""Signing in and out, the interface language, and the user's own API token.

Failed sign-ins are audit events; they are also what the rate limit
counts, so the limit holds across restarts and across several server
processes sharing the database. An attempt is written down as failed and
committed *before* its password is checked, and counted after: of many
attempts at once, the k-th to commit sees at least k, so no more than
:data:`MAX_FAILURES` get as far as the (slow, memory-hungry) password hash.
At most :data:`CONCURRENT_HASHES` hashes run at once in a server process;
an attempt that waits longer than :data:`HASH_WAIT_SECONDS` for one is
refused with 429, so anonymous requests cannot exhaust the server's memory.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from store.errors import InputError
from store.models import AuditEvent
from store.types import utcnow
from store.users import authenticate, change_password, issue_api_token
from web.deps import FormDep, SessionDep, UserDep, csrf_protect, signed_in_user, text_field
from web.i18n import LANGUAGES
from web.render import flash, page, redirect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# An argon2id check takes 64 MiB while it runs.
CONCURRENT_HASHES = 2
HASH_WAIT_SECONDS = 5.0
_HASHING = threading.BoundedSemaphore(CONCURRENT_HASHES)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def failures_within_window(session: Session, *, username: str, address: str) -> int:
    """Failed sign-ins within FAILURE_WINDOW for this username or from this
    address, whichever are more."""
    failures = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "login.failed", col(AuditEvent.at) >= utcnow() - FAILURE_WINDOW
        )
    ).all()
    by_name = sum(e.actor == username for e in failures)
    by_address = sum(e.detail.get("address") == address for e in failures)
    return max(by_name, by_address)


def claim_attempt(session: Session, *, username: str, address: str) -> AuditEvent | None:
    """Record a sign-in attempt as failed (committed), then count: the event,
    or None when it makes more than MAX_FAILURES in the window (it is then
    relabelled ``login.refused``, which the limit does not count)."""
    attempt = AuditEvent(
        actor=username, action="login.failed", object_type="user", detail={"address": address}
    )
    session.add(attempt)
    session.commit()
    if failures_within_window(session, username=username, address=address) <= MAX_FAILURES:
        return attempt
    settle_attempt(session, attempt, "login.refused")
    return None


def settle_attempt(session: Session, attempt: AuditEvent, action: str) -> None:
    attempt.action = action
    session.add(attempt)
    session.commit()


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
    attempt = claim_attempt(session, username=username, address=address)
    if attempt is None:
        return page(request, "login.html", {"next": target, "error_key": "login.too_many"}, status_code=429)
    if not _HASHING.acquire(timeout=HASH_WAIT_SECONDS):
        settle_attempt(session, attempt, "login.busy")
        return page(request, "login.html", {"next": target, "error_key": "login.busy"}, status_code=429)
    try:
        user = authenticate(session, username=username, password=password)
    finally:
        _HASHING.release()
    if user is None:
        return page(request, "login.html", {"next": target, "error_key": "login.failed"}, status_code=401)
    attempt.object_id = user.id
    settle_attempt(session, attempt, "login.succeeded")
    request.session.clear()  # a fresh session (and CSRF token) on every sign-in
    request.session["user_id"] = user.id
    request.session["generation"] = user.session_generation
    return redirect(target)


@router.post("/logout")
def logout(request: Request, user: UserDep, session: SessionDep) -> Response:
    """Sign out: this cookie, and any copy of it or of the user's other
    sign-in cookies, no longer signs anyone in."""
    user.session_generation += 1
    session.add(user)
    session.add(AuditEvent(actor=user.username, action="logout", object_type="user", object_id=user.id))
    session.commit()
    request.session.clear()
    return redirect("/login")


@router.post("/language")
def choose_language(request: Request, session: SessionDep, form: FormDep) -> Response:
    """Switch the interface language: stored on the user, or in a visitor's session."""
    language = text_field(form, "language")
    if language in LANGUAGES:
        user = signed_in_user(request, session)
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


@router.get("/account")
def account(request: Request, user: UserDep) -> Response:
    return page(request, "account.html", {"new_token": None, "problems": []})


@router.post("/account/password")
def new_password(request: Request, user: UserDep, session: SessionDep, form: FormDep) -> Response:
    current, new = str(form.get("current") or ""), str(form.get("new") or "")
    if not _HASHING.acquire(timeout=HASH_WAIT_SECONDS):
        return page(request, "account.html", {"new_token": None, "problems": []}, status_code=429)
    try:
        change_password(session, user, current=current, new=new)
    except InputError as exc:
        return page(request, "account.html", {"new_token": None, "problems": exc.problems}, status_code=400)
    finally:
        _HASHING.release()
    session.commit()
    request.session["generation"] = user.session_generation  # this cookie stays signed in; others end
    flash(request, "account.password_changed")
    return redirect("/account")


@router.post("/account/token")
def new_api_token(request: Request, user: UserDep, session: SessionDep) -> Response:
    """Issue a new API token for the signed-in user and show it once."""
    token = issue_api_token(session, user, actor=user.username)
    session.commit()
    flash(request, "account.token_issued")
    return page(request, "account.html", {"new_token": token, "problems": []})

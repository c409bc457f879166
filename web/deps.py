"""What routes depend on: the database session, the signed-in user, the
form and its CSRF token. Refusals are exceptions that :mod:`web.app` turns
into a redirect to the login page, a 403 page or a 401 JSON answer."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from config import Settings
from store.models import User
from store.types import utcnow
from store.users import Role

# Row ids are INTEGER columns (32 bits on PostgreSQL): a larger number names no row and
# must not reach the driver, which refuses it with an error instead of finding nothing.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a row id")]


class LoginRequired(Exception):
    """The route needs a signed-in user and there is none."""


class Forbidden(Exception):
    """The signed-in user's role does not allow the route."""


class CsrfRejected(Exception):
    """A form came without the CSRF token of the visitor's session."""


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def db_session(request: Request) -> Iterator[Session]:
    """A session per request; routes that change rows commit themselves,
    before they answer, so a redirect never outruns its write."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session)]
SettingsDep = Annotated[Settings, Depends(settings_of)]


def local_today(settings: Settings) -> date:
    """Today where the inspectors work (``BW_TIMEZONE``): deadlines count from it."""
    return utcnow().astimezone(settings.zone).date()


def signed_in_user(request: Request, session: Session) -> User | None:
    """The active user the session cookie signs in, else None.

    The user row is read on every request, so deactivating an account ends
    its sessions at once although the cookie itself stays valid; so does
    logging out or changing the password, which bump the user's session
    generation that the cookie must carry."""
    user_id = request.session.get("user_id")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or request.session.get("generation") != user.session_generation:
        return None
    return user


def current_user(request: Request, session: SessionDep) -> User:
    """The active user of the session cookie; raises :class:`LoginRequired`."""
    user = signed_in_user(request, session)
    if user is None:
        request.session.pop("user_id", None)
        raise LoginRequired()
    request.state.user = user
    return user


UserDep = Annotated[User, Depends(current_user)]


def admin_user(user: UserDep) -> User:
    """The signed-in user if an admin; raises :class:`Forbidden`."""
    if user.role != Role.ADMIN:
        raise Forbidden()
    return user


AdminDep = Annotated[User, Depends(admin_user)]


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


async def csrf_protect(request: Request) -> None:
    """Refuse a POST whose ``csrf_token`` field is not the session's token."""
    if request.method != "POST":
        return
    sent = (await request.form()).get("csrf_token")
    expected = request.session.get("csrf")
    if not (isinstance(sent, str) and isinstance(expected, str) and hmac.compare_digest(sent, expected)):
        raise CsrfRejected()


def text_field(form: FormData, name: str) -> str:
    """A text field of a form, stripped; "" when absent or a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def int_fields(form: FormData, name: str) -> list[int]:
    """Every row id of a repeated field (checkboxes); other values ignored."""
    values = [v for v in form.getlist(name) if isinstance(v, str) and v.isascii() and v.isdigit()]
    return [int(v) for v in values if len(v) <= 10 and 1 <= int(v) <= MAX_ROW_ID]

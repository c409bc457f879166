"""Inspector and admin accounts: argon2 password hashes and API tokens.

Passwords are kept only as argon2id hashes; an API token is shown once
when issued and kept only as its SHA-256 (a random 256-bit token needs
no slow hash: it cannot be guessed from a dictionary).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from store.errors import InputError, InputProblem
from store.models import AuditEvent, User

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")
_HASHER = PasswordHasher()


class Role(StrEnum):
    INSPECTOR = "inspector"
    ADMIN = "admin"


LANGUAGES = ("zh", "en")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that a wrong name
    takes as long as a wrong password and does not reveal who exists.
    Made on first use, not at import (hashing takes a noticeable moment)."""
    return hash_password("barrierwatch-no-such-user")


def check_new_account(username: str, password: str, role: str, language: str) -> None:
    """Raise :class:`InputError` naming every field that cannot make an account."""
    problems = []
    if not _USERNAME.match(username):
        problems.append(
            InputProblem(
                "account", "username", f"{username!r}: expected 2-100 letters, digits, '.', '_', '-'"
            )
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            InputProblem(
                "account", "password", f"too short: expected {MIN_PASSWORD_LENGTH} characters or more"
            )
        )
    if role not in tuple(Role):
        problems.append(InputProblem("account", "role", f"{role!r}: expected inspector or admin"))
    if language not in LANGUAGES:
        problems.append(InputProblem("account", "language", f"{language!r}: expected zh or en"))
    if problems:
        raise InputError(username or "account", problems)


def add_user(
    session: Session, *, username: str, password: str, role: str, language: str = "zh", actor: str
) -> User:
    """Create an account; raises :class:`InputError` for a bad field or a
    username already taken. The creation is an audit event by ``actor``."""
    check_new_account(username, password, role, language)
    if find_user(session, username=username) is not None:
        raise InputError(username, [InputProblem("account", "username", f"{username!r} already exists")])
    user = User(username=username, password_hash=hash_password(password), role=role, language=language)
    session.add(user)
    session.flush()
    session.add(
        AuditEvent(
            actor=actor, action="user.added", object_type="user", object_id=user.id, detail={"role": role}
        )
    )
    return user


def find_user(session: Session, *, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this name and password, else None. An outdated
    hash (weaker parameters) is replaced on success."""
    user = find_user(session, username=username)
    if user is None or not user.active:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Replace the user's password after checking the current one and end the
    user's sign-ins (its session generation); raises :class:`InputError`
    naming the field at fault. An audit event by the user."""
    if not _verify(user.password_hash, current):
        raise InputError(user.username, [InputProblem("account", "current password", "does not match")])
    if len(new) < MIN_PASSWORD_LENGTH:
        problem = f"too short: expected {MIN_PASSWORD_LENGTH} characters or more"
        raise InputError(user.username, [InputProblem("account", "new password", problem)])
    user.password_hash = hash_password(new)
    user.session_generation += 1  # a new password ends every sign-in made with the old one
    session.add(user)
    session.add(
        AuditEvent(actor=user.username, action="user.password", object_type="user", object_id=user.id)
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, user: User, *, actor: str) -> str:
    """A new API token for ``user``, replacing any earlier one; returned
    once, stored only as its hash."""
    token = "bw_" + secrets.token_urlsafe(32)
    user.api_token_hash = token_hash(token)
    session.add(user)
    session.add(AuditEvent(actor=actor, action="user.api_token", object_type="user", object_id=user.id))
    return token


def user_for_api_token(session: Session, token: str) -> User | None:
    """The active user whose API token this is, else None."""
    if not token:
        return None
    user = session.exec(select(User).where(User.api_token_hash == token_hash(token))).first()
    return user if user is not None and user.active else None

"""Signed, expiring tokens for links in mails (unsubscribe, preferences).

A token names a contact and what the link may do; it needs no login and
cannot be forged or reused for another purpose. Unsubscribe links stay
valid for a long time because mail is read late.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PURPOSES = ("unsubscribe", "preferences")
MAX_AGE_SECONDS = 180 * 24 * 3600


class InvalidToken(ValueError):
    """A token that is forged, expired, or made for another purpose."""


@dataclass(frozen=True)
class ContactToken:
    contact_id: int
    purpose: str


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt="barrierwatch.contact-link")


def make_token(key: str, contact_id: int, purpose: str) -> str:
    assert purpose in PURPOSES
    return _serializer(key).dumps({"c": contact_id, "p": purpose})


def read_token(key: str, token: str, purpose: str, max_age: int = MAX_AGE_SECONDS) -> ContactToken:
    """The contact a token was made for; raises :class:`InvalidToken`."""
    try:
        data = _serializer(key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken("this link has expired") from None
    except BadSignature:
        raise InvalidToken("this link is not valid") from None
    if not isinstance(data, dict) or data.get("p") != purpose or not isinstance(data.get("c"), int):
        raise InvalidToken("this link is not valid here")
    return ContactToken(data["c"], purpose)

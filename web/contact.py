"""Pages reached from links in mails, without login: the signed token in
the link names the contact and what the link may do (alerts.tokens).

Unsubscribing is RFC 8058 one-click: a mail client POSTs
``List-Unsubscribe=One-Click`` to the link itself, so that POST needs no
CSRF token (the unguessable token in the URL is the proof). Changing
preferences is a form of ours and carries a CSRF token like every other.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from alerts.enterprises import FREQUENCIES, LANGUAGES, profile_from_fields, save_enterprises
from alerts.tokens import InvalidToken, read_token
from store.errors import InputError
from store.models import AuditEvent, Contact, Enterprise
from store.types import utcnow
from web.deps import FormDep, SessionDep, SettingsDep, csrf_protect, text_field
from web.enterprises import enterprise_fields
from web.render import page

one_click = APIRouter(include_in_schema=False)
router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


class LinkRefused(Exception):
    """The token is forged, expired, for another purpose, or its contact is gone."""


def contact_of(session: Session, key: str, token: str, purpose: str) -> tuple[Contact, Enterprise]:
    """The contact and enterprise a link token was made for; raises :class:`LinkRefused`.

    The token must carry the contact's link secret: a link made for a
    contact removed since never reaches another that got its id."""
    try:
        signed = read_token(key, token, purpose)
    except InvalidToken as exc:
        raise LinkRefused(str(exc)) from None
    contact = session.get(Contact, signed.contact_id)
    if contact is not None and not hmac.compare_digest(contact.link_secret, signed.secret):
        contact = None
    enterprise = session.get(Enterprise, contact.enterprise_id) if contact else None
    if contact is None or enterprise is None:
        raise LinkRefused("this link belongs to an address that is no longer on file")
    return contact, enterprise


def refused_page(request: Request, exc: LinkRefused) -> Response:
    """A 400 page in both languages: we cannot know the reader's language."""
    return page(request, "link_refused.html", {"reason": str(exc)}, status_code=400)


@one_click.get("/u/{token}")
def unsubscribe_confirm(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "unsubscribe")
    except LinkRefused as exc:
        return refused_page(request, exc)
    context = {"contact": contact, "enterprise": enterprise, "done": False}
    return page(request, "unsubscribe.html", context, language=enterprise.language)


@one_click.post("/u/{token}")
def unsubscribe(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Unsubscribe the contact (idempotent); the enterprise's other contacts stay."""
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "unsubscribe")
    except LinkRefused as exc:
        return refused_page(request, exc)
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = utcnow()
        session.add(contact)
        session.add(
            AuditEvent(
                actor=f"contact:{contact.email}"[:100],
                action="contact.unsubscribed",
                object_type="contact",
                object_id=contact.id,
                detail={"enterprise_id": enterprise.id},
            )
        )
        session.commit()
    context = {"contact": contact, "enterprise": enterprise, "done": True}
    return page(request, "unsubscribe.html", context, language=enterprise.language)


def _preferences_page(
    request: Request, enterprise: Enterprise, fields: dict[str, str], problems: Sequence[object], saved: bool
) -> Response:
    context = {
        "enterprise": enterprise,
        "fields": fields,
        "problems": problems,
        "saved": saved,
        "languages": LANGUAGES,
        "frequencies": FREQUENCIES,
    }
    status = 400 if problems else 200
    return page(request, "preferences.html", context, status_code=status, language=enterprise.language)


@router.get("/p/{token}")
def preferences(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        _contact, enterprise = contact_of(session, settings.signing_key(), token, "preferences")
    except LinkRefused as exc:
        return refused_page(request, exc)
    return _preferences_page(request, enterprise, enterprise_fields(session, enterprise), [], False)


EDITABLE = ("hs_codes", "markets", "language", "frequency")


@router.post("/p/{token}")
def save_preferences(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Change the enterprise's products, markets, language and frequency;
    the rest of its profile is kept as it is."""
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "preferences")
    except LinkRefused as exc:
        return refused_page(request, exc)
    fields = {**enterprise_fields(session, enterprise), **{k: text_field(form, k) for k in EDITABLE}}
    try:
        profile = profile_from_fields(fields, "form", settings.home_country)
    except InputError as exc:
        return _preferences_page(request, enterprise, fields, exc.problems, False)
    save_enterprises(session, [profile])
    session.add(
        AuditEvent(
            actor=f"contact:{contact.email}"[:100],
            action="enterprise.preferences",
            object_type="enterprise",
            object_id=enterprise.id,
            detail={k: fields[k] for k in EDITABLE},
        )
    )
    session.commit()
    return _preferences_page(request, enterprise, fields, [], True)

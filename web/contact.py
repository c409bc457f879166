"""Pages reached from links in mails, without login: the signed token in
the link names the contact and what the link may do (alerts.tokens).

Unsubscribing is RFC 8058 one-click: a mail client POSTs
``List-Unsubscribe=One-Click`` to the link itself, so that POST needs no
CSRF token (the unguessable token in the URL is the proof). Changing
preferences is a form of ours and carries a CSRF token like every other.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from alerts.enterprises import FREQUENCIES, LANGUAGES, profile_from_fields, save_enterprises
from alerts.tokens import InvalidToken, read_token
from hs.nomenclature import search as hs_search
from i18n import LANGUAGES as INTERFACE_LANGUAGES
from i18n import N_, gettext
from store.errors import InputError, InputProblem
from store.measures import case_number
from store.models import AuditEvent, Case, Contact, Enterprise
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


LINK_REFUSED = N_("This link cannot be used")
LINK_EXPLAINED = N_(
    "The link is not valid or has expired. Use the link in your most recent BarrierWatch mail, "
    "or contact the bureau that sends it."
)


def refused_page(request: Request, exc: LinkRefused) -> Response:
    """A 400 page in both languages: we cannot know the reader's language."""
    versions = [
        {
            "lang": "zh-CN" if lang == "zh" else lang,
            "heading": gettext(lang, LINK_REFUSED),
            "explanation": gettext(lang, LINK_EXPLAINED),
        }
        for lang in INTERFACE_LANGUAGES
    ]
    return page(request, "link_refused.html", {"reason": str(exc), "versions": versions}, status_code=400)


@one_click.get("/u/{token}")
def unsubscribe_confirm(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "unsubscribe")
    except LinkRefused as exc:
        return refused_page(request, exc)
    context = {"contact": contact, "enterprise": enterprise, "done": False, "resubscribed": False}
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
    context = {"contact": contact, "enterprise": enterprise, "done": True, "resubscribed": False}
    return page(request, "unsubscribe.html", context, language=enterprise.language)


def _preferences_page(
    request: Request,
    session: Session,
    contact: Contact,
    enterprise: Enterprise,
    fields: dict[str, str],
    problems: Sequence[object],
    saved: bool,
) -> Response:
    product = request.query_params.get("product", "").strip()[:100]
    context = {
        "enterprise": enterprise,
        "contact": contact,
        "fields": fields,
        "problems": problems,
        "saved": saved,
        "languages": LANGUAGES,
        "frequencies": FREQUENCIES,
        "product": product,
        "found_codes": hs_search(product) if product else [],
        "known_cases": _known_cases(session),
    }
    status = 400 if problems else 200
    return page(request, "preferences.html", context, status_code=status, language=enterprise.language)


def _known_cases(session: Session) -> list[Case]:
    return list(session.exec(select(Case).order_by(col(Case.case_number))))


@router.get("/p/{token}")
def preferences(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "preferences")
    except LinkRefused as exc:
        return refused_page(request, exc)
    fields = enterprise_fields(session, enterprise)
    return _preferences_page(request, session, contact, enterprise, fields, [], False)


EDITABLE = ("hs_codes", "markets", "language", "frequency", "keywords", "followed_cases")
# A case number as the authorities write them: US A-570-970 / C-570-971, EU AD712 / AS600 / R123,
# others letters, digits and separators; one BarrierWatch has seen is always accepted.
_CASE_NUMBER = re.compile(r"^[A-Z]{1,4}[-/ .]?[0-9]{1,4}([-/ .][0-9A-Z]{1,6}){0,3}$")
CASE_PROBLEM = N_("%(case)r is not a case number: expected one like A-570-970 or AD712")


def case_problems(session: Session, fields: dict[str, str], lang: str) -> list[InputProblem]:
    """Followed cases that are neither known here nor written like a case number."""
    known = {case_number(c.case_number) for c in _known_cases(session)}
    problems = []
    for raw in (c.strip() for c in fields["followed_cases"].split(";")):
        if raw and case_number(raw) not in known and not _CASE_NUMBER.match(raw.upper()):
            problems.append(
                InputProblem("form", "followed_cases", gettext(lang, CASE_PROBLEM) % {"case": raw})
            )
    return problems


@router.post("/p/{token}")
def save_preferences(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Change the enterprise's products, markets, keywords, followed cases,
    language and frequency; the rest of its profile is kept as it is. The
    change is an audit event naming the fields, so that a later file import
    keeps it (alerts.enterprises)."""
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "preferences")
    except LinkRefused as exc:
        return refused_page(request, exc)
    before = enterprise_fields(session, enterprise)
    fields = {**before, **{k: text_field(form, k) for k in EDITABLE}}
    problems = case_problems(session, fields, enterprise.language)
    try:
        profile = profile_from_fields(fields, "form", settings.home_country)
    except InputError as exc:
        problems = [*exc.problems, *problems]
    if problems:
        return _preferences_page(request, session, contact, enterprise, fields, problems, False)
    save_enterprises(session, [profile])
    changed = {k: fields[k] for k in EDITABLE if _normal(fields[k]) != _normal(before[k])}
    session.add(
        AuditEvent(
            actor=f"contact:{contact.email}"[:100],
            action="enterprise.preferences",
            object_type="enterprise",
            object_id=enterprise.id,
            detail=changed,
        )
    )
    session.commit()
    fields = enterprise_fields(session, enterprise)
    return _preferences_page(request, session, contact, enterprise, fields, [], True)


def _normal(value: str) -> list[str]:
    return sorted(v.strip() for v in value.split(";") if v.strip())


@router.post("/u/{token}/resubscribe")
def resubscribe_after_unsubscribe(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Undo an unsubscribe from the page that confirmed it (the same link)."""
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "unsubscribe")
    except LinkRefused as exc:
        return refused_page(request, exc)
    _resubscribe(session, contact, enterprise)
    context = {"contact": contact, "enterprise": enterprise, "done": False, "resubscribed": True}
    return page(request, "unsubscribe.html", context, language=enterprise.language)


@router.post("/p/{token}/resubscribe")
def resubscribe(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Undo this address's unsubscribe: it receives mails again from the next digest."""
    try:
        contact, enterprise = contact_of(session, settings.signing_key(), token, "preferences")
    except LinkRefused as exc:
        return refused_page(request, exc)
    _resubscribe(session, contact, enterprise)
    fields = enterprise_fields(session, enterprise)
    return _preferences_page(request, session, contact, enterprise, fields, [], False)


def _resubscribe(session: Session, contact: Contact, enterprise: Enterprise) -> None:
    if contact.unsubscribed_at is not None:
        contact.unsubscribed_at = None
        session.add(contact)
        session.add(
            AuditEvent(
                actor=f"contact:{contact.email}"[:100],
                action="contact.resubscribed",
                object_type="contact",
                object_id=contact.id,
                detail={"enterprise_id": enterprise.id},
            )
        )
        session.commit()

"""Rendering pages: every template gets the user, the interface language,
the translator ``t``, the CSRF token and the flash messages."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from config import Settings
from web.i18n import LANGUAGES, translator


def make_templates(settings: Settings) -> Jinja2Templates:
    """Templates of ``templates/web``, autoescaped everywhere: notice titles
    and texts come from foreign websites."""
    env = Environment(
        loader=FileSystemLoader(str(Path(settings.templates_dir) / "web")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = _day
    env.filters["web_link"] = web_link
    env.filters["moment"] = lambda value, zone: _moment(value, zone)
    return Jinja2Templates(env=env)


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else None: a notice's link comes
    from a foreign site and a ``javascript:`` one must not become a link."""
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else None


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _moment(value: datetime | None, zone: Any) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "—"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def language_of(request: Request) -> str:
    """The signed-in user's language; for visitors the one they chose,
    else the browser's preference between zh and en, else zh."""
    user = getattr(request.state, "user", None)
    if user is not None and user.language in LANGUAGES:
        return str(user.language)
    chosen = request.session.get("language")
    if chosen in LANGUAGES:
        return str(chosen)
    accepted = request.headers.get("accept-language", "").lower()
    return "en" if accepted.startswith("en") else "zh"


def flash(request: Request, key: str, **values: Any) -> None:
    """Queue a message (an i18n key and its values) for the next page."""
    request.session.setdefault("flash", []).append([key, values])
    request.session.update(flash=request.session["flash"])  # mark the session modified


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    language: str | None = None,
) -> HTMLResponse:
    """Render ``templates/web/<name>`` with the common context."""
    lang = language or language_of(request)
    t = translator(lang)
    # Touch the session only when there is something to show, so pages don't re-send the cookie.
    queued = request.session.pop("flash") if "flash" in request.session else []
    messages = [t(key).format(**values) for key, values in queued]
    common = {
        "user": getattr(request.state, "user", None),
        "lang": lang,
        "t": t,
        "csrf_token": csrf_token(request),
        "messages": messages,
        "zone": request.app.state.settings.zone,
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, {**common, **(context or {})}, status_code=status_code)


def redirect(path: str) -> RedirectResponse:
    """After a POST: see the result with a GET (303), never a re-submit."""
    return RedirectResponse(path, status_code=303)

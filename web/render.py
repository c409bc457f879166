"""Rendering pages: every template gets the user, the interface language,
the CSRF token and the flash messages, and says its words with ``_()``
(Jinja's i18n extension over the catalogue of :mod:`i18n`)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from config import Settings
from hs.codes import display
from hs.markets import country_name
from hs.nomenclature import label as hs_label
from i18n import LANGUAGES, N_, gettext
from i18n.templates import FoldedWords
from i18n.templates import install as install_catalogue
from store.labels import label
from store.stages import stage_guide
from store.summary import notice_summary

NOT_FOUND = N_("There is no such record.")
FORBIDDEN = N_("Your role does not allow this page.")
CSRF_FAILED = N_("The form had expired or did not come from this site. Reload the page and try again.")
BAD_VALUE = N_(
    "A value in the form or the address cannot be stored or searched for (a NUL character, "
    "or text too long); nothing was changed."
)
DATABASE_BUSY = N_(
    "The database is busy or unavailable just now; nothing was changed. Try again in a moment."
)


def make_templates(settings: Settings) -> dict[str, Jinja2Templates]:
    """Templates of ``templates/web`` by interface language, autoescaped
    everywhere: notice titles and texts come from foreign websites.

    One environment per language, each with that language's words installed
    (:mod:`i18n.templates`: ``_("… %(name)s", name=value)``, escaped like any
    value), so a page's words are looked up without any per-request setup."""
    return {lang: Jinja2Templates(env=_environment(settings, lang)) for lang in LANGUAGES}


def _environment(settings: Settings, lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(Path(settings.templates_dir) / "web")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n", FoldedWords],
    )
    install_catalogue(env, lang)
    env.filters["day"] = _day
    env.filters["web_link"] = web_link
    env.filters["moment"] = lambda value, zone: _moment(value, zone)
    env.filters["label"] = lambda value, kind: label(lang, kind, value)
    env.filters["autonym"] = autonym
    env.filters["country"] = lambda code: country_name(code, lang)
    env.filters["hs_label"] = lambda code: hs_label(code, lang)
    env.filters["hs"] = display
    env.filters["enterprise_name"] = lambda e: (e.name_en or e.name) if lang == "en" else e.name
    env.filters["source"] = lambda slug: label(lang, "source", slug)
    # The notice in one line and its stage explained, as the mails say them (issue #15).
    env.filters["summary"] = lambda notice, today, codes=None: notice_summary(notice, lang, today, codes)
    env.filters["stage_guide"] = lambda notice: stage_guide(notice.country, notice.case_stage, lang)
    return env


@cache
def autonym(language: str) -> str:
    """A language's name in itself (CLDR): the switch to it says 中文 or English."""
    return str(Locale.parse(language).get_display_name(language))


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


def flash(request: Request, msgid: str, **values: Any) -> None:
    """Queue a message (its English id, marked with ``N_``, and the values of
    its ``%(name)s`` fields) for the next page, shown in the reader's language."""
    request.session.setdefault("flash", []).append([msgid, values])
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
    # Touch the session only when there is something to show, so pages don't re-send the cookie.
    queued = request.session.pop("flash") if "flash" in request.session else []
    messages = [gettext(lang, msgid) % values for msgid, values in queued]
    common = {
        "user": getattr(request.state, "user", None),
        "lang": lang,
        "other_language": "en" if lang == "zh" else "zh",
        "csrf_token": csrf_token(request),
        "messages": messages,
        "zone": request.app.state.settings.zone,
    }
    templates: Jinja2Templates = request.app.state.templates[lang]
    return templates.TemplateResponse(request, name, {**common, **(context or {})}, status_code=status_code)


def redirect(path: str) -> RedirectResponse:
    """After a POST: see the result with a GET (303), never a re-submit."""
    return RedirectResponse(path, status_code=303)

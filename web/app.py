"""The FastAPI application: ``create_app(settings)`` builds it, its engine
and its templates; nothing is built at import time."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, OperationalError
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config import Settings
from store.db import open_database
from web import api, auth, contact, enterprises, notices, operations, review, users
from web.deps import CsrfRejected, Forbidden, LoginRequired
from web.render import BAD_VALUE, CSRF_FAILED, DATABASE_BUSY, FORBIDDEN, NOT_FOUND, make_templates, page

STATIC_DIR = Path(__file__).parent / "static"
SESSION_HOURS = 12
# No script runs anywhere in the UI; a mail previewed in a sandboxed frame keeps its inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The inspector UI and JSON API over ``engine`` (by default the
    database of ``settings``, initialised if empty)."""
    app = FastAPI(title="BarrierWatch", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine if engine is not None else open_database(settings.database_url)
    app.state.templates = make_templates(settings)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie="bw_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # notices before review: /notices/export is not the notice of id "export"
    for router in (
        auth.router,
        notices.router,
        review.router,
        enterprises.router,
        operations.router,
        users.router,
    ):
        app.include_router(router)
    for router in (contact.one_click, contact.router, api.router):
        app.include_router(router)
    _add_health(app)
    _add_error_pages(app)
    return app


class SecurityHeaders:
    """Adds the headers every answer carries (no framing, no sniffing, CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"x-frame-options", b"DENY"))
                headers.append((b"referrer-policy", b"no-referrer"))  # token links must not leak
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def _add_health(app: FastAPI) -> None:
    @app.get("/health", include_in_schema=False)
    def health(request: Request) -> JSONResponse:
        """200 when the database answers, 503 otherwise (for load balancers)."""
        try:
            with request.app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means the same: not healthy
            return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/v1"):
            return JSONResponse(
                {"detail": "an API token is required: Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, _exc: Forbidden) -> Response:
        if request.url.path.startswith("/api/v1"):
            return JSONResponse({"detail": "your role does not allow this"}, status_code=403)
        return page(request, "error.html", {"message": FORBIDDEN}, status_code=403)

    @app.exception_handler(CsrfRejected)
    def csrf_rejected(request: Request, _exc: CsrfRejected) -> Response:
        return page(request, "error.html", {"message": CSRF_FAILED}, status_code=403)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """A page whose id is not a row id (too large, not a number) does not
        exist: 404 in the UI; the API answers 422 naming the parameter."""
        in_path = any(error.get("loc", ("",))[0] == "path" for error in exc.errors())
        if in_path and not request.url.path.startswith("/api/"):
            return page(request, "error.html", {"message": NOT_FOUND}, status_code=404)
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(DataError)
    def value_refused(request: Request, _exc: DataError) -> Response:
        """A value the database refuses (a NUL character, a number out of range,
        text over a column's length) in a form or a query: 422, nothing changed."""
        if request.url.path.startswith("/api/"):
            detail = "a value cannot be stored or searched for (a NUL character, or too long)"
            return JSONResponse({"detail": detail}, status_code=422)
        request.state.user = None  # its row went with the rolled-back session: a page without it
        return page(request, "error.html", {"message": BAD_VALUE}, status_code=422)

    @app.exception_handler(OperationalError)
    def database_unavailable(request: Request, _exc: OperationalError) -> Response:
        """The database is locked past its busy timeout, or down: 503 with a
        clear page (the request's transaction was rolled back), never a 500."""
        headers = {"Retry-After": "10"}
        if request.url.path.startswith("/api/"):
            detail = "the database is busy or unavailable; nothing was changed, try again"
            return JSONResponse({"detail": detail}, status_code=503, headers=headers)
        request.state.user = None  # its row cannot be read now: a page without it
        answer = page(request, "error.html", {"message": DATABASE_BUSY}, status_code=503)
        answer.headers.update(headers)
        return answer

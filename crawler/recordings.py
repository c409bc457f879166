"""Serve recorded responses on 127.0.0.1, so crawls run offline through the real code path.

Layout of a recordings root::

    <root>/robots.txt                 optional, served at /robots.txt
    <root>/<slug>/<path>              served at /<slug>/<path> (query ignored)
    <root>/<slug>/_routes.json        optional: responses chosen by query,
                                      status, headers, truncation or delay

A route is ``{"path": "/api/v1/documents.json", "query": {"page": "2"},
"file": "page-2.json", "status": 200, "headers": {...}, "truncate_at": N,
"delay": seconds}``; the first route whose path matches and whose query items
are all in the request wins. Every file response carries an ETag and a
Last-Modified header and answers conditional requests with 304, as the real
sites do, so incremental crawling is exercised too.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

_TYPES = {".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}


@dataclass
class SeenRequest:
    """A request the server received: its path and headers, when it came and when its
    answer was sent (``time.monotonic()``), so that tests can see requests overlap."""

    path: str
    headers: dict[str, str]
    started: float = 0.0
    finished: float = 0.0


@contextmanager
def serve_recordings(root: Path, seen: list[SeenRequest] | None = None) -> Iterator[dict[str, str]]:
    """Serve ``root`` on an ephemeral 127.0.0.1 port while the block runs.

    Yields ``{slug: base_url}`` for every folder of ``root``; the server stops
    when the block ends. Requests are appended to ``seen`` if given.
    """
    root = Path(root).resolve()
    handler = type("RecordingHandler", (_RecordingHandler,), {"root": root, "seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="recordings", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield {d.name: f"{base}/{d.name}" for d in sorted(root.iterdir()) if d.is_dir()}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _RecordingHandler(BaseHTTPRequestHandler):
    root: Path
    seen: list[SeenRequest] | None
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, the second waits
    # for the client's delayed ACK (~40 ms a response on loopback).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        seen = SeenRequest(self.path, dict(self.headers.items()), time.monotonic())
        if self.seen is not None:
            self.seen.append(seen)
        try:
            self._get()
        finally:
            seen.finished = time.monotonic()

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        slug, _, rest = path.lstrip("/").partition("/")
        route = _find_route(self.root / slug, "/" + rest, dict(parse_qsl(url.query))) if rest else None
        if route is None:
            route = {"file": path.lstrip("/"), "base": self.root}
        self._answer(route)

    def _answer(self, route: dict[str, Any]) -> None:
        time.sleep(float(route.get("delay", 0)))
        body = _read_inside(Path(route["base"]), route["file"])
        if body is None:
            return self._send(404, b"not recorded\n", {"Content-Type": "text/plain"})
        headers = {"Content-Type": _content_type(route["file"]), **route.get("headers", {})}
        status = int(route.get("status", 200))
        if status == 200:
            headers["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            headers["Last-Modified"] = _last_modified(Path(route["base"]) / route["file"])
            if self._not_modified(headers):
                return self._send(304, b"", {k: headers[k] for k in ("ETag", "Last-Modified")})
        self._send(status, body, headers, route.get("truncate_at"))

    def _not_modified(self, headers: dict[str, str]) -> bool:
        if self.headers.get("If-None-Match"):
            return self.headers["If-None-Match"] == headers["ETag"]
        return self.headers.get("If-Modified-Since") == headers["Last-Modified"]

    def _send(
        self, status: int, body: bytes, headers: dict[str, str], truncate_at: int | None = None
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if truncate_at is not None:
            # Promise the whole body, deliver part of it, hang up: a truncated download.
            self.send_header("Connection", "close")
            self.close_connection = True
            body = body[:truncate_at]
        self.end_headers()
        self.wfile.write(body)


def _find_route(folder: Path, path: str, query: dict[str, str]) -> dict[str, Any] | None:
    routes_file = folder / "_routes.json"
    if not routes_file.is_file():
        return None
    for route in _routes(routes_file, routes_file.stat().st_mtime_ns):
        wanted = route.get("query", {})
        if route["path"] == path and all(query.get(k) == str(v) for k, v in wanted.items()):
            return {**route, "base": folder}
    return None


@lru_cache(maxsize=64)
def _routes(routes_file: Path, _mtime_ns: int) -> list[dict[str, Any]]:
    """The routes of a folder, read again whenever the file changes (tests change them)."""
    routes: list[dict[str, Any]] = json.loads(routes_file.read_text(encoding="utf-8"))
    return routes


def _read_inside(base: Path, relative: str) -> bytes | None:
    """The file's bytes, or None if absent or outside ``base`` (no ../ escapes)."""
    target = (base / relative).resolve()
    if not target.is_relative_to(base.resolve()) or not target.is_file():
        return None
    return target.read_bytes()


def _content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _last_modified(path: Path) -> str:
    return formatdate(int(path.stat().st_mtime), usegmt=True)

"""The web server's access log, without the secrets that travel in URLs.

Mail links carry a signed token in their path (``/u/TOKEN``, ``/p/TOKEN``,
valid 180 days) and a query may carry one too (``?token=…``): whoever reads
the log could use them. :class:`RedactTokens` rewrites uvicorn's access
log records before they are written; :func:`log_config` is uvicorn's
logging configuration with it on the access handler.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

_LINK_TOKEN = re.compile(r"^/(u|p)/[^/?#]+")
_QUERY_TOKEN = re.compile(r"([?&][^=&#]*(?:token|key|secret)[^=&#]*=)[^&#]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(path: str) -> str:
    """``path`` (with its query) with link tokens and token-like query values replaced."""
    return _QUERY_TOKEN.sub(rf"\1{REDACTED}", _LINK_TOKEN.sub(rf"/\1/{REDACTED}", path))


class RedactTokens(logging.Filter):
    """Redacts the path of an access log record: uvicorn's records carry
    ``(client, method, path, http_version, status)`` as their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            record.args = (*record.args[:2], redact(record.args[2]), *record.args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration, its access log redacted."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_tokens"] = {"()": RedactTokens}
    config["handlers"]["access"]["filters"] = ["redact_tokens"]
    return config

"""Redaction of ID, phone and bank-card numbers from every log line the service writes.

Callers type personal numbers into questions, and uvicorn's access log prints each request's
path with its query string (GET /api/targets?q=...), so the filter sits on the handlers, where
every record passes whichever logger emitted it.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote_plus

from assistant.redact import contains_pii, redact

_PLAIN = (int, float, bool, type(None))
_LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "policy")


def redact_value(value: str) -> str:
    out = redact(value)
    if "%" in value or "+" in value:
        # Query strings are percent-encoded: "%E6%89%8B%E6%9C%BA13812345678" or "138+1234+5678".
        decoded = unquote_plus(value)
        if decoded != value and contains_pii(decoded):
            out = redact(decoded)
    return out


def _redact_arg(arg: Any) -> Any:
    if isinstance(arg, str):
        return redact_value(arg)
    if isinstance(arg, _PLAIN):
        return arg  # %d / %f placeholders need the number itself
    return redact_value(str(arg))


class RedactFilter(logging.Filter):
    """Rewrites msg, args and the formatted traceback; keeps args' shape (uvicorn's access formatter unpacks them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pa_redacted", False):
            return True
        try:
            if isinstance(record.msg, str):
                record.msg = redact_value(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(_redact_arg(a) for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {k: _redact_arg(v) for k, v in record.args.items()}
            if record.exc_info and not record.exc_text:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        except Exception:  # a log line must never be lost because redaction tripped
            pass
        record._pa_redacted = True
        return True


def install_redaction() -> None:
    """Attach the filter to the handlers that exist now (uvicorn's, pytest's, a host app's); idempotent."""
    for name in _LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactFilter) for f in handler.filters):
                handler.addFilter(RedactFilter())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging config with the filter on each handler and our own loggers at INFO.

    Passed to uvicorn so that every worker process configures redaction before its first request.
    """
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": "api.logs.RedactFilter"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    config["loggers"]["policy"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config

"""Personal numbers never reach the logs, including uvicorn's access log lines."""
from __future__ import annotations

import logging

from api.logs import RedactFilter, uvicorn_log_config

ID = "360203199001011234"
PHONE = "13812345678"


def _format(record: logging.LogRecord) -> str:
    RedactFilter().filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_message_and_args_are_redacted():
    record = logging.LogRecord("policy.api", logging.INFO, __file__, 1, f"question from {PHONE}: %s %d",
                               (f"身份证{ID}", 5), None)
    line = _format(record)
    assert PHONE not in line and ID not in line and "[手机号]" in line and "[身份证号]" in line and line.endswith(" 5")


def test_access_log_query_strings_are_redacted_even_when_percent_encoded():
    args = ("127.0.0.1:5000", "GET", f"/api/targets?q=%E6%89%8B%E6%9C%BA{PHONE}&x=1", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    RedactFilter().filter(record)
    assert isinstance(record.args, tuple) and len(record.args) == 5 and record.args[4] == 200
    assert PHONE not in record.getMessage()
    spaced = ("127.0.0.1:5000", "GET", "/api/targets?q=138+1234+5678", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', spaced, None)
    RedactFilter().filter(record)
    assert "1234" not in record.getMessage()


def test_tracebacks_are_redacted():
    try:
        raise ValueError(f"bad id {ID}")
    except ValueError as e:
        info = (type(e), e, e.__traceback__)
        record = logging.LogRecord("policy.api", logging.ERROR, __file__, 1, "failed", None, info)
    line = _format(record)
    assert "ValueError" in line and ID not in line


def test_uvicorn_config_puts_the_filter_on_every_handler():
    config = uvicorn_log_config()
    assert all("redact" in h["filters"] for h in config["handlers"].values())

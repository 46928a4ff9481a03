"""Admin: upload documents into the corpus, rebuild the index, read unanswered questions.

Everything here requires X-API-Key (or Authorization: Bearer) equal to POLICY_ADMIN_KEY.
"""
from __future__ import annotations

import os
import re
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import AdminDep, EngineDep, JobsDep, OptionsDep, SettingsDep
from api.jobs import JobRunning
from api.safety import human_size
from api.schemas import JobOut, UnansweredItem, UnansweredResponse, UploadOut
from ingest.errors import IngestError
from ingest.load import SUPPORTED_SUFFIXES, ignored_name

router = APIRouter(prefix="/api/admin", tags=["管理"])

_UNSAFE = re.compile(r"[^\w\u3400-\u9fff（）()《》〔〕【】\[\]、，,.\- ]+")
_TYPES = "、".join(sorted(SUPPORTED_SUFFIXES))


def safe_filename(name: str) -> str:
    """A plain file name inside the corpus: no directories, no hidden files, no odd characters."""
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")  # control and format characters
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = _UNSAFE.sub("_", stem).strip(" ._-")[:120]
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()
    if not stem or not suffix:
        return ""
    return f"{stem}.{suffix}"


_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": f"政策文件（{_TYPES}）"}}}}}}}


@router.post("/documents", response_model=UploadOut, status_code=201, summary="上传政策文件到语料目录",
             openapi_extra=_UPLOAD_BODY,
             responses={409: {"description": "同名文件已存在（加 ?replace=true 覆盖）"}, 413: {"description": "文件过大"},
                        415: {"description": "不支持的文件类型"}})
async def upload_document(request: Request, _: AdminDep, settings: SettingsDep, options: OptionsDep,
                          replace: bool = Query(False, description="同名文件存在时是否覆盖")) -> UploadOut:
    """以 multipart/form-data 上传一个文件（字段名 file）。文件名会被清理；同名文件默认返回 409，
    加 ?replace=true 才覆盖。上传后调用 POST /api/admin/reingest 重建索引才会生效。"""
    # The form is parsed here, after the key check, so an unauthenticated caller cannot make us spool a big body.
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise HTTPException(415, "请以 multipart/form-data 上传，字段名 file / send multipart/form-data with a 'file' field")
    form = await request.form(max_files=1, max_fields=4)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "缺少文件字段 file / missing form field 'file'")
        name = safe_filename(upload.filename or "")
        if not name:
            raise HTTPException(400, "文件名无效 / invalid file name")
        suffix = Path(name).suffix
        if suffix not in SUPPORTED_SUFFIXES:
            raise HTTPException(415, f"不支持的文件类型 {suffix}，请上传 {_TYPES} / unsupported file type {suffix}")
        if ignored_name(name):
            # README*, manifest.csv, ~$ lock files: a re-ingest walks past them, so they would never be indexed.
            raise HTTPException(422, f"{name} 这类文件名在重建索引时会被跳过，请改名后上传 / files named like {name} are "
                                     "skipped by ingest (README, manifest, lock files); rename it and upload again")
        corpus = Path(settings.corpus_dir)
        check = _checker(request, settings)
        return await run_in_threadpool(_save, upload, name, corpus, options.max_upload_bytes, replace, check)
    finally:
        await form.close()


def _checker(request: Request, settings: Any) -> Any:
    """characters(path): the file parsed in the app's sandbox child, so a hostile file cannot hurt this process."""
    from index.pipeline import probe_file
    from ingest.limits import ExtractionLimits

    box = request.app.state.sandbox
    limits = ExtractionLimits.from_settings(settings)
    return lambda path: box.run(probe_file, path, limits)


def _save(upload: UploadFile, name: str, corpus: Path, limit: int, replace: bool, check: Any) -> UploadOut:
    corpus.mkdir(parents=True, exist_ok=True)
    final = corpus / name
    if final.exists() and not replace:
        raise HTTPException(409, f"同名文件已存在：{name}（如需覆盖请加 ?replace=true） / {name} already exists; "
                                 "use ?replace=true to overwrite")
    # A dot-name: ingest skips hidden files, so a half-written upload is never indexed.
    tmp = corpus / f".upload-{uuid.uuid4().hex[:8]}{final.suffix}"
    size = 0
    try:
        with open(tmp, "wb") as out:
            while chunk := upload.file.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"文件超过 {human_size(limit)} / file larger than {human_size(limit)}")
                out.write(chunk)
        if size == 0:
            raise HTTPException(400, "文件为空 / the file is empty")
        from index.sandbox import SandboxError

        try:
            characters = check(tmp)  # refuse now what the next re-ingest would skip
        except IngestError as e:
            raise HTTPException(400, f"文件无法读取：{e.reason} / cannot read {name}: {e.reason}") from None
        except SandboxError as e:
            raise HTTPException(422, f"文件无法处理：{e} / cannot process {name}: {e}") from None
        if replace:
            replaced = final.exists()
            os.replace(tmp, final)
        else:
            try:
                os.link(tmp, final)  # fails if the name appeared meanwhile: never a silent overwrite
            except FileExistsError:
                raise HTTPException(409, f"同名文件已存在：{name} / {name} already exists") from None
            replaced = False
    finally:
        tmp.unlink(missing_ok=True)
    return UploadOut(file=name, bytes=size, replaced=replaced, characters=characters,
                     next="POST /api/admin/reingest")


@router.post("/reingest", response_model=JobOut, status_code=202, summary="重建索引（后台任务）",
             responses={409: {"description": "已有重建任务在运行"}})
def reingest(_: AdminDep, jobs: JobsDep,
             force: bool = Query(False, description="文件未变化时也重建")) -> dict[str, Any]:
    """在后台用语料目录中的全部文件重建索引，立即返回任务ID。重建期间服务继续用旧索引回答，
    新索引发布后自动切换。同一时间只能有一个任务（多个进程之间也是如此），否则返回 409。"""
    try:
        return jobs.start(force=force)
    except JobRunning as e:
        raise HTTPException(409, f"已有重建任务在运行（{e.job or '未知'}） / a re-ingest is already running: {e.job}") from None


@router.get("/reingest/{job}", response_model=JobOut, summary="重建任务状态")
def reingest_status(job: str, _: AdminDep, jobs: JobsDep) -> dict[str, Any]:
    """running / done / failed，完成后附索引统计（文件数、段落数、跳过的文件等）。"""
    status = jobs.get(job)
    if status is None:
        raise HTTPException(404, f"没有这个任务 / no job {job[:40]!r}")
    return status


@router.get("/unanswered", response_model=UnansweredResponse, summary="未能回答的问题")
def unanswered(_: AdminDep, engine: EngineDep,
               limit: int = Query(100, ge=1, le=1000, description="最多返回条数")) -> UnansweredResponse:
    """助手在文件中找不到依据的问题（已脱敏），按次数从多到少，用于补充文件或完善问答。"""
    return UnansweredResponse(questions=[
        UnansweredItem(question=q, count=c, last_seen=time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(t)))
        for q, c, t in engine.sessions.unanswered(limit)])

"""Re-ingest jobs: rebuild the index from the corpus in a background thread.

One build at a time across all workers: an exclusive flock on a file in the index directory
(released by the kernel if the process dies). Job status lives in JSON files under data_dir so any
worker can report on a job another worker runs. The build publishes a new generation atomically;
until then every request keeps being answered from the old one.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.settings import Settings

log = logging.getLogger("policy.api")
_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
_KEEP_JOBS = 50


class JobRunning(Exception):
    def __init__(self, job: str) -> None:
        super().__init__(job)
        self.job = job


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class ReingestJobs:
    def __init__(self, settings: Settings, on_published: Callable[[], None]) -> None:
        self.settings = settings
        self.on_published = on_published
        self.dir = Path(settings.data_dir) / "jobs"
        self.lock_path = Path(settings.index_dir) / ".reingest.lock"

    def _write(self, status: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / f"{status['job']}.json"
        tmp = path.with_suffix(f".{uuid.uuid4().hex[:6]}.tmp")
        tmp.write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # readers in other workers never see half a file

    def _prune(self) -> None:
        # Called under the lock, so no job is mid-write; old status files are only history.
        old = sorted(self.dir.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-_KEEP_JOBS]
        for path in old:
            path.unlink(missing_ok=True)

    def get(self, job: str) -> dict[str, Any] | None:
        if not _JOB_ID.match(job):
            return None
        try:
            status = json.loads((self.dir / f"{job}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        if status.get("status") == "running" and not _alive(status.get("pid", 0)):
            status.update(status="failed", error="重建进程已退出 / the worker running this job exited")
        return status

    def start(self, force: bool = False) -> dict[str, Any]:
        Path(self.settings.index_dir).mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            running = os.pread(fd, 64, 0).decode("ascii", "ignore").strip()
            os.close(fd)
            raise JobRunning(running) from None
        job = uuid.uuid4().hex
        self._prune()
        os.ftruncate(fd, 0)
        os.pwrite(fd, job.encode("ascii"), 0)
        status = {"job": job, "status": "running", "started": _now(), "pid": os.getpid(), "force": force}
        try:
            self._write(status)
        except BaseException:
            os.close(fd)  # closing releases the lock
            raise
        threading.Thread(target=self._run, args=(fd, status), name=f"reingest-{job[:8]}", daemon=True).start()
        return status

    def _run(self, fd: int, status: dict[str, Any]) -> None:
        from index.pipeline import build_index

        try:
            report = build_index(None, self.settings.index_dir, self.settings, force=bool(status.get("force")))
            if not report.generation:
                status.update(status="failed", error="没有可以索引的文件，仍使用原索引 / nothing could be indexed; "
                                                      "the previous index keeps serving")
            else:
                status.update(status="done", generation=report.generation)
                self.on_published()
            status.update(summary=report.summary(), report={
                k: getattr(report, k) for k in ("documents", "sections", "chunks", "indicators", "figures", "skipped",
                                                "unchanged", "generation")} | {"seconds": round(report.seconds, 2)})
        except Exception as e:
            log.exception("re-ingest job %s failed", status["job"])
            status.update(status="failed", error=f"重建失败 / re-ingest failed: {type(e).__name__}: {str(e)[:300]}")
        finally:
            status["finished"] = _now()
            try:
                self._write(status)
            finally:
                os.close(fd)
        from api import metrics

        metrics.REINGEST.labels(status=status["status"]).inc()


def _alive(pid: int) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True

"""Re-ingest jobs: rebuild the index from the corpus in a child process, watched by a background thread.

The build never runs in the API process: a child process does it (and parses each file in its own
memory-limited grandchild, see index/sandbox.py), killed if it outlives POLICY_REINGEST_TIMEOUT,
so a hostile file can slow a rebuild but never grow or stop the service.

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


def _build_child(settings: Settings, force: bool, conn: Any, background: bool = False) -> None:
    """The child's side (module-level for spawn): build with isolated parsing, send back the report."""
    from index.pipeline import build_index

    if background:
        os.nice(10)  # the first start's vectors: answering requests comes first
    try:
        conn.send(("ok", build_index(None, settings.index_dir, settings, force=force, isolate=True)))
    except BaseException as e:  # noqa: BLE001 - the parent reports it; the child must answer
        conn.send(("error", f"{type(e).__name__}: {str(e)[:300]}"))


class ReingestJobs:
    def __init__(self, settings: Settings, on_published: Callable[[], None]) -> None:
        self.settings = settings
        self.on_published = on_published
        self.dir = Path(settings.data_dir) / "jobs"
        self.lock_path = Path(settings.index_dir) / ".reingest.lock"
        self._child: Any = None

    def _build(self, force: bool, background: bool = False) -> Any:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # this process runs threads: no fork
        parent, child = ctx.Pipe(duplex=False)
        # Not a daemon: it starts its own parser child, which daemons may not.
        proc = ctx.Process(target=_build_child, args=(self.settings, force, child, background),
                           name="policy-reingest")
        proc.start()
        child.close()
        self._child = proc
        try:
            if not parent.poll(self.settings.reingest_timeout):
                proc.kill()
                raise RuntimeError(f"re-ingest took longer than {self.settings.reingest_timeout:g} s and was stopped "
                                   "(POLICY_REINGEST_TIMEOUT); the previous index keeps serving")
            kind, value = parent.recv()
        except EOFError:
            raise RuntimeError(f"the re-ingest process died (exit code {proc.exitcode}); the previous index keeps "
                               "serving") from None
        finally:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
            parent.close()
            self._child = None
        if kind != "ok":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        """Stop a running build (at shutdown): the index is published atomically, so nothing is half-written."""
        proc = self._child
        if proc is not None and proc.is_alive():
            proc.kill()

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

    def start(self, force: bool = False, background: bool = False) -> dict[str, Any]:
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
        status = {"job": job, "status": "running", "started": _now(), "pid": os.getpid(), "force": force,
                  "background": background}
        try:
            self._write(status)
        except BaseException:
            os.close(fd)  # closing releases the lock
            raise
        threading.Thread(target=self._run, args=(fd, status), name=f"reingest-{job[:8]}", daemon=True).start()
        return status

    def _run(self, fd: int, status: dict[str, Any]) -> None:
        try:
            report = self._build(bool(status.get("force")), bool(status.get("background")))
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

"""Run file parsing in a child process with memory and time limits.

A hostile upload (a decompression bomb the archive checks miss, a PDF that inflates forever, a
parser bug that loops) must never take the API down. The child gets an address-space limit
(RLIMIT_AS): an allocation past it raises MemoryError there, not in the service. A call that
outlives its time limit kills the child. Either way the caller gets a SandboxError with the
reason, and the next call starts a fresh child. One child is reused across calls, so a rebuild
of hundreds of files pays the interpreter start-up once.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any

from ingest.errors import IngestError

log = logging.getLogger("policy.ingest")
# spawn, not fork: the API process runs threads (and maybe a Chroma client); forking those is unsafe.
_CTX = multiprocessing.get_context("spawn")


class SandboxError(Exception):
    """The child could not finish: memory or time limit, or it died."""


def _limit_memory(memory_bytes: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _worker(conn: Any, memory_bytes: int) -> None:
    # One BLAS thread: each thread reserves address space that would count against the limit.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    _limit_memory(memory_bytes)
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", fn(*args)))
        except IngestError as e:
            conn.send(("ingest", e.path, e.reason))
        except MemoryError:
            conn.send(("memory",))
            return  # a process that ran out of memory is not trusted with the next file
        except BaseException as e:  # noqa: BLE001 - the parent decides; the child must answer
            conn.send(("error", f"{type(e).__name__}: {str(e)[:300]}"))


class Sandbox:
    """``run(fn, *args)`` in the child; fn and args must be picklable (module-level functions)."""

    def __init__(self, memory_mb: int, seconds: float) -> None:
        self.memory_bytes = int(memory_mb) * 1024 * 1024
        self.seconds = seconds
        self._proc: Any = None
        self._conn: Any = None
        self._lock = threading.Lock()

    def _start(self) -> None:
        parent, child = _CTX.Pipe()
        self._proc = _CTX.Process(target=_worker, args=(child, self.memory_bytes), name="policy-parse", daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in the child; IngestError as raised there, SandboxError when the child failed."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._kill()
                self._start()
            try:
                self._conn.send((fn, args))
                if not self._conn.poll(self.seconds):
                    self._kill()
                    raise SandboxError(f"parsing took longer than {self.seconds:g} s and was stopped "
                                       "(POLICY_PARSE_TIMEOUT); check or simplify the file")
                reply = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                code = self._proc.exitcode if self._proc is not None else None
                self._kill()
                raise SandboxError(f"the parser process died (exit code {code}); the file may be corrupt or "
                                   "hostile") from None
        return self._answer(reply)

    def _answer(self, reply: tuple[Any, ...]) -> Any:
        kind = reply[0]
        if kind == "ok":
            return reply[1]
        if kind == "ingest":
            raise IngestError(reply[1], reply[2])
        if kind == "memory":
            with self._lock:
                self._kill()
            raise SandboxError(f"parsing needed more than {self.memory_bytes // 1024 // 1024} MB of memory and was "
                               "stopped (POLICY_PARSE_MEMORY_MB); the file may be a decompression bomb")
        raise SandboxError(f"the parser failed: {reply[1]}")

    def close(self) -> None:
        with self._lock:
            self._kill()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

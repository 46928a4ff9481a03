"""Run `python -m api` as a subprocess on a free loopback port, for end-to-end tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ApiServer:
    def __init__(self, root: Path, corpus: Path, env: dict[str, str], index_dir: Path | None = None,
                 workers: int = 1) -> None:
        self.root = root
        self.index_dir = index_dir or root / "index"
        self.data_dir = root / "data"
        self.corpus = corpus
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = root / f"server-{self.port}.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "POLICY_", "PROMETHEUS_"))}
        self.env.update({"POLICY_DATA_DIR": str(self.data_dir), "POLICY_INDEX_DIR": str(self.index_dir),
                         "POLICY_CORPUS_DIR": str(corpus), "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1",
                         "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **env})
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    def start(self, timeout: float = 90) -> "ApiServer":
        t0 = time.monotonic()
        self._log = open(self.log_path, "wb")
        # Own session: stop() signals exactly this server and the workers it spawned.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api", "--port", str(self.port), "--index-dir", str(self.index_dir),
             "--workers", str(self.workers)],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                if httpx.get(self.base + "/readyz", timeout=2).status_code == 200:
                    self.startup_seconds = time.monotonic() - t0
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._log.close()
        self.proc = None

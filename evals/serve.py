"""A local ``python -m api`` on a free loopback port, so an eval run can score the same index over HTTP."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """``with LocalServer(index_dir, region) as base_url:`` serves the index until the block ends.

    Rate limiting is off (an eval run is one client sending hundreds of questions); sessions go to a
    temporary data directory, so the run leaves nothing behind.
    """

    def __init__(self, index_dir: Path, region: str | None = None, timeout: float = 120.0) -> None:
        self.index_dir, self.region, self.timeout = Path(index_dir), region, timeout
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="evals-server-")
        self.proc: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "PROMETHEUS_"))}
        env.update({"POLICY_INDEX_DIR": str(self.index_dir), "POLICY_DATA_DIR": self._tmp.name,
                    "POLICY_RATE_LIMIT": "0", "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1",
                    "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO)})
        if self.region:
            env["POLICY_DEFAULT_REGION"] = self.region
        return env

    def __enter__(self) -> str:
        import httpx

        log = open(Path(self._tmp.name) / "server.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "api", "--port", str(self.port)], cwd=REPO,
                                     env=self._env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        t0 = time.monotonic()
        while time.monotonic() - t0 < self.timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the eval server exited with {self.proc.returncode}: {self._log_tail()}")
            try:
                if httpx.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return self.base_url
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the eval server was not ready after {self.timeout:.0f}s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return (Path(self._tmp.name) / "server.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # this server only: it was started in its own session
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._tmp.cleanup()

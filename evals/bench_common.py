"""Pieces shared by the search, service and load benchmarks: machine info, latency summaries, memory,
report files, the question workload and a ``python -m api`` server started and stopped on 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from evals.metrics import percentile

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = HERE / "reports"
DEFAULT_QUESTIONS = HERE / "questions" / "plan.jsonl"
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_MB = 1024 * 1024


# ------------------------------------------------------------------------------- numbers


def machine_meta(**extra: Any) -> dict[str, Any]:
    return {
        "timestamp": datetime.now().strftime("%Y%m%d-%H%M%S"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        # Other work on the machine skews every timing; the load average says how busy it was.
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        **extra,
    }


def machine_line(meta: dict[str, Any]) -> str:
    """The report's machine bullet."""
    load = f", load average {meta['load_avg_1m']}" if meta.get("load_avg_1m") is not None else ""
    wall = f"; wall time {meta['wall_s']}s" if "wall_s" in meta else ""
    return f"- **machine**: Python {meta['python']}, {meta['cpus']} CPUs{load}, {meta['platform']}{wall}"


def steal_ms() -> float | None:
    """CPU time the hypervisor has taken from this machine since boot (the steal column of /proc/stat), in ms;
    None where there is none. The difference over a timed pass says whether a slow pass was the neighbours."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
        return int(fields[8]) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, AttributeError):
        return None


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs)) if xs else 0.0


def latency_summary(ms: Sequence[float]) -> dict[str, float | int]:
    """n, mean, p50/p95/p99 and max of latencies in ms (percentiles interpolate like the eval report's)."""
    if not ms:
        return {"n": 0, "mean_ms": 0.0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    return {
        "n": len(ms),
        "mean_ms": round(statistics.fmean(ms), 3),
        "p50_ms": round(percentile(ms, 50) or 0.0, 3),
        "p95_ms": round(percentile(ms, 95) or 0.0, 3),
        "p99_ms": round(percentile(ms, 99) or 0.0, 3),
        "max_ms": round(max(ms), 3),
    }


def ratio(num: float | None, den: float | None, digits: int = 3) -> float | None:
    return round(num / den, digits) if num is not None and den else None


def rss_mb(pid: int | None = None) -> float:
    """Resident set size in MB (psutil when installed, else VmRSS from /proc)."""
    try:
        import psutil

        return round(psutil.Process(pid).memory_info().rss / _MB, 1)
    except ImportError:
        pass
    status = Path(f"/proc/{pid or 'self'}/status").read_text(encoding="utf-8")
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) * 1024 / _MB, 1)
    raise RuntimeError("cannot read the resident set size (no psutil, no /proc)")


def group_rss_mb(pgid: int) -> float:
    """Summed RSS (MB) of every process in process group ``pgid``: a server and the workers it forked."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                total += rss_mb(int(stat.parent.name))
        except Exception:  # noqa: BLE001 - the process ended while we looked (OSError, or psutil's NoSuchProcess)
            continue
    return round(total, 1)


def workload(path: Path = DEFAULT_QUESTIONS, n: int | None = None) -> list[str]:
    """Distinct question texts of a question file; ``n`` picks that many spread evenly over the file.

    Spread rather than the first ``n`` because the file is grouped by kind, and a prefix would be one kind only.
    """
    from evals.harness import load_questions

    texts = list(dict.fromkeys(q.question for q in load_questions(path)))
    if n is None or n >= len(texts):
        return texts
    if n < 1:
        raise ValueError("the workload needs at least one question")
    return [texts[i * len(texts) // n] for i in range(n)]


# ------------------------------------------------------------------------------- report files


def add_search_workload_args(ap: Any, repeat_help: str) -> None:
    """--index-dir, --questions, --k and --repeat: what a benchmark of ``engine.search`` over a workload reads."""
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3, help=repeat_help)


def engine_and_workload(args: Any) -> tuple[Any, list[str]]:
    """The engine on ``args.index_dir`` and the questions of ``args.questions`` (heavy imports here, not at start)."""
    from assistant.engine import Engine
    from core.settings import load_settings

    return Engine.open(settings=load_settings(index_dir=args.index_dir)), workload(args.questions)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend with a CJK font when available; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import font_manager
    except ImportError:
        return None
    try:
        font_manager.fontManager.addfont(str(CJK_FONT))
        plt.rcParams["font.family"] = [font_manager.FontProperties(fname=str(CJK_FONT)).get_name(), "sans-serif"]
    except Exception:  # noqa: BLE001 - labels render as boxes without the font, which is tolerable
        pass
    return plt


def save_figure(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(result: dict[str, Any], out_dir: Path, prefix: str, markdown: Callable[[dict[str, Any]], str],
                 chart: Callable[[dict[str, Any], Path], Path | None]) -> dict[str, Path]:
    """``<prefix>-<timestamp>.json``, ``.md`` and ``.png`` in ``out_dir``; stores their paths in ``result["files"]``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = result["meta"]["timestamp"]
    base = out_dir / f"{prefix}-{stamp}"
    n = 1
    while base.with_suffix(".json").exists():  # two runs in one second must not overwrite each other
        n += 1
        base = out_dir / f"{prefix}-{stamp}-{n}"
    files = {"json": base.with_suffix(".json"), "md": base.with_suffix(".md")}
    png = chart(result, base.with_suffix(".png"))
    if png is not None:
        files["png"] = png
    result["files"] = {k: str(v) for k, v in files.items()}
    text = markdown(result)
    if png is not None:
        text += f"\n\n![{prefix}]({png.name})\n"
    files["md"].write_text(text, encoding="utf-8")
    files["json"].write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return files


# ------------------------------------------------------------------------------- the service


def require_loopback(base_url: str) -> str:
    """``base_url`` without a trailing slash; ValueError unless its host is a loopback address."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{base_url!r} is not an http(s) URL")
    host = parts.hostname
    if host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise ValueError
        except ValueError:
            raise ValueError(f"refusing to send load to {host!r}: only loopback addresses (127.0.0.1, ::1, "
                             "localhost) may be benchmarked") from None
    return base_url.rstrip("/")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_corpus_index(index_dir: Path, data_dir: Path) -> float:
    """Build the bundled corpus into ``index_dir`` in this process; seconds taken."""
    from core.settings import load_settings
    from index.pipeline import build_index

    settings = load_settings(index_dir=index_dir, data_dir=data_dir)
    t0 = time.perf_counter()
    report = build_index(None, index_dir, settings)
    if not report.documents:
        raise RuntimeError(f"the corpus {settings.corpus_dir} produced no documents: {report.skipped[:3]}")
    return time.perf_counter() - t0


def _answers_200(http: Any, path: str) -> bool:
    import httpx

    try:
        return bool(http.get(path).status_code == 200)
    except httpx.HTTPError:  # not listening yet
        return False


class ServerError(RuntimeError):
    """The service did not come up; the message ends with the tail of its log."""


class ApiServer:
    """``python -m api`` on a free 127.0.0.1 port, with sessions in ``data_dir`` and rate limiting off.

    It runs in its own process group so that stopping it also stops the uvicorn workers it forked.
    """

    def __init__(self, index_dir: Path, data_dir: Path, log_path: Path, workers: int = 1) -> None:
        self.index_dir, self.data_dir, self.log_path, self.workers = index_dir, data_dir, log_path, workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start(self) -> None:
        env = dict(os.environ, POLICY_RATE_LIMIT="0", POLICY_DATA_DIR=str(self.data_dir), PYTHONUNBUFFERED="1",
                   HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
        cmd = [sys.executable, "-m", "api", "--host", "127.0.0.1", "--port", str(self.port),
               "--index-dir", str(self.index_dir), "--workers", str(self.workers)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:  # the child keeps its own descriptor
            self.started = time.perf_counter()
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_ready(self, timeout: float = 300.0, poll: float = 0.02) -> dict[str, float]:
        """Seconds from spawn until ``/healthz`` and then ``/readyz`` answered 200."""
        import httpx

        assert self.proc is not None, "start() first"
        marks: dict[str, float] = {}
        deadline = self.started + timeout
        with httpx.Client(base_url=self.base_url, timeout=2.0, trust_env=False) as http:
            while True:
                if self.proc.poll() is not None:
                    raise ServerError(f"the service exited with {self.proc.returncode}:\n{self.log_tail()}")
                if time.perf_counter() > deadline:
                    raise ServerError(f"the service was not ready after {timeout:.0f}s:\n{self.log_tail()}")
                for path in ("healthz", "readyz"):
                    if path not in marks and _answers_200(http, f"/{path}"):
                        marks[path] = time.perf_counter() - self.started
                if "readyz" in marks:
                    marks.setdefault("healthz", marks["readyz"])
                    return marks
                time.sleep(poll)

    def stop(self, timeout: float = 15.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # our own session: the server and its workers only
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def __enter__(self) -> "ApiServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""The benchmarks' web server: gunicorn on a free 127.0.0.1 port, and its workers' CPU time.

`web_submit.py`, `export_stream.py` and `scale_out.py` serve `wsgi:app` and
the minimal reference app through the same launcher, so both sides of a
ratio run under identical gunicorn settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _web_client import plain_get  # noqa: E402

from tests.reliability.server import free_port, stop  # noqa: E402


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU seconds of a gunicorn master's worker processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == master_pid:  # fields[1] is the parent pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


@contextmanager
def gunicorn(app_spec: str, *, workers: int, worker_class: str, env: dict[str, str],
             chdir: Path, log_path: Path | None = None, threads: int = 1):
    """Serve `app_spec` on a free 127.0.0.1 port; yield (host, port, process)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
               "--worker-class", worker_class, "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}",
               "--backlog", "2048", "--timeout", "120", "--graceful-timeout", "5",
               "--chdir", str(chdir), app_spec]
    log = open(log_path or os.devnull, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=chdir, env={**os.environ, **env}, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited during start-up")
            try:
                status = plain_get("127.0.0.1", port, "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app_spec} did not become ready")
            time.sleep(0.2)
        yield "127.0.0.1", port, process
    finally:
        stop(process, timeout=15)
        log.close()

"""Run the real app under gunicorn on a free 127.0.0.1 port, and a tiny HTTP client."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'
                   r'|id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    """A free 127.0.0.1 port: TEST_SERVER_PORT, else the first free one of TEST_PORTS, else any."""
    if os.environ.get("TEST_SERVER_PORT", "").isdigit():
        return int(os.environ["TEST_SERVER_PORT"])
    wanted = os.environ.get("TEST_PORTS", "")
    if wanted:
        low, _, high = wanted.partition("-")
        for port in range(int(low), int(high or low) + 1):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in TEST_PORTS={wanted}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, secret_key: str, *, workers: int = 4,
             config_file: Path | None = None, extra_env: dict | None = None,
             log_path: Path | None = None,
             port: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve wsgi:app (on `port`, else a free one); yield (base URL, process); stop it after."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key,
           "BASE_URL": base, "RATELIMIT_STORAGE_URI": "memory://", **(extra_env or {})}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
               f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5"]
    if config_file is not None:
        command += ["--config", str(config_file)]
    if log_path is None:
        log_path = Path(tempfile.mkdtemp(prefix="elicit-gunicorn-")) / "gunicorn.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([*command, "wsgi:app"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        wait_ready(base, process, log_path)
        yield base, process
    finally:
        stop(process, timeout=15)
        log.close()


def stop(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (a graceful stop), then SIGKILL when it takes longer than `timeout` seconds."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def ready_timeout() -> float:
    """Seconds to wait for a server to answer: generous, a loaded CI machine boots slowly."""
    return float(os.environ.get("SERVER_READY_TIMEOUT", "180"))


def wait_ready(base: str, process: subprocess.Popen, log_path: Path,
               timeout: float | None = None) -> None:
    """Poll /healthz until it answers 200; fail with the server's log if it exits or never does."""
    deadline = time.monotonic() + (ready_timeout() if timeout is None else timeout)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up:\n" + log_tail(log_path))
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as reply:  # noqa: S310
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {base}/healthz in time:\n" + log_tail(log_path))


def log_tail(log_path: Path, lines: int = 40) -> str:
    """The last lines of a server log, for a failure message."""
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


class Browser:
    """A cookie-keeping client that fills in the CSRF token like a browser would."""

    def __init__(self, base: str, timeout: float = 60) -> None:
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def request(self, path: str, data: dict | None = None,
                headers: dict | None = None) -> tuple[int, str]:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrf_token": self.csrf, **data}).encode()
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=self.timeout) as reply:
                status, text = reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        match = _CSRF.search(text)
        if match:
            self.csrf = match.group(1) or match.group(2)
        return status, text

"""Export: the streaming raw-judgments CSV of 1,000,000 rows against DataFrame.to_csv.

A study of 5,000 experts x 100 options x 2 criteria (1,000,000 judgment rows;
``--quick``: 200 x 50 x 2 = 20,000) is inserted in bulk (COPY on PostgreSQL,
the default; ``--db sqlite`` works too).  gunicorn serves ``wsgi:app`` with one
sync worker; a signed-in owner downloads
``/studies/<id>/downloads/judgments?format=csv`` over HTTP, reading the body in
64 KiB pieces.  Throughput = data rows / time to the last byte.  While it
streams, the worker's resident memory (VmRSS in /proc) is sampled every
20 ms; growth = highest sample minus the resident size just before (after a
warm-up export of a tiny study, so imports are not counted).

Reference: the same rows as a pandas DataFrame (the tidy frame the results
service builds, built untimed), written with ``DataFrame.to_csv`` to a file.

    python benchmarks/export_stream.py [--quick] [--db postgresql|sqlite] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from _harness import emit, record  # noqa: E402
from _web_server import gunicorn  # noqa: E402
from results_page import (  # noqa: E402
    OWNER_EMAIL,
    OWNER_PASSWORD,
    bulk_study,
    database,
    make_app,
    postgres_available,
)

from tests.reliability.server import Browser  # noqa: E402

GOAL_GROWTH_MB = 100.0
GOAL_RATIO = 0.5


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _rss(pid: int) -> int:
    """Resident set size of a process in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def download(browser: Browser, path: str, worker: int) -> dict[str, Any]:
    """Stream `path`; rows, bytes, seconds and the worker's peak RSS while it ran."""
    peak = [_rss(worker)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss(worker))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = size = 0
    start = time.perf_counter()
    try:
        with browser.opener.open(urllib.request.Request(browser.base + path),
                                 timeout=600) as reply:
            if reply.status != 200:
                raise RuntimeError(f"{path}: HTTP {reply.status}")
            while chunk := reply.read(65536):
                size += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - start
    finally:
        done.set()
        sampler.join()
    peak[0] = max(peak[0], _rss(worker))
    return {"rows": lines - 1, "bytes": size, "seconds": seconds, "peak": peak[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows instead of 1,000,000")
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--out", default=None, help="write the JSON records here")
    args = parser.parse_args()
    n_experts, n_options, n_criteria = (200, 50, 2) if args.quick else (5_000, 100, 2)
    kind = args.db
    if kind == "postgresql" and not postgres_available():
        print("PostgreSQL not reachable: exporting from SQLite instead", file=sys.stderr)
        kind = "sqlite"
    secret = secrets.token_hex(32)
    with database(kind) as url:
        app = make_app(url, secret)
        with app.app_context():
            tiny = bulk_study(5, 3, 2)
            start = time.perf_counter()
            big = bulk_study(n_experts, n_options, n_criteria)
            print(f"[{kind}] inserted {big['rows']:,} judgments in "
                  f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
            from elicit.extensions import db
            from elicit.models import Round
            from elicit.services import results

            frame = results.judgments_frame(db.session.get(Round, big["round"]))
            db.session.remove()
            db.engine.dispose()
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "frame.csv"
            start = time.perf_counter()
            frame.to_csv(target, index=False)
            to_csv_seconds = time.perf_counter() - start
            to_csv_bytes = target.stat().st_size
        n_frame = len(frame)
        del frame

        env = {"DATABASE_URL": url, "SECRET_KEY": secret, "RATELIMIT_STORAGE_URI": "memory://"}
        logdir = Path(os.environ.get("BENCH_LOGDIR", HERE / ".logs"))
        logdir.mkdir(exist_ok=True)
        with gunicorn("wsgi:app", workers=1, worker_class="sync", env=env, chdir=ROOT,
                      log_path=logdir / f"export-{kind}.log") as (host, port, process):
            browser = Browser(f"http://{host}:{port}")
            browser.request("/login")
            status, _ = browser.request("/login", {"email": OWNER_EMAIL,
                                                   "password": OWNER_PASSWORD})
            if status != 200:
                raise RuntimeError(f"login failed: HTTP {status}")
            (worker,) = _children(process.pid)
            download(browser, f"/studies/{tiny['study']}/downloads/judgments?format=csv",
                     worker)
            baseline = _rss(worker)
            got = download(browser, f"/studies/{big['study']}/downloads/judgments?format=csv",
                           worker)

    if got["rows"] != n_frame:
        print(f"row count differs: export {got['rows']}, frame {n_frame}", file=sys.stderr)
    growth = (got["peak"] - baseline) / 2**20
    rate = got["rows"] / got["seconds"]
    reference = n_frame / to_csv_seconds
    print(f"[{kind}] streamed {got['rows']:,} rows ({got['bytes'] / 2**20:.0f} MiB) in "
          f"{got['seconds']:.1f} s = {rate:,.0f} rows/s; worker RSS {baseline / 2**20:.0f} MiB "
          f"before, peak {got['peak'] / 2**20:.0f} MiB (+{growth:.1f} MiB)", file=sys.stderr)
    print(f"[{kind}] DataFrame.to_csv: {n_frame:,} rows ({to_csv_bytes / 2**20:.0f} MiB) in "
          f"{to_csv_seconds:.1f} s = {reference:,.0f} rows/s", file=sys.stderr)
    label = f"{got['rows']:,} rows, {kind}"
    emit([
        record(f"streaming CSV export throughput, {label}", rate, "rows/s",
               f">= {GOAL_RATIO:g}x DataFrame.to_csv", rate >= GOAL_RATIO * reference,
               reference=reference, ratio=rate / reference),
        record(f"streaming CSV export, server memory growth (worker RSS "
               f"{baseline / 2**20:.0f} MiB before), {label}", growth, "MiB",
               f"< {GOAL_GROWTH_MB:g} MB", growth * 2**20 < GOAL_GROWTH_MB * 1e6),
        record(f"streaming CSV export, rows exported = rows in the database, {kind}",
               got["rows"], "rows", "equal", got["rows"] == n_frame, reference=n_frame),
    ], args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

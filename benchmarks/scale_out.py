"""Scale-out sizing: expert submissions per second with 1 or 2 gunicorn instances.

Measures the figures of the sizing table in docs/operations/deploy.md. One PostgreSQL
database and one Redis (rate limits and results cache shared, as in the
reference deployment) behind each configuration:

- 1 instance × W workers,
- 2 instances × W/2 workers each (the same process count, split),
- 2 instances × W workers each,

(or those of ``--configs 1x2,2x1,...``), taking turns: repeat r of every
configuration runs before repeat r+1 of any, so a change in the machine's
background load falls on all of them alike.

Each simulated expert (the browser-like flow of web_submit.py: open the
link, consent, answer every question of the demo-like study, submit) talks to
one instance, alternating between instances as a round-robin balancer would.
All N experts start at once (a closed loop, no think time); the script
reports requests and completed submissions per second and p50/p99 request
latency, then checks that every submission is stored exactly once.

    python benchmarks/scale_out.py [--experts N] [--workers W] [--configs 1x4,2x2]
                                   [--repeats R] [--redis redis://127.0.0.1:6379/15]
                                   [--out PATH]

It reuses web_submit.py's gunicorn launcher, expert flow and check without
changing them; only the spreading over several ports is new.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from _harness import emit, record  # noqa: E402
from _web_server import gunicorn  # noqa: E402
from results_page import database, make_app  # noqa: E402
from web_submit import demo_like_study, expert_session, load, verify  # noqa: E402


def _study(url: str, secret: str, n_experts: int) -> dict[str, Any]:
    app = make_app(url, secret)
    with app.app_context():
        ids = demo_like_study(n_experts)
        from elicit.extensions import db

        db.session.remove()
        db.engine.dispose()
    return ids


def run_config(url: str, secret: str, redis_url: str, *, instances: int, workers: int,
               n_experts: int, logdir: Path, run: int = 0) -> dict[str, Any]:
    """Start `instances` × `workers`, warm them up, then N concurrent expert flows."""
    warm = 2 * workers * instances
    ids = _study(url, secret, n_experts + warm)
    env = {"DATABASE_URL": url, "SECRET_KEY": secret, "BASE_URL": "http://127.0.0.1",
           "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": "",
           "RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}"}
    with ExitStack() as stack:
        ports = [stack.enter_context(gunicorn(
            "wsgi:app", workers=workers, worker_class="sync", env=env, chdir=ROOT,
            log_path=logdir / f"scale-{instances}x{workers}-run{run}-{n}.log"))
            for n in range(instances)]
        hosts = [(host, port) for host, port, _ in ports]

        def flow(n: int):
            host, port = hosts[n % len(hosts)]
            return lambda log: expert_session(host, port, ids["tokens"][n], n, log)

        load([flow(n) for n in range(n_experts, n_experts + warm)])
        result = load([flow(n) for n in range(n_experts)])
    finished = [n for n, o in enumerate(result["outcomes"]) if o and o[0]]
    problems = verify(url, secret, ids, finished + list(range(n_experts, n_experts + warm)))
    result.update(flows=len(finished), problems=problems,
                  flows_per_s=len(finished) / result["wall"])
    return result


def _configs(text: str | None, workers: int) -> list[tuple[int, int]]:
    """`--configs 1x4,2x2` as (instances, workers) pairs; the default trio otherwise."""
    if not text:
        return [(1, workers), (2, max(1, workers // 2)), (2, workers)]
    pairs = []
    for part in text.split(","):
        instances, _, each = part.strip().partition("x")
        pairs.append((int(instances), int(each)))
    return pairs


def _records(tag: str, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bad = sum(r["errors"] + len(r["failed"]) + len(r["problems"]) for r in runs)
    return [
        record(f"submit throughput (median of {len(runs)}), {tag}",
               statistics.median(r["rps"] for r in runs), "req/s", "context", True),
        record(f"submissions per second (median of {len(runs)}), {tag}",
               statistics.median(r["flows_per_s"] for r in runs), "experts/s", "context", True),
        record(f"submit p50 latency (median of {len(runs)}), {tag}",
               statistics.median(r["p50"] for r in runs), "ms", "context", True),
        record(f"submit p99 latency (median of {len(runs)}), {tag}",
               statistics.median(r["p99"] for r in runs), "ms", "context", True),
        record(f"errors and lost or doubled submissions, {tag}", bad, "count", "0", bad == 0),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--configs", default=None, help="e.g. 1x2,2x1,1x4,2x2")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL",
                                                          "redis://127.0.0.1:6379/15"))
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    logdir = Path(os.environ.get("BENCH_LOGDIR", "/tmp"))
    configs = _configs(args.configs, args.workers)
    runs: dict[tuple[int, int], list[dict[str, Any]]] = {c: [] for c in configs}
    for run in range(args.repeats):
        for instances, workers in configs:
            secret = secrets.token_hex(32)
            with database("postgresql") as url:
                r = run_config(url, secret, args.redis, instances=instances, workers=workers,
                               n_experts=args.experts, logdir=logdir, run=run)
            runs[(instances, workers)].append(r)
            print(f"[{instances} instance(s) x {workers} workers, run {run}] {r['requests']} "
                  f"requests in {r['wall']:.1f} s = {r['rps']:.1f} req/s, "
                  f"{r['flows_per_s']:.2f} submissions/s; p50 {r['p50']:.0f} ms, p99 "
                  f"{r['p99']:.0f} ms; errors {r['errors']}; problems {len(r['problems'])}",
                  file=sys.stderr, flush=True)
            for failure in r["failed"][:3]:
                print(f"   e.g. {failure[2] if failure else 'did not return'}", file=sys.stderr)
    records = []
    for (instances, workers), found in runs.items():
        records += _records(f"{instances} instance(s) x {workers} workers, "
                            f"{args.experts} concurrent experts", found)
    emit(records, args.out)
    return 0 if all(r["met"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())

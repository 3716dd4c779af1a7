"""Web, expert submit: gunicorn serving wsgi:app against a minimal Flask app, same settings.

A study like the demo (the demo's 10 options, 3 criteria and 3 calibration
questions) gets N experts (200; ``--quick``: 20).  Each simulated expert is a
thread with its own cookies that follows the pages as a browser would: it
opens its personal link, follows the redirects, and on every page fills in
the answer form it finds (the form holding a "submit" or "review" button; the
language switch is ignored), ticks consent, answers every question, and
presses submit (or review, then submit), until it lands on /respond/done.
Nothing about the flow is hard-coded but the link and the field suffixes.

Saturation: all N experts start at once with no think time (a closed loop of
N concurrent clients).  The reference replays each expert's exact request
sequence (methods and bodies) against benchmarks/minimal_app.py under the
same gunicorn command.  Throughput ratio = elicit req/s / minimal req/s.
By Little's law a closed loop of N clients has mean latency N / throughput,
so the p99 figure at saturation is bounded by throughput, not by the code
path alone; a second, open-loop phase sends fresh experts arriving at half
the measured throughput and reports the latency a not-overloaded server gives.

The machine is shared (the client threads run on the same cores, and so may
other work), so the CPU time the gunicorn workers spend per request is also
recorded, for both apps (from /proc): minimal CPU/request ÷ elicit
CPU/request is the throughput ratio a server given the cores to itself would
reach, whatever else ran meanwhile.

Afterwards every expert's response is checked in the database: exactly one
response, submitted, version 1, one revision, one judgment per option and
criterion, and the likelihood best guesses equal to what was sent.

    python benchmarks/web_submit.py [--quick] [--db sqlite|postgresql|both]
                                    [--experts N] [--workers W] [--out PATH]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from _harness import emit, record  # noqa: E402
from _web_client import Client  # noqa: E402
from _web_forms import best_guess, fill, pick_form  # noqa: E402
from _web_server import gunicorn, workers_cpu_seconds  # noqa: E402
from results_page import database, make_app, postgres_available  # noqa: E402

GOAL_RATIO = 0.3
GOAL_P99_MS = 250.0
MAX_STEPS = 12
OPEN_LOOP_SECONDS = 20.0

def expert_session(host: str, port: int, token: str, expert: int, log: list,
                   think: float = 0.0) -> tuple[bool, list[tuple[str, bytes | None]], str]:
    """One expert from the personal link to the confirmation page; (done, requests, why)."""
    client = Client(host, port, log)
    rng = random.Random(expert)
    try:
        status, path, text = client.follow("GET", f"/r/{token}")
        for _ in range(MAX_STEPS):
            if status != 200:
                return False, client.sent, f"HTTP {status} at {path}"
            if path.rstrip("/").endswith("/respond/done"):
                return True, client.sent, ""
            chosen = pick_form(text)
            if chosen is None:
                return False, client.sent, f"no form to submit at {path}"
            form, (button, value) = chosen
            if think:
                time.sleep(rng.uniform(0.5, 1.5) * think)
            data = fill(form, expert) + ([(button, value)] if button else [])
            status, path, text = client.follow("POST", form["action"] or path,
                                               urllib.parse.urlencode(data).encode())
        return False, client.sent, "too many steps"
    except (OSError, http.client.HTTPException) as exc:
        return False, client.sent, f"{type(exc).__name__}: {exc}"


def replay(host: str, port: int, sent: list[tuple[str, bytes | None]], log: list,
           think: float = 0.0) -> tuple[bool, list, str]:
    """The reference: the same methods and bodies against the minimal app."""
    client = Client(host, port, log)
    try:
        for method, body in sent:
            status, _, _ = client.request(method, "/", body)
            if status != 200:
                return False, [], f"HTTP {status}"
        return True, [], ""
    except (OSError, http.client.HTTPException) as exc:
        return False, [], f"{type(exc).__name__}: {exc}"


def load(jobs: list, *, stagger: float = 0.0) -> dict[str, Any]:
    """Run the jobs (callables taking a log) in one thread each, all at once or staggered."""
    logs: list[list] = [[] for _ in jobs]
    outcomes: list[Any] = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs) + 1)

    def worker(n: int) -> None:
        barrier.wait()
        if stagger:
            time.sleep(n * stagger)
        outcomes[n] = jobs[n](logs[n])

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join(timeout=900)
    wall = time.perf_counter() - start
    entries = [e for log in logs for e in log]
    latencies = np.array([e[0] for e in entries]) * 1e3
    errors = sum(1 for e in entries if not 200 <= e[1] < 400)
    failed = [o for o in outcomes if o is None or not o[0]]
    return {"requests": len(entries), "wall": wall, "rps": len(entries) / wall,
            "p50": float(np.percentile(latencies, 50)) if entries else float("nan"),
            "p95": float(np.percentile(latencies, 95)) if entries else float("nan"),
            "p99": float(np.percentile(latencies, 99)) if entries else float("nan"),
            "errors": errors, "failed": failed, "outcomes": outcomes}


# --- the study and the check ---------------------------------------------------------------


def demo_like_study(n_experts: int) -> dict[str, Any]:
    """The demo's options, criteria and calibration questions, N experts, round 1 open."""
    from elicit.demo import loader
    from elicit.extensions import db
    from elicit.models import Criterion, Option, SeedQuestion, Study
    from elicit.services.common import tokens
    from elicit.services.panel import experts as panel
    from elicit.services.rounds import lifecycle

    content = loader.demo_content()
    study = Study(title=content["title"], briefing=content["briefing"], languages=["en"],
                  anchoring=content["anchoring"], consensus_rule=content["consensus_rule"])
    db.session.add(study)
    for position, item in enumerate(content["options"], start=1):
        study.options.append(Option(position=position, **item))
    for position, item in enumerate(content["criteria"], start=1):
        study.criteria.append(Criterion(position=position, **item))
    for position, item in enumerate(content["seed_questions"], start=1):
        study.seed_questions.append(SeedQuestion(position=position, **item))
    db.session.flush()
    for e in range(n_experts):
        panel.add_expert(study, name=f"Expert {e}", email=f"expert{e}@example.org",
                         group="AB"[e % 2], record=False)
    db.session.commit()
    round_ = lifecycle.launch_next_round(study)
    experts = sorted(study.experts, key=lambda x: x.id)
    return {"study": study.id, "round": round_.id,
            "options": [o.id for o in study.options],
            "criteria": [c.id for c in study.criteria],
            "four_step": [c.id for c in study.criteria if c.four_step],
            "experts": [x.id for x in experts],
            "tokens": [tokens.token_for(x.invitations[0].token_nonce) for x in experts]}


def verify(url: str, secret: str, ids: dict[str, Any], finished: list[int]) -> list[str]:
    """Problems found in the database after the run (empty: all present exactly once)."""
    from sqlalchemy import func, select

    from elicit.extensions import db
    from elicit.models import Judgment, Response, ResponseRevision

    problems: list[str] = []
    app = make_app(url, secret)
    with app.app_context():
        per_expert = dict(db.session.execute(
            select(Response.expert_id, func.count()).where(Response.round_id == ids["round"])
            .group_by(Response.expert_id)).all())
        responses = {r.expert_id: r for r in db.session.scalars(
            select(Response).where(Response.round_id == ids["round"]))}
        revisions = dict(db.session.execute(
            select(ResponseRevision.response_id, func.count()).group_by(
                ResponseRevision.response_id)).all())
        judgments = dict(db.session.execute(
            select(Judgment.response_id, func.count()).group_by(Judgment.response_id)).all())
        bests = {(r, o, c): b for r, o, c, b in db.session.execute(
            select(Judgment.response_id, Judgment.option_id, Judgment.criterion_id,
                   Judgment.best).where(Judgment.best.is_not(None))).all()}
        n_cells = len(ids["options"]) * len(ids["criteria"])
        for index in finished:
            expert_id = ids["experts"][index]
            if per_expert.get(expert_id) != 1:
                problems.append(f"expert {expert_id}: {per_expert.get(expert_id, 0)} responses")
                continue
            response = responses[expert_id]
            if response.status != "submitted" or response.version != 1:
                problems.append(f"expert {expert_id}: {response.status} v{response.version}")
            if revisions.get(response.id) != 1:
                problems.append(f"expert {expert_id}: {revisions.get(response.id)} revisions")
            if judgments.get(response.id) != n_cells:
                problems.append(f"expert {expert_id}: {judgments.get(response.id)} judgments")
            for option in ids["options"]:
                for criterion in ids["four_step"]:
                    sent = best_guess(f"o{option}_c{criterion}", index) / 100
                    got = bests.get((response.id, option, criterion))
                    if got is None or abs(got - sent) > 1e-9:
                        problems.append(f"expert {expert_id}: best {got} != sent {sent}")
        extra = set(per_expert) - {ids["experts"][i] for i in finished}
        if extra:
            problems.append(f"{len(extra)} responses from experts whose flow did not finish")
        db.session.remove()
        db.engine.dispose()
    return problems


# --- one database ---------------------------------------------------------------------------


def run(kind: str, n_experts: int, workers: int, worker_class: str, logdir: Path,
        open_seconds: float = OPEN_LOOP_SECONDS, threads: int = 1) -> list[dict[str, Any]]:
    """Saturation vs the minimal app, then an open-loop phase, then the database check."""
    secret = secrets.token_hex(32)
    with database(kind) as url:
        app = make_app(url, secret)
        warm = 2 * workers
        with app.app_context():
            ids = demo_like_study(2 * n_experts + warm)
            from elicit.extensions import db

            db.session.remove()
            db.engine.dispose()
        env = {"DATABASE_URL": url, "SECRET_KEY": secret, "RATELIMIT_STORAGE_URI": "memory://",
               "BASE_URL": "http://127.0.0.1"}
        settings = {"workers": workers, "worker_class": worker_class, "threads": threads}
        with gunicorn("wsgi:app", env=env, chdir=ROOT, log_path=logdir / f"elicit-{kind}.log",
                      **settings) as (host, port, server):
            # warm-up: every worker imports and renders once before the clock runs
            load([(lambda log, n=n: expert_session(host, port, ids["tokens"][n], n, log))
                  for n in range(2 * n_experts, 2 * n_experts + warm)])
            cpu = workers_cpu_seconds(server.pid)
            saturated = load([
                (lambda log, n=n: expert_session(host, port, ids["tokens"][n], n, log))
                for n in range(n_experts)])
            saturated["cpu_ms"] = (workers_cpu_seconds(server.pid) - cpu) * 1e3 \
                / max(1, saturated["requests"])
            # open loop: fresh experts arriving at half the measured request rate, for
            # about `open_seconds` (at most N experts)
            per_expert = saturated["requests"] / max(1, n_experts)
            interval = per_expert / (0.5 * saturated["rps"])
            n_open = max(5, min(n_experts, int(open_seconds / interval)))
            open_loop = load([
                (lambda log, n=n: expert_session(host, port, ids["tokens"][n], n, log))
                for n in range(n_experts, n_experts + n_open)], stagger=interval)
        sequences = [o[1] for o in saturated["outcomes"] if o is not None]
        with gunicorn("minimal_app:app", env={}, chdir=HERE,
                      log_path=logdir / f"minimal-{kind}.log", **settings) as (host, port, server):
            cpu = workers_cpu_seconds(server.pid)
            reference = load([(lambda log, s=s: replay(host, port, s, log)) for s in sequences])
            reference["cpu_ms"] = (workers_cpu_seconds(server.pid) - cpu) * 1e3 \
                / max(1, reference["requests"])
        finished = [n for n, o in enumerate(saturated["outcomes"]) if o and o[0]]
        finished += [n_experts + n for n, o in enumerate(open_loop["outcomes"]) if o and o[0]]
        warmed = list(range(2 * n_experts, 2 * n_experts + warm))
        problems = verify(url, secret, ids, finished + warmed)

    for label, result in (("elicit", saturated), ("minimal", reference),
                          ("elicit open loop", open_loop)):
        cpu_note = f"; server CPU {result['cpu_ms']:.2f} ms/request" if "cpu_ms" in result \
            else ""
        print(f"[{kind}] {label}: {result['requests']} requests in {result['wall']:.1f} s = "
              f"{result['rps']:.0f} req/s{cpu_note}; p50 {result['p50']:.0f} ms, p95 "
              f"{result['p95']:.0f} ms, p99 {result['p99']:.0f} ms; errors {result['errors']}; "
              f"unfinished flows {len(result['failed'])}", file=sys.stderr)
        for failure in result["failed"][:3]:
            print(f"   e.g. {failure[2] if failure else 'did not return'}", file=sys.stderr)
    for problem in problems[:10]:
        print(f"[{kind}] check: {problem}", file=sys.stderr)
    threaded = f" x {threads} threads" if threads > 1 else ""
    tag = f"{n_experts} concurrent experts, {workers} {worker_class} workers{threaded}, {kind}"
    ratio = saturated["rps"] / reference["rps"]
    errors = saturated["errors"] + open_loop["errors"] + len(saturated["failed"]) \
        + len(open_loop["failed"])
    total = n_experts + n_open
    bad = {p.split(":")[0] for p in problems}
    return [
        record(f"submit flow throughput, {tag}", saturated["rps"], "req/s",
               f">= {GOAL_RATIO:g}x minimal Flask route", ratio >= GOAL_RATIO,
               reference=reference["rps"], ratio=ratio),
        record(f"server CPU per request (gunicorn workers), {tag}", saturated["cpu_ms"], "ms",
               "context: minimal/elicit CPU per request = throughput ratio on cores of its own",
               True, reference=reference["cpu_ms"],
               ratio=reference["cpu_ms"] / saturated["cpu_ms"] if saturated["cpu_ms"] else None),
        record(f"submit flow p50 latency at saturation, {tag}", saturated["p50"], "ms",
               "context (closed loop: latency ~ clients / throughput)", True,
               reference=reference["p50"], ratio=saturated["p50"] / reference["p50"]),
        record(f"submit flow p95 latency at saturation, {tag}", saturated["p95"], "ms",
               "context", True, reference=reference["p95"],
               ratio=saturated["p95"] / reference["p95"]),
        record(f"submit flow p99 latency at saturation, {tag}", saturated["p99"], "ms",
               f"< {GOAL_P99_MS:g} ms", saturated["p99"] < GOAL_P99_MS,
               reference=reference["p99"], ratio=saturated["p99"] / reference["p99"]),
        record(f"submit flow p99 latency, open loop, {n_open} experts arriving at 0.5x "
               f"saturated throughput ({open_loop['rps']:.0f} req/s), {kind}",
               open_loop["p99"], "ms",
               f"< {GOAL_P99_MS:g} ms", open_loop["p99"] < GOAL_P99_MS),
        record(f"submit flow errors (HTTP >= 400, failed flows), {kind}", errors, "count",
               "0", errors == 0),
        record(f"submissions present exactly once in the database, {kind}",
               len(finished) + len(warmed) - len(bad), "experts",
               f"all {total + warm} (incl. {warm} warm-up)",
               not problems and len(finished) == total, reference=total + warm),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="20 experts instead of 200, open loop for ~6 s instead of ~20 s")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--experts", type=int, default=None)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 4)))
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (gunicorn --threads; gthread workers)")
    parser.add_argument("--out", default=None, help="write the JSON records here")
    args = parser.parse_args()
    n_experts = args.experts or (20 if args.quick else 200)
    open_seconds = 6.0 if args.quick else OPEN_LOOP_SECONDS
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    records = []
    logdir = Path(os.environ.get("BENCH_LOGDIR", HERE / ".logs"))
    logdir.mkdir(exist_ok=True)
    for kind in kinds:
        if kind == "postgresql" and not postgres_available():
            print("PostgreSQL not reachable: its leg is skipped", file=sys.stderr)
            continue
        records += run(kind, n_experts, args.workers, args.worker_class, logdir, open_seconds,
                       args.threads)
    emit(records, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Results page: cold (computes the analysis) and cached render of a large study.

Size: 1,000 experts x 50 options x 3 criteria (likelihood as the IDEA four
step, impact -3..+3, escalation risk 0..4, as in the demo), inserted in bulk
(COPY on PostgreSQL, executemany on SQLite), not through the web flow
(``--quick``: 100 x 20 x 3, SQLite only).  The page is requested through the real app
(``create_app`` + the WSGI test client, signed in as the study owner), so
the time is the whole server side of ``GET /studies/<id>/results``: query,
tidy frame, bootstrap (``RESULTS_RESAMPLES``, default 2,000), charts,
template; no network.  Cold = time from the first request after the app
started (cache empty) until a request answers 200: a large round may first
answer 202 with a progress page while a background job computes, so the page
is polled every POLL_SECONDS (this works with or without the job path);
cached = median of the following requests.

This module also holds the database and study generators the other
benchmarks import (export_stream.py, scale_curve.py, web_submit.py).

    python benchmarks/results_page.py [--quick] [--db sqlite|postgresql|both] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import emit, record  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
OWNER_EMAIL = "bench-owner@example.org"
OWNER_PASSWORD = "bench password 0123"  # noqa: S105 - a throwaway account in a throwaway db
GOAL_CACHED = 0.3
GOAL_COLD = 3.0
POLL_SECONDS = 0.05
POLL_LIMIT_SECONDS = 600.0

# --- databases ------------------------------------------------------------------------


def migrate(url: str) -> None:
    """Create the schema with the Alembic migrations, as `make run` does."""
    from flask_migrate import upgrade

    app = make_app(url)
    with app.app_context():
        upgrade(revision="heads")
        from elicit.extensions import db

        db.engine.dispose()


def _pg_connect(url: str):
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                           dbname=parsed.database, autocommit=True, connect_timeout=5)


def postgres_available() -> bool:
    """Whether the PostgreSQL server of BENCH_PG_URL answers."""
    try:
        with _pg_connect(PG_ADMIN):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh, migrated database (SQLite file or PostgreSQL), dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="elicit-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite"
            migrate(url)
            yield url
        return
    if kind != "postgresql":
        raise ValueError(f"database kind must be sqlite or postgresql, got {kind!r}")
    from sqlalchemy.engine import make_url

    name = f"elicit_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with _pg_connect(PG_ADMIN) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with _pg_connect(PG_ADMIN) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, secret: str | None = None, **extra: Any):
    """The real app on `url` (CSRF and rate limits off for in-process clients)."""
    from elicit import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url,
                       "SECRET_KEY": secret or secrets.token_hex(32),
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, **extra})


# --- studies ---------------------------------------------------------------------------

CRITERIA = [
    {"name": "Likelihood", "kind": "probability", "four_step": True, "weight": 1.0},
    {"name": "Impact", "kind": "scale", "scale_min": -3, "scale_max": 3, "weight": 1.0,
     "scale_labels": {"-3": "Very harmful", "3": "Very beneficial"}},
    {"name": "Escalation risk", "kind": "scale", "scale_min": 0, "scale_max": 4,
     "weight": -0.5, "scale_labels": {"0": "None", "4": "Severe"}},
]


def _bulk(table, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany on SQLite."""
    from elicit.extensions import db

    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    names = ", ".join(f'"{c}"' for c in columns)  # "group" is an SQL keyword
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.cursor().executemany(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608


def bulk_study(n_experts: int, n_options: int, n_criteria: int = 3, *,
               seed: int = 1, owner: bool = True) -> dict[str, Any]:
    """A launched study whose experts have all submitted, written with bulk inserts.

    Call inside an app context. Returns ids: study, round, options, criteria.
    """
    from sqlalchemy import select

    from elicit.extensions import db
    from elicit.models import (
        Criterion,
        Expert,
        Invitation,
        Judgment,
        Membership,
        Option,
        Response,
        Role,
        Round,
        Study,
        User,
    )
    from elicit.models.base import utcnow
    from elicit.services.accounts.users import hash_password
    from elicit.services.common import tokens

    if not 1 <= n_criteria <= len(CRITERIA):
        raise ValueError(f"n_criteria must be 1..{len(CRITERIA)}, got {n_criteria}")
    study = Study(title=f"Benchmark {n_experts}x{n_options}x{n_criteria}",
                  briefing="Generated.", status="active")
    for i in range(1, n_options + 1):
        study.options.append(Option(position=i, title=f"Option {i:03d}", description=""))
    for i, item in enumerate(CRITERIA[:n_criteria], start=1):
        study.criteria.append(Criterion(position=i, **item))
    db.session.add(study)
    if owner:
        user = db.session.scalar(select(User).where(User.email == OWNER_EMAIL))
        if user is None:
            user = User(email=OWNER_EMAIL, name="bench",
                        password_hash=hash_password(OWNER_PASSWORD))
            db.session.add(user)
        db.session.add(Membership(user=user, study=study, role=Role.OWNER))
    db.session.flush()
    now = utcnow()
    round_ = Round(study_id=study.id, number=1, status="open", opened_at=now)
    db.session.add(round_)
    db.session.flush()
    _bulk(Expert.__table__, ["study_id", "number", "name", "email", "affiliation", "group",
                             "language", "created_at"],
          [(study.id, e + 1, f"Expert {e}", f"e{e}@example.org", "", "AB"[e % 2], "en", now)
           for e in range(n_experts)])
    expert_ids = db.session.scalars(
        select(Expert.id).where(Expert.study_id == study.id).order_by(Expert.id)).all()
    invitations = []
    for expert_id in expert_ids:
        nonce = tokens.new_nonce()
        invitations.append((expert_id, round_.id, tokens.hash_token(tokens.token_for(nonce)),
                            nonce, now))
    _bulk(Invitation.__table__, ["expert_id", "round_id", "token_hash", "token_nonce",
                                 "created_at"], invitations)
    _bulk(Response.__table__, ["expert_id", "round_id", "status", "version", "consent_at",
                               "created_at", "updated_at", "submitted_at"],
          [(e, round_.id, "submitted", 1, now, now, now, now) for e in expert_ids])
    response_ids = db.session.scalars(
        select(Response.id).where(Response.round_id == round_.id).order_by(Response.expert_id)
    ).all()
    option_ids = [o.id for o in study.options]
    criterion_ids = [c.id for c in study.criteria]
    rng = np.random.default_rng(seed)
    base_p = rng.uniform(0.1, 0.9, n_options)
    base_v = rng.integers(-3, 4, n_options)
    base_r = rng.integers(0, 5, n_options)
    columns = ["response_id", "option_id", "criterion_id", "value", "lowest", "best",
               "highest", "confidence", "abstained"]
    chunk = max(1, 200_000 // max(1, n_options * n_criteria))
    for start in range(0, len(response_ids), chunk):
        part = response_ids[start:start + chunk]
        shape = (len(part), n_options)
        best = np.round(np.clip(base_p + rng.normal(0, 0.12, shape), 0.02, 0.98), 2)
        spread = np.round(rng.uniform(0.02, 0.2, shape), 2)
        low, high = np.maximum(best - spread, 0.0), np.minimum(best + spread, 1.0)
        conf = rng.choice([0.6, 0.7, 0.8, 0.9], shape)
        impact = np.clip(base_v + rng.integers(-1, 2, shape), -3, 3).astype(float)
        risk = np.clip(base_r + rng.integers(-1, 2, shape), 0, 4).astype(float)
        rows: list[tuple] = []
        for i, response_id in enumerate(part):
            for j, option_id in enumerate(option_ids):
                rows.append((response_id, option_id, criterion_ids[0], None, float(low[i, j]),
                             float(best[i, j]), float(high[i, j]), float(conf[i, j]), False))
                if n_criteria > 1:
                    rows.append((response_id, option_id, criterion_ids[1], float(impact[i, j]),
                                 None, None, None, None, False))
                if n_criteria > 2:
                    rows.append((response_id, option_id, criterion_ids[2], float(risk[i, j]),
                                 None, None, None, None, False))
        _bulk(Judgment.__table__, columns, rows)
    db.session.commit()
    return {"study": study.id, "round": round_.id, "options": option_ids,
            "criteria": criterion_ids, "rows": n_experts * n_options * n_criteria}


def signed_in_client(app):
    """A test client signed in as the benchmark owner."""
    client = app.test_client()
    reply = client.post("/login", data={"email": OWNER_EMAIL, "password": OWNER_PASSWORD})
    if reply.status_code not in (302, 303):
        raise RuntimeError(f"login failed with HTTP {reply.status_code}")
    return client


def time_results_page(url: str, study_id: int, warm_study_id: int, *, repeats: int = 5,
                      resamples: int | None = None) -> tuple[float, float, float]:
    """(cold, cached, cold CPU) seconds of GET /studies/<id>/results in a freshly built app.

    Cold CPU is the CPU time of this process (every thread, a background job
    included) from the first request to the first 200: what the cold page
    costs on a core of its own, whatever else the machine runs.

    The results page of a tiny study (`warm_study_id`) is rendered first, so
    first-request costs (imports, fonts, templates, pools) are not counted as
    the big study's cold render; its own cache entries are still empty.
    """
    extra = {} if resamples is None else {"RESULTS_RESAMPLES": resamples}
    app = make_app(url, RESULTS_CACHE_SIZE=64, **extra)
    client = signed_in_client(app)
    if client.get(f"/studies/{warm_study_id}/results").status_code != 200:
        raise RuntimeError("warm-up results page failed")
    path = f"/studies/{study_id}/results"
    start, cpu = time.perf_counter(), time.process_time()
    reply = client.get(path)
    while reply.status_code == 202:  # a background job computes: poll as the page does
        if time.perf_counter() - start > POLL_LIMIT_SECONDS:
            raise RuntimeError(f"{path}: still 202 after {POLL_LIMIT_SECONDS:g} s")
        time.sleep(POLL_SECONDS)
        reply = client.get(path)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    if reply.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {reply.status_code}")
    _wait_for_background_jobs(app)  # e.g. the job still drawing charts: not the page's time
    cached = []
    for _ in range(repeats):
        start = time.perf_counter()
        reply = client.get(path)
        cached.append(time.perf_counter() - start)
        if reply.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {reply.status_code}")
    with app.app_context():
        from elicit.extensions import db

        db.engine.dispose()
    return cold, statistics.median(cached), cold_cpu


def _wait_for_background_jobs(app) -> None:
    """Let jobs running in threads of this app finish (no-op where there are none)."""
    try:
        from elicit.services.jobs.backends import wait_for_threads
    except ImportError:
        return
    wait_for_threads(app)


def run(kind: str, size: tuple[int, int, int]) -> list[dict[str, Any]]:
    """Generate the study on one database and time its results page."""
    n_experts, n_options, n_criteria = size
    label = f"{n_experts} experts x {n_options} options x {n_criteria} criteria"
    with database(kind) as url:
        app = make_app(url)
        with app.app_context():
            warm = bulk_study(5, 3, n_criteria)
            start = time.perf_counter()
            ids = bulk_study(n_experts, n_options, n_criteria)
            print(f"[{kind}] inserted {ids['rows']:,} judgments in "
                  f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
            from elicit.extensions import db

            db.engine.dispose()
        cold, cached, cold_cpu = time_results_page(url, ids["study"], warm["study"])
    print(f"[{kind}] results page, {label}: cold {cold:.3f} s (CPU {cold_cpu:.3f} s), "
          f"cached {cached * 1e3:.1f} ms; load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    return [
        record(f"results page cold, {label}, {kind}", cold, "s", f"< {GOAL_COLD:g} s",
               cold < GOAL_COLD),
        record(f"results page cold, CPU time of the app process, {label}, {kind}", cold_cpu,
               "s", f"context: the cold page on a core of its own (goal < {GOAL_COLD:g} s)",
               cold_cpu < GOAL_COLD, reference=cold, ratio=cold_cpu / cold),
        record(f"results page cached, {label}, {kind}", cached * 1e3, "ms",
               f"< {GOAL_CACHED * 1e3:g} ms", cached < GOAL_CACHED, reference=cold * 1e3,
               ratio=cold / cached),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small size for a smoke run")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default=None,
                        help="default: both (--quick: sqlite)")
    parser.add_argument("--out", default=None, help="write the JSON records here")
    args = parser.parse_args()
    size = (100, 20, 3) if args.quick else (1_000, 50, 3)
    db = args.db or ("sqlite" if args.quick else "both")
    kinds = ["sqlite", "postgresql"] if db == "both" else [db]
    records = []
    for kind in kinds:
        if kind == "postgresql" and not postgres_available():
            print("PostgreSQL not reachable: its leg is skipped", file=sys.stderr)
            continue
        records += run(kind, size)
    emit(records, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Charts and the analysts' slow pages: cold and cached, beside the cached results page.

Two parts, both through the real app (`create_app` + the WSGI test client,
signed in, in-memory results cache), after the scientific libraries are
imported (as gunicorn's warm-up thread does, `gunicorn.conf.py`), so imports
are not counted:

1. The 1,000 experts x 50 options x 3 criteria study (``--quick``: 100 x 20):
   its results are computed first (the results job); then each chart is drawn
   cold (``analysis.forest_chart`` etc. on the cached results, what the job
   does once) and served cached (``GET .../charts/<name>.svg``).
2. The demo study: the calibration page, the Cooke view
   (``/results?method=cooke``) and the methods report, each cold (first
   request) and cached (median of 5).

Reference in the same run: the cached results page of the same study.
Goals (issue 21, on a quiet machine): each chart < 1 s cold, < 50 ms cached;
the demo's Cooke view and calibration page < 1 s cold; methods report < 1 s cached.

    python benchmarks/charts_pages.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _harness import emit, record  # noqa: E402
from results_page import bulk_study, database, make_app, signed_in_client  # noqa: E402

GOAL_CHART_COLD, GOAL_CHART_CACHED = 1.0, 0.05
GOAL_PAGE_COLD, GOAL_REPORT_CACHED = 1.0, 1.0
REPEAT = 5
CHART_MAKERS = {"forest": "forest_chart", "acceptability": "acceptability_chart",
                "risk": "risk_matrix_chart"}


def warm_imports() -> None:
    """What gunicorn's warm-up thread imports after a worker boots."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", HERE.parent / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    conf.warm_up()


def timed(client, path: str) -> float:
    start = time.perf_counter()
    reply = client.get(path)
    elapsed = time.perf_counter() - start
    if reply.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {reply.status_code}")
    return elapsed


def cold_and_cached(client, path: str) -> tuple[float, float]:
    cold = timed(client, path)
    return cold, statistics.median(timed(client, path) for _ in range(REPEAT))


def big_study_charts(size: tuple[int, int]) -> list[dict]:
    import analysis
    from elicit.extensions import db
    from elicit.models import Study
    from elicit.services import results

    with database("sqlite") as url:
        app = make_app(url, RESULTS_INLINE_MAX_ROWS=10**9)  # computed here, not by a job
        with app.app_context():
            study_id = bulk_study(*size)["study"]
            db.session.commit()
        client = signed_in_client(app)
        page = f"/studies/{study_id}/results"
        timed(client, page)  # the results (and charts) computed once
        page_cached = statistics.median(timed(client, page) for _ in range(REPEAT))
        records = []
        with app.app_context():
            outcome = results.round_results(db.session.get(Study, study_id),
                                            results.ResultParams(round=1))
        for name, maker in CHART_MAKERS.items():
            argument = outcome.risk if name == "risk" else outcome.ranking
            start = time.perf_counter()
            getattr(analysis, maker)(argument)
            cold = time.perf_counter() - start
            cached = statistics.median(timed(client, f"{page}/charts/{name}.svg")
                                       for _ in range(REPEAT))
            label = f"{name} chart, {size[0]} experts x {size[1]} options"
            print(f"{label}: cold {cold:.3f} s, cached {cached * 1e3:.1f} ms "
                  f"(cached results page {page_cached * 1e3:.1f} ms)", file=sys.stderr)
            records += [
                record(f"{label}, cold", cold, "s", f"< {GOAL_CHART_COLD:g} s",
                       cold < GOAL_CHART_COLD, reference=page_cached, ratio=cold / page_cached),
                record(f"{label}, cached", cached, "s", f"< {GOAL_CHART_CACHED * 1e3:g} ms",
                       cached < GOAL_CHART_CACHED, reference=page_cached,
                       ratio=cached / page_cached),
            ]
        with app.app_context():
            db.engine.dispose()
    return records


def demo_pages() -> list[dict]:
    from elicit.demo import loader
    from elicit.extensions import db

    with database("sqlite") as url:
        app = make_app(url)
        with app.app_context():
            info = loader.load_demo()
            study_id = info.study.id
        client = app.test_client()
        client.post("/login", data={"email": info.organizer_email,
                                    "password": info.organizer_password})
        base = f"/studies/{study_id}"
        pages = {"calibration page": f"{base}/results/calibration",
                 "Cooke view": f"{base}/results?method=cooke",
                 "methods report": f"{base}/downloads/report"}
        found = {name: cold_and_cached(client, path) for name, path in pages.items()}
        page_cached = statistics.median(timed(client, f"{base}/results") for _ in range(REPEAT))
        with app.app_context():
            db.engine.dispose()
    records = []
    for name, (cold, cached) in found.items():
        print(f"demo {name}: cold {cold:.3f} s, cached {cached * 1e3:.1f} ms "
              f"(cached results page {page_cached * 1e3:.1f} ms)", file=sys.stderr)
        if name == "methods report":
            records.append(record(f"demo {name}, cached", cached, "s",
                                  f"< {GOAL_REPORT_CACHED:g} s", cached < GOAL_REPORT_CACHED,
                                  reference=page_cached, ratio=cached / page_cached))
            records.append(record(f"demo {name}, cold", cold, "s", "context", True,
                                  reference=page_cached, ratio=cold / page_cached))
        else:
            records.append(record(f"demo {name}, cold", cold, "s", f"< {GOAL_PAGE_COLD:g} s",
                                  cold < GOAL_PAGE_COLD, reference=page_cached,
                                  ratio=cold / page_cached))
            records.append(record(f"demo {name}, cached", cached, "s", "context", True,
                                  reference=page_cached, ratio=cached / page_cached))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 experts x 20 options")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    warm_imports()
    size = (100, 20) if args.quick else (1000, 50)
    emit(big_study_charts(size) + demo_pages(), args.out)


if __name__ == "__main__":
    main()

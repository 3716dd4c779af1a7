"""Scale curve: analysis time and results-page time against experts and options.

Experts 10, 100, 1,000, 10,000 x options 10, 100, two criteria (likelihood
and impact; ``--quick``: experts up to 1,000, results pages up to 50,000
judgment rows).  Analysis = ``analysis.rank_options`` with the page's
default 2,000 resamples on a tidy frame (best of 3, of 1 for the largest).
Results page = the cold render of ``GET /studies/<id>/results`` (cache
empty; see results_page.py) of a study inserted in bulk on PostgreSQL
(SQLite if PostgreSQL is not reachable).  The fitted exponent k of time ~
experts^k is the least-squares slope of log time on log experts over
experts >= 100 (below that fixed costs dominate); the options exponent is the
slope between 10 and 100 options at the largest expert count measured
(``--quick``: results pages with 10 options only).
Writes benchmarks/scale_curve.svg (log-log).

    python benchmarks/scale_curve.py [--quick] [--db postgresql|sqlite] [--out PATH]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from _harness import best_time, emit, record  # noqa: E402
from bootstrap_vs_pandas import make_judgments  # noqa: E402
from results_page import (  # noqa: E402
    bulk_study,
    database,
    make_app,
    postgres_available,
    time_results_page,
)

from analysis import rank_options  # noqa: E402

RESAMPLES = 2_000
SVG = HERE / "scale_curve.svg"


def analysis_times(experts: list[int], options: list[int]) -> dict[tuple[int, int], float]:
    """Seconds of rank_options per (experts, options)."""
    times = {}
    for n_options in options:
        for n_experts in experts:
            frame = make_judgments(n_experts, n_options)
            repeat = 1 if n_experts * n_options >= 1_000_000 else 3
            seconds, _ = best_time(lambda f=frame: rank_options(f, resamples=RESAMPLES, seed=0),
                                   repeat)
            times[(n_experts, n_options)] = seconds
            print(f"analysis {n_experts:>6} experts x {n_options:>3} options: {seconds:.3f} s",
                  file=sys.stderr)
    return times


def page_times(kind: str, experts: list[int], options: list[int],
               max_rows: int) -> dict[tuple[int, int], float]:
    """Cold results-page seconds per (experts, options), up to `max_rows` judgments."""
    times = {}
    with database(kind) as url:
        app = make_app(url)
        with app.app_context():
            warm = bulk_study(5, 3, 2)
            ids = {}
            for n_options in options:
                for n_experts in experts:
                    if n_experts * n_options * 2 <= max_rows:
                        ids[(n_experts, n_options)] = bulk_study(n_experts, n_options, 2)
            from elicit.extensions import db

            db.engine.dispose()
        for size, study in ids.items():
            start = time.perf_counter()
            cold, _, _ = time_results_page(url, study["study"], warm["study"], repeats=1)
            times[size] = cold
            print(f"results page {size[0]:>6} experts x {size[1]:>3} options ({kind}): "
                  f"{cold:.3f} s cold (incl. app start {time.perf_counter() - start:.1f} s)",
                  file=sys.stderr)
    return times


def exponent(times: dict[tuple[int, int], float], n_options: int) -> float | None:
    """Slope of log time on log experts over experts >= 100 at `n_options` options."""
    points = sorted((e, t) for (e, o), t in times.items() if o == n_options and e >= 100)
    if len(points) < 2:
        return None
    x = np.log([p[0] for p in points])
    y = np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def options_exponent(times: dict[tuple[int, int], float], options: list[int]
                     ) -> tuple[float, int] | None:
    """Slope between the fewest and most options at the largest expert count having both."""
    lo, hi = min(options), max(options)
    both = [e for (e, o) in times if o == lo and (e, hi) in times]
    if not both or lo == hi:
        return None
    e = max(both)
    return math.log(times[(e, hi)] / times[(e, lo)]) / math.log(hi / lo), e


def draw(curves: dict[str, dict[tuple[int, int], float]], options: list[int], path: Path
         ) -> None:
    """A log-log plot per measurement, one line per option count, as SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "elicit-bench"  # stable ids in the SVG
    plt.rcParams["svg.fonttype"] = "none"  # text as text: a small file
    fig, axes = plt.subplots(1, len(curves), figsize=(5.2 * len(curves), 4), squeeze=False)
    for ax, (title, times) in zip(axes[0], curves.items(), strict=True):
        for n_options, marker in zip(options, "os^D", strict=False):
            points = sorted((e, t) for (e, o), t in times.items() if o == n_options)
            if not points:
                continue
            k = exponent(times, n_options)
            label = f"{n_options} options" + (f" (k = {k:.2f})" if k is not None else "")
            ax.loglog([p[0] for p in points], [p[1] for p in points], marker=marker,
                      label=label)
        ax.set_xlabel("experts")
        ax.set_ylabel("seconds")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle("elicit: time ~ experts^k (k fitted over experts >= 100)")
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="experts up to 1,000")
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--max-page-rows", type=int, default=None,
                        help="skip results pages of more judgment rows than this")
    parser.add_argument("--svg", default=str(SVG))
    parser.add_argument("--out", default=None, help="write the JSON records here")
    args = parser.parse_args()
    experts = [10, 100, 1_000] if args.quick else [10, 100, 1_000, 10_000]
    options = [10, 100]
    # quick: results pages with 10 options only (each costs an app start and a login)
    max_rows = args.max_page_rows or (20_000 if args.quick else 2_000_000)
    page_options = [10] if args.quick else options
    kind = args.db
    if kind == "postgresql" and not postgres_available():
        print("PostgreSQL not reachable: results pages on SQLite", file=sys.stderr)
        kind = "sqlite"
    curves = {"analysis (rank_options, 2,000 resamples)": analysis_times(experts, options),
              f"results page, cold ({kind})": page_times(kind, experts, page_options,
                                                          max_rows)}
    draw(curves, options, Path(args.svg))
    print(f"wrote {args.svg}", file=sys.stderr)
    records = []
    for title, times in curves.items():
        short = title.split(" (")[0].split(",")[0]
        for n_options in options:
            k = exponent(times, n_options)
            if k is not None:
                top = max(e for (e, o) in times if o == n_options)
                records.append(record(
                    f"scale: {short} time exponent in experts, {n_options} options "
                    f"(100..{top:,} experts)", k, "k", "context (1 = linear)", True))
        found = options_exponent(times, options)
        if found is not None:
            k, e = found
            records.append(record(
                f"scale: {short} time exponent in options, {e:,} experts "
                f"({min(options)}..{max(options)} options)", k, "k", "context (1 = linear)",
                True))
        for (e, o), t in sorted(times.items()):
            if (e, o) == max(times):
                records.append(record(f"scale: {short} time at {e:,} experts x {o} options",
                                      t, "s", "context", True))
    emit(records, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

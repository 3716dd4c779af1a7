"""Coverage of the ranking's 90 % intervals for 5, 10 and 40 experts (simulation).

Each setting draws panels of ``n`` experts whose scores for each of 5
options are independent draws around the option's true value — normal
(sd 1) or lognormal (log-sd 0.5, skewness 1.75) — ranks them with
``analysis.rank_options`` (method ``mean`` or ``median``, 1,000 resamples)
and counts how often ``low <= truth <= high``; the truth is the population
mean for ``mean`` and the population median for ``median`` (whose interval
is the interpolated order-statistic interval, see ``analysis.intervals``).
The reference,
computed in the same run on the same panels, is the plain percentile
interval of the bootstrap over experts (what the library did before issue
19).  Goal: coverage within 87-93 % for nominal 90 % in every setting.
With 2,000 intervals per setting (``--quick``: 300) the Monte Carlo
standard error of a coverage near 90 % is 0.7 points (1.7).

    python benchmarks/interval_coverage.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import emit, record  # noqa: E402

from analysis import rank_options  # noqa: E402
from analysis.bootstrap import resample_counts  # noqa: E402

LEVEL = 0.9
GOAL = (0.87, 0.93)
N_OPTIONS = 5
RESAMPLES = 1_000
LOG_SD = 0.5


def draw(rng: np.random.Generator, dist: str, n: int) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """Scores (n, options), true means and true medians of the options."""
    centre = np.arange(1.0, N_OPTIONS + 1.0)
    if dist == "normal":
        x = centre[None, :] + rng.normal(size=(n, N_OPTIONS))
        return x, centre, centre
    x = centre[None, :] * rng.lognormal(0.0, LOG_SD, size=(n, N_OPTIONS))
    return x, centre * np.exp(LOG_SD**2 / 2), centre


def frame(x: np.ndarray) -> pd.DataFrame:
    n, o = x.shape
    return pd.DataFrame({"round": 1, "expert": np.repeat([f"e{i}" for i in range(n)], o),
                         "option": np.tile([f"o{j}" for j in range(o)], n),
                         "criterion": "score", "kind": "scale", "value": x.ravel()})


def reference_interval(rng: np.random.Generator, x: np.ndarray,
                       stat: str) -> tuple[np.ndarray, np.ndarray]:
    """The plain percentile interval over experts (the pre-issue-19 method)."""
    n = x.shape[0]
    counts = resample_counts(rng, n, RESAMPLES)
    if stat == "mean":
        boot = counts @ x / n
    else:
        idx = np.repeat(np.tile(np.arange(n), (RESAMPLES, 1)).ravel(),
                        counts.astype(int).ravel()).reshape(RESAMPLES, n)
        boot = np.median(x[idx], axis=1)
    a = (1 - LEVEL) / 2
    lo, hi = np.quantile(boot, [a, 1 - a], axis=0)
    return lo, hi


def coverage(dist: str, n: int, stat: str, panels: int, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    ours = ref = total = 0
    for p in range(panels):
        x, mean, median = draw(rng, dist, n)
        truth = mean if stat == "mean" else median
        t = rank_options(frame(x), method=stat, resamples=RESAMPLES, seed=p,
                         interval=LEVEL).table.set_index("option")
        t = t.loc[[f"o{j}" for j in range(N_OPTIONS)]]
        ours += int(((t["low"] <= truth) & (truth <= t["high"])).sum())
        lo, hi = reference_interval(rng, x, stat)
        ref += int(((lo <= truth) & (truth <= hi)).sum())
        total += N_OPTIONS
    return ours / total, ref / total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer panels for a smoke run")
    parser.add_argument("--out", default=None, help="write the JSON records here")
    args = parser.parse_args()
    panels = 60 if args.quick else 400
    records = []
    start = time.perf_counter()
    print(f"nominal {LEVEL:.0%}; {panels * N_OPTIONS} intervals per setting; "
          f"{RESAMPLES} resamples; goal {GOAL[0]:.0%}-{GOAL[1]:.0%}")
    print(f"{'truth':10} {'experts':>7} {'method':7} {'coverage':>9} {'percentile (ref)':>17}")
    seed = 0
    for dist in ("normal", "lognormal"):
        for n in (5, 10, 40):
            for stat in ("mean", "median"):
                seed += 1
                ours, ref = coverage(dist, n, stat, panels, seed)
                print(f"{dist:10} {n:7d} {stat:7} {ours:9.1%} {ref:17.1%}", flush=True)
                met = GOAL[0] <= ours <= GOAL[1] or args.quick
                records.append(record(f"coverage_{dist}_{n}_{stat}", ours, "fraction",
                                      f"{GOAL[0]:.2f}-{GOAL[1]:.2f}", met, reference=ref,
                                      ratio=ours / ref if ref else None))
    print(f"{time.perf_counter() - start:.0f} s")
    emit(records, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
